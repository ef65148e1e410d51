"""Tiny exact arithmetic expressions that print themselves twice: with symbols and with numbers.

    Sum([Prod([C_out, Prod([C_in, k_h, k_w], group=True)]), C_out])
      .text()            -> "C_out·(C_in·k_h·k_w) + C_out"
      .text(numeric=True) -> "12·(3·17·17) + 12"
      .value             -> 10416

Used for every formula in the network kind's steps, so the printed numbers are the numbers the
answer is computed from.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from fractions import Fraction

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
    @property
    def value(self) -> Value:
        raise NotImplementedError

    def text(self, numeric: bool = False) -> str:
        raise NotImplementedError

    def latex(self, numeric: bool = False) -> str:
        raise NotImplementedError


@dataclass
class Sym(E):
    """A named quantity: C_out (12)."""

    name: str
    tex: str
    val: Value

    @property
    def value(self) -> Value:
        return self.val

    def text(self, numeric: bool = False) -> str:
        return num_text(self.val) if numeric else self.name

    def latex(self, numeric: bool = False) -> str:
        return num_latex(self.val) if numeric else self.tex


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

    def text(self, numeric: bool = False) -> str:
        s = "·".join(_wrap(i, numeric, False) for i in self.items)
        return f"({s})" if self.group else s

    def latex(self, numeric: bool = False) -> str:
        s = r" \cdot ".join(_wrap(i, numeric, True) for i in self.items)
        return rf"\left({s}\right)" if self.group else s


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

    def text(self, numeric: bool = False) -> str:
        parts = []
        for k, (sign, item) in enumerate(zip(self._signs(), self.items)):
            t = item.text(numeric)
            parts.append(t if k == 0 and sign > 0 else (f" − {t}" if sign < 0 else f" + {t}"))
            if k == 0 and sign < 0:
                parts[-1] = f"−{t}"
        out = "".join(parts)
        return f"({out})" if self.group else out

    def latex(self, numeric: bool = False) -> str:
        parts = []
        for k, (sign, item) in enumerate(zip(self._signs(), self.items)):
            t = item.latex(numeric)
            parts.append(t if k == 0 and sign > 0 else (f" - {t}" if sign < 0 else f" + {t}"))
            if k == 0 and sign < 0:
                parts[-1] = f"-{t}"
        out = "".join(parts)
        return rf"\left({out}\right)" if self.group else out


def _wrap(item: E, numeric: bool, tex: bool) -> str:
    if isinstance(item, Sum) and not item.group:
        return rf"\left({item.latex(numeric)}\right)" if tex else f"({item.text(numeric)})"
    return item.latex(numeric) if tex else item.text(numeric)


@dataclass
class Div(E):
    """a/b, exact."""

    a: E
    b: E

    @property
    def value(self) -> Value:
        return Fraction(self.a.value) / self.b.value

    def text(self, numeric: bool = False) -> str:
        return f"{_wrap(self.a, numeric, False)}/{_wrap(self.b, numeric, False)}"

    def latex(self, numeric: bool = False) -> str:
        return rf"{self.a.latex(numeric)}/{self.b.latex(numeric)}"


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
