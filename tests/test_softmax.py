"""The `softmax` kind against independent oracles.

Probabilities, cross-entropy, its gradient and the Jacobian against PyTorch autograd in float64
(hypothesis-random logits, temperatures, labels and label smoothing, both smoothing rules); the
exact values at logits of ±1000 against mpmath at 50 digits; every symbolic derivative against
central finite differences; the seeds' stated answers; accepted notations and near misses.
"""

from __future__ import annotations

import json
import math
from fractions import Fraction
from pathlib import Path

import mpmath
import numpy as np
import pytest
import torch
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from grader.answers.types import to_float
from grader.api import check, solve
from grader.cli import cli
from grader.errors import SpecError
from grader.spec.loader import load_problem, validate_document
from grader.spec.yamlsafe import load_text

ROOT = Path(__file__).resolve().parent.parent
EE147 = ROOT / "problems" / "ee147"
SETTINGS = settings(max_examples=25, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow])
ALL_PARTS = [{"id": "p", "ask": "probabilities"}, {"id": "loss", "ask": "loss"}, {"id": "g", "ask": "gradient"},
             {"id": "J", "ask": "jacobian"}, {"id": "t", "ask": "targets"}]


def problem_of(given: dict, parts: list[dict]):
    text = json.dumps({"id": "t", "kind": "softmax", "given": given, "parts": parts})
    return validate_document(load_text(text, "t.json"))


def floats(value) -> np.ndarray:
    if isinstance(value, list):
        return np.array([floats(v) for v in value])
    return np.float64(to_float(value))


def spec_error(text: str) -> SpecError:
    with pytest.raises(SpecError) as info:
        solve(validate_document(load_text(text, "bad.yaml")))
    return info.value


# ---------------------------------------------------------------------------------------------
# PyTorch autograd in float64


def torch_oracle(logits, label, T, eps, convention):
    z = torch.tensor([float(Fraction(x)) for x in logits], dtype=torch.float64, requires_grad=True)
    K = len(logits)
    if convention == "notes":
        target = torch.full((K,), float(eps) / (K - 1), dtype=torch.float64)
        target[label] = 1 - float(eps)
        loss = torch.nn.functional.cross_entropy((z / T).unsqueeze(0), target.unsqueeze(0))
    else:
        target = None
        loss = torch.nn.functional.cross_entropy((z / T).unsqueeze(0), torch.tensor([label]),
                                                 label_smoothing=float(eps))
    loss.backward()
    probs = torch.softmax(z.detach() / T, dim=0)
    jac = torch.autograd.functional.jacobian(lambda v: torch.softmax(v / T, dim=0), z.detach())
    return probs.numpy(), float(loss.detach()), z.grad.numpy(), jac.numpy(), target


LOGIT = st.one_of(st.integers(-6, 6), st.sampled_from(["0.5", "-1.25", "2.75", "1/3", "-7/4"]))


@SETTINGS
@given(logits=st.lists(LOGIT, min_size=2, max_size=6), data=st.data(),
       T=st.sampled_from(["1", "1/2", "2", "3/2"]), eps=st.sampled_from(["0", "0.1", "0.25"]),
       convention=st.sampled_from(["pytorch", "notes"]))
def test_numeric_softmax_matches_torch(logits, data, T, eps, convention):
    label = data.draw(st.integers(0, len(logits) - 1))
    given_ = {"logits": logits, "label": label, "temperature": T, "smoothing": eps, "convention": convention}
    sol = solve(problem_of(given_, ALL_PARTS))
    v = {p.id: floats(p.value) for p in sol.parts}
    probs, loss, grad, jac, _ = torch_oracle(logits, label, float(Fraction(T)), Fraction(eps), convention)
    np.testing.assert_allclose(v["p"], probs, rtol=1e-12, atol=1e-15)
    assert math.isclose(float(v["loss"]), loss, rel_tol=1e-12, abs_tol=1e-14)
    np.testing.assert_allclose(v["g"], grad, rtol=1e-10, atol=1e-14)
    np.testing.assert_allclose(v["J"], jac, rtol=1e-10, atol=1e-14)
    assert math.isclose(float(v["t"].sum()), 1.0, rel_tol=1e-15)


