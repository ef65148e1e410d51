"""Models, priors and data of the `estimate` kind: validation and the exact log-densities.

Everything here is exact: data are Fractions (or symbol names), densities are sympy expressions
built node by node (never from text), and formulas written by an instructor in the safe expression
language (`likelihood:`, `prior_density:`) go through `grader.answers.parser` and `to_sympy`.

Data forms (`data:`):
  raw observations, a list          bernoulli 0/1; binomial successes per observation (with
                                    `trials:`); poisson 0,1,2,...; exponential x >= 0; geometric
                                    1,2,3,...; gaussian any reals; categorical labels (numbers or
                                    names); a custom likelihood: numbers
  sufficient statistics, a map      bernoulli {n, k}: n trials, k ones; binomial {n, k}: one
                                    binomial observation, k successes in n trials; poisson,
                                    exponential, geometric {n, sum}; gaussian {n, sum, sum_squares};
                                    categorical {counts: [...]}
  A statistic may be a symbol name (`data: {n: N, k: k}`): the answers are then expressions.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import sympy as sp

from ...answers.evaluate import exact_to_sympy, to_sympy
from ...answers.parser import FUNCTIONS, names_in, parse
from ...answers.symbols import make_symbols
from ...errors import InvalidAnswer, SolveError
from ...formula import Call, Div, Group, Handwritten, Math, Mul, Neg, Num, Rel, Sym, Words, eq
from ...render.math.handwritten import name_text
from ...solution import Step
from ...spec.schema import exact_number
from .limits import GUARD_SECONDS, Timeout, time_limit
from .notation import data_given, prior_of, shown, sym

STATS = {
    "bernoulli": ("n", "k"), "binomial": ("n", "k"), "poisson": ("n", "sum"),
    "exponential": ("n", "sum"), "geometric": ("n", "sum"), "gaussian": ("n", "sum", "sum_squares"),
    "categorical": ("counts",), "uniform": ("n", "max"),
}
NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]*")
RESERVED = set(FUNCTIONS) | {"e", "pi", "inf", "infinity", "oo", "x"}
ZERO, ONE, OO = sp.Integer(0), sp.Integer(1), sp.oo

PRETTY_MODEL = {
    "bernoulli": "Bernoulli", "binomial": "Binomial", "poisson": "Poisson",
    "exponential": "Exponential", "geometric": "Geometric", "gaussian": "Gaussian",
    "categorical": "Categorical", "uniform": "Uniform",
}


class SymbolName(str):
    """A statistic or prior parameter written as a name (`N`, `k`, `alpha`): it stays symbolic."""


# ---------------------------------------------------------------------------------------------
# schema helpers (used by the kind's `given` schema)


def value_or_name(value: Any) -> Any:
    """A number (exact) or a symbol name."""
    if isinstance(value, bool) or value is None or isinstance(value, (list, dict)):
        raise ValueError("a number or a symbol name was expected")
    if isinstance(value, str) and NAME.fullmatch(value.strip()) and value.strip() not in RESERVED:
        return SymbolName(value.strip())
    x = exact_number(value)
    if isinstance(x, float):
        raise ValueError("a finite number was expected")
    return x


def observation(value: Any) -> Any:
    """One observation: a number (exact) or, for categorical data, a label."""
    if isinstance(value, bool) or value is None or isinstance(value, (list, dict)):
        raise ValueError("an observation (a number, or a category label) was expected")
    if isinstance(value, (int, float)):
        x = exact_number(value)
        if isinstance(x, float):
            raise ValueError("a finite number was expected")
        return x
    text = str(value).strip()
    try:
        x = exact_number(text)
    except InvalidAnswer:
        if not text or len(text) > 100:
            raise ValueError("a label of 1 to 100 characters was expected") from None
        return text
    if isinstance(x, float):
        raise ValueError("a finite number was expected")
    return x


def is_symbol(v: Any) -> bool:
    return isinstance(v, SymbolName)


def _is_int(v: Any) -> bool:
    return isinstance(v, int) or (isinstance(v, Fraction) and v.denominator == 1)


# ---------------------------------------------------------------------------------------------
# validation of data and priors (messages with relative paths, reused for `given` and parts)

Issue = tuple[tuple[Any, ...], str]


def check_data(model: str | None, data: Any, given: dict[str, Any]) -> list[Issue]:
    """Where `data` does not fit `model`'s support: (path relative to `data`, message)."""
    issues: list[Issue] = []
    if isinstance(data, list):
        if model is None:
            for i, x in enumerate(data):
                if isinstance(x, str):
                    issues.append(((i,), f"a custom likelihood takes numbers, not the label {x!r}"))
            return issues
        if model != "categorical":
            for i, x in enumerate(data):
                if isinstance(x, str):
                    issues.append(((i,), f"{model} data are numbers, not the label {x!r}"))
                    continue
                msg = _support_issue(model, x, given)
                if msg:
                    issues.append(((i,), msg))
            if model == "binomial" and given.get("trials") is None:
                issues.append(((), "binomial observations need `trials:` (the number of trials of each observation), or write the data as {n: trials, k: successes}"))
        else:
            cats = given.get("categories")
            if isinstance(cats, list):
                known = set(map(_label_key, cats))
                for i, x in enumerate(data):
                    if _label_key(x) not in known:
                        issues.append(((i,), f"{x!r} is not one of the categories {', '.join(map(str, cats))}"))
            elif isinstance(cats, int):
                for i, x in enumerate(data):
                    if not (_is_int(x) and 1 <= x <= cats):
                        issues.append(((i,), f"with `categories: {cats}` an observation is a category number 1 to {cats}, not {x!r}"))
        return issues
    # sufficient statistics
    if model is None:
        return [((), "a custom likelihood needs the raw observations (a list), not statistics")]
    wanted = STATS[model]
    for key, value in data.items():
        if value is not None and key not in wanted:
            issues.append(((key,), f"{model} statistics are {', '.join(wanted)}; {key!r} does not apply"))
    for key in wanted:
        if data.get(key) is None:
            issues.append(((), f"missing {key!r}: {model} statistics are {{{', '.join(wanted)}}}"))
    if issues:
        return issues
    if model == "categorical":
        counts = data["counts"]
        if not isinstance(counts, list) or len(counts) < 2:
            return [(("counts",), "expected a list of at least 2 counts")]
        for i, c in enumerate(counts):
            if not (_is_int(c) and c >= 0):
                issues.append((("counts", i), f"a count is a whole number >= 0, not {c!r}"))
        return issues
    n = data["n"]
    if isinstance(n, list) or (not is_symbol(n) and not (_is_int(n) and n >= 1)):
        issues.append((("n",), f"n (the number of {'trials' if model in ('bernoulli', 'binomial') else 'observations'}) is a whole number >= 1, not {n!r}"))
        return issues
    for key in wanted[1:]:
        if isinstance(data[key], list):
            issues.append(((key,), "expected a number or a symbol name, not a list"))
    if issues:
        return issues
    if model in ("bernoulli", "binomial"):
        k = data["k"]
        if not is_symbol(k) and not (_is_int(k) and k >= 0 and (is_symbol(n) or k <= n)):
            issues.append((("k",), f"k (the number of successes) is a whole number from 0 to n, not {k!r}"))
    elif model in ("poisson", "geometric"):
        s = data["sum"]
        lo = n if model == "geometric" else 0
        if not is_symbol(s) and not (_is_int(s) and (is_symbol(lo) or s >= lo)):
            what = "n (each observation is at least 1)" if model == "geometric" else "0"
            issues.append((("sum",), f"sum (the total of the observations) is a whole number >= {what}, not {s!r}"))
    elif model == "uniform":
        if is_symbol(data["max"]):
            issues.append((("max",), "Uniform(0, θ): the largest observation must be a number (it is the end of θ's range)"))
    elif model == "exponential":
        s = data["sum"]
        if not is_symbol(s) and s < 0:
            issues.append((("sum",), f"sum (the total of the observations) is >= 0, not {s!r}"))
    elif model == "gaussian":
        s, q = data["sum"], data["sum_squares"]
        if not any(map(is_symbol, (n, s, q))) and q < Fraction(s) ** 2 / n:
            issues.append((("sum_squares",), f"sum_squares must be at least sum²/n = {shown(Fraction(s) ** 2 / n)} (it is a sum of squares)"))
    return issues


