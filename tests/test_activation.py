"""The `activation` kind against independent oracles.

torch float64 is the oracle for every value (torch.nn.functional) and every derivative at a point
(autograd); central finite differences check the derivatives again away from the kinks; the
derivative formulas are evaluated at points against autograd; ranges against dense torch samples;
the seeds' stated answers (001 l. 770-900, 004 l. 120-165) and their two wrong formulas.
"""

from __future__ import annotations

import json
import math
from fractions import Fraction
from pathlib import Path

import pytest
import torch
import torch.nn.functional as F

from grader.answers.types import to_float
from grader.api import check, solve
from grader.errors import SpecError
from grader.spec.loader import load_problem, validate_document
from grader.spec.yamlsafe import load_text

ROOT = Path(__file__).resolve().parent.parent
NOTES = ROOT / "problems" / "ee147" / "ee147-activations.yaml"
SLIDES = ROOT / "problems" / "ceng796" / "ceng796-activations.yaml"
MAXOUT = ROOT / "problems" / "ee147" / "ee147-maxout.yaml"

# (function, its parameters in the spec, the torch oracle)
TORCH = [
    ("sigmoid", {}, torch.sigmoid),
    ("tanh", {}, torch.tanh),
    ("relu", {}, F.relu),
    ("leaky_relu", {}, lambda t: F.leaky_relu(t)),
    ("leaky_relu", {"negative_slope": 0.2}, lambda t: F.leaky_relu(t, 0.2)),
    ("elu", {}, F.elu),
    ("elu", {"alpha": 2}, lambda t: F.elu(t, alpha=2.0)),
    ("elu", {"alpha": "1/2"}, lambda t: F.elu(t, alpha=0.5)),
    ("selu", {}, F.selu),
    ("softplus", {}, F.softplus),
    ("softplus", {"beta": 2}, lambda t: F.softplus(t, beta=2.0)),
    ("gelu", {}, F.gelu),
    ("gelu", {"approximate": "tanh"}, lambda t: F.gelu(t, approximate="tanh")),
    ("silu", {}, F.silu),
    ("swish", {"beta": 2}, lambda t: t * torch.sigmoid(2 * t)),
    ("identity", {"scale": 3}, lambda t: 3 * t),
]
POINTS = [-3, -1, "-1/3", 0, "1/2", 1, 2.5, 7]
IDS = [f"{n}{''.join(f'-{k}={v}' for k, v in p.items())}" for n, p, _ in TORCH]


def problem_of(given: dict, parts: list[dict], kind: str = "activation"):
    text = json.dumps({"id": "t", "kind": kind, "given": given,
                       "parts": [{"prompt": "p", **p} for p in parts]})
    return validate_document(load_text(text, "t.json"))


def spec_error(given: dict, parts: list[dict]) -> SpecError:
    with pytest.raises(SpecError) as info:
        solve(problem_of(given, parts))
    return info.value


def _float(x) -> float:
    return float(Fraction(x)) if isinstance(x, str) else float(x)


@pytest.mark.parametrize(("name", "params", "oracle"), TORCH, ids=IDS)
def test_values_and_derivatives_match_torch_autograd(name, params, oracle):
    parts = []
    for i, a in enumerate(POINTS):
        parts.append({"id": f"v{i}", "ask": "value", "at": a})
        parts.append({"id": f"d{i}", "ask": "derivative", "at": a})
    sol = solve(problem_of({"function": name, **params}, parts))
    for i, a in enumerate(POINTS):
        t = torch.tensor(_float(a), dtype=torch.float64, requires_grad=True)
        y = oracle(t)
        y.backward()
        assert to_float(sol.part(f"v{i}").value) == pytest.approx(y.item(), rel=1e-12, abs=1e-14), (name, a)
        assert to_float(sol.part(f"d{i}").value) == pytest.approx(t.grad.item(), rel=1e-12, abs=1e-14), (name, a)


@pytest.mark.parametrize(("name", "params", "oracle"), TORCH, ids=IDS)
def test_derivatives_match_central_differences(name, params, oracle):
    points = [a for a in POINTS if _float(a) != 0]  # no derivative at a kink
    sol = solve(problem_of({"function": name, **params},
                           [{"id": f"d{i}", "ask": "derivative", "at": a} for i, a in enumerate(points)]))
    h = 1e-6
    for i, a in enumerate(points):
        x = _float(a)
        fd = (oracle(torch.tensor(x + h, dtype=torch.float64)) - oracle(torch.tensor(x - h, dtype=torch.float64))) / (2 * h)
        assert to_float(sol.part(f"d{i}").value) == pytest.approx(fd.item(), rel=1e-6, abs=1e-8), (name, a)


