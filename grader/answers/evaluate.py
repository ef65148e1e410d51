"""Computing a parsed tree: exactly with Fractions where the math is exact, bounded everywhere.

`evaluate_real` gives a Fraction when the value is rational, and otherwise a `Real` that can be
enclosed to any precision (no float ever stands for an exact value: exp(-1000) is not 0).
`evaluate` is the float-tolerant form kept for spec numbers. `to_sympy` builds a sympy expression
from the tree node by node (never from text). All of them bound their work by sizes (token
count, bits of intermediate results, factorial and binomial sizes), not by a clock.
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from ..errors import InvalidAnswer
from .arith import Arith, Inexact
from .parser import Node
from .reals import PRECISIONS, NeedPrecision, Real, context

if TYPE_CHECKING:
    from .floats import FloatArith

MAX_SYMBOLIC_EXPONENT = 1000
INFINITY_NAMES = ("inf", "infinity", "oo")

Number = Fraction | float


class _Walker:
    """One pass over a tree with one Arith (exact, or intervals at one precision)."""

    def __init__(self, arith: Arith | FloatArith, env: dict[str, Any] | None, log_base: Any,
                 memo: dict[int, Any] | None = None):
        self.a = arith
        self.env = env or {}
        self.log_base = None if log_base in ("e", "E", None) else Fraction(log_base)
        self.memo = memo  # exact mode only: id(node) -> value or Inexact

    def run(self, node: Node) -> Any:
        if self.memo is not None:
            key = id(node)
            if key in self.memo:
                hit = self.memo[key]
                if hit is Inexact:
                    raise Inexact()
                return hit
            try:
                value = self._run(node)
            except Inexact:
                self.memo[key] = Inexact
                raise
            self.memo[key] = value
            return value
        return self._run(node)

    def _run(self, node: Node) -> Any:
        a = self.a
        tag = node[0]
        if tag == "num":
            return a.exact(node[1])
        if tag == "name":
            return self.name(node[1])
        if tag == "neg":
            return a.neg(self.run(node[1]))
        if tag == "+":
            return a.add(self.run(node[1]), self.run(node[2]))
        if tag == "-":
            return a.sub(self.run(node[1]), self.run(node[2]))
        if tag == "*":
            return a.mul(self.run(node[1]), self.run(node[2]))
        if tag == "/":
            return a.div(self.run(node[1]), self.run(node[2]))
        if tag == "^":
            return a.power(self.run(node[1]), self.run(node[2]))
        if tag == "!":
            return a.factorial(self.run(node[1]))
        if tag == "call":
            args = [self.run(x) for x in node[2]]
            if node[1] == "log" and len(args) == 1 and self.log_base is not None:
                args.append(self.log_base)
            return a.call(node[1], args)
        if tag == "list":
            raise InvalidAnswer("a single number was expected, not a list")
        raise InvalidAnswer(f"cannot compute {tag!r}")

    def name(self, name: str) -> Any:
        if name in self.env:
            return self.env[name]
        if name in ("e", "pi"):
            return self.a.constant(name)
        if name in INFINITY_NAMES:
            raise InvalidAnswer("infinity can be an answer on its own (inf, -inf), not part of a computation")
        raise InvalidAnswer(f"unknown name {name!r}: a number was expected")


def _infinity(node: Node) -> float | None:
    sign = 1
    while node[0] == "neg":
        sign, node = -sign, node[1]
    if node[0] == "name" and node[1] in INFINITY_NAMES:
        return sign * math.inf
    return None


def evaluate_real(node: Node, env: dict[str, Any] | None = None, log_base: Any = None,
                  text: str = "") -> Fraction | Real | float:
    """The value of a tree: a Fraction when rational, ±inf for an infinity written alone, else a
    Real enclosed on demand. Raises InvalidAnswer (undefined, too large, unknown name)."""
    inf = _infinity(node)
    if inf is not None:
        return inf
    try:
        return _Walker(Arith(None), env, log_base).run(node)
    except Inexact:
        pass
    except RecursionError:
        raise InvalidAnswer("formula nested too deeply") from None

    def compute(prec: int) -> Any:
        try:
            return _Walker(Arith(context(prec)), env, log_base).run(node)
        except RecursionError:
            raise InvalidAnswer("formula nested too deeply") from None
        except (ZeroDivisionError, ValueError, OverflowError) as exc:
            raise InvalidAnswer(f"cannot compute: {exc}") from None

    real = Real(compute, text, node, log_base)
    for prec in PRECISIONS:  # surface an undefined operation now, not at comparison time
        if real.enclose(prec) is not None:
            break
    value = real.enclose(PRECISIONS[0])
    if isinstance(value, Fraction):
        return value  # rational after all (floor(sqrt(2)) = 1)
    return real


def evaluate(node: Node, env: dict[str, Any] | None = None, log_base: Any = None) -> Number:
    """The value of a tree as a Fraction when exact, else a float (for spec numbers and displays;
    answers are compared with `evaluate_real`, never with the float)."""
    try:
        value = evaluate_real(node, env, log_base)
    except (ZeroDivisionError, ValueError, TypeError) as exc:
        raise InvalidAnswer(f"cannot compute: {exc}") from None
    if isinstance(value, Real):
        f = float(value)
        if math.isnan(f):
            raise InvalidAnswer("cannot compute this number")
        return f
    return value


# ---------------------------------------------------------------------------------------------
# sympy


def _constness(node: Node, out: dict[int, bool]) -> bool:
    """Mark every node of the tree: True when it has no free names (e and pi are constants)."""
    tag = node[0]
    if tag == "num":
        c = True
    elif tag == "name":
        c = node[1] in ("e", "pi")
    elif tag == "call":
        c = all([_constness(x, out) for x in node[2]])
    elif tag == "list":
        c = False
        for x in node[1]:
            _constness(x, out)
    else:
        c = all([_constness(x, out) for x in node[1:] if isinstance(x, tuple)])
    out[id(node)] = c
    return c


def sympy_leaf(n: Node, names: dict[str, Any]) -> Any:
    """The sympy value of a number, of a name bound in `names`, or of e or pi; None otherwise."""
    import sympy as sp

    if n[0] == "num":
        return sp.Rational(n[1].numerator, n[1].denominator)
    if n[0] == "name":
        if n[1] in names:
            return names[n[1]]
        return {"e": sp.E, "pi": sp.pi}.get(n[1])
    return None


def to_sympy(node: Node, symbols: dict[str, Any], log_base: Any = None) -> Any:
    """Build a sympy expression from a tree, using only the given symbols and whitelisted functions.

    Constant sub-trees are computed first with the bounded evaluator (exactly when rational), so
    `binomial(100000, 50000)`, `9^9^9^9` or `100000!` are refused before sympy is asked to build
    them, and each constant is computed once however deep it sits.
    """
    import sympy as sp

    return _formula_walk(node, symbols, log_base, sp)


class BuildNow(Exception):
    """The tree has something whose sympy form decides how it is read (a list, an infinity, a
    deep nesting): it is built at once, so that whatever building it says, it says now."""


DEFERRED_DEPTH = 40  # deeper trees are built at once (cheap insurance: sympy may recurse on its own)


def check_formula(node: Node, names: Any, log_base: Any = None) -> None:
    """Every check to_sympy makes on the tree (unknown names, undefined constants, exponents too
    large), in the same order and with the same messages, without building anything: a formula
    that passes builds later without complaint. Raises InvalidAnswer as to_sympy would, or
    BuildNow for a tree to build at once."""
    _formula_walk(node, dict.fromkeys(names, True), log_base, None)


_DEFERRABLE_LOG_BASES = (int, float, Fraction)


def _formula_walk(node: Node, symbols: dict[str, Any], log_base: Any, sp: Any) -> Any:
    """to_sympy's walk: with `sp` (the sympy module) it builds; with None it only checks."""
    const: dict[int, bool] = {}
    try:
        _constness(node, const)
    except RecursionError:
        raise InvalidAnswer("formula nested too deeply") from None
    memo: dict[int, Any] = {}
    exact = _Walker(Arith(None), None, log_base, memo)

    def constant(n: Node) -> Fraction | None:
        """The exact value of a constant sub-tree, or None when it is not rational."""
        try:
            value: Fraction = exact.run(n)
            return value
        except Inexact:
            return None

    def build(n: Node, top_const: bool = True, depth: int = 0) -> Any:
        if sp is None and depth > DEFERRED_DEPTH:
            raise BuildNow()
        tag = n[0]
        if const.get(id(n)) and top_const:
            r = constant(n)
            if r is not None:
                return sp.Rational(r.numerator, r.denominator) if sp is not None else None
            # an irrational constant: defined? (log(-1) is not a real number)
            evaluate_real(n, None, log_base)
            return build(n, False, depth)
        if tag in ("num", "name"):
            if sp is None:
                if tag == "num" or n[1] in symbols or n[1] in ("e", "pi"):
                    return None
            else:
                leaf = sympy_leaf(n, symbols)
                if leaf is not None:
                    return leaf
            name = n[1]
            if name in INFINITY_NAMES:
                if sp is None:
                    raise BuildNow()
                return sp.oo
            allowed = ", ".join(sorted(symbols)) or "none"
            raise InvalidAnswer(f"unknown symbol {name!r} (this answer may use: {allowed})")

        def child(c: Node) -> Any:
            return build(c, True, depth + 1)

        if tag == "neg":
            x = child(n[1])
            return -x if sp is not None else None
        if tag in ("+", "-", "*", "/"):
            a, b = child(n[1]), child(n[2])
            if sp is None:
                return None
            return a + b if tag == "+" else a - b if tag == "-" else a * b if tag == "*" else a / b
        if tag == "^":
            if const.get(id(n[2])):
                exponent = constant(n[2])
                size: Any = abs(exponent) if exponent is not None else abs(evaluate(n[2], None, log_base))
                if size > MAX_SYMBOLIC_EXPONENT:
                    raise InvalidAnswer(f"exponent too large (at most {MAX_SYMBOLIC_EXPONENT})")
            base, power = child(n[1]), child(n[2])
            return base ** power if sp is not None else None
        if tag == "!":
            x = child(n[1])
            return sp.factorial(x) if sp is not None else None
        if tag == "call":
            args = [child(a) for a in n[2]]
            if sp is not None:
                return _sympy_call(sp, n[1], args, log_base)
            if n[1] not in _SYMPY_FUNCTIONS or (n[1] == "log" and len(args) == 1 and log_base not in ("e", "E", None)
                                                 and not isinstance(log_base, _DEFERRABLE_LOG_BASES)):
                raise BuildNow()
            return None
        if tag == "list":
            if sp is None:
                raise BuildNow()
            return [child(x) for x in n[1]]
        raise InvalidAnswer(f"cannot use {tag!r} here")

    try:
        return build(node)
    except RecursionError:
        raise InvalidAnswer("formula nested too deeply") from None


