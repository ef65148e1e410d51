"""Is a solver's value of the answer type it claims? (The framework asks; a "no" is a bug in the kind.)

Exact values only: an integer is an int, a whole Fraction or a sympy Integer — never a float (a
float never decides an exact question); infinity is allowed where a count can be unbounded. None
is every type's "no value exists" (JSON null). sympy is recognised by its module, not imported.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from fractions import Fraction
from typing import Any


def _sympy(v: Any) -> bool:
    return type(v).__module__.startswith("sympy")


def _infinite(v: Any) -> bool:
    return (isinstance(v, float) and math.isinf(v)) or (_sympy(v) and getattr(v, "is_infinite", False) is True)


def _integer(v: Any) -> bool:
    if isinstance(v, bool):
        return False
    if isinstance(v, int) or _infinite(v):
        return True
    if isinstance(v, Fraction):
        return v.denominator == 1
    return _sympy(v) and getattr(v, "is_Integer", False) is True


def _number(v: Any) -> bool:
    """An exact real number (or ±∞): int, Fraction, a sympy expression without symbols."""
    if isinstance(v, bool):
        return False
    if isinstance(v, (int, Fraction)) or _infinite(v):
        return True
    return _sympy(v) and not getattr(v, "free_symbols", True)


def _expression(v: Any) -> bool:
    return _number(v) or (_sympy(v) and hasattr(v, "free_symbols"))


def _entry(v: Any) -> bool:
    return _expression(v) or isinstance(v, float)  # a matrix entry may be a float: pooled averages of floats


def _nested(v: Any) -> bool:
    if isinstance(v, (list, tuple)):
        return all(_nested(x) for x in v)
    return _entry(v) or isinstance(v, bool)


def _shape(v: Any) -> bool:
    return isinstance(v, (list, tuple)) and all(_integer(x) or _expression(x) for x in v)


def _labeling(v: Any) -> bool:
    return isinstance(v, (list, tuple)) and all(_integer(x) for x in v)


HOLDS: dict[str, Callable[[Any], bool]] = {
    "integer": _integer,
    "real": lambda v: _number(v) or isinstance(v, float),
    "shape": _shape,
    "boolean": lambda v: isinstance(v, bool),
    "choice": lambda v: isinstance(v, str),
    "expression": _expression,
    "matrix": _nested,
    "vector": _nested,
    "labeling": _labeling,
}


def holds(type_name: str, value: Any) -> bool:
    """Whether `value` is a value of the answer type `type_name` (unknown types: not checked)."""
    check = HOLDS.get(type_name)
    return value is None or check is None or check(value)
