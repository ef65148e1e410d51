"""Math as Unicode text: p_i·log2(p_i/q_i), −Σ_i ..., 1/2 ≈ 0.5 (terminals, Markdown, plain text)."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from ... import formula as F
from .printer import Printer, precedence


def number(value: int | Fraction | str) -> str:
    if isinstance(value, str):
        return value
    from ...answers.types import format_number

    return format_number(value)


class UnicodePrinter(Printer):
    minus = "−"
    times = "·"

    def _print_Num(self, x: F.Num) -> str:
        return number(x.value)

    def _print_Sym(self, x: F.Sym) -> str:
        return x.name

    def _magnitude(self, x: Any) -> str:
        if isinstance(x, F.Neg):
            return self.inner(x.operand, 2)
        v = x.value
        return v[1:] if isinstance(v, str) else number(-v)

    def _print_Add(self, x: F.Add) -> str:
        out = self.inner(x.terms[0], 1)
        for term in x.terms[1:]:
            out += f" {self.minus} {self._magnitude(term)}" if self.negative(term) else f" + {self.inner(term, 2)}"
        return out

    def _print_Sub(self, x: F.Sub) -> str:
        return f"{self.inner(x.left, 1)} {self.minus} {self.inner(x.right, 2)}"

    def _print_Mul(self, x: F.Mul) -> str:
        parts = [self.inner(x.factors[0], 2)]
        for f in x.factors[1:]:
            text = self._print(f)
            parts.append(self.parens(text) if precedence(f) < 2 or self.negative(f) else text)
        return self.times.join(parts)

    def _print_Div(self, x: F.Div) -> str:
        return f"{self.inner(x.numerator, 2)}/{self.inner(x.denominator, 3)}"

    def _print_Pow(self, x: F.Pow) -> str:
        return f"{self.inner(x.base, 5)}^{self.inner(x.exponent, 5)}"

    def _print_Neg(self, x: F.Neg) -> str:
        return self.minus + self.inner(x.operand, 2)

    def _print_Call(self, x: F.Call) -> str:
        return f"{x.function}({', '.join(self._print(a) for a in x.args)})"

    def _print_Sum(self, x: F.Sum) -> str:
        return f"Σ_{x.index} {self.inner(x.body, 2)}"

    def _print_Group(self, x: F.Group) -> str:
        return self.parens(self._print(x.body))

    def _print_Words(self, x: F.Words) -> str:
        return x.text

    def _print_WithUnit(self, x: F.WithUnit) -> str:
        return f"{self._print(x.value)} {x.unit}"

    def _print_Written(self, x: F.Written) -> str:
        return x.text

    def _print_Rel(self, x: F.Rel) -> str:
        out = self._print(x.items[0])
        for op, item in zip(x.ops, x.items[1:]):
            out += f" {op} {self._print(item)}"
        return out

    def _print_sympy(self, expr: Any) -> str:
        from sympy import sstr

        return str(sstr(expr))
