"""Arithmetic on exact rationals and rigorous intervals, with every domain and size checked.

`Arith(None)` computes exactly: a Fraction, or `Inexact` when the result is not rational (e^2,
sqrt(2)) — no mpmath is imported for answers such as 10416, 18/7 or 2^10. `Arith(ctx)` keeps
Fractions where the math is exact and uses `ctx`'s intervals otherwise. Work is bounded by sizes,
not by time: results above MAX_RESULT_BITS, factorials above MAX_FACTORIAL, exponents or
arguments whose results could not be enclosed cheaply are refused with a reason.
"""

from __future__ import annotations

import functools
import math
from fractions import Fraction
from typing import Any

from ..errors import InvalidAnswer
from .reals import NeedPrecision, sign_of, to_interval

MAX_FACTORIAL = 1000
MAX_RESULT_BITS = 40_000  # about 12,000 decimal digits, for any one exact intermediate result
MAX_WORK_BITS = 4_000_000  # the sum of the sizes of all exact intermediate results of one answer
MAX_ROOT = 64  # x^(p/q) is tried exactly for q up to this
MAX_EXP_ARG = 10**15  # exp(x) for |x| beyond this is refused: its enclosure would cost too much
MAX_TRIG_ARG = 2**64


@functools.lru_cache(maxsize=64)
def _comb(n: int, k: int) -> int:
    return math.comb(n, k)  # a sum of 60 equal binomial(20000, 10000) computes it once


class Inexact(Exception):
    """Exact mode met a result that is not rational."""


class Undefined(InvalidAnswer):
    """The operation has no real value here (log of a negative, division by zero)."""


def bits(x: Fraction) -> int:
    return max(x.numerator.bit_length(), x.denominator.bit_length())


def _int(x: Fraction) -> bool:
    return x.denominator == 1


def exact_root(x: Fraction, q: int) -> Fraction | None:
    """The exact q-th root of x >= 0 when it is rational, else None."""
    if x < 0:
        return None
    out = []
    for n in (x.numerator, x.denominator):
        r = _iroot(n, q)
        if r is None:
            return None
        out.append(r)
    return Fraction(out[0], out[1])


