"""The `backprop` kind against independent oracles.

Every gradient of hypothesis-random scalar graphs (every operation of the formula language, kinks
included) and of random affine + ReLU layers with vector and matrix inputs against PyTorch autograd in
float64; every symbolic gradient against central finite differences; the seeds' stated answers
(Figures 11, 13, 15, 16, the regularised classifier, MSE vs CE); accepted forms and near misses;
spec errors with their line.
"""

from __future__ import annotations

import json
import math
from fractions import Fraction
from pathlib import Path

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
SETTINGS = settings(max_examples=30, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])


def problem_of(given_: dict, parts: list[dict]):
    text = json.dumps({"id": "t", "kind": "backprop", "given": given_, "parts": parts})
    return validate_document(load_text(text, "t.json"))


def floats(value) -> np.ndarray:
    if isinstance(value, list):
        return np.array([floats(v) for v in value], dtype=float)
    return np.float64(to_float(value))


def values(path: Path) -> dict:
    return {p.id: p.value for p in solve(load_problem(str(path))).parts}


def spec_error(text: str) -> str:
    with pytest.raises(SpecError) as info:
        solve(validate_document(load_text(text, "bad.yaml")))
    return str(info.value)


# ---------------------------------------------------------------------------------------------
# random scalar graphs: the formula text and the torch computation are generated side by side

UNARY = [
    ("exp({a}/4)", lambda a: torch.exp(a / 4)), ("tanh({a})", torch.tanh), ("sigmoid({a})", torch.sigmoid),
    ("softplus({a})", torch.nn.functional.softplus), ("relu({a})", torch.relu), ("abs({a})", torch.abs),
    ("log(1 + {a}**2)", lambda a: torch.log(1 + a**2)), ("sqrt(1 + {a}^2)", lambda a: torch.sqrt(1 + a**2)),
    ("-{a}", lambda a: -a), ("{a}**3/3", lambda a: a**3 / 3),
]
BINARY = [
    ("{a} + {b}", lambda a, b: a + b), ("{a} - {b}", lambda a, b: a - b), ("{a}*{b}", lambda a, b: a * b),
    ("{a}/(1 + {b}**2)", lambda a, b: a / (1 + b**2)), ("max({a}, {b})", torch.maximum),
    ("min({a}, {b})", torch.minimum), ("({a} - {b})**2/2", lambda a, b: (a - b) ** 2 / 2),
]
VALUE = st.sampled_from(["0", "1", "-1", "2", "-1.5", "0.5", "1/3", "-2/3", "3"])


@SETTINGS
@given(data=st.data(), inputs=st.lists(VALUE, min_size=2, max_size=4), size=st.integers(2, 6))
def test_random_scalar_graphs_match_torch(data, inputs, size):
    names = [f"x{k}" for k in range(len(inputs))]
    torch_values = {n: torch.tensor(float(Fraction(v)), dtype=torch.float64, requires_grad=True)
                    for n, v in zip(names, inputs)}
    env = dict(torch_values)
    nodes = {}
    available = list(names)
    for k in range(size):
        if data.draw(st.booleans()):
            text, fn = data.draw(st.sampled_from(UNARY))
            a = data.draw(st.sampled_from(available))
            nodes[f"n{k}"], env[f"n{k}"] = text.format(a=a), fn(env[a])
        else:
            text, fn = data.draw(st.sampled_from(BINARY))
            a, b = data.draw(st.sampled_from(available)), data.draw(st.sampled_from(available))
            nodes[f"n{k}"], env[f"n{k}"] = text.format(a=a, b=b), fn(env[a], env[b])
        available.append(f"n{k}")
    out = f"n{size - 1}"
    parts = [{"id": f"g_{n}", "ask": "gradient", "wrt": n} for n in names + list(nodes)[:-1]]
    parts.append({"id": "value", "ask": "value", "node": out})
    sol = solve(problem_of({"inputs": dict(zip(names, inputs)), "nodes": nodes}, parts))
    assert math.isclose(to_float(sol.part("value").value), float(env[out].detach()), rel_tol=1e-12, abs_tol=1e-12)
    wrt = [env[n] for n in names + list(nodes)[:-1]]
    for t in wrt[len(names):]:
        t.retain_grad()
    grads = torch.autograd.grad(env[out], wrt, allow_unused=True)
    for name, g in zip(names + list(nodes)[:-1], grads):
        expected = 0.0 if g is None else float(g)
        got = to_float(sol.part(f"g_{name}").value)
        assert math.isclose(got, expected, rel_tol=1e-10, abs_tol=1e-12), (nodes, name, got, expected)