def _support_issue(model: str, x: Fraction, given: dict[str, Any]) -> str | None:
    if model == "bernoulli" and x not in (0, 1):
        return f"a Bernoulli observation is 0 or 1, not {shown(x)}"
    if model == "binomial":
        m = given.get("trials")
        if not (_is_int(x) and x >= 0 and (m is None or x <= m)):
            return f"a binomial observation is a whole number of successes from 0 to trials = {m}, not {shown(x)}"
    if model == "poisson" and not (_is_int(x) and x >= 0):
        return f"a Poisson observation is a whole number >= 0, not {shown(x)}"
    if model == "geometric" and not (_is_int(x) and x >= 1):
        return f"a geometric observation counts trials up to the first success: a whole number >= 1, not {shown(x)}"
    if model in ("exponential", "uniform") and x < 0:
        return f"an {'exponential' if model == 'exponential' else 'Uniform(0, θ)'} observation is >= 0, not {shown(x)}"
    return None


def _label_key(x: Any) -> str:
    if isinstance(x, Fraction) and x.denominator == 1:
        return str(x.numerator)
    return str(x)


def check_prior(prior: dict[str, Any]) -> list[Issue]:
    """Keys and positivity of a named prior."""
    family = prior["family"]
    need = {"beta": ("alpha", "beta"), "gamma": ("shape",), "gaussian": ("mean", "variance"),
            "normal": ("mean", "variance"), "dirichlet": ("alpha",), "inverse-gamma": ("shape", "scale")}[family]
    allowed = set(need) | ({"scale", "rate"} if family == "gamma" else set())
    issues: list[Issue] = []
    for key, value in prior.items():
        if key != "family" and value is not None and key not in allowed:
            issues.append(((key,), f"a {family} prior takes {', '.join(sorted(allowed))}; {key!r} does not apply"))
    for key in need:
        if prior.get(key) is None:
            issues.append(((), f"a {family} prior needs {key!r}"))
    if family == "gamma" and (prior.get("scale") is None) == (prior.get("rate") is None):
        issues.append(((), "a gamma prior takes exactly one of `scale` and `rate` (rate = 1/scale)"))
    if issues:
        return issues
    for key in sorted(allowed):
        v = prior.get(key)
        if v is None:
            continue
        if family == "dirichlet":
            if not isinstance(v, list) or len(v) < 2:
                issues.append(((key,), "a Dirichlet prior's alpha is a list of at least 2 positive numbers"))
                continue
            for i, a in enumerate(v):
                if is_symbol(a) or isinstance(a, list) or a <= 0:
                    issues.append(((key, i), f"a Dirichlet concentration is a positive number, not {a!r}"))
            continue
        if isinstance(v, list):
            issues.append(((key,), f"{key} is a number, not a list"))
        elif key != "mean" and not is_symbol(v) and v <= 0:
            issues.append(((key,), f"{key} of a {family} prior must be positive, not {shown(v)}"))
    return issues


# ---------------------------------------------------------------------------------------------
# formulas written by the instructor


def formula(text: str, allowed: dict[str, Any], what: str) -> Any:
    """A sympy expression from the safe language, using only `allowed` symbols."""
    tree = parse(text)
    unknown = names_in(tree) - set(allowed) - {"e", "pi"}
    if unknown:
        raise InvalidAnswer(f"the {what} may use {', '.join(sorted(allowed))}; unknown name(s): {', '.join(sorted(unknown))}")
    expr = to_sympy(tree, allowed)
    if isinstance(expr, list):
        raise InvalidAnswer(f"the {what} is one formula, not a list")
    if expr.has(sp.oo, -sp.oo, sp.zoo, sp.nan):
        raise InvalidAnswer(f"the {what} is not finite")
    return expr


