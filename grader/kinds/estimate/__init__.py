"""`estimate`: MLE, MAP and posterior mean, derived symbolically (log-likelihood, derivative, solve).

The derivation is the recitation's: write p(D|θ) (and p(θ)), take −log, differentiate, set to 0,
solve with sympy, check it is the maximum. Conjugate pairs are cross-checked against the textbook
closed form (a step of its own); a model written as densities in the safe expression language
goes through the same derivation, and where no closed form exists the solver says so and finds
the root numerically. Support code: the modules of this package:

- `notation` the kind's notation as math nodes (p(D|θ), θ_MAP, E[θ|D], 18/7 ≈ 2.5714); printing
            is grader/render/math's
- `model`   models, priors, data: validation and the exact log-likelihood / log-prior
- `derive`  the one-parameter derivation (−log posterior, derivative, solve, boundary analysis,
            numeric fallback), posterior-kernel recognition and the posterior mean
- `multi`   the several-parameter cases: a Gaussian's mean and variance, a categorical's vector
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from fractions import Fraction
from typing import Any

from ...answers.evaluate import exact_to_sympy
from ...errors import SolveError
from ...problem import Part, Problem
from ...solution import Alternative, Step
from ...spec.schema import (
    Custom,
    Field,
    Formula,
    Int,
    ListOf,
    Map,
    Number,
    OneOf,
    Quantity,
    Str,
    exact_number,
)
from .. import Answer, Kind, Mistake, register

_NAME = r"[A-Za-z][A-Za-z0-9_]*"
SOLVE_SECONDS = 40  # the bound on solving one problem (hostile formulas end here, as a spec error)
VALIDATE_SECONDS = 10


# ---------------------------------------------------------------------------------------------
# schema


def _value_or_name(v: Any) -> Any:
    from .model import value_or_name

    return value_or_name(v)


def _observation(v: Any) -> Any:
    from .model import observation

    return observation(v)


def _bound(v: Any) -> Any:
    x = exact_number(v)
    return x


STAT = Custom(_value_or_name, description="a number or a symbol name")
DATA = OneOf([
    ListOf(Custom(_observation, description="an observation (a number, or a category label)"), min_len=1, max_len=100_000,
           description="a list of observations"),
    Map({
        "n": Field(STAT, doc="number of trials (bernoulli, binomial) or of observations"),
        "k": Field(STAT, doc="number of successes (bernoulli, binomial)"),
        "sum": Field(STAT, doc="sum of the observations (poisson, exponential, geometric, gaussian)"),
        "sum_squares": Field(STAT, doc="sum of the squared observations (gaussian)"),
        "counts": Field(ListOf(Int(min=0), min_len=2), doc="count of each category (categorical)"),
        "max": Field(Number(min=0), doc="the largest observation (uniform)"),
    }, description="sufficient statistics {n, k} | {n, sum} | {n, sum, sum_squares} | {n, max} | {counts: [...]}"),
], description="a list of observations or sufficient statistics")

PRIOR = Map({
    "family": Field(Str(choices=("beta", "gamma", "gaussian", "normal", "dirichlet", "inverse-gamma")), required=True),
    "alpha": Field(OneOf([STAT, ListOf(Number(min=0, min_exclusive=True), min_len=2)]), doc="beta α, or dirichlet [α_1, ...]"),
    "beta": Field(STAT, doc="beta β"),
    "shape": Field(STAT, doc="gamma or inverse-gamma shape"),
    "scale": Field(STAT, doc="gamma scale (mean = shape·scale), or inverse-gamma scale β (density ∝ θ^(−shape−1)·e^(−β/θ))"),
    "rate": Field(STAT, doc="gamma rate = 1/scale"),
    "mean": Field(STAT, doc="gaussian mean"),
    "variance": Field(STAT, doc="gaussian variance"),
}, description="a prior {family: beta|gamma|gaussian|dirichlet|inverse-gamma, ...}")


def _check_prior(prior: dict[str, Any], path: tuple, c: Any) -> None:
    from .model import check_prior

    for sub, msg in check_prior(prior):
        c.error(path + sub, msg)


PRIOR.check_all = _check_prior


def _check_given(g: dict[str, Any], path: tuple, c: Any) -> None:
    from . import model as M

    model, lik = g.get("model"), g.get("likelihood")
    if model is None and lik is None:
        c.error(path, "give `model:` (bernoulli binomial poisson exponential geometric gaussian categorical) or your own `likelihood:`")
        return
    if model is not None and lik is not None:
        c.error(path + ("likelihood",), "give either `model:` or `likelihood:`, not both")
        return
    if g.get("prior") is not None and g.get("prior_density") is not None:
        c.error(path + ("prior_density",), "give either `prior:` or `prior_density:`, not both")
    for key, only in (("trials", "binomial"), ("categories", "categorical")):
        if g.get(key) is not None and model != only:
            c.error(path + (key,), f"`{key}:` applies to the {only} model only")
    for key in ("mean", "variance"):
        if g.get(key) is not None and model != "gaussian":
            c.error(path + (key,), f"`{key}:` (a known {key}) applies to the gaussian model only")
    if g.get("variance") is not None and g["variance"] <= 0:
        c.error(path + ("variance",), "a variance must be positive")
    if g.get("domain") is not None and model is not None:
        c.error(path + ("domain",), "`domain:` applies to a custom `likelihood:` only (a named model knows its range)")
    if g.get("parameter") is not None:
        if model in ("gaussian", "categorical"):
            c.error(path + ("parameter",), f"the {model} model names its own parameters (mu, sigma2 / theta_j); a part picks one with `parameter:`")
        elif g["parameter"] in M.RESERVED:
            c.error(path + ("parameter",), f"{g['parameter']!r} is a reserved name; choose another parameter name")
    dom = g.get("domain")
    if dom is not None:
        lo, hi = dom
        if not lo < hi:
            c.error(path + ("domain",), "expected [low, high] with low < high")
    prior = g.get("prior")
    if prior is not None:
        fam = prior["family"]
        if (fam == "dirichlet") != (model == "categorical"):
            c.error(path + ("prior", "family"), "a categorical model takes a dirichlet prior, and a dirichlet prior needs the categorical model")
    if g.get("prior_density") is not None and model == "categorical":
        c.error(path + ("prior_density",), "a categorical model takes a dirichlet `prior:`, not a density")
    data = g.get("data")
    if data is not None:
        for sub, msg in M.check_data(model, data, g):
            c.error(path + ("data",) + sub, msg)
    pname = g.get("parameter") or "theta"
    # formulas: parse and build now, so a bad formula is a spec error with its line
    from .derive import BudgetExceeded, budget

    try:
        with budget(VALIDATE_SECONDS):
            _check_formulas(g, path, c, pname)
    except BudgetExceeded:
        c.error(path, f"checking the formulas took more than {VALIDATE_SECONDS} s; simplify them")


def _check_formulas(g: dict[str, Any], path: tuple, c: Any, pname: str) -> None:
    import sympy as sp

    from ...answers.symbols import make_symbols
    from ...errors import InvalidAnswer
    from . import model as M

    syms = make_symbols({pname: {"positive": True}})
    for key, allowed in (("likelihood", {"x": sp.Symbol("x", real=True), pname: syms[pname]}),
                         ("prior_density", {pname: syms[pname]})):
        text = g.get(key)
        if text is None:
            continue
        try:
            expr = M.formula(text, allowed, key.replace("_", " "))
        except InvalidAnswer as exc:
            c.error(path + (key,), f"{exc}")
            continue
        if syms[pname] not in expr.free_symbols:
            if key == "prior_density" and M.flat_prior(expr):
                continue  # a constant prior density is the flat (improper) prior
            c.error(path + (key,), f"the {key.replace('_', ' ')} does not depend on the parameter {pname!r}"
                    + (" (a flat prior is a positive constant such as \"1\")" if key == "prior_density" else ""))
        elif key == "likelihood" and not expr.has(allowed["x"]):
            c.error(path + (key,), "the likelihood is the density of one observation x: it must use x")


GIVEN = Map({
    "model": Field(Str(choices=("bernoulli", "binomial", "poisson", "exponential", "geometric", "gaussian", "categorical", "uniform")),
                   doc="a named model (or write `likelihood:` instead); uniform is Uniform(0, θ), θ the upper end"),
    "data": Field(DATA, required=True, doc="raw observations [..] or sufficient statistics; a statistic may be a symbol name (data: {n: N, k: k})"),
    "prior": Field(PRIOR, doc="beta {alpha, beta} | gamma {shape, scale} or {shape, rate} | gaussian {mean, variance} | dirichlet {alpha: [...]}"),
    "likelihood": Field(Formula(), doc="your own model: the density of one observation x, e.g. exp(-theta)*theta^x/factorial(x)"),
    "prior_density": Field(Formula(), doc="your own prior density in the parameter, e.g. theta*exp(-theta/2)/4"),
    "parameter": Field(Str(pattern=_NAME, description="a parameter name"), doc="the parameter's symbol (default theta; lambda for exponential)"),
    "domain": Field(ListOf(Custom(_bound, description="a number or inf"), min_len=2, max_len=2),
                    doc="a custom model's parameter range [low, high] (default: the prior's support, else [0, inf])"),
    "trials": Field(Int(min=1), doc="binomial: trials per observation, for raw data"),
    "mean": Field(Number(), doc="gaussian: a known mean (then the variance is estimated)"),
    "variance": Field(Number(), doc="gaussian: a known variance (then the mean is estimated; needed for a prior on the mean)"),
    "categories": Field(OneOf([Int(min=2), ListOf(Custom(_observation, description="a category label"), min_len=2)]),
                        doc="categorical: the category labels (or their number K, labels 1..K)"),
}, check_all=_check_given, description="an estimation problem")

_PART_DATA = Field(DATA, doc="this part's own data (e.g. symbolic {n: N, k: k}), replacing given.data")
_PART_PRIOR = Field(PRIOR, doc="this part's own prior, replacing given.prior")
_PARAM = Field(Str(pattern=_NAME), doc="gaussian: mean | variance (which parameter)")
_CATEGORY = Field(Custom(_observation, description="a category label"), doc="categorical: one entry of the vector")
_EST_ARGS = {"parameter": _PARAM, "category": _CATEGORY, "data": _PART_DATA, "prior": _PART_PRIOR}

QUANTITIES = [
    Quantity("mle", "real|expression|matrix", "maximum-likelihood estimate (a vector for categorical; an expression when the data are symbolic)", dict(_EST_ARGS)),
    Quantity("map", "real|expression|matrix", "maximum a posteriori estimate, the posterior mode (needs a prior)", dict(_EST_ARGS)),
    Quantity("posterior_mean", "real|expression|matrix", "posterior mean E[θ|D] (needs a prior)", dict(_EST_ARGS)),
    Quantity("log_likelihood", "expression", "log p(D|θ) as an expression in the parameter (theta, lambda, mu & sigma, theta_j)",
             {"data": _PART_DATA}),
    Quantity("likelihood", "real", "p(D|θ), the probability (density) of the data at a parameter value",
             {"at": Field(OneOf([Number(), Map({"mean": Field(Number()), "variance": Field(Number(min=0, min_exclusive=True))}),
                                 ListOf(Number(min=0, max=1), min_len=2)]), required=True,
                          doc="the parameter value: a number, {mean, variance} for gaussian, a vector for categorical"),
              "data": _PART_DATA}),
]

MISTAKES = [
    Mistake("mle-for-map", "gave the MLE where the MAP was asked (ignored the prior)",
            "{given} is the maximum-likelihood estimate: it ignores the prior. The MAP maximises likelihood × prior; the expected answer is {expected}."),
    Mistake("posterior-mean", "gave the posterior mean where the MAP (the posterior mode) was asked",
            "{given} is the posterior mean. The MAP is the mode of the posterior (where its density peaks): {expected}."),
    Mistake("map-for-mle", "gave the MAP where the MLE was asked (used the prior)",
            "{given} uses the prior. The MLE maximises the likelihood alone: {expected}."),
    Mistake("mode-for-mean", "gave the posterior mode (MAP) where the posterior mean was asked",
            "{given} is the mode of the posterior (the MAP). The posterior mean is its expected value: {expected}."),
    Mistake("prior-mode", "gave the prior's mode, ignoring the data",
            "{given} is the mode of the prior alone; the MAP combines the prior with the data: {expected}."),
    Mistake("gamma-scale-rate", "read the Gamma prior's scale as its rate (or the rate as the scale)",
            "{given} is what a Gamma prior with scale and rate swapped gives. Gamma(shape k, scale s) has density ∝ θ^(k−1)·e^(−θ/s); the expected answer is {expected}."),
    Mistake("unbiased-variance", "divided by n − 1 (the unbiased sample variance) instead of n",
            "{given} divides by n − 1. The maximum-likelihood variance divides by n: {expected}."),
    Mistake("std-for-variance", "gave the standard deviation σ instead of the variance σ²",
            "{given} is the standard deviation σ̂; the question asks for the variance σ̂² = {expected}."),
    Mistake("binomial-coefficient", "multiplied by the binomial coefficient C(n, k): the probability of k successes in any order, not of this sequence",
            "{given} includes C(n, k). The likelihood of this particular sequence is θ^k(1 − θ)^(n−k): {expected}."),
    Mistake("no-binomial-coefficient", "left out the binomial coefficient of a binomial observation",
            "{given} leaves out C(n, k); a binomial observation counts every order: {expected}."),
    Mistake("log-likelihood", "gave the log-likelihood where the likelihood was asked",
            "{given} is log p(D|θ); the likelihood itself is {expected}."),
]

EXAMPLE = """\
model: poisson
data: [3, 4, 1]                      # or sufficient statistics: {n: 3, sum: 8}
prior: {family: gamma, shape: 2, scale: 2}
# or your own model, in the safe expression language:
# likelihood: "exp(-theta) * theta^x / factorial(x)"
# prior_density: "theta * exp(-theta/2) / 4"
# parameter: theta
# parts: {ask: map} | {ask: mle} | {ask: posterior_mean} | {ask: log_likelihood} | {ask: likelihood, at: 0.5}
#        symbolic data for one part: {ask: mle, data: {n: N, k: k}}
#        gaussian: {ask: mle, parameter: variance}; categorical answers are vectors
"""


# ---------------------------------------------------------------------------------------------
# solving


class _Ctx:
    """One problem being solved: set-ups (given, or a part's own data/prior) and cached results.

    The whole problem shares one time budget (SOLVE_SECONDS from the set-up on): each step of the
    framework runs `within_budget`, so hostile formulas end as a spec error, not a hang."""

    def __init__(self, problem: Problem):
        self.problem = problem
        self.g = problem.given
        self.setups: dict[Any, Any] = {}
        self.results: dict[Any, Any] = {}
        self.keep: list[Any] = []
        self.deadline = time.monotonic() + SOLVE_SECONDS
        with self.within_budget():
            self.base = self.setup(None)

    @contextmanager
    def within_budget(self) -> Iterator[None]:
        from .derive import BudgetExceeded, Timeout, budget

        try:
            with budget(self.deadline - time.monotonic()):
                yield
        except BudgetExceeded:
            raise SolveError(f"the derivation took more than {SOLVE_SECONDS} s (simplify the formulas or the data)",
                             ("given",)) from None
        except Timeout:
            raise SolveError("the derivation took too long") from None

    def setup(self, part: Part | None) -> Any:
        from .model import build

        data = part.args.get("data") if part is not None else None
        prior = part.args.get("prior") if part is not None else None
        key = (repr(data), repr(prior))
        if key in self.setups:
            return self.setups[key]
        g = self.g
        if data is None and prior is None:
            s = build(g, g["data"], g.get("prior"), g.get("prior_density"), ("given",))
        else:
            assert part is not None
            s = build(g, data if data is not None else g["data"],
                      prior if prior is not None else g.get("prior"),
                      None if prior is not None else g.get("prior_density"), part.path)
            s.overridden = True
        s.source_data = data if data is not None else g["data"]
        self.setups[key] = s
        return s


def _param_key(setup: Any, part: Part) -> str | None:
    want = part.args.get("parameter")
    if setup.model == "gaussian":
        keys = [p.key for p in setup.params]
        if want is None:
            if len(keys) == 1:
                return keys[0]
            raise SolveError("the gaussian has two unknown parameters: say which with `parameter: mean` or `parameter: variance`", part.path)
        aliases = {"mu": "mean", "sigma2": "variance", "var": "variance"}
        want = aliases.get(want, want)
        if want not in ("mean", "variance"):
            raise SolveError(f"parameter is mean or variance, not {want!r}", part.path + ("parameter",))
        if want not in keys:
            raise SolveError(f"the {want} is given as known (`{want}:` in given), so it is not estimated", part.path + ("parameter",))
        return want
    if setup.model == "categorical":
        if want is not None:
            raise SolveError("a categorical estimate is a vector; pick one entry with `category:` instead of `parameter:`", part.path + ("parameter",))
        return None
    if want is not None and want != setup.params[0].key:
        raise SolveError(f"this model's parameter is {setup.params[0].key!r}, not {want!r}", part.path + ("parameter",))
    return setup.params[0].key


def _neg_log(setup: Any, with_prior: bool) -> Any:
    J = -setup.loglik
    if with_prior:
        J = J - setup.logprior
    return J


def _objective(setup: Any, with_prior: bool) -> Any:
    from .notation import data_given, joint_of

    t = setup.params[0].sym
    return joint_of(t) if with_prior else data_given(t)


def _estimate(ctx: _Ctx, setup: Any, which: str, key: str | None) -> Any:
    """The Result of mle | map | mean for `key` (cached)."""
    from . import derive, multi

    cache = (id(setup), which, key)
    if cache in ctx.results:
        return ctx.results[cache]
    ctx.keep.append(setup)  # alive as long as its cached results: an id is never reused
    if which in ("map", "mean") and setup.logprior is None:
        raise SolveError("this needs a prior: add `prior:` (or `prior_density:`) to given")
    try:
        if setup.model == "categorical":
            r = multi.categorical(setup, which)
        elif setup.model == "gaussian" and len(setup.params) == 2:
            if which != "mle":
                raise SolveError("with both the mean and the variance unknown only the MLE is available; give `variance:` to put a prior on the mean")
            r = multi.gaussian_joint(setup, key or "mean")
        else:
            p = setup.params[0]
            if which == "mle" and setup.model is not None:
                # the MLE maximises the likelihood alone: over the model's own range, even where a
                # prior's support is narrower (a Beta prior on a Poisson rate)
                from dataclasses import replace

                lo, hi = _model_range(setup, p.key)
                p = replace(p, lo=lo, hi=hi)
            J = _neg_log(setup, which != "mle")
            if which == "mean":
                r = derive.posterior_mean(J, p, setup.symbolic)
            else:
                r = derive.argmax(J, p, "MLE" if which == "mle" else "MAP", _objective(setup, which == "map"), setup.symbolic)
    except derive.Timeout:
        raise SolveError("the derivation took too long") from None
    ctx.results[cache] = r
    return r


def _model_range(setup: Any, key: str) -> tuple[Any, Any]:
    """The range of a named model's parameter before any prior narrows it."""
    from .model import _space, uniform_range

    model = setup.model
    if model == "uniform":
        return uniform_range(setup.stats)
    if model == "gaussian":
        import sympy as sp

        return (-sp.oo, sp.oo) if key == "mean" else (sp.Integer(0), sp.oo)
    return _space(model)


def _answer(part: Part, setup: Any, value: Any, steps: list[Step], alts: list[Alternative]) -> Answer:
    from ...formula import Sym
    from .notation import exact
    from .notation import value as valued

    alts = [a for a in alts if a.value is not None]
    if isinstance(value, list):
        vals = [exact(v) for v in value]
        cat = part.args.get("category")
        if cat is not None:
            from .model import _label_key

            labels = setup.categories
            if _label_key(cat) not in labels:
                raise SolveError(f"{cat!r} is not one of the categories {', '.join(labels)}", part.path + ("category",))
            j = labels.index(_label_key(cat))
            alts = [Alternative(a.mistake, a.value[j]) for a in alts if isinstance(a.value, list)]
            what = f"E[θ_{labels[j]}|D]" if part.ask == "posterior_mean" else f"θ_{labels[j]},{part.ask.upper()}"
            steps = steps + [Step.of(*valued(value[j], Sym(what)))]
            return _answer(part, setup, value[j], steps, alts)
        alts = [Alternative(a.mistake, [exact(v) for v in a.value]) for a in alts if isinstance(a.value, list)]
        return Answer(vals, steps, alts, type="matrix", options={"elements": "real"})
    if hasattr(value, "free_symbols") and value.free_symbols:
        names = {s.name for s in value.free_symbols}
        decls = {n: d for n, d in setup.decls.items() if n in names or n in setup.data_symbols}
        return Answer(value, steps, alts, type="expression", options={"symbols": decls})
    v = exact(value)
    return Answer(v, steps, [Alternative(a.mistake, exact(a.value)) for a in alts], type="real")


def _final(setup: Any, which: str, key: str | None, value: Any) -> Step:
    from ...formula import Handwritten
    from .notation import estimate_of, exact, mean_of, sym
    from .notation import value as valued

    name = {"mle": "MLE", "map": "MAP", "mean": "posterior mean"}[which]
    if setup.model == "categorical":
        theta = sym("theta")
        entries: list[Any] = []
        for v in value:
            entries += [", " if entries else " = [", Handwritten(exact(v))]
        return Step.of(mean_of(theta) if which == "mean" else estimate_of(theta, name), *entries, "]")
    t = (setup.param(key) if key else setup.params[0]).sym
    return Step.of(*valued(value, mean_of(t) if which == "mean" else estimate_of(t, name)))


def _crosscheck(setup: Any, which: str, key: str | None, value: Any, result: Any) -> list[Step]:
    """The textbook closed form (or the recognised posterior family) as a step, compared."""
    import sympy as sp

    from . import closed, derive
    from .notation import value as valued

    if setup.model == "categorical" or result.boundary:
        return []
    c = None
    if setup.model is not None and (which == "mle" or setup.prior_kind == "named"):
        c = closed.textbook(setup, which, key)
    if c is None and len(setup.params) == 1 and which != "mean":
        p = setup.params[0]
        J = _neg_log(setup, which != "mle")
        k = derive.recognise(J, p, "posterior" if which != "mle" else "likelihood")
        if k is not None:
            target = k.mean if which == "mean" else k.mode()
            if target is not None:
                what = "mean" if which == "mean" else "mode"
                target = sp.simplify(target)
                c = closed.Closed(target, Step.of(
                    f"Cross-check, closed form: as a function of {p.text}, ", *k.shown, f"; its {what} is ", *valued(target), " ✓"), k.family)
    if c is None:
        return []
    if isinstance(value, float):
        try:
            ok = math.isclose(value, float(sp.N(c.value, 30)), rel_tol=1e-9, abs_tol=1e-12)
        except (TypeError, ValueError):
            ok = False
    else:
        try:
            ok = sp.simplify(exact_to_sympy(value) - c.value) == 0
        except (TypeError, ValueError):
            ok = False
    if not ok:
        raise SolveError(f"internal check failed: the derivation gives {value} but the closed form gives {c.value}; please report this spec")
    return [c.step]


def _alternatives(ctx: _Ctx, setup: Any, which: str, key: str | None) -> list[Alternative]:
    """What each mistake gives for this part, computed (never stored)."""
    from . import derive, model

    alts: list[Alternative] = []

    def value_of(w: str, s: Any = setup, k: str | None = key) -> Any:
        try:
            return _estimate(ctx, s, w, k).value
        except (SolveError, derive.Timeout):
            return None

    if which == "map":
        alts.append(Alternative("mle-for-map", value_of("mle")))
        alts.append(Alternative("posterior-mean", value_of("mean")))
        prior = setup.prior
        if prior is not None and setup.prior_kind == "named" and setup.model != "categorical":
            mode = _prior_mode(prior)
            if mode is not None:
                alts.append(Alternative("prior-mode", mode))
    elif which == "mle":
        if setup.logprior is not None and not (setup.model == "gaussian" and len(setup.params) == 2):
            alts.append(Alternative("map-for-mle", value_of("map")))
        if setup.model == "gaussian" and key == "variance":
            v = value_of("mle")
            n = setup.stats["n"]
            if v is not None:
                if not (n.is_number and n <= 1):
                    alts.append(Alternative("unbiased-variance", v * n / (n - 1)))
                import sympy as sp

                alts.append(Alternative("std-for-variance", sp.sqrt(v)))
    elif which == "mean":
        alts.append(Alternative("mode-for-mean", value_of("map")))
    if which in ("map", "mean") and setup.prior is not None and setup.prior["family"] == "gamma" and setup.prior_kind == "named":
        swapped = dict(setup.prior)
        if swapped.get("scale") is not None:
            swapped["rate"], swapped["scale"] = swapped["scale"], None
        else:
            swapped["scale"], swapped["rate"] = swapped["rate"], None
        try:
            s2 = model.build(ctx.g, setup.source_data, swapped, None, ())
            alts.append(Alternative("gamma-scale-rate", _estimate(ctx, s2, which, key).value))
        except (SolveError, derive.Timeout, KeyError):
            pass
    return alts


def _prior_mode(prior: dict[str, Any]) -> Any:
    from .model import is_symbol

    fam = prior["family"]
    vals = {k: v for k, v in prior.items() if k != "family" and v is not None}
    if any(is_symbol(v) for v in vals.values()):
        return None
    if fam == "beta":
        a, b = Fraction(vals["alpha"]), Fraction(vals["beta"])
        return (a - 1) / (a + b - 2) if a > 1 and b > 1 else None
    if fam == "gamma":
        k = Fraction(vals["shape"])
        scale = Fraction(vals["scale"]) if "scale" in vals else 1 / Fraction(vals["rate"])
        return (k - 1) * scale if k >= 1 else None
    if fam in ("gaussian", "normal"):
        return Fraction(vals["mean"])
    return None


def _solve_estimate(ctx: _Ctx, part: Part) -> Answer:
    which = "mean" if part.ask == "posterior_mean" else part.ask
    setup = ctx.setup(part)
    key = _param_key(setup, part)
    r = _estimate(ctx, setup, which, key)
    steps: list[Step] = []
    if getattr(setup, "overridden", False):
        steps += setup.model_steps
    if which != "mean" and setup.model not in ("categorical",) and not (setup.model == "gaussian" and len(setup.params) == 2):
        steps += setup.lik_steps
    if setup.domain_note and which != "mean" and not (which == "mle" and setup.model is not None and "prior" in setup.domain_note):
        steps.append(Step.of("Range: " + setup.domain_note))
    steps += r.steps
    if not isinstance(r.value, list):
        steps += _crosscheck(setup, which, key, r.value, r)
    steps.append(_final(setup, which, key, r.value))
    return _answer(part, setup, r.value, steps, _alternatives(ctx, setup, which, key))


def _solve_log_likelihood(ctx: _Ctx, part: Part) -> Answer:
    from ...formula import Handwritten, Sym, eq

    setup = ctx.setup(part)
    ll = setup.loglik
    decls = {n: d for n, d in setup.decls.items()}
    if setup.model == "gaussian":
        from ...answers.symbols import make_symbols

        if "sigma2" in decls:
            decls.pop("sigma2")
            decls["sigma"] = {"positive": True}
            sig = make_symbols({"sigma": {"positive": True}})["sigma"]
            ll = ll.subs(setup.param("variance").symbol, sig**2)
    names = {s.name for s in ll.free_symbols}
    decls = {n: d for n, d in decls.items() if n in names}
    steps = list(setup.model_steps if getattr(setup, "overridden", False) else [])
    steps += setup.lik_steps
    if setup.model == "gaussian":
        ptext = ",".join(["μ"] * ("mean" not in setup.known) + ["σ²"] * ("variance" not in setup.known))
    elif setup.model == "categorical":
        ptext = "θ"
    else:
        ptext = setup.params[0].text
    log_lik = Sym(f"log p(D|{ptext})", latex=r"\log p(\mathcal{D}\mid\cdot)")
    over_data = Sym(f"Σ_i log p(x_i|{ptext})", latex=r"\sum_i \log p(x_i\mid\cdot)")
    note = "" if setup.const_known else "  (the constant −Σ log x_i! needs the raw data; it does not depend on the parameter and is left out)"
    steps.append(Step.of(eq(log_lik, over_data, Handwritten(ll)), note))
    return Answer(ll, steps, type="expression", options={"symbols": decls}, answer=str(exact_to_sympy(ll)))


def _solve_likelihood(ctx: _Ctx, part: Part) -> Answer:
    import sympy as sp

    from ...formula import Handwritten, Sym, eq
    from .notation import exact, sym
    from .notation import shown as shown_text
    from .notation import value as valued

    setup = ctx.setup(part)
    at = part.args["at"]
    if not setup.const_known:
        culprit = part.path + ("data",) if part.args.get("data") is not None else ("given", "data")
        raise SolveError("the likelihood's value needs the raw observations (the statistics {n, sum} hide the factor 1/∏x_i!)", culprit)
    subs: dict[Any, Any] = {}
    shown: dict[Any, Any] = {}
    if setup.model == "categorical":
        if not isinstance(at, list) or len(at) != len(setup.params):
            raise SolveError(f"`at:` is a probability vector of {len(setup.params)} entries", part.path + ("at",))
        if sum(at, Fraction(0)) != 1:
            raise SolveError("`at:` must sum to 1", part.path + ("at",))
        for p, v in zip(setup.params, at):
            subs[p.symbol] = exact_to_sympy(v)
    elif setup.model == "gaussian":
        if isinstance(at, dict):
            vals = {k: v for k, v in at.items() if v is not None}
        elif len(setup.params) == 1 and not isinstance(at, list):
            vals = {setup.params[0].key: at}
        else:
            raise SolveError("`at:` is {mean: .., variance: ..}", part.path + ("at",))
        for p in setup.params:
            if p.key not in vals:
                raise SolveError(f"`at:` needs the {p.key}", part.path + ("at",))
            subs[p.symbol] = exact_to_sympy(vals[p.key])
    else:
        if isinstance(at, (list, dict)):
            raise SolveError("`at:` is one number, the parameter value", part.path + ("at",))
        p = setup.params[0]
        v = exact_to_sympy(at)
        if not (p.lo <= v <= p.hi):
            raise SolveError(f"{p.key} = {at} is outside the parameter's range [{p.lo}, {p.hi}]", part.path + ("at",))
        subs[p.symbol] = v
    for symbol, v in subs.items():
        txt = shown_text(exact(v))
        shown[symbol] = sp.Symbol(f"({txt})" if "/" in txt or v < 0 else txt)
    value = sp.simplify(setup.lik.subs(subs))
    paper = setup.lik.subs(shown)
    steps = list(setup.model_steps if getattr(setup, "overridden", False) else [])
    steps += setup.lik_steps
    at_values: list[Any] = []
    for s, v in subs.items():
        at_values += [", " if at_values else "At ", eq(sym(s.name), Handwritten(exact(v)))]
    steps.append(Step.of(*at_values, ": ", *valued(value, Sym("p(D)", latex=r"p(\mathcal{D})"), Handwritten(paper))))
    alts: list[Alternative] = []
    st = setup.stats
    if setup.model == "bernoulli" and not setup.symbolic:
        alts.append(Alternative("binomial-coefficient", sp.binomial(st["n"], st["k"]) * value))
    if setup.model == "binomial" and not setup.symbolic:
        coef = sp.simplify(setup.lik / (setup.lik.as_independent(*[p.symbol for p in setup.params])[1]))
        if coef != 0:
            alts.append(Alternative("no-binomial-coefficient", value / coef))
    if value.is_positive:
        alts.append(Alternative("log-likelihood", sp.log(value)))
    answer = _answer(part, setup, value, steps, alts)
    if value.is_Rational and value != 0 and len(str(value)) > 40:
        # exact, and short: 0.1**10*(1-0.1)**90 rather than a 100-digit fraction
        answer.answer = str(paper).replace(" ", "")
    return answer


def _bounded(solve: Callable[[_Ctx, Part], Answer]) -> Callable[[_Ctx, Part], Answer]:
    """`solve` within the problem's time budget."""
    def run(ctx: _Ctx, part: Part) -> Answer:
        with ctx.within_budget():
            return solve(ctx, part)
    return run


def _intro(ctx: _Ctx) -> list[Step]:
    return list(ctx.base.model_steps)


SOLVERS = {"mle": _solve_estimate, "map": _solve_estimate, "posterior_mean": _solve_estimate,
           "log_likelihood": _solve_log_likelihood, "likelihood": _solve_likelihood}


register(Kind(
    name="estimate",
    summary="MLE, MAP and posterior mean, derived step by step (log-likelihood, derivative, solve) with sympy",
    given=GIVEN,
    quantities=QUANTITIES,
    mistakes=MISTAKES,
    example=EXAMPLE,
    setup=_Ctx,
    intro=_intro,
    solvers={ask: _bounded(fn) for ask, fn in SOLVERS.items()},
))
