"""Math as presentation MathML (HTML pages render it natively): <mfrac>, <msub>, <munder> for Σ."""

from __future__ import annotations

import html
from typing import Any

from ... import formula as F
from .printer import Printer, precedence
from .unicode_printer import number

RELATIONS = {"=": "=", "≈": "≈", "≤": "≤", "≥": "≥", "≠": "≠", "<": "&lt;", ">": "&gt;", "∝": "∝"}


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
    base = f"<mi>{_e(head)}</mi>" if len(head) == 1 else f'<mi mathvariant="normal">{_e(head)}</mi>'
    return f"<msub>{base}<mi>{_e(tail)}</mi></msub>" if sep else base


class MathMLPrinter(Printer):
    def math(self, x: Any) -> str:
        return f'<math xmlns="http://www.w3.org/1998/Math/MathML">{self.doprint(x)}</math>'

    def parens(self, text: str) -> str:
        return f"<mrow><mo>(</mo>{text}<mo>)</mo></mrow>"

    def _print_Num(self, x: F.Num) -> str:
        return _mn(x.value)

    def _print_Sym(self, x: F.Sym) -> str:
        return _mi(x.name)

    def _magnitude(self, x: Any) -> str:
        if isinstance(x, F.Neg):
            return self.inner(x.operand, 2)
        v = x.value
        return _mn(v[1:] if isinstance(v, str) else -v)

    def _print_Add(self, x: F.Add) -> str:
        out = self.inner(x.terms[0], 1)
        for term in x.terms[1:]:
            out += f"<mo>−</mo>{self._magnitude(term)}" if self.negative(term) else f"<mo>+</mo>{self.inner(term, 2)}"
        return f"<mrow>{out}</mrow>"

    def _print_Sub(self, x: F.Sub) -> str:
        return f"<mrow>{self.inner(x.left, 1)}<mo>−</mo>{self.inner(x.right, 2)}</mrow>"

    def _print_Mul(self, x: F.Mul) -> str:
        parts = [self.inner(x.factors[0], 2)]
        for f in x.factors[1:]:
            text = self._print(f)
            parts.append(self.parens(text) if precedence(f) < 2 or self.negative(f) else text)
        return "<mrow>" + "<mo>⋅</mo>".join(parts) + "</mrow>"

    def _print_Div(self, x: F.Div) -> str:
        return f"<mfrac>{self._print(x.numerator)}{self._print(x.denominator)}</mfrac>"

    def _print_Pow(self, x: F.Pow) -> str:
        return f"<msup>{self.inner(x.base, 5)}{self._print(x.exponent)}</msup>"

    def _print_Neg(self, x: F.Neg) -> str:
        return f"<mrow><mo>−</mo>{self.inner(x.operand, 2)}</mrow>"

    def _print_Call(self, x: F.Call) -> str:
        if x.function == "sqrt":
            return f"<msqrt>{self._print(x.args[0])}</msqrt>"
        name = x.function
        if name in ("log2", "log10"):
            head = f"<msub><mi>log</mi><mn>{name[3:]}</mn></msub>"
        else:
            head = f"<mi>{_e(name)}</mi>"
        args = "<mo>,</mo>".join(self._print(a) for a in x.args)
        return f"<mrow>{head}<mo>&#x2061;</mo>{self.parens(args)}</mrow>"

    def _print_Sum(self, x: F.Sum) -> str:
        return f"<mrow><munder><mo>∑</mo><mi>{_e(x.index)}</mi></munder>{self.inner(x.body, 2)}</mrow>"

    def _print_Group(self, x: F.Group) -> str:
        return self.parens(self._print(x.body))

    def _print_Words(self, x: F.Words) -> str:
        return f"<mtext>{_e(x.text)}</mtext>"

    def _print_WithUnit(self, x: F.WithUnit) -> str:
        return f"<mrow>{self._print(x.value)}<mspace width=\"0.3em\"/><mtext>{_e(x.unit)}</mtext></mrow>"

    def _print_Written(self, x: F.Written) -> str:
        return self._print(x.typeset)

    def _print_Rel(self, x: F.Rel) -> str:
        out = self._print(x.items[0])
        for op, item in zip(x.ops, x.items[1:]):
            out += f"<mo>{RELATIONS.get(op, _e(op))}</mo>{self._print(item)}"
        return f"<mrow>{out}</mrow>"

    def _print_sympy(self, expr: Any) -> str:
        from sympy.printing.mathml import mathml

        return str(mathml(expr, printer="presentation"))
