"""`naive-bayes`: estimation and prediction with a naive Bayes classifier learned from a table.

Variants: `bernoulli` (0/1 features), `categorical` (features with any finite set of values),
`multinomial` (word counts) and `gaussian` (real features). Conventions, stated in every solution:

- Smoothing: `smoothing: α` (Laplace pseudo-count, default 0) applies to the feature likelihoods
  only: P(X_j = v | y) = (count(X_j = v, y) + α)/(count(y) + V_j·α), V_j = the number of values of
  X_j (2 for a binary feature); multinomial P(w | y) = (count of w in class y + α)/(all words in
  class y + V·α), V = vocabulary size. The class prior is unsmoothed unless `prior_smoothing: β`:
  P(y) = (count(y) + β)/(N + K·β), K = number of label values.
- Gaussian: per class and feature the MLE mean and variance (divide by the class size n, not
  n − 1); p(x_j | y) = exp(−(x_j − μ)²/(2σ²))/√(2πσ²), exact (sympy).
- `joint` is the unnormalised score P(y)·Π_j P(x_j | y) (multinomial: P(y)·Π_w P(w | y)^count,
  leaving out the multinomial coefficient, the same for every class). Features missing from `x`
  are left out (marginalised). `posterior` normalises the joint scores over the label values.
- `prediction` is the label value with the largest score; ties go to the first label value in
  sorted order (numbers ascending, then text), as numpy's argmax over sorted classes. Its answer
  is an integer for integer labels, yes/no for true/false labels, and otherwise a letter: the
  label values in sorted order are A, B, C, ... (the steps list them).
- `num_parameters` counts free parameters: K − 1 for the prior, plus K·Σ_j (V_j − 1) for discrete
  features (2d + 1 for d binary features and a binary label), K·(V − 1) for a multinomial over V
  words, 2·K·d for Gaussian features (a mean and a variance each).
Exact arithmetic throughout (Fractions; sympy for Gaussian densities); decimals are for display.
Support code: model.py (the table, the estimates and the scores, exact).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from fractions import Fraction
from functools import partial
from typing import Any

from ...answers.types import approx, format_number
from ...errors import SolveError
from ...formula import Add, Call, Div, Math, Mul, Num, Pow, Sum, Sym, Sympy, Words, Written, eq
from ...problem import Part, Problem
from ...render.math import text
from ...solution import Alternative, Step, Table
from ...spec.schema import Checker, Custom, Field, ListOf, Map, Number, Quantity, Str
from .. import Answer, Kind, Mistake, register
from .._notation import minus, then_shown
from .._notation import shown_math as num
from .model import (
    VARIANTS,
    Data,
    Model,
    Settings,
    Undefined,
    Value,
    argmax,
    build,
    cell,
    feature_value,
    is_zero,
    normalise,
    show,
    sort_key,
    sum_exact,
)
from .notation import (
    Names,
    estimate,
    estimated,
    gaussian_definition,
    group_each,
    mean_and_variance,
    par,
)

MAX_CELL_ISSUES = 10

# ---------------------------------------------------------------------------------------------
# the spec


def _x(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): cell(v) for k, v in value.items()}
    if isinstance(value, list):
        return [cell(v) for v in value]
    raise ValueError("expected {feature: value, ...} or a list of the feature values in column order")


CELL = Custom(cell, description="a table cell (a number, or a name such as red)")
X = Custom(_x, description="the features of one example, {feature: value, ...}")


def _check_given(g: dict[str, Any], path: tuple, c: Checker) -> None:
    columns, label, variant = g["columns"], g["label"], g["variant"]
    if len(set(columns)) != len(columns):
        dup = sorted({x for x in columns if columns.count(x) > 1})
        c.error(path + ("columns",), f"column names must be different ({', '.join(dup)} repeated)")
        return
    if label not in columns:
        c.error(path + ("label",), f"the label {label!r} is not a column (columns: {', '.join(columns)})")
        return
    li = columns.index(label)
    issues = 0
    for i, row in enumerate(g["rows"]):
        if len(row) != len(columns):
            c.error(path + ("rows", i), f"a row has {len(columns)} cells, one per column ({', '.join(columns)}); this one has {len(row)}")
            issues += 1
        else:
            for j, v in enumerate(row):
                if j == li:
                    continue
                try:
                    feature_value(variant, v)
                except ValueError as exc:
                    c.error(path + ("rows", i, j), f"{columns[j]}: {exc}")
                    issues += 1
                    break
        if issues >= MAX_CELL_ISSUES:
            c.error(path + ("rows",), f"(stopped after {MAX_CELL_ISSUES} bad rows)")
            return
    if issues:
        return
    if g["smoothing"] and variant == "gaussian":
        c.error(path + ("smoothing",), "a gaussian naive Bayes estimates a mean and a variance: there are no counts to smooth "
                                       "(`prior_smoothing:` still applies to the class prior)")
    values = g.get("values")
    if values is not None:
        if variant != "categorical":
            c.error(path + ("values",), "`values:` declares the values of categorical features; "
                                        f"{'bernoulli features are 0/1' if variant == 'bernoulli' else f'the {variant} variant has none'}")
            return
        for f, vals in values.items():
            if f not in columns or f == label:
                c.error(path + ("values", f), f"{f!r} is not a feature column (features: {', '.join(x for x in columns if x != label)})")
                continue
            if len(set(vals)) != len(vals):
                c.error(path + ("values", f), "the values must be different")
                continue
            j = columns.index(f)
            missing = sorted({row[j] for row in g["rows"]} - set(vals), key=sort_key)
            if missing:
                c.error(path + ("values", f), f"the table has values of {f} that are not listed: {', '.join(show(m) for m in missing)}")


GIVEN = Map({
    "variant": Field(Str(choices=VARIANTS), default="bernoulli",
                     doc="bernoulli (0/1 features) | categorical (any values) | multinomial (word counts) | gaussian (real features)"),
    "label": Field(Str(), required=True, doc="the name of the label column"),
    "columns": Field(ListOf(Str(), min_len=2), required=True, doc="the column names, label included"),
    "rows": Field(ListOf(ListOf(CELL, min_len=1), min_len=1, max_len=100_000), required=True,
                  doc="the training table, one row per example, cells in column order"),
    "smoothing": Field(Number(min=0), default=0,
                       doc="Laplace pseudo-count α added to every feature count: (count + α)/(total + V·α); not for gaussian"),
    "prior_smoothing": Field(Number(min=0), default=0,
                             doc="pseudo-count β for the class prior: (count(y) + β)/(N + K·β); default 0 (unsmoothed prior)"),
    "values": Field(Map({}, extra=ListOf(CELL, min_len=1)),
                    doc="categorical: {feature: [all its values]} when some value does not occur in the table (counts in V_j)"),
}, check_all=_check_given, description="a naive Bayes table")

_LABEL_VALUE = Field(CELL, required=True, doc="a value of the label column")
_FEATURE = Field(Str(), required=True, doc="a feature column (a word, for multinomial)")
_X = Field(X, required=True, doc="{feature: value, ...}; multinomial: {word: count}; features left out are marginalised")

QUANTITIES = [
    Quantity("num_parameters", "integer", "number of free parameters of the model (2d + 1 for d binary features and a binary label)"),
    Quantity("prior", "real", "the class prior P(label = label_value)", {"label_value": _LABEL_VALUE}),
    Quantity("likelihood", "real", "P(feature = value | label = label_value); multinomial: P(word | label) (no value); "
             "gaussian: the density at value",
             {"feature": _FEATURE, "value": Field(CELL, doc="the feature value (not for multinomial)"),
              "label_value": _LABEL_VALUE}),
    Quantity("joint", "real", "the unnormalised score P(label_value)·Π_j P(x_j | label_value)",
             {"x": _X, "label_value": _LABEL_VALUE}),
    Quantity("posterior", "real", "P(label = label_value | x), the joint scores normalised",
             {"x": _X, "label_value": _LABEL_VALUE}),
    Quantity("prediction", "integer | boolean | choice",
             "the label value with the largest score (integer labels: the integer; true/false labels: yes/no; "
             "text labels: a letter, A = the first label value in sorted order)", {"x": _X}),
    Quantity("log_odds", "expression", "gaussian: ln[P(label_value | x)/P(against | x)] as a polynomial in the features "
             "(named by their columns); the decision boundary is where it is 0",
             {"label_value": _LABEL_VALUE, "against": Field(CELL, doc="the other label value (default: the other one of two)")}),
    Quantity("boundary_degree", "integer", "gaussian: the degree of the decision boundary log-odds = 0 as a polynomial in the "
             "features (2: quadratic; 1: linear, when each feature has the same variance in both classes)",
             {"label_value": _LABEL_VALUE, "against": Field(CELL, doc="the other label value (default: the other one of two)")}),
    Quantity("mean", "real", "gaussian: the class mean of a feature (MLE)", {"feature": _FEATURE, "label_value": _LABEL_VALUE}),
    Quantity("variance", "real", "gaussian: the class variance of a feature (MLE, divides by the class size n)",
             {"feature": _FEATURE, "label_value": _LABEL_VALUE}),
]

MISTAKES = [
    Mistake("no-smoothing", "left out the Laplace smoothing that was asked for",
            "{given} is what the raw counts give, without the pseudo-counts. With smoothing the answer is {expected}."),
    Mistake("smoothing-denominator", "added the pseudo-count to the numerator but not V times to the denominator",
            "{given} smooths the count but not the total: with α added to each of the V values, the total grows by V·α. The expected answer is {expected}."),
    Mistake("smoothed-prior", "smoothed the class prior, which this problem leaves unsmoothed",
            "{given} adds the pseudo-count to the class counts too; here only the feature likelihoods are smoothed (the prior is count(y)/N). The expected answer is {expected}."),
    Mistake("complement", "gave the probability of the complementary event (P(X≠x|y) for P(X=x|y), 1 − P(y) for P(y))",
            "{given} is the probability of the opposite event. The expected answer is {expected}."),
    Mistake("inverted", "computed P(label | feature) instead of P(feature | label)",
            "{given} divides by the number of rows with this feature value: that is P(y | x_j). The likelihood P(x_j | y) divides by the number of rows of class y: {expected}."),
    Mistake("no-prior", "left out the class prior P(y)",
            "{given} leaves out the class prior P(y). The expected answer is {expected}."),
    Mistake("unnormalised", "gave the joint score P(y)·Π P(x_j|y) where the posterior was asked",
            "{given} is the unnormalised score; the posterior divides it by the sum of the scores of all label values: {expected}."),
    Mistake("posterior-for-joint", "normalised the scores where the joint (unnormalised) score was asked",
            "{given} is the posterior; the joint score is P(y)·Π P(x_j|y) before normalising: {expected}."),
    Mistake("unbiased-variance", "divided by n − 1 (the unbiased sample variance) instead of n",
            "{given} uses the variance with n − 1. The maximum-likelihood variance divides by n: {expected}."),
    Mistake("std-for-variance", "gave the standard deviation σ instead of the variance σ²",
            "{given} is the standard deviation; the variance is its square: {expected}."),
    Mistake("boundary-sign", "reversed the signs of the squared terms of the Gaussian log-odds",
            "{given} has the signs of the (x − μ)²/(2σ²) terms reversed: the class in the numerator contributes −(x − μ)²/(2σ²). The expected answer is {expected}."),
    Mistake("no-constraint", "counted probabilities that are fixed because a distribution sums to 1",
            "{given} counts every probability; the last value of each distribution is 1 minus the others, so it is not a free parameter. The expected answer is {expected}."),
    Mistake("no-variance", "counted only the means of a Gaussian naive Bayes",
            "{given} counts the means only; every feature also has a variance per class: {expected}."),
]

EXAMPLE = """\
variant: bernoulli              # bernoulli | categorical | multinomial | gaussian
label: Interested
columns: [Interested, Red, Affordable, Fuel-Efficient]
rows: [[1,1,1,1], [0,0,1,0], [0,0,1,1], [1,0,0,0]]
smoothing: 1                    # Laplace pseudo-count on the feature likelihoods (default 0)
prior_smoothing: 0              # pseudo-count on the class prior (default 0: unsmoothed)
# parts: {ask: num_parameters} | {ask: prior, label_value: 1}
#        | {ask: likelihood, feature: Red, value: 1, label_value: 0}
#        | {ask: joint, x: {Red: 1, Affordable: 0, Fuel-Efficient: 1}, label_value: 1}
#        | {ask: posterior, x: {...}, label_value: 1} | {ask: prediction, x: {...}}
#        gaussian also: {ask: mean, feature: Height, label_value: m} | {ask: variance, ...}
"""

# ---------------------------------------------------------------------------------------------
# context: the table, the model and its variants (for the mistakes)


class _Ctx:
    def __init__(self, problem: Problem):
        g = problem.given
        self.problem = problem
        self.data: Data = build(g)
        self.alpha = Fraction(g["smoothing"])
        self.beta = Fraction(g["prior_smoothing"])
        self.settings = Settings(self.alpha, self.beta)
        self.model = Model(self.data, self.settings)
        self.L = self.data.label
        self._models: dict[Settings, Model] = {self.settings: self.model}
        self.text = Names(self.L, self.variant)

    @property
    def variant(self) -> str:
        return self.data.variant

    def with_(self, **kw: Any) -> Model:
        s = Settings(**{**self.settings.__dict__, **kw})
        if s not in self._models:
            self._models[s] = Model(self.data, s)
        return self._models[s]

    def variants(self) -> list[tuple[str, Model]]:
        """(mistake id, model) for every model-level mistake that applies to this problem."""
        out: list[tuple[str, Model]] = []
        if self.alpha or self.beta:
            out.append(("no-smoothing", self.with_(alpha=Fraction(0), beta=Fraction(0))))
        if self.alpha and self.variant != "gaussian":
            out.append(("smoothing-denominator", self.with_(denominator="plus-alpha")))
            out.append(("smoothing-denominator", self.with_(denominator="numerator-only")))
        if self.alpha and not self.beta:
            out.append(("smoothed-prior", self.with_(beta=self.alpha)))
        if self.variant == "gaussian":
            out.append(("unbiased-variance", self.with_(ddof=1)))
        return out

    # --- resolving a part's arguments -------------------------------------------------------

    def label_value(self, part: Part) -> Value:
        raw = part.args["label_value"]
        for c in self.data.classes:
            if c == raw:
                return c
        raise SolveError(f"{show(raw)} is not a value of the label column {self.L} "
                         f"(its values: {', '.join(show(c) for c in self.data.classes)})", part.path + ("label_value",))

    def feature(self, part: Part) -> str:
        f = part.args["feature"]
        if f == self.L:
            raise SolveError(f"{f} is the label, not a feature", part.path + ("feature",))
        if f not in self.data.features:
            raise SolveError(f"unknown feature {f!r} (features: {', '.join(self.data.features)})", part.path + ("feature",))
        return f

    def value(self, f: str, raw: Value, path: tuple) -> Value:
        try:
            v = feature_value(self.variant, raw)
        except ValueError as exc:
            raise SolveError(f"{f}: {exc}", path) from None
        if self.variant == "categorical" and v not in self.data.values[f]:
            raise SolveError(f"{show(v)} is not a value of {f} (its values: {', '.join(show(x) for x in self.data.values[f])}; "
                             "declare unseen values in given.values)", path)
        return v

    def x(self, part: Part) -> dict[str, Value]:
        raw = part.args["x"]
        path = part.path + ("x",)
        feats = self.data.features
        if isinstance(raw, list):
            if len(raw) != len(feats):
                raise SolveError(f"x as a list gives one value per feature, in column order ({', '.join(feats)}): "
                                 f"{len(feats)} values, not {len(raw)}", path)
            items = [(f, v, path + (i,)) for i, (f, v) in enumerate(zip(feats, raw))]
        else:
            items = [(f, v, path + (f,)) for f, v in raw.items()]
        out: dict[str, Value] = {}
        for f, v, p in items:
            if f == self.L:
                raise SolveError(f"{f} is the label: x gives the features only", p)
            if f not in feats:
                raise SolveError(f"unknown feature {f!r} (features: {', '.join(feats)})", p)
            out[f] = self.value(f, v, p)
        if not out:
            raise SolveError("x gives no feature values", path)
        # keep the column order
        return {f: out[f] for f in feats if f in out}


# ---------------------------------------------------------------------------------------------
# notation


def _est(e: Any) -> str:
    """An estimate with its numbers and value, for a table: '(3 + 1)/(4 + 2·1) = 2/3', '4/9 ≈ 0.444444'."""
    return text(estimated(None, e))


def _val(v: Any) -> str:
    return format_number(v) if isinstance(v, Fraction) else approx(v)


def _exact_answer(v: Any) -> str:
    return format_number(v) if isinstance(v, Fraction) else str(v)


# ---------------------------------------------------------------------------------------------
# shared steps: the tables


def _convention_step(ctx: _Ctx) -> Step:
    a, b = format_number(ctx.alpha), format_number(ctx.beta)
    v = ctx.variant
    segments: list[Any] = []
    if v == "gaussian":
        segments = ["Gaussian naive Bayes: for each class y and feature j, the MLE mean μ and variance σ² = Σ(x − μ)²/n "
                    "(divide by the class size n), and ", gaussian_definition()]
        text = ""
    elif v == "multinomial":
        text = ("Multinomial naive Bayes: P(w | y) = (count of word w in class y + α)/(number of words in class y + V·α), "
                f"V = {len(ctx.data.features)} words, α = {a}")
    else:
        kind = "binary features (V_j = 2)" if v == "bernoulli" else "V_j = the number of values of feature j"
        text = f"P(X_j = v | y) = (count(X_j = v, y) + α)/(count(y) + V_j·α) with α = {a}, {kind}"
        if not ctx.alpha:
            text = f"MLE (no smoothing): P(X_j = v | y) = count(X_j = v, y)/count(y), {kind}"
    prior = (f"the class prior is smoothed with β = {b}: P(y) = (count(y) + β)/(N + K·β)" if ctx.beta
             else "the class prior is not smoothed: P(y) = count(y)/N")
    if ctx.alpha and not ctx.beta:
        prior += " (smoothing applies to the feature likelihoods only)"
    return Step.of(*segments, f"{text}; {prior}")


def _class_step(ctx: _Ctx, t: Names) -> Step:
    m, d = ctx.model, ctx.data
    rows = [[show(c), str(d.n(c)), _est(m.prior(c))] for c in d.classes]
    return Step(f"N = {len(d.y)} rows; the label {ctx.L} takes K = {len(d.classes)} values",
                table=Table([ctx.L, "rows", f"P({ctx.L}) = {t.prior_formula(m)}"], rows, "Class counts and prior"))


def _discrete_steps(ctx: _Ctx, t: Names) -> list[Step]:
    m, d = ctx.model, ctx.data
    cols = ["feature", "value"] + [f"{t.y(c)} ({d.n(c)} rows)" for c in d.classes]
    counts, est = [], []
    for f in d.features:
        vals = [1, 0] if d.variant == "bernoulli" else d.values[f]
        for v in vals:
            counts.append([f, show(v)] + [str(sum(1 for r in d.rows_of(c) if r[f] == v)) for c in d.classes])
            est.append([f, show(v)] + [_est(m.theta(f, v, c)) for c in d.classes])
    return [
        Step("Count, for each label value, the rows where each feature takes each value",
             table=Table(cols, counts, "count(X_j = v, y)")),
        Step("Estimates of P(X_j = v | y)", table=Table(cols, est, "P(X_j = v | y)")),
    ]


def _multinomial_steps(ctx: _Ctx, t: Names) -> list[Step]:
    m, d = ctx.model, ctx.data
    cols = ["word"] + [t.y(c) for c in d.classes]
    counts = [[f] + [str(sum(r[f] for r in d.rows_of(c))) for c in d.classes] for f in d.features]
    counts.append(["(all words)"] + [str(sum(r[f] for r in d.rows_of(c) for f in d.features)) for c in d.classes])
    est = [[f] + [_est(m.theta(f, None, c)) for c in d.classes] for f in d.features]
    return [
        Step("Add up the word counts of the documents (rows) of each class", table=Table(cols, counts, "word counts per class")),
        Step("Estimates of P(w | y)", table=Table(cols, est, "P(w | y)")),
    ]


def _gaussian_steps(ctx: _Ctx, t: Names) -> list[Step]:
    m, d = ctx.model, ctx.data
    rows = []
    for f in d.features:
        for c in d.classes:
            xs = [r[f] for r in d.rows_of(c)]
            try:
                mean, var = m.gaussian(f, c)
                mv = [_val(mean) + ("" if isinstance(mean, Fraction) and "/" not in format_number(mean) else f" ≈ {approx(mean)}"),
                      _val(var) + ("" if "/" not in format_number(var) else f" ≈ {approx(var)}")]
            except Undefined:
                mv = ["—", "—"]
            rows.append([f, show(c), ", ".join(show(x) for x in xs)] + mv)
    return [Step("Per class and feature: the MLE mean μ = Σx/n and variance σ² = Σ(x − μ)²/n",
                 table=Table(["feature", ctx.L, "values", "mean μ", "variance σ²"], rows, "Gaussian parameters"))]


def _shared_steps(ctx: _Ctx, t: Names) -> list[Step]:
    steps = [_convention_step(ctx), _class_step(ctx, t)]
    try:
        if ctx.variant in ("bernoulli", "categorical"):
            steps += _discrete_steps(ctx, t)
        elif ctx.variant == "multinomial":
            steps += _multinomial_steps(ctx, t)
        else:
            steps += _gaussian_steps(ctx, t)
    except Undefined:
        pass  # a part that needs the missing estimate says why
    return steps


# ---------------------------------------------------------------------------------------------
# the parts


def _undefined(part: Part, exc: Undefined) -> SolveError:
    return SolveError(f"{part.ask} is undefined here: {exc}", part.path)


def _try(fn: Any) -> Any:
    try:
        return fn()
    except (Undefined, ZeroDivisionError):
        return None


def _solve_num_parameters(ctx: _Ctx, part: Part) -> Answer:
    d = ctx.data
    K, dn = len(d.classes), len(d.features)
    k, d_ = Sym("K"), Sym("d")
    steps = [Step.of(f"Class prior P({ctx.L}) over K = {K} label values: ", eq(k - 1, Num(K) - 1, Num(K - 1)),
                     f" free parameter{'s' if K - 1 != 1 else ''} (the probabilities sum to 1)")]
    alts: list[Alternative] = []
    if ctx.variant == "bernoulli":
        feat = K * dn
        steps.append(Step.of(f"P(X_j | {ctx.L}): for each of the K = {K} label values and each of the d = {dn} binary features, "
                             "one free parameter P(X_j = 1 | y) (P(X_j = 0 | y) = 1 − P(X_j = 1 | y)): ",
                             eq(k * d_, Num(K) * Num(dn), Num(feat))))
        alts += [Alternative("no-constraint", 2 * K * dn + K), Alternative("no-constraint", 2 * K * dn + K - 1),
                 Alternative("no-constraint", feat + K)]
    elif ctx.variant == "categorical":
        vs = [len(d.values[f]) for f in d.features]
        feat = K * sum(v - 1 for v in vs)
        terms = group_each([Num(v) - 1 for v in vs])
        steps.append(Step.of(f"P(X_j | {ctx.L}): a feature with V_j values has V_j − 1 free parameters per label value: ",
                             eq(k * Sum("j", Sym("V_j") - 1), Num(K) * terms, Num(feat))))
        alts += [Alternative("no-constraint", K * sum(vs) + K), Alternative("no-constraint", K * sum(vs) + K - 1),
                 Alternative("no-constraint", feat + K)]
    elif ctx.variant == "multinomial":
        V = dn
        feat = K * (V - 1)
        steps.append(Step.of(f"P(w | {ctx.L}): a distribution over the V = {V} words for each label value, V − 1 free each: ",
                             eq(k * (Sym("V") - 1), Num(K) * Num(V - 1), Num(feat))))
        alts += [Alternative("no-constraint", K * V + K), Alternative("no-constraint", K * V + K - 1),
                 Alternative("no-constraint", feat + K)]
    else:
        feat = 2 * K * dn
        steps.append(Step.of(f"p(X_j | {ctx.L}): a mean and a variance for each of the d = {dn} features and K = {K} label values: ",
                             eq(Num(2) * k * d_, Num(2) * Num(K) * Num(dn), Num(feat))))
        alts += [Alternative("no-constraint", feat + K), Alternative("no-variance", K * dn + K - 1)]
    total = feat + K - 1
    extra = f" (= 2d + 1 with d = {dn})" if ctx.variant == "bernoulli" and K == 2 else ""
    steps.append(Step.of("Total: ", eq(Num(feat) + Num(K - 1), Num(total)), extra))
    alts.append(Alternative("no-prior", feat))
    return Answer(total, steps, alts)


def _solve_prior(ctx: _Ctx, part: Part, t: Names) -> Answer:
    c = ctx.label_value(part)
    m = ctx.model
    e = m.prior(c)
    steps = [Step(f"P({ctx.L}=y) = {t.prior_formula(m)}; {ctx.L}={show(c)} in {ctx.data.n(c)} of the N = {len(ctx.data.y)} rows"),
             Step.of(t.prior_rel(m, c))]
    alts = [Alternative("complement", 1 - e.value)]
    for mid, alt in ctx.variants():
        if mid in ("no-smoothing", "smoothed-prior"):
            alts.append(Alternative(mid, alt.prior(c).value))
    return Answer(e.value, steps, alts)


def _solve_likelihood(ctx: _Ctx, part: Part, t: Names) -> Answer:
    c, f = ctx.label_value(part), ctx.feature(part)
    m, d = ctx.model, ctx.data
    raw = part.args.get("value")
    alts: list[Alternative] = []
    if ctx.variant == "multinomial":
        if raw is not None:
            raise SolveError("a multinomial likelihood is P(word | label), the probability of one occurrence of the word: "
                             "leave out `value:`", part.path + ("value",))
        e = m.theta(f, None, c)
        rows = d.rows_of(c)
        steps = [Step(f"The {len(rows)} documents with {t.y(c)} contain {format_number(e.count)} occurrence(s) of {f} "
                      f"among {format_number(e.total)} words; V = {len(d.features)} words, α = {format_number(ctx.alpha)}"),
                 Step.of(estimated(Words(t.feat(f, None, c)), e,
                                   Div(Words(f"count of {f}") + Sym("α"), Words("all words") + Sym("V") * Sym("α"))))]
        value: Any = _try(lambda: e.value)
        if value is None:
            raise SolveError(f"the documents of class {t.y(c)} contain no words, so P({f} | {t.y(c)}) is 0/0 (add smoothing)", part.path)
        for mid, alt in ctx.variants():
            alts.append(Alternative(mid, _try(lambda alt=alt: alt.theta(f, None, c).value)))
        alts.append(Alternative("complement", 1 - value))
        return Answer(value, steps, alts)
    if raw is None:
        raise SolveError("say which value of the feature: `value:`", part.path)
    v = ctx.value(f, raw, part.path + ("value",))
    if ctx.variant == "gaussian":
        try:
            mean, var = m.gaussian(f, c)
            value = m.density(f, v, c)
        except Undefined as exc:
            raise _undefined(part, exc) from None
        xs = [r[f] for r in d.rows_of(c)]
        n = len(xs)
        steps = [Step(f"{f} in the {n} rows with {t.y(c)}: {', '.join(show(x) for x in xs)}"),
                 Step.of(mean_and_variance(xs, mean, var)[0]),
                 Step.of(mean_and_variance(xs, mean, var)[1], "   (MLE: divide by n)"),
                 Step.of(t.gauss_rel(m, f, v, c))]
        for mid, alt in ctx.variants():
            alts.append(Alternative(mid, _try(lambda alt=alt: alt.density(f, v, c))))
        return Answer(value, steps, alts, answer=_exact_answer(value))
    e = m.theta(f, v, c)
    value = e.value
    n_c = d.n(c)
    steps = [Step(f"{f}={show(v)} in {format_number(e.count)} of the {n_c} rows with {t.y(c)}; "
                  f"V = {len(d.values[f])} values, α = {format_number(ctx.alpha)}"),
             Step.of(estimated(Words(t.feat(f, v, c)), e, _smoothed(Words(f"count({f}={show(v)}, {t.y(c)})"),
                                                                    Words(f"count({t.y(c)})"), ctx.alpha)))]
    alts.append(Alternative("complement", 1 - value))
    n_v = sum(1 for r in d.rows if r[f] == v)
    if n_v:
        alts.append(Alternative("inverted", Fraction(int(e.count), n_v)))
    for mid, alt in ctx.variants():
        alts.append(Alternative(mid, _try(lambda alt=alt: alt.theta(f, v, c).value)))
    return Answer(value, steps, alts)


def _smoothed(count: Math, total: Math, alpha: Fraction) -> Math:
    """count/total, or (count + α)/(total + V·α) with smoothing."""
    a = Sym("α")
    return Div(count + a, total + Sym("V") * a) if alpha else Div(count, total)


def _solve_mean_variance(ctx: _Ctx, part: Part, t: Names) -> Answer:
    if ctx.variant != "gaussian":
        raise SolveError(f"`{part.ask}` is a parameter of the gaussian variant (this table is {ctx.variant})", part.path + ("ask",))
    c, f = ctx.label_value(part), ctx.feature(part)
    xs = [r[f] for r in ctx.data.rows_of(c)]
    n = len(xs)
    try:
        mean, var = ctx.model.gaussian(f, c)
    except Undefined as exc:
        raise _undefined(part, exc) from None
    steps = [Step(f"{f} in the {n} rows with {t.y(c)}: {', '.join(show(x) for x in xs)}"),
             Step.of(mean_and_variance(xs, mean, var)[0])]
    if part.ask == "mean":
        return Answer(mean, steps)
    steps.append(Step.of(mean_and_variance(xs, mean, var)[1], "   (MLE: divide by n)"))
    import sympy as sp

    alts = [Alternative("std-for-variance", sp.sqrt(sp.Rational(var.numerator, var.denominator)))]
    if n > 1:
        alts.append(Alternative("unbiased-variance", var * n / (n - 1)))
    return Answer(var, steps, alts)


def _score_steps(ctx: _Ctx, t: Names, m: Model, x: dict[str, Value], c: Value, detail: bool) -> tuple[list[Step], Any]:
    """The joint score of class c with its factors (each with its estimate when `detail`)."""
    steps: list[Step] = []
    if detail:
        steps.append(Step.of(t.prior_rel(m, c)))
        steps += [Step.of(*t.factor_step(m, f, v, c)) for f, v in x.items()]
    joint = m.joint(x, c)
    if not detail:
        parts: list[Any] = [f"{t.y(c)}: ", eq(Words(t.prior(c)), estimate(m.prior(c)))]
        for f, v in x.items():
            if ctx.variant == "gaussian":
                mean, var = m.gaussian(f, c)
                normal = Call("N", num(v), num(mean), num(var))
                parts += ["; ", eq(Words(t.feat(f, v, c)), normal).approx(Num(approx(m.factor(f, v, c))))]
            else:
                parts += ["; ", eq(Words(t.feat(f, v, c)), estimate(m.theta(f, v, c)))]
        steps.append(Step.of(*parts))
    steps.append(Step.of(t.score_rel(m, x, c, joint)))
    return steps, joint


def _x_steps(ctx: _Ctx, x: dict[str, Value]) -> list[Step]:
    shown = ", ".join(f"{f}={show(v)}" for f, v in x.items())
    steps = [Step(f"x = ({shown})")]
    missing = [f for f in ctx.data.features if f not in x]
    if missing and ctx.variant != "multinomial":
        steps.append(Step(f"{', '.join(missing)} not given: left out of the product (naive Bayes marginalises a missing feature)"))
    if ctx.variant == "multinomial":
        steps.append(Step("Words not listed in x have count 0 (factor 1). The multinomial coefficient (Σ counts)!/Π counts! "
                          "is the same for every class, so it is left out of the score"))
    return steps


def _joint_alts(ctx: _Ctx, x: dict[str, Value], c: Value) -> list[Alternative]:
    alts = [Alternative("no-prior", _try(lambda: ctx.model.joint(x, c, with_prior=False))),
            Alternative("posterior-for-joint", _try(lambda: ctx.model.posterior(x, c)))]
    for mid, alt in ctx.variants():
        alts.append(Alternative(mid, _try(lambda alt=alt: alt.joint(x, c))))
    return alts


def _solve_joint(ctx: _Ctx, part: Part, t: Names) -> Answer:
    c, x = ctx.label_value(part), ctx.x(part)
    steps = _x_steps(ctx, x)
    factor = {"multinomial": "P(w | y)^count(w)", "gaussian": "p(x_j | y)"}.get(ctx.variant, "P(x_j | y)")
    steps.append(Step.of(eq(t.joint(c), Mul((Words(t.prior(c)), Words(f"Π_j {factor}"))))))
    more, joint = _score_steps(ctx, t, ctx.model, x, c, detail=True)
    return Answer(joint, steps + more, _joint_alts(ctx, x, c), answer=_exact_answer(joint))


def _all_scores(ctx: _Ctx, t: Names, x: dict[str, Value]) -> tuple[list[Step], dict[Value, Any]]:
    steps: list[Step] = []
    scores: dict[Value, Any] = {}
    for k in ctx.data.classes:
        more, scores[k] = _score_steps(ctx, t, ctx.model, x, k, detail=False)
        steps += more
    return steps, scores


def _solve_posterior(ctx: _Ctx, part: Part, t: Names) -> Answer:
    c, x = ctx.label_value(part), ctx.x(part)
    steps = _x_steps(ctx, x)
    posterior = Words(f"P({t.y(c)} | x)")
    steps.append(Step.of(eq(posterior, Div(t.joint(c), Sum("y", Words(f"P(x, {ctx.L}=y)")))),
                         ": the joint score of every label value, normalised"))
    more, scores = _all_scores(ctx, t, x)
    steps += more
    if is_zero(sum_exact(list(scores.values()))):
        raise SolveError(f"every value of {ctx.L} scores 0 for this x (each class has a zero factor), so the posterior is 0/0 — "
                         "undefined; add smoothing (`smoothing: 1`)", part.path + ("x",))
    value = normalise(scores, c)
    den = Add(tuple(num(scores[k]) for k in ctx.data.classes))
    steps.append(Step.of(then_shown(eq(posterior, Div(num(scores[c]), den)), value)))
    alts = [Alternative("unnormalised", scores[c]),
            Alternative("no-prior", _try(lambda: ctx.model.posterior(x, c, with_prior=False))),
            Alternative("complement", _try(lambda: 1 - value))]
    for mid, alt in ctx.variants():
        alts.append(Alternative(mid, _try(lambda alt=alt: alt.posterior(x, c))))
    return Answer(value, steps, alts, answer=_exact_answer(value))


def _prediction_type(ctx: _Ctx) -> tuple[str, Any, dict[str, Any]]:
    """(answer type, label -> answer value, options) for the predicted label."""
    classes = ctx.data.classes
    if all(isinstance(c, bool) for c in classes):
        return "boolean", bool, {}
    if all(isinstance(c, int) and not isinstance(c, bool) for c in classes) and len(classes) == len(set(classes)):
        return "integer", int, {}
    letters = [chr(ord("A") + i) for i in range(len(classes))]
    table = dict(zip(classes, letters))
    return "choice", lambda c: table[c], {"choices": letters, "labels": {table[c]: show(c) for c in classes}}


def _solve_prediction(ctx: _Ctx, part: Part, t: Names) -> Answer:
    x = ctx.x(part)
    steps = _x_steps(ctx, x)
    steps.append(Step.of(f"Predict the value of {ctx.L} with the largest joint score ",
                         eq(Words("P(x, y)"), Mul((Words("P(y)"), Words("Π_j P(x_j | y)")))),
                         " (the same argmax as the posterior; ties go to the first value in sorted order)"))
    more, scores = _all_scores(ctx, t, x)
    steps += more
    best = argmax(list(scores.items()))
    ties = [k for k in ctx.data.classes if k != best and not _try(lambda k=k: _differs(scores[k], scores[best]))]
    typ, conv, options = _prediction_type(ctx)
    others = ", ".join(f"{_val(scores[k])} for {t.y(k)}" for k in ctx.data.classes if k != best)
    line = f"The largest score is {_val(scores[best])} for {t.y(best)} (against {others})"
    if ties:
        line += f"; it ties with {', '.join(t.y(k) for k in ties)}, and the tie goes to the first value in sorted order"
    steps.append(Step(line + f": predict {t.y(best)}"))
    answer = None
    if typ == "choice":
        key = ", ".join(f"{conv(k)} = {show(k)}" for k in ctx.data.classes)
        steps.append(Step(f"Answer with the letter of the label value: {key}"))
        answer = f"{conv(best)} ({show(best)})"
    alts: list[Alternative] = []
    candidates: list[tuple[str, Callable[[], Any]]] = [("no-prior", lambda: ctx.model.predict(x, with_prior=False))]
    for mid, model in ctx.variants():
        candidates.append((mid, partial(model.predict, x)))
    for mid, fn in candidates:
        other = _try(fn)
        if other is not None:
            alts.append(Alternative(mid, conv(other)))
    return Answer(conv(best), steps, alts, answer=answer, type=typ, options=options)


def _log_odds(ctx: _Ctx, part: Part) -> tuple[Value, Value, dict[str, dict[str, Any]], Any, Any, list[Step]]:
    """(c, other, symbol declarations, log-odds, the same with the squares' signs reversed, steps)."""
    import sympy as sp

    from ...answers.parser import CONSTANTS, FUNCTIONS
    from ...answers.symbols import make_symbols
    from .model import to_sympy

    if ctx.variant != "gaussian":
        raise SolveError(f"`{part.ask}` is for the gaussian variant (this table is {ctx.variant})", part.path + ("ask",))
    c = ctx.label_value(part)
    raw = part.args.get("against")
    others = [k for k in ctx.data.classes if k != c]
    if raw is None:
        if len(others) != 1:
            raise SolveError(f"{ctx.L} has {len(ctx.data.classes)} values: say which one the odds are against with `against:`", part.path)
        other = others[0]
    else:
        matches = [k for k in others if k == raw]
        if not matches:
            raise SolveError(f"{show(raw)} is not another value of the label column {ctx.L} "
                             f"(its values: {', '.join(show(k) for k in ctx.data.classes)})", part.path + ("against",))
        other = matches[0]
    for f in ctx.data.features:
        if not re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*", f) or f in CONSTANTS or f in FUNCTIONS:
            raise SolveError(f"the log-odds is written in the feature names, so {f!r} must be a plain name "
                             "(letters, digits, _; not a function or constant name)", ("given", "columns"))
    decls: dict[str, dict[str, Any]] = {f: {} for f in ctx.data.features}
    syms = make_symbols(decls)
    m = ctx.model
    pc, po = m.prior(c).value, m.prior(other).value
    const = sp.log(to_sympy(pc) / to_sympy(po))
    a, b = show(c), show(other)
    priors = Call("ln", Div(Sym(f"π_{a}"), Sym(f"π_{b}")))
    steps = [Step.of(eq(Call("ln", Div(Words(f"P({ctx.L}={a} | x)"), Words(f"P({ctx.L}={b} | x)"))),
                        priors + Sum("j", _log_ratio_term(Sym("x_j"), (Sym(f"μ_j,{a}"), Sym(f"σ_j,{a}")),
                                                          (Sym(f"μ_j,{b}"), Sym(f"σ_j,{b}")))))),
             Step.of(eq(priors, Call("ln", Div(par(pc), par(po))), Call("ln", num(pc / po))))]
    squares = sp.Integer(0)
    for f in ctx.data.features:
        try:
            mc, vc = m.gaussian(f, c)
            mo, vo = m.gaussian(f, other)
        except Undefined as exc:
            raise _undefined(part, exc) from None
        if vc == 0 or vo == 0:
            raise SolveError(f"the variance of {f} is 0 in one of the classes, so its Gaussian density does not exist", part.path)
        x = syms[f]
        const += sp.log(to_sympy(vo) / to_sympy(vc)) / 2
        sq = -(x - to_sympy(mc)) ** 2 / (2 * to_sympy(vc)) + (x - to_sympy(mo)) ** 2 / (2 * to_sympy(vo))
        squares += sq
        steps.append(Step.of(f"{f}: ", Add((Num(Fraction(1, 2)) * Call("ln", Div(par(vo), par(vc))),
                                             -Div(Pow(minus(Sym(f), mc), Num(2)), Num(2) * par(vc)),
                                             Div(Pow(minus(Sym(f), mo), Num(2)), Num(2) * par(vo))))))
    value = sp.expand(const + squares)
    reversed_ = sp.expand(const - squares)
    steps.append(Step.of("= ", Written(_ln_text(value), Sympy(value))))
    return c, other, decls, value, reversed_, steps


def _solve_log_odds(ctx: _Ctx, part: Part) -> Answer:
    c, other, decls, value, reversed_, steps = _log_odds(ctx, part)
    alts = [Alternative("boundary-sign", reversed_), Alternative("complement", -value)]
    return Answer(value, steps, alts, answer=_ln_text(value), options={"symbols": decls})


def _ln_text(value: Any) -> str:
    """A log-odds as an answer: `ln(...)`, unambiguous whatever the spec's log_base."""
    return re.sub(r"\blog\(", "ln(", str(value))


def _log_ratio_term(x: Math, this: tuple[Math, Math], other: tuple[Math, Math]) -> Math:
    """ln(σ_o/σ_c) − (x − μ_c)²/(2σ_c²) + (x − μ_o)²/(2σ_o²): one feature's term of the log-odds."""
    (mc, sc), (mo, so) = this, other
    return Add((Call("ln", Div(so, sc)), -Div(Pow(x - mc, Num(2)), Num(2) * Pow(sc, Num(2))),
                Div(Pow(x - mo, Num(2)), Num(2) * Pow(so, Num(2)))))


def _solve_boundary_degree(ctx: _Ctx, part: Part) -> Answer:
    import sympy as sp

    from ...answers.symbols import make_symbols

    c, other, decls, value, _, steps = _log_odds(ctx, part)
    syms = make_symbols(decls)
    poly = sp.Poly(value, *[syms[f] for f in ctx.data.features])
    degree = max(poly.total_degree(), 0)
    for f in ctx.data.features:
        a = poly.coeff_monomial(syms[f] ** 2)
        mc, vc = ctx.model.gaussian(f, c)
        mo, vo = ctx.model.gaussian(f, other)
        why = "the variances are equal, so the square cancels" if vc == vo else "the variances differ"
        steps.append(Step.of(f"coefficient of {f}²: ", eq(Div(Num(1), Num(2) * par(vo)) - Div(Num(1), Num(2) * par(vc)), a), f" ({why})"))
    shape = {2: "a quadratic curve", 1: "a straight line (hyperplane)", 0: "none: the log-odds is constant"}[degree]
    steps.append(Step(f"The boundary (log-odds = 0) is a polynomial of degree {degree} in the features: {shape}"))
    return Answer(degree, steps)


def _differs(a: Any, b: Any) -> bool:
    from .model import _greater

    return _greater(a, b) or _greater(b, a)


def _intro(ctx: _Ctx) -> list[Step]:
    return _shared_steps(ctx, ctx.text)


def _with_text(fn: Callable[[_Ctx, Part, Names], Answer]) -> Callable[[_Ctx, Part], Answer]:
    """A solver that also writes with the table's text helpers; a 0/0 estimate is a spec error."""
    def solver(ctx: _Ctx, part: Part) -> Answer:
        try:
            return fn(ctx, part, ctx.text)
        except Undefined as exc:
            raise _undefined(part, exc) from None
    return solver


_SOLVERS: dict[str, Callable[[_Ctx, Part], Answer]] = {
    "num_parameters": _solve_num_parameters, "log_odds": _solve_log_odds, "boundary_degree": _solve_boundary_degree,
    "prior": _with_text(_solve_prior), "likelihood": _with_text(_solve_likelihood), "joint": _with_text(_solve_joint),
    "posterior": _with_text(_solve_posterior), "prediction": _with_text(_solve_prediction),
    "mean": _with_text(_solve_mean_variance), "variance": _with_text(_solve_mean_variance),
}

register(Kind(
    name="naive-bayes",
    summary="naive Bayes from a table: parameter counts, priors, likelihoods, joint scores, posteriors, predictions (exact)",
    given=GIVEN,
    quantities=QUANTITIES,
    mistakes=MISTAKES,
    example=EXAMPLE,
    setup=_Ctx,
    intro=_intro,
    solvers=_SOLVERS,
))
