"""Logarithms of exact numbers to as many digits as a decision needs (stdlib `decimal`).

A sample-complexity bound is ln of a rational over a rational: transcendental unless the log's
argument is 1, so its ceiling is decided by computing enough digits — never by a float. Values
are handed on as Fractions of 40 significant digits (far inside any answer tolerance).
"""

from __future__ import annotations

import decimal
import math
from collections.abc import Callable
from fractions import Fraction

Dec = decimal.Decimal


def ctx(prec: int) -> decimal.Context:
    return decimal.Context(prec=prec, Emax=10**9, Emin=-(10**9))


def ln(x: Fraction, prec: int = 60) -> Dec:
    """ln of a positive rational (or int) with `prec` significant digits."""
    c = ctx(prec + 10)
    x = Fraction(x)
    return c.subtract(c.ln(Dec(x.numerator)), c.ln(Dec(x.denominator)))


def to_fraction(d: Dec, digits: int = 40) -> Fraction:
    return Fraction(ctx(digits).plus(d))


def ceil_exact(value: Callable[[int], Dec], is_integer: Callable[[], int | None] | None = None) -> int:
    """⌈x⌉ of a real x computed by value(prec), raising the precision until the digits decide it.
    `is_integer` returns x when x is known to be a whole number (a log of 1)."""
    if is_integer is not None:
        known = is_integer()
        if known is not None:
            return known
    for prec in (60, 200, 1000):
        x = value(prec)
        nearest = x.to_integral_value(rounding=decimal.ROUND_HALF_EVEN)
        gap = abs(x - nearest)
        if gap > Dec(10) ** (-(prec - 20) + max(0, x.adjusted())):
            return int(x.to_integral_value(rounding=decimal.ROUND_CEILING))
    raise ArithmeticError("the bound is too close to a whole number to round safely")


def fmt(d: Dec | Fraction | float, digits: int = 8) -> str:
    """A decimal for the steps: 10.986123, 1489.8146, 0.00999876 (about `digits` significant digits)."""
    x = float(d)
    if x == 0:
        return "0"
    if abs(x) >= 1e15 or abs(x) < 1e-6:
        return f"{x:.{digits - 3}e}"
    lead = int(math.floor(math.log10(abs(x)))) + 1  # digits before the point (<= 0 below 1)
    places = max(digits - lead, 2) if lead > 0 else digits - 2 - lead
    return f"{x:.{places}f}".rstrip("0").rstrip(".")
