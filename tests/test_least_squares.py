"""The `least-squares` kind against numpy.

Oracles: `numpy.linalg.lstsq` (the minimum-norm least-squares solution, also in the singular
case) and `numpy.linalg.solve` on (XᵀX + λI)θ = Xᵀy for ridge, on hypothesis-random small data;
central finite differences of the loss for the gradient; the catalog's numbers for the notes'
rent model (θ = [1.1, 0]; ridge λ = 1: [1, 0.2]).
"""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from grader.api import check, solve
from grader.errors import SpecError
from grader.spec.loader import load_problem, validate_document
from grader.spec.yamlsafe import load_text

ROOT = Path(__file__).resolve().parent.parent
BANK = ROOT / "problems" / "ee147"


def problem_of(given: dict, parts: list[dict]):
    text = json.dumps({"id": "t", "kind": "least-squares", "given": given, "parts": [{"prompt": "p", **p} for p in parts]})
    return validate_document(load_text(text, "t.json"))


def floats(v) -> list:
    return [floats(x) for x in v] if isinstance(v, list) else float(v)


SMALL = st.integers(min_value=-5, max_value=5)


@settings(max_examples=25, deadline=None, derandomize=True)
@given(data=st.integers(min_value=1, max_value=4).flatmap(
    lambda d: st.tuples(st.just(d), st.integers(min_value=1, max_value=7))).flatmap(
    lambda dn: st.tuples(st.lists(st.lists(SMALL, min_size=dn[0], max_size=dn[0]), min_size=dn[1], max_size=dn[1]),
                         st.lists(SMALL, min_size=dn[1], max_size=dn[1]))),
       lam=st.sampled_from([0, 0, "1/2", 1, 3]))
def test_theta_matches_numpy(data, lam):
    X, y = data
    sol = solve(problem_of({"X": X, "y": y, "ridge": lam},
                           [{"id": "t", "ask": "theta"}, {"id": "u", "ask": "unique"}, {"id": "g", "ask": "gradient"}]))
    theta = np.array(floats(sol.part("t").value))
    Xa, ya, lam_f = np.array(X, dtype=float), np.array(y, dtype=float), float(Fraction(lam))
    if lam_f:
        expected = np.linalg.solve(Xa.T @ Xa + lam_f * np.eye(Xa.shape[1]), Xa.T @ ya)
        assert sol.part("u").value is True
    else:
        expected = np.linalg.lstsq(Xa, ya, rcond=None)[0]  # the minimum-norm minimiser
        assert sol.part("u").value == bool(np.linalg.matrix_rank(Xa) == Xa.shape[1])
    np.testing.assert_allclose(theta, expected, atol=1e-9)
    assert all(g == 0 for g in sol.part("g").value)  # the gradient vanishes at the minimiser, exactly


def test_gradient_and_loss_against_finite_differences():
    X = [[1, 2, 0], [0, 1, 1], [3, -1, 2], [1, 1, 1]]
    y = [1, -2, 4, 0]
    at = [0.5, -1, 2]
    sol = solve(problem_of({"X": X, "y": y, "ridge": 2},
                           [{"id": "g", "ask": "gradient", "at": at}, {"id": "l", "ask": "loss", "at": at}]))
    Xa, ya = np.array(X, float), np.array(y, float)

    def loss(t):
        return 0.5 * np.sum((ya - Xa @ t) ** 2) + 0.5 * 2 * np.sum(t**2)

    t0 = np.array(at, float)
    assert float(sol.part("l").value) == pytest.approx(loss(t0), rel=1e-14)
    h = 1e-6
    fd = [(loss(t0 + h * e) - loss(t0 - h * e)) / (2 * h) for e in np.eye(3)]
    np.testing.assert_allclose(floats(sol.part("g").value), fd, rtol=1e-7)


def test_unpenalised_intercept():
    sol = solve(problem_of({"x": [1, 2, 3, 4], "y": [1, 3, 2, 5], "ridge": 1, "penalize_intercept": False},
                           [{"id": "t", "ask": "theta"}]))
    X = np.array([[1, 1], [2, 1], [3, 1], [4, 1]], float)
    expected = np.linalg.solve(X.T @ X + np.diag([1.0, 0.0]), X.T @ np.array([1, 3, 2, 5], float))
    np.testing.assert_allclose(floats(sol.part("t").value), expected)


def test_seed_specs():
    rent = {p.id: p.value for p in solve(load_problem(str(BANK / "ee147-least-squares.yaml"))).parts}
    assert rent["theta"] == [Fraction(11, 10), 0]
    assert rent["normal_matrix"] == [[30, 10], [10, 4]] and rent["moment"] == [33, 11]
    ridge = {p.id: p.value for p in solve(load_problem(str(BANK / "ee147-ridge.yaml"))).parts}
    assert ridge["theta"] == [1, Fraction(1, 5)]
    wrong = check(load_problem(str(BANK / "ee147-ridge.yaml")), {"theta": "[1.1, 0]"})
    assert wrong.part("theta").mistake == "ols-for-ridge"


def test_singular_case_accepts_every_minimiser():
    problem = load_problem(str(BANK / "ee147-least-squares-singular.yaml"))
    sol = solve(problem)
    assert sol.part("unique").value is False
    X = np.array([[1, 1, 1], [1, 1, 1], [1, 2, 4]], float)
    np.testing.assert_allclose(floats(sol.part("theta").value), np.linalg.lstsq(X, [1, 2, 4], rcond=None)[0])
    steps = " ".join(s.text for s in sol.part("theta").steps)
    assert "rank 2 < 3" in steps and "[2, -3, 1]" in steps
    ok = check(problem, {"theta": "[1, -0.5, 1]"}).part("theta")  # the minimum-norm one plus (9/28)·[2, -3, 1]
    assert ok.verdict == "correct"
    assert check(problem, {"theta": "[1, -0.5, 1.1]"}).part("theta").verdict == "incorrect"
    assert check(problem, {"theta": "[0.357143, 0.464286, 0.678571]"}).part("theta").verdict == "correct"


def test_spec_errors():
    with pytest.raises(SpecError, match="targets"):
        solve(problem_of({"x": [1, 2], "y": [1]}, [{"id": "t", "ask": "theta"}]))
    with pytest.raises(SpecError, match="one of them"):
        solve(problem_of({"y": [1]}, [{"id": "t", "ask": "theta"}]))
    with pytest.raises(SpecError, match="not exact"):
        solve(problem_of({"x": [1, 2], "y": [1, 2], "features": ["exp(x)", "1"]}, [{"id": "t", "ask": "theta"}]))
    with pytest.raises(SpecError, match="parts\\[0\\].at"):
        solve(problem_of({"x": [1, 2], "y": [1, 2]}, [{"id": "g", "ask": "gradient", "at": [1, 2, 3]}]))
