"""Computing a parsed tree: exactly with Fractions where the math is exact, bounded everywhere.

`evaluate` gives a number (Fraction when exact, float otherwise) and never builds anything
unbounded: powers, factorials and results are size-checked before they are computed.
`to_sympy` builds a sympy expression from the tree node by node (never from text).
"""

from __future__ import annotations

import math
import time
from fractions import Fraction
from typing import Any

from ..errors import InvalidAnswer
from .parser import Node, names_in

MAX_FACTORIAL = 1000
MAX_RESULT_BITS = 40_000  # about 12,000 decimal digits
TIME_LIMIT = 1.0  # seconds for one evaluation

Number = Fraction | float


def _bits(x: Fraction) -> int:
    return max(x.numerator.bit_length(), x.denominator.bit_length())


class _Evaluator:
    def __init__(self, env: dict[str, Any] | None, log_base: Any, deadline: float):
        self.env = env or {}
        self.log_base = None if log_base in ("e", "E") else log_base  # `log_base: e` is the natural log
        self.deadline = deadline

    def run(self, node: Node) -> Number:
        if time.monotonic() > self.deadline:
            raise InvalidAnswer("took too long to compute")
        tag = node[0]
        if tag == "num":
            return node[1]
        if tag == "name":
            return self.name(node[1])
        if tag == "neg":
            return -self.run(node[1])
        if tag in ("+", "-", "*", "/"):
            a, b = self.run(node[1]), self.run(node[2])
            if tag == "+":
                return self.finite(a + b)
            if tag == "-":
                return self.finite(a - b)
            if tag == "*":
                if isinstance(a, Fraction) and isinstance(b, Fraction) and _bits(a) + _bits(b) > MAX_RESULT_BITS:
                    raise InvalidAnswer("number too large")
                return self.finite(a * b)
            if b == 0:
                raise InvalidAnswer("division by zero")
            return self.finite(a / b)
        if tag == "^":
            return self.power(self.run(node[1]), self.run(node[2]))
        if tag == "!":
            return Fraction(self.factorial(self.run(node[1])))
        if tag == "call":
            return self.call(node[1], [self.run(a) for a in node[2]])
        if tag == "list":
            raise InvalidAnswer("a single number was expected, not a list")
        raise InvalidAnswer(f"cannot compute {tag!r}")

    def name(self, name: str) -> Number:
        if name in self.env:
            return self.env[name]
        if name == "e":
            return math.e
        if name == "pi":
            return math.pi
        if name in ("inf", "infinity", "oo"):
            return math.inf
        raise InvalidAnswer(f"unknown name {name!r}: a number was expected")

    @staticmethod
    def finite(x: Number) -> Number:
        if isinstance(x, float) and math.isnan(x):
            raise InvalidAnswer("not a number (an undefined operation such as inf - inf)")
        return x

    def power(self, base: Number, exp: Number) -> Number:
        if isinstance(base, Fraction) and isinstance(exp, Fraction) and exp.denominator == 1:
            n = exp.numerator
            if base in (0, 1, -1) or n == 0:
                if base == 0 and n < 0:
                    raise InvalidAnswer("division by zero (0 to a negative power)")
                return base**n
            if abs(n) * _bits(base) <= MAX_RESULT_BITS:
                return base**n
        try:
            b, e = float(base), float(exp)
            if b < 0 and not e.is_integer():
                raise InvalidAnswer("a negative number to a fractional power is not real")
            result: float = math.pow(b, e)
        except OverflowError:
            raise InvalidAnswer("number too large") from None
        except ValueError:
            raise InvalidAnswer("power is not defined here") from None
        return result

    def factorial(self, x: Number) -> int:
        if not (isinstance(x, Fraction) and x.denominator == 1 and x >= 0):
            raise InvalidAnswer("factorial needs a non-negative whole number")
        if x > MAX_FACTORIAL:
            raise InvalidAnswer(f"factorial of {x} is too large (at most {MAX_FACTORIAL}!)")
        return math.factorial(int(x))

    def log(self, x: Number, base: Number | None) -> Number:
        if x <= 0:
            raise InvalidAnswer("logarithm of a number that is not positive")
        if x == math.inf:
            return math.inf
        value = math.log(x) if not isinstance(x, Fraction) else _log_fraction(x)
        if base is not None:
            if base <= 0 or base == 1:
                raise InvalidAnswer("logarithm base must be positive and not 1")
            value /= math.log(base) if not isinstance(base, Fraction) else _log_fraction(base)
        return value

    def call(self, fn: str, args: list[Number]) -> Number:
        x = args[0]
        try:
            if fn in ("ln",):
                return self.log(x, None)
            if fn == "log":
                return self.log(x, args[1] if len(args) > 1 else self.log_base)
            if fn in ("lg", "log2"):
                return self.log(x, Fraction(2))
            if fn == "log10":
                return self.log(x, Fraction(10))
            if fn == "exp":
                return math.exp(x)
            if fn == "sqrt":
                if x < 0:
                    raise InvalidAnswer("square root of a negative number")
                if isinstance(x, Fraction):
                    rn, rd = math.isqrt(x.numerator), math.isqrt(x.denominator)
                    if rn * rn == x.numerator and rd * rd == x.denominator:
                        return Fraction(rn, rd)
                return math.sqrt(x)
            if fn == "abs":
                return Fraction(abs(x)) if isinstance(x, Fraction) else math.fabs(x)
            if fn in ("sigmoid", "sigma"):
                return 1 / (1 + math.exp(-float(x))) if float(x) > -700 else 0.0
            if fn == "relu":
                return x if x > 0 else Fraction(0)
            if fn == "softplus":
                return math.log1p(math.exp(float(x))) if float(x) < 700 else float(x)
            if fn == "max":
                return max(args)
            if fn == "min":
                return min(args)
            if fn == "floor":
                return Fraction(math.floor(x)) if math.isfinite(x) else x
            if fn == "ceil":
                return Fraction(math.ceil(x)) if math.isfinite(x) else x
            if fn == "factorial":
                return Fraction(self.factorial(x))
            if fn == "binomial":
                n, k = x, args[1]
                if not all(isinstance(v, Fraction) and v.denominator == 1 for v in (n, k)) or n > 100_000:
                    raise InvalidAnswer("binomial needs whole numbers (n at most 100000)")
                return Fraction(math.comb(int(n), int(k))) if 0 <= k <= n else Fraction(0)
            if fn in ("sin", "cos", "tan", "tanh"):
                return float(getattr(math, fn)(x))
        except OverflowError:
            raise InvalidAnswer(f"{fn}() result too large") from None
        raise InvalidAnswer(f"unknown function {fn!r}")


