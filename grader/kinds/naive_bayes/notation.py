"""How naive Bayes writes its quantities: names (P(Red=1 | Interested=1)) as words inside formulas,
estimates as count/total fractions with their pseudo-counts, values exact with a decimal beside."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from ...answers.types import approx, format_number
from ...formula import Add, Call, Div, Group, Math, Mul, Num, Pow, Rel, Sym, Words, eq
from .._notation import (
    MU,
    SIGMA2,
    mean_chain,
    minus,
    then_shown,
    variance_chain,
    variance_definition,
)
from .._notation import shown_math as num
from .model import Estimate, Model, Value, show


def par(v: Any) -> Math:
    """A value as an operand of a product or quotient: 2/3 in parentheses."""
    return Group(Num(v)) if isinstance(v, Fraction) and "/" in format_number(v) else num(v)


def estimate(e: Estimate) -> Math:
    """(3 + 1)/(4 + 2·1) or 3/4: the numbers of an estimate."""
    top: Math = Num(e.count) if not e.add_num else Add((Num(e.count), Num(e.add_num)))
    if e.add_den == 0:
        bottom: Math = Num(e.total)
    elif e.add_den == e.alpha or e.k == 1:
        bottom = Add((Num(e.total), Num(e.add_den)))
    else:
        bottom = Add((Num(e.total), Mul((Num(e.k), Num(e.alpha)))))
    return Div(top, bottom)


def estimated(lhs: Math | None, e: Estimate, *formula: Math) -> Rel:
    """lhs = formula = (3 + 1)/(4 + 2·1) = 2/3 ≈ 0.666667, or lhs = 4/9 ≈ 0.444444 when the numbers are
    the value; without lhs, what a table cell shows."""
    value = e.value
    items = ([lhs] if lhs is not None else []) + list(formula)
    if e.text() != format_number(value):
        items.append(estimate(e))
    if not items:
        return Rel((Num(value), Num(approx(value))), ("≈",))
    return then_shown(eq(*items), value)


def density(x: Any, mean: Any, var: Any) -> Math:
    """exp(−(x − μ)²/(2σ²))/√(2πσ²) with the numbers."""
    return Div(Call("exp", -Div(Pow(minus(num(x), mean), Num(2)), Mul((Num(2), num(var))))),
               Call("sqrt", Mul((Num(2), Sym("π"), num(var)))))


def gaussian_definition() -> Rel:
    """p(x_j | y) = exp(−(x_j − μ)²/(2σ²))/√(2πσ²)"""
    x = Sym("x_j")
    return eq(Words("p(x_j | y)"), Div(Call("exp", -Div(Pow(x - MU, Num(2)), Mul((Num(2), SIGMA2)))),
                                       Call("sqrt", Mul((Num(2), Sym("π"), SIGMA2)))))


def mean_and_variance(xs: list[Any], mean: Any, var: Any) -> tuple[Rel, Rel]:
    """μ = (4 + 6 + 5)/3 = 5 and σ² = Σ_i (x_i − μ)²/n = (...)/3 = 2/3, as MLE (divide by n)."""
    n = len(xs)
    return (mean_chain(xs, mean, most=n),
            variance_chain(xs, mean, var, n, most=n, definition=variance_definition(Sym("n"))))


class Names:
    """The names of one table's quantities, as text (for tables) and as math (for steps)."""

    def __init__(self, label: str, variant: str):
        self.L = label
        self.variant = variant

    def y(self, c: Value) -> str:
        return f"{self.L}={show(c)}"

    def prior(self, c: Value) -> str:
        return f"P({self.y(c)})"

    def feat(self, f: str, v: Value, c: Value) -> str:
        if self.variant == "multinomial":
            return f"P({f} | {self.y(c)})"
        if self.variant == "gaussian":
            return f"p({f}={show(v)} | {self.y(c)})"
        return f"P({f}={show(v)} | {self.y(c)})"

    def joint(self, c: Value) -> Words:
        return Words(f"P(x, {self.y(c)})")

    def prior_formula(self, m: Model) -> str:
        if m.s.beta:
            return f"(count({self.L}=y) + β)/(N + K·β), β = {format_number(m.s.beta)}"
        return f"count({self.L}=y)/N"

    def prior_rel(self, m: Model, c: Value) -> Rel:
        return estimated(Words(self.prior(c)), m.prior(c))

    def theta_rel(self, m: Model, f: str, v: Value, c: Value) -> Rel:
        """P(f=v | y) = its estimate with numbers (discrete and multinomial)."""
        return estimated(Words(self.feat(f, v, c)), m.theta(f, v, c))

    def gauss_rel(self, m: Model, f: str, v: Value, c: Value) -> Rel:
        mean, var = m.gaussian(f, c)
        normal = Call("N", num(v), eq(MU, num(mean)), eq(SIGMA2, num(var)))
        return then_shown(eq(Words(self.feat(f, v, c)), normal, density(v, mean, var)), m.density(f, v, c))

    def factor_step(self, m: Model, f: str, v: Value, c: Value) -> list[Any]:
        """The segments of a step that finds one factor of the score."""
        if self.variant == "gaussian":
            return [self.gauss_rel(m, f, v, c)]
        out: list[Any] = [self.theta_rel(m, f, v, c)]
        if self.variant == "multinomial" and v != 1:
            power = Pow(num(m.theta(f, v, c).value), Num(int(v)))
            out += [f"; it appears {v} time{'s' if v != 1 else ''} in x, so the factor is ",
                    then_shown(eq(power), m.factor(f, v, c))]
        return out

    def factor_name(self, f: str, v: Value, c: Value) -> Math:
        name = Words(self.feat(f, v, c))
        return Pow(name, Num(int(v))) if self.variant == "multinomial" and v != 1 else name

    def factor_value(self, m: Model, f: str, v: Value, c: Value) -> Math:
        if self.variant == "multinomial":
            t = num(m.theta(f, v, c).value)
            return Pow(t, Num(int(v))) if v != 1 else t
        return num(m.factor(f, v, c))

    def score_rel(self, m: Model, x: dict[str, Value], c: Value, joint: Any) -> Rel:
        """P(x, y) = P(y)·Π P(x_j | y) = the numbers = the score."""
        names = Mul((Words(self.prior(c)),) + tuple(self.factor_name(f, v, c) for f, v in x.items()))
        nums = Mul((num(m.prior(c).value),) + tuple(self.factor_value(m, f, v, c) for f, v in x.items()))
        return then_shown(eq(self.joint(c), names, nums), joint)


def group_each(values: list[Math]) -> Math:
    """(3 − 1) + (2 − 1): a sum whose terms keep their parentheses."""
    return Add(tuple(Group(v) for v in values)) if len(values) > 1 else values[0]