SMOOTH = [t for t in TORCH if t[0] not in ("relu", "leaky_relu", "elu", "selu") and t[1].get("approximate") != "none"
          and not (t[0] == "gelu" and not t[1])]


@pytest.mark.parametrize(("name", "params", "oracle"), SMOOTH, ids=[f"{n}{p}" for n, p, _ in SMOOTH])
def test_derivative_formulas_agree_with_autograd(name, params, oracle):
    import sympy as sp

    sol = solve(problem_of({"function": name, **params}, [{"id": "d", "ask": "derivative"}]))
    part = sol.part("d")
    assert part.type == "expression"
    (x,) = part.value.free_symbols or {sp.Symbol("x")}
    for a in (-2.5, -0.4, 0.3, 1.7):
        t = torch.tensor(a, dtype=torch.float64, requires_grad=True)
        oracle(t).backward()
        assert float(part.value.subs(x, a)) == pytest.approx(t.grad.item(), rel=1e-10, abs=1e-12), (name, a)
    # the displayed formula is accepted by the checker (what a student copies must pass)
    assert check(sol_problem := problem_of({"function": name, **params}, [{"id": "d", "ask": "derivative"}]),
                 {"d": part.answer}).parts[0].verdict == "correct", sol_problem


@pytest.mark.parametrize(("name", "params", "region"), [
    ("relu", {}, "positive"), ("relu", {}, "negative"), ("leaky_relu", {"negative_slope": 0.2}, "negative"),
    ("elu", {"alpha": 2}, "negative"), ("elu", {}, "positive"),
])
def test_derivative_on_a_branch_agrees_with_autograd(name, params, region):
    sol = solve(problem_of({"function": name, **params}, [{"id": "d", "ask": "derivative", "region": region}]))
    oracle = next(o for n, p, o in TORCH if n == name and p == params) if (name, params) != ("elu", {"alpha": 2}) \
        else (lambda t: F.elu(t, alpha=2.0))
    value = sol.part("d").value
    for a in ((0.4, 2.0) if region == "positive" else (-0.4, -2.0)):
        t = torch.tensor(a, dtype=torch.float64, requires_grad=True)
        oracle(t).backward()
        got = float(value.subs({s: a for s in value.free_symbols})) if hasattr(value, "free_symbols") else float(value)
        assert got == pytest.approx(t.grad.item(), rel=1e-12)


@pytest.mark.parametrize(("name", "params", "oracle"), TORCH, ids=IDS)
def test_ranges_against_dense_torch_samples(name, params, oracle):
    sol = solve(problem_of({"function": name, **params},
                           [{"id": "lo", "ask": "range", "end": "lower"}, {"id": "hi", "ask": "range", "end": "upper"}]))
    lo, hi = to_float(sol.part("lo").value), to_float(sol.part("hi").value)
    xs = torch.linspace(-60, 60, 1_200_001, dtype=torch.float64)
    ys = oracle(xs)
    assert ys.min().item() >= lo - 1e-12 and ys.max().item() <= hi + 1e-12
    # the bounds are tight: approached (or reached) on the samples, or infinite where the samples grow
    far = torch.tensor([-1e8, 1e8], dtype=torch.float64)
    if math.isinf(lo):
        assert oracle(far)[0].item() < -1e5
    else:
        assert ys.min().item() == pytest.approx(lo, abs=1e-6)
    if math.isinf(hi):
        assert oracle(far)[1].item() > 1e5
    else:
        assert ys.max().item() == pytest.approx(hi, abs=1e-6)


