"""The `normalization` kind against torch (CPU, float64) and central finite differences.

Batch norm (1-D and 2-D), layer norm, group norm and instance norm on hypothesis-random small
tensors: forward values, running statistics (momentum, unbiased variance), eval mode and every
gradient (torch autograd with the same weights; the notes' intermediate dL/dσ² and dL/dμ from
retained gradients of a hand-built graph); the named mistakes; spec errors with their line.
"""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path

import pytest
import torch
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from grader.answers.types import to_float
from grader.api import check, solve
from grader.errors import SpecError
from grader.spec.loader import load_problem, validate_document
from grader.spec.yamlsafe import load_text

ROOT = Path(__file__).resolve().parent.parent
SETTINGS = settings(max_examples=6, deadline=None, derandomize=True, phases=[Phase.explicit, Phase.generate],
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
torch.set_default_dtype(torch.float64)


def problem_of(given: dict, parts: list[dict]):
    text = json.dumps({"id": "t", "kind": "normalization", "given": given, "parts": parts})
    return validate_document(load_text(text, "t.json"))


def values(problem) -> dict:
    return {p.id: p.value for p in solve(problem).parts}


def floats(value):
    if isinstance(value, list):
        return [floats(v) for v in value]
    return to_float(value)


def close(ours, theirs, rel=1e-9):
    ours_t = torch.tensor(floats(ours))
    assert ours_t.shape == theirs.shape
    assert torch.allclose(ours_t, theirs.detach(), rtol=rel, atol=1e-9), (ours_t, theirs)


SMALL = st.fractions(min_value=-5, max_value=5, max_denominator=4)
ALL_PARTS = [{"id": q, "ask": q} for q in ("mean", "variance", "normalized", "output", "grad_beta", "grad_gamma",
                                             "grad_normalized", "grad_variance", "grad_mean", "grad_input")]


def _nested(flat, shape):
    if len(shape) == 1:
        return flat
    step = len(flat) // shape[0]
    return [_nested(flat[i * step:(i + 1) * step], shape[1:]) for i in range(shape[0])]


@st.composite
def case(draw, kind):
    if kind == "layernorm":
        shape = draw(st.sampled_from([(2, 3), (3, 2), (2, 2, 3)]))
    elif kind == "instancenorm":
        shape = draw(st.sampled_from([(2, 2, 3), (1, 2, 2, 2)]))
    elif kind == "groupnorm":
        shape = draw(st.sampled_from([(2, 4), (2, 4, 2), (1, 6, 2)]))
    else:
        shape = draw(st.sampled_from([(3, 2), (4, 3), (2, 2, 3), (2, 2, 2, 2)]))
    n = 1
    for s in shape:
        n *= s
    x = draw(st.lists(SMALL, min_size=n, max_size=n, unique=True))  # distinct: no zero variance
    grad = draw(st.lists(SMALL, min_size=n, max_size=n))
    affine = shape[1:] if kind == "layernorm" else (shape[1],)
    k = 1
    for s in affine:
        k *= s
    gamma = draw(st.lists(SMALL, min_size=k, max_size=k))
    beta = draw(st.lists(SMALL, min_size=k, max_size=k))
    eps = draw(st.sampled_from([Fraction(1, 100000), Fraction(1, 10)]))  # torch needs eps > 0 in training
    return shape, x, grad, affine, gamma, beta, eps


def _spec(kind, shape, x, grad, affine, gamma, beta, eps, **extra):
    s = lambda v: str(v)  # noqa: E731 - exact rationals as text, as a spec author writes "1/3"
    return {"type": kind, "x": _nested([s(v) for v in x], shape), "grad_output": _nested([s(v) for v in grad], shape),
            "gamma": _nested([s(v) for v in gamma], affine), "beta": _nested([s(v) for v in beta], affine),
            "eps": str(eps), **extra}


def _torch_module(kind, shape, affine, gamma, beta, eps, groups=None, momentum=0.1):
    eps = float(eps)
    if kind == "batchnorm":
        mod = (torch.nn.BatchNorm1d if len(shape) <= 3 else torch.nn.BatchNorm2d)(shape[1], eps=eps, momentum=momentum)
    elif kind == "layernorm":
        mod = torch.nn.LayerNorm(list(affine), eps=eps)
    elif kind == "groupnorm":
        mod = torch.nn.GroupNorm(groups, shape[1], eps=eps)
    else:
        mod = (torch.nn.InstanceNorm1d if len(shape) == 3 else torch.nn.InstanceNorm2d)(shape[1], eps=eps, affine=True)
    with torch.no_grad():
        mod.weight.copy_(torch.tensor([float(v) for v in gamma]).reshape(affine))
        mod.bias.copy_(torch.tensor([float(v) for v in beta]).reshape(affine))
    return mod.train()


def _manual_statistics_grads(kind, shape, x, grad, affine, gamma, eps, groups):
    """dL/dσ² and dL/dμ from a hand-built graph (mean and biased variance as retained nodes)."""
    xt = torch.tensor([float(v) for v in x]).reshape(shape).requires_grad_(True)
    if kind == "batchnorm":
        dims = [0] + list(range(2, len(shape)))
        mu = xt.mean(dim=dims, keepdim=True)
        var = ((xt - mu) ** 2).mean(dim=dims, keepdim=True)
        xhat = (xt - mu) / torch.sqrt(var + float(eps))
        g = torch.tensor([float(v) for v in gamma]).reshape([1, -1] + [1] * (len(shape) - 2))
    elif kind == "layernorm":
        dims = list(range(1, len(shape)))
        mu = xt.mean(dim=dims, keepdim=True)
        var = ((xt - mu) ** 2).mean(dim=dims, keepdim=True)
        xhat = (xt - mu) / torch.sqrt(var + float(eps))
        g = torch.tensor([float(v) for v in gamma]).reshape(affine)
    else:
        G = groups if kind == "groupnorm" else shape[1]
        xg = xt.reshape(shape[0], G, -1)
        mu = xg.mean(dim=2, keepdim=True)
        var = ((xg - mu) ** 2).mean(dim=2, keepdim=True)
        xhat = ((xg - mu) / torch.sqrt(var + float(eps))).reshape(shape)
        g = torch.tensor([float(v) for v in gamma]).reshape([1, -1] + [1] * (len(shape) - 2))
    mu.retain_grad()
    var.retain_grad()
    y = xhat * g
    y.backward(torch.tensor([float(v) for v in grad]).reshape(shape))
    return var.grad.flatten(), mu.grad.flatten()


@pytest.mark.parametrize("kind", ["batchnorm", "layernorm", "groupnorm", "instancenorm"])
@SETTINGS
@given(data=st.data())
def test_forward_and_backward_match_torch(kind, data):
    shape, x, grad, affine, gamma, beta, eps = data.draw(case(kind))
    groups = None
    extra = {}
    if kind == "groupnorm":
        groups = data.draw(st.sampled_from([d for d in (1, 2, 3, 6) if shape[1] % d == 0]))
        extra["groups"] = groups
    v = values(problem_of(_spec(kind, shape, x, grad, affine, gamma, beta, eps, **extra), ALL_PARTS))
    mod = _torch_module(kind, shape, affine, gamma, beta, eps, groups)
    xt = torch.tensor([float(t) for t in x]).reshape(shape).requires_grad_(True)
    y = mod(xt)
    y.backward(torch.tensor([float(t) for t in grad]).reshape(shape))
    close(v["output"], y)
    close(v["grad_input"], xt.grad)
    close(v["grad_gamma"], mod.weight.grad)
    close(v["grad_beta"], mod.bias.grad)
    dvar, dmean = _manual_statistics_grads(kind, shape, x, grad, affine, gamma, eps, groups)
    close(v["grad_variance"], dvar.reshape(torch.tensor(floats(v["grad_variance"])).shape))
    close(v["grad_mean"], dmean.reshape(torch.tensor(floats(v["grad_mean"])).shape))


@SETTINGS
@given(data=st.data())
def test_running_statistics_and_eval_mode_match_torch(data):
    shape, x, grad, affine, gamma, beta, eps = data.draw(case("batchnorm"))
    c = shape[1]
    rm = data.draw(st.lists(SMALL, min_size=c, max_size=c))
    rv = data.draw(st.lists(st.fractions(min_value=Fraction(1, 4), max_value=4, max_denominator=4), min_size=c, max_size=c))
    momentum = data.draw(st.sampled_from([Fraction(1, 10), Fraction(1, 2), Fraction(1, 100)]))
    spec = _spec("batchnorm", shape, x, grad, affine, gamma, beta, eps, momentum=str(momentum),
                 running_mean=[str(t) for t in rm], running_var=[str(t) for t in rv])
    v = values(problem_of(spec, [{"id": "rm", "ask": "running_mean"}, {"id": "rv", "ask": "running_var"},
                                 {"id": "ev", "ask": "eval_output"}, {"id": "uv", "ask": "variance", "unbiased": True}]))
    mod = _torch_module("batchnorm", shape, affine, gamma, beta, eps, momentum=float(momentum))
    with torch.no_grad():
        mod.running_mean.copy_(torch.tensor([float(t) for t in rm]))
        mod.running_var.copy_(torch.tensor([float(t) for t in rv]))
    xt = torch.tensor([float(t) for t in x]).reshape(shape)
    mod.eval()
    close(v["ev"], mod(xt))
    mod.train()
    mod(xt)
    close(v["rm"], mod.running_mean)
    close(v["rv"], mod.running_var)
    dims = [0] + list(range(2, len(shape)))
    close(v["uv"], xt.var(dim=dims, unbiased=True))


def test_gradients_match_central_differences():
    """dL/dx, dL/dγ for L = Σ dL/dy·y, by central differences of the kind's own forward pass."""
    x = [[1, 2], [3, 6], [5, 4], [7, 0]]
    grad = [[1, 0], [0, 1], [-1, 0], [0, 2]]
    given_ = {"type": "batchnorm", "x": x, "gamma": [2, 1], "beta": ["1/2", 0], "grad_output": grad}
    v = values(problem_of(given_, [{"id": "dx", "ask": "grad_input"}, {"id": "dg", "ask": "grad_gamma"}]))

    def loss(xx, gamma):
        out = values(problem_of(dict(given_, x=xx, gamma=gamma), [{"id": "y", "ask": "output"}]))["y"]
        return sum(to_float(out[i][j]) * grad[i][j] for i in range(4) for j in range(2))

    h = 1e-6
    for i in range(4):
        for j in range(2):
            up = [row[:] for row in x]
            down = [row[:] for row in x]
            up[i][j] += h
            down[i][j] -= h
            fd = (loss(up, [2, 1]) - loss(down, [2, 1])) / (2 * h)
            assert abs(fd - to_float(v["dx"][i][j])) < 1e-5
    for c in range(2):
        up, down = [2, 1], [2, 1]
        up[c] += h
        down[c] -= h
        assert abs((loss(x, up) - loss(x, down)) / (2 * h) - to_float(v["dg"][c])) < 1e-5


def test_exact_statistics_and_the_notes_single_example_batch():
    v = values(problem_of({"type": "batchnorm", "x": [[1, 2], [3, 6], [5, 4], [7, 0]]},
                          [{"id": "m", "ask": "mean"}, {"id": "v", "ask": "variance"},
                           {"id": "u", "ask": "variance", "unbiased": True}, {"id": "rv", "ask": "running_var"}]))
    assert v["m"] == [4, 3] and v["v"] == [5, 5] and v["u"] == [Fraction(20, 3)] * 2
    assert v["rv"] == [Fraction(9, 10) + Fraction(2, 3)] * 2  # 0.9·1 + 0.1·20/3 = 47/30
    # EE147: "with a minibatch of 1 the input gradient vanishes" (and y = β)
    one = values(problem_of({"type": "batchnorm", "x": [[3, -2]], "beta": [1, 2], "grad_output": [[5, 7]]},
                            [{"id": "y", "ask": "output"}, {"id": "dx", "ask": "grad_input"}]))
    assert one["y"] == [[1, 2]] and one["dx"] == [[0, 0]]


def test_mistakes_are_named():
    problem = problem_of({"type": "batchnorm", "x": [[1, 2], [3, 6], [5, 4], [7, 0]], "eps": "1/10",
                          "grad_output": [[1, 0], [0, 1], [-1, 0], [0, 2]]},
                         [{"id": "v", "ask": "variance"}, {"id": "rv", "ask": "running_var"},
                          {"id": "rm", "ask": "running_mean"}, {"id": "x", "ask": "normalized", "index": [0, 0]},
                          {"id": "dx", "ask": "grad_input", "index": [0, 0]}])
    sol = solve(problem)
    answers = {"v": "[20/3, 20/3]", "rv": "[0.9*1 + 0.1*5, 0.9*1 + 0.1*5]", "rm": "[0.9*4, 0.9*3]",
               "x": str(-3 / (5 + 0.1)), "dx": str(1 / (5 + 0.1) ** 0.5)}
    result = check(problem, answers, solution=sol)
    assert {p.id: p.mistake for p in result.parts} == {
        "v": "unbiased-variance", "rv": "biased-running-var", "rm": "momentum-swapped", "x": "no-sqrt",
        "dx": "statistics-constant"}
    layer = problem_of({"type": "layernorm", "x": [[1, 2], [3, 6]]}, [{"id": "m", "ask": "mean"}])
    assert check(layer, {"m": "[2, 4]"}).parts[0].mistake == "wrong-axis"


@pytest.mark.parametrize("given_, message", [
    ({"type": "groupnorm", "x": [[1, 2, 3]]}, "group norm needs `groups:`"),
    ({"type": "groupnorm", "x": [[1, 2, 3]], "groups": 2}, "2 groups do not divide the 3 channels"),
    ({"type": "batchnorm", "x": [[1, 2], [3]]}, "rows of different lengths"),
    ({"type": "batchnorm", "x": [[1, 2], [3, 4]], "gamma": [1, 2, 3]}, "gamma has shape [3]"),
    ({"type": "batchnorm", "x": [[1, 2], [3, 4]], "grad_output": [[1, 2]]}, "grad_output has shape [1, 2]"),
    ({"type": "layernorm", "x": [[1, 2], [3, 4]], "running_mean": [0, 0]}, "kept by batch norm"),
    ({"type": "instancenorm", "x": [[1, 2], [3, 4]]}, "needs spatial dimensions"),
    ({"type": "batchnorm", "x": [1, 2]}, "1 dimension(s)"),
    ({"type": "batchnorm", "x": [["a", 2], [3, 4]]}, "is not a number"),
])
def test_bad_givens_are_spec_errors(given_, message):
    with pytest.raises(SpecError) as info:
        problem_of(given_, [{"id": "m", "ask": "mean"}])
    assert message in str(info.value)


def test_solve_errors_name_the_part():
    text = ("id: t\nkind: normalization\ngiven: {type: batchnorm, x: [[1, 2], [3, 4]]}\nparts:\n"
            "  - {id: d, ask: grad_input}\n")
    with pytest.raises(SpecError) as info:
        solve(validate_document(load_text(text, "bad.yaml")))
    assert "grad_output" in str(info.value) and "bad.yaml:5" in str(info.value)
    one = ("id: t\nkind: normalization\ngiven: {type: batchnorm, x: [[1, 2]]}\nparts:\n"
           "  - {id: r, ask: running_var}\n")
    with pytest.raises(SpecError) as info:
        solve(validate_document(load_text(one, "bad.yaml")))
    assert "at least 2 values" in str(info.value)


def test_bank_specs_solve():
    for path in sorted((ROOT / "problems").rglob("*.yaml")):
        problem = load_problem(str(path))
        if problem.kind == "normalization":
            assert solve(problem).parts