@SETTINGS
@given(logits=st.lists(st.integers(-5, 5), min_size=2, max_size=5), data=st.data())
def test_every_jacobian_entry_matches_torch(logits, data):
    K = len(logits)
    i, j = data.draw(st.integers(0, K - 1)), data.draw(st.integers(0, K - 1))
    sol = solve(problem_of({"logits": logits}, [{"id": "e", "ask": "jacobian_entry", "i": i, "j": j}]))
    *_, jac, _ = torch_oracle(logits, 0, 1.0, 0, "pytorch")
    assert math.isclose(to_float(sol.part("e").value), jac[i][j], rel_tol=1e-12, abs_tol=1e-15)


def test_logits_of_plus_and_minus_1000_are_exact():
    sol = solve(problem_of({"logits": [1000, -1000], "label": 1}, ALL_PARTS[:3]))
    mpmath.mp.dps = 50
    s1 = mpmath.exp(-2000) / (1 + mpmath.exp(-2000))
    p = sol.part("p").value
    assert abs(mpmath.mpf(str(p[1].evalf(40))) - s1) < s1 * mpmath.mpf(10) ** -35  # not 0: exact
    assert sol.part("p").approx.endswith("2.57654e-869]")
    assert math.isclose(to_float(sol.part("loss").value), 2000.0)
    loss_exact = mpmath.mpf(str(sol.part("loss").value.evalf(60))) - 2000
    assert abs(loss_exact - mpmath.log(1 + mpmath.exp(-2000))) < mpmath.mpf(10) ** -880
    assert "e^0 = 1 and e^−2000" in " ".join(s.text for s in sol.steps)  # the max-subtraction step
    # a float softmax overflows without the shift; the exact one agrees with torch's shifted one
    probs, loss, grad, *_ = torch_oracle([1000, -1000], 1, 1.0, 0, "pytorch")
    assert loss == 2000.0 and list(probs) == [1.0, 0.0]
    for answer in ("[1, 0]", "[1/(1+exp(-2000)), exp(-2000)/(1+exp(-2000))]"):
        assert check(sol_problem := problem_of({"logits": [1000, -1000], "label": 1}, ALL_PARTS[:1]),
                     {"p": answer}).part("p").verdict == "correct", (answer, sol_problem)


# ---------------------------------------------------------------------------------------------
# symbolic results against central finite differences


def numpy_softmax(z: np.ndarray, T: float = 1.0) -> np.ndarray:
    e = np.exp((z - z.max()) / T)
    return e / e.sum()


def central_jacobian(z: np.ndarray, T: float = 1.0, h: float = 1e-6) -> np.ndarray:
    cols = []
    for j in range(len(z)):
        d = np.zeros_like(z)
        d[j] = h
        cols.append((numpy_softmax(z + d, T) - numpy_softmax(z - d, T)) / (2 * h))
    return np.array(cols).T  # J[i][j] = ∂s_i/∂z_j


def substitute(expr, z: np.ndarray, T_text: str = "1"):
    """The value of an expected expression (in s_k or z_k) at the logits z."""
    import sympy as sp

    s = numpy_softmax(z, float(Fraction(T_text)))
    subs = {}
    for sym in expr.free_symbols:
        kind, k = sym.name.split("_")
        subs[sym] = sp.Float(float(s[int(k)] if kind == "s" else z[int(k)]), 30)
    return float(expr.xreplace(subs).evalf(30))


@pytest.mark.parametrize("T", ["1", "2", "1/3"])
def test_symbolic_jacobian_matches_finite_differences(T):
    sol = solve(problem_of({"logits": {"classes": 4}, "label": 2, "temperature": T},
                           [{"id": "J", "ask": "jacobian"}, {"id": "g", "ask": "gradient"}, {"id": "L", "ask": "loss"}]))
    rng = np.random.default_rng(7)
    for _ in range(3):
        z = rng.normal(size=4) * 2
        J = np.array([[substitute(x, z, T) for x in row] for row in sol.part("J").value])
        np.testing.assert_allclose(J, central_jacobian(z, float(Fraction(T))), atol=1e-8)
        # the loss as an expression, differentiated by finite differences, is the stated gradient
        L = sol.part("L").value
        g = np.array([substitute(x, z, T) for x in sol.part("g").value])
        fd = []
        for k in range(4):
            d = np.zeros(4)
            d[k] = 1e-6
            fd.append((substitute(L, z + d, T) - substitute(L, z - d, T)) / 2e-6)
        np.testing.assert_allclose(g, fd, atol=1e-7)
        # and against torch
        _, loss, grad, *_ = torch_oracle([str(Fraction(x).limit_denominator(10**12)) for x in z], 2,
                                         float(Fraction(T)), 0, "pytorch")
        np.testing.assert_allclose(g, grad, atol=1e-9)


