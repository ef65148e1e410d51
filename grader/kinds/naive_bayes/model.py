"""Naive Bayes estimation from a table, in exact arithmetic.

Conventions (the kind's docstring states them to users):
- prior        P(Y=y)        = (N_y + β)/(N + K·β)             β = prior_smoothing (default 0)
- bernoulli /  P(X_j=v | y)  = (N_{j,v,y} + α)/(N_y + V_j·α)    α = smoothing, V_j = values of X_j
  categorical                                                   (2 for a binary feature)
- multinomial  P(w | y)      = (T_{w,y} + α)/(T_y + V·α)        T = word counts, V = vocabulary size
- gaussian     μ_{j,y} = mean, σ²_{j,y} = Σ(x − μ)²/N_y (MLE: divide by N_y), density N(x; μ, σ²)
- joint score  P(y)·Π_j P(x_j | y)   (multinomial: P(y)·Π_w P(w | y)^{x_w}, without the multinomial
               coefficient, which is the same for every class); features absent from x are left out
- posterior    joint(y)/Σ_y' joint(y');  prediction = argmax, ties to the first label value in
               sorted order (numbers ascending, then text), as numpy's argmax over sorted classes.
Discrete variants stay in Fractions; Gaussian densities are exact sympy numbers.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from ...answers.types import approx, format_number
from .._exact import as_fraction, as_sympy_rational

VARIANTS = ("bernoulli", "categorical", "multinomial", "gaussian")
Value = Any  # int, Fraction, str or bool: a table cell


class Undefined(ArithmeticError):
    """A quantity that does not exist for this table (0/0): the message says why."""


def cell(value: Any) -> Value:
    """A table cell as an exact, hashable value: 0.5 -> Fraction(1, 2), 2.0 -> 2, 'red' -> 'red'."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            raise ValueError(f"got {value}")
        return _int_if_whole(Fraction(repr(value)))
    if isinstance(value, Fraction):
        return _int_if_whole(value)
    if isinstance(value, str):
        text = value.strip()
        if not text:
            raise ValueError("an empty cell")
        return text
    raise ValueError(f"a number or a name was expected, got {'a list' if isinstance(value, list) else 'a map' if isinstance(value, dict) else repr(value)}")


def _int_if_whole(x: Fraction) -> int | Fraction:
    return int(x) if x.denominator == 1 else x


def number(value: Value) -> Fraction:
    """A numeric cell (text such as "1/3" is read exactly); ValueError if it is not a number."""
    from ...errors import InvalidAnswer
    from ...spec.schema import exact_number

    if isinstance(value, bool):
        raise ValueError(f"a number was expected, got {show(value)}")
    if isinstance(value, (int, Fraction)):
        return Fraction(value)
    try:
        x = exact_number(value)
    except InvalidAnswer:
        raise ValueError(f"a number was expected, got {value!r}") from None
    if isinstance(x, float):
        raise ValueError(f"a finite number was expected, got {value!r}")
    return x


def binary(value: Value) -> int:
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, (int, Fraction)) and value in (0, 1):
        return int(value)
    raise ValueError(f"a bernoulli feature is 0 or 1, got {show(value)} (use variant: categorical for other values)")


def count(value: Value) -> int:
    x = number(value)
    if x.denominator != 1 or x < 0:
        raise ValueError(f"a multinomial feature is a count (a whole number >= 0), got {show(value)}")
    return int(x)


def feature_value(variant: str, value: Value) -> Value:
    """A feature cell converted for the variant; ValueError with a message when it does not fit."""
    if variant == "bernoulli":
        return binary(value)
    if variant == "multinomial":
        return count(value)
    if variant == "gaussian":
        return _int_if_whole(number(value))
    return value


def sort_key(v: Value) -> tuple:
    if isinstance(v, (bool, int, Fraction)):
        return (0, Fraction(v), "")
    return (1, Fraction(0), str(v))


def show(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, Fraction)):
        return format_number(v)
    if isinstance(v, str):
        return v
    return approx(v)


@dataclass
class Data:
    variant: str
    label: str
    features: list[str]
    rows: list[dict[str, Value]]  # feature -> converted value
    y: list[Value]
    classes: list[Value]  # sorted distinct label values
    values: dict[str, list[Value]] = field(default_factory=dict)  # discrete variants: values of each feature

    _by_class: dict[Value, list[dict[str, Value]]] = field(default_factory=dict)

    def n(self, c: Value) -> int:
        return len(self.rows_of(c))

    def rows_of(self, c: Value) -> list[dict[str, Value]]:
        if c not in self._by_class:
            self._by_class[c] = [r for r, y in zip(self.rows, self.y) if y == c]
        return self._by_class[c]


