"""Polynomials in a formula's atoms: the cheap proof of the commonest right answer.

A right answer is mostly the key in another notation: terms in another order, a product or a
square multiplied out, ln for log ((θ + 5)² − θ² − 10θ − 25 + 4 ln θ). Both formulas are written
as polynomials with exact rational coefficients in their *atoms* — the symbols, and each function
application or non-integer power, itself keyed by the polynomial of its arguments (log(1 − θ) is
the atom log of the polynomial 1 − θ) — with integer exponents (x⁻¹ is an atom to the power −1;
1/(1 + x) is the atom `inv` of 1 + x). When the two polynomials are the same, the formulas are
equal wherever both are defined: an atom with one key is one function of the symbols, and a
polynomial identity holds whatever values its variables take. Holes (x/x at 0) are the sample
points' business, as after any proof (grader.answers.equivalence).

The student's side is read from the tree (no sympy object is built), the key's from its sympy
expression (once per key). What neither form covers (a defined name, an unknown function, a
float), or what grows too large, is not decided here: the general proof (grader.answers.prove)
takes over. This can only prove; it never refutes.
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any

from .parser import Node

MAX_MONOMIALS = 300  # a form with more monomials is not written out (the general proof takes over)
MAX_WORK = 20_000  # monomial products (and terms added) in writing out one form
MAX_COEFFICIENT_BITS = 4000
MAX_POWER = 1000

Monomial = frozenset  # of (atom, integer exponent): the atoms of a monomial are distinct
Poly = dict  # Monomial -> nonzero Fraction


class NotPolynomial(Exception):
    """No polynomial form here: a construct it does not cover, or a form too large."""


_ONE: frozenset[Any] = frozenset()


def _const(c: Fraction) -> Poly:
    return {_ONE: Fraction(c)} if c else {}


def _atom(key: Any) -> Poly:
    return {frozenset({(key, 1)}): Fraction(1)}


def _key(p: Poly) -> frozenset[Any]:
    """A polynomial as an atom's argument (hashable, independent of the order of terms)."""
    return frozenset(p.items())


def _mul_monomials(a: frozenset[Any], b: frozenset[Any]) -> frozenset[Any]:
    if not a:
        return b
    if not b:
        return a
    exps = dict(a)
    for atom, e in b:
        total = exps.get(atom, 0) + e
        if total:
            exps[atom] = total
        else:
            del exps[atom]
    return frozenset(exps.items())


def _integer(p: Poly) -> int | None:
    """The value of a constant polynomial that is a whole number, else None."""
    if not p:
        return 0
    if len(p) == 1 and _ONE in p and p[_ONE].denominator == 1:
        return int(p[_ONE])
    return None


def _accumulate(p: Poly, m: frozenset[Any], c: Fraction) -> None:
    """p += c·m, dropping a monomial whose coefficient becomes 0."""
    v = p.get(m, 0) + c
    if v:
        p[m] = v
    else:
        p.pop(m, None)


def _bounded(p: Poly) -> Poly:
    if len(p) > MAX_MONOMIALS:
        raise NotPolynomial()
    return p


class _Algebra:
    """Sums, products and powers of polynomials, counting their work (bounded by MAX_WORK)."""

    def __init__(self) -> None:
        self.work = 0

    def spend(self, units: int) -> None:
        self.work += units
        if self.work > MAX_WORK:
            raise NotPolynomial()

    def add(self, p: Poly, q: Poly, sign: int = 1) -> Poly:
        self.spend(len(q))
        out = dict(p)
        for m, c in q.items():
            _accumulate(out, m, sign * c)
        return _bounded(out)

    def mul(self, p: Poly, q: Poly) -> Poly:
        self.spend(len(p) * len(q))
        out: Poly = {}
        for m1, c1 in p.items():
            for m2, c2 in q.items():
                _accumulate(out, _mul_monomials(m1, m2), c1 * c2)
        for c in out.values():
            if c.numerator.bit_length() + c.denominator.bit_length() > MAX_COEFFICIENT_BITS:
                raise NotPolynomial()
        return _bounded(out)

    def inverse(self, p: Poly) -> Poly:
        """1/p: a monomial's exponents negated, or the atom `inv` of a sum."""
        if not p:
            raise NotPolynomial()  # 1/0: undefined, not a polynomial
        if len(p) == 1:
            ((m, c),) = p.items()
            return {frozenset((atom, -e) for atom, e in m): 1 / c}
        return _atom(("inv", _key(p)))

    def power(self, p: Poly, n: int) -> Poly:
        if n < 0:
            return self.power(self.inverse(p), -n)
        if n > MAX_POWER:
            raise NotPolynomial()
        if len(p) == 1:  # a monomial: its exponents multiplied (no expansion)
            ((m, c),) = p.items()
            if (c.numerator.bit_length() + c.denominator.bit_length()) * n > MAX_COEFFICIENT_BITS:
                raise NotPolynomial()
            return {frozenset((atom, e * n) for atom, e in m): c**n}
        if n > 1 and math.comb(n + len(p) - 1, len(p) - 1) > MAX_MONOMIALS:
            raise NotPolynomial()  # more terms than a form may have, known before expanding
        out = _const(Fraction(1))
        for _ in range(n):
            out = self.mul(out, p)
        return out

    def exponent(self, base: Poly, exp: Poly) -> Poly:
        n = _integer(exp)
        if n is not None:
            return self.power(base, n)
        return _atom(("pow", _key(base), _key(exp)))


