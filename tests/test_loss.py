"""The `loss` kind against torch.

Oracles: torch float64 — relu(m − y·s) and multi_margin_loss (times the class count: torch divides
by it) for the hinge losses, binary_cross_entropy(_with_logits), nll_loss of log-probabilities,
mse_loss — with autograd for every gradient, on hypothesis-random inputs; central finite
differences for the gradients through the sigmoid; the seed's stated answers (001 l. 512-548,
912-950).
"""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

from grader.answers.types import to_float
from grader.api import check, solve
from grader.errors import SpecError
from grader.spec.loader import load_problem, validate_document
from grader.spec.yamlsafe import load_text

ROOT = Path(__file__).resolve().parent.parent
BANK = ROOT / "problems" / "ee147"
SETTINGS = settings(max_examples=25, deadline=None, derandomize=True)
QUARTERS = st.integers(min_value=-12, max_value=12).map(lambda k: Fraction(k, 4))


def problem_of(given: dict, parts: list[dict]):
    text = json.dumps({"id": "t", "kind": "loss", "given": given, "parts": [{"prompt": "p", **p} for p in parts]})
    return validate_document(load_text(text, "t.json"))


def s(v: Fraction) -> str:
    return f"{v.numerator}/{v.denominator}"


def t64(values, grad=False):
    return torch.tensor([float(v) for v in values], dtype=torch.float64, requires_grad=grad)


def floats(v):
    return [floats(x) for x in v] if isinstance(v, list) else to_float(v)


@SETTINGS
@given(score=QUARTERS, y=st.sampled_from([1, -1]), m=st.sampled_from([1, 2, Fraction(1, 2)]))
def test_binary_hinge_matches_torch(score, y, m):
    sol = solve(problem_of({"loss": "hinge", "score": s(score), "label": y, "margin": s(Fraction(m))},
                           [{"id": "l", "ask": "loss"}, {"id": "g", "ask": "gradient", "wrt": "score"}]))
    t = t64([score], grad=True)
    loss = F.relu(float(m) - y * t).sum()
    loss.backward()
    assert to_float(sol.part("l").value) == pytest.approx(loss.item())
    assert to_float(sol.part("g").value) == t.grad.item()


@SETTINGS
@given(scores=st.lists(QUARTERS, min_size=2, max_size=5), data=st.data())
def test_multiclass_hinge_matches_torch(scores, data):
    y = data.draw(st.integers(min_value=0, max_value=len(scores) - 1))
    sol = solve(problem_of({"loss": "multiclass_hinge", "scores": [s(v) for v in scores], "label": y},
                           [{"id": "l", "ask": "loss"}, {"id": "g", "ask": "gradient", "wrt": "scores"}]))
    t = t64(scores, grad=True)
    loss = F.multi_margin_loss(t.unsqueeze(0), torch.tensor([y]), reduction="sum") * len(scores)
    loss.backward()
    assert to_float(sol.part("l").value) == pytest.approx(loss.item())
    # torch's backward counts a term whose margin is exactly 0 as active; the notes' subgradient, 0
    margins = [1 + v - scores[y] for v in scores]
    if all(z != 0 for j, z in enumerate(margins) if j != y):
        np.testing.assert_allclose(floats(sol.part("g").value), t.grad.numpy())


def test_multiclass_weight_gradient_is_autograds():
    W, x, y = [[1, 2, -1], [2, 1, 0], [0, 1, 3], [1, -1, 1]], [1, 0.5, -1], 2
    sol = solve(problem_of({"loss": "multiclass_hinge", "weights": W, "x": x, "label": y, "bias": [0.5, 0, -1, 2]},
                           [{"id": "g", "ask": "gradient", "wrt": "weights"}, {"id": "l", "ask": "loss"}]))
    Wt = torch.tensor(W, dtype=torch.float64, requires_grad=True)
    scores = Wt @ t64(x) + t64([0.5, 0, -1, 2])
    loss = F.multi_margin_loss(scores.unsqueeze(0), torch.tensor([y]), reduction="sum") * 4
    loss.backward()
    assert to_float(sol.part("l").value) == pytest.approx(loss.item())
    np.testing.assert_allclose(floats(sol.part("g").value), Wt.grad.numpy())