def test_identities_of_the_course():
    sol = solve(problem_of({"function": "tanh"}, [
        {"id": "right", "ask": "equals", "formula": "2*sigma(2*x) - 1"},
        {"id": "notes", "ask": "equals", "formula": "2*sigma(x) - 1"},
        {"id": "exp", "ask": "equals", "formula": "(exp(x) - exp(-x))/(exp(x) + exp(-x))"},
        {"id": "sp", "ask": "equals", "function": "softplus", "formula": "-ln(sigmoid(-x))"},
        {"id": "elu", "ask": "equals", "function": "elu", "formula": "max(alpha*(exp(x) - 1), x)"},
        {"id": "elu_neg", "ask": "equals", "function": "elu", "region": "negative", "formula": "alpha*(exp(x) - 1)"},
        {"id": "leaky", "ask": "equals", "function": "leaky_relu", "formula": "max(negative_slope*x, x)"},
    ]))
    v = {p.id: p.value for p in sol.parts}
    assert v == {"right": True, "notes": False, "exp": True, "sp": True, "elu": False, "elu_neg": True, "leaky": True}
    notes = " ".join(s.text for s in sol.part("notes").steps)
    assert "x = 1" in notes and "0.761594" in notes and "0.462117" in notes and "f(x/2)" in notes
    # numerically: 2σ(x) − 1 is tanh(x/2), not tanh(x)
    x = torch.tensor(1.0, dtype=torch.float64)
    assert (2 * torch.sigmoid(x) - 1).item() == pytest.approx(torch.tanh(x / 2).item())


def test_students_identities_are_graded_by_equivalence():
    problem = problem_of({"function": "sigmoid"}, [
        {"id": "sd", "ask": "derivative"},
        {"id": "td", "ask": "derivative", "function": "tanh"},
        {"id": "spd", "ask": "derivative", "function": "softplus"},
        {"id": "tanh", "ask": "formula", "function": "tanh", "in_terms_of": "sigmoid"},
    ])
    right = {"sd": "exp(-x)/(1 + exp(-x))^2", "td": "4/(exp(x) + exp(-x))^2", "spd": "1/(1 + exp(-x))", "tanh": "2/(1+exp(-2x)) - 1"}
    assert [p.verdict for p in check(problem, right).parts] == ["correct"] * 4
    also = {"sd": "sigma(x)*(1 - sigma(x))", "td": "1 - tanh(x)^2", "spd": "sigma(x)", "tanh": "2*sigma(2*x) - 1"}
    assert [p.verdict for p in check(problem, also).parts] == ["correct"] * 4
    wrong = check(problem, {"sd": "sigma(x)*(1 - x)", "td": "1 - tanh(x)", "spd": "exp(x)", "tanh": "2*sigma(x) - 1"})
    assert [p.verdict for p in wrong.parts] == ["incorrect"] * 4
    assert wrong.part("td").mistake == "tanh-no-square"
    assert wrong.part("tanh").mistake == "tanh-half-argument"
    assert "2σ(2x) − 1" in wrong.part("tanh").feedback and "0.7616" in wrong.part("tanh").feedback


def test_mistakes_are_computed():
    problem = problem_of({"function": "elu", "alpha": 1}, [
        {"id": "e1", "ask": "value", "at": 1},
        {"id": "r0", "ask": "derivative", "function": "relu", "at": 0},
        {"id": "t1", "ask": "value", "function": "tanh", "at": 1},
        {"id": "s1", "ask": "derivative", "function": "sigmoid", "at": 1},
        {"id": "g1", "ask": "value", "function": "gelu", "at": 1, "tolerance": {"rel": 1e-6}},
    ])
    result = check(problem, {"e1": "e - 1", "r0": "1", "t1": "2/(1 + exp(-1)) - 1", "s1": "1/(1+exp(-1))",
                             "g1": "0.8411919906"})
    assert {p.id: p.mistake for p in result.parts} == {
        "e1": "elu-max-form", "r0": "kink", "t1": "tanh-half-argument", "s1": "value-for-derivative",
        "g1": "gelu-approximation"}
    assert F.gelu(torch.tensor(1.0, dtype=torch.float64), approximate="tanh").item() == pytest.approx(0.8411919906)


def test_seed_stated_answers_and_corrections():
    sol = solve(load_problem(str(NOTES)))
    v = {p.id: p.value for p in sol.parts}
    assert v["tanh_notes_identity"] is False  # the notes' tanh(x) = 2σ(x) − 1 is wrong
    assert v["elu_notes_form"] is False  # and so is their ELU max form
    assert round(to_float(v["tanh_at_1"]), 5) == 0.76159
    assert (to_float(v["sigmoid_range_low"]), to_float(v["sigmoid_range_high"])) == (0, 1)
    assert to_float(v["relu_derivative_positive"]) == 1 and to_float(v["relu_derivative_negative"]) == 0
    assert to_float(v["softplus_range_low"]) == 0 and to_float(v["relu_range_low"]) == 0
    assert v["leaky_relu_value"] == Fraction(-2, 100)
    assert to_float(v["elu_at_1"]) == 1 and to_float(v["elu_range_low"]) == -1
    # the notes' formulas are accepted in any equivalent form
    answers = {"sigmoid_derivative": "sigma(x)*(1-sigma(x))", "tanh_derivative": "1 - tanh(x)^2",
               "softplus_derivative": "sigma(x)", "tanh_via_sigmoid": "2σ(2x) − 1"}
    result = check(load_problem(str(NOTES)), answers)
    assert all(p.verdict == "correct" for p in result.parts if p.id in answers)
    slides = {p.id: p.value for p in solve(load_problem(str(SLIDES))).parts}
    assert slides["leaky_value"] == Fraction(-3, 10)
    assert to_float(slides["sigmoid_at_0"]) == 0.5 and to_float(slides["sigmoid_derivative_at_0"]) == 0.25
    assert to_float(slides["elu_at_minus_1"]) == pytest.approx(math.exp(-1) - 1)


