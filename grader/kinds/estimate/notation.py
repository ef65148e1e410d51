"""The estimate kind's notation as math nodes (grader.formula): p(D|θ), θ_MAP, E[θ|D], −log[…],
and a value shown exactly with its decimal (18/7 ≈ 2.5714). Printing is grader/render/math's."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from ...answers.evaluate import exact_to_sympy
from ...answers.types import approx, format_number
from ...formula import Handwritten, Math, Neg, Num, Rel, Sym, node
from ...render.math import handwritten as names
from ...render.math import step_text, text


def shown(x: Any) -> str:
    """`x` (a number or sympy expression) as text, for prose and messages: 7θ/2 − 9 log(θ), −3/4."""
    return text(Handwritten(x))


def sym(name: str) -> Sym:
    """A parameter or statistic by its symbol name: theta -> θ, sigma2 -> σ²."""
    return Sym(names.name_text(name), latex=names.name_latex(name))


def data_given(t: Sym) -> Sym:
    """p(D|θ)"""
    return Sym(f"p(D|{t.name})", latex=rf"p(\mathcal{{D}}\mid {t.latex})")


def prior_of(t: Sym) -> Sym:
    """p(θ)"""
    return Sym(f"p({t.name})", latex=rf"p({t.latex})")


def joint_of(t: Sym) -> Sym:
    """p(D|θ)·p(θ)"""
    return Sym(f"p(D|{t.name})·p({t.name})", latex=rf"p(\mathcal{{D}}\mid {t.latex})\,p({t.latex})")


def neg_log(of: Sym) -> Sym:
    """−log[of]"""
    return Sym(f"−log[{of.name}]", latex=rf"-\log\left[{of.latex}\right]")


def estimate_of(t: Sym, label: str) -> Sym:
    """θ_MLE, θ_MAP"""
    return Sym(f"{t.name}_{label}", latex=rf"\hat{{{t.latex}}}_{{\mathrm{{{label}}}}}")


def mean_of(t: Sym) -> Sym:
    """E[θ|D]"""
    return Sym(f"E[{t.name}|D]", latex=rf"\mathbb{{E}}[{t.latex}\mid\mathcal{{D}}]")


def exact(v: Any) -> Any:
    """A sympy number as the exact Python value the answer types like best (Fraction / int)."""
    if isinstance(v, int | Fraction | float):
        return v
    v = exact_to_sympy(v)
    if v.is_Integer:
        return int(v)
    if v.is_Rational:
        return Fraction(int(v.p), int(v.q))
    return v


def decimal(v: Any, digits: int) -> Math:
    """v to `digits` significant digits, with a real minus sign: −0.75."""
    d = approx(v, digits)
    return Neg(Num(d[1:])) if d.startswith("-") else Num(d)


def value(v: Any, *lhs: Any) -> tuple[Any, ...]:
    """Step segments showing v exactly and, where the exact form is not already a decimal, its
    decimal: 18/7 ≈ 2.5714, 0.08, e^(−3)·… ≈ 0.0498; a float as ≈ 1.23457. With `lhs`: lhs = … = v"""
    v = exact(v)
    head = tuple(node(x) for x in lhs)
    if isinstance(v, float):
        return (Rel(head + (decimal(v, 6),), ("≈",)),) if head else ("≈ ", decimal(v, 6))
    items: tuple[Math, ...] = head + (Handwritten(v),)
    ops: tuple[str, ...] = ("=",) * len(head)
    if isinstance(v, int | Fraction):
        if "/" in format_number(v):
            items, ops = items + (decimal(v, 5),), ops + ("≈",)
    elif not getattr(v, "free_symbols", None):
        try:
            items, ops = items + (decimal(v, 5),), ops + ("≈",)
        except (TypeError, ValueError):
            pass
    return (Rel(items, ops),) if ops else items


def shown_value(v: Any) -> str:
    """value(v) as text, for prose: 18/7 ≈ 2.5714."""
    return step_text(value(v))