@SETTINGS
@given(z=QUARTERS, y=st.sampled_from([0, 1, Fraction(1, 4)]))
def test_binary_cross_entropy_matches_torch(z, y):
    sol = solve(problem_of({"loss": "binary_cross_entropy", "logit": s(z), "label": s(Fraction(y))},
                           [{"id": "l", "ask": "loss"}, {"id": "g", "ask": "gradient", "wrt": "logit"}]))
    t = t64([z], grad=True)
    loss = F.binary_cross_entropy_with_logits(t, t64([y]))
    loss.backward()
    assert to_float(sol.part("l").value) == pytest.approx(loss.item(), rel=1e-12)
    assert to_float(sol.part("g").value) == pytest.approx(t.grad.item(), rel=1e-12, abs=1e-15)
    p = Fraction(1, 4) + Fraction(1, 2) * (z + 3) / 6  # a probability in (0.25, 0.75]
    sol = solve(problem_of({"loss": "binary_cross_entropy", "prediction": s(p), "label": s(Fraction(y))},
                           [{"id": "g", "ask": "gradient", "wrt": "prediction"}, {"id": "l", "ask": "loss"}]))
    tp = t64([p], grad=True)
    loss = F.binary_cross_entropy(tp, t64([y]))
    loss.backward()
    assert to_float(sol.part("l").value) == pytest.approx(loss.item(), rel=1e-12)
    assert to_float(sol.part("g").value) == pytest.approx(tp.grad.item(), rel=1e-12)


def test_cross_entropy_of_probabilities_matches_torch():
    q = [Fraction(1, 10), Fraction(3, 5), Fraction(3, 10)]
    for label in range(3):
        sol = solve(problem_of({"loss": "cross_entropy", "probabilities": [s(v) for v in q], "label": label},
                               [{"id": "l", "ask": "loss"}, {"id": "g", "ask": "gradient", "wrt": "probabilities"}]))
        tq = t64(q, grad=True)
        loss = F.nll_loss(torch.log(tq).unsqueeze(0), torch.tensor([label]))
        loss.backward()
        assert to_float(sol.part("l").value) == pytest.approx(loss.item(), rel=1e-12)
        np.testing.assert_allclose(floats(sol.part("g").value), tq.grad.numpy())


@SETTINGS
@given(zs=st.lists(QUARTERS, min_size=1, max_size=4), data=st.data(), factor=st.sampled_from([1, Fraction(1, 2)]),
       reduction=st.sampled_from(["mean", "sum"]))
def test_mse_through_a_sigmoid_matches_torch_and_finite_differences(zs, data, factor, reduction):
    ys = data.draw(st.lists(st.sampled_from([0, 1]), min_size=len(zs), max_size=len(zs)))
    sol = solve(problem_of({"loss": "mse", "logit": [s(z) for z in zs], "target": ys, "factor": s(Fraction(factor)),
                            "reduction": reduction},
                           [{"id": "l", "ask": "loss"}, {"id": "g", "ask": "gradient", "wrt": "logit"}]))
    t = t64(zs, grad=True)
    loss = float(factor) * F.mse_loss(torch.sigmoid(t), t64(ys), reduction=reduction)
    loss.backward()
    assert to_float(sol.part("l").value) == pytest.approx(loss.item(), rel=1e-12)
    grad = np.atleast_1d(floats(sol.part("g").value))
    np.testing.assert_allclose(grad, t.grad.numpy(), rtol=1e-12, atol=1e-15)
    h = 1e-6
    for i in range(len(zs)):
        def f(d, i=i):
            v = np.array([float(z) for z in zs])
            v[i] += d
            sig = 1 / (1 + np.exp(-v))
            err = (sig - np.array(ys)) ** 2
            return float(factor) * (err.mean() if reduction == "mean" else err.sum())
        assert grad[i] == pytest.approx((f(h) - f(-h)) / (2 * h), rel=1e-6, abs=1e-9)


