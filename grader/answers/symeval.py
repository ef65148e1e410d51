"""The value of a sympy expression at a point, exactly or as a rigorous interval.

The expected answer of an expression part is a sympy object built by a kind; to compare it with
a student's formula at a point, it is computed with the same bounded arithmetic (grader.answers.
arith) as the student's tree: exact where rational, intervals otherwise, and an operation with no
real value (log of a negative, division by zero) raises `Undefined`.
"""

from __future__ import annotations

from fractions import Fraction
from typing import TYPE_CHECKING, Any

from ..errors import InvalidAnswer
from .arith import Arith
from .reals import context

if TYPE_CHECKING:
    from .floats import FloatArith

MAX_NODES = 20_000


def sympy_value(expr: Any, env: dict[Any, Any], prec: int | None, arith: Arith | FloatArith | None = None) -> Any:
    """expr at the point `env` (sympy Symbol -> Fraction or interval): a Fraction or an interval.
    `prec` None computes exactly (raising arith.Inexact when the value is not rational)."""
    a = arith or Arith(context(prec) if prec is not None else None)
    return _Walk(a, env).run(expr)


class _Walk:
    def __init__(self, a: Arith | FloatArith, env: dict[Any, Any]):
        self.a = a
        self.env = env
        self.nodes = 0
        self.memo: dict[Any, Any] = {}

    def run(self, e: Any) -> Any:
        if e in self.memo:
            return self.memo[e]
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise InvalidAnswer("expression too large to evaluate")
        value = self._run(e)
        self.memo[e] = value
        return value

    def _run(self, e: Any) -> Any:
        import sympy as sp

        a = self.a
        if e.is_Symbol:
            if e in self.env:
                return self.env[e]
            raise InvalidAnswer(f"no value for {e}")
        if e.is_Rational:
            return a.exact(Fraction(int(e.p), int(e.q)))
        if e.is_Float:
            man, exp = e._mpf_[1], e._mpf_[2]
            v = Fraction(man) * (Fraction(2) ** exp) if exp < 0 else Fraction(man * 2**exp)
            return -v if e._mpf_[0] else v
        if e is sp.E:
            return a.constant("e")
        if e is sp.pi:
            return a.constant("pi")
        if e.is_Add:
            args = [self.run(x) for x in e.args]
            out = args[0]
            for x in args[1:]:
                out = a.add(out, x)
            return out
        if e.is_Mul:
            # a negative power in a product is a division: 1/x at x = 0 is undefined, not zero
            out = Fraction(1)
            for x in e.args:
                if x.is_Pow and x.exp.is_Rational and x.exp < 0:
                    out = a.div(out, self.run(x.base ** -x.exp))
                else:
                    out = a.mul(out, self.run(x))
            return out
        if e.is_Pow:
            base, exp = e.args
            if exp.is_Rational and exp < 0:
                return a.div(Fraction(1), self.run(base ** -exp))
            return a.power(self.run(base), self.run(exp))
        return self.function(e, sp)

    def function(self, e: Any, sp: Any) -> Any:
        a = self.a
        if isinstance(e, sp.Piecewise):
            for piece, cond in e.args:
                if self.holds(cond, sp):
                    return self.run(piece)
            from .arith import Undefined

            raise Undefined("no piece of the formula applies here")
        args = [self.run(x) for x in e.args]
        f = e.func
        names = {sp.exp: "exp", sp.Abs: "abs", sp.sin: "sin", sp.cos: "cos", sp.tan: "tan",
                 sp.tanh: "tanh", sp.sinh: "sinh", sp.cosh: "cosh", sp.sec: "sec", sp.csc: "csc",
                 sp.cot: "cot", sp.atan: "atan", sp.asin: "asin", sp.acos: "acos", sp.sign: "sign",
                 sp.floor: "floor", sp.ceiling: "ceil", sp.factorial: "factorial", sp.binomial: "binomial",
                 sp.Max: "max", sp.Min: "min"}
        if f is sp.log:
            return a.log(args[0], args[1] if len(args) > 1 else None)
        if f in names:
            return a.call(names[f], args)
        if f is sp.Heaviside:
            s = a.need_sign(args[0])
            if s == 0:
                return a.exact(Fraction(1, 2)) if len(args) == 1 else args[1]
            return Fraction(1 if s > 0 else 0)
        if f is sp.gamma:
            x = args[0]
            if isinstance(x, Fraction) and x.denominator == 1 and x > 0:
                return a.factorial(x - 1)
        return self.by_evalf(e, sp)

    def holds(self, cond: Any, sp: Any) -> bool:
        """Whether a Piecewise condition holds at the point (decided exactly or by enclosures)."""
        if cond is sp.true or cond is True:
            return True
        if cond is sp.false or cond is False:
            return False
        if isinstance(cond, sp.And):
            return all(self.holds(c, sp) for c in cond.args)
        if isinstance(cond, sp.Or):
            return any(self.holds(c, sp) for c in cond.args)
        if isinstance(cond, sp.Not):
            return not self.holds(cond.args[0], sp)
        if isinstance(cond, sp.core.relational.Relational):
            d = self.a.need_sign(self.a.sub(self.run(cond.lhs), self.run(cond.rhs)))
            ops = {"<": d < 0, "<=": d <= 0, ">": d > 0, ">=": d >= 0, "==": d == 0, "!=": d != 0}
            if cond.rel_op in ops:
                return ops[cond.rel_op]
        raise InvalidAnswer(f"cannot evaluate the condition {cond}")

    def by_evalf(self, e: Any, sp: Any) -> Any:
        """A function without interval arithmetic here (erf, a non-integer gamma...): sympy's
        evalf at the exact point, which is accurate to the digits asked (an mpmath computation
        with error control), widened by 2^-(prec - 16) relative. Only at exact rational points."""
        if self.a.ctx is None:
            from .arith import Inexact

            raise Inexact()
        if not all(isinstance(v, Fraction) for v in self.env.values()):
            raise InvalidAnswer(f"cannot evaluate {e.func.__name__} here")
        point = {s: sp.Rational(v.numerator, v.denominator) for s, v in self.env.items()}
        prec = self.a.ctx.prec
        try:
            value = sp.N(e.xreplace(point), int(prec * 0.30103) + 10)
        except (AttributeError, TypeError, ValueError, ArithmeticError) as exc:
            raise InvalidAnswer(f"cannot evaluate {e.func.__name__} here") from exc
        if not getattr(value, "is_Float", False) or not value.is_finite:
            raise InvalidAnswer(f"cannot evaluate {e.func.__name__} here")
        ctx = self.a.ctx
        mid = ctx.mpf(str(value))
        radius = abs(mid) * ctx.mpf(2) ** (16 - prec) + ctx.mpf(2) ** (-4 * prec)
        return mid + ctx.mpf([-radius.b, radius.b])