@settings(max_examples=15, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), m=st.integers(1, 4), n=st.integers(1, 4), activation=st.sampled_from(["relu", "tanh", "sigmoid"]))
def test_random_affine_layers_match_torch(data, m, n, activation):
    ints = st.integers(-3, 3)
    W = [[data.draw(ints) for _ in range(n)] for _ in range(m)]
    x = [data.draw(ints) for _ in range(n)]
    b = [data.draw(ints) for _ in range(m)]
    t = [data.draw(ints) for _ in range(m)]
    nodes = {"c": "matmul(W, x)", "a": "c + b", "h": f"{activation}(a)", "L": "sum((h - t)**2)/2 + dot(b, b)/10"}
    parts = [{"id": k, "ask": "gradient", "wrt": k} for k in ("W", "x", "b", "a")] + [{"id": "h", "ask": "value", "node": "h"}]
    sol = solve(problem_of({"inputs": {"W": W, "x": x, "b": b, "t": t}, "nodes": nodes}, parts))
    tw, tx, tb = (torch.tensor(v, dtype=torch.float64, requires_grad=True) for v in (W, x, b))
    a = tw @ tx + tb
    a.retain_grad()
    h = getattr(torch, activation)(a)
    loss = ((h - torch.tensor(t, dtype=torch.float64)) ** 2).sum() / 2 + (tb @ tb) / 10
    loss.backward()
    np.testing.assert_allclose(floats(sol.part("h").value), h.detach().numpy(), rtol=1e-12, atol=1e-14)
    for name, tensor in (("W", tw), ("x", tx), ("b", tb), ("a", a)):
        np.testing.assert_allclose(floats(sol.part(name).value), tensor.grad.numpy(), rtol=1e-10, atol=1e-12)


def test_matrix_products_and_reductions_match_torch():
    A, B = [[1, 2], [-1, 0.5], [3, -2]], [[2, -1, 0], [1, 1, -3]]
    nodes = {"C": "matmul(A, B)", "D": "transpose(C)", "v": "matmul(D, u)", "L": "mean(exp(v/10)) + max(v) + sum(C)/4"}
    sol = solve(problem_of({"inputs": {"A": A, "B": B, "u": [1, -2, 0.5]}, "nodes": nodes},
                           [{"id": k, "ask": "gradient", "wrt": k} for k in ("A", "B", "u")]))
    tA, tB, tu = (torch.tensor(v, dtype=torch.float64, requires_grad=True) for v in (A, B, [1, -2, 0.5]))
    C = tA @ tB
    v = C.T @ tu
    (torch.exp(v / 10).mean() + v.max() + C.sum() / 4).backward()
    for name, tensor in (("A", tA), ("B", tB), ("u", tu)):
        np.testing.assert_allclose(floats(sol.part(name).value), tensor.grad.numpy(), rtol=1e-10)


def test_kinks_follow_pytorch():
    nodes = {"r": "relu(x)", "a": "abs(x)", "m": "max(x, y)", "k": "max(v)", "L": "r + a + m + k"}
    sol = solve(problem_of({"inputs": {"x": 0, "y": 0, "v": [1, 3, 3]}, "nodes": nodes},
                           [{"id": k, "ask": "gradient", "wrt": k} for k in ("x", "y", "v")]))
    tx, ty, tv = (torch.tensor(v, dtype=torch.float64, requires_grad=True) for v in (0.0, 0.0, [1.0, 3.0, 3.0]))
    (torch.relu(tx) + torch.abs(tx) + torch.maximum(tx, ty) + tv.max()).backward()
    assert to_float(sol.part("x").value) == float(tx.grad) == 0.5
    assert to_float(sol.part("y").value) == float(ty.grad) == 0.5
    assert list(floats(sol.part("v").value)) == tv.grad.tolist() == [0, 0.5, 0.5]


