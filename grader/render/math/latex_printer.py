"""Math as LaTeX (math mode): \\sum_{i} p_i \\log_2\\frac{p_i}{q_i}, \\tfrac{1}{2} \\approx 0.5."""

from __future__ import annotations

import re
from fractions import Fraction
from typing import Any

from ... import formula as F
from .printer import Printer
from .text_mode import escape
from .unicode_printer import number

FUNCTIONS = {"log2": r"\log_2", "ln": r"\ln", "log10": r"\log_{10}", "log": r"\log", "exp": r"\exp",
             "max": r"\max", "min": r"\min", "sin": r"\sin", "cos": r"\cos", "tanh": r"\tanh", "σ": r"\sigma"}
RELATIONS = {"=": "=", "≈": r"\approx", "+": "+", "−": "-", "≤": r"\le", "≥": r"\ge", "≠": r"\ne", "∈": r"\in", "<": "<", ">": ">",
             "∝": r"\propto", "⊙": r"\odot", "~": r"\sim", "·": r"\cdot", "←": r"\leftarrow", "→": r"\to", "×": r"\times"}
SYMBOLS = {"‖": r"\|", "∞": r"\infty", "θ": r"\theta", "λ": r"\lambda", "μ": r"\mu", "σ": r"\sigma", "Σ": r"\Sigma",
           "α": r"\alpha", "β": r"\beta", "γ": r"\gamma", "δ": r"\delta", "ε": r"\varepsilon", "η": r"\eta",
           "π": r"\pi", "ρ": r"\rho", "τ": r"\tau", "φ": r"\phi", "ω": r"\omega", "·": r"\cdot ", "−": "-",
           "×": r"\times ", "≈": r"\approx ", "✓": r"\checkmark ",
           "∇": r"\nabla", "∂": r"\partial", "½": r"\tfrac{1}{2}"}


ACCENTS = {"\u0302": r"\hat", "\u0303": r"\tilde", "\u0304": r"\bar", "\u0307": r"\dot"}  # combining: m̂, x̃, x̄
SUPERSCRIPTS = {"ᵀ": r"\top", "⁻": "-", "⁺": "+", **dict(zip("⁰¹²³⁴⁵⁶⁷⁸⁹ⁿ", "0123456789n"))}


_COMMAND_END = re.compile(r"\\[A-Za-z]+$")


def _glyphs(text: str) -> str:
    """Unicode in a name as LaTeX: θ -> \\theta, m̂ -> \\hat{m}, g² -> g^{2}, (XᵀX)⁻¹ -> (X^{\\top}X)^{-1}."""
    out: list[str] = []
    raised = ""
    for ch in text + " ":
        if ch in SUPERSCRIPTS:
            raised += SUPERSCRIPTS[ch]
            continue
        if raised:
            out.append(f"^{{{raised}}}")
            raised = ""
        if ch in ACCENTS and out:
            out[-1] = f"{ACCENTS[ch]}{{{out[-1]}}}"
        else:
            out.append(SYMBOLS.get(ch, ch))
    joined = ""
    for piece in out:  # \\theta x, not \\thetax
        joined += " " + piece if _COMMAND_END.search(joined) and piece[:1].isalpha() else piece
    return joined[:-1]


def name_latex(name: str) -> str:
    """A name as LaTeX: p_i -> p_i, x_12 -> x_{12}, θ -> \\theta, m̂ -> \\hat{m}, lr -> \\mathrm{lr}, H(P, Q) as it is."""
    head, sep, tail = name.partition("_")
    # a word is set upright (onehot, maxout, lr), as LaTeX sets log: italic letters would read as a product
    out = rf"\mathrm{{{head}}}" if len(head) > 1 and head.isascii() and head.isalpha() else _glyphs(head)
    if sep:
        cut = next((i for i, ch in enumerate(tail) if ch in SUPERSCRIPTS), len(tail))  # w_jᵀx: the subscript is j
        sub, after = tail[:cut], tail[cut:]
        out += "_" + (sub if len(sub) == 1 else "{" + _glyphs(sub) + "}") + _glyphs(after)
    return out


