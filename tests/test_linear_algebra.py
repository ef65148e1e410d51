"""The `linear-algebra` kind against numpy.linalg on hypothesis-random integer matrices.

Eigenvalues (eigvalsh on symmetric matrices, |eig| for any), determinant, trace, rank
(matrix_rank), singular values (svd), inverse, positive definiteness (Cholesky), orthogonality,
the number of solutions of Ax = b (rank test by numpy), the unique solution (solve), expressions
(A Λ Aᵀ, A v + b: the Gaussian affine map, checked against sampled moments too); the notes'
worked facts (EE147 l. 2700–2806, 3057–3075).
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from grader.answers.types import to_float
from grader.api import check, solve
from grader.errors import SpecError
from grader.spec.loader import validate_document
from grader.spec.yamlsafe import load_text

SETTINGS = settings(max_examples=15, deadline=None, derandomize=True, phases=[Phase.explicit, Phase.generate],
                    suppress_health_check=[HealthCheck.too_slow])


def problem_of(matrices: dict, parts: list[dict]):
    text = json.dumps({"id": "t", "kind": "linear-algebra", "given": {"matrices": matrices}, "parts": parts})
    return validate_document(load_text(text, "t.json"))


def values(matrices, parts):
    return {p.id: p.value for p in solve(problem_of(matrices, parts)).parts}


def floats(v):
    return np.array([floats(x) for x in v]) if isinstance(v, list) else to_float(v)


@st.composite
def square(draw, symmetric=False):
    n = draw(st.integers(2, 3))
    m = np.array([[draw(st.integers(-4, 4)) for _ in range(n)] for _ in range(n)])
    if symmetric:
        m = m + m.T
    return m


@SETTINGS
@given(a=square(symmetric=True))
def test_symmetric_eigenvalues_and_singular_values_match_numpy(a):
    v = values({"A": a.tolist()}, [{"id": "ev", "ask": "eigenvalues", "of": "A"},
                                   {"id": "sv", "ask": "singular_values", "of": "A"},
                                   {"id": "pd", "ask": "property", "of": "A", "property": "positive_definite"}])
    assert np.allclose(floats(v["ev"]), np.linalg.eigvalsh(a.astype(float)))
    assert np.allclose(floats(v["sv"]), np.linalg.svd(a.astype(float), compute_uv=False))
    try:
        np.linalg.cholesky(a.astype(float))
        chol = True
    except np.linalg.LinAlgError:
        chol = False
    assert v["pd"] is chol or abs(min(np.linalg.eigvalsh(a.astype(float)))) < 1e-9


@SETTINGS
@given(a=square())
def test_general_square_facts_match_numpy(a):
    parts = [{"id": "det", "ask": "determinant", "of": "A"}, {"id": "tr", "ask": "trace", "of": "A"},
             {"id": "rk", "ask": "rank", "of": "A"}, {"id": "mod", "ask": "eigenvalues", "of": "A", "modulus": True},
             {"id": "fro", "ask": "frobenius_norm", "of": "A"}, {"id": "inv", "ask": "property", "of": "A", "property": "invertible"}]
    v = values({"A": a.tolist()}, parts)
    f = a.astype(float)
    assert np.isclose(to_float(v["det"]), np.linalg.det(f))
    assert np.isclose(to_float(v["tr"]), np.trace(f))
    assert v["rk"] == np.linalg.matrix_rank(f)
    assert np.allclose(floats(v["mod"]), np.sort(np.abs(np.linalg.eigvals(f))), atol=1e-7)
    assert np.isclose(to_float(v["fro"]), np.linalg.norm(f, "fro"))
    assert v["inv"] is (round(np.linalg.det(f)) != 0)
    if v["inv"]:
        inv = values({"A": a.tolist()}, [{"id": "i", "ask": "inverse", "of": "A"}])["i"]
        assert np.allclose(floats(inv), np.linalg.inv(f))


@SETTINGS
@given(a=square(), b=st.lists(st.integers(-4, 4), min_size=3, max_size=3), dependent=st.booleans())
def test_number_of_solutions_matches_the_rank_test(a, b, dependent):
    n = a.shape[0]
    if dependent:
        a[-1] = a[0] * 2  # a singular system
    b = np.array(b[:n])
    v = values({"A": a.tolist(), "b": b.tolist()}, [{"id": "s", "ask": "solutions", "of": "A", "rhs": "b"}])
    ra = np.linalg.matrix_rank(a.astype(float))
    rab = np.linalg.matrix_rank(np.column_stack([a, b]).astype(float))
    expected = "A" if ra < rab else "B" if ra == n else "C"
    assert v["s"] == expected
    if expected == "B":
        x = values({"A": a.tolist(), "b": b.tolist()}, [{"id": "x", "ask": "solution", "of": "A", "rhs": "b"}])["x"]
        assert np.allclose(floats(x), np.linalg.solve(a.astype(float), b.astype(float)))


def test_nonsquare_singular_values_and_rank():
    n = np.array([[1, 2, 3], [4, 5, 6]])
    v = values({"N": n.tolist()}, [{"id": "sv", "ask": "singular_values", "of": "N"}, {"id": "rk", "ask": "rank", "of": "N"}])
    assert np.allclose(floats(v["sv"]), np.linalg.svd(n.astype(float), compute_uv=False)) and v["rk"] == 2


def test_gaussian_affine_map_moments():
    """x = Az + b with z ~ N(v, Λ): mean Av + b, covariance AΛAᵀ (EE147 l. 2326-2336), against samples."""
    A, L, v, b = [[2, 1], [0, 1]], [[1, 0], [0, 4]], [1, -1], [0, 3]
    got = values({"A": A, "L": L, "v": v, "b": b},
                 [{"id": "mean", "ask": "value", "expression": "A*v + b"}, {"id": "cov", "ask": "value", "expression": "A*L*A^T"}])
    rng = np.random.default_rng(0)
    z = rng.multivariate_normal(v, L, size=50_000)
    x = z @ np.array(A, dtype=float).T + np.array(b)
    assert np.allclose(floats(got["mean"]), x.mean(axis=0), atol=0.05)
    assert np.allclose(floats(got["cov"]), np.cov(x.T), rtol=0.05)
    problem = problem_of({"A": A, "L": L, "v": v, "b": b}, [{"id": "cov", "ask": "value", "expression": "A*L*A^T"}])
    forgot = (np.array(A) @ np.array(L) @ np.array(A)).tolist()  # AΛA: the transpose left out
    assert check(problem, {"cov": str(forgot)}).parts[0].mistake == "no-transpose"


def test_the_notes_example_matrix():
    v = values({"A": [[2, 1], [1, 2]], "R": [[0, -1], [1, 0]]},
               [{"id": "ev", "ask": "eigenvalues", "of": "A"}, {"id": "det", "ask": "determinant", "of": "A"},
                {"id": "tr", "ask": "trace", "of": "A"}, {"id": "sv", "ask": "singular_values", "of": "A"},
                {"id": "orth", "ask": "property", "of": "R", "property": "orthogonal"},
                {"id": "mod", "ask": "eigenvalues", "of": "R", "modulus": True}])
    assert v == {"ev": [1, 3], "det": 3, "tr": 4, "sv": [3, 1], "orth": True, "mod": [1, 1]}


def test_mistakes():
    problem = problem_of({"A": [[3, 0], [4, 5]]}, [{"id": "sv", "ask": "singular_values", "of": "A"}])
    sol = solve(problem)
    lam = [to_float(x) for x in next(a.value for a in sol.parts[0].alternatives if a.mistake == "squared-singular")]
    assert check(problem, {"sv": str(lam)}).parts[0].mistake == "squared-singular"
    assert check(problem, {"sv": "[5, 3]"}).parts[0].mistake == "eigenvalues-for-singular"


@pytest.mark.parametrize("matrices, part, message", [
    ({"A": [[1, 2], [2, 4]]}, {"ask": "inverse", "of": "A"}, "singular"),
    ({"A": [[0, -1], [1, 0]]}, {"ask": "eigenvalues", "of": "A"}, "complex"),
    ({"A": [[1, 2, 3]]}, {"ask": "determinant", "of": "A"}, "square"),
    ({"A": [[1, 2], [3, 4]]}, {"ask": "trace", "of": "B"}, "not a given matrix"),
    ({"A": [[1, 2], [3, 4]], "b": [1, 2, 3]}, {"ask": "solutions", "of": "A", "rhs": "b"}, "vector of 2"),
    ({"A": [[1, 2], [3, 4]]}, {"ask": "value", "expression": "A*C"}, "unknown symbol"),
])
def test_spec_errors(matrices, part, message):
    text = ("id: t\nkind: linear-algebra\ngiven: " + json.dumps({"matrices": matrices}) + "\nparts:\n  - "
            + json.dumps(dict(part, id="p")) + "\n")
    with pytest.raises(SpecError) as info:
        solve(validate_document(load_text(text, "bad.yaml")))
    assert message in str(info.value) and "bad.yaml:5" in str(info.value)


def test_second_order_methods_against_numpy():
    """EE147 l. 1641-1673: Newton's step by numpy.linalg.solve; the BFGS inverse is symmetric and
    satisfies the secant condition H⁻¹y = s; the directions are conjugate (d₁ᵀHd₀ = 0)."""
    from pathlib import Path

    from grader.spec.loader import load_problem

    spec = Path(__file__).resolve().parent.parent / "problems" / "ee147" / "ee147-second-order.yaml"
    sol = {p.id: p.value for p in solve(load_problem(str(spec))).parts}
    H, g, t0 = np.diag([2.0, 20.0]), np.array([2.0, 20.0]), np.ones(2)
    as_float = lambda v: np.array([[float(x) for x in r] if isinstance(r, list) else float(r) for r in v])  # noqa: E731
    np.testing.assert_allclose(as_float(sol["newton_step"]), t0 - np.linalg.solve(H, g), atol=1e-12)
    np.testing.assert_allclose(as_float(sol["regularised_step"]), t0 - np.linalg.solve(H + np.eye(2), g), atol=1e-12)
    s, y = np.ones(2), g.copy()
    B = as_float(sol["bfgs_inverse"])
    np.testing.assert_allclose(B, B.T)
    np.testing.assert_allclose(B @ y, s, atol=1e-12)
    assert sol["conjugate"] == 0 and float(np.array([10, -1]) @ H @ np.ones(2)) == 0
