"""Tiny exact arithmetic expressions that know their value and are written twice: with symbols and
with numbers.

    Sum([Prod([C_out, Prod([C_in, k_h, k_w], group=True)]), C_out])
      .text()            -> "C_out·(C_in·k_h·k_w) + C_out"
      .text(numeric=True) -> "12·(3·17·17) + 12"
      .value             -> 10416

Used for every formula in the network kind's steps, so the printed numbers are the numbers the
answer is computed from. `.math()` is the formula (grader.formula); the text and LaTeX are printed
from it by the shared printers (render/math), as for every other kind.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from fractions import Fraction

from ... import formula as F
from ...render.math import latex as print_latex
from ...render.math import text as print_text

Value = int | Fraction


_TEX_ESCAPES = {"\\": r"\textbackslash{}", "_": r"\_", "%": r"\%", "&": r"\&", "#": r"\#", "$": r"\$",
                "{": r"\{", "}": r"\}", "^": r"\^{}", "~": r"\~{}", "γ": r"$\gamma$", "β": r"$\beta$",
                "α": r"$\alpha$", "×": r"$\times$", "→": r"$\to$", "·": r"$\cdot$", "−": "-", "⌊": r"$\lfloor$",
                "⌋": r"$\rfloor$", "⌈": r"$\lceil$", "⌉": r"$\rceil$", "≈": r"$\approx$", "≥": r"$\geq$",
                "≤": r"$\leq$", "←": r"$\leftarrow$"}


def tex_text(text: str) -> str:
    """Plain words as LaTeX: \\text{...} with the special characters escaped."""
    return r"\text{" + "".join(_TEX_ESCAPES.get(ch, ch) for ch in text) + "}"


def num_text(v: Value) -> str:
    if isinstance(v, Fraction):
        return str(v.numerator) if v.denominator == 1 else f"{v.numerator}/{v.denominator}"
    return str(v)


def num_latex(v: Value) -> str:
    if isinstance(v, Fraction) and v.denominator != 1:
        sign = "-" if v < 0 else ""
        return rf"{sign}\tfrac{{{abs(v.numerator)}}}{{{v.denominator}}}"
    return num_text(v)


class E:
    """An expression with its value; `math` gives it as a formula (grader.formula), with its symbols
    or with their numbers, and the shared printers (render/math) write it as text or LaTeX."""

    @property
    def value(self) -> Value:
        raise NotImplementedError

    def math(self, numeric: bool = False) -> F.Math:
        raise NotImplementedError

    def text(self, numeric: bool = False) -> str:
        return print_text(self.math(numeric))

    def latex(self, numeric: bool = False) -> str:
        return print_latex(self.math(numeric))


def _number(v: Value) -> F.Num:
    return F.Num(num_text(v))  # 5/2 stays a fraction (not 2.5), as the answers write it


@dataclass
class Sym(E):
    """A named quantity: C_out (12)."""

    name: str
    tex: str
    val: Value

    @property
    def value(self) -> Value:
        return self.val

    def math(self, numeric: bool = False) -> F.Math:
        return _number(self.val) if numeric else F.Sym(self.name, latex=self.tex)


def N(v: Value) -> Sym:
    """A plain number, the same in both forms."""
    return Sym(num_text(v), num_latex(v), v)


@dataclass
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


@dataclass
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


@dataclass
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


def equation(lhs: str, expr: E, lhs_tex: str | None = None, result: Value | None = None) -> tuple[str, str]:
    """("lhs = symbols = numbers = value", its LaTeX), leaving out repeated forms."""
    value = expr.value if result is None else result
    forms = [expr.text(False), expr.text(True), num_text(value)]
    tex_forms = [expr.latex(False), expr.latex(True), num_latex(value)]
    text, tex = [lhs], [lhs_tex if lhs_tex is not None else lhs]
    for f, t in zip(forms, tex_forms):
        if f != text[-1]:
            text.append(f)
            tex.append(t)
    return " = ".join(text), " = ".join(tex)
