"""Numbers of any form (exact, interval, sympy) enclosed at a precision, and a tolerance decided on
the enclosures. Its own module because it needs the interval arithmetic (arith) and the sympy
evaluator (symeval), both of which build on reals: kept in reals, it made the three import one
another."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from .arith import Arith
from .reals import PRECISIONS, NeedPrecision, Real, decide
from .symeval import sympy_value


def enclosure(value: Any, prec: int) -> Any:
    """An exact Fraction or a rigorous interval for any number the engine handles, or None."""
    if isinstance(value, bool):
        return Fraction(int(value))
    if isinstance(value, (int, Fraction)):
        return Fraction(value)
    if isinstance(value, float):
        return Fraction(value)  # a float is the binary rational it stores
    if isinstance(value, Real):
        return value.enclose(prec)
    try:
        return sympy_value(value, {}, prec)
    except NeedPrecision:
        return None


def within(expected: Any, given: Any, rel: Fraction, ab: Fraction) -> bool | None:
    """|given − expected| ≤ max(ab, rel·|expected|), decided exactly or by enclosures.
    None when no precision of the ladder decides it (the caller may then try an exact proof)."""
    e0, g0 = enclosure(expected, PRECISIONS[0]), enclosure(given, PRECISIONS[0])
    if isinstance(e0, Fraction) and isinstance(g0, Fraction):
        diff = abs(g0 - e0)
        return diff <= ab or diff <= rel * abs(e0)

    def margin(ctx: Any) -> Any:
        # bound − |g − e|: positive means within, negative means not
        e, g = enclosure(expected, ctx.prec), enclosure(given, ctx.prec)
        if e is None or g is None:
            raise NeedPrecision()
        a = Arith(ctx)
        diff = abs(a.sub(g, e))
        bound = a.extreme("max", [ab, a.mul(rel, abs(e))])
        return a.sub(bound, diff)

    s = decide(margin)
    if s is None:
        return None
    return s >= 0
