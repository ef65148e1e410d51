"""The value of a sympy expression at a point, exactly or as a rigorous interval.

The expected answer of an expression part is a sympy object built by a kind; to compare it with
a student's formula at a point, it is computed with the same bounded arithmetic (grader.answers.
arith) as the student's tree: exact where rational, intervals otherwise, and an operation with no
real value (log of a negative, division by zero) raises `Undefined`.

The expression is first frozen (`freeze`): its distinct subexpressions become a list of plain
nodes (tuples of names, Fractions and node numbers), in which nothing is a sympy object. A frozen
expression is computed without sympy, pickles without it, and is what an expected formula keeps
for the checks (grader.answers.expected): a worker process checks a formula against the key at
any point without importing sympy. Only a function grader's arithmetic does not cover (erf, a
non-integer gamma) keeps its sympy form, pickled, for sympy's evalf at exact points.
"""

from __future__ import annotations

from fractions import Fraction
from typing import TYPE_CHECKING, Any

from ..errors import InvalidAnswer
from .arith import Arith, Inexact, Undefined
from .reals import context

if TYPE_CHECKING:
    from .floats import FloatArith

MAX_NODES = 20_000
# the sympy functions grader's arithmetic computes, by the name Arith.call knows them by
_CALLS = ("exp", "Abs:abs", "sin", "cos", "tan", "tanh", "sinh", "cosh", "sec", "csc", "cot", "atan", "asin",
          "acos", "sign", "floor", "ceiling:ceil", "factorial", "binomial", "Max:max", "Min:min")


def sympy_value(expr: Any, env: dict[Any, Any], prec: int | None, arith: Arith | FloatArith | None = None) -> Any:
    """expr at the point `env` (sympy Symbol -> Fraction or interval): a Fraction or an interval.
    `prec` None computes exactly (raising arith.Inexact when the value is not rational)."""
    a = arith or Arith(context(prec) if prec is not None else None)
    return frozen(expr).value(a, {getattr(s, "name", s): v for s, v in env.items()})


class Frozen:
    """A sympy expression as plain nodes; `value` computes it exactly as sympy_value does.

    Node kinds: ("sym", name) ("rational", Fraction) ("float", Fraction) ("const", "e" | "pi")
    ("add", [i...]) ("mul", [(i, divides)...]) ("inv", i) ("pow", i, j) ("piecewise", [(i, cond)...])
    ("log", [i...]) ("call", name, [i...]) ("heaviside", [i...]) ("gamma", [i], blob)
    ("evalf", [i...], blob, name); a condition is ("true",) ("false",) ("and" | "or", [c...])
    ("not", c) ("rel", op, i, j) or ("cannot", text). The last node is the expression's own."""

    __slots__ = ("nodes",)

    def __init__(self, nodes: list[tuple[Any, ...]]):
        self.nodes = nodes

    def __getstate__(self) -> list[tuple[Any, ...]]:
        return self.nodes

    def __setstate__(self, nodes: list[tuple[Any, ...]]) -> None:
        self.nodes = nodes

    def value(self, a: Arith | FloatArith, env: dict[str, Any]) -> Any:
        return _Compute(self.nodes, a, env).run(len(self.nodes) - 1)


