"""Real numbers that are not (known to be) rational, and deciding comparisons without floats.

An answer such as `e^2`, `exp(-1000)` or `10416 + exp(-40)` is kept as its tree and enclosed
in a rigorous interval (mpmath's interval arithmetic, outward rounded) at a chosen precision.
A comparison is decided only when the enclosures decide it; otherwise the precision is raised,
up to a fixed ladder. Nothing underflows or overflows (exp(-1000) is a positive number, not 0;
exp(709)*10 is finite), and no rounding ever decides an exact question: when the ladder runs
out the caller falls back to an exact symbolic test, or the comparison stays undecided.

mpmath is imported only here, and only when an answer is not rational.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from fractions import Fraction
from typing import Any

# Bits of working precision tried in turn. Each step costs little (the trees are at most a few
# hundred nodes); the last one tells apart numbers that differ in their 700th decimal.
PRECISIONS = (80, 240, 800, 2400)


class NeedPrecision(Exception):
    """The enclosure at this precision cannot decide a branch (a floor at an integer, the sign of
    a log's argument): try again with more bits."""


_LOCAL = threading.local()


def context(prec: int) -> Any:
    """An interval context of this thread at this precision (contexts are not shared between
    threads: each holds its precision as state; none is ever changed after it is made)."""
    cache = getattr(_LOCAL, "contexts", None)
    if cache is None:
        cache = _LOCAL.contexts = {}
    ctx = cache.get(prec)
    if ctx is None:
        from mpmath.ctx_iv import MPIntervalContext

        ctx = MPIntervalContext()
        ctx.prec = prec
        cache[prec] = ctx
    return ctx


def to_interval(ctx: Any, x: Fraction | int) -> Any:
    """A rigorous enclosure of an exact rational."""
    x = Fraction(x)
    if x.denominator == 1:
        return ctx.mpf(x.numerator)
    return ctx.mpf(x.numerator) / ctx.mpf(x.denominator)


class Real:
    """A number given by a computation that is not exact in rationals: its enclosure at any precision.

    `compute(prec)` returns a Fraction (the number turned out rational), an interval, or raises
    NeedPrecision. Display uses `float(real)` (the midpoint at the first precision).
    """

    __slots__ = ("compute", "_cache", "text", "tree", "log_base")

    def __init__(self, compute: Callable[[int], Any], text: str = "", tree: Any = None, log_base: Any = None):
        self.compute = compute
        self._cache: dict[int, Any] = {}
        self.text = text
        self.tree = tree  # the parsed tree, for an exact symbolic test when enclosures cannot decide
        self.log_base = log_base

    def enclose(self, prec: int) -> Any:
        """An interval (or exact Fraction) holding the number, or None if this precision is too low."""
        if prec not in self._cache:
            try:
                self._cache[prec] = self.compute(prec)
            except NeedPrecision:
                self._cache[prec] = None
        return self._cache[prec]

    def __float__(self) -> float:
        for prec in PRECISIONS:
            v = self.enclose(prec)
            if v is None:
                continue
            if isinstance(v, Fraction):
                return float(v)
            try:
                return float(v.mid)
            except (OverflowError, ValueError):
                return float("inf") if v.a > 0 else float("-inf") if v.b < 0 else 0.0
        return float("nan")

    def __repr__(self) -> str:
        return f"Real({self.text or float(self)!r})"

    def __str__(self) -> str:
        return self.text or repr(float(self))


def sign_of(x: Any) -> int | None:
    """-1, 0, +1 for an exact or interval value; None when the interval straddles 0."""
    if isinstance(x, Fraction):
        return (x > 0) - (x < 0)
    if x.a > 0:
        return 1
    if x.b < 0:
        return -1
    return None


def decide(build: Callable[[Any], Any]) -> int | None:
    """The sign of a quantity computed by `build(ctx)` (Fractions and intervals), raising the
    precision until it is decided. None when every precision leaves it open."""
    for prec in PRECISIONS:
        ctx = context(prec)
        try:
            value = build(ctx)
        except NeedPrecision:
            continue
        if value is None:
            continue
        s = sign_of(value)
        if s is not None:
            return s
        if isinstance(value, Fraction):
            return (value > 0) - (value < 0)
    return None
