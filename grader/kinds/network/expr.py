"""Tiny exact arithmetic expressions that know their value and are written twice: with symbols and
with numbers.

    Sum([Prod([C_out, Prod([C_in, k_h, k_w], group=True)]), C_out])
      .math()             -> C_out·(C_in·k_h·k_w) + C_out      (a grader.formula node)
      .math(numeric=True) -> 12·(3·17·17) + 12
      .value              -> 10416

Used for every formula in the network kind's steps, so the printed numbers are the numbers the
answer is computed from. The shared printers (render/math) write them as text, LaTeX or MathML.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction

from ... import formula as F
from ...records import field, record

Value = int | Fraction


def num_text(v: Value) -> str:
    """A value as the answers write it (5/2, not 2.5): for messages and answer strings."""
    if isinstance(v, Fraction):
        return str(v.numerator) if v.denominator == 1 else f"{v.numerator}/{v.denominator}"
    return str(v)


def num(v: Value) -> F.Num:
    """A value as a formula's number, written as the answers write it (5/2 stays a fraction)."""
    return F.Num(num_text(v))


class E:
    """An expression with its value; `math` gives it as a formula (grader.formula), with its symbols
    or with their numbers."""

    @property
    def value(self) -> Value:
        raise NotImplementedError

    def math(self, numeric: bool = False) -> F.Math:
        raise NotImplementedError


@record
class Sym(E):
    """A named quantity: C_out (12); `latex` when the name is not LaTeX as it stands."""

    name: str
    val: Value
    latex: str = ""

    @property
    def value(self) -> Value:
        return self.val

    def math(self, numeric: bool = False) -> F.Math:
        return num(self.val) if numeric else F.Sym(self.name, latex=self.latex)


@record
class N(E):
    """A plain number, the same in both forms."""

    val: Value

    @property
    def value(self) -> Value:
        return self.val

    def math(self, numeric: bool = False) -> F.Math:
        return num(self.val)


@record
class Prod(E):
    items: Sequence[E]
    group: bool = False  # print in parentheses

    @property
    def value(self) -> Value:
        out: Value = 1
        for item in self.items:
            out = out * item.value
        return out

    def math(self, numeric: bool = False) -> F.Math:
        factors = tuple(i.math(numeric) for i in self.items)
        out = F.Mul(factors) if len(factors) > 1 else factors[0]
        return F.Group(out) if self.group else out


@record
class Sum(E):
    items: Sequence[E]
    signs: list[int] = field(default_factory=list)  # +1 / -1 per item (default all +)
    group: bool = False

    def _signs(self) -> list[int]:
        return self.signs or [1] * len(self.items)

    @property
    def value(self) -> Value:
        out: Value = 0
        for s, item in zip(self._signs(), self.items):
            out = out + s * item.value
        return out

    def _terms(self, numeric: bool, sign: int = 1) -> list[F.Math]:
        """The terms, with an ungrouped inner sum's terms taken in (a + b + c, not a + (b + c))."""
        out: list[F.Math] = []
        for s, item in zip(self._signs(), self.items):
            if isinstance(item, Sum) and not item.group:
                out += item._terms(numeric, sign * s)
            else:
                term = item.math(numeric)
                out.append(F.Neg(term) if sign * s < 0 else term)
        return out

    def math(self, numeric: bool = False) -> F.Math:
        terms = self._terms(numeric)
        out = F.Add(tuple(terms)) if len(terms) > 1 else terms[0]
        return F.Group(out) if self.group else out


@record
class Div(E):
    """a/b, exact."""

    a: E
    b: E

    @property
    def value(self) -> Value:
        return Fraction(self.a.value) / self.b.value

    def math(self, numeric: bool = False) -> F.Math:
        return F.Div(self.a.math(numeric), self.b.math(numeric))


def total(items: Sequence[E]) -> E:
    """The sum of several expressions (or the expression itself)."""
    if len(items) == 1:
        return items[0]
    return Sum(list(items))


def forms(expr: E) -> list[F.Math]:
    """What follows "lhs =": the symbols, the numbers, the value (a form equal to the one before it left out)."""
    out: list[F.Math] = []
    for form in (expr.math(False), expr.math(True), num(expr.value)):
        if not out or form != out[-1]:
            out.append(form)
    return out


def equation(label: str, expr: E) -> F.Rel:
    """label = symbols = numbers = value (the label in words: "conv2d-1: params")."""
    return F.eq(F.Words(label), *forms(expr))