# ---------------------------------------------------------------------------------------------
# the set-up of one estimation problem


@dataclass
class Param:
    key: str  # theta, mean, variance, theta_2 ...
    symbol: Any
    lo: Any  # open interval (lo, hi) of sympy numbers, oo allowed
    hi: Any
    decl: dict[str, Any]

    @property
    def text(self) -> str:
        return name_text(self.symbol.name)

    @property
    def sym(self) -> Sym:
        return sym(self.symbol.name)


@dataclass
class Setup:
    model: str | None
    params: list[Param]
    loglik: Any  # exact log p(D | params), sympy
    lik: Any  # exact p(D | params) as a product, sympy
    const_known: bool = True  # False when statistics hide a constant of the likelihood
    logprior: Any = None
    prior_pdf: Any = None
    prior: Any = None  # a named prior (validated dict), or None
    prior_kind: str = ""  # "named" | "density" | ""
    decls: dict[str, dict[str, Any]] = field(default_factory=dict)  # every symbol's declaration
    data_symbols: dict[str, Any] = field(default_factory=dict)
    stats: dict[str, Any] = field(default_factory=dict)  # sympy values: n, k, sum, ...
    raw: list[Any] | None = None
    known: dict[str, Any] = field(default_factory=dict)  # gaussian known mean / variance
    categories: list[str] = field(default_factory=list)
    model_steps: list[Step] = field(default_factory=list)  # model, data, prior
    lik_steps: list[Step] = field(default_factory=list)  # the likelihood written out
    domain_note: str = ""
    density: Any = None  # p(x | theta) of one observation (custom models; sympy in x)
    x: Any = None
    overridden: bool = False  # built from a part's own data / prior
    source_data: Any = None  # the `data:` it was built from

    @property
    def symbolic(self) -> bool:
        return bool(self.data_symbols)

    def param(self, key: str | None = None) -> Param:
        if key is None:
            return self.params[0]
        for p in self.params:
            if p.key == key:
                return p
        raise KeyError(key)


def _sym(v: Any, symbols: dict[str, Any]) -> Any:
    if is_symbol(v):
        return symbols[str(v)]
    if isinstance(v, list):
        return [_sym(x, symbols) for x in v]
    return exact_to_sympy(v)


def _interval_text(lo: Any, hi: Any) -> str:
    def t(v: Any) -> str:
        return "∞" if v == OO else "−∞" if v == -OO else shown(v)
    return f"({t(lo)}, {t(hi)})"


def _space(model: str | None) -> tuple[Any, Any]:
    if model in ("bernoulli", "binomial", "geometric"):
        return ZERO, ONE
    return ZERO, OO


def uniform_range(stats: dict[str, Any]) -> tuple[Any, Any]:
    """Uniform(0, θ): p(D|θ) = 0 unless θ ≥ every observation, so θ ranges over [max x_i, ∞).

    The lower end is admissible (the likelihood is θ^(−n) there); the derivation's boundary rule
    answers it when the objective keeps improving towards it, which is the textbook MLE max x_i.
    """
    return stats["max"], OO


def flat_prior(pdf: Any) -> bool:
    """A prior density that is a positive constant: the flat (improper) prior p(θ) ∝ 1."""
    return bool(not pdf.free_symbols and pdf.is_positive)


def prior_support(family: str) -> tuple[Any, Any]:
    if family == "beta":
        return ZERO, ONE
    if family in ("gamma", "inverse-gamma"):
        return ZERO, OO
    return -OO, OO


def param_decl(lo: Any, hi: Any) -> dict[str, Any]:
    """The declaration of a parameter symbol, with its range exactly as the model states it: an
    answer is compared on all of (−∞, 5], not on a stand-in such as [−10⁶, 5]."""
    if lo == 0 and hi == 1:
        return {"positive": True, "domain": [0, 1]}
    if lo >= 0:
        return {"positive": True} if hi == OO else {"positive": True, "domain": [_end(lo), _end(hi)]}
    if hi == OO:
        return {}
    return {"domain": [_end(lo), _end(hi)]}


def _end(x: Any) -> Any:
    if x == -OO:
        return "-inf"
    if x == OO:
        return "inf"
    return Fraction(int(x.p), int(x.q)) if getattr(x, "is_Rational", False) else float(x)


def build(given: dict[str, Any], data: Any, prior: Any, prior_density: Any, path: tuple) -> Setup:
    """The Setup for `given` with (possibly part-level) `data` and `prior`. Raises SolveError."""
    model = given.get("model")
    issues = check_data(model, data, given)
    if issues:
        sub, msg = issues[0]
        raise SolveError(msg, path + ("data",) + sub)
    if prior is not None:
        pi = check_prior(prior)
        if pi:
            sub, msg = pi[0]
            raise SolveError(msg, path + ("prior",) + sub)

    # symbols of symbolic statistics and prior parameters
    names: list[str] = []
    if isinstance(data, dict):
        for v in data.values():
            if is_symbol(v):
                names.append(str(v))
    if prior is not None:
        for key, v in prior.items():
            if key != "family" and is_symbol(v):
                names.append(str(v))
    pname = given.get("parameter") or ("lambda" if model == "exponential" else "theta")
    taken = {pname, "mu", "sigma", "sigma2", "lambda"}
    for name in names:
        if name in taken or name.startswith("theta_"):
            where = "prior" if prior is not None and name in map(str, prior.values()) else "data"
            raise SolveError(f"the symbol {name!r} is the name of a parameter; call the statistic something else", path + (where,))
    data_decls = {n: {"positive": True} for n in dict.fromkeys(names)}

    if model == "categorical":
        return _build_categorical(given, data, prior, path)
    if model == "gaussian":
        return _build_gaussian(given, data, prior, prior_density, path, data_decls)
    return _build_one(given, model, data, prior, prior_density, path, data_decls)