# the functions _sympy_call builds (every function the parser reads)
_SYMPY_FUNCTIONS = frozenset({
    "ln", "log", "lg", "log2", "log10", "sigmoid", "sigma", "relu", "softplus", "ceil", "exp", "sqrt", "abs", "sin",
    "cos", "tan", "tanh", "sinh", "cosh", "sec", "csc", "cot", "atan", "asin", "acos", "sign", "max", "min", "floor",
    "factorial", "binomial"})


def _sympy_call(sp: Any, fn: str, args: list[Any], log_base: Any) -> Any:
    x = args[0]
    if fn == "ln":
        return sp.log(x)
    if fn == "log":
        base = args[1] if len(args) > 1 else log_base
        if base in ("e", "E"):
            base = None
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
    if fn == "ceil":
        return sp.ceiling(x)
    table = {"exp": sp.exp, "sqrt": sp.sqrt, "abs": sp.Abs, "sin": sp.sin, "cos": sp.cos,
             "tan": sp.tan, "tanh": sp.tanh, "sinh": sp.sinh, "cosh": sp.cosh, "sec": sp.sec,
             "csc": sp.csc, "cot": sp.cot, "atan": sp.atan, "asin": sp.asin, "acos": sp.acos,
             "sign": sp.sign, "max": sp.Max, "min": sp.Min, "floor": sp.floor,
             "factorial": sp.factorial, "binomial": sp.binomial}
    return table[fn](*args)