def test_generic_entries_match_finite_differences():
    sol = solve(load_problem(str(EE147 / "ee147-softmax-derivative.yaml")))
    same, different = sol.part("same").value, sol.part("different").value
    z = np.array([0.3, -1.2, 2.0, 0.7])
    s = numpy_softmax(z)
    J = central_jacobian(z)
    for i in range(4):
        for j in range(4):
            expr = same if i == j else different
            point = {sym: (s[i] if sym.name == "s_i" else s[j]) for sym in expr.free_symbols}
            assert math.isclose(float(expr.subs(point)), J[i][j], abs_tol=1e-8)


# ---------------------------------------------------------------------------------------------
# the seeds' stated answers


def test_seed_nll_example():
    sol = solve(load_problem(str(EE147 / "ee147-softmax-nll.yaml")))
    assert [round(x, 4) for x in floats(sol.part("probabilities").value)] == [0.0900, 0.2447, 0.6652]
    assert round(to_float(sol.part("loss").value), 5) == 0.40761
    assert math.isclose(to_float(sol.part("loss").value), math.log(math.e + math.e**2 + math.e**3) - 3)
    assert [round(x, 4) for x in floats(sol.part("gradient").value)] == [0.0900, 0.2447, -0.3348]


def test_seed_temperature_flattens_towards_uniform():
    sol = solve(load_problem(str(EE147 / "ee147-softmax-temperature.yaml")))
    assert [round(x, 4) for x in floats(sol.part("probabilities").value)] == [0.3300, 0.3333, 0.3367]


@pytest.mark.parametrize("convention, text, typeset", [
    ("notes", "the label gets 1 − ε = 0.9, each of the other 3 classes ε/(K − 1) = 0.1/3 = 0.0333333",
     r"\frac{\varepsilon}{\left(K - 1\right)}"),
    ("pytorch", "so the label gets 1 − ε + ε/K = 0.925 and every other class ε/K = 0.1/4 = 0.025",
     r"1 - \varepsilon + \frac{\varepsilon}{K} = 0.925"),
])
def test_label_smoothing_is_worked_out_as_formulas(convention, text, typeset):
    """The smoothed targets with their numbers substituted: the same words as ever in text, math in LaTeX."""
    problem = problem_of({"logits": [1, 2, 3, 4], "label": 0, "smoothing": "0.1", "convention": convention},
                         [{"id": "t", "ask": "targets"}])
    step = solve(problem).part("t").steps[0]
    assert text in step.text and typeset in step.latex


def test_seed_derivative_and_label_smoothing():
    sol = solve(load_problem(str(EE147 / "ee147-softmax-derivative.yaml")))
    assert sol.part("same").answer == "s_i*(1 - s_i)" and sol.part("different").answer == "-s_i*s_j"
    problem = load_problem(str(EE147 / "ee147-label-smoothing.yaml"))
    sol = solve(problem)
    assert sol.part("correct_class").value == Fraction(9, 10) and sol.part("other_class").value == Fraction(1, 90)
    result = check(problem, {"correct_class": "0.91", "other_class": "0.011", "targets": "[0.9] + [0.011]*9"})
    assert result.part("correct_class").mistake == "smoothing-convention"
    assert result.part("other_class").verdict == "correct"  # the notes' rounded 0.011
    assert result.part("targets").verdict == "invalid"


# ---------------------------------------------------------------------------------------------
# equivalence: accepted forms and near misses


@pytest.mark.parametrize("answer", [
    "s_i*(1-s_i)", "s_i - s_i^2", "s_i(1 - s_i)", "-s_i^2 + s_i", "s_i*(1-s_i)*1",
    "exp(z_i)/S - exp(2*z_i)/S^2", "exp(z_i)*(S - exp(z_i))/S^2",
])
def test_same_case_forms_accepted(answer):
    problem = load_problem(str(EE147 / "ee147-softmax-derivative.yaml"))
    assert check(problem, {"same": answer}).part("same").verdict == "correct"