def _domain(model: str | None, given: dict[str, Any], prior: Any, path: tuple) -> tuple[Any, Any, str]:
    lo, hi = _space(model)
    note = ""
    if model is None:
        dom = given.get("domain")
        if dom is not None:
            lo, hi = (exact_to_sympy(v) if not (isinstance(v, float) and math.isinf(v)) else (OO if v > 0 else -OO) for v in dom)
            note = f"θ ranges over {_interval_text(lo, hi)} (`domain:`)"
        elif prior is not None:
            lo, hi = prior_support(prior["family"])
            note = f"θ ranges over the prior's support {_interval_text(lo, hi)}"
        else:
            note = "θ > 0 is assumed (set `domain:` for another range)"
    if prior is not None:
        lo, hi, narrowed = _within_prior(lo, hi, prior, "θ")
        note = narrowed or note
        if not lo < hi:
            support = _interval_text(*prior_support(prior["family"]))
            raise SolveError(f"the prior's support {support} does not meet the parameter's range", path + ("prior",))
    return lo, hi, note


def _within_prior(lo: Any, hi: Any, prior: dict[str, Any], what: str) -> tuple[Any, Any, str]:
    """The range (lo, hi) cut to the prior's support, and a note when the prior narrows it."""
    plo, phi = prior_support(prior["family"])
    nlo, nhi = sp.Max(lo, plo), sp.Min(hi, phi)
    if (nlo, nhi) == (lo, hi):
        return lo, hi, ""
    return nlo, nhi, f"the {prior['family']} prior restricts {what} to {_interval_text(nlo, nhi)}"


def _named_prior(prior: dict[str, Any], theta: Any, symbols: dict[str, Any]) -> tuple[Any, Any, Step]:
    """(log p(θ), p(θ), a step describing it) for a one-parameter named prior."""
    fam = prior["family"]
    t = sym(theta.name)
    H = Handwritten
    if fam == "beta":
        a, b = _sym(prior["alpha"], symbols), _sym(prior["beta"], symbols)
        norm = sp.gamma(a) * sp.gamma(b) / sp.gamma(a + b)
        pdf = theta ** (a - 1) * (1 - theta) ** (b - 1) / norm
        logp = (a - 1) * sp.log(theta) + (b - 1) * sp.log(1 - theta) - sp.log(norm)
        head: tuple[Any, ...] = (Rel((t, Call("Beta", eq(Sym("α"), H(a)), eq(Sym("β"), H(b)))), ("~",)),)
    elif fam == "gamma":
        k = _sym(prior["shape"], symbols)
        if prior.get("rate") is not None:
            r = _sym(prior["rate"], symbols)
            spec: tuple[Any, ...] = ("(shape ", H(k), ", rate ", H(r), ")")
        else:
            s = _sym(prior["scale"], symbols)
            r = 1 / s
            spec = ("(shape ", H(k), ", scale ", H(s), ", i.e. rate ", H(r), ")")
        pdf = r**k * theta ** (k - 1) * sp.exp(-r * theta) / sp.gamma(k)
        logp = (k - 1) * sp.log(theta) - r * theta + k * sp.log(r) - sp.log(sp.gamma(k))
        head = (Rel((t, Words("Gamma")), ("~",)),) + spec
    elif fam == "inverse-gamma":
        # the conjugate prior of a Gaussian's variance: p(θ) = β^α/Γ(α)·θ^(−α−1)·e^(−β/θ)
        a, b = _sym(prior["shape"], symbols), _sym(prior["scale"], symbols)
        pdf = b**a * theta ** (-a - 1) * sp.exp(-b / theta) / sp.gamma(a)
        logp = -(a + 1) * sp.log(theta) - b / theta + a * sp.log(b) - sp.log(sp.gamma(a))
        head = (Rel((t, Words("Inv-Gamma")), ("~",)), "(shape ", eq(Sym("α"), H(a)), ", scale ", eq(Sym("β"), H(b)), ")")
    else:
        m, v = _sym(prior["mean"], symbols), _sym(prior["variance"], symbols)
        pdf = sp.exp(-((theta - m) ** 2) / (2 * v)) / sp.sqrt(2 * sp.pi * v)
        logp = -((theta - m) ** 2) / (2 * v) - sp.log(2 * sp.pi * v) / 2
        head = (Rel((t, Words("N")), ("~",)), "(mean ", H(m), ", variance ", H(v), ")")
    if fam == "beta":
        density: Any = Div(H(theta ** (a - 1) * (1 - theta) ** (b - 1)), Call("B", H(a), H(b)))
    else:
        density = H(sp.simplify(pdf) if not pdf.free_symbols - {theta} else pdf)
    step = Step.of("Prior: ", *head, ", ", eq(prior_of(t), density))
    return logp, pdf, step


def _apply_prior(setup: Setup, prior: Any, prior_density: Any, theta: Any, symbols: dict[str, Any], path: tuple) -> None:
    if prior is not None:
        setup.logprior, setup.prior_pdf, step = _named_prior(prior, theta, symbols)
        setup.prior = prior
        setup.prior_kind = "named"
        setup.model_steps.append(step)
    elif prior_density is not None:
        try:
            pdf = formula(prior_density, {theta.name: theta}, "prior density")
        except InvalidAnswer as exc:
            raise SolveError(f"prior_density: {exc}", path + ("prior_density",)) from None
        t = sym(theta.name)
        if theta not in pdf.free_symbols:
            if not flat_prior(pdf):
                raise SolveError(f"the prior density does not depend on {theta.name}", path + ("prior_density",))
            setup.prior_pdf, setup.logprior, setup.prior_kind = pdf, ZERO, "density"
            setup.model_steps.append(Step.of(
                "Prior: ", Rel((prior_of(t), Handwritten(pdf)), ("∝",)),
                f", the flat (improper) prior: it adds nothing to −log p(D|{t.name}), so the MAP "
                f"equals the MLE; the posterior is the normalised likelihood where that is integrable"))
            return
        setup.prior_pdf = pdf
        setup.logprior = sp.expand_log(sp.log(pdf), force=True)
        setup.prior_kind = "density"
        setup.model_steps.append(Step.of("Prior (as written): ", eq(prior_of(t), Handwritten(pdf))))


