"""The `undecided` verdict: an answer the checker cannot decide within its bounds is neither
correct nor incorrect; it scores 0, says to simplify, and a matrix with one undecided entry is
undecided as a whole unless another entry is already wrong."""

from __future__ import annotations

import sympy as sp

from grader.answers import equivalence
from grader.answers.check import UNDECIDED, VERDICTS, check_part
from grader.solution import PartSolution


def test_undecided_is_a_verdict_of_its_own(monkeypatch):
    monkeypatch.setattr(equivalence, "equivalent", lambda *a, **k: None)
    x = sp.Symbol("x", real=True)
    part = PartSolution("p", "expression", x**2, "x**2", points=2, options={"symbols": {"x": {}}})
    result = check_part(part, "x*x")
    assert result.verdict == UNDECIDED and result.score == 0 and "simplify" in result.feedback
    assert UNDECIDED in VERDICTS


def test_a_matrix_with_an_undecided_entry(monkeypatch):
    monkeypatch.setattr(equivalence, "equivalent", lambda e, g, *a, **k: None if g.expr.has(sp.Symbol("x", real=True)) else e == g.expr)
    x = sp.Symbol("x", real=True)
    opts = {"elements": "expression", "symbols": {"x": {}}}
    part = PartSolution("m", "matrix", [x, sp.Integer(1)], "[x, 1]", options=opts)
    assert check_part(part, "[x, 1]").verdict == UNDECIDED
    assert check_part(part, "[x, 2]").verdict == "incorrect"