@pytest.mark.parametrize("answer,mistake", [
    ("-s_i*(1-s_i)", "sign"), ("s_i^2 - s_i", "sign"), ("s_i", "missing-one-minus"), ("-s_i^2", "wrong-case"),
    ("s_i*(1-s_j)", None), ("s_j*(1-s_j)", None), ("s_i*(1+s_i)", None), ("2*s_i*(1-s_i)", None),
    ("s_i*(1-s_i)^2", None), ("s_i*(1-s_i) + 1e-9", None),
])
def test_same_case_near_misses_rejected(answer, mistake):
    problem = load_problem(str(EE147 / "ee147-softmax-derivative.yaml"))
    r = check(problem, {"same": answer}).part("same")
    assert r.verdict == "incorrect" and r.mistake == mistake


@pytest.mark.parametrize("answer,verdict,mistake", [
    ("-s_i*s_j", "correct", None), ("-s_j*s_i", "correct", None), ("-(s_i s_j)", "correct", None),
    ("-exp(z_i + z_j)/S^2", "correct", None), ("-exp(z_i)*exp(z_j)/S^2", "correct", None),
    ("s_i*s_j", "incorrect", "sign"), ("-s_i^2", "incorrect", "wrong-index"), ("-s_j^2", "incorrect", "wrong-index"),
    ("s_i*(1-s_i)", "incorrect", "wrong-case"), ("-s_i*s_j/2", "incorrect", None), ("-s_i - s_j", "incorrect", None),
])
def test_different_case(answer, verdict, mistake):
    problem = load_problem(str(EE147 / "ee147-softmax-derivative.yaml"))
    r = check(problem, {"different": answer}).part("different")
    assert (r.verdict, r.mistake) == (verdict, mistake)


@pytest.mark.parametrize("answer,verdict", [
    ("s_0*(1-s_0)", "correct"), ("s_0*(s_1 + s_2)", "correct"), ("s0 - s0^2", "correct"),
    ("exp(z_0)*(exp(z_1)+exp(z_2))/(exp(z_0)+exp(z_1)+exp(z_2))^2", "correct"),
    ("(exp(z_0+z_1)+exp(z_0+z_2))/(exp(z_0)+exp(z_1)+exp(z_2))^2", "correct"),
    ("s_0*(1-s_1)", "incorrect"), ("s_0*s_1", "incorrect"), ("s_0*(s_1 - s_2)", "incorrect"),
    ("exp(z_0)*exp(z_1)/(exp(z_0)+exp(z_1)+exp(z_2))^2", "incorrect"), ("s_q", "invalid"),
])
def test_concrete_entry_uses_that_outputs_sum_to_one(answer, verdict):
    problem = load_problem(str(EE147 / "ee147-softmax-derivative.yaml"))
    assert check(problem, {"entry_00": answer}).part("entry_00").verdict == verdict


def test_symbolic_loss_and_gradient_forms():
    problem = load_problem(str(EE147 / "ee147-softmax-nll-symbolic.yaml"))
    for loss in ("-log(s_2)", "log(exp(z_0)+exp(z_1)+exp(z_2)) - z_2", "-ln(exp(z_2)/(exp(z_0)+exp(z_1)+exp(z_2)))"):
        assert check(problem, {"loss": loss}).part("loss").verdict == "correct", loss
    assert check(problem, {"loss": "log(s_2)"}).part("loss").mistake == "sign"
    assert check(problem, {"loss": "-log(s_1)"}).part("loss").verdict == "incorrect"
    for g, verdict, mistake in (("[s_0, s_1, s_2 - 1]", "correct", None), ("[s_0, s_1, -s_0 - s_1]", "correct", None),
                                ("[-s_0, -s_1, 1 - s_2]", "incorrect", "sign"),
                                ("[s_0, s_1, s_2]", "incorrect", "forgot-target"),
                                ("[s_0 - 1, s_1, s_2]", "incorrect", None)):
        r = check(problem, {"gradient": g}).part("gradient")
        assert (r.verdict, r.mistake) == (verdict, mistake), g