# ---- one-parameter named and custom models ------------------------------------------------


E, X, N_, K_, MU = Sym("e"), Sym("x"), Sym("n"), Sym("k"), Sym("μ")
SIGMA2 = Sym("σ²", latex=r"\sigma^2")
SUM_X = Sym("Σx_i", latex=r"\sum_i x_i")
SUM_X2 = Sym("Σx_i²", latex=r"\sum_i x_i^2")
NORMAL_DENSITY = Sym("e^(−(x − μ)²/(2σ²))/√(2πσ²)", latex=r"\frac{1}{\sqrt{2\pi\sigma^2}} e^{-\frac{(x-\mu)^2}{2\sigma^2}}")
NORMAL_PRODUCT = Sym("∏ N(x_i; μ, σ²)", latex=r"\prod_i \mathcal{N}(x_i; \mu, \sigma^2)")
NORMAL_LIKELIHOOD = Sym("(2πσ²)^(−n/2)·e^(−Σ(x_i − μ)²/(2σ²))", latex=r"(2\pi\sigma^2)^{-n/2} e^{-\frac{\sum_i (x_i-\mu)^2}{2\sigma^2}}")


def _product(t: Sym) -> Sym:
    """∏ p(x_i|θ)"""
    return Sym(f"∏ p(x_i|{t.name})", latex=rf"\prod_i p(x_i\mid {t.latex})")


def _observation_density(model: str, x: Any, t: Sym, theta: Any, m: Any = None) -> Math:
    """One observation's density with the number substituted, as written on paper: e^(−θ)·θ^3/3!."""
    if model == "bernoulli":
        return t if x == 1 else Group(1 - t)
    if model == "poisson":
        return Div(E ** Neg(t) * t ** Num(x), Sym(f"{shown(x)}!"))
    if model == "exponential":
        return t if x == 0 else t * E ** Neg(Handwritten(x * theta))
    if model == "geometric":
        return (1 - t) ** Num(x - 1) * t
    if model == "binomial":
        return Mul((Sym(f"C({m},{shown(x)})", latex=rf"\binom{{{m}}}{{{shown(x)}}}"), t ** Num(x), (1 - t) ** Num(m - x)))
    if model == "uniform":
        return Group(1 / t)
    raise KeyError(model)


def _model_density(model: str, t: Sym) -> tuple[Any, ...]:
    """The model's density of one observation x, and the range of x, as step segments."""
    density = Sym(f"p(x|{t.name})", latex=rf"p(x\mid {t.latex})")
    if model == "bernoulli":
        return eq(density, t ** X * (1 - t) ** (1 - X)), ", x ∈ {0, 1}"
    if model == "binomial":
        return eq(density, Mul((Sym("C(m, x)", latex=r"\binom{m}{x}"), t ** X, (1 - t) ** (Sym("m") - X)))),
    if model == "poisson":
        return eq(density, Div(E ** Neg(t) * t ** X, Sym("x!"))),
    if model == "exponential":
        return eq(density, t * E ** Neg(Sym(f"{t.name}x", latex=f"{t.latex} x"))), f", x ≥ 0 ({t.name} is the rate)"
    if model == "geometric":
        return eq(density, (1 - t) ** (X - 1) * t), ", x = 1, 2, … (trials up to the first success)"
    if model == "uniform":
        return eq(density, 1 / t), f" for 0 ≤ x ≤ {t.name}, and 0 otherwise ({t.name} is the upper end)"
    raise KeyError(model)


