"""The base of every math printer: dispatch on the node's class, parentheses by precedence, and
the structure every output shares (sums with their signs, products, relation chains). A printer
class supplies its tokens (`op`, `times`, `row`, `parens`, `number`) and the leaves."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from ... import formula as F

# binding strength: a node printed inside a stronger one gets parentheses
PREC = {"Rel": 0, "Add": 1, "Sub": 1, "Mul": 2, "Hadamard": 2, "Div": 2, "Partial": 2, "Sum": 2, "Over": 2, "Neg": 2, "Pow": 4}
ATOM = 5


def precedence(x: Any) -> int:
    if isinstance(x, F.Num) and _negative(x):
        return PREC["Neg"]
    if isinstance(x, F.Handwritten):
        return _handwritten_precedence(x.expr)
    if isinstance(x, F.WithUnit | F.Written):
        return precedence(x.value if isinstance(x, F.WithUnit) else x.typeset)
    return PREC.get(type(x).__name__, ATOM)


def _handwritten_precedence(e: Any) -> int:
    """How a sympy expression (or an exact number) binds as it is printed: a sum as a sum, a
    product, a fraction 7/2 or a power with a negative exponent (1/θ) as a product, a leading minus
    as a negation."""
    if isinstance(e, int | Fraction):
        return PREC["Neg"] if e < 0 else PREC["Div"] if isinstance(e, Fraction) and e.denominator != 1 else ATOM
    if e.is_Add:
        return PREC["Add"]
    if e.could_extract_minus_sign():
        return PREC["Neg"]
    if e.is_Mul or (e.is_Rational and not e.is_Integer) or (e.is_Pow and e.exp.is_negative):
        return PREC["Mul"]
    return PREC["Pow"] if e.is_Pow else ATOM


def _negative(x: F.Num) -> bool:
    v = x.value
    return v.startswith("-") if isinstance(v, str) else v < 0


class Printer:
    """Subclasses define the tokens below and `_print_<Node>` for the leaves and `_print_sympy`."""

    def doprint(self, x: Any) -> str:
        return self._print(F.node(x))

    def _print(self, x: Any) -> str:
        if isinstance(x, F.Sympy):
            return self._print_sympy(x.expr)
        method = getattr(self, f"_print_{type(x).__name__}", None)
        if method is None:
            raise TypeError(f"{type(self).__name__} cannot print {type(x).__name__}")
        return str(method(x))

    # --- tokens ---------------------------------------------------------------------------------

    def number(self, value: int | Fraction | str) -> str:
        raise NotImplementedError

    def op(self, symbol: str) -> str:
        """An operator or relation between two operands: "+", "−", "=", "≈" ..."""
        raise NotImplementedError

    def times(self, factor: Any) -> str:
        """What stands before `factor` in a product."""
        raise NotImplementedError

    def row(self, parts: list[str]) -> str:
        return "".join(parts)

    def parens(self, text: str) -> str:
        return f"({text})"

    def _print_sympy(self, expr: Any) -> str:
        raise NotImplementedError

    # --- the shared structure -------------------------------------------------------------------

    def inner(self, x: Any, below: int) -> str:
        """`x` printed inside a node of precedence `below`: in parentheses when it binds less."""
        out = self._print(x)
        return self.parens(out) if precedence(x) < below else out

    @staticmethod
    def negative(x: Any) -> bool:
        return isinstance(x, F.Neg) or (isinstance(x, F.Num) and _negative(x))

    def _magnitude(self, x: Any) -> str:
        if isinstance(x, F.Neg):
            return self.inner(x.operand, 2)
        v = x.value
        return self.number(v[1:] if isinstance(v, str) else -v)

    def _print_Num(self, x: F.Num) -> str:
        return self.number(x.value)

    def _print_Add(self, x: F.Add) -> str:
        parts = [self.inner(x.terms[0], 1)]
        for term in x.terms[1:]:
            parts += [self.op("−"), self._magnitude(term)] if self.negative(term) else [self.op("+"), self.inner(term, 2)]
        return self.row(parts)

    def _print_Sub(self, x: F.Sub) -> str:
        return self.row([self.inner(x.left, 1), self.op("−"), self.inner(x.right, 2)])

    def _print_Mul(self, x: F.Mul) -> str:
        parts = [self.inner(x.factors[0], 2)]
        for f in x.factors[1:]:
            text = self._print(f)
            parts += [self.times(f), self.parens(text) if precedence(f) < 2 or self.negative(f) else text]
        return self.row(parts)

    def _print_Hadamard(self, x: F.Hadamard) -> str:
        # a product after ⊙ is bracketed: a ⊙ (b·c), never a ⊙ b·c
        parts = [self.inner(x.factors[0], 2)]
        for f in x.factors[1:]:
            text = self._print(f)
            parts += [self.op("⊙"), self.parens(text) if precedence(f) < 2 or isinstance(f, F.Mul | F.Hadamard) else text]
        return self.row(parts)

    def _print_Rel(self, x: F.Rel) -> str:
        parts = [self._print(x.items[0])]
        for op, item in zip(x.ops, x.items[1:]):
            parts += [self.op(op), self._print(item)]
        return self.row(parts)

    def _print_Group(self, x: F.Group) -> str:
        return self.parens(self._print(x.body))

    def _print_Written(self, x: F.Written) -> str:
        return self._print(x.typeset)
