"""How several kinds write their numbers and statistics as formulas (grader.formula): the symbols
μ, σ², ε with one spelling each, a value exact after `=` or as a decimal after `≈`, sums and
differences of numbers with their signs right."""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from typing import Any

from ..answers.types import approx
from ..formula import Add, Math, Num, Rel, Sym

MU = Sym("μ")
SIGMA2 = Sym("σ²", latex=r"\sigma^2")
EPS = Sym("ε")


def is_exact(value: Any) -> bool:
    """A rational value (written exactly, after `=`), not one shown as a decimal (after `≈`)."""
    return isinstance(value, (int, Fraction)) or bool(getattr(value, "is_Rational", False))


def shown_math(value: Any) -> Math:
    """A value as a formula: Num(5/2) when it is rational, else its decimal Num("0.447214")."""
    if isinstance(value, (int, Fraction)):
        return Num(value)
    if getattr(value, "is_Rational", False):
        return Num(Fraction(int(value.p), int(value.q)))
    return Num(approx(value))


def then_shown(chain: Rel, value: Any) -> Rel:
    """`chain` = 5/2, or ≈ 0.447214 for a value shown as a decimal."""
    return chain.eq(shown_math(value)) if is_exact(value) else chain.approx(shown_math(value))


def total(terms: Sequence[Math]) -> Math:
    """t1 + t2 + ... (one term stands alone, without parentheses)."""
    return Add(tuple(terms)) if len(terms) > 1 else terms[0]


def minus(x: Math, value: Any) -> Math:
    """x − value, written x + 2 when value = −2 (never x − -2)."""
    negative = value < 0 if is_exact(value) else str(approx(value)).startswith("-")
    return Add((x, shown_math(-value))) if negative else x - shown_math(value)