def _build_one(given: dict[str, Any], model: str | None, data: Any, prior: Any, prior_density: Any,
               path: tuple, data_decls: dict[str, Any]) -> Setup:
    pname = given.get("parameter") or ("lambda" if model == "exponential" else "theta")
    lo, hi, note = _domain(model, given, prior, path)
    decl = param_decl(lo, hi)
    decls = {pname: decl, **data_decls}
    symbols = make_symbols(decls)
    theta = symbols[pname]
    T = sym(pname)
    t = T.name
    setup = Setup(model=model, params=[Param(pname, theta, lo, hi, decl)], loglik=None, lik=None,
                  decls=decls, data_symbols={n: symbols[n] for n in data_decls}, domain_note=note.replace("θ", t))
    raw = data if isinstance(data, list) else None
    setup.raw = raw

    if model is None:
        x = sp.Symbol("x", real=True)
        try:
            dens = formula(given["likelihood"], {"x": x, pname: theta}, "likelihood")
        except InvalidAnswer as exc:
            raise SolveError(f"likelihood: {exc}", ("given", "likelihood")) from None
        if theta not in dens.free_symbols:
            raise SolveError(f"the likelihood does not depend on the parameter {pname}", ("given", "likelihood"))
        assert raw is not None
        xs = [exact_to_sympy(v) for v in raw]
        terms = [dens.subs(x, v) for v in xs]
        setup.density, setup.x = dens, x
        setup.lik = sp.Mul(*terms)
        setup.loglik = sp.Add(*[sp.expand_log(sp.log(f), force=True) for f in terms])
        setup.stats = {"n": sp.Integer(len(xs))}
        setup.model_steps.append(Step.of("Model (as written): ", eq(Sym(f"p(x|{t})", latex=rf"p(x\mid {T.latex})"), Handwritten(dens)),
                                         f"; data x = [{', '.join(shown(v) for v in raw)}] (n = {len(xs)})"))
        _check_density(setup, dens, x, xs, theta, lo, hi)
        if len(xs) <= 8:
            factors: list[Any] = []
            for f in terms:
                factors += [" · [" if factors else " = [", Handwritten(f), "]"]
            setup.lik_steps.append(Step.of(eq(data_given(T), _product(T)), *factors, " = ", Handwritten(setup.lik)))
        else:
            setup.lik_steps.append(Step.of(eq(data_given(T), Sym(f"∏ᵢ p(x_i|{t})", latex=rf"\prod_{{i=1}}^{{{len(xs)}}} p(x_i\mid {T.latex})")),
                                           f" over the n = {len(xs)} observations"))
        _apply_prior(setup, prior, prior_density, theta, symbols, path)
        return setup

    assert model is not None
    family = Call(PRETTY_MODEL[model], *((0, T) if model == "uniform" else (T,)))
    setup.model_steps.append(Step.of("Model: ", Rel((Sym("x_i"), family), ("~",)), " independently, ", *_model_density(model, T)))
    m = given.get("trials")
    if raw is not None:
        n = sp.Integer(len(raw))
        total = sum(raw, Fraction(0))
        S = exact_to_sympy(total)
        setup.stats = {"n": n, "sum": S}
        stats: tuple[Any, ...]
        if model == "uniform":
            setup.stats = {"n": n, "max": exact_to_sympy(max(raw))}
            stats = (eq(N_, n), ", ", eq(Sym("max x_i", latex=r"\max_i x_i"), max(raw)))
        elif model == "bernoulli":
            setup.stats = {"n": n, "k": S}
            stats = (eq(N_, n), ", ", eq(K_, SUM_X, Handwritten(S)), " ones")
        elif model == "binomial":
            setup.stats = {"n": n * m, "k": S}
            stats = (f"{n} observations of {m} trials: {n * m} trials, ", eq(K_, SUM_X, Handwritten(S)), " successes")
        else:
            stats = (eq(N_, n), ", ", eq(SUM_X, Handwritten(S)))
        setup.model_steps.append(Step.of(f"Data: x = [{', '.join(shown(v) for v in raw)}] (", *stats, ")"))
    else:
        symbols_all = symbols
        setup.stats = {k: _sym(v, symbols_all) for k, v in data.items() if v is not None}
        n_ = eq(N_, Handwritten(setup.stats["n"]))
        if model in ("bernoulli", "binomial"):
            stats = (n_, " trials, ", eq(K_, Handwritten(setup.stats["k"])), " successes")
        elif model == "uniform":
            stats = (n_, " observations, the largest ", Handwritten(setup.stats["max"]))
        else:
            stats = (n_, " observations with ", eq(SUM_X, Handwritten(setup.stats["sum"])))
        setup.model_steps.append(Step.of("Data (sufficient statistics): ", *stats))

    st = setup.stats
    log, exp = sp.log, sp.exp
    if model in ("bernoulli", "binomial"):
        k, N = st["k"], st["n"]
        const = ZERO
        if model == "binomial":
            if raw is not None:
                coef = sp.Integer(math.prod([math.comb(int(m or 0), int(v)) for v in raw]))
            else:
                coef = sp.binomial(N, k)
            const = log(coef)
            setup.lik = coef * theta**k * (1 - theta) ** (N - k)
        else:
            setup.lik = theta**k * (1 - theta) ** (N - k)
        setup.loglik = k * log(theta) + (N - k) * log(1 - theta) + const
    elif model == "poisson":
        S, n = st["sum"], st["n"]
        if raw is not None:
            fact = sp.Integer(math.prod(math.factorial(int(v)) for v in raw))
            setup.lik = theta**S * exp(-n * theta) / fact
            setup.loglik = S * log(theta) - n * theta - log(fact)
        else:
            setup.const_known = False
            setup.lik = theta**S * exp(-n * theta)
            setup.loglik = S * log(theta) - n * theta
    elif model == "exponential":
        S, n = st["sum"], st["n"]
        setup.lik = theta**n * exp(-theta * S)
        setup.loglik = n * log(theta) - theta * S
    elif model == "geometric":
        S, n = st["sum"], st["n"]
        setup.lik = theta**n * (1 - theta) ** (S - n)
        setup.loglik = n * log(theta) + (S - n) * log(1 - theta)
    elif model == "uniform":
        n, M = st["n"], st["max"]
        setup.lik = theta ** (-n)
        setup.loglik = -n * log(theta)
        setup.params[0].lo = sp.Max(setup.params[0].lo, M)
        setup.domain_note = (f"p(D|{t}) = 0 unless {t} ≥ every observation, so {t} ranges over [max x_i, ∞) = "
                             f"[{shown(M)}, ∞)" + (" (within the prior's support)" if prior is not None else ""))

    if raw is not None and len(raw) <= 8:
        each = [_observation_density(model, v, T, theta, m) for v in raw]
        setup.lik_steps.append(Step.of(eq(data_given(T), _product(T), Rel(tuple(each), ("·",) * (len(each) - 1)), Handwritten(setup.lik))))
    else:
        setup.lik_steps.append(Step.of(eq(data_given(T), _product(T), Handwritten(setup.lik)),
                                       "" if setup.const_known else f" (up to the factor 1/∏x_i!, which needs the raw data and does not depend on {t})"))
    _apply_prior(setup, prior, prior_density, theta, symbols, path)
    return setup


