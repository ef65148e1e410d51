"""Display of sympy expressions: unicode text for terminals, LaTeX for documents."""

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
_SUB = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")
LATEX_NAMES = {"sigma2": r"\sigma^2"}


def name_text(name: str) -> str:
    """theta -> θ, theta_1 -> θ₁, sigma2 -> σ², lambda -> λ."""
    if name == "sigma2":
        return "σ²"
    head, sep, tail = name.partition("_")
    head = GREEK.get(head, head)
    if sep:
        return head + (tail.translate(_SUB) if tail.isdigit() else "_" + tail)
    return head


def name_latex(name: str) -> str:
    if name in LATEX_NAMES:
        return LATEX_NAMES[name]
    return sp.latex(sp.Symbol(name))


class _TextPrinter(StrPrinter):
    def _print_Symbol(self, expr: Any) -> str:
        return name_text(expr.name)

    def _print_Dummy(self, expr: Any) -> str:
        return name_text(expr.name)

    def _print_Pow(self, expr: Any, rational: bool = False) -> str:
        base = expr.base
        if isinstance(base, sp.Symbol) and base.name == "sigma2" and expr.exp.is_Integer and expr.exp > 0:
            return f"(σ²)^{expr.exp}"
        return super()._print_Pow(expr, rational=rational)

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
            return super()._print_Add(expr, order=order)
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


def text(expr: Any) -> str:
    """A readable one-line form: 7θ/2 − 9·log(θ) + log(576)."""
    if isinstance(expr, Fraction):
        return frac_text(expr)
    s = _TextPrinter().doprint(exact_to_sympy(expr)) if not isinstance(expr, str) else expr
    s = s.replace("**", "^")
    s = _DIGIT_FN.sub(r"\1 ", s)  # 9*log(θ) -> 9 log(θ)
    s = _DIGIT_DOT.sub(r"\1", s)  # 7*θ -> 7θ, 2*(x) -> 2(x)
    s = s.replace("*", "·").replace("-", "−")
    s = s.replace("sqrt(", "√(")
    return s


def latex(expr: Any) -> str:
    if isinstance(expr, Fraction):
        expr = sp.Rational(expr.numerator, expr.denominator)
    expr = exact_to_sympy(expr)
    names = {s: name_latex(s.name) for s in expr.free_symbols if isinstance(s, sp.Symbol)}
    return sp.latex(expr, symbol_names=names)


def to_exact(value: Any) -> Any:
    """A sympy number as the exact Python value the answer types like best (Fraction / int)."""
    if isinstance(value, (int, Fraction, float)):
        return value
    value = exact_to_sympy(value)
    if value.is_Integer:
        return int(value)
    if value.is_Rational:
        return Fraction(int(value.p), int(value.q))
    return value


def frac_text(value: Any) -> str:
    return format_number(to_exact(value)).replace("-", "−")


def plain(value: Any) -> str:
    """An exact number as p/q (never a decimal): 1/2, 18/7, −3."""
    v = to_exact(value)
    if isinstance(v, int):
        return str(v).replace("-", "−")
    if isinstance(v, Fraction):
        return f"{v.numerator}/{v.denominator}".replace("-", "−")
    return text(v)


def value_text(value: Any) -> str:
    """18/7 ≈ 2.5714; 0.08; 81/65536 ≈ 0.00123596; e^(−3)·… ≈ 0.0498."""
    v = to_exact(value)
    if isinstance(v, float):
        return "≈ " + approx(v, 6)
    if isinstance(v, (int, Fraction)):
        shown = format_number(v)
        if "/" in shown:
            return f"{shown.replace('-', '−')} ≈ {approx(v, 5).replace('-', '−')}"
        return shown.replace("-", "−")
    if getattr(v, "free_symbols", None):
        return text(v)
    try:
        return f"{text(v)} ≈ {approx(v, 5).replace('-', '−')}"
    except (TypeError, ValueError):
        return text(v)


def value_latex(value: Any) -> str:
    v = to_exact(value)
    if isinstance(v, float):
        return r"\approx " + approx(v, 6)
    if isinstance(v, (int, Fraction)):
        shown = format_number(v)
        if "/" in shown:
            return f"{latex(v)} \\approx {approx(v, 5)}"
        return shown
    if getattr(v, "free_symbols", None):
        return latex(v)
    try:
        return f"{latex(v)} \\approx {approx(v, 5)}"
    except (TypeError, ValueError):
        return latex(v)
