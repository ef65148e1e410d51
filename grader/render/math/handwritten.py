"""A sympy expression as a derivation on paper writes it (the `Handwritten` node).

Text: Greek letters for Greek names (theta -> θ, theta_1 -> θ₁, lambda -> λ; sigma2, a
variance's usual name, -> σ²), implicit products after a number (7θ/2, 9 log(θ)), `·` between
factors, `−`, `^`, e^(…), √(…), n! and Γ(…), a sum led by a positive term (k − N, not −N + k) and a
factor with a leading minus pulled out (−(N − k)·log(1 − θ)), a decimal to 6 significant digits.
LaTeX and MathML: sympy's own printers, with σ² for sigma2.
"""

from __future__ import annotations

import re
from fractions import Fraction
from typing import Any

import sympy as sp
from sympy.printing.str import StrPrinter

from ...answers.evaluate import exact_to_sympy
from ...answers.types import approx, format_number

GREEK = {
    "theta": "θ", "lambda": "λ", "mu": "μ", "sigma": "σ", "alpha": "α", "beta": "β", "gamma": "γ",
    "delta": "δ", "eta": "η", "rho": "ρ", "tau": "τ", "phi": "φ", "omega": "ω", "kappa": "κ",
    "nu": "ν", "xi": "ξ", "psi": "ψ", "epsilon": "ε", "pi": "π",
}
SQUARED = {"sigma2": ("σ²", r"\sigma^2")}  # a variance's usual symbol name: (text, LaTeX)
_SUBSCRIPT = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")


def name_text(name: str) -> str:
    """theta -> θ, theta_1 -> θ₁, theta_a -> θ_a, sigma2 -> σ², lambda -> λ, N -> N."""
    if name in SQUARED:
        return SQUARED[name][0]
    head, sep, tail = name.partition("_")
    head = GREEK.get(head, head)
    if sep:
        return head + (tail.translate(_SUBSCRIPT) if tail.isdigit() else "_" + tail)
    return head


def name_latex(name: str) -> str:
    """theta -> \\theta, theta_1 -> \\theta_{1}, sigma2 -> \\sigma^2 (sympy's names otherwise)."""
    if name in SQUARED:
        return SQUARED[name][1]
    return str(sp.latex(sp.Symbol(name)))


class _TextPrinter(StrPrinter):
    def _print_Symbol(self, expr: Any) -> str:
        return name_text(expr.name)

    def _print_Dummy(self, expr: Any) -> str:
        return name_text(expr.name)

    def _print_Pow(self, expr: Any, rational: bool = False) -> str:
        base = expr.base
        if isinstance(base, sp.Symbol) and base.name in SQUARED and expr.exp.is_Integer and expr.exp > 0:
            return f"({SQUARED[base.name][0]})^{expr.exp}"
        return str(super()._print_Pow(expr, rational=rational))

    def _print_factorial(self, expr: Any) -> str:
        arg = expr.args[0]
        inner = self._print(arg)
        return f"{inner}!" if arg.is_Symbol or arg.is_Integer else f"({inner})!"

    def _print_gamma(self, expr: Any) -> str:
        return f"Γ({self._print(expr.args[0])})"

    def _print_Pi(self, expr: Any) -> str:
        return "π"

    def _print_Exp1(self, expr: Any) -> str:
        return "e"

    def _print_exp(self, expr: Any) -> str:
        arg = expr.args[0]
        inner = self._print(arg)
        if arg.is_Symbol or (arg.is_Integer and arg >= 0):
            return f"e^{inner}"
        return f"e^({inner})"

    def _print_Add(self, expr: Any, order: Any = None) -> str:
        """k − N rather than −N + k; −(N − k)·log(1 − θ) rather than (−N + k)·log(1 − θ)."""
        try:
            parts = [self._signed(term) for term in self._as_ordered_terms(expr, order=order)]
        except (TypeError, ValueError, AttributeError):
            return str(super()._print_Add(expr, order=order))
        if parts[0][0] == "-":
            for i, (s, _) in enumerate(parts):
                if s == "+":
                    parts.insert(0, parts.pop(i))
                    break
        out = ("-" if parts[0][0] == "-" else "") + parts[0][1]
        for s, b in parts[1:]:
            out += f" {s} {b}"
        return out

    def _signed(self, term: Any) -> tuple[str, str]:
        c, rest = term.as_coeff_Mul()
        neg = bool(c.is_real and c < 0)
        factors = []
        for f in sp.Mul.make_args(rest):
            if f == 1:
                continue
            if f.is_Add and self._as_ordered_terms(f)[0].could_extract_minus_sign():
                factors.append(-f)
                neg = not neg
            else:
                factors.append(f)
        mag = abs(c) if c.is_real else c
        if mag != 1:
            factors.insert(0, mag)
        body = sp.Mul(*factors, evaluate=False) if len(factors) > 1 else (factors[0] if factors else sp.Integer(1))
        s = self._print(body)
        if s.startswith("-"):
            neg, s = not neg, s[1:]
        if body.is_Add:
            s = f"({s})"
        return ("-" if neg else "+"), s

    def _print_Float(self, expr: Any) -> str:
        return approx(float(expr), 6)


_DIGIT_DOT = re.compile(r"(?<![\w.^])(\d+)\*(?=[A-Za-zα-ωΑ-Ω(])")
_DIGIT_FN = re.compile(r"(?<![\w.^])(\d+)\*(?=(?:log|exp|sqrt|e\^|factorial|binomial|gamma)\b)")


def handwritten_text(expr: Any) -> str:
    """7θ/2 − 9 log(θ) + log(576); an exact number as people write it (18/7, 0.08, −3)."""
    if isinstance(expr, Fraction | int) and not isinstance(expr, bool):
        return format_number(expr).replace("-", "−")
    s = _TextPrinter().doprint(exact_to_sympy(expr))
    s = s.replace("**", "^")
    s = _DIGIT_FN.sub(r"\1 ", s)  # 9*log(θ) -> 9 log(θ)
    s = _DIGIT_DOT.sub(r"\1", s)  # 7*θ -> 7θ, 2*(x) -> 2(x)
    s = s.replace("*", "·").replace("-", "−")
    return s.replace("sqrt(", "√(")


def _exact(expr: Any) -> Any:
    if isinstance(expr, Fraction):
        return sp.Rational(expr.numerator, expr.denominator)
    return exact_to_sympy(expr)


def handwritten_latex(expr: Any) -> str:
    e = _exact(expr)
    names = {s: name_latex(s.name) for s in getattr(e, "free_symbols", ()) if isinstance(s, sp.Symbol)}
    return str(sp.latex(e, symbol_names=names))


def handwritten_mathml(expr: Any) -> str:
    from sympy.printing.mathml import mathml

    e = _exact(expr)
    squared = {s: sp.Symbol(SQUARED[s.name][0]) for s in getattr(e, "free_symbols", ()) if getattr(s, "name", "") in SQUARED}
    return str(mathml(e.xreplace(squared) if squared else e, printer="presentation"))