def _check_density(setup: Setup, dens: Any, x: Any, xs: list[Any], theta: Any, lo: Any, hi: Any) -> None:
    """A custom likelihood must be a positive, real density at the data for θ inside its range."""
    samples = interior_samples(lo, hi)
    for v in xs[:50]:
        for s in samples:
            ok, val = _positive_at(dens, {x: v, theta: s})
            if ok is None:
                raise SolveError(f"the likelihood cannot be evaluated at x = {shown(v)}, {theta.name} = {shown(s)}: "
                                 f"{val}", ("given", "likelihood"))
            if not ok:
                where = _interval_text(lo, hi)
                raise SolveError(
                    f"the likelihood is not a positive, finite density at x = {shown(v)}, {theta.name} = {shown(s)} "
                    f"(value {val}); for {theta.name} in {where} it must be > 0 at every "
                    f"observation (set `domain:` to the parameter's range)", ("given", "likelihood"))


def _positive_at(dens: Any, point: dict[Any, Any]) -> tuple[bool | None, str]:
    """Whether `dens` is real, finite and > 0 at `point`, with its value as text (or, when the
    answer is None, why it cannot be computed). Decided by grader's own interval arithmetic, whose
    work is bounded by size (exponents, factorials, digits), not by a clock: a formula such as
    exp(exp(exp(exp(θ)))) is refused the same way on every machine and under any load. sympy's N()
    is used only where that arithmetic leaves the sign open (a value within rounding of 0), with a
    wall-clock limit as the last guard."""
    from ...answers.arith import Undefined
    from ...answers.reals import decide
    from ...answers.symeval import sympy_value
    from .._exact import as_fraction

    env = {k: as_fraction(v) for k, v in point.items()}
    sign = None
    if all(isinstance(v, Fraction) for v in env.values()):
        try:
            sign = decide(lambda ctx: sympy_value(dens, env, ctx.prec))
        except Undefined:
            return False, "undefined"
        except InvalidAnswer as exc:
            return None, exc.reason
    if sign is not None:
        return sign > 0, {1: "> 0", 0: "0", -1: "< 0"}[sign]
    try:
        with time_limit(GUARD_SECONDS):
            val = sp.N(dens.subs(point), 20)
            return bool(val.is_real and val.is_finite and val > 0), shown(val)
    except Timeout:
        return None, f"its value could not be computed within {GUARD_SECONDS} s"
    except (TypeError, ValueError, ArithmeticError):
        return False, "undefined"


def interior_samples(lo: Any, hi: Any) -> list[Any]:
    if lo == -OO and hi == OO:
        return [sp.Rational(-3, 2), sp.Rational(1, 3), sp.Integer(2)]
    if hi == OO:
        return [lo + sp.Rational(1, 3), lo + 1, lo + 4]
    if lo == -OO:
        return [hi - 4, hi - 1, hi - sp.Rational(1, 3)]
    w = hi - lo
    return [lo + w / 4, lo + w / 2, lo + 3 * w / 4]


# ---- Gaussian ----------------------------------------------------------------------------


def _build_gaussian(given: dict[str, Any], data: Any, prior: Any, prior_density: Any, path: tuple,
                    data_decls: dict[str, Any]) -> Setup:
    known_mean, known_var = given.get("mean"), given.get("variance")
    if known_mean is not None and known_var is not None:
        raise SolveError("both the mean and the variance are given: there is nothing to estimate", ("given",))
    unknown: list[str] = []
    if known_mean is None:
        unknown.append("mean")
    if known_var is None:
        unknown.append("variance")
    if (prior is not None or prior_density is not None) and len(unknown) == 2:
        raise SolveError("a prior on a Gaussian's parameter needs the other one known: give `variance:` "
                         "(known) to put the prior on the mean, or `mean:` to put it on the variance",
                         path + ("prior" if prior is not None else "prior_density",))
    decls: dict[str, dict[str, Any]] = {}
    params: list[Param] = []
    note = ""
    for key in unknown:
        lo, hi = (-OO, OO) if key == "mean" else (ZERO, OO)
        if prior is not None:
            lo, hi, narrowed = _within_prior(lo, hi, prior, f"the {key}")
            note = narrowed or note
        name = "mu" if key == "mean" else "sigma2"
        decls[name] = param_decl(lo, hi)
        params.append(Param(key, None, lo, hi, decls[name]))
    decls.update(data_decls)
    symbols = make_symbols(decls)
    for p in params:
        p.symbol = symbols["mu" if p.key == "mean" else "sigma2"]
    mu: Any = symbols["mu"] if "mu" in symbols else exact_to_sympy(known_mean)
    v: Any = symbols["sigma2"] if "sigma2" in symbols else exact_to_sympy(known_var)
    setup = Setup(model="gaussian", params=params, loglik=None, lik=None, decls=decls,
                  data_symbols={n: symbols[n] for n in data_decls}, domain_note=note)
    known: list[Any] = []
    if known_mean is not None:
        setup.known["mean"] = exact_to_sympy(known_mean)
        known += [", " if known else "; ", "known mean ", eq(MU, Handwritten(known_mean))]
    if known_var is not None:
        setup.known["variance"] = exact_to_sympy(known_var)
        known += [", " if known else "; ", "known variance ", eq(SIGMA2, Handwritten(known_var))]
    setup.model_steps.append(Step.of("Model: ", Rel((Sym("x_i"), Call("N", MU, SIGMA2)), ("~",)), " independently, ",
                                     eq(Sym("p(x|μ,σ²)", latex=r"p(x\mid\mu,\sigma^2)"), NORMAL_DENSITY), *known))
    if isinstance(data, list):
        setup.raw = data
        xs = [exact_to_sympy(x) for x in data]
        n = sp.Integer(len(xs))
        S = sp.Add(*xs)
        Q = sp.Add(*[(x - mu) ** 2 for x in xs])
        setup.stats = {"n": n, "sum": S, "sum_squares": sp.Add(*[x**2 for x in xs])}
        setup.model_steps.append(Step.of(f"Data: x = [{', '.join(shown(x) for x in data)}] (", eq(N_, n), ", ", eq(SUM_X, Handwritten(S)),
                                         ", ", eq(SUM_X2, Handwritten(setup.stats["sum_squares"])), ")"))
    else:
        setup.stats = {k: _sym(val, symbols) for k, val in data.items() if val is not None}
        n, S, SS = setup.stats["n"], setup.stats["sum"], setup.stats["sum_squares"]
        Q = SS - 2 * mu * S + n * mu**2
        setup.model_steps.append(Step.of("Data (sufficient statistics): ", eq(N_, Handwritten(n)), ", ", eq(SUM_X, Handwritten(S)),
                                         ", ", eq(SUM_X2, Handwritten(SS))))
    setup.loglik = -n * sp.log(2 * sp.pi * v) / 2 - Q / (2 * v)
    setup.lik = (2 * sp.pi * v) ** (-n / 2) * sp.exp(-Q / (2 * v))
    setup.lik_steps.append(Step.of(eq(Sym("p(D|μ,σ²)", latex=r"p(\mathcal{D}\mid\mu,\sigma^2)"), NORMAL_PRODUCT, NORMAL_LIKELIHOOD,
                                      Handwritten(setup.lik))))
    if len(params) == 1:
        _apply_prior(setup, prior, prior_density, params[0].symbol, symbols, path)
    return setup


