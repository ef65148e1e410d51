"""Math as Unicode text: p_i·log2(p_i/q_i), −Σ_i ..., 1/2 ≈ 0.5 (terminals, Markdown, plain text)."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from ... import formula as F
from .printer import Printer


def number(value: int | Fraction | str) -> str:
    if isinstance(value, str):
        return value
    from ...answers.types import format_number

    return format_number(value)


BRACKETS = {"floor": ("⌊", "⌋"), "ceil": ("⌈", "⌉")}  # functions written as brackets around their argument


class UnicodePrinter(Printer):
    def number(self, value: int | Fraction | str) -> str:
        return number(value)

    def op(self, symbol: str) -> str:
        return f" {symbol} "

    def times(self, factor: Any) -> str:
        return "·"

    def _print_Sym(self, x: F.Sym) -> str:
        return x.name

    def _print_Div(self, x: F.Div) -> str:
        return f"{self.inner(x.numerator, 2)}/{self._slashed(x.denominator, 3)}"

    def _print_Pow(self, x: F.Pow) -> str:
        exponent = self._slashed(x.exponent, 5)
        if isinstance(x.exponent, F.Sym) and len(exponent) > 1:  # e^(z_k), not e^z_k
            exponent = self.parens(exponent)
        return f"{self._slashed(x.base, 5)}^{exponent}"

    def _slashed(self, x: Any, below: int) -> str:
        """A number that prints as a/b binds like a division here: 2/(1/3), (2/3)^2, not 2/1/3."""
        out = self.inner(x, below)
        return self.parens(out) if isinstance(x, F.Num) and "/" in out and not out.startswith("(") else out

    def _print_Neg(self, x: F.Neg) -> str:
        return "−" + self.inner(x.operand, 2)

    def _print_Partial(self, x: F.Partial) -> str:
        return f"∂{self.inner(x.of, 5)}/∂{self.inner(x.wrt, 5)}"

    def _print_Root(self, x: F.Root) -> str:
        return "√" + self.inner(x.radicand, 5)

    def _print_Call(self, x: F.Call) -> str:
        if x.function in BRACKETS:
            left, right = BRACKETS[x.function]
            return f"{left}{self._print(x.args[0])}{right}"
        return f"{x.function}({', '.join(self._print(a) for a in x.args)})"

    def _print_Sum(self, x: F.Sum) -> str:
        return f"Σ_{x.index} {self.inner(x.body, 2)}"

    def _print_Brackets(self, x: F.Brackets) -> str:
        return f"[{', '.join(self._print(i) for i in x.items)}]"

    def _print_Over(self, x: F.Over) -> str:
        return f"{x.function}_{x.index} {self.inner(x.body, 2)}"

    def _print_Words(self, x: F.Words) -> str:
        return x.text

    def _print_WithUnit(self, x: F.WithUnit) -> str:
        return f"{self._print(x.value)} {x.unit}"

    def _print_Written(self, x: F.Written) -> str:
        return x.text  # the answer notation, as a student types it

    def _print_Handwritten(self, x: F.Handwritten) -> str:
        from .handwritten import handwritten_text

        return handwritten_text(x.expr)

    def _print_sympy(self, expr: Any) -> str:
        from sympy import sstr

        return str(sstr(expr))
