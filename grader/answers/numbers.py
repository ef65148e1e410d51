"""How a number is shown: as people write it (10416, 18/7, 0.08, inf), as a decimal, as JSON. Its
own module so that the answer types and the equivalence checker (which quotes numbers in its
feedback) both use it without importing each other."""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any

from .reals import Real
from .written import ParsedFormula


def to_float(value: Any) -> float:
    """A float for display of any exact value (never for deciding a comparison)."""
    if isinstance(value, str):
        if value in ("inf", "oo"):
            return math.inf
        if value == "-inf":
            return -math.inf
    if isinstance(value, (int, Fraction, float, Real)):
        return float(value)
    if isinstance(value, ParsedFormula):
        value = value.expr
    try:
        return float(value.evalf(30))  # a sympy number
    except (TypeError, AttributeError, ValueError):
        raise ValueError(f"not a number: {value!r}") from None


def format_number(value: Any, digits: int = 6) -> str:
    """An exact number as people write it: 10416, 18/7, 0.08, inf."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, Fraction):
        if value.denominator == 1:
            return str(value.numerator)
        d = value.denominator
        while d % 2 == 0:
            d //= 2
        while d % 5 == 0:
            d //= 5
        if d == 1 and len(str(float(value))) <= 12:  # a terminating decimal: 0.08, not 2/25
            return _trim(f"{float(value):.10f}")
        return f"{value.numerator}/{value.denominator}"
    f = to_float(value)
    if math.isinf(f):
        return "inf" if f > 0 else "-inf"
    if isinstance(value, (float, Real)):
        return _significant(f, digits)
    return str(value)  # a sympy expression: its own exact form


def _trim(s: str) -> str:
    return s.rstrip("0").rstrip(".") if "." in s else s


def _significant(f: float, digits: int) -> str:
    if f == 0:
        return "0"
    if 1e-4 <= abs(f) < 1e12:
        return _trim(f"{f:.{max(digits - 1 - math.floor(math.log10(abs(f))), 0)}f}")
    return f"{f:.{digits - 1}e}"


def approx(value: Any, digits: int = 6) -> str:
    """A decimal display of any number: 2.57143."""
    f = to_float(value)
    if math.isinf(f):
        return "inf" if f > 0 else "-inf"
    return _significant(f, digits)


def json_number(value: Any) -> Any:
    """JSON-native form of a number: int, float, or "inf"/"-inf", or null."""
    if value is None:
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return value
    if isinstance(value, Fraction) and value.denominator == 1:
        return value.numerator
    f = to_float(value)
    if math.isinf(f):
        return "inf" if f > 0 else "-inf"
    if math.isnan(f):
        return None
    return f
