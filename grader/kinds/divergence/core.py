"""Exact information measures of discrete distributions, term by term.

Every measure here is a sum of terms w_i·log_b(r_i) with an exact weight w_i (a Fraction) and an
exact argument r_i:

    entropy        H(P)    = −Σ p_i·log p_i      = Σ p_i·log(1/p_i)
    cross-entropy  H(P, Q) = −Σ p_i·log q_i      = Σ p_i·log(1/q_i)
    KL divergence  KL(P‖Q) =  Σ p_i·log(p_i/q_i)

Conventions: 0·log(anything) = 0 (a zero-probability outcome of P contributes nothing, also when
q_i = 0); a term with p_i > 0 and q_i = 0 is +∞, so the whole KL or cross-entropy is +∞ (an
answer, not an error). Terms are sympy numbers (log(r, 2) = log(r)/log(2), which sympy reduces
to a rational when r is an exact power of the base); sympy is imported only when a term needs it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from ...answers.types import approx, format_number
from ...formula import Add, Call, Math, Num, Sym
from .._exact import rational_as_fraction

Base = Any  # 2, 10 or "e"
BASES: tuple[Base, ...] = (2, "e", 10)
UNITS = {2: "bits", "e": "nats", 10: "hartleys"}
LOG_TEXT = {2: "log2", "e": "ln", 10: "log10"}


@dataclass
class Term:
    index: int
    weight: Fraction  # p_i
    arg: Fraction | None  # the argument of the log; None for a zero or infinite term
    status: str  # "zero" (p_i = 0), "inf" (p_i > 0 = q_i), "finite"
    value: Any  # exact: 0, a sympy number, or math.inf


def exact_log(r: Fraction, base: Base) -> Any:
    """log_base(r) as an exact sympy number (an Integer/Rational when r is a power of the base)."""
    import sympy as sp

    x = sp.Rational(r.numerator, r.denominator)
    return sp.log(x) if base == "e" else sp.log(x, base)


def terms(measure: str, a: list[Fraction], b: list[Fraction] | None, base: Base) -> list[Term]:
    """The terms of `measure` (kl | cross_entropy | entropy) of a (against b), in `base`."""
    import sympy as sp

    out: list[Term] = []
    for i, w in enumerate(a):
        if w == 0:
            out.append(Term(i, w, None, "zero", Fraction(0)))
            continue
        if measure == "entropy":
            r = 1 / w
        else:
            assert b is not None
            if b[i] == 0:
                out.append(Term(i, w, None, "inf", math.inf))
                continue
            r = w / b[i] if measure == "kl" else 1 / b[i]
        value = sp.Rational(w.numerator, w.denominator) * exact_log(r, base)
        out.append(Term(i, w, r, "finite", rational_as_fraction(value)))
    return out


def total(ts: list[Term]) -> Any:
    """The exact sum of the terms: a Fraction, a sympy number, or math.inf."""
    import sympy as sp

    if any(t.status == "inf" for t in ts):
        return math.inf
    values = [t.value for t in ts if t.status == "finite"]
    if not values:
        return Fraction(0)
    s = sp.Add(*[sp.Rational(v.numerator, v.denominator) if isinstance(v, Fraction) else v for v in values])
    return rational_as_fraction(s)


def measure_value(measure: str, a: list[Fraction], b: list[Fraction] | None, base: Base) -> Any:
    return total(terms(measure, a, b, base))


def term_text(t: Term, base: Base) -> str:
    """A term in the answer notation (parseable): 0.4*log2(8/3), or -0.3 when it is rational."""
    if isinstance(t.value, Fraction):
        return format_number(t.value)
    assert t.arg is not None
    w = "" if t.weight == 1 else f"{format_number(t.weight)}*"
    return f"{w}{LOG_TEXT[base]}({format_number(t.arg)})"


def _merged(ts: list[Term]) -> list[Term]:
    """The finite nonzero terms, those with the same log argument as one term (0.5*ln(2) +
    0.5*ln(2) is ln(2)), the rational ones added up."""
    merged: dict[Any, Term] = {}
    for t in ts:
        if t.status != "finite" or t.value == 0:
            continue
        key = None if isinstance(t.value, Fraction) else t.arg
        if key not in merged:
            merged[key] = t
        elif key is None:
            merged[key] = Term(t.index, t.weight, t.arg, t.status, merged[key].value + t.value)
        else:
            first = merged[key]
            merged[key] = Term(first.index, first.weight + t.weight, first.arg, first.status, first.value + t.value)
    return [t for t in merged.values() if t.value != 0]


def exact_text(ts: list[Term], base: Base) -> str:
    """The exact value as a sum in the answer notation: -0.3 + 0.4*log2(8/3) + 0.5*log2(10)."""
    if any(t.status == "inf" for t in ts):
        return "inf"
    pieces = [term_text(t, base) for t in _merged(ts)]
    if not pieces:
        return "0"
    out = pieces[0]
    for p in pieces[1:]:
        out += f" - {p[1:]}" if p.startswith("-") else f" + {p}"
    return out


def exact_math(ts: list[Term], base: Base) -> Math:
    """The same sum as a formula, for typesetting."""
    if any(t.status == "inf" for t in ts):
        return Sym("+∞", latex=r"+\infty")
    terms = [Num(t.value) if isinstance(t.value, Fraction) or t.arg is None else
             (Call(LOG_TEXT[base], Num(t.arg)) if t.weight == 1 else Num(t.weight) * Call(LOG_TEXT[base], Num(t.arg)))
             for t in _merged(ts)]
    return Add(tuple(terms)) if len(terms) > 1 else terms[0] if terms else Num(0)


def decimal(value: Any, digits: int = 6) -> str:
    return approx(value, digits)