# ---------------------------------------------------------------------------------------------
# symbolic gradients against central finite differences


def _sig(v: float) -> float:
    return 1 / (1 + math.exp(-v))


# each graph written again by hand, as plain float functions of its symbolic inputs
ORACLES = {
    "regularized": lambda p: (_sig(p["w"] * p["x"] + p["b"]) - p["t"]) ** 2 / 2 + p["lambda"] * p["w"] ** 2 / 2,
    "MSE": lambda p: (p["y"] - _sig(p["z"])) ** 2 / 2,
    "CE": lambda p: -(p["y"] * math.log(_sig(p["z"])) + (1 - p["y"]) * math.log(1 - _sig(p["z"]))),
    "softplus": lambda p: math.log(1 + math.exp(p["x"])),
}


@pytest.mark.parametrize("spec,oracle,parts", [
    ("ee147-backprop-regularized-symbolic.yaml", "regularized", {"dw": "w", "db": "b"}),
    ("ee147-mse-vs-ce-symbolic.yaml", "MSE", {"mse_grad": "z"}),
    ("ee147-mse-vs-ce-symbolic.yaml", "CE", {"ce_grad": "z"}),
    ("ee147-softplus-backprop.yaml", "softplus", {"dydx": "x"}),
])
def test_symbolic_gradients_match_finite_differences(spec, oracle, parts):
    problem = load_problem(str(EE147 / spec))
    sol = solve(problem)
    f = ORACLES[oracle]
    rng = np.random.default_rng(3)
    for _ in range(4):
        point = {n: float(rng.uniform(-1.5, 1.5)) for n in problem.given["inputs"]}
        if "y" in point:
            point["y"] = float(rng.uniform(0.1, 0.9))
        for part, wrt in parts.items():
            expr = sol.part(part).value
            got = float(expr.subs({s: point[s.name] for s in expr.free_symbols}))
            h = 1e-6
            up, down = dict(point), dict(point)
            up[wrt] += h
            down[wrt] -= h
            assert math.isclose(got, (f(up) - f(down)) / (2 * h), rel_tol=1e-6, abs_tol=1e-8), (part, point)


# ---------------------------------------------------------------------------------------------
# the seeds' stated answers


def test_figure_11():
    v = values(EE147 / "ee147-backprop-fig11.yaml")
    assert (v["f"], v["dz"], v["dw"], v["dx"], v["dy"]) == (20, 5, 4, 4, 4)


def test_figure_13():
    v = {k: to_float(x) for k, x in values(EE147 / "ee147-backprop-fig13.yaml").items()}
    assert round(v["f"], 2) == 0.73 and round(v["da"], 2) == -0.53 and round(v["dc"], 1) == -0.2
    assert (round(v["dw0"], 1), round(v["dw1"], 1), round(v["dw2"], 1)) == (-0.2, 0.4, 0.2)
    sigma = 1 / (1 + math.exp(-1))
    assert math.isclose(v["dw0"], -sigma * (1 - sigma)) and math.isclose(v["dx0"], sigma * (1 - sigma))


def test_gates_and_regularised_classifier():
    v = values(EE147 / "ee147-backprop-gates.yaml")
    assert (v["local_add"], v["local_mul"], v["local_max"], v["dx"], v["dy"], v["dz"], v["dw"]) == (1, -4, 0, -8, 6, 2, 0)
    v = values(EE147 / "ee147-backprop-regularized.yaml")
    assert (v["L_reg"], v["dw"], v["db"], v["local_yz"]) == (Fraction(11, 80), Fraction(-1, 5), Fraction(-1, 8), Fraction(1, 4))