def build(given: dict[str, Any]) -> Data:
    """The table of a validated `given` (the schema has checked every cell)."""
    variant, label, columns = given["variant"], given["label"], list(given["columns"])
    li = columns.index(label)
    features = [c for c in columns if c != label]
    rows, ys = [], []
    for raw in given["rows"]:
        ys.append(raw[li])
        rows.append({f: feature_value(variant, raw[columns.index(f)]) for f in features})
    classes = sorted(set(ys), key=sort_key)
    values: dict[str, list[Value]] = {}
    if variant == "bernoulli":
        values = {f: [0, 1] for f in features}
    elif variant == "categorical":
        declared = given.get("values") or {}
        for f in features:
            seen = {r[f] for r in rows}
            values[f] = list(declared[f]) if f in declared else sorted(seen, key=sort_key)
    return Data(variant, label, features, rows, ys, classes, values)


@dataclass(frozen=True)
class Settings:
    alpha: Fraction = Fraction(0)  # pseudo-count on the feature likelihoods
    beta: Fraction = Fraction(0)  # pseudo-count on the class prior
    denominator: str = "standard"  # or "plus-alpha", "numerator-only": the smoothing-denominator mistakes
    ddof: int = 0  # gaussian variance divides by N_y − ddof


@dataclass
class Estimate:
    """A probability as count/total, with the pseudo-counts that went into it."""

    count: Fraction
    total: Fraction
    add_num: Fraction  # added to the count
    add_den: Fraction  # added to the total
    k: int  # number of values the pseudo-count is spread over (shown as k·α)
    alpha: Fraction

    @property
    def value(self) -> Fraction:
        den = self.total + self.add_den
        if den == 0:
            raise Undefined("0/0")
        return (self.count + self.add_num) / den

    def text(self) -> str:
        """(3 + 1)/(4 + 2·1) or 3/4 — the numbers of the estimate."""
        c, t = format_number(self.count), format_number(self.total)
        if self.add_num == 0 and self.add_den == 0:
            return f"{c}/{t}"
        num = f"({c} + {format_number(self.add_num)})" if self.add_num else c
        if self.add_den == 0:
            den = t
        elif self.add_den == self.alpha or self.k == 1:
            den = f"({t} + {format_number(self.add_den)})"
        else:
            den = f"({t} + {self.k}·{format_number(self.alpha)})"
        return f"{num}/{den}"


class Model:
    def __init__(self, data: Data, settings: Settings):
        self.data = data
        self.s = settings
        self.N = len(data.y)
        self.K = len(data.classes)
        self._gauss: dict[tuple[str, Value], tuple[Fraction, Fraction]] = {}

    # --- estimates -------------------------------------------------------------------------

    def prior(self, c: Value) -> Estimate:
        b = Fraction(self.s.beta)
        return Estimate(Fraction(self.data.n(c)), Fraction(self.N), b, self.K * b, self.K, b)

    def _smooth(self, cnt: int, total: int, k: int) -> Estimate:
        a = Fraction(self.s.alpha)
        if self.s.denominator == "plus-alpha":
            return Estimate(Fraction(cnt), Fraction(total), a, a, 1, a)
        if self.s.denominator == "numerator-only":
            return Estimate(Fraction(cnt), Fraction(total), a, Fraction(0), 1, a)
        return Estimate(Fraction(cnt), Fraction(total), a, k * a, k, a)

    def theta(self, feature: str, value: Value, c: Value) -> Estimate:
        """P(X_feature = value | c) (discrete), or P(word | c) (multinomial; value unused)."""
        d = self.data
        rows = d.rows_of(c)
        if d.variant == "multinomial":
            t_w = sum(r[feature] for r in rows)
            t = sum(r[f] for r in rows for f in d.features)
            return self._smooth(t_w, t, len(d.features))
        n_v = sum(1 for r in rows if r[feature] == value)
        return self._smooth(n_v, len(rows), len(d.values[feature]))

    def gaussian(self, feature: str, c: Value) -> tuple[Fraction, Fraction]:
        """(mean, variance) of a feature in class c; the variance divides by N_y − ddof."""
        key = (feature, c)
        if key not in self._gauss:
            xs = [Fraction(r[feature]) for r in self.data.rows_of(c)]
            mean = sum(xs, Fraction(0)) / len(xs)
            den = len(xs) - self.s.ddof
            if den <= 0:
                raise Undefined(f"class {self.data.label}={show(c)} has {len(xs)} row(s): the variance divides by {den}")
            var = sum(((x - mean) ** 2 for x in xs), Fraction(0)) / den
            self._gauss[key] = (mean, var)
        return self._gauss[key]

    def density(self, feature: str, x: Value, c: Value) -> Any:
        mean, var = self.gaussian(feature, c)
        if var == 0:
            raise Undefined(f"the variance of {feature} in class {self.data.label}={show(c)} is 0 "
                            "(all its values are equal), so its Gaussian density does not exist")
        return gauss_density(as_sympy_rational(Fraction(x)), var, mean)

    # --- scores ----------------------------------------------------------------------------

    def factor(self, feature: str, value: Value, c: Value) -> Any:
        """The factor of x_feature = value in the joint score of class c."""
        if self.data.variant == "gaussian":
            return self.density(feature, value, c)
        if self.data.variant == "multinomial":
            return self.theta(feature, None, c).value ** int(value)
        return self.theta(feature, value, c).value

    def likelihood(self, x: dict[str, Value], c: Value) -> Any:
        out: Any = Fraction(1)
        for f, v in x.items():
            out = out * self.factor(f, v, c)
        return as_fraction(out)

    def joint(self, x: dict[str, Value], c: Value, with_prior: bool = True) -> Any:
        lik = self.likelihood(x, c)
        return as_fraction(self.prior(c).value * lik) if with_prior else lik

    def posterior(self, x: dict[str, Value], c: Value, with_prior: bool = True) -> Any:
        scores = {k: self.joint(x, k, with_prior) for k in self.data.classes}
        return normalise(scores, c)

    def predict(self, x: dict[str, Value], with_prior: bool = True) -> Value:
        scores = [(k, self.joint(x, k, with_prior)) for k in self.data.classes]
        return argmax(scores)


