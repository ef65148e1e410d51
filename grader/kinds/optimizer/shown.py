"""The update rules and values of the optimizer steps as math (grader.formula): the text is what the
steps always said (x ← x − lr·b, β1 = 9/10), LaTeX and MathML typeset it."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from ...formula import Group, Math, Num, Rel, Sym, Sympy, Written

X, G, B, MU, TAU, LAM = Sym("x"), Sym("g"), Sym("b"), Sym("μ"), Sym("τ"), Sym("λ")
LR = Sym("lr")
EPS = Sym("eps", latex=r"\epsilon")
ALPHA = Sym("α")
SUM = Sym("sum")
SQUARE_AVG = Sym("square_avg", latex=r"\mathrm{square\_avg}")
GRAD_AVG = Sym("grad_avg", latex=r"\mathrm{grad\_avg}")
BETA1, BETA2 = Sym("β1", latex=r"\beta_1"), Sym("β2", latex=r"\beta_2")
T = Sym("t")


G2 = Sym("g²")
GRAD_AVG2 = Sym("grad_avg²", latex=r"\mathrm{grad\_avg}^2")
LR_DECAY = Sym("lr_decay", latex=r"\mathrm{lr\_decay}")
SUM0 = Sym("sum₀", latex=r"\mathrm{sum}_0")


def hat(name: str) -> Sym:
    """m̂: the bias-corrected m."""
    return Sym(f"{name}\u0302")


def arrow(target: Math, value: Math) -> Rel:
    """target ← value (an update)."""
    return Rel((target, value), ("←",))


def group(x: Math) -> Group:
    return Group(x)


def value(x: Any, text: str) -> Math:
    """A value as the steps write it (`text`: 9/10, 0.1, -epsilon*g1), typeset exactly."""
    from .._grad.show import to_sympy

    v = to_sympy(x)
    if v.is_Rational:
        return Written(text, Num(Fraction(int(v.p), int(v.q))))
    if v.free_symbols:
        return Written(text, Sympy(v))
    return Num(text)  # a decimal, as written