def exact_to_sympy(value: Any) -> Any:
    """A trusted Python number (int, Fraction, float, "e") as a sympy number, without parsing text."""
    from .expected import Expected

    if isinstance(value, Expected):
        return value.expr
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
        if math.isinf(value):
            return sp.oo if value > 0 else -sp.oo
        return sp.Float(value)
    if value == "e":
        return sp.E
    if isinstance(value, str) and value in ("inf", "-inf"):
        return sp.oo if value == "inf" else -sp.oo
    raise TypeError(f"not a number: {value!r}")


MAX_PLAIN_BITS = 40_000


def plain_number(value: Any) -> Fraction | float | None:
    """A YAML/JSON number as an exact value (a float as the decimal it was written as: 0.1 is
    1/10), None for text (which goes through the parser), InvalidAnswer for anything else."""
    if isinstance(value, bool):
        raise InvalidAnswer("a number was expected, not true/false")
    if isinstance(value, int):
        if value.bit_length() > MAX_PLAIN_BITS:
            raise InvalidAnswer(f"number too large ({value.bit_length()} bits)")
        return Fraction(value)
    if isinstance(value, float):
        if math.isnan(value):
            raise InvalidAnswer("not a number")
        return value if math.isinf(value) else Fraction(repr(value))
    if isinstance(value, Fraction):
        return value
    if isinstance(value, str):
        return None
    raise InvalidAnswer("a number was expected")


__all__ = ["NeedPrecision", "Real", "evaluate", "evaluate_real", "exact_to_sympy", "plain_number", "to_sympy"]