def test_maxout_against_torch():
    sol = solve(load_problem(str(MAXOUT)))
    w = torch.tensor([[1, -2, 0.5], [-1, 1, 2]], dtype=torch.float64)
    b = torch.tensor([0, 1], dtype=torch.float64)
    x = torch.tensor([2.0, 1.0, 2.0], dtype=torch.float64, requires_grad=True)
    y = (w @ x + b).max()
    y.backward()
    assert to_float(sol.part("value").value) == y.item()
    assert [float(g) for g in sol.part("gradient").value] == x.grad.tolist()
    assert sol.part("params").value == 2 * (3 + 1)  # "doubles the number of parameters"


def test_spec_errors_name_the_key():
    err = spec_error({"function": "sigmoid", "alpha": 2}, [{"id": "a", "ask": "value", "at": 1}])
    assert "alpha is not a parameter of sigmoid" in str(err) and "given.alpha" in str(err)
    err = spec_error({"function": "relu"}, [{"id": "a", "ask": "derivative"}])
    assert "region" in str(err) and "parts[0]" in str(err)
    err = spec_error({"function": "swish-3"}, [{"id": "a", "ask": "value", "at": 1}])
    assert "unknown activation" in str(err)
    err = spec_error({"function": "maxout", "weights": [[1, 2], [3]]}, [{"id": "a", "ask": "value", "at": [1, 2]}])
    assert "same length" in str(err)
    err = spec_error({"function": "tanh"}, [{"id": "a", "ask": "equals", "formula": "__import__('os')"}])
    assert "parts[0].formula" in str(err)


class _SlowClock:
    """Every reading is 1000 s of CPU after the last: any time limit fires at once (a loaded or slow machine)."""

    def __init__(self) -> None:
        self.now = 0.0

    def thread_time(self) -> float:
        self.now += 1000.0
        return self.now


def _shown(sol) -> list:
    return [[s.text for s in sol.steps]] + [
        (p.id, p.type, str(p.value), p.answer, [s.text for s in p.steps], [(a.mistake, str(a.value)) for a in p.alternatives])
        for p in sol.parts]


def test_verdicts_and_mistakes_do_not_depend_on_timing(monkeypatch):
    """The identity verdicts and the mistakes kept beside an expression are decided by the formulas'
    sizes, never by a clock: on a machine where every time limit fires at once they are the same."""
    from grader.answers import prove

    problems = [load_problem(str(NOTES)), problem_of({"function": "tanh"}, [
        {"id": "notes", "ask": "equals", "formula": "2*sigma(x) - 1"},
        {"id": "right", "ask": "equals", "formula": "2*sigma(2*x) - 1"},
        {"id": "sp", "ask": "equals", "function": "softplus", "formula": "-ln(sigmoid(-x))"},
        {"id": "leaky", "ask": "equals", "function": "leaky_relu", "formula": "max(negative_slope*x, x)"},
        {"id": "d", "ask": "derivative"},
        {"id": "f", "ask": "formula", "function": "elu", "region": "positive"}])]
    normal = [_shown(solve(p)) for p in problems]
    monkeypatch.setattr(prove, "time", _SlowClock())
    assert [_shown(solve(p)) for p in problems] == normal
    verdicts = {p[0]: p[2] for p in normal[1][1:]}
    assert verdicts == {"notes": "False", "right": "True", "sp": "True", "leaky": "True",
                        "d": "1 - tanh(x)**2", "f": "x"}
    mistakes = {p[0]: [m for m, _ in p[5]] for p in normal[1][1:]}
    assert mistakes["d"] == ["value-for-derivative", "tanh-half-argument", "tanh-no-square"]