class _Compute:
    """One computation of a frozen expression at a point (each distinct node computed once)."""

    def __init__(self, nodes: list[tuple[Any, ...]], a: Arith | FloatArith, env: dict[str, Any]):
        self.nodes, self.a, self.env = nodes, a, env
        self.count = 0
        self.memo: dict[int, Any] = {}

    def run(self, i: int) -> Any:
        if i in self.memo:
            return self.memo[i]
        self.count += 1
        if self.count > MAX_NODES:
            raise InvalidAnswer("expression too large to evaluate")
        value = self._run(self.nodes[i])
        self.memo[i] = value
        return value

    def _run(self, node: tuple[Any, ...]) -> Any:
        a, tag = self.a, node[0]
        if tag == "sym":
            if node[1] in self.env:
                return self.env[node[1]]
            raise InvalidAnswer(f"no value for {node[1]}")
        if tag == "rational":
            return a.exact(node[1])
        if tag == "float":
            return node[1]
        if tag == "const":
            return a.constant(node[1])
        if tag == "add":
            terms = [self.run(i) for i in node[1]]
            total = terms[0]
            for x in terms[1:]:
                total = a.add(total, x)
            return total
        if tag == "mul":
            # a negative power in a product is a division: 1/x at x = 0 is undefined, not zero
            out: Any = Fraction(1)
            for i, divides in node[1]:
                out = a.div(out, self.run(i)) if divides else a.mul(out, self.run(i))
            return out
        if tag == "inv":
            return a.div(Fraction(1), self.run(node[1]))
        if tag == "pow":
            return a.power(self.run(node[1]), self.run(node[2]))
        if tag == "piecewise":
            for piece, cond in node[1]:
                if self.holds(cond):
                    return self.run(piece)
            raise Undefined("no piece of the formula applies here")
        args = [self.run(i) for i in (node[2] if tag == "call" else node[1])]  # every argument first
        if tag == "log":
            return a.log(args[0], args[1] if len(args) > 1 else None)
        if tag == "call":
            return a.call(node[1], args)
        if tag == "heaviside":
            s = a.need_sign(args[0])
            if s == 0:
                return a.exact(Fraction(1, 2)) if len(args) == 1 else args[1]
            return Fraction(1 if s > 0 else 0)
        if tag == "gamma":
            x = args[0]
            if isinstance(x, Fraction) and x.denominator == 1 and x > 0:
                return a.factorial(x - 1)
            return self.by_evalf(node[2], "gamma")
        return self.by_evalf(node[2], node[3])  # "evalf"

    def holds(self, cond: tuple[Any, ...]) -> bool:
        """Whether a Piecewise condition holds at the point (decided exactly or by enclosures)."""
        tag = cond[0]
        if tag in ("true", "false"):
            return tag == "true"
        if tag == "and":
            return all(self.holds(c) for c in cond[1])
        if tag == "or":
            return any(self.holds(c) for c in cond[1])
        if tag == "not":
            return not self.holds(cond[1])
        if tag == "rel":
            d = self.a.need_sign(self.a.sub(self.run(cond[2]), self.run(cond[3])))
            ops = {"<": d < 0, "<=": d <= 0, ">": d > 0, ">=": d >= 0, "==": d == 0, "!=": d != 0}
            if cond[1] in ops:
                return ops[cond[1]]
        raise InvalidAnswer(f"cannot evaluate the condition {cond[-1]}")

    def by_evalf(self, blob: bytes, name: str) -> Any:
        """A function without interval arithmetic here (erf, a non-integer gamma...): sympy's
        evalf at the exact point, which is accurate to the digits asked (an mpmath computation
        with error control), widened by 2^-(prec - 16) relative. Only at exact rational points."""
        if self.a.ctx is None:
            raise Inexact()
        if not all(isinstance(v, Fraction) for v in self.env.values()):
            raise InvalidAnswer(f"cannot evaluate {name} here")
        import pickle

        import sympy as sp

        e = pickle.loads(blob)  # noqa: S301 — written by freeze() from a kind's own expression
        point = {s: sp.Rational(self.env[s.name].numerator, self.env[s.name].denominator)
                 for s in e.free_symbols if getattr(s, "name", None) in self.env}
        prec = self.a.ctx.prec
        try:
            value = sp.N(e.xreplace(point), int(prec * 0.30103) + 10)
        except (AttributeError, TypeError, ValueError, ArithmeticError) as exc:
            raise InvalidAnswer(f"cannot evaluate {name} here") from exc
        if not getattr(value, "is_Float", False) or not value.is_finite:
            raise InvalidAnswer(f"cannot evaluate {name} here")
        ctx = self.a.ctx
        mid = ctx.mpf(str(value))
        radius = abs(mid) * ctx.mpf(2) ** (16 - prec) + ctx.mpf(2) ** (-4 * prec)
        return mid + ctx.mpf([-radius.b, radius.b])


# ---------------------------------------------------------------------------------------------
# freezing

_FROZEN: dict[Any, Frozen] = {}
FROZEN_ENTRIES = 512  # expressions kept frozen (a key meets every answer to its part); cleared when full