# ---- categorical -------------------------------------------------------------------------


def _build_categorical(given: dict[str, Any], data: Any, prior: Any, path: tuple) -> Setup:
    cats_given = given.get("categories")
    alpha = prior.get("alpha") if prior is not None else None
    if prior is not None and prior["family"] != "dirichlet":
        raise SolveError("a categorical model takes a Dirichlet prior {family: dirichlet, alpha: [...]}", path + ("prior", "family"))
    if isinstance(data, dict):
        counts = [int(c) for c in data["counts"]]
        if isinstance(cats_given, list):
            labels = [_label_key(c) for c in cats_given]
        else:
            labels = [str(i + 1) for i in range(len(counts))]
        if len(labels) != len(counts):
            raise SolveError(f"{len(counts)} counts for {len(labels)} categories", path + ("data", "counts"))
        raw = None
    else:
        raw = data
        if isinstance(cats_given, list):
            labels = [_label_key(c) for c in cats_given]
        elif isinstance(cats_given, int):
            labels = [str(i + 1) for i in range(cats_given)]
        else:
            seen = {_label_key(x): x for x in data}
            if all(isinstance(x, Fraction) for x in seen.values()):
                labels = [_label_key(x) for x in sorted(seen.values())]
            else:
                labels = sorted(seen)
        keys = [_label_key(x) for x in data]
        counts = [keys.count(lab) for lab in labels]
    if len(set(labels)) != len(labels):
        raise SolveError("the categories must be different", ("given", "categories"))
    if len(labels) < 2:
        raise SolveError("a categorical model needs at least 2 categories (give `categories:`)", ("given", "categories"))
    if alpha is not None and len(alpha) != len(labels):
        raise SolveError(f"the Dirichlet prior has {len(alpha)} concentrations for {len(labels)} categories", path + ("prior", "alpha"))
    names = []
    for i, lab in enumerate(labels):
        suffix = lab if re.fullmatch(r"[A-Za-z0-9]{1,12}", lab) else str(i + 1)
        names.append(f"theta_{suffix}")
    if len(set(names)) != len(names):
        names = [f"theta_{i + 1}" for i in range(len(labels))]
    decls = {nm: {"positive": True, "domain": [0, 1]} for nm in names}
    symbols = make_symbols(decls)
    params = [Param(nm, symbols[nm], ZERO, ONE, decls[nm]) for nm in names]
    setup = Setup(model="categorical", params=params, loglik=None, lik=None, decls=decls, raw=raw,
                  categories=labels)
    c = [sp.Integer(v) for v in counts]
    setup.stats = {"counts": c, "n": sp.Integer(sum(counts))}
    th = [p.symbol for p in params]
    setup.loglik = sp.Add(*[ci * sp.log(ti) for ci, ti in zip(c, th)])
    setup.lik = sp.Mul(*[ti**ci for ci, ti in zip(c, th)])
    theta = sym("theta")
    setup.lik_steps.append(Step.of(eq(data_given(theta), Sym("∏_i θ_(x_i)", latex=r"\prod_i \theta_{x_i}"),
                                      Sym("∏_j θ_j^(c_j)", latex=r"\prod_j \theta_j^{c_j}"), Handwritten(setup.lik))))
    setup.model_steps.append(Step.of(
        "Model: ", Rel((Sym("x_i"), Call("Categorical", theta)), ("~",)), " over the categories " + ", ".join(labels) + ", ",
        eq(Sym("p(x = j|θ)", latex=r"p(x = j\mid\theta)"), Sym("θ_j")), " with ", eq(Sym("Σθ_j", latex=r"\sum_j \theta_j"), 1)))
    rows = ", ".join(f"{lab}: {cnt}" for lab, cnt in zip(labels, counts))
    setup.model_steps.append(Step.of(f"Counts: {rows} (", eq(N_, sum(counts)), ")"))
    if prior is not None:
        a = [exact_to_sympy(v) for v in (alpha or [])]
        setup.prior = prior
        setup.prior_kind = "named"
        norm = sp.Mul(*[sp.gamma(ai) for ai in a]) / sp.gamma(sp.Add(*a))
        setup.logprior = sp.Add(*[(ai - 1) * sp.log(ti) for ai, ti in zip(a, th)]) - sp.log(norm)
        setup.prior_pdf = sp.Mul(*[ti ** (ai - 1) for ai, ti in zip(a, th)]) / norm
        setup.model_steps.append(Step.of("Prior: ", Rel((theta, Words("Dirichlet")), ("~",)), "(α = [" + ", ".join(shown(ai) for ai in a) + "]), ",
                                         Rel((prior_of(theta), Sym("∏ θ_j^(α_j − 1)", latex=r"\prod_j \theta_j^{\alpha_j - 1}")), ("∝",))))
    return setup