def _log_fraction(x: Fraction) -> float:
    # log of a huge exact rational without converting it to a float first
    return math.log(x.numerator) - math.log(x.denominator)


def evaluate(node: Node, env: dict[str, Any] | None = None, log_base: Any = None) -> Number:
    """The value of a parsed tree: a Fraction when exact, else a float. Raises InvalidAnswer."""
    try:
        return _Evaluator(env, log_base, time.monotonic() + TIME_LIMIT).run(node)
    except RecursionError:
        raise InvalidAnswer("formula nested too deeply") from None
    except (ZeroDivisionError, ValueError, TypeError) as exc:
        raise InvalidAnswer(f"cannot compute: {exc}") from None


def to_sympy(node: Node, symbols: dict[str, Any], log_base: Any = None) -> Any:
    """Build a sympy expression from a tree, using only the given symbols and whitelisted functions.

    Constant sub-trees are first evaluated numerically (bounded) so that `9^9^9^9` or `100000!`
    are refused before sympy is asked to build them.
    """
    import sympy as sp

    def build(n: Node) -> Any:
        tag = n[0]
        if tag != "list" and not (names_in(n) - {"e", "pi", "inf", "infinity", "oo"}):
            evaluate(n, log_base=log_base)  # raises InvalidAnswer if it is unbounded
        if tag == "num":
            return sp.Rational(n[1].numerator, n[1].denominator)
        if tag == "name":
            name = n[1]
            if name in symbols:
                return symbols[name]
            if name == "e":
                return sp.E
            if name == "pi":
                return sp.pi
            if name in ("inf", "infinity", "oo"):
                return sp.oo
            allowed = ", ".join(sorted(symbols)) or "none"
            raise InvalidAnswer(f"unknown symbol {name!r} (this answer may use: {allowed})")
        if tag == "neg":
            return -build(n[1])
        if tag == "+":
            return build(n[1]) + build(n[2])
        if tag == "-":
            return build(n[1]) - build(n[2])
        if tag == "*":
            return build(n[1]) * build(n[2])
        if tag == "/":
            return build(n[1]) / build(n[2])
        if tag == "^":
            if not names_in(n[2]) - {"e", "pi"}:
                exponent = evaluate(n[2], log_base=log_base)
                if abs(float(exponent)) > 1000:
                    raise InvalidAnswer("exponent too large (at most 1000)")
            return build(n[1]) ** build(n[2])
        if tag == "!":
            return sp.factorial(build(n[1]))
        if tag == "call":
            args = [build(a) for a in n[2]]
            return _sympy_call(sp, n[1], args, log_base)
        if tag == "list":
            return [build(x) for x in n[1]]
        raise InvalidAnswer(f"cannot use {tag!r} here")

    try:
        return build(node)
    except RecursionError:
        raise InvalidAnswer("formula nested too deeply") from None