def frozen(expr: Any) -> Frozen:
    """`expr` frozen (remembered: the same key is computed at many points)."""
    if isinstance(expr, Frozen):
        return expr
    own = getattr(expr, "frozen", None)  # an expected value kept frozen (answers.expected.Expected)
    if isinstance(own, Frozen):
        return own
    try:
        found = _FROZEN.get(expr)
    except TypeError:  # not hashable
        return freeze(expr)
    if found is None:
        found = freeze(expr)
        if len(_FROZEN) >= FROZEN_ENTRIES:
            _FROZEN.clear()
        _FROZEN[expr] = found
    return found


def freeze(expr: Any) -> Frozen:
    """A sympy expression (or a number) as a Frozen."""
    return Frozen(_Freezer().nodes_of(expr))


class _Freezer:
    def __init__(self) -> None:
        import sympy as sp

        self.sp = sp
        self.nodes: list[tuple[Any, ...]] = []
        self.index: dict[Any, int] = {}
        self.calls = {getattr(sp, spec.split(":")[0]): spec.split(":")[-1] for spec in _CALLS}

    def nodes_of(self, expr: Any) -> list[tuple[Any, ...]]:
        if isinstance(expr, (int, Fraction)) and not isinstance(expr, bool):
            expr = self.sp.Rational(int(expr.numerator), int(expr.denominator))
        if not isinstance(expr, self.sp.Basic):
            raise TypeError(f"not an expression: {type(expr).__name__}")
        self.add(expr)
        return self.nodes

    def add(self, e: Any) -> int:
        found = self.index.get(e)
        if found is None:
            node = self.node(e)
            found = self.index[e] = len(self.nodes)
            self.nodes.append(node)
        return found

    def node(self, e: Any) -> tuple[Any, ...]:
        sp = self.sp
        if e.is_Symbol:
            return ("sym", e.name)
        if e.is_Rational:
            return ("rational", Fraction(int(e.p), int(e.q)))
        if e.is_Float:
            man, exp = e._mpf_[1], e._mpf_[2]
            v = Fraction(man) * (Fraction(2) ** exp) if exp < 0 else Fraction(man * 2**exp)
            return ("float", -v if e._mpf_[0] else v)
        if e is sp.E:
            return ("const", "e")
        if e is sp.pi:
            return ("const", "pi")
        if e.is_Add:
            return ("add", [self.add(x) for x in e.args])
        if e.is_Mul:
            factors = []
            for x in e.args:  # in sympy's order, computed one after the other
                if x.is_Pow and x.exp.is_Rational and x.exp < 0:
                    factors.append((self.add(x.base ** -x.exp), True))
                else:
                    factors.append((self.add(x), False))
            return ("mul", factors)
        if e.is_Pow:
            base, exp = e.args
            if exp.is_Rational and exp < 0:
                return ("inv", self.add(base ** -exp))
            return ("pow", self.add(base), self.add(exp))
        if isinstance(e, sp.Piecewise):
            return ("piecewise", [(self.add(piece), self.condition(cond)) for piece, cond in e.args])
        args = [self.add(x) for x in e.args]
        f = e.func
        if f is sp.log:
            return ("log", args)
        if f in self.calls:
            return ("call", self.calls[f], args)
        if f is sp.Heaviside:
            return ("heaviside", args)
        blob = _blob(e)
        if f is sp.gamma:
            return ("gamma", args, blob)
        return ("evalf", args, blob, e.func.__name__)

    def condition(self, cond: Any) -> tuple[Any, ...]:
        sp = self.sp
        if cond is sp.true or cond is True:
            return ("true",)
        if cond is sp.false or cond is False:
            return ("false",)
        if isinstance(cond, sp.And):
            return ("and", [self.condition(c) for c in cond.args])
        if isinstance(cond, sp.Or):
            return ("or", [self.condition(c) for c in cond.args])
        if isinstance(cond, sp.Not):
            return ("not", self.condition(cond.args[0]))
        if isinstance(cond, sp.core.relational.Relational):
            return ("rel", cond.rel_op, self.add(cond.lhs), self.add(cond.rhs), str(cond))
        return ("cannot", str(cond))


def _blob(e: Any) -> bytes:
    import pickle

    return pickle.dumps(e, protocol=5)
