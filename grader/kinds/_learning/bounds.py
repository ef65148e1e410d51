"""The PAC sample-complexity bounds, as formulas with knobs, so that a mistake is the same
formula with one knob turned (log base 10, ln(1/δ) for ln(2/δ), ε for ε², ...).

Finite H (Recitation 6, Figure 1, Theorems 1–2):
    realizable  N >= (1/ε)·[ln|H| + ln(1/δ)]
    agnostic    N >= (1/(2ε²))·[ln|H| + ln(2/δ)]
Infinite H, through the VC dimension (Theorems 3–4 are O(·) forms; `constant` c is the constant
this kind assumes, 1 unless the spec sets it):
    realizable  N = (c/ε)·[VC·ln(1/ε) + ln(1/δ)]
    agnostic    N = (c/ε²)·[VC + ln(1/δ)]
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from fractions import Fraction

from .reals import Dec, ctx, ln


@dataclass(frozen=True)
class Formula:
    setting: str  # realizable | agnostic
    vc: bool = False  # the infinite-H (VC) form
    base: int | str = "e"  # the logarithm's base (a mistake uses 10 or 2)
    delta_top: int | None = None  # ln(top/δ): 1 realizable, 2 agnostic (finite H)
    eps_power: int | None = None  # ε or ε²
    two: bool | None = None  # the 2 in 2ε² (finite agnostic)
    h_not_ln: bool = False  # |H| where ln|H| belongs (a mistake)

    def normal(self) -> Formula:
        agn = self.setting == "agnostic"
        return replace(self, delta_top=self.delta_top or (2 if agn and not self.vc else 1),
                       eps_power=self.eps_power or (2 if agn else 1),
                       two=self.two if self.two is not None else (agn and not self.vc))


def standard(setting: str, vc: bool) -> Formula:
    return Formula(setting, vc).normal()


@dataclass(frozen=True)
class Inputs:
    ln_h: Callable[[int], Dec] | None  # ln|H| to a precision (finite H)
    h_value: int | None  # |H| when it is small enough to write (for the |H|-for-ln|H| mistake)
    vc: int | None
    epsilon: Fraction
    delta: Fraction
    constant: Fraction = Fraction(1)


def _log(x: Fraction, base: int | str, prec: int) -> Dec:
    c = ctx(prec + 10)
    v = ln(x, prec)
    return v if base == "e" else c.divide(v, ln(Fraction(base), prec))


def _log_h(f: Formula, inp: Inputs, prec: int) -> Dec:
    c = ctx(prec + 10)
    if f.h_not_ln:
        assert inp.h_value is not None
        return Dec(inp.h_value)
    assert inp.ln_h is not None
    v = inp.ln_h(prec)
    return v if f.base == "e" else c.divide(v, ln(Fraction(f.base), prec))


def n_value(f: Formula, inp: Inputs, prec: int = 60) -> Dec:
    """The unrounded N of formula f."""
    c = ctx(prec + 10)
    eps, delta = inp.epsilon, inp.delta
    eps_term = c.divide(Dec(eps.numerator), Dec(eps.denominator))
    denom = eps_term if f.eps_power == 1 else c.multiply(eps_term, eps_term)
    if f.vc:
        assert inp.vc is not None
        ld = _log(1 / delta, f.base, prec)
        if f.setting == "realizable":
            inner = c.add(c.multiply(Dec(inp.vc), _log(1 / eps, f.base, prec)), ld)
        else:
            inner = c.add(Dec(inp.vc), ld)
        const = c.divide(Dec(inp.constant.numerator), Dec(inp.constant.denominator))
        return c.divide(c.multiply(const, inner), denom)
    inner = c.add(_log_h(f, inp, prec), _log(Fraction(f.delta_top or 1) / delta, f.base, prec))
    if f.two:
        denom = c.multiply(Dec(2), denom)
    return c.divide(inner, denom)


def n_exact_zero(f: Formula, inp: Inputs) -> bool:
    """Whether the bound is exactly 0 (ln 1 = 0: |H|·top/δ = 1), when no digits can decide it."""
    if f.vc or f.h_not_ln or inp.h_value is None:
        return False
    return Fraction(inp.h_value) * (f.delta_top or 1) / inp.delta == 1


def ceil_n(f: Formula, inp: Inputs) -> int:
    from .reals import ceil_exact

    return ceil_exact(lambda prec: n_value(f, inp, prec), (lambda: 0) if n_exact_zero(f, inp) else None)


def epsilon_value(f: Formula, inp: Inputs, n: int, prec: int = 60) -> Dec:
    """The ε the bound guarantees with n examples (δ fixed): the formula solved for ε."""
    c = ctx(prec + 10)
    if f.vc and f.setting == "realizable":
        # (c/ε)(VC·ln(1/ε) + ln(1/δ)) = n: the left side falls as ε grows, so bisect on (0, 1]
        lo, hi = Dec(0), Dec(1)
        probe = replace(inp, epsilon=Fraction(1))
        if n_value(f, probe, prec) > n:
            return Dec(1)  # even ε = 1 needs more than n examples: the bound says nothing
        for _ in range(int(prec * 3.4) + 10):
            mid = c.divide(c.add(lo, hi), Dec(2))
            if mid == 0:
                break
            val = n_value(f, replace(inp, epsilon=Fraction(mid)), prec)
            if val > n:
                lo = mid
            else:
                hi = mid
        return hi
    # every other form is (A / (m·ε^p)) = n  ->  ε = (A/(m·n))^(1/p)
    one = replace(inp, epsilon=Fraction(1))
    a = n_value(f, one, prec)  # A/m with ε = 1
    ratio = c.divide(a, Dec(n))
    return ratio if f.eps_power == 1 else c.sqrt(ratio)


def delta_value(f: Formula, inp: Inputs, n: int, prec: int = 60) -> Dec:
    """The δ the bound guarantees with n examples and accuracy ε: the formula solved for δ."""
    c = ctx(prec + 10)
    eps = c.divide(Dec(inp.epsilon.numerator), Dec(inp.epsilon.denominator))
    denom = eps if f.eps_power == 1 else c.multiply(eps, eps)
    if f.vc:
        const = c.divide(Dec(inp.constant.numerator), Dec(inp.constant.denominator))
        budget = c.divide(c.multiply(Dec(n), denom), const)  # = VC·ln(1/ε) + ln(1/δ)  or  VC + ln(1/δ)
        used = (c.multiply(Dec(inp.vc or 0), _log(1 / inp.epsilon, "e", prec)) if f.setting == "realizable"
                else Dec(inp.vc or 0))
        return c.exp(c.subtract(used, budget))
    if f.two:
        denom = c.multiply(Dec(2), denom)
    budget = c.multiply(Dec(n), denom)  # = ln|H| + ln(top/δ)
    assert inp.ln_h is not None
    return c.multiply(Dec(f.delta_top or 1), c.exp(c.subtract(inp.ln_h(prec), budget)))
