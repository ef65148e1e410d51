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

# The enclosures of the sympy values compared with (a part's expected value, its mistakes' values),
# by (value, precision): the same few values meet every student's number. Bounded, so that memory
# does not grow with the values a long run meets; cleared when full.
MAX_REMEMBERED = 4096
_ENCLOSURES: dict[tuple[Any, int], Any] = {}
_ENDS: dict[int, tuple[Any, tuple[int, int, int] | None]] = {}  # id(interval) -> (it, its exact ends)


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
    key = (value, prec)
    try:
        return _ENCLOSURES[key]
    except KeyError:
        pass
    except TypeError:  # not hashable: computed each time
        return _sympy_enclosure(value, prec)
    found = _sympy_enclosure(value, prec)  # what it raises is raised again next time, not remembered
    if len(_ENCLOSURES) >= MAX_REMEMBERED:
        _ENCLOSURES.clear()
        _ENDS.clear()
    _ENCLOSURES[key] = found
    return found


def _sympy_enclosure(value: Any, prec: int) -> Any:
    try:
        return sympy_value(value, {}, prec)
    except NeedPrecision:
        return None


def _exact_ends(interval: Any) -> tuple[int, int, int] | None:
    """The ends of an mpmath interval exactly, as integers (lo, hi) over one power of two 2^k:
    (lo, hi, k). None for an infinite end. Remembered with the interval (the expected value's,
    met again and again)."""
    found = _ENDS.get(id(interval))
    if found is not None and found[0] is interval:
        return found[1]
    ends: tuple[int, int, int] | None
    try:
        (s1, m1, e1), (s2, m2, e2) = (_binary(end) for end in interval._mpi_)
        k = max(0, -e1, -e2)
        ends = ((-m1 if s1 else m1) << (e1 + k), (-m2 if s2 else m2) << (e2 + k), k)
    except (ValueError, AttributeError):
        ends = None
    if len(_ENDS) >= MAX_REMEMBERED:
        _ENDS.clear()
    _ENDS[id(interval)] = (interval, ends)
    return ends


def _binary(mpf: tuple[int, int, int, int]) -> tuple[int, int, int]:
    """A raw mpmath number (sign, mantissa, exponent, bit count) as (sign, mantissa, exponent): the
    number (−1)^sign · mantissa · 2^exponent exactly."""
    sign, man, exp, bc = mpf
    if not man and bc:
        raise ValueError("an infinity or nan")  # mpmath's special values have a zero mantissa
    return sign, int(man), exp


def _within_ends(ends: tuple[int, int, int], g: Fraction, rel: Fraction, ab: Fraction) -> bool | None:
    """Whether |g − e| ≤ max(ab, rel·|e|) for every e in [lo, hi] (True), for none (False), or
    neither (None), for the ends (lo, hi, k) of a rigorous enclosure of e (exactly lo/2^k and
    hi/2^k): integer arithmetic, every value scaled by g's denominator times 2^k."""
    lo_n, hi_n, k = ends
    q = g.denominator
    gd, lo, hi = g.numerator << k, lo_n * q, hi_n * q  # g, lo, hi times q·2^k
    scale = q << k
    far = max(abs(gd - lo), abs(gd - hi))  # the largest |g − e| over the interval
    near = 0 if lo <= gd <= hi else min(abs(gd - lo), abs(gd - hi))
    smallest = 0 if lo <= 0 <= hi else min(abs(lo), abs(hi))  # of |e|
    largest = max(abs(lo), abs(hi))
    # x ≤ max(ab, rel·y) (all scaled) ⟺ x·ab.den ≤ ab.num·scale or x·rel.den ≤ rel.num·y
    if far * ab.denominator <= ab.numerator * scale or far * rel.denominator <= rel.numerator * smallest:
        return True
    if near * ab.denominator > ab.numerator * scale and near * rel.denominator > rel.numerator * largest:
        return False
    return None


def within(expected: Any, given: Any, rel: Fraction, ab: Fraction) -> bool | None:
    """|given − expected| ≤ max(ab, rel·|expected|), decided exactly or by enclosures.
    None when no precision of the ladder decides it (the caller may then try an exact proof)."""
    e0, g0 = enclosure(expected, PRECISIONS[0]), enclosure(given, PRECISIONS[0])
    if isinstance(e0, Fraction) and isinstance(g0, Fraction):
        diff = abs(g0 - e0)
        return diff <= ab or diff <= rel * abs(e0)
    if isinstance(g0, Fraction) and e0 is not None:
        # the common case, a decimal against an irrational key: decided on the exact ends of the
        # key's enclosure when they are clearly on one side (the ladder below otherwise)
        ends = _exact_ends(e0)
        if ends is not None:
            decided = _within_ends(ends, g0, rel, ab)
            if decided is not None:
                return decided

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
