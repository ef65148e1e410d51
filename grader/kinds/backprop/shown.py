"""The backprop values and formulas as math in the steps (grader.formula): the text is what
solve.py's strings always were (what a student types: exp(-1)/(1 + exp(-1)) ≈ 0.268941), while
LaTeX and MathML typeset the exact values and the node formulas."""

from __future__ import annotations

from typing import Any

from ...formula import Math, Rel, Sympy, Written
from .._grad.show import decimal, decimal_math, exact, exact_math, formula_math, nested_math
from .graph import Graph
from .tensor import Tensor

LONGEST_EXACT = 80  # past this, a number is shown as a decimal in the steps


def plain_rational(x: Any) -> bool:
    from fractions import Fraction

    return getattr(x, "is_Rational", False) or isinstance(x, (int, Fraction))


def symbolic(x: Any) -> bool:
    return bool(getattr(x, "free_symbols", None))


def brief(x: Any) -> Math:
    """For a chain of products: exact when rational or symbolic, else the decimal."""
    return exact_math(x) if symbolic(x) or plain_rational(x) else decimal_math(x)


def valued(rel: Rel, x: Any) -> Rel:
    """rel = exact ≈ decimal (just the exact form when it is the decimal or symbolic, just the
    decimal when the exact form is long)."""
    if symbolic(x):
        return rel.eq(exact_math(x))
    text, dec = exact(x), decimal(x)
    if text == dec or plain_rational(x):
        return rel.eq(exact_math(x))
    if len(text) > LONGEST_EXACT:
        return rel.approx(decimal_math(x))
    return rel.eq(exact_math(x)).approx(decimal_math(x))


def start(x: Math) -> Rel:
    return Rel((x,), ())


def tensor(t: Tensor) -> Math:
    """A vector or matrix: exact entries when all are rational or symbolic, else decimals."""
    exact_entries = all(plain_rational(x) or symbolic(x) for x in t.data)
    return nested_math(t.nested(), _nested(t.nested(), exact if exact_entries else decimal), decimals=not exact_entries)


def tensor_valued(rel: Rel, t: Tensor) -> Rel:
    return valued(rel, t.item) if t.is_scalar else rel.eq(tensor(t))


def brief_tensor(t: Tensor) -> Math:
    return brief(t.item) if t.is_scalar else tensor(t)


def _nested(v: Any, fn: Any) -> str:
    if isinstance(v, list):
        return "[" + ", ".join(_nested(x, fn) for x in v) + "]"
    return str(fn(v))


def formula(g: Graph, n: str) -> Math:
    """A node's formula as the spec writes it (w*x + b), typeset as the lecture writes it."""
    node = g.nodes[n]
    return formula_math(node.formula, node.tree)


def expression(expr: Any) -> Math:
    """A sympy expression in the graph's names: as the answer notation in text, typeset by sympy."""
    return Written(exact(expr), Sympy(expr))