def test_probabilities_in_symbols_must_use_the_logits():
    problem = problem_of({"logits": {"classes": 2}}, [{"id": "p", "ask": "probabilities"}])
    assert check(problem, {"p": "[s_0, s_1]"}).part("p").verdict == "invalid"
    assert check(problem, {"p": "[1/(1+exp(z_1-z_0)), sigmoid(z_1 - z_0)]"}).part("p").verdict == "correct"


def test_numeric_mistakes_are_named():
    problem = problem_of({"logits": [1, 2, 3], "label": 2, "temperature": 2},
                         [{"id": "g", "ask": "gradient"}, {"id": "loss", "ask": "loss"}, {"id": "p", "ask": "probabilities"},
                          {"id": "e", "ask": "jacobian_entry", "i": 1, "j": 1}])
    sol = solve(problem)
    s = floats(sol.part("p").value)
    grad = (s - np.array([0, 0, 1])) / 2
    L = to_float(sol.part("loss").value)
    e = np.exp(np.array([1, 2, 3]) * 2.0)
    answers = {"g": str((-grad).tolist()), "loss": str(L / math.log(2)), "p": str((e / e.sum()).tolist()),
               "e": str(s[1] / 2)}
    r = check(problem, answers)
    assert [p.mistake for p in r.parts] == ["sign", "wrong-base", "temperature-inverted", "missing-one-minus"]
    r = check(problem, {"g": str((grad * 2).tolist()), "e": str(s[1] * (1 - s[1]))})
    assert r.part("g").mistake == "no-temperature" and r.part("e").mistake == "no-temperature"


# ---------------------------------------------------------------------------------------------
# spec errors and the command line (CONTRACT §4)


def test_spec_errors_name_the_line():
    e = spec_error("id: t\nkind: softmax\ngiven:\n  logits: [1, 2]\n  label: 2\nparts:\n  - {id: a, ask: loss}\n")
    assert "bad.yaml:5" in str(e) and "class 2 does not exist" in str(e)
    e = spec_error("id: t\nkind: softmax\ngiven: {logits: [1, 2]}\nparts:\n  - {id: a, ask: jacobian_entry, case: same}\n")
    assert "bad.yaml:5" in str(e) and "symbolic logits" in str(e)
    e = spec_error("id: t\nkind: softmax\ngiven: {logits: [1, 2]}\nparts:\n  - {id: a, ask: loss}\n")
    assert "label" in str(e)
    e = spec_error("id: t\nkind: softmax\ngiven: {logits: [1, 2]}\nparts:\n  - {id: a, ask: jacobian_entry, i: 0, j: 5}\n")
    assert "bad.yaml:5" in str(e) and "class 5 does not exist" in str(e)
    e = spec_error("id: t\nkind: softmax\ngiven: {logits: [1, x]}\nparts:\n  - {id: a, ask: probabilities}\n")
    assert "bad.yaml:3" in str(e)


def test_cli_json_contract():
    spec = str(EE147 / "ee147-softmax-nll.yaml")
    out = CliRunner().invoke(cli, ["solve", spec, "--format", "json"])
    assert out.exit_code == 0, out.output
    doc = json.loads(out.output)
    parts = {p["id"]: p for p in doc["parts"]}
    assert doc["kind"] == "softmax" and parts["gradient"]["type"] == "vector"
    assert [round(x, 4) for x in parts["gradient"]["value"]] == [0.0900, 0.2447, -0.3348]
    assert isinstance(parts["loss"]["value"], float) and len(parts["jacobian"]["value"]) == 3
    out = CliRunner().invoke(cli, ["check", spec, "--answer", "gradient=[-0.09, -0.2447, 0.3348]",
                                   "--answer", "loss=0.4076", "--format", "json"])
    assert out.exit_code == 1
    result = {p["id"]: p for p in json.loads(out.output)["parts"]}
    assert result["gradient"]["verdict"] == "incorrect" and result["gradient"]["mistake"] == "sign"
    assert result["loss"]["verdict"] == "correct"
    sym = str(EE147 / "ee147-softmax-derivative.yaml")
    doc = json.loads(CliRunner().invoke(cli, ["solve", sym, "--format", "json"]).output)
    assert {p["id"]: p["value"] for p in doc["parts"]}["same"] == "s_i*(1 - s_i)"