def number_latex(value: int | Fraction | str) -> str:
    shown = number(value)
    if "/" in shown:
        sign, body = ("-", shown[1:]) if shown.startswith("-") else ("", shown)
        top, bottom = body.split("/", 1)
        return rf"{sign}\tfrac{{{top}}}{{{bottom}}}"
    return {"inf": r"\infty", "-inf": r"-\infty"}.get(shown, shown)


def _leads_with_number(x: Any) -> bool:
    r"""Does `x` print starting with a digit (0.05^2, 5^7·2^8)? Then a product needs a visible dot before it:
    2\, 0.05^2 would read as 20.05²."""
    while isinstance(x, F.Written | F.Pow | F.Mul):
        x = x.typeset if isinstance(x, F.Written) else x.base if isinstance(x, F.Pow) else x.factors[0]
    return isinstance(x, F.Num)


class LatexPrinter(Printer):
    def number(self, value: int | Fraction | str) -> str:
        return number_latex(value)

    def op(self, symbol: str) -> str:
        return f" {RELATIONS.get(symbol, symbol)} "

    def times(self, factor: Any) -> str:
        return r" \cdot " if _leads_with_number(factor) else r"\, "

    def parens(self, text: str) -> str:
        return rf"\left({text}\right)"

    def _print_Sym(self, x: F.Sym) -> str:
        return x.latex or name_latex(x.name)

    def _print_Div(self, x: F.Div) -> str:
        return rf"\frac{{{self._print(x.numerator)}}}{{{self._print(x.denominator)}}}"

    def _print_Pow(self, x: F.Pow) -> str:
        return f"{{{self.inner(x.base, 5)}}}^{{{self._print(x.exponent)}}}"

    def _print_Neg(self, x: F.Neg) -> str:
        return "-" + self.inner(x.operand, 2)

    def _print_Partial(self, x: F.Partial) -> str:
        return rf"\frac{{\partial {self.inner(x.of, 5)}}}{{\partial {self.inner(x.wrt, 5)}}}"

    def _print_Root(self, x: F.Root) -> str:
        return rf"\sqrt{{{self._print(x.radicand)}}}"

    def _print_Call(self, x: F.Call) -> str:
        if x.function in ("floor", "ceil"):
            left, right = (r"\lfloor", r"\rfloor") if x.function == "floor" else (r"\lceil", r"\rceil")
            return rf"\left{left} {self._print(x.args[0])} \right{right}"
        if x.function == "sqrt":
            return rf"\sqrt{{{self._print(x.args[0])}}}"
        name = FUNCTIONS.get(x.function, rf"\operatorname{{{x.function}}}")
        if len(x.args) == 1 and isinstance(x.args[0], F.Div):
            return name + self._print(x.args[0])
        return name + self.parens(", ".join(self._print(a) for a in x.args))

    def _print_Sum(self, x: F.Sum) -> str:
        return rf"\sum_{{{x.index}}} {self.inner(x.body, 2)}"

    def _print_Brackets(self, x: F.Brackets) -> str:
        return rf"\left[{', '.join(self._print(i) for i in x.items)}\right]"

    def _print_Over(self, x: F.Over) -> str:
        name = FUNCTIONS.get(x.function, rf"\operatorname*{{{x.function}}}")
        return rf"{name}_{{{x.index}}} {self.inner(x.body, 2)}"

    def _print_Words(self, x: F.Words) -> str:
        return rf"\text{{{escape(x.text)}}}"

    def _print_WithUnit(self, x: F.WithUnit) -> str:
        return rf"{self._print(x.value)}\ \text{{{escape(x.unit)}}}"

    def _print_Handwritten(self, x: F.Handwritten) -> str:
        from .handwritten import handwritten_latex

        return handwritten_latex(x.expr)

    def _print_sympy(self, expr: Any) -> str:
        from sympy import latex

        return str(latex(expr))