def _iroot(n: int, q: int) -> int | None:
    if n < 2:
        return n
    r = int(round(math.exp(math.log(n) / q))) if n.bit_length() < 1000 else 1 << (n.bit_length() // q)
    # Newton from above, then check
    r = max(r, 1)
    while True:
        nxt = ((q - 1) * r + n // r ** (q - 1)) // q
        if nxt >= r:
            break
        r = nxt
    for c in (r - 1, r, r + 1):
        if c >= 0 and c**q == n:
            return c
    return None


def _log2_abs(x: Fraction) -> float:
    """log2|x| of a nonzero rational of any size."""
    return (math.log2(abs(x.numerator)) if x.numerator.bit_length() < 1000 else x.numerator.bit_length()) - \
        (math.log2(x.denominator) if x.denominator.bit_length() < 1000 else x.denominator.bit_length())


def exact_log(x: Fraction, base: Fraction) -> Fraction | None:
    """log_base(x) when it is rational (x^q = base^p with small p, q), else None."""
    if x == 1:
        return Fraction(0)
    if x <= 0 or base <= 0 or base == 1:
        return None
    approx = Fraction(_log2_abs(x) / _log2_abs(base)).limit_denominator(12)
    p, q = approx.numerator, approx.denominator
    if p == 0 or abs(p) * bits(base) > MAX_RESULT_BITS or q * bits(x) > MAX_RESULT_BITS:
        return None
    return approx if x**q == base**p else None


class Arith:
    def __init__(self, ctx: Any = None):
        self.ctx = ctx
        self.work = 0

    # ------------------------------------------------------------------ helpers
    def exact(self, x: Fraction) -> Fraction:
        b = bits(x)
        if b > MAX_RESULT_BITS:
            raise InvalidAnswer("number too large to compute exactly")
        self.work += b
        if self.work > MAX_WORK_BITS:
            raise InvalidAnswer("too much to compute: simplify the answer")
        return x

    def iv(self, x: Any) -> Any:
        if self.ctx is None:
            raise Inexact()
        return to_interval(self.ctx, x) if isinstance(x, Fraction) else x

    sign = staticmethod(sign_of)  # -1, 0, +1, or None for an interval around 0

    def need_sign(self, x: Any) -> int:
        s = self.sign(x)
        if s is None:
            raise NeedPrecision()
        return s

    # ------------------------------------------------------------------ operators
    def add(self, a: Any, b: Any) -> Any:
        if isinstance(a, Fraction) and isinstance(b, Fraction):
            return self.exact(a + b)
        return self.iv(a) + self.iv(b)

    def sub(self, a: Any, b: Any) -> Any:
        if isinstance(a, Fraction) and isinstance(b, Fraction):
            return self.exact(a - b)
        return self.iv(a) - self.iv(b)

    def mul(self, a: Any, b: Any) -> Any:
        if isinstance(a, Fraction) and isinstance(b, Fraction):
            if bits(a) + bits(b) > MAX_RESULT_BITS and a and b:
                raise InvalidAnswer("number too large to compute exactly")
            return self.exact(a * b)
        if isinstance(a, Fraction) and a == 0 or isinstance(b, Fraction) and b == 0:
            return Fraction(0)
        return self.iv(a) * self.iv(b)

    def div(self, a: Any, b: Any) -> Any:
        if isinstance(b, Fraction) and b == 0:
            raise Undefined("division by zero")
        if isinstance(a, Fraction) and isinstance(b, Fraction):
            if bits(a) + bits(b) > MAX_RESULT_BITS:
                raise InvalidAnswer("number too large to compute exactly")
            return self.exact(a / b)
        self.need_sign(b)
        return self.iv(a) / self.iv(b)

    def neg(self, a: Any) -> Any:
        return -a

    def power(self, base: Any, exp: Any) -> Any:
        if isinstance(base, Fraction) and isinstance(exp, Fraction):
            return self._power_exact(base, exp)
        if isinstance(base, Fraction) and base == 0:
            s = self.need_sign(exp)
            if s <= 0:
                raise Undefined("0 to a power that is not positive")
            return Fraction(0)
        if isinstance(exp, Fraction) and _int(exp):
            if exp == 0:
                return Fraction(1)
            if exp < 0:
                self.need_sign(base)
            return self.iv(base) ** int(exp)
        s = self.need_sign(base)
        if s < 0:
            raise Undefined("a negative number to a fractional power is not real")
        if s == 0:
            return self.power(Fraction(0), exp)
        lb = self.ctx.log(self.iv(base)) if self.ctx is not None else None
        if lb is None:
            raise Inexact()
        return self.exp(self.iv(exp) * lb)

    def _power_exact(self, base: Fraction, exp: Fraction) -> Any:
        if _int(exp):
            n = exp.numerator
            if base == 0 and n < 0:
                raise Undefined("division by zero (0 to a negative power)")
            if base in (0, 1) or n == 0:
                return base**n
            if base == -1:
                return Fraction((-1) ** (n % 2))
            if abs(n) * bits(base) <= MAX_RESULT_BITS:
                return self.exact(base**n)
            if self.ctx is None:
                raise Inexact()
            return self.iv(base) ** n
        if base < 0:
            raise Undefined("a negative number to a fractional power is not real")
        if base == 0:
            if exp < 0:
                raise Undefined("division by zero (0 to a negative power)")
            return Fraction(0)
        q = exp.denominator
        if q <= MAX_ROOT and bits(base) <= MAX_RESULT_BITS // 4:
            root = exact_root(base, q)
            if root is not None:
                return self._power_exact(root, Fraction(exp.numerator))
        if self.ctx is None:
            raise Inexact()
        return self.exp(self.iv(exp) * self.ctx.log(self.iv(base)))

    def factorial(self, x: Any) -> Fraction:
        if not (isinstance(x, Fraction) and _int(x) and x >= 0):
            raise InvalidAnswer("factorial needs a non-negative whole number")
        if x > MAX_FACTORIAL:
            raise InvalidAnswer(f"factorial of {x} is too large (at most {MAX_FACTORIAL}!)")
        return self.exact(Fraction(math.factorial(int(x))))

    def binomial(self, n: Any, k: Any) -> Fraction:
        if not all(isinstance(v, Fraction) and _int(v) for v in (n, k)):
            raise InvalidAnswer("binomial needs whole numbers")
        if n < 0:
            raise InvalidAnswer("binomial needs n >= 0")
        if not 0 <= k <= n:
            return Fraction(0)
        n_, k_ = int(n), int(min(k, n - k))
        # log2 C(n, k) before computing it: binomial(100000, 50000) has 99,992 bits
        size = (math.lgamma(n_ + 1) - math.lgamma(k_ + 1) - math.lgamma(n_ - k_ + 1)) / math.log(2)
        if size > MAX_RESULT_BITS:
            raise InvalidAnswer(f"binomial({n_}, {int(k)}) is too large to compute exactly")
        return self.exact(Fraction(_comb(n_, k_)))

    # ------------------------------------------------------------------ functions
    def exp(self, x: Any) -> Any:
        if isinstance(x, Fraction):
            if x == 0:
                return Fraction(1)
            if abs(x) > MAX_EXP_ARG:
                raise InvalidAnswer("exponent too large to compute")
            return self.iv_call("exp", x)
        if abs(x).b > MAX_EXP_ARG:
            raise InvalidAnswer("exponent too large to compute")
        return self.ctx.exp(x)

    def iv_call(self, fn: str, x: Any) -> Any:
        if self.ctx is None:
            raise Inexact()
        return getattr(self.ctx, fn)(self.iv(x))

    def log(self, x: Any, base: Any = None) -> Any:
        s = self.need_sign(x)
        if s <= 0:
            raise Undefined("logarithm of a number that is not positive")
        if base is not None:
            sb = self.need_sign(base)
            if sb <= 0 or (isinstance(base, Fraction) and base == 1):
                raise Undefined("logarithm base must be positive and not 1")
            if isinstance(x, Fraction) and isinstance(base, Fraction):
                r = exact_log(x, base)
                if r is not None:
                    return r
            return self.div(self.log(x), self.log(base))
        if isinstance(x, Fraction) and x == 1:
            return Fraction(0)
        return self.iv_call("log", x)

    def log1p_positive(self, x: Any) -> Any:
        """log(1 + x) for x >= 0, accurate when x is tiny (softplus of a large negative number)."""
        x = self.iv(x)
        if self.ctx.mag(x.b) < -self.ctx.prec // 2:
            # x − x²/2 ≤ log(1 + x) ≤ x for x ≥ 0
            lo = x - x * x / 2
            return self.ctx.mpf([lo.a, x.b])
        return self.ctx.log(1 + x)

    def sqrt(self, x: Any) -> Any:
        s = self.need_sign(x)
        if s < 0:
            raise Undefined("square root of a negative number")
        if s == 0:
            return Fraction(0)
        if isinstance(x, Fraction):
            r = exact_root(x, 2) if bits(x) <= MAX_RESULT_BITS // 4 else None
            if r is not None:
                return r
        return self.iv_call("sqrt", x)

    def call(self, fn: str, args: list[Any]) -> Any:
        x = args[0]
        if fn == "ln":
            return self.log(x)
        if fn == "log":
            return self.log(x, args[1] if len(args) > 1 else None)
        if fn in ("lg", "log2"):
            return self.log(x, Fraction(2))
        if fn == "log10":
            return self.log(x, Fraction(10))
        if fn == "exp":
            return self.exp(x)
        if fn == "sqrt":
            return self.sqrt(x)
        if fn == "abs":
            return abs(x)
        if fn in ("max", "min"):
            return self.extreme(fn, args)
        if fn == "relu":
            return self.extreme("max", [Fraction(0), x])
        if fn == "sign":
            return Fraction(self.need_sign(x))
        if fn in ("floor", "ceil"):
            return self.round_to_int(fn, x)
        if fn == "factorial":
            return self.factorial(x)
        if fn == "binomial":
            return self.binomial(x, args[1])
        return self.transcendental(fn, x)

    def extreme(self, fn: str, args: list[Any]) -> Any:
        if all(isinstance(a, Fraction) for a in args):
            return max(args) if fn == "max" else min(args)
        # an interval max/min: the largest (smallest) lower ends and upper ends
        from mpmath import libmp

        ends = [self.iv(a)._mpi_ for a in args]
        larger = fn == "max"

        def pick(p: Any, q: Any) -> Any:
            return p if (libmp.mpf_cmp(p, q) >= 0) == larger else q

        lo, hi = ends[0]
        for a, b in ends[1:]:
            lo, hi = pick(lo, a), pick(hi, b)
        return self.ctx.make_mpf((lo, hi))

    def round_to_int(self, fn: str, x: Any) -> Fraction:
        if isinstance(x, Fraction):
            return Fraction(math.floor(x) if fn == "floor" else math.ceil(x))
        from mpmath import libmp

        if self.ctx.mag(abs(x).b) > MAX_RESULT_BITS:
            raise InvalidAnswer(f"{fn} of a number too large to compute exactly")
        rnd = libmp.mpf_floor if fn == "floor" else libmp.mpf_ceil
        lo, hi = (libmp.to_int(rnd(end)) for end in x._mpi_)
        if lo != hi:
            raise NeedPrecision()
        return Fraction(lo)

    def transcendental(self, fn: str, x: Any) -> Any:
        if isinstance(x, Fraction) and x == 0:
            zero: dict[str, Fraction | int] = {"sin": 0, "tan": 0, "tanh": 0, "sinh": 0, "atan": 0, "asin": 0, "cos": 1,
                    "cosh": 1, "sec": 1, "sigmoid": Fraction(1, 2)}
            if fn in zero:
                return Fraction(zero[fn])
            if fn in ("csc", "cot"):
                raise Undefined(f"{fn}(0) is not defined (division by zero)")
        if fn == "acos" and isinstance(x, Fraction) and x == 1:
            return Fraction(0)
        if self.ctx is None:
            raise Inexact()
        if fn == "sigmoid":
            return self.div(Fraction(1), self.add(Fraction(1), self.exp(self.neg(x))))
        if fn == "softplus":
            # log(1 + e^x) = max(x, 0) + log(1 + e^-|x|): no cancellation for large |x|
            ax = abs(self.iv(x))
            return self.add(self.extreme("max", [x, Fraction(0)]), self.log1p_positive(self.exp(-ax)))
        if fn == "tanh":
            return self.sub(Fraction(1), self.div(Fraction(2), self.add(self.exp(self.mul(Fraction(2), x)), Fraction(1))))
        if fn in ("sinh", "cosh"):
            ex, emx = self.exp(x), self.exp(self.neg(x))
            return self.div(self.sub(ex, emx) if fn == "sinh" else self.add(ex, emx), Fraction(2))
        if fn in ("sin", "cos", "tan", "sec", "csc", "cot"):
            if abs(self.iv(x)).b > MAX_TRIG_ARG:
                raise InvalidAnswer(f"argument of {fn} too large to compute")
            if fn in ("sin", "cos", "tan"):
                if fn == "tan":
                    return self.div(self.iv_call("sin", x), self.iv_call("cos", x))
                return self.iv_call(fn, x)
            inner = {"sec": "cos", "csc": "sin", "cot": "tan"}[fn]
            if fn == "cot":
                return self.div(self.iv_call("cos", x), self.iv_call("sin", x))
            return self.div(Fraction(1), self.iv_call(inner, x))
        if fn == "atan":
            return self.ctx.atan2(self.iv(x), self.ctx.mpf(1))
        if fn in ("asin", "acos"):
            one_minus = self.sub(Fraction(1), self.mul(x, x))
            s = self.need_sign(one_minus)
            if s < 0:
                raise Undefined(f"{fn} of a number outside [-1, 1]")
            root = self.sqrt(one_minus)
            if fn == "asin":
                return self.ctx.atan2(self.iv(x), self.iv(root))
            return self.ctx.atan2(self.iv(root), self.iv(x))
        raise InvalidAnswer(f"unknown function {fn!r}")

    def constant(self, name: str) -> Any:
        if self.ctx is None:
            raise Inexact()
        return self.ctx.e if name == "e" else self.ctx.pi