def gauss_density(x: Any, var: Fraction, mean: Fraction) -> Any:
    """N(x; mean, var) = exp(−(x − mean)²/(2 var))/√(2π var), exact (sympy)."""
    import sympy as sp

    v, m = as_sympy_rational(var), as_sympy_rational(mean)
    return sp.exp(-((x - m) ** 2) / (2 * v)) / sp.sqrt(2 * sp.pi * v)


def sum_exact(values: list[Any]) -> Any:
    if all(isinstance(v, Fraction) for v in values):
        return sum(values, Fraction(0))
    import sympy as sp

    return sp.Add(*[to_sympy(v) for v in values])


def to_sympy(v: Any) -> Any:
    return as_sympy_rational(Fraction(v)) if isinstance(v, (int, Fraction)) else v


def is_zero(v: Any) -> bool:
    if isinstance(v, Fraction):
        return v == 0
    return bool(v.is_zero)


def normalise(scores: dict[Value, Any], c: Value) -> Any:
    """scores[c] / Σ scores, exact. Sympy scores are written 1/(1 + Σ_k scores[k]/scores[c]) with
    each ratio simplified (the exp factors combine), which keeps Gaussian posteriors short."""
    values = list(scores.values())
    if is_zero(as_fraction(sum_exact(values))):
        raise Undefined("every label value scores 0 for this x (each class has a zero factor), "
                        "so the posterior is 0/0; smoothing fixes this")
    if all(isinstance(v, Fraction) for v in values):
        return scores[c] / sum(values, Fraction(0))
    if is_zero(scores[c]):
        return Fraction(0)
    import sympy as sp

    own = to_sympy(scores[c])
    rest = [sp.simplify(sp.powsimp(to_sympy(v) / own, combine="exp")) for k, v in scores.items() if k != c]
    return as_fraction(1 / (1 + sp.Add(*rest)))


def argmax(scores: list[tuple[Value, Any]]) -> Value:
    """The label of the largest score; ties go to the first label (sorted order)."""
    best, best_v = scores[0][0], scores[0][1]
    for k, v in scores[1:]:
        if _greater(v, best_v):
            best, best_v = k, v
    return best


def _greater(a: Any, b: Any) -> bool:
    if isinstance(a, Fraction) and isinstance(b, Fraction):
        return a > b
    import sympy as sp

    diff = to_sympy(a) - to_sympy(b)
    d = diff.evalf(60)
    if abs(d) > sp.Float(10) ** -50:
        return bool(d > 0)
    return sp.simplify(diff) != 0 and bool(d > 0)  # an exact tie is no improvement
