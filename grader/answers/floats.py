"""Intervals of plain floats: a quick look at a formula's value at a point, before the exact and
multi-precision arithmetic of grader.answers.arith.

Same interface as `Arith` (the same walkers run on it), ten to fifty times cheaper. Each result is
an interval [lo, hi] of floats widened outward after every operation (by one unit in the last
place after + − × ÷ and sqrt, which IEEE rounds correctly, by four after exp, log, sin and the
other functions of the C library), so that it encloses the exact value. Wherever that enclosure
cannot settle something — a denominator, a logarithm's argument or a sign that may be 0, a floor
at an integer, an overflow, a function it does not know — it raises `Unsure` and the exact
arithmetic takes over at that point.

What it is used for: to tell quickly that two formulas differ at a point (then the difference is
confirmed exactly there, and only that is reported), and that they agree at a point (the point is
not computed again exactly). It never accepts an answer: acceptance needs a proof.
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any

LARGEST_EXACT = 2**53
TRIG_RANGE = 2.0**50  # beyond this a float argument of sin/cos says nothing useful


class Unsure(Exception):
    """Floats cannot settle this operation here: compute this point exactly."""


class Interval:
    __slots__ = ("lo", "hi")

    def __init__(self, lo: float, hi: float):
        self.lo, self.hi = lo, hi

    def __repr__(self) -> str:
        return f"[{self.lo!r}, {self.hi!r}]"


def _out(lo: float, hi: float, ulps: int = 1) -> Interval:
    """[lo, hi] widened outward by `ulps` units in the last place; Unsure when not finite."""
    if not (-math.inf < lo <= hi < math.inf):
        raise Unsure()
    return Interval(lo - ulps * math.ulp(lo), hi + ulps * math.ulp(hi))


def _point(x: float) -> Interval:
    return Interval(x, x)


def enclose(x: Any) -> Interval:
    """An exact rational (or an Interval, returned as it is) as an enclosing Interval."""
    if type(x) is Interval:
        return x
    q = x if isinstance(x, Fraction) else Fraction(x)
    d = q.denominator
    try:
        f = q.numerator / d
    except OverflowError:
        raise Unsure() from None
    if d & (d - 1) == 0 and abs(q.numerator) <= LARGEST_EXACT:
        return _point(f)  # a dyadic rational of 53 bits is a float
    return _out(f, f)


def _is_integer(x: Interval) -> int | None:
    if x.lo == x.hi and x.lo.is_integer() and abs(x.lo) <= LARGEST_EXACT:
        return int(x.lo)
    return None


class FloatArith:
    """The Arith interface on float Intervals (see the module's docstring)."""

    ctx = None  # as Arith(None): a function only sympy's evalf computes is not done here

    # ------------------------------------------------------------------ helpers
    def exact(self, x: Fraction) -> Interval:
        return enclose(x)

    def constant(self, name: str) -> Interval:
        v = math.e if name == "e" else math.pi
        return _out(v, v)

    @staticmethod
    def sign(x: Any) -> int | None:
        x = enclose(x)
        if x.lo > 0:
            return 1
        if x.hi < 0:
            return -1
        if x.lo == x.hi == 0:
            return 0
        return None

    def need_sign(self, x: Any) -> int:
        s = self.sign(x)
        if s is None:
            raise Unsure()
        return s

    # ------------------------------------------------------------------ operators
    def neg(self, a: Any) -> Interval:
        a = enclose(a)
        return Interval(-a.hi, -a.lo)

    def add(self, a: Any, b: Any) -> Interval:
        if type(a) is not Interval:
            a = enclose(a)
        if type(b) is not Interval:
            b = enclose(b)
        return _out(a.lo + b.lo, a.hi + b.hi)

    def sub(self, a: Any, b: Any) -> Interval:
        if type(a) is not Interval:
            a = enclose(a)
        if type(b) is not Interval:
            b = enclose(b)
        return _out(a.lo - b.hi, a.hi - b.lo)

    def mul(self, a: Any, b: Any) -> Interval:
        if type(a) is not Interval:
            a = enclose(a)
        if type(b) is not Interval:
            b = enclose(b)
        if a.lo == a.hi == 0 or b.lo == b.hi == 0:
            return _point(0.0)
        ends = (a.lo * b.lo, a.lo * b.hi, a.hi * b.lo, a.hi * b.hi)
        return _out(min(ends), max(ends))

    def div(self, a: Any, b: Any) -> Interval:
        if type(a) is not Interval:
            a = enclose(a)
        if type(b) is not Interval:
            b = enclose(b)
        if b.lo <= 0 <= b.hi:
            raise Unsure()
        ends = (a.lo / b.lo, a.lo / b.hi, a.hi / b.lo, a.hi / b.hi)
        return _out(min(ends), max(ends))

    def power(self, base: Any, exp: Any) -> Interval:
        base, exp = enclose(base), enclose(exp)
        n = _is_integer(exp)
        if n is not None:
            return self._integer_power(base, n)
        if base.lo <= 0:
            raise Unsure()
        return self.exp(self.mul(exp, self.log(base)))

    def _integer_power(self, base: Interval, n: int) -> Interval:
        if n == 0:
            return _point(1.0)
        if n < 0:
            return self.div(_point(1.0), self._integer_power(base, -n))
        try:
            lo, hi = base.lo ** n, base.hi ** n
        except OverflowError:
            raise Unsure() from None
        if n % 2 == 0 and base.lo < 0 < base.hi:
            return _out(0.0, max(lo, hi), 4)
        if n % 2 == 0 and base.hi <= 0:
            lo, hi = hi, lo
        return _out(lo, hi, 4)

    def factorial(self, x: Any) -> Interval:
        n = _is_integer(enclose(x))
        if n is None or not 0 <= n <= 170:
            raise Unsure()
        return enclose(math.factorial(n))

    def binomial(self, n: Any, k: Any) -> Interval:
        n_, k_ = _is_integer(enclose(n)), _is_integer(enclose(k))
        if n_ is None or k_ is None or not 0 <= n_ <= 1000:
            raise Unsure()
        return enclose(math.comb(n_, k_) if 0 <= k_ <= n_ else 0)

    # ------------------------------------------------------------------ functions
    @staticmethod
    def _monotone(fn: Any, x: Interval, increasing: bool = True) -> Interval:
        try:
            lo, hi = fn(x.lo), fn(x.hi)
        except (OverflowError, ValueError):
            raise Unsure() from None
        return _out(lo, hi, 4) if increasing else _out(hi, lo, 4)

    def exp(self, x: Any) -> Interval:
        return self._monotone(math.exp, enclose(x))

    def log(self, x: Any, base: Any = None) -> Interval:
        x = enclose(x)
        if x.lo <= 0:
            raise Unsure()
        if base is not None:
            b = enclose(base)
            if b.lo <= 0 or b.lo <= 1 <= b.hi:
                raise Unsure()
            return self.div(self.log(x), self.log(b))
        if x.lo == x.hi == 1:
            return _point(0.0)
        return self._monotone(math.log, x)

    def sqrt(self, x: Any) -> Interval:
        x = enclose(x)
        if x.lo < 0:
            raise Unsure()
        return _out(math.sqrt(x.lo), math.sqrt(x.hi))

    def call(self, fn: str, args: list[Any]) -> Interval:
        x = enclose(args[0])
        if fn in ("ln", "log"):
            return self.log(x, args[1] if len(args) > 1 else None)
        if fn in ("lg", "log2", "log10"):
            return self.log(x, 10 if fn == "log10" else 2)
        if fn in ("exp", "sqrt"):
            return self.exp(x) if fn == "exp" else self.sqrt(x)
        if fn == "abs":
            if x.lo >= 0:
                return x
            return Interval(-x.hi, -x.lo) if x.hi <= 0 else Interval(0.0, max(-x.lo, x.hi))
        if fn in ("max", "min", "relu"):
            ivs = [enclose(a) for a in args] + ([_point(0.0)] if fn == "relu" else [])
            pick = min if fn == "min" else max
            return Interval(pick(v.lo for v in ivs), pick(v.hi for v in ivs))
        if fn == "sign":
            return _point(float(self.need_sign(x)))
        if fn in ("floor", "ceil"):
            rnd = math.floor if fn == "floor" else math.ceil
            if rnd(x.lo) != rnd(x.hi):
                raise Unsure()
            return enclose(rnd(x.lo))
        if fn == "factorial":
            return self.factorial(x)
        if fn == "binomial":
            return self.binomial(x, args[1])
        return self._transcendental(fn, x)

    def _transcendental(self, fn: str, x: Interval) -> Interval:
        if fn in _MONOTONE:
            return self._monotone(_MONOTONE[fn], x)
        if fn == "cosh":
            m = Interval(0.0, max(-x.lo, x.hi)) if x.lo < 0 < x.hi else x if x.lo >= 0 else Interval(-x.hi, -x.lo)
            return self._monotone(math.cosh, m)
        if fn in ("asin", "acos"):
            if x.lo < -1 or x.hi > 1:
                raise Unsure()
            return self._monotone(math.asin if fn == "asin" else math.acos, x, increasing=fn == "asin")
        if fn in ("sin", "cos", "tan", "sec", "csc", "cot"):
            s, c = self._sin_cos(x, fn)
            one = _point(1.0)
            return {"sin": lambda: s, "cos": lambda: c, "tan": lambda: self.div(s, c), "sec": lambda: self.div(one, c),
                    "csc": lambda: self.div(one, s), "cot": lambda: self.div(c, s)}[fn]()
        raise Unsure()

    @staticmethod
    def _sin_cos(x: Interval, fn: str) -> tuple[Interval, Interval]:
        """sin and cos on x: their values at the middle, ± half the width (both are
        1-Lipschitz), ± an ulp of 1 for the library's rounding."""
        if not (abs(x.lo) < TRIG_RANGE and abs(x.hi) < TRIG_RANGE):
            raise Unsure()
        mid, half = (x.lo + x.hi) / 2, (x.hi - x.lo) / 2
        slack = half + 2 * math.ulp(mid) + 2.0**-51
        out = []
        for f in (math.sin, math.cos):
            v = f(mid)
            out.append(Interval(max(-1.0, v - slack), min(1.0, v + slack)))
        return out[0], out[1]


def _sigmoid(x: float) -> float:
    if x >= 0:
        return 1 / (1 + math.exp(-x))
    e = math.exp(x)
    return e / (1 + e)


def _softplus(x: float) -> float:
    return max(x, 0.0) + math.log1p(math.exp(-abs(x)))


# increasing functions, computed at both ends (four ulps absorb the library's rounding; the
# sigmoid and softplus formulas above lose at most three)
_MONOTONE = {"tanh": math.tanh, "sinh": math.sinh, "atan": math.atan, "sigmoid": _sigmoid, "softplus": _softplus}