def _sympy_call(sp: Any, fn: str, args: list[Any], log_base: Any) -> Any:
    x = args[0]
    if fn == "ln":
        return sp.log(x)
    if fn == "log":
        base = args[1] if len(args) > 1 else log_base
        return sp.log(x) if base is None else sp.log(x) / sp.log(exact_to_sympy(base))
    if fn in ("lg", "log2"):
        return sp.log(x) / sp.log(2)
    if fn == "log10":
        return sp.log(x) / sp.log(10)
    if fn in ("sigmoid", "sigma"):
        return 1 / (1 + sp.exp(-x))
    if fn == "relu":
        return sp.Max(0, x)
    if fn == "softplus":
        return sp.log(1 + sp.exp(x))
    table = {"exp": sp.exp, "sqrt": sp.sqrt, "abs": sp.Abs, "sin": sp.sin, "cos": sp.cos,
             "tan": sp.tan, "tanh": sp.tanh, "max": sp.Max, "min": sp.Min, "floor": sp.floor,
             "ceil": sp.ceiling, "factorial": sp.factorial, "binomial": sp.binomial}
    return table[fn](*args)


def exact_to_sympy(value: Any) -> Any:
    """A trusted Python number (int, Fraction, float, "e") as a sympy number, without parsing text."""
    import sympy as sp

    if isinstance(value, sp.Basic):
        return value
    if isinstance(value, bool):
        return sp.Integer(int(value))
    if isinstance(value, int):
        return sp.Integer(value)
    if isinstance(value, Fraction):
        return sp.Rational(value.numerator, value.denominator)
    if isinstance(value, float):
        if value == math.e:
            return sp.E
        return sp.Float(value)
    if value == "e":
        return sp.E
    raise TypeError(f"not a number: {value!r}")


def plain_number(value: Any) -> Fraction | float | None:
    """A YAML/JSON number as an exact value (a float as the decimal it was written as: 0.1 is
    1/10), None for text (which goes through the parser), InvalidAnswer for anything else."""
    if isinstance(value, bool):
        raise InvalidAnswer("a number was expected, not true/false")
    if isinstance(value, int):
        return Fraction(value)
    if isinstance(value, float):
        if math.isnan(value):
            raise InvalidAnswer("not a number")
        return value if math.isinf(value) else Fraction(repr(value))
    if isinstance(value, str):
        return None
    raise InvalidAnswer("a number was expected")