def test_seed_hinge_answers():
    v = {p.id: p.value for p in solve(load_problem(str(BANK / "ee147-hinge-binary.yaml"))).parts}
    assert (v["large_margin"], v["small_margin"], v["wrong_sign"]) == (0, Fraction(7, 10), 2)
    assert (v["gradient_small_margin"], v["gradient_large_margin"]) == (-1, 0)
    m = {p.id: p.value for p in solve(load_problem(str(BANK / "ee147-hinge-multiclass.yaml"))).parts}
    assert m["example"] == Fraction(29, 10)  # cs231n's example
    assert m["all_equal"] == 2 and m["correct_much_higher"] == 0  # the notes: c − 1 and 0
    assert m["score_gradient"] == [-1, 1, 0]
    assert m["weight_gradient"] == [[-1, -1], [1, 1], [0, 0]]  # 1(z_j > 0)·x and −Σ 1(z_j > 0)·x
    wrong = check(load_problem(str(BANK / "ee147-hinge-multiclass.yaml")), {"example": "3.9", "all_equal": "2/3"})
    assert wrong.part("example").mistake == "include-true-class"
    assert wrong.part("all_equal").mistake == "divided-by-classes"


def test_seed_mse_vs_cross_entropy():
    problem = load_problem(str(BANK / "ee147-mse-vs-ce-loss.yaml"))
    v = {p.id: to_float(p.value) for p in solve(problem).parts}
    assert v["mse_gradient"] == pytest.approx(-1.92875e-22, rel=1e-5)  # the notes: ≈ 0, saturated
    assert v["ce_gradient"] == pytest.approx(-1.0)  # the notes: σ(z) − 1
    assert v["mse_gradient_at_0"] == -0.125
    result = check(problem, {"mse_gradient": "0", "mse_gradient_at_0": "-0.25", "ce_gradient": "-1", "ce_loss": "50"})
    assert [p.verdict for p in result.parts] == ["correct", "incorrect", "correct", "correct"]
    assert result.part("mse_gradient_at_0").mistake == "factor-2"  # the notes' −2(y − σ)σ(1 − σ)


def test_spec_errors():
    with pytest.raises(SpecError, match="loss"):
        solve(problem_of({"score": 1}, [{"id": "l", "ask": "loss"}]))
    with pytest.raises(SpecError, match="add up"):
        solve(problem_of({"loss": "cross_entropy", "probabilities": [0.5, 0.4], "label": 0}, [{"id": "l", "ask": "loss"}]))
    with pytest.raises(SpecError, match="class index"):
        solve(problem_of({"loss": "multiclass_hinge", "scores": [1, 2], "label": 2}, [{"id": "l", "ask": "loss"}]))
    with pytest.raises(SpecError, match="softmax"):
        solve(problem_of({"loss": "cross_entropy", "probabilities": [0.5, 0.5], "label": 0},
                         [{"id": "g", "ask": "gradient", "wrt": "logit"}]))


def test_sequence_negative_log_likelihood_is_torchs_nll():
    """003 l. 221-290: L = −Σ_t log ŷ^(t)[y_t]; the notes' sum without the minus is the `sign` mistake."""
    problem = load_problem(str(ROOT / "problems" / "dlnotes" / "dlnotes-rnn-nll.yaml"))
    probs = torch.tensor([[0.7, 0.2, 0.1], [0.1, 0.8, 0.1], [0.25, 0.25, 0.5]], dtype=torch.float64)
    expected = F.nll_loss(torch.log(probs), torch.tensor([0, 1, 2]), reduction="sum").item()
    sol = solve(problem)
    assert to_float(sol.part("sequence_loss").value) == pytest.approx(expected, rel=1e-12)
    assert to_float(sol.part("first_step").value) == pytest.approx(-np.log(0.7), rel=1e-12)
    result = check(problem, {"sequence_loss": str(-expected)})
    assert result.part("sequence_loss").mistake == "sign"
