"""How several kinds write their numbers and statistics as formulas (grader.formula): the symbols
μ, σ², ε with one spelling each, a value exact after `=` (with its decimal beside a fraction) or as a
decimal after `≈`, sums and differences of numbers with their signs right, and the sample mean and
variance with their numbers (naive Bayes' Gaussians, the normalisation layers)."""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from typing import Any

from ..answers.types import approx, format_number
from ..formula import Add, Div, Math, Num, Pow, Rel, Sum, Sym, Words, eq

MU = Sym("μ")
SIGMA2 = Sym("σ²", latex=r"\sigma^2")
EPS = Sym("ε")


def is_exact(value: Any) -> bool:
    """A rational value (written exactly, after `=`), not one shown as a decimal (after `≈`)."""
    return isinstance(value, (int, Fraction)) or bool(getattr(value, "is_Rational", False))


def _rational(value: Any) -> int | Fraction:
    return value if isinstance(value, (int, Fraction)) else Fraction(int(value.p), int(value.q))


def shown_math(value: Any) -> Math:
    """A value as a formula: Num(5/2) when it is rational, else its decimal Num("0.447214")."""
    return Num(_rational(value)) if is_exact(value) else Num(approx(value))


def then_shown(chain: Rel, value: Any) -> Rel:
    """`chain` = 3/4, = 40/3087 ≈ 0.012958, or ≈ 0.447214 for a value shown as a decimal."""
    if not is_exact(value):
        return chain.approx(shown_math(value))
    chain = chain.eq(shown_math(value))
    return chain.approx(Num(approx(value))) if "/" in format_number(_rational(value)) else chain


def total(terms: Sequence[Math]) -> Math:
    """t1 + t2 + ... (one term stands alone, without parentheses)."""
    return Add(tuple(terms)) if len(terms) > 1 else terms[0]


def minus(x: Math, value: Any) -> Math:
    """x − value, written x + 2 when value = −2 (never x − -2)."""
    negative = value < 0 if is_exact(value) else str(approx(value)).startswith("-")
    return Add((x, shown_math(-value))) if negative else x - shown_math(value)


def mean_chain(values: Sequence[Any], mean: Any, most: int = 10) -> Rel:
    """μ = (4 + 6 + 5)/3 = 5 (the sum named, not written out, beyond `most` values)."""
    top = total([shown_math(v) for v in values]) if len(values) <= most else Words(f"Σ of {len(values)} values")
    return then_shown(eq(MU, Div(top, Num(len(values)))), mean)


def variance_definition(divisor: Math) -> Math:
    """Σ_i (x_i − μ)²/divisor"""
    return Div(Sum("i", Pow(Sym("x_i") - MU, Num(2))), divisor)


def variance_chain(values: Sequence[Any], mean: Any, variance: Any, divisor: int, most: int = 6,
                   definition: Math | None = None) -> Rel:
    """σ² [= definition] = ((2 − 3)² + ...)/4 = 1.5 (the squares named beyond `most` values)."""
    squares = [Pow(minus(shown_math(v), mean), Num(2)) for v in values]
    top = total(squares) if len(values) <= most else Words(f"Σ of {len(values)} squares")
    chain = eq(SIGMA2, definition) if definition is not None else eq(SIGMA2)
    return then_shown(chain.eq(Div(top, Num(divisor))), variance)
