"""Exact numbers between the two forms kinds compute in: Fractions (cheap, no sympy needed to check
an answer) and sympy (where a value can become symbolic). Values of other kinds pass unchanged."""

from __future__ import annotations

from fractions import Fraction
from typing import Any


def as_fraction(value: Any) -> Any:
    """An int, a Fraction or a sympy Rational as a Fraction; anything else as it is."""
    if isinstance(value, (int, Fraction)):
        return Fraction(value)
    return rational_as_fraction(value)


def rational_as_fraction(value: Any) -> Any:
    """A sympy Rational as a Fraction (an answer type then compares it exactly, with no sympy);
    anything else, a Python int included, as it is."""
    if getattr(value, "is_Rational", False):
        return Fraction(int(value.p), int(value.q))
    return value


def as_sympy_rational(value: Any) -> Any:
    """A Fraction as a sympy Rational (sympy arithmetic keeps it exact); anything else as it is."""
    if isinstance(value, Fraction):
        import sympy as sp

        return sp.Rational(value.numerator, value.denominator)
    return value
