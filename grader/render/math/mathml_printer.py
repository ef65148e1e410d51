"""Math as presentation MathML (HTML pages render it natively): <mfrac>, <msub>, <munder> for Σ."""

from __future__ import annotations

import html
import unicodedata
from fractions import Fraction
from typing import Any

from ... import formula as F
from .printer import Printer
from .unicode_printer import BRACKETS, number

OPERATORS = {"<": "&lt;", ">": "&gt;", "&": "&amp;"}


def _e(text: str) -> str:
    return html.escape(text, quote=False)


def _mn(value: Any) -> str:
    shown = number(value)
    sign, body = ("<mo>−</mo>", shown[1:]) if shown.startswith("-") else ("", shown)
    if "/" in body:
        top, bottom = body.split("/", 1)
        inner = f"<mfrac><mn>{_e(top)}</mn><mn>{_e(bottom)}</mn></mfrac>"
    elif body == "inf":
        inner = "<mi>∞</mi>"
    else:
        inner = f"<mn>{_e(body)}</mn>"
    return f"<mrow>{sign}{inner}</mrow>" if sign else inner


def _mi(name: str) -> str:
    head, sep, tail = name.partition("_")
    letters = [ch for ch in head if not unicodedata.combining(ch)]  # m̂ is one letter
    base = f"<mi>{_e(head)}</mi>" if len(letters) == 1 else f'<mi mathvariant="normal">{_e(head)}</mi>'
    return f"<msub>{base}<mi>{_e(tail)}</mi></msub>" if sep else base


def _from_latex(latex: str) -> str:
    """A name given in LaTeX (`Sym(name, latex=...)`: p(\\mathcal{D}\\mid\\theta), \\hat\\theta_{\\mathrm{MAP}})
    as MathML, by the converter the HTML pages use; "" when it cannot read it (the name is then shown)."""
    try:
        from latex2mathml.converter import convert

        converted = str(convert(latex))
    except Exception:  # noqa: BLE001 - a name the converter cannot read falls back to its text
        return ""
    return converted[converted.find(">") + 1:converted.rfind("</math>")]


class MathMLPrinter(Printer):
    def math(self, x: Any) -> str:
        return f'<math xmlns="http://www.w3.org/1998/Math/MathML">{self.doprint(x)}</math>'

    def number(self, value: int | Fraction | str) -> str:
        return _mn(value)

    def op(self, symbol: str) -> str:
        return f"<mo>{OPERATORS.get(symbol, _e(symbol))}</mo>"

    def times(self, factor: Any) -> str:
        return "<mo>⋅</mo>"

    def row(self, parts: list[str]) -> str:
        return f"<mrow>{''.join(parts)}</mrow>"

    def parens(self, text: str) -> str:
        return f"<mrow><mo>(</mo>{text}<mo>)</mo></mrow>"

    def _print_Sym(self, x: F.Sym) -> str:
        return (_from_latex(x.latex) if x.latex else "") or _mi(x.name)

    def _print_Div(self, x: F.Div) -> str:
        return f"<mfrac>{self._print(x.numerator)}{self._print(x.denominator)}</mfrac>"

    def _print_Pow(self, x: F.Pow) -> str:
        return f"<msup>{self.inner(x.base, 5)}{self._print(x.exponent)}</msup>"

    def _print_Neg(self, x: F.Neg) -> str:
        return self.row(["<mo>−</mo>", self.inner(x.operand, 2)])

    def _print_Partial(self, x: F.Partial) -> str:
        return (f"<mfrac>{self.row(['<mo>∂</mo>', self.inner(x.of, 5)])}"
                f"{self.row(['<mo>∂</mo>', self.inner(x.wrt, 5)])}</mfrac>")

    def _print_Root(self, x: F.Root) -> str:
        return f"<msqrt>{self._print(x.radicand)}</msqrt>"

    def _print_Call(self, x: F.Call) -> str:
        if x.function in BRACKETS:
            left, right = BRACKETS[x.function]
            return self.row([f"<mo>{left}</mo>", self._print(x.args[0]), f"<mo>{right}</mo>"])
        if x.function == "sqrt":
            return f"<msqrt>{self._print(x.args[0])}</msqrt>"
        name = x.function
        head = f"<msub><mi>log</mi><mn>{name[3:]}</mn></msub>" if name in ("log2", "log10") else f"<mi>{_e(name)}</mi>"
        args = "<mo>,</mo>".join(self._print(a) for a in x.args)
        return self.row([head, "<mo>&#x2061;</mo>", self.parens(args)])

    def _print_Sum(self, x: F.Sum) -> str:
        return self.row([f"<munder><mo>∑</mo><mi>{_e(x.index)}</mi></munder>", self.inner(x.body, 2)])

    def _print_Brackets(self, x: F.Brackets) -> str:
        return self.row(["<mo>[</mo>", "<mo>,</mo>".join(self._print(i) for i in x.items), "<mo>]</mo>"])

    def _print_Over(self, x: F.Over) -> str:
        return self.row([f"<munder><mi>{_e(x.function)}</mi><mi>{_e(x.index)}</mi></munder>", self.inner(x.body, 2)])

    def _print_Words(self, x: F.Words) -> str:
        return f"<mtext>{_e(x.text)}</mtext>"

    def _print_WithUnit(self, x: F.WithUnit) -> str:
        return self.row([self._print(x.value), '<mspace width="0.3em"/>', f"<mtext>{_e(x.unit)}</mtext>"])

    def _print_Handwritten(self, x: F.Handwritten) -> str:
        from .handwritten import handwritten_mathml

        return handwritten_mathml(x.expr)

    def _print_sympy(self, expr: Any) -> str:
        from sympy.printing.mathml import mathml

        return str(mathml(expr, printer="presentation"))
