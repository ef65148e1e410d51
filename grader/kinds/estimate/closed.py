"""Textbook closed forms (conjugate pairs and the classic MLEs), shown as a cross-check step.

These are written independently of the derivation (the formulas a lecture states), so agreement
with the sympy derivation is a real check: (k + α − 1)/(n + α + β − 2) = (10 + 7 − 1)/(100 + 7 +
95 − 2) = 16/200 = 0.08.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

import sympy as sp

from ...answers.evaluate import exact_to_sympy
from ...formula import Add, Div, Group, Math, Mul, Rel, Sub, Sym
from ...formula import Handwritten as H
from ...render.math import text
from ...solution import Step
from .model import Setup, _sym
from .notation import estimate_of, mean_of, sym
from .notation import value as valued

NAMES = {  # a template's operand: how the closed form names it
    "k": Sym("k"), "n": Sym("n"), "S": Sym("Σx", latex=r"\sum x_i"), "a": Sym("α"), "b": Sym("β"),
    "m": Sym("m"), "v": Sym("v"), "s2": Sym("σ²", latex=r"\sigma^2"), "SS": Sym("Σx²", latex=r"\sum x_i^2"),
    "mu": Sym("μ"),
}
# a one-parameter model's estimate is a ratio of two statistics (successes over trials, events over
# exposure); its conjugate prior adds pseudo-counts to both: (name, numerator, denominator, prior family)
CONJUGATE = {
    "bernoulli": ("Bernoulli", "k", "n", "beta"), "binomial": ("binomial", "k", "n", "beta"),
    "geometric": ("geometric", "n", "S", "beta"),
    "poisson": ("Poisson", "S", "n", "gamma"), "exponential": ("exponential", "n", "S", "gamma"),
}
STATISTIC = {"k": "k", "n": "n", "S": "sum"}  # an operand's name -> the Setup's statistic
Template = Callable[[Any], Any]  # operands (named, numbers or sympy values) -> the expression over them


@dataclass
class Closed:
    value: Any
    step: Step
    name: str  # "Beta–Bernoulli MAP"


def _operand(v: Any) -> Math:
    """A value substituted into a closed form: a negative one in parentheses, (−3)."""
    return Group(H(v)) if v.is_number and v.is_negative else H(v)


def _tight(x: Math) -> Math:
    """`x` with parentheses around a fraction or a sum that is a factor, a numerator or a denominator:
    (1/2)/4, 9/(7/2), 2·(k + 1)."""
    def wrap(y: Math) -> Math:
        y = _tight(y)
        if isinstance(y, H) and not y.expr.is_Integer and not y.expr.is_Symbol:
            return Group(y)
        return y
    if isinstance(x, Mul):
        return Mul(tuple(wrap(f) for f in x.factors))
    if isinstance(x, Div):
        return Div(wrap(x.numerator), wrap(x.denominator))
    if isinstance(x, Add):
        return Add(tuple(_tight(t) for t in x.terms))
    if isinstance(x, Sub):
        return Sub(_tight(x.left), _tight(x.right))
    return x


def _ratio(label: Sym, num: Template, den: Template, values: dict[str, Any], name: str) -> Closed:
    """The closed form num/den as a cross-check step: named, with the numbers, evaluated."""
    exact = SimpleNamespace(**{k: exact_to_sympy(v) for k, v in values.items()})
    N, D = num(exact), den(exact)
    value = sp.simplify(N / D)
    named = SimpleNamespace(**{k: NAMES[k] for k in values})
    numbers = SimpleNamespace(**{k: _operand(v) for k, v in vars(exact).items()})
    chain: list[Math] = []
    for form in (Div(num(named), den(named)), _tight(Div(num(numbers), den(numbers))), _tight(Div(H(N), H(D)))):
        if not chain or text(form) != text(chain[-1]):
            chain.append(form)
    shown = valued(value)[0]  # 18/7 ≈ 2.5714, or 3, or k/n
    tail = list(zip(("=", *shown.ops), shown.items)) if isinstance(shown, Rel) else [("=", shown)]
    if text(tail[0][1]) == text(chain[-1]):
        tail = tail[1:]  # the exact value is the last form already
    relation = Rel((label, *chain, *(item for _, item in tail)), ("=",) * len(chain) + tuple(op for op, _ in tail))
    return Closed(value, Step.of(f"Cross-check, {name} closed form: ", relation, " ✓"), name)


def _rate(prior: dict[str, Any], symbols: dict[str, Any]) -> Any:
    if prior.get("rate") is not None:
        return _sym(prior["rate"], symbols)
    return 1 / _sym(prior["scale"], symbols)


def textbook(setup: Setup, which: str, key: str | None = None) -> Closed | None:
    """The closed form of `which` (mle | map | mean) for this model and prior, if it has one."""
    model, st, prior = setup.model, setup.stats, setup.prior
    symbols = dict(setup.data_symbols)
    p = setup.params[0] if setup.params else None
    label = _label(p.sym if p else sym("theta"), which)
    if which != "mle" and (prior is None or setup.prior_kind != "named"):
        return None
    fam = prior["family"] if prior else None
    if model in CONJUGATE:
        title, top, bottom, family = CONJUGATE[model]
        vals: dict[str, Any] = {top: st[STATISTIC[top]], bottom: st[STATISTIC[bottom]]}

        def up(v: Any) -> Any:
            return getattr(v, top)

        def down(v: Any) -> Any:
            return getattr(v, bottom)

        if which == "mle":
            return _ratio(label, up, down, vals, f"{title} MLE")
        if fam != family:
            return None
        if family == "beta":
            vals.update(a=_sym(prior["alpha"], symbols), b=_sym(prior["beta"], symbols))
            if which == "map":
                return _ratio(label, lambda v: up(v) + v.a - 1, lambda v: down(v) + v.a + v.b - 2, vals,
                              f"Beta–{'Bernoulli' if model == 'binomial' else title} MAP")
            return _ratio(label, lambda v: up(v) + v.a, lambda v: down(v) + v.a + v.b, vals, "Beta posterior mean")
        vals.update(a=_sym(prior["shape"], symbols), b=_rate(prior, symbols))
        if which == "map":
            return _ratio(label, lambda v: v.a + up(v) - 1, lambda v: v.b + down(v), vals, f"Gamma–{title} MAP (α = shape, β = rate)")
        return _ratio(label, lambda v: v.a + up(v), lambda v: v.b + down(v), vals, "Gamma posterior mean (α = shape, β = rate)")
    if model == "gaussian":
        n, S, SS = st["n"], st["sum"], st["sum_squares"]
        key = key or (setup.params[0].key if len(setup.params) == 1 else "mean")
        if key == "mean":
            label = _label(sym("mu"), which)
            if which == "mle":
                return _ratio(label, lambda v: v.S, lambda v: v.n, {"S": S, "n": n}, "Gaussian mean MLE (the sample mean)")
            if fam not in ("gaussian", "normal") or "variance" not in setup.known:
                return None
            vals = {"m": _sym(prior["mean"], symbols), "v": _sym(prior["variance"], symbols),
                    "S": S, "n": n, "s2": setup.known["variance"]}
            return _ratio(label, lambda v: v.m / v.v + v.S / v.s2, lambda v: 1 / v.v + v.n / v.s2, vals,
                          "Normal–Normal posterior " + ("mode" if which == "map" else "mean"))
        if which != "mle":
            return None
        label = _label(NAMES["s2"], which)
        if "mean" in setup.known:
            mu = setup.known["mean"]
            return _ratio(label, lambda v: v.SS - 2 * v.mu * v.S + v.n * v.mu * v.mu, lambda v: v.n,
                          {"SS": SS, "S": S, "n": n, "mu": mu}, "Gaussian variance MLE with known mean, (Σx² − 2μΣx + nμ²)/n")
        return _ratio(label, lambda v: v.SS - v.S * v.S / v.n, lambda v: v.n, {"SS": SS, "S": S, "n": n},
                      "Gaussian variance MLE, (Σx² − (Σx)²/n)/n")
    return None


def _label(t: Sym, which: str) -> Sym:
    """θ_MLE, θ_MAP, E[θ|D]"""
    return mean_of(t) if which == "mean" else estimate_of(t, which.upper())