def test_mse_vs_ce_at_minus_50():
    v = values(EE147 / "ee147-mse-vs-ce-sigmoid.yaml")
    s = 1 / (1 + math.exp(50))
    assert math.isclose(to_float(v["mse_grad"]), -(1 - s) * s * (1 - s), rel_tol=1e-12)  # -1.93e-22, no factor 2
    assert math.isclose(to_float(v["ce_grad"]), s - 1, rel_tol=1e-12)
    problem = load_problem(str(EE147 / "ee147-mse-vs-ce-sigmoid.yaml"))
    assert check(problem, {"mse_grad": "-3.8575e-22"}).part("mse_grad").mistake == "factor-2"


def test_layer_backprop_shapes():
    problem = load_problem(str(EE147 / "ee147-layer-backprop-numeric.yaml"))
    sol = solve(problem)
    assert sol.part("shape_W").value == (2, 3) and sol.part("dL_dW").value == [[0, 0, 0], [2, 4, -2]]
    text = " ".join(s.text for s in sol.steps)
    assert "∂L/∂c·h_iᵀ" in text and "1(a > 0) ⊙ ∂L/∂h" in text and "Wᵀ·∂L/∂c" in text
    assert check(problem, {"dL_dW": "[[0, 2], [0, 4], [0, -2]]"}).part("dL_dW").mistake == "transposed"


# ---------------------------------------------------------------------------------------------
# equivalence and mistakes


@pytest.mark.parametrize("answer,verdict,mistake", [
    ("(y-t)*y*(1-y)*x + lambda*w", "correct", None),
    ("(sigmoid(w*x+b)-t)*sigmoid(w*x+b)*(1-sigmoid(w*x+b))*x + lambda*w", "correct", None),
    ("(sigma(z)-t)*sigma(z)*(1-sigma(z))*x + lambda*w", "correct", None),
    ("x*(y - t)*exp(-z)/(1+exp(-z))^2 + lambda*w", "correct", None),
    ("(y-t)*y*(1-y)*x", "incorrect", "one-path"),
    ("lambda*w", "incorrect", "one-path"),
    ("-(y-t)*y*(1-y)*x - lambda*w", "incorrect", "sign"),
    ("(y-t)*y*(1-y)*x - lambda*w", "incorrect", None),
    ("(y-t)*y*x + lambda*w", "incorrect", None),
    ("(y-t)*y*(1-y) + lambda*w", "incorrect", None),
    ("(y-t)*y*(1-y)*x + lambda", "incorrect", None),
])
def test_symbolic_regularised_gradient(answer, verdict, mistake):
    problem = load_problem(str(EE147 / "ee147-backprop-regularized-symbolic.yaml"))
    r = check(problem, {"dw": answer}).part("dw")
    assert (r.verdict, r.mistake) == (verdict, mistake)


def test_softplus_and_delta_rule_forms():
    problem = load_problem(str(EE147 / "ee147-softplus-backprop.yaml"))
    for answer in ("sigmoid(x)", "exp(x)/(1+exp(x))", "b/a", "1/(1+exp(-x))"):
        assert check(problem, {"dydx": answer}).part("dydx").verdict == "correct", answer
    for answer in ("exp(x)", "1/a", "-sigmoid(x)"):
        assert check(problem, {"dydx": answer}).part("dydx").verdict == "incorrect", answer
    assert check(problem, {"local_ya": "1/a"}).part("local_ya").verdict == "correct"
    problem = load_problem(str(ROOT / "problems" / "dlnotes" / "dlnotes-delta-rule.yaml"))
    r = check(problem, {"delta": "y - t", "dE_dw": "(y - t)*x"})
    assert r.all_correct
    assert check(problem, {"dE_dw": "y - t"}).part("dE_dw").verdict == "incorrect"  # the notes' slip


def test_numeric_mistakes():
    problem = load_problem(str(EE147 / "ee147-backprop-regularized.yaml"))
    r = check(problem, {"dw": "-0.25", "db": "0.125"})
    assert (r.part("dw").mistake, r.part("db").mistake) == ("one-path", "sign")
    problem = load_problem(str(EE147 / "ee147-backprop-fig11.yaml"))
    assert check(problem, {"dx": "1"}).part("dx").mistake == "no-chain"


# ---------------------------------------------------------------------------------------------
# spec errors and the command line


