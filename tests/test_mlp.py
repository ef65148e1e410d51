"""The `mlp` kind against torch.

Oracle: torch.nn.Linear layers loaded with the same weights and torch's activations, in float64, on
random nets (hypothesis); the collapsed single layer reproduces the stack's output on random inputs
(numpy); the seed's stated answer (001 review question 7: 96).
"""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn

from grader.answers.types import to_float
from grader.api import check, solve
from grader.errors import SpecError
from grader.spec.loader import load_problem, validate_document
from grader.spec.yamlsafe import load_text

ROOT = Path(__file__).resolve().parent.parent
ACTS = {"identity": nn.Identity(), "relu": nn.ReLU(), "sigmoid": nn.Sigmoid(), "tanh": nn.Tanh(),
        "leaky_relu": nn.LeakyReLU(), "elu": nn.ELU(), "softplus": nn.Softplus(), "gelu": nn.GELU(), "silu": nn.SiLU(),
        "2*x - 1": None}


def problem_of(given: dict, parts: list[dict]):
    text = json.dumps({"id": "t", "kind": "mlp", "given": given, "parts": [{"prompt": "p", **p} for p in parts]})
    return validate_document(load_text(text, "t.json"))


def floats(v):
    return [floats(x) for x in v] if isinstance(v, list) else to_float(v)


HALVES = st.integers(min_value=-6, max_value=6).map(lambda k: Fraction(k, 2))


@st.composite
def nets(draw):
    sizes = draw(st.lists(st.integers(min_value=1, max_value=4), min_size=2, max_size=4))
    layers = []
    for a, b in zip(sizes, sizes[1:]):
        layers.append({"weights": [[str(draw(HALVES)) for _ in range(a)] for _ in range(b)],
                       "bias": [str(draw(HALVES)) for _ in range(b)],
                       "activation": draw(st.sampled_from(sorted(ACTS)))})
    return {"input": [str(draw(HALVES)) for _ in range(sizes[0])], "layers": layers}


@settings(max_examples=30, deadline=None, derandomize=True)
@given(net=nets())
def test_forward_pass_matches_torch(net):
    parts = [{"id": "out", "ask": "output"}] + [{"id": f"z{i}", "ask": "layer_output", "layer": i + 1, "stage": "pre"}
                                                for i in range(len(net["layers"]))]
    sol = solve(problem_of(net, parts))
    h = torch.tensor([float(Fraction(v)) for v in net["input"]], dtype=torch.float64)
    for i, layer in enumerate(net["layers"]):
        lin = nn.Linear(len(layer["weights"][0]), len(layer["weights"]), dtype=torch.float64)
        with torch.no_grad():
            lin.weight.copy_(torch.tensor([[float(Fraction(w)) for w in r] for r in layer["weights"]]))
            lin.bias.copy_(torch.tensor([float(Fraction(b)) for b in layer["bias"]]))
        z = lin(h)
        got = floats(sol.part(f"z{i}").value)
        np.testing.assert_allclose(np.atleast_1d(got), z.detach().numpy(), rtol=1e-12, atol=1e-12)
        act = ACTS[layer["activation"]]
        h = act(z) if act is not None else 2 * z - 1
    np.testing.assert_allclose(np.atleast_1d(floats(sol.part("out").value)), h.detach().numpy(), rtol=1e-12, atol=1e-12)


@settings(max_examples=20, deadline=None, derandomize=True)
@given(net=nets())
def test_collapse_reproduces_the_stack(net):
    for layer in net["layers"]:
        layer["activation"] = "identity" if layer["activation"] != "2*x - 1" else "2*x - 1"
    sol = solve(problem_of(net, [{"id": "w", "ask": "collapse_weight"}, {"id": "b", "ask": "collapse_bias"},
                                 {"id": "out", "ask": "output"}]))
    W, b = np.array(floats(sol.part("w").value)), np.array(floats(sol.part("b").value))
    x = np.array([float(Fraction(v)) for v in net["input"]])
    np.testing.assert_allclose(W @ x + b, np.atleast_1d(floats(sol.part("out").value)), atol=1e-9)
    rng = np.random.default_rng(3)
    for _ in range(3):  # and on other inputs, through the layers directly
        x = rng.normal(size=len(net["input"]))
        h = x
        for layer in net["layers"]:
            h = np.array([[float(Fraction(w)) for w in r] for r in layer["weights"]]) @ h + \
                np.array([float(Fraction(v)) for v in layer["bias"]])
            if layer["activation"] == "2*x - 1":
                h = 2 * h - 1
        np.testing.assert_allclose(W @ x + b, h, atol=1e-9)


def test_seed_review_question_7():
    problem = load_problem(str(ROOT / "problems/ee147/ee147-review-q7-mlp.yaml"))
    sol = solve(problem)
    assert sol.part("output").value == 96 and sol.part("pre").value == 32
    assert check(problem, {"output": "32"}).part("output").mistake == "no-activation"


def test_linear_collapse_spec_and_its_mistakes():
    problem = load_problem(str(ROOT / "problems/ee147/ee147-linear-collapse.yaml"))
    sol = solve(problem)
    W1, b1 = np.array([[1, 0, 2], [-1, 3, 1]]), np.array([1, -1])
    W2, b2 = np.array([[2, 1], [0, -1], [1, 1]]), np.array([0, 2, -3])
    assert np.array_equal(np.array(floats(sol.part("collapsed_weight").value)), W2 @ W1)
    assert np.array_equal(np.array(floats(sol.part("collapsed_bias").value)), W2 @ b1 + b2)
    wrong = check(problem, {"collapsed_weight": json.dumps((W1.T @ W2.T).T.tolist()), "collapsed_bias": "[0, 2, -3]"})
    assert wrong.part("collapsed_bias").mistake == "bias-not-propagated"


def test_collapse_needs_affine_activations_and_shapes_are_checked():
    with pytest.raises(SpecError, match="not affine"):
        solve(problem_of({"input": [1], "layers": [{"weights": [[1]], "activation": "relu"}]}, [{"id": "w", "ask": "collapse_weight"}]))
    with pytest.raises(SpecError, match="columns"):
        solve(problem_of({"input": [1, 2], "layers": [{"weights": [[1, 2, 3]]}]}, [{"id": "o", "ask": "output"}]))
    with pytest.raises(SpecError, match="activation"):
        solve(problem_of({"input": [1], "layers": [{"weights": [[1]], "activation": "os.system(1)"}]}, [{"id": "o", "ask": "output"}]))
