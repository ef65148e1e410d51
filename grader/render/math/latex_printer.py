"""Math as LaTeX (math mode): \\sum_{i} p_i \\log_2\\frac{p_i}{q_i}, \\tfrac{1}{2} \\approx 0.5."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from ... import formula as F
from .printer import Printer, precedence
from .unicode_printer import number

FUNCTIONS = {"log2": r"\log_2", "ln": r"\ln", "log10": r"\log_{10}", "log": r"\log", "exp": r"\exp",
             "max": r"\max", "min": r"\min", "sin": r"\sin", "cos": r"\cos", "tanh": r"\tanh", "σ": r"\sigma"}
RELATIONS = {"=": "=", "≈": r"\approx", "≤": r"\le", "≥": r"\ge", "≠": r"\ne", "<": "<", ">": ">", "∝": r"\propto"}
SYMBOLS = {"‖": r"\|", "∞": r"\infty", "θ": r"\theta", "λ": r"\lambda", "μ": r"\mu", "σ": r"\sigma", "Σ": r"\Sigma",
           "α": r"\alpha", "β": r"\beta", "γ": r"\gamma", "δ": r"\delta", "ε": r"\varepsilon", "η": r"\eta",
           "π": r"\pi", "ρ": r"\rho", "τ": r"\tau", "φ": r"\phi", "ω": r"\omega", "·": r"\cdot ", "−": "-",
           "×": r"\times ", "≈": r"\approx ", "✓": r"\checkmark "}


def name_latex(name: str) -> str:
    """A name as LaTeX: p_i -> p_i, x_12 -> x_{12}, θ -> \\theta, H(P, Q) as it is."""
    head, sep, tail = name.partition("_")
    out = "".join(SYMBOLS.get(ch, ch) for ch in head)
    if sep:
        out += "_" + (tail if len(tail) == 1 else "{" + "".join(SYMBOLS.get(ch, ch) for ch in tail) + "}")
    return out


def number_latex(value: int | Fraction | str) -> str:
    shown = number(value)
    if "/" in shown:
        sign, body = ("-", shown[1:]) if shown.startswith("-") else ("", shown)
        top, bottom = body.split("/", 1)
        return rf"{sign}\tfrac{{{top}}}{{{bottom}}}"
    return {"inf": r"\infty", "-inf": r"-\infty"}.get(shown, shown)


class LatexPrinter(Printer):
    def parens(self, text: str) -> str:
        return rf"\left({text}\right)"

    def _print_Num(self, x: F.Num) -> str:
        return number_latex(x.value)

    def _print_Sym(self, x: F.Sym) -> str:
        return x.latex or name_latex(x.name)

    def _magnitude(self, x: Any) -> str:
        if isinstance(x, F.Neg):
            return self.inner(x.operand, 2)
        v = x.value
        return number_latex(v[1:] if isinstance(v, str) else -v)

    def _print_Add(self, x: F.Add) -> str:
        out = self.inner(x.terms[0], 1)
        for term in x.terms[1:]:
            out += f" - {self._magnitude(term)}" if self.negative(term) else f" + {self.inner(term, 2)}"
        return out

    def _print_Sub(self, x: F.Sub) -> str:
        return f"{self.inner(x.left, 1)} - {self.inner(x.right, 2)}"

    def _print_Mul(self, x: F.Mul) -> str:
        out = self.inner(x.factors[0], 2)
        for f in x.factors[1:]:
            text = self._print(f)
            text = self.parens(text) if precedence(f) < 2 or self.negative(f) else text
            out += (r" \cdot " if isinstance(f, F.Num) else r"\, ") + text
        return out

    def _print_Div(self, x: F.Div) -> str:
        return rf"\frac{{{self._print(x.numerator)}}}{{{self._print(x.denominator)}}}"

    def _print_Pow(self, x: F.Pow) -> str:
        return f"{{{self.inner(x.base, 5)}}}^{{{self._print(x.exponent)}}}"

    def _print_Neg(self, x: F.Neg) -> str:
        return "-" + self.inner(x.operand, 2)

    def _print_Call(self, x: F.Call) -> str:
        if x.function == "sqrt":
            return rf"\sqrt{{{self._print(x.args[0])}}}"
        name = FUNCTIONS.get(x.function, rf"\operatorname{{{x.function}}}")
        if len(x.args) == 1 and isinstance(x.args[0], F.Div):
            return name + self._print(x.args[0])
        return name + self.parens(", ".join(self._print(a) for a in x.args))

    def _print_Sum(self, x: F.Sum) -> str:
        return rf"\sum_{{{x.index}}} {self.inner(x.body, 2)}"

    def _print_Group(self, x: F.Group) -> str:
        return self.parens(self._print(x.body))

    def _print_Words(self, x: F.Words) -> str:
        from .text_mode import escape

        return rf"\text{{{escape(x.text)}}}"

    def _print_WithUnit(self, x: F.WithUnit) -> str:
        from .text_mode import escape

        return rf"{self._print(x.value)}\ \text{{{escape(x.unit)}}}"

    def _print_Written(self, x: F.Written) -> str:
        return self._print(x.typeset)

    def _print_Rel(self, x: F.Rel) -> str:
        out = self._print(x.items[0])
        for op, item in zip(x.ops, x.items[1:]):
            out += f" {RELATIONS.get(op, op)} {self._print(item)}"
        return out

    def _print_sympy(self, expr: Any) -> str:
        from sympy import latex

        return str(latex(expr))
