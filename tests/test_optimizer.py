"""The `optimizer` kind against torch.optim.

Every rule's trajectory and state on hypothesis-random hyper-parameters, starting points and
quadratic objectives against torch.optim in float64 (with clip_grad_norm_ and weight decay); the
symbolic unrollings of the notes (momentum, Adagrad, RMSProp, Adam) substituted with random numbers
against torch.optim fed the same gradients; the notes' convention against PyTorch's; the seeds'
stated unrollings; mistakes; spec errors.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
import sympy as sp
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
SETTINGS = settings(max_examples=25, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])


def problem_of(given_: dict, parts: list[dict]):
    text = json.dumps({"id": "t", "kind": "optimizer", "given": given_, "parts": parts})
    return validate_document(load_text(text, "t.json"))


def floats(value) -> np.ndarray:
    if isinstance(value, list):
        return np.array([to_float(v) for v in value], dtype=float)
    return np.array([to_float(value)])


def torch_run(rule: str, lr: float, hyper: dict, x0: list[float], grad_fn, steps: int, clip=None, given=None):
    """x and the optimizer state after each step, by torch.optim (float64)."""
    p = torch.tensor(x0, dtype=torch.float64, requires_grad=True)
    kw = dict(hyper)
    if rule in ("adam", "adamw"):
        kw["betas"] = (kw.pop("beta1", 0.9), kw.pop("beta2", 0.999))
        opt = (torch.optim.Adam if rule == "adam" else torch.optim.AdamW)([p], lr=lr, **kw)
    elif rule == "adagrad":
        opt = torch.optim.Adagrad([p], lr=lr, **kw)
    elif rule == "rmsprop":
        opt = torch.optim.RMSprop([p], lr=lr, **kw)
    else:
        if rule == "momentum":
            kw.setdefault("momentum", 0.9)
        if rule == "nesterov":
            kw.setdefault("momentum", 0.9)
            kw["nesterov"] = True
        opt = torch.optim.SGD([p], lr=lr, **kw)
    xs, states = [p.detach().clone().numpy()], [{}]
    for t in range(1, steps + 1):
        opt.zero_grad()
        if given is not None:
            p.grad = torch.tensor(given[t - 1], dtype=torch.float64)
        else:
            grad_fn(p).backward()
        if clip is not None:
            torch.nn.utils.clip_grad_norm_([p], clip)
        opt.step()
        xs.append(p.detach().clone().numpy())
        states.append({k: v.detach().clone().numpy() for k, v in opt.state[p].items() if torch.is_tensor(v) and v.dim() > 0})
    return xs, states


RULE_HYPER = {
    "sgd": st.fixed_dictionaries({"momentum": st.sampled_from([0, 0.5, 0.9]), "dampening": st.sampled_from([0, 0.1]),
                                  "weight_decay": st.sampled_from([0, 0.01])}),
    "momentum": st.fixed_dictionaries({"momentum": st.sampled_from([0.5, 0.9, 0.99])}),
    "nesterov": st.fixed_dictionaries({"momentum": st.sampled_from([0.5, 0.9]), "weight_decay": st.sampled_from([0, 0.1])}),
    "adagrad": st.fixed_dictionaries({"lr_decay": st.sampled_from([0, 0.1]), "initial_accumulator_value": st.sampled_from([0, 0.5]),
                                      "eps": st.sampled_from([1e-10, 1e-3])}),
    "rmsprop": st.fixed_dictionaries({"alpha": st.sampled_from([0.9, 0.99]), "momentum": st.sampled_from([0, 0.9]),
                                      "centered": st.booleans(), "weight_decay": st.sampled_from([0, 0.01])}),
    "adam": st.fixed_dictionaries({"beta1": st.sampled_from([0.9, 0.5]), "beta2": st.sampled_from([0.999, 0.9]),
                                   "weight_decay": st.sampled_from([0, 0.1]), "amsgrad": st.booleans()}),
    "adamw": st.fixed_dictionaries({"beta1": st.sampled_from([0.9]), "beta2": st.sampled_from([0.999, 0.99]),
                                    "weight_decay": st.sampled_from([0.01, 0.1])}),
}


@SETTINGS
@given(rule=st.sampled_from(list(RULE_HYPER)), data=st.data(), dim=st.integers(1, 3),
       lr=st.sampled_from([0.1, 0.05, 0.5]), steps=st.integers(1, 4), clip=st.sampled_from([None, None, 1.0]))
def test_trajectories_match_torch_optim(rule, data, dim, lr, steps, clip):
    hyper = data.draw(RULE_HYPER[rule])
    if rule == "sgd" and hyper["momentum"] == 0:
        hyper["dampening"] = 0
    a = [data.draw(st.sampled_from([1, 2, 0.5, 5])) for _ in range(dim)]
    b = [data.draw(st.sampled_from([0, 1, -2])) for _ in range(dim)]
    x0 = [data.draw(st.sampled_from([1, -2, 0.5, 3])) for _ in range(dim)]
    formulas = [f"2*{a[i]}*x{i} + {b[i]}" for i in range(dim)]
    given_ = {"rule": rule, "lr": lr, "hyper": hyper, "x0": x0 if dim > 1 else x0[0],
              "gradient": formulas if dim > 1 else formulas[0].replace("x0", "x"), "steps": steps}
    if clip is not None:
        given_["clip"] = clip
    names = {"sgd": ["momentum_buffer"], "momentum": ["momentum_buffer"], "nesterov": ["momentum_buffer"],
             "adagrad": ["sum"], "rmsprop": ["square_avg"] + (["grad_avg"] if hyper.get("centered") else []) +
             (["momentum_buffer"] if hyper.get("momentum") else []), "adam": ["exp_avg", "exp_avg_sq"], "adamw": ["exp_avg", "exp_avg_sq"]}[rule]
    if rule == "sgd" and hyper["momentum"] == 0:
        names = []
    parts = [{"id": f"x{t}", "ask": "x", "step": t} for t in range(steps + 1)]
    parts += [{"id": f"{n}{t}", "ask": "state", "step": t, "name": n} for n in names for t in range(1, steps + 1)]
    sol = solve(problem_of(given_, parts))
    ta, tb = torch.tensor(a, dtype=torch.float64), torch.tensor(b, dtype=torch.float64)
    xs, states = torch_run(rule, lr, hyper, [float(v) for v in x0], lambda p: (ta * p**2 + tb * p).sum(), steps, clip)
    for t in range(steps + 1):
        np.testing.assert_allclose(floats(sol.part(f"x{t}").value), xs[t], rtol=1e-10, atol=1e-12)
        for n in names:
            if t:
                np.testing.assert_allclose(floats(sol.part(f"{n}{t}").value), states[t][n], rtol=1e-10, atol=1e-12)


# ---------------------------------------------------------------------------------------------
# the notes' symbolic unrollings, checked by substituting numbers against torch.optim


def substituted(expr, env: dict[str, float]) -> float:
    return float(sp.sympify(expr).subs({s: env[s.name] for s in sp.sympify(expr).free_symbols}))


@pytest.mark.parametrize("spec,rule,state", [
    ("ee147-momentum-unroll.yaml", "momentum", "velocity"),
    ("ee147-adagrad-unroll.yaml", "adagrad", "sum"),
    ("ee147-rmsprop-unroll.yaml", "rmsprop", "square_avg"),
])
def test_symbolic_unrollings_match_torch(spec, rule, state):
    problem = load_problem(str(EE147 / spec))
    sol = solve(problem)
    rng = np.random.default_rng(5)
    for _ in range(3):
        env = {"g1": rng.normal(), "g2": rng.normal(), "g3": rng.normal(), "epsilon": 0.1, "alpha": 0.9, "beta": 0.99}
        grads = [[env["g1"]], [env["g2"]], [env["g3"]]]
        hyper = {"momentum": {"momentum": env["alpha"]}, "adagrad": {"eps": 1e-10}, "rmsprop": {"alpha": env["beta"]}}[rule]
        xs, states = torch_run(rule, env["epsilon"], hyper, [0.0], None, 3, given=grads)
        for part in sol.parts:
            t = part.ask == "state" and int(part.id[-1])
            if not t:
                continue
            expected = states[t]["momentum_buffer"][0] * (-env["epsilon"]) if state == "velocity" else states[t][state][0]
            assert math.isclose(substituted(part.value, env), expected, rel_tol=1e-9, abs_tol=1e-12), part.id


def test_seed_unrollings_as_stated():
    sol = solve(load_problem(str(EE147 / "ee147-momentum-unroll.yaml")))
    env = {"epsilon": 0.3, "alpha": 0.7, "g1": 1.3, "g2": -0.4, "g3": 2.1}
    stated = -env["epsilon"] * (env["alpha"] ** 2 * env["g1"] + env["alpha"] * env["g2"] + env["g3"])
    assert math.isclose(substituted(sol.part("v3").value, env), stated, rel_tol=1e-12)
    problem = load_problem(str(EE147 / "ee147-momentum-unroll.yaml"))
    assert check(problem, {"v3": "-epsilon*(alpha^2*g1 + alpha*g2 + g3)"}).part("v3").verdict == "correct"
    assert check(problem, {"v3": "-epsilon*(alpha^2*g1 + alpha*g2)"}).part("v3").verdict == "incorrect"
    problem = load_problem(str(EE147 / "ee147-adagrad-unroll.yaml"))
    assert check(problem, {"a3": "g1^2 + g2^2 + g3^2"}).part("a3").verdict == "correct"
    problem = load_problem(str(EE147 / "ee147-rmsprop-unroll.yaml"))
    r = check(problem, {"a3": "beta^2*(1-beta)*g1^2 + beta*(1-beta)*g2^2 + (1-beta)*g3^2"})
    assert r.part("a3").verdict == "correct"


def test_seed_adam_first_step_and_clipping():
    v = {p.id: to_float(p.value) for p in solve(load_problem(str(EE147 / "ee147-adam.yaml"))).parts}
    assert math.isclose(v["x1"], 0.9, rel_tol=1e-6)
    no_correction = load_problem(str(ROOT / "problems" / "ceng796" / "ceng796-adam-no-correction.yaml"))
    x1 = to_float(solve(no_correction).part("x1").value)
    assert math.isclose(x1, 1 - 0.1 * 0.2 / (math.sqrt(0.004) + 1e-8), rel_tol=1e-12)  # the catalog's 0.684
    assert check(no_correction, {"x1": "0.9"}).part("x1").mistake == "bias-correction"
    problem = load_problem(str(EE147 / "ee147-grad-clip.yaml"))
    sol = solve(problem)
    np.testing.assert_allclose(floats(sol.part("clipped").value), [0.6, 0.8], rtol=1e-5)
    r = check(problem, {"clipped": "[3, 4]"})
    assert r.part("clipped").mistake == "no-clip"


def test_notes_and_pytorch_conventions_agree():
    base = {"rule": "nesterov", "lr": 0.1, "hyper": {"momentum": 0.9}, "x0": [1, -2], "gradient": ["2*x0", "20*x1"], "steps": 3}
    parts = [{"id": "x", "ask": "x"}, {"id": "v", "ask": "state", "name": "velocity"}]
    torch_sol = solve(problem_of(base, parts))
    notes_sol = solve(problem_of({**base, "convention": "notes"}, parts))
    xs, states = torch_run("nesterov", 0.1, {"momentum": 0.9}, [1.0, -2.0], lambda p: p[0] ** 2 + 10 * p[1] ** 2, 3)
    np.testing.assert_allclose(floats(torch_sol.part("x").value), xs[3], rtol=1e-12)
    v = floats(notes_sol.part("v").value)
    np.testing.assert_allclose(v, -0.1 * states[3]["momentum_buffer"], rtol=1e-12)
    # the notes' θ plus αv is PyTorch's parameter (the change of variables of the notes)
    np.testing.assert_allclose(floats(notes_sol.part("x").value) + 0.9 * v, xs[3], rtol=1e-12)
    assert any("Conventions agree" in s.text for s in notes_sol.steps)


def test_mistakes_are_named():
    problem = problem_of({"rule": "adam", "lr": 0.1, "x0": 1, "gradient": "2*x", "steps": 2},
                         [{"id": "x1", "ask": "x", "step": 1}, {"id": "x2", "ask": "x", "step": 2}])
    sol = solve(problem)
    r = check(problem, {"x1": "1.1", "x2": decimal_of(sol.part("x1").value)})
    assert (r.part("x1").mistake, r.part("x2").mistake) == ("sign", "wrong-step")
    r = check(problem, {"x1": "0.683772"})
    assert r.part("x1").mistake == "bias-correction"
    problem = problem_of({"rule": "momentum", "lr": 0.1, "x0": 1, "gradients": [2, 1], "convention": "notes"},
                         [{"id": "v", "ask": "state", "name": "velocity", "step": 2}])
    assert check(problem, {"v": "2.8"}).part("v").mistake == "convention"  # PyTorch's buffer 0.9*2 + 1
    assert check(problem, {"v": "-0.28"}).part("v").verdict == "correct"


def decimal_of(v) -> str:
    return repr(to_float(v))


def test_spec_errors():
    def err(given_: str) -> str:
        with pytest.raises(SpecError) as info:
            solve(validate_document(load_text(f"id: t\nkind: optimizer\ngiven:\n{given_}parts:\n  - {{id: a, ask: x}}\n", "bad.yaml")))
        return str(info.value)

    e = err("  rule: adam\n  lr: 0.1\n  hyper: {momentum: 0.9}\n  x0: 1\n  gradient: 2*x\n  steps: 1\n")
    assert "bad.yaml:6" in e and "no hyper-parameter 'momentum'" in e
    e = err("  rule: sgd\n  lr: 0.1\n  x0: [1, 2]\n  gradients: [[1, 2], [3]]\n")
    assert "bad.yaml:7" in e and "step 2 gives 1" in e
    e = err("  rule: sgd\n  lr: 0.1\n  x0: 1\n  gradient: 2*y\n  steps: 2\n")
    assert "bad.yaml:7" in e and "y" in e
    e = err("  rule: sgd\n  lr: 0.1\n  x0: 1\n  steps: 2\n")
    assert "gradient" in e


def test_cli_json_contract():
    spec = str(EE147 / "ee147-adam.yaml")
    doc = json.loads(CliRunner().invoke(cli, ["solve", spec, "--format", "json"]).output)
    parts = {p["id"]: p for p in doc["parts"]}
    assert doc["kind"] == "optimizer" and math.isclose(parts["x1"]["value"], 0.9, rel_tol=1e-6)
    out = CliRunner().invoke(cli, ["check", spec, "--answer", "x1=0.9", "--format", "json"])
    assert {p["id"]: p["verdict"] for p in json.loads(out.output)["parts"]}["x1"] == "correct"


def _torch_run(make, x0: list[float], steps: int) -> tuple[list[list[float]], list[list[float]]]:
    """(x after each step, exp_avg after each step) of a torch optimizer on L(x) = ‖x‖²."""
    x = torch.tensor(x0, dtype=torch.float64, requires_grad=True)
    opt = make([x])
    xs, ms = [], []
    for _ in range(steps):
        opt.zero_grad()
        (x * x).sum().backward()
        opt.step()
        xs.append(x.detach().tolist())
        ms.append(opt.state[x]["exp_avg"].tolist())
    return xs, ms


def test_adamw_decays_decoupled_and_the_coupled_decay_mistake_is_adam_with_l2():
    problem = load_problem(str(EE147 / "ee147-adamw-decay.yaml"))
    sol = solve(problem)
    right = _torch_run(lambda p: torch.optim.AdamW(p, lr=0.1, weight_decay=0.1), [1.0, -3.0], 2)
    coupled = _torch_run(lambda p: torch.optim.Adam(p, lr=0.1, weight_decay=0.1), [1.0, -3.0], 2)
    for part, (xs, ms) in (("x", right), ("coupled-decay", coupled)):
        for pid, want in (("x1", xs[0]), ("m1", ms[0]), ("x2", xs[1])):
            p = sol.part(pid)
            got = p.value if part == "x" else next(a.value for a in p.alternatives if a.mistake == "coupled-decay")
            assert [to_float(v) for v in got] == pytest.approx(want, rel=1e-12), (part, pid)
    typed = {pid: "[" + ", ".join(f"{v:.6f}" for v in want) + "]"
             for pid, want in (("x1", coupled[0][0]), ("m1", coupled[1][0]), ("x2", coupled[0][1]))}
    result = check(problem, typed)
    assert [(p.verdict, p.mistake) for p in result.parts] == [("incorrect", "coupled-decay")] * 3
    assert "x ← x·(1 − lr·λ) first" in result.part("x1").feedback
