"""Significant figures, as STACK's NumSigFigs answer test decides them.

`tolerance: {sigfigs: n}` asks for an answer written with n significant figures that is the
correct value rounded to n significant figures. `sigfigs: [n, m]` asks for n figures written and
accuracy to m: the answer rounded to m figures equals the correct value rounded to m figures
(m = 0: only the figures are checked; m = -1: at least n figures may be written, and the answer
rounded to n figures must equal the correct value rounded to n).

- Figures are counted on the digits as written: leading zeros never count, zeros after the
  decimal point do (3.10 has 3), trailing zeros of a whole number are ambiguous (1200 has 2 to 4
  and passes for any of them). 0.00 has 2.
- Rounding is to nearest, an exact tie away from zero (0.125 to 2 figures is 0.13), on the exact
  value: 9.5 is not 10 to 2 figures, 3.1451 is not π to 3 (too many figures written).
- The answer must be a decimal (3.14, 1.2e-3, 6.02×10^23, 8.0%); a fraction or a formula is
  refused with a reason, as STACK does.
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any

from ..errors import InvalidAnswer
from .enclose import enclosure
from .reals import PRECISIONS, Real
from .written import WrittenNumber


def spec(tolerance: dict[str, Any]) -> tuple[int, int]:
    """(figures written, figures of accuracy) from `sigfigs: n` or `sigfigs: [n, m]`."""
    v = tolerance["sigfigs"]
    if isinstance(v, (list, tuple)):
        return int(v[0]), int(v[1])
    return int(v), int(v)


def _floor_log10(q: Fraction) -> int:
    n = len(str(q.numerator)) - len(str(q.denominator))
    while Fraction(10) ** n > q:
        n -= 1
    while Fraction(10) ** (n + 1) <= q:
        n += 1
    return n


def round_exact(x: Fraction, n: int) -> Fraction:
    """x rounded to n significant figures, an exact tie away from zero."""
    if x == 0:
        return Fraction(0)
    k = _floor_log10(abs(x))
    unit = Fraction(10) ** (k - n + 1)
    y = abs(x) / unit
    r = math.floor(y + Fraction(1, 2))
    return (r * unit) if x > 0 else -(r * unit)


def round_value(value: Any, n: int) -> Fraction | None:
    """Any exact or real value rounded to n significant figures; None if no precision of the
    ladder decides the rounding (a value within 10^-700 of a rounding tie)."""
    e = enclosure(value, PRECISIONS[0])
    if isinstance(e, Fraction):
        return round_exact(e, n)
    for prec in PRECISIONS:
        e = enclosure(value, prec)
        if e is None:
            continue
        if isinstance(e, Fraction):
            return round_exact(e, n)
        lo, hi = _to_fraction(e.a), _to_fraction(e.b)
        if lo is None or hi is None:
            return None
        rlo, rhi = round_exact(lo, n), round_exact(hi, n)
        if rlo == rhi:
            return rlo
    return None


def _to_fraction(point: Any) -> Fraction | None:
    """An interval end as an exact Fraction (None for an infinity or a magnitude too extreme)."""
    sign, man, exp, _bc = point._mpi_[0]
    if not man:
        return Fraction(0) if exp == 0 else None
    if abs(exp) > 200_000:
        return None
    v = Fraction(man) * Fraction(2) ** exp
    return -v if sign else v


def check(expected: Any, given: Any, tolerance: dict[str, Any]) -> tuple[bool | None, str]:
    """NumSigFigs: (verdict, feedback). Raises InvalidAnswer when the answer is not a decimal."""
    written, accuracy = spec(tolerance)
    if not isinstance(given, WrittenNumber):
        raise InvalidAnswer(f"give the answer as a decimal number with {written} significant figures"
                            " (for example 0.123 or 1.23e-4)")
    lo, hi = given.figures
    condone = accuracy == -1
    if condone:
        digits_ok = lo >= written
        accuracy = written
    else:
        digits_ok = lo <= written <= hi
    notes = []
    if not digits_ok:
        shown = f"{lo}" if lo == hi else f"{lo} to {hi}"
        notes.append(f"{given.text} has {shown} significant figure{'s' if hi > 1 else ''};"
                     f" {written}{' or more' if condone else ''} {'were' if written > 1 else 'was'} asked")
    accurate: bool | None = True
    if accuracy > 0:
        want = round_value(expected, accuracy)
        if want is None:
            return None, "could not round the expected value"
        mine = round_exact(Fraction(given), accuracy)
        accurate = mine == want
        if not accurate:
            notes.append(f"it is not the correct value rounded to {accuracy} significant figure"
                         f"{'s' if accuracy > 1 else ''}")
    return digits_ok and accurate, "; ".join(notes)


def is_real(value: Any) -> bool:
    return isinstance(value, Real)
