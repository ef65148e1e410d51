"""The `matrix-calculus` kind and matrix-expression answers.

Oracles: central finite differences of each function written directly in numpy (never through
the grader's evaluator) against every gradient the kind states; torch autograd for the Jacobian;
hypothesis-random pairs of matrix expressions, where an accepted pair must agree on random float
matrices and a pair that differs there must never be accepted (soundness); textbook identities
proved, near-identities (Cayley-Hamilton at one size, (AB)ᵀ = AᵀBᵀ) refuted; spec errors.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from grader.answers import matrix_expr as mx
from grader.api import check, solve
from grader.errors import InvalidAnswer, SpecError
from grader.spec.loader import validate_document
from grader.spec.yamlsafe import load_text

SETTINGS = settings(max_examples=40, deadline=None, derandomize=True, phases=[Phase.explicit, Phase.generate],
                    suppress_health_check=[HealthCheck.too_slow])
MATRICES = {"A": ["n", "n"], "B": ["n", "n"], "x": ["n"], "z": ["n"], "W": ["h", "n"], "y": ["h"],
            "Sigma": {"shape": ["n", "n"], "symmetric": True, "invertible": True}, "theta": ["n"]}
OPTIONS = {"matrices": {k: (v if isinstance(v, dict) else {"shape": v}) for k, v in MATRICES.items()},
           "dims": {"n": 3, "h": 2}}


def problem_of(parts: list[dict], matrices: dict | None = None, dims: dict | None = None):
    given_ = {"matrices": matrices or MATRICES}
    if dims is not None:
        given_["dims"] = dims
    text = json.dumps({"id": "t", "kind": "matrix-calculus", "given": given_, "parts": parts})
    return validate_document(load_text(text, "t.json"))


def numeric(text: str, env: dict) -> np.ndarray:
    """The kind's answer evaluated on float matrices (through the expression's tree)."""
    import sympy as sp

    sym_env = {k: sp.Matrix(v) if np.ndim(v) else sp.Float(v) for k, v in env.items()}
    value = mx.evaluate(mx.read(text, OPTIONS), sym_env)
    return np.array(value.tolist() if isinstance(value, sp.MatrixBase) else [[value]], dtype=float)


def fd_gradient(f, env: dict, wrt: str, h: float = 1e-6) -> np.ndarray:
    base = env[wrt]
    grad = np.zeros_like(base)
    for idx in np.ndindex(base.shape):
        up, down = base.copy(), base.copy()
        up[idx] += h
        down[idx] -= h
        grad[idx] = (f({**env, wrt: up}) - f({**env, wrt: down})) / (2 * h)
    return grad


def random_env(rng: np.random.Generator) -> dict:
    n, h = 3, 2
    S = rng.normal(size=(n, n))
    S = S @ S.T + n * np.eye(n)
    return {"A": rng.normal(size=(n, n)), "B": rng.normal(size=(n, n)), "x": rng.normal(size=(n, 1)),
            "z": rng.normal(size=(n, 1)), "W": rng.normal(size=(h, n)), "y": rng.normal(size=(h, 1)),
            "Sigma": S, "theta": rng.normal(size=(n, 1))}


# The notes' discussion problems (EE147 l. 2944-3125), each f written in numpy
NOTES = [
    ("tr(A*B)", "A", lambda e: np.trace(e["A"] @ e["B"])),
    ("x^T*A*x", "A", lambda e: (e["x"].T @ e["A"] @ e["x"]).item()),
    ("x^T*A*x", "x", lambda e: (e["x"].T @ e["A"] @ e["x"]).item()),
    ("theta^T*x", "x", lambda e: (e["theta"].T @ e["x"]).item()),
    ("(x - z)^T*Sigma^-1*(x - z)", "z", lambda e: ((e["x"] - e["z"]).T @ np.linalg.inv(e["Sigma"]) @ (e["x"] - e["z"])).item()),
    ("(y - W*x)^T*(y - W*x)/2", "W", lambda e: 0.5 * float(np.sum((e["y"] - e["W"] @ e["x"]) ** 2))),
]


@pytest.mark.parametrize("of, wrt, f", NOTES, ids=[f"{w}:{o}" for o, w, _ in NOTES])
def test_gradients_match_finite_differences(of, wrt, f):
    part = {"id": "g", "ask": "gradient", "of": of, "wrt": wrt}
    if wrt == "W":
        part["form"] = "-(y - W*x)*x^T"
    answer = solve(problem_of([part])).parts[0].answer
    rng = np.random.default_rng(1)
    for _ in range(3):
        env = random_env(rng)
        assert np.allclose(numeric(answer, env), fd_gradient(f, env, wrt), atol=1e-5), (of, answer)


def test_the_notes_stated_closed_forms_are_accepted():
    parts = [{"id": "tr", "ask": "gradient", "of": "tr(A*B)", "wrt": "A"},
             {"id": "qa", "ask": "gradient", "of": "x^T*A*x", "wrt": "A"},
             {"id": "qx", "ask": "gradient", "of": "x^T*A*x", "wrt": "x"},
             {"id": "mh", "ask": "gradient", "of": "(x - z)^T*Sigma^-1*(x - z)", "wrt": "z"},
             {"id": "wx", "ask": "gradient", "of": "W*x", "wrt": "x"},
             {"id": "jw", "ask": "jacobian", "of": "W*x", "wrt": "x"}]
    problem = problem_of(parts)
    stated = {"tr": "Bᵀ", "qa": "x xᵀ", "qx": "(A + Aᵀ)x", "mh": "−2Σ⁻¹(x − z)", "wx": "Wᵀ", "jw": "W"}
    result = check(problem, stated)
    assert all(p.verdict == "correct" for p in result.parts), [(p.id, p.feedback) for p in result.parts]


def test_jacobian_matches_torch_autograd():
    rng = np.random.default_rng(3)
    env = random_env(rng)
    answer = solve(problem_of([{"id": "j", "ask": "jacobian", "of": "A*W^T*W*x + theta", "wrt": "x"}])).parts[0].answer
    W, A, th = (torch.tensor(env[k]) for k in ("W", "A", "theta"))
    jac = torch.autograd.functional.jacobian(lambda x: (A @ W.T @ W @ x + th).squeeze(1), torch.tensor(env["x"]))
    assert np.allclose(numeric(answer, env), jac.squeeze(-1).numpy())


@pytest.mark.parametrize("answer, mistake", [
    ("B", "numerator-layout"), ("-B^T", "sign"), ("2B^T", "factor-of-2"),
])
def test_mistakes_of_the_trace_gradient(answer, mistake):
    problem = problem_of([{"id": "g", "ask": "gradient", "of": "tr(A*B)", "wrt": "A"}])
    assert check(problem, {"g": answer}).parts[0].mistake == mistake


def test_mistakes_of_the_quadratic_form():
    problem = problem_of([{"id": "g", "ask": "gradient", "of": "x^T*A*x", "wrt": "x"},
                          {"id": "m", "ask": "gradient", "of": "(x - z)^T*Sigma^-1*(x - z)", "wrt": "z"}])
    result = check(problem, {"g": "2*A*x", "m": "-Sigma^-1 (x - z)"})
    assert [p.mistake for p in result.parts] == ["assumed-symmetric", "factor-of-2"]
    assert check(problem, {"m": "2Σ^{-1}(x - z)"}).part("m").mistake == "sign"


@pytest.mark.parametrize("lhs, rhs, truth", [
    ("(A*B)^T", "B^T*A^T", True), ("(A*B)^T", "A^T*B^T", False), ("tr(A*B)", "tr(B*A)", True),
    ("tr(A*B*Sigma)", "tr(Sigma*A*B)", True), ("tr(A*B*Sigma)", "tr(A*Sigma*B)", False),
    ("det(A*B)", "det(A)*det(B)", True), ("(Sigma*Sigma)^-1", "Sigma^-1*Sigma^-1", True),
    ("x^T*A*x", "x^T*A^T*x", True), ("x^T*A*x", "tr(A*x*x^T)", True),
    ("A^2 - tr(A)*A + det(A)*I", "0*A", False),  # Cayley-Hamilton holds at n = 2 only: refuted at n = 3
    ("W*(x + z)", "W*x + W*z", True), ("(A + B)^2", "A^2 + 2*A*B + B^2", False),
])
def test_identities(lhs, rhs, truth):
    result = solve(problem_of([{"id": "i", "ask": "identity", "lhs": lhs, "rhs": rhs}]))
    assert result.parts[0].value is truth


def test_cayley_hamilton_is_a_theorem_at_n_2_only():
    m = {"A": ["n", "n"]}
    ch = {"id": "i", "ask": "identity", "lhs": "A^2 - tr(A)*A + det(A)*I", "rhs": "0*A"}
    # the refutation comes from the larger random instance (n + 1): a proof at n = 2 alone is not enough
    assert solve(problem_of([ch], matrices=m, dims={"n": 2})).parts[0].value is False


@pytest.mark.parametrize("ask, of, wrt, layout, shape", [
    ("gradient_shape", "W*x", "W", "denominator", (2, 3, 2)),  # the notes' m×n×m
    ("gradient_shape", "W*x", "W", "numerator", (2, 2, 3)),
    ("gradient_shape", "W*x", "x", "denominator", (3, 2)),
    ("gradient_shape", "x^T*A*x", "x", "denominator", (3,)),
    ("shape", "W*x*x^T", None, None, (2, 3)),
])
def test_shapes(ask, of, wrt, layout, shape):
    part = {"id": "s", "ask": ask, "of": of}
    if wrt:
        part.update(wrt=wrt, layout=layout)
    problem = problem_of([part], dims={"n": 3, "h": 2})
    assert tuple(solve(problem).parts[0].value) == shape


def test_shape_answers_in_dimension_names():
    problem = problem_of([{"id": "s", "ask": "gradient_shape", "of": "W*x", "wrt": "W"}])
    for answer, verdict in (("h x n x h", "correct"), ("h×n×h", "correct"), ("3x2x3", "correct"), ("h x h x n", "incorrect")):
        assert check(problem, {"s": answer}).parts[0].verdict == verdict, answer
    assert check(problem, {"s": "h x h x n"}).parts[0].mistake == "transposed-shape"


@pytest.mark.parametrize("answer, message", [
    ("W x^T", "cannot multiply"), ("A + x", "cannot add"), ("tr(W)", "square"), ("C^T", "unknown symbol"),
    ("A^0.5", "whole power"), ("__import__('os')", "not allowed"), ("(" * 200 + "A" + ")" * 200, "nested"),
])
def test_unreadable_or_ill_shaped_answers_are_invalid(answer, message):
    problem = problem_of([{"id": "g", "ask": "gradient", "of": "tr(A*B)", "wrt": "A"}])
    part = check(problem, {"g": answer}).parts[0]
    assert part.verdict == "invalid" and message in part.feedback


def test_notations():
    read = lambda t: mx.read(t, OPTIONS)  # noqa: E731
    same = [("A^T", "Aᵀ"), ("A^T", "A'"), ("A^T", "transpose(A)"), ("Sigma^-1", "Σ^{-1}"), ("Sigma^-1", "inv(Sigma)"),
            ("Sigma^-1", "Σ⁻¹"), ("A*x", "Ax"), ("x^T*A*x", "x^TAx"), ("x*x^T", "xx'")]
    for a, b in same:
        assert mx.decide(read(a), read(b), OPTIONS) is True, (a, b)


# ---------------------------------------------------------------------------------------------
# soundness: a random pair is accepted only if it agrees numerically everywhere we look

_LEAVES = ["A", "B", "Sigma", "A^T", "B^T", "I", "2*A", "Sigma^-1"]


@st.composite
def square_expr(draw, depth=2):
    if depth == 0 or draw(st.booleans()):
        return draw(st.sampled_from(_LEAVES))
    op = draw(st.sampled_from(["+", "-", "*", "T", "tr"]))
    a = draw(square_expr(depth - 1))
    if op == "T":
        return f"({a})^T"
    if op == "tr":
        return f"tr({a})*A"
    b = draw(square_expr(depth - 1))
    return f"({a}) {op} ({b})"


def _float_value(text: str, env: dict) -> np.ndarray:
    return numeric(text, env)


@SETTINGS
@given(a=square_expr(), b=square_expr(), twist=st.sampled_from(["", "^T", "same"]))
def test_never_accepts_a_wrong_matrix_expression(a, b, twist):
    if twist == "same":
        b = a  # make sure accepted pairs occur
    elif twist == "^T":
        b = f"({a})^T"
    try:
        ta, tb = mx.read(a, OPTIONS), mx.read(b, OPTIONS)
    except InvalidAnswer:
        return  # e.g. I alone: no size to check at
    verdict = mx.decide(ta, tb, OPTIONS)
    rng = np.random.default_rng(5)
    agree = True
    for _ in range(3):
        env = random_env(rng)
        if not np.allclose(_float_value(a, env), _float_value(b, env), rtol=1e-8, atol=1e-8):
            agree = False
    if verdict is True:
        assert agree, (a, b)
    if not agree:
        assert verdict is not True, (a, b)


@pytest.mark.parametrize("parts, dims, message", [
    ([{"id": "g", "ask": "gradient", "of": "tr(A*B)", "wrt": "A", "form": "B"}], None, "is not the gradient"),
    ([{"id": "g", "ask": "gradient", "of": "tr(A*B)", "wrt": "Sigma"}], None, "symmetric"),
    ([{"id": "g", "ask": "gradient", "of": "tr(A*B)", "wrt": "Q"}], None, "not a declared matrix"),
    ([{"id": "g", "ask": "gradient", "of": "tr(W)", "wrt": "W"}], None, "square"),
    ([{"id": "g", "ask": "gradient", "of": "W*x", "wrt": "W"}], None, "tensor"),
    ([{"id": "g", "ask": "shape", "of": "A"}], {"n": 3, "h": 3}, "must differ"),
])
def test_spec_errors_name_the_line(parts, dims, message):
    given_ = {"matrices": MATRICES}
    if dims:
        given_["dims"] = dims
    text = "id: t\nkind: matrix-calculus\ngiven: " + json.dumps(given_) + "\nparts:\n  - " + json.dumps(parts[0]) + "\n"
    with pytest.raises(SpecError) as info:
        solve(validate_document(load_text(text, "bad.yaml")))
    assert message in str(info.value)


def test_a_dimension_may_not_contain_x():
    with pytest.raises(SpecError) as info:
        problem_of([{"id": "s", "ask": "shape", "of": "A"}], matrices={"A": ["nx", "nx"]})
    assert "may not contain x" in str(info.value)


def test_reading_is_bounded():
    with pytest.raises(InvalidAnswer):
        mx.read("A" * 5000, OPTIONS)


def test_layouts_of_the_notes_appendix():
    """EE147 l. 2980-3030: J ∈ R^(n×m), ∇_x y ∈ R^(m×n) (= Jᵀ), ∇_x z ∈ R^(m×p); the Hessian of xᵀAx
    is A + Aᵀ — checked on random numbers by torch autograd."""
    from pathlib import Path

    from grader.spec.loader import load_problem

    spec = Path(__file__).resolve().parent.parent / "problems" / "ee147" / "ee147-jacobian-layout-chain.yaml"
    sol = solve(load_problem(str(spec)))
    m, n, p = 2, 3, 4  # the spec's dims
    shapes = {part.id: tuple(part.value) for part in sol.parts if part.type == "shape"}
    assert shapes == {"jacobian_shape": (n, m), "gradient_shape": (m, n), "chain_shape": (m, p)}
    assert [sol.part(k).answer for k in ("jacobian_shape", "gradient_shape", "chain_shape")] == ["n×m", "m×n", "m×p"]
    A = torch.randn(2, 2, dtype=torch.float64, generator=torch.Generator().manual_seed(5))
    x = torch.randn(2, dtype=torch.float64)
    hessian = torch.autograd.functional.hessian(lambda v: v @ A @ v, x)
    assert torch.allclose(hessian, A + A.T)
    assert sol.part("hessian").answer.replace(" ", "") in ("A+A^T", "A^T+A")