def _exp(x: Poly) -> Poly:
    return _atom(("exp", _key(x)))


# ---------------------------------------------------------------------------------------------
# the student's tree (read as grader.answers.evaluate.to_sympy reads it)

_TREE_FUNCTIONS = {"exp": "exp", "ln": "log", "sin": "sin", "cos": "cos", "tan": "tan", "tanh": "tanh",
                   "sinh": "sinh", "cosh": "cosh", "atan": "atan", "asin": "asin", "acos": "acos", "abs": "Abs",
                   "floor": "floor", "ceil": "ceiling", "sign": "sign", "factorial": "factorial"}
_LOG_DIVISORS = {"lg": 2, "log2": 2, "log10": 10}


def tree_form(node: Node, names: Any, log_base: Any = None) -> tuple[Poly, int]:
    """The polynomial form of a parsed formula in the declared (plain) `names`, and its work."""
    if log_base in ("e", "E"):
        log_base = None
    reader = _TreeForm(set(names), log_base)
    try:
        return reader.run(node), reader.work
    except (RecursionError, ZeroDivisionError, OverflowError, ValueError, TypeError):
        raise NotPolynomial() from None


class _TreeForm(_Algebra):
    def __init__(self, names: set[str], log_base: Any):
        super().__init__()
        self.names, self.log_base = names, log_base

    def run(self, n: Node) -> Poly:
        tag = n[0]
        if tag == "num":
            return _const(n[1])
        if tag == "name":
            name = n[1]
            if name in self.names:
                return _atom(("symbol", name))
            if name == "e":
                return _exp(_const(Fraction(1)))
            if name == "pi":
                return _atom(("pi",))
            raise NotPolynomial()  # a defined name, an infinity
        if tag == "neg":
            return self.add({}, self.run(n[1]), -1)
        if tag in ("+", "-"):
            return self.add(self.run(n[1]), self.run(n[2]), 1 if tag == "+" else -1)
        if tag == "*":
            return self.mul(self.run(n[1]), self.run(n[2]))
        if tag == "/":
            return self.mul(self.run(n[1]), self.inverse(self.run(n[2])))
        if tag == "^":
            if n[1] == ("name", "e") and "e" not in self.names:
                return _exp(self.run(n[2]))
            return self.exponent(self.run(n[1]), self.run(n[2]))
        if tag == "call":
            return self.call(n[1], [self.run(a) for a in n[2]])
        raise NotPolynomial()

    def call(self, fn: str, args: list[Poly]) -> Poly:
        x = args[0]
        if fn == "log" and len(args) == 1 and self.log_base is None:
            fn = "ln"
        if fn == "exp":
            return _exp(x)
        if fn in _TREE_FUNCTIONS and len(args) == 1:
            return _atom((_TREE_FUNCTIONS[fn], _key(x)))
        if fn == "sqrt":
            return self.exponent(x, _const(Fraction(1, 2)))
        if fn in ("log", "lg", "log2", "log10"):  # ln(x)/ln(base), as to_sympy writes it
            base = args[1] if len(args) > 1 else _const(Fraction(_LOG_DIVISORS.get(fn, self.log_base)))
            return self.mul(_atom(("log", _key(x))), self.inverse(_atom(("log", _key(base)))))
        if fn == "sigmoid":  # 1/(1 + exp(−x))
            return self.inverse(self.add(_const(Fraction(1)), _exp(self.add({}, x, -1))))
        if fn == "softplus":  # log(1 + exp(x))
            return _atom(("log", _key(self.add(_const(Fraction(1)), _exp(x)))))
        raise NotPolynomial()


# ---------------------------------------------------------------------------------------------
# the key's sympy expression

_SYMPY_FUNCTIONS = {"log", "sin", "cos", "tan", "tanh", "sinh", "cosh", "atan", "asin", "acos", "Abs",
                    "floor", "ceiling", "sign", "factorial"}


def sympy_form(expr: Any) -> tuple[Poly, int]:
    """The polynomial form of a sympy expression (its symbols read by name), and its work."""
    reader = _SympyForm()
    try:
        return reader.run(expr), reader.work
    except (RecursionError, ZeroDivisionError, OverflowError, ValueError, TypeError, AttributeError):
        raise NotPolynomial() from None


class _SympyForm(_Algebra):
    def run(self, e: Any) -> Poly:
        if e.is_Rational:
            return _const(Fraction(int(e.p), int(e.q)))
        if e.is_Symbol:
            return _atom(("symbol", e.name))
        if e.is_Add:
            out: Poly = {}
            for a in e.args:
                out = self.add(out, self.run(a))
            return out
        if e.is_Mul:
            out = _const(Fraction(1))
            for a in e.args:
                out = self.mul(out, self.run(a))
            return out
        if e.is_Pow:
            return self.exponent(self.run(e.base), self.run(e.exp))
        name = type(e).__name__
        if name == "Exp1":
            return _exp(_const(Fraction(1)))
        if name == "Pi":
            return _atom(("pi",))
        if e.is_Function and len(e.args) == 1 and (name == "exp" or name in _SYMPY_FUNCTIONS):
            x = self.run(e.args[0])
            return _exp(x) if name == "exp" else _atom((name, _key(x)))
        raise NotPolynomial()  # a float, an infinity, a function not covered