def test_graph_errors_name_their_line():
    head = "id: t\nkind: backprop\ngiven:\n  inputs: {x: 1, W: [[1, 2]]}\n  nodes:\n"
    tail = "parts:\n  - {id: a, ask: value, node: a}\n"
    e = spec_error(head + "    a: b + x\n    b: a*2\n" + tail)
    assert "bad.yaml:6" in e and "cycle" in e and "a → b → a" in e
    e = spec_error(head + "    a: x + q\n" + tail)
    assert "bad.yaml:6" in e and "'q'" in e
    e = spec_error(head + "    a: x\n    c: matmul(W, [1, 2, 3])\n" + tail)
    assert "bad.yaml:7" in e and "inner sizes 2 and 3" in e
    e = spec_error(head + "    a: W + [1, 2, 3]\n" + tail)
    assert "bad.yaml:6" in e and "equal shapes" in e
    e = spec_error(head + "    a: log(x - 1)\n" + tail)
    assert "bad.yaml:6" in e and "not a finite real number" in e
    e = spec_error(head + "    a: x +* 2\n" + tail)
    assert "bad.yaml:6" in e
    e = spec_error(head + "    a: 2*x\n    b: a*x\nparts:\n  - {id: a, ask: local_gradient, node: b, wrt: W}\n")
    assert "bad.yaml:9" in e and "does not use W" in e
    e = spec_error(head + "    exp: 2*x\n" + tail)
    assert "bad.yaml:6" in e and "choose another name" in e
    e = spec_error(head + "    a: 2*W\nparts:\n  - {id: a, ask: gradient, wrt: x}\n")
    assert "not a scalar" in e


def test_cli_json_contract():
    spec = str(EE147 / "ee147-layer-backprop-numeric.yaml")
    doc = json.loads(CliRunner().invoke(cli, ["solve", spec, "--format", "json"]).output)
    parts = {p["id"]: p for p in doc["parts"]}
    assert parts["dL_dW"]["value"] == [[0, 0, 0], [2, 4, -2]] and parts["dL_dW"]["type"] == "matrix"
    out = CliRunner().invoke(cli, ["check", spec, "--answer", "dL_dW=[[0,0,0],[2,4,-2]]", "--answer", "dL_db=[0 2]",
                                   "--format", "json"])
    result = {p["id"]: p for p in json.loads(out.output)["parts"]}
    assert result["dL_dW"]["verdict"] == "correct" and result["dL_db"]["verdict"] == "correct"
    sym = str(EE147 / "ee147-backprop-regularized-symbolic.yaml")
    doc = json.loads(CliRunner().invoke(cli, ["solve", sym, "--format", "json"]).output)
    assert {p["id"]: p["type"] for p in doc["parts"]} == {"dw": "expression", "db": "expression"}


def test_the_chain_rule_steps_are_math_with_the_numbers_substituted():
    """Each backward step is a formula (typeset in LaTeX and MathML), not only words: upstream ×
    local = downstream, the local derivative in the graph's names, then at the forward values."""
    from grader.render.math import step_mathml

    sol = solve(load_problem(str(EE147 / "ee147-backprop-fig13.yaml")))
    step = next(s for s in sol.steps if s.text.startswith("At f = 1/a"))
    assert step.text == ("At f = 1/a, upstream ∂f/∂f = 1: ∂f/∂a ← ∂f/∂f·∂f/∂a = (1)·(-1/a**2) = (1)·(-0.534447) "
                         "= -0.534447")
    assert r"\frac{\partial f}{\partial a} \leftarrow \frac{\partial f}{\partial f}\, \frac{\partial f}{\partial a}" in step.latex
    assert r"\frac{1}{a^{2}}" in step.latex and "-0.534447" in step.latex
    assert step_mathml(step.segments).count("<math") == 3
    # -0.534447 is -1/a² at a = 1 + e^-1 (the forward value), checked by torch
    a = torch.tensor(1 + math.exp(-1), dtype=torch.float64, requires_grad=True)
    (1 / a).backward()
    assert round(a.grad.item(), 6) == -0.534447
    for part in sol.parts:  # every part's answer step is math too
        assert any(s.segments and not all(isinstance(x, str) for x in s.segments) for s in part.steps), part.id
