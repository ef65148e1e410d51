"""`activation`: values, derivatives, formulas and ranges of the activation functions, as torch has them.

One function per problem (`given.function`), which a part may override (`function:` and the
parameters), so one spec can ask about several. Conventions (stated in the steps):
- The functions and their parameters are torch.nn's: LeakyReLU `negative_slope` 0.01, ELU `alpha` 1,
  Softplus `beta` 1, SELU's two 32-digit constants, GELU exact (x·Φ(x)) unless `approximate: tanh`,
  SiLU = x·σ(x) (`swish` takes a `beta`). `identity` (alias `linear`) may take a `scale`.
- At a kink (x = 0 of relu, leaky_relu, elu, selu) there is no derivative; the answer is the one
  torch's autograd returns (the x ≤ 0 branch: ReLU′(0) = 0, LeakyReLU′(0) = slope, ELU′(0) = α),
  and a one-sided value is recognised as the `kink` mistake.
- Values are exact sympy numbers (σ(1) = 1/(1 + e^(−1))); decimals are for display.
- Expression answers (`formula`, `derivative` without `at:`) are in the symbol x and are graded by
  symbolic equivalence, so σ(x)(1 − σ(x)) and e^(−x)/(1 + e^(−x))² are both right.
- `maxout` is max_j(w_jᵀx + b_j) with `weights` (one row per piece) and `biases`; its input is a vector.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from ...answers.evaluate import exact_to_sympy
from ...answers.types import approx, format_number
from ...errors import InvalidAnswer, SolveError
from ...formula import Call, Group, Num, Over, Partial, Rel, Sym, Sympy, Written, eq
from ...formula import approx as approx_rel
from ...problem import Part, Problem
from ...solution import Alternative, Step, Table
from ...spec.schema import Checker, Custom, Field, Formula, ListOf, Map, Number, OneOf, Str
from .. import Answer, Kind, Mistake, Quantity, register
from .._grad.show import formula_math
from .functions import (
    NAMES,
    PIECEWISE,
    TITLES,
    Params,
    canonical,
    derivative_text,
    expr,
    formula_text,
    key,
    value_range,
)

ALL_NAMES = NAMES + ("maxout",)
PARAMETERS = {  # which parameter each function takes
    "leaky_relu": ("negative_slope",), "elu": ("alpha",), "softplus": ("beta",), "swish": ("beta",),
    "gelu": ("approximate",), "identity": ("scale",),
}
PARAM_KEYS = ("negative_slope", "alpha", "beta", "approximate", "scale")


def _function(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError(f"got {value!r}")
    name = canonical(value)
    if name not in ALL_NAMES:
        raise ValueError(f"unknown activation {value!r}")
    return name


FUNCTION = Custom(_function, description="one of " + ", ".join(ALL_NAMES) + " (linear = identity)")
REGION = Str(choices=("positive", "negative"), description="positive (x > 0) or negative (x < 0)")
VECTOR = ListOf(Number(), min_len=1, max_len=100, description="a vector of numbers")
POINT = OneOf([Number(), VECTOR], description="a number (a vector for maxout)")


def _param_fields(where: str) -> dict[str, Field]:
    return {
        "negative_slope": Field(Number(), doc=f"leaky_relu: the slope for x ≤ 0 (torch's default 0.01){where}"),
        "alpha": Field(Number(), doc=f"elu: α, the negative branch α(e^x − 1) (default 1){where}"),
        "beta": Field(Number(min=0, min_exclusive=True, description="a number > 0"),
                      doc=f"softplus, swish: β (default 1){where}"),
        "approximate": Field(Str(choices=("none", "tanh")), doc=f"gelu: none (exact x·Φ(x), default) or tanh{where}"),
        "scale": Field(Number(), doc=f"identity: f(x) = scale·x (default 1){where}"),
    }


def _parameter_issues(function: str, values: dict[str, Any]) -> list[tuple[str, str]]:
    out = []
    takes = PARAMETERS.get(function, ())
    for k in PARAM_KEYS:
        if values.get(k) is not None and k not in takes:
            has = f"takes {', '.join(takes)}" if takes else "has no parameters"
            out.append((k, f"{k} is not a parameter of {function} ({function} {has})"))
    return out


def _check_given(g: dict[str, Any], path: tuple, c: Checker) -> None:
    f = g["function"]
    for k, message in _parameter_issues(f, g):
        c.error(path + (k,), message)
    w, b = g.get("weights"), g.get("biases")
    if f == "maxout":
        if w is None:
            c.error(path, "maxout needs `weights`: one row w_j per piece (max_j w_jᵀx + b_j)")
        elif len({len(r) for r in w}) != 1:
            c.error(path + ("weights",), "every piece's weight row must have the same length (the input size)")
        elif b is not None and len(b) != len(w):
            c.error(path + ("biases",), f"{len(b)} biases for {len(w)} pieces")
    elif w is not None or b is not None:
        c.error(path + ("weights" if w is not None else "biases",), "weights and biases are only for maxout")


GIVEN = Map({
    "function": Field(FUNCTION, required=True, doc="the activation (a part may name another)"),
    **_param_fields(""),
    "weights": Field(ListOf(VECTOR, min_len=1, max_len=20), doc="maxout: one weight row w_j per piece"),
    "biases": Field(VECTOR, doc="maxout: one bias b_j per piece (default 0)"),
}, check_all=_check_given, description="an activation function")

_PART = {"function": Field(FUNCTION, doc="this part's activation (default: given.function)"),
         **_param_fields("; overrides given")}
QUANTITIES = [
    Quantity("value", "real", "f(at); for maxout max_j(w_jᵀat + b_j)", {"at": Field(POINT, required=True), **_PART}),
    Quantity("derivative", "real|expression|vector",
             "f′(at) (a real; the gradient vector for maxout), or without `at:` f′(x) as an expression in x "
             "(a piecewise function needs `region:`)",
             {"at": Field(POINT), "region": Field(REGION, doc="without at: the branch x > 0 or x < 0"), **_PART}),
    Quantity("formula", "expression", "f(x) as an expression in x (on a region for a piecewise function)",
             {"region": Field(REGION), "in_terms_of": Field(Str(choices=("sigmoid",)), doc="write f with σ"), **_PART}),
    Quantity("range", "real", "an end of the range f(ℝ): `end: lower` (inf/sup) or `end: upper`; ±inf allowed",
             {"end": Field(Str(choices=("lower", "upper")), required=True), **_PART}),
    Quantity("equals", "boolean", "whether f(x) = `formula` for every x (of `region:` if given)",
             {"formula": Field(Formula(), required=True, doc="a claim, in x"), "region": Field(REGION), **_PART}),
    Quantity("params", "integer", "maxout: the parameters of one unit, k pieces × (d weights + 1 bias)", dict(_PART)),
]

MISTAKES = [
    Mistake("tanh-half-argument", "used tanh(x) = 2σ(x) − 1 (the notes' slip) instead of 2σ(2x) − 1",
            "{given} comes from tanh(x) = 2σ(x) − 1, which is wrong: 2σ(x) − 1 = tanh(x/2), so the argument of σ must "
            "be doubled, tanh(x) = 2σ(2x) − 1 (they agree only at x = 0; at x = 1, tanh 1 ≈ 0.7616 but 2σ(1) − 1 ≈ 0.4621). "
            "The expected answer is {expected}."),
    Mistake("elu-max-form", "used ELU(x) = max(α(e^x − 1), x) (the notes' form), which is wrong for x > 0",
            "{given} comes from ELU(x) = max(α(e^x − 1), x). That form is wrong for x > 0: there e^x − 1 > x, so with "
            "α ≥ 1 the max picks α(e^x − 1) instead of x. ELU is x for x > 0 and α(e^x − 1) for x ≤ 0. "
            "The expected answer is {expected}."),
    Mistake("value-for-derivative", "gave f(a) where f′(a) was asked",
            "{given} is the value of the function, not of its derivative. The expected answer is {expected}."),
    Mistake("derivative-for-value", "gave f′(a) where f(a) was asked",
            "{given} is the derivative at that point, not the value of the function. The expected answer is {expected}."),
    Mistake("kink", "at the kink x = 0 gave the derivative of the x > 0 branch",
            "{given} is the slope of the x > 0 branch. At x = 0 the function has no derivative (it has a kink); "
            "any value between the two one-sided slopes is a subgradient, and torch's autograd (the convention "
            "here) uses the x ≤ 0 branch: {expected}."),
    Mistake("gelu-approximation", "used the tanh approximation of GELU for the exact one, or the reverse",
            "{given} is the other GELU: exact x·Φ(x) and torch's approximate='tanh' differ slightly. "
            "The expected answer is {expected}."),
    Mistake("tanh-no-square", "wrote tanh′ = 1 − tanh (no square)",
            "{given} is 1 − tanh(x); the derivative of tanh is 1 − tanh²(x). The expected answer is {expected}."),
]

EXAMPLE = """\
function: elu        # sigmoid tanh relu leaky_relu elu selu softplus gelu silu swish identity maxout
alpha: 1             # elu's α; leaky_relu takes negative_slope, softplus/swish beta, gelu approximate: tanh
# parts: {ask: value, at: -1} | {ask: derivative, at: 0} | {ask: derivative, region: negative}
#        | {ask: formula} | {ask: range, end: lower} | {ask: equals, formula: "max(alpha*(exp(x)-1), x)"}
#        a part may set its own function: (and parameters); maxout takes weights: [[..], [..]], biases: [..]
"""

# ---------------------------------------------------------------------------------------------
# helpers


def _sp() -> Any:
    import sympy as sp

    return sp


def _x(region: str | None = None) -> Any:
    sp = _sp()
    if region == "positive":
        return sp.Symbol("x", positive=True)
    if region == "negative":
        return sp.Symbol("x", negative=True)
    return sp.Symbol("x", real=True)


def _decl(region: str | None) -> dict[str, Any]:
    return {"x": {"positive": True} if region == "positive" else {"negative": True} if region == "negative" else {}}


def _rational(v: Fraction) -> Any:
    return _sp().Rational(v.numerator, v.denominator)


def parse_formula(text: str, region: str | None = None, extra: dict[str, Any] | None = None) -> Any:
    """A formula of the spec (or of this module) through the safe parser, as sympy in x."""
    from ...answers.evaluate import to_sympy
    from ...answers.parser import parse
    from ...answers.symbols import make_symbols

    symbols = make_symbols(_decl(region))
    symbols.update(extra or {})
    return to_sympy(parse(text), symbols)


def exact_text(v: Any) -> str:
    """An exact number as a formula a student can type (1/(1 + exp(-1))), or a decimal."""
    import re

    sp = _sp()
    v = exact_to_sympy(v)
    if v.is_Rational:
        return format_number(Fraction(int(v.p), int(v.q)))
    if v.is_infinite:
        return "inf" if v > 0 else "-inf"
    if v.has(sp.Float) or v.has(sp.erf) or v.has(sp.LambertW):
        return approx(v, 10)
    text = re.sub(r"\bE\b", "e", str(v))
    try:
        parse_formula(text)
    except InvalidAnswer:
        return approx(v, 10)
    return text if len(text) <= 80 else approx(v, 10)


def exact_math(v: Any) -> Any:
    """exact_text(v) as math: typed as the answer notation, typeset exactly (a decimal stays as written)."""
    text = exact_text(v)
    sv = exact_to_sympy(v)
    if sv.is_Rational:
        return Written(text, Num(Fraction(int(sv.p), int(sv.q))))
    if text == approx(v, 10):
        return Num(text)
    return Written(text, Sympy(sv))


def valued(lhs: Any, v: Any) -> Rel:
    """lhs = exact ≈ decimal, as `shown` writes it."""
    text = exact_text(v)
    if exact_to_sympy(v).is_Rational or text in ("inf", "-inf"):
        return eq(lhs, exact_math(v))
    if text == approx(v, 10):
        return approx_rel(lhs, Num(approx(v)))
    return eq(lhs, exact_math(v)).approx(Num(approx(v)))


def expression_math(e: Any) -> Any:
    """A sympy expression in x: its text as `_expr_text` writes it, typeset by sympy."""
    return Written(_expr_text(e), Sympy(e))


F_X = Sym("f(x)")
F_PRIME_X = Sym("f′(x)", latex="f'(x)")


def f_at(a: Any, prime: bool = False) -> Any:
    """f(a), or f′(a)."""
    if prime:
        return Written(f"f′({exact_text(a)})", Call("f'", exact_math(a)))
    return Call("f", exact_math(a))


class _Fn:
    """One part's activation: its name and parameters, with given's values as defaults."""

    def __init__(self, problem: Problem, part: Part):
        g, a = problem.given, part.args
        self.name: str = a.get("function") or g["function"]
        own = a.get("function") is not None and a.get("function") != g["function"]
        values = {}
        for k in PARAM_KEYS:
            if a.get(k) is not None:
                values[k] = a[k]
            elif not own and g.get(k) is not None:
                values[k] = g[k]
        for k, message in _parameter_issues(self.name, values):
            raise SolveError(message, part.path + (k,))
        self.params = Params(**values)
        self.key = key(self.name, self.params)
        self.part = part
        self.weights: list[list[Fraction]] = g.get("weights") or []
        self.biases: list[Fraction] = g.get("biases") or []
        if self.name == "maxout" and own:
            raise SolveError("maxout's pieces are given.weights: set function: maxout in given", part.path + ("function",))

    @property
    def title(self) -> str:
        if self.name == "maxout":
            return "maxout(x) = max_j (w_jᵀx + b_j)"
        text = TITLES[self.key]
        notes = []
        p = self.params
        if self.key == "leaky_relu":
            notes.append(f"negative_slope a = {format_number(p.negative_slope)}")
        if self.key == "elu":
            notes.append(f"α = {format_number(p.alpha)}")
        if self.key in ("softplus", "swish"):
            notes.append(f"β = {format_number(p.beta)}")
        if self.key == "identity" and p.scale != 1:
            text = f"the linear activation f(x) = {format_number(p.scale)}·x"
        return text + (f" with {', '.join(notes)}" if notes else "")

    def f(self, x: Any) -> Any:
        return expr(self.name, self.params, x)

    def other_gelu(self) -> _Fn | None:
        if self.name != "gelu":
            return None
        twin = object.__new__(_Fn)
        twin.__dict__.update(self.__dict__)
        twin.params = Params(approximate="none" if self.params.approximate == "tanh" else "tanh")
        twin.key = key(twin.name, twin.params)
        return twin

    def scalar_point(self, arg: str = "at") -> Any:
        at = self.part.args.get(arg)
        if isinstance(at, list) or at is None:
            raise SolveError(f"{self.name} takes one number at `{arg}:`", self.part.path + (arg,))
        return _rational(at)


def _tanh_wrong(x: Any) -> Any:
    return 2 / (1 + _sp().exp(-x)) - 1


def _elu_max(fn: _Fn, x: Any) -> Any:
    sp = _sp()
    return sp.Max(_rational(fn.params.alpha) * (sp.exp(x) - 1), x)


# ---------------------------------------------------------------------------------------------
# maxout


def _maxout_pieces(fn: _Fn, xs: list[Fraction]) -> tuple[list[Fraction], int, list[Step]]:
    w = fn.weights
    b = fn.biases or [Fraction(0)] * len(w)
    if len(xs) != len(w[0]):
        raise SolveError(f"the input has {len(xs)} entries but each weight row has {len(w[0])}", fn.part.path + ("at",))
    values = [sum((wi * xi for wi, xi in zip(row, xs)), Fraction(0)) + bj for row, bj in zip(w, b)]
    best = max(range(len(values)), key=lambda j: (values[j], -j))
    rows = [[f"{j + 1}", _paren(b[j]) + "".join(f" + {_paren(wi)}·{_paren(xi)}" for wi, xi in zip(w[j], xs)),
             format_number(values[j])] for j in range(len(values))]
    steps = [Step.of(eq(Call("maxout", Sym("x")), Over("max", "j", Sym("w_jᵀx") + Sym("b_j"))), f" over k = {len(w)} pieces at ",
                     eq(Sym("x"), _vector_math(xs)), table=Table(["piece j", "b_j + w_jᵀx", "value"], rows))]
    return values, best, steps


def _vector_math(values: list[Fraction]) -> Any:
    """[1, -2] in text, a column when typeset."""
    from .._grad.show import nested_math

    return nested_math(values, "[" + ", ".join(format_number(v) for v in values) + "]")


def _paren(v: Fraction) -> str:
    return f"({format_number(v)})" if v < 0 else format_number(v)


def _solve_maxout(fn: _Fn, part: Part) -> Answer:
    if part.ask == "params":
        k, d = len(fn.weights), len(fn.weights[0])
        n = k * (d + 1)
        k_, d_ = Sym("k"), Sym("d")
        steps = [Step.of(f"Each of the k = {k} pieces has its own d = {d} weights and 1 bias: ",
                         eq(k_ * Group(d_ + 1), Num(k) * Group(Num(d) + 1), n)),
                 Step.of("An ordinary unit has ", eq(d_ + 1, d + 1), f": maxout multiplies the parameters by k = {k}")]
        return Answer(n, steps, type="integer")
    at = part.args.get("at")
    if at is None:
        raise SolveError("maxout is asked at a point: give `at:` (the input vector)", part.path)
    xs = at if isinstance(at, list) else [at]
    values, best, steps = _maxout_pieces(fn, xs)
    if part.ask == "value":
        steps.append(Step.of(f"The largest is piece {best + 1}: ", eq(Call("maxout", Sym("x")), values[best])))
        return Answer(values[best], steps, type="real")
    if part.ask == "derivative":
        grad = list(fn.weights[best])
        tie = [j for j, v in enumerate(values) if v == values[best]]
        steps.append(Step.of(f"The largest is piece {best + 1}, so ",
                             eq(Partial(Sym("maxout"), Sym("x")), Sym(f"w_{best + 1}"), _vector_math(grad)),
                             " (the other pieces get no gradient)"))
        if len(tie) > 1:
            steps.append(Step(f"Pieces {', '.join(str(j + 1) for j in tie)} tie: there is no derivative; torch's max "
                              "passes the gradient to the first of them, as here"))
        return Answer(grad, steps, type="vector")
    raise SolveError(f"maxout has no {part.ask!r} here (it takes value, derivative and params)", part.path + ("ask",))


# ---------------------------------------------------------------------------------------------
# the scalar functions


def _value(fn: _Fn, part: Part) -> Answer:
    sp = _sp()
    a = fn.scalar_point()
    x = _x()
    value = fn.f(x).subs(x, a)
    steps = [Step(f"f = {fn.title}")]
    if fn.key in PIECEWISE:
        branch = "x > 0" if a > 0 else "x ≤ 0"
        steps.append(Step(f"x = {format_number(Fraction(int(a.p), int(a.q)))}: the branch for {branch} applies"))
    steps.append(Step.of(valued(f_at(a), value)))
    alts = [Alternative("derivative-for-value", sp.diff(fn.f(x), x).subs(x, a))]
    if fn.key == "tanh":
        alts.append(Alternative("tanh-half-argument", _tanh_wrong(a)))
    if fn.key == "elu":
        alts.append(Alternative("elu-max-form", _elu_max(fn, a)))
    twin = fn.other_gelu()
    if twin is not None:
        alts.append(Alternative("gelu-approximation", twin.f(x).subs(x, a)))
    return Answer(value, steps, alts, answer=exact_text(value), type="real")


def _derivative_at(fn: _Fn, part: Part) -> Answer:
    sp = _sp()
    a = fn.scalar_point()
    x = _x()
    d = sp.diff(fn.f(x), x)
    value = d.subs(x, a)
    nice = derivative_text(fn.name, fn.params, "positive" if a > 0 else "negative")
    steps = [Step(f"f = {fn.title}")]
    if fn.key in PIECEWISE:
        branch = "x > 0" if a > 0 else "x ≤ 0"
        steps.append(Step.of(f"f′(x) on the branch {branch}: ",
                             formula_math(nice) if nice else expression_math(_branch(d, a > 0))))
    else:
        steps.append(Step.of(eq(F_PRIME_X, formula_math(nice) if nice else expression_math(d))))
    alts = [Alternative("value-for-derivative", fn.f(x).subs(x, a))]
    if a == 0 and fn.key in PIECEWISE:
        right = _branch(d, True).subs(x, 0)
        steps.append(Step(f"x = 0 is the kink: the one-sided slopes are {exact_text(value)} (x ≤ 0) and "
                          f"{exact_text(right)} (x > 0), so f has no derivative there; torch's autograd "
                          f"(the convention here) returns the x ≤ 0 branch's {exact_text(value)}"))
        alts.append(Alternative("kink", right))
    steps.append(Step.of(valued(f_at(a, prime=True), value)))
    if fn.key == "tanh":
        alts.append(Alternative("tanh-half-argument", sp.diff(_tanh_wrong(x), x).subs(x, a)))
        alts.append(Alternative("tanh-no-square", 1 - sp.tanh(a)))
    if fn.key == "elu":
        alts.append(Alternative("elu-max-form", sp.diff(_elu_max(fn, x), x).subs(x, a)))
    twin = fn.other_gelu()
    if twin is not None:
        alts.append(Alternative("gelu-approximation", sp.diff(twin.f(x), x).subs(x, a)))
    return Answer(value, steps, alts, answer=exact_text(value), type="real")


def _branch(e: Any, positive: bool) -> Any:
    """The x > 0 (or x ≤ 0) piece of a Piecewise expression."""
    sp = _sp()
    if not isinstance(e, sp.Piecewise):
        return e
    return e.args[0][0] if positive else e.args[-1][0]


def _expr_text(e: Any) -> str:
    import re

    return re.sub(r"\bE\b", "e", str(e))


def _on_region(e: Any, region: str | None) -> Any:
    """e with its symbol x replaced by the region's symbol, and the region's branch taken."""
    if region is None:
        return e
    e = _branch(e, region == "positive")
    old = [s for s in e.free_symbols if s.name == "x"]
    return e.subs({s: _x(region) for s in old}) if old else e


def _derivative_expr(fn: _Fn, part: Part) -> Answer:
    sp = _sp()
    region = part.args.get("region")
    if fn.key in PIECEWISE and region is None:
        raise SolveError(f"{fn.name}′ is piecewise (it has a kink at 0): ask with `at:` or with `region: positive` "
                         "or `region: negative`", part.path)
    if fn.key in ("gelu",) and fn.params.approximate == "none":
        raise SolveError("exact GELU′ = Φ(x) + x·φ(x) needs erf, which answers cannot write: ask with `at:`, "
                         "or use approximate: tanh", part.path)
    x = _x(region)
    d = _on_region(sp.diff(fn.f(_x()), _x()), region)
    nice = derivative_text(fn.name, fn.params, region)
    value = parse_formula(nice, region) if nice is not None else sp.simplify(d)
    answer = nice if nice is not None else _expr_text(value)
    where = {"positive": " for x > 0", "negative": " for x < 0", None: ""}[region]
    steps = [Step(f"f = {fn.title}"), Step.of(f"Differentiate{where}: ", eq(F_PRIME_X, expression_math(d)))]
    if nice is not None and answer != _expr_text(d):
        steps.append(Step.of("That is ", eq(F_PRIME_X, formula_math(nice))))
    alts = [Alternative("value-for-derivative", _on_region(fn.f(_x()), region))]
    if fn.key == "tanh":
        alts.append(Alternative("tanh-half-argument", sp.diff(_tanh_wrong(x), x)))
        alts.append(Alternative("tanh-no-square", 1 - sp.tanh(x)))
    twin = fn.other_gelu()
    if twin is not None and twin.params.approximate == "tanh":
        alts.append(Alternative("gelu-approximation", sp.diff(twin.f(x), x)))
    del x
    return Answer(value, steps, _distinct_expr(value, alts, region), answer=answer, type="expression",
                  options={"symbols": _decl(region)})


def _distinct_expr(value: Any, alts: list[Alternative], region: str | None) -> list[Alternative]:
    from ...answers.equivalence import decide

    return [a for a in alts if decide(value, a.value, _decl(region)) is False]


def _in_sigmoid(fn: _Fn) -> str | None:
    b = fn.params.beta
    return {"sigmoid": "sigmoid(x)", "tanh": "2*sigmoid(2*x) - 1", "silu": "x*sigmoid(x)",
            "swish": f"x*sigmoid({format_number(b)}*x)" if b.denominator == 1 else None,
            "softplus": "-ln(sigmoid(-x))" if b == 1 else None}.get(fn.key)


def _formula(fn: _Fn, part: Part) -> Answer:
    region = part.args.get("region")
    if part.args.get("in_terms_of") == "sigmoid":
        text = _in_sigmoid(fn)
        if text is None:
            raise SolveError(f"{fn.name} has no simple form in terms of σ here", part.path + ("in_terms_of",))
    elif region is not None and fn.key in PIECEWISE:
        text = _expr_text(_on_region(fn.f(_x()), region))
    else:
        text = formula_text(fn.name, fn.params)
    if text is None:
        raise SolveError(f"{fn.name} needs erf or 32-digit constants, which answers cannot write: ask for values",
                         part.path)
    value = parse_formula(text, region)
    steps = [Step(f"f = {fn.title}")]
    if part.args.get("in_terms_of") == "sigmoid" and fn.key == "tanh":
        steps.append(Step("tanh(x) = (e^x − e^(−x))/(e^x + e^(−x)) = (1 − e^(−2x))/(1 + e^(−2x)) "
                          "= 2/(1 + e^(−2x)) − 1 = 2σ(2x) − 1"))
        steps.append(Step("(Not 2σ(x) − 1: that is tanh(x/2).)"))
    elif fn.key in PIECEWISE and region is None:
        steps.append(Step.of("Written without cases: ", eq(F_X, formula_math(text))))
    steps.append(Step.of(eq(F_X, formula_math(text)), {"positive": " for x > 0", "negative": " for x < 0", None: ""}[region]))
    x = _x(region)
    alts: list[Alternative] = []
    if fn.key == "tanh":
        alts.append(Alternative("tanh-half-argument", _tanh_wrong(x)))
    if fn.key == "elu":
        alts.append(Alternative("elu-max-form", _elu_max(fn, x)))
    return Answer(value, steps, _distinct_expr(value, alts, region), answer=text, type="expression",
                  options={"symbols": _decl(region)})


def _range(fn: _Fn, part: Part) -> Answer:
    r = value_range(fn.name, fn.params)
    end = part.args["end"]
    value = r.lower if end == "lower" else r.upper
    steps = [Step(f"f = {fn.title}"), Step(f"{r.why}: the range is {r.text()}")]
    reached = r.lower_closed if end == "lower" else r.upper_closed
    if not value.is_infinite:
        steps.append(Step.of(f"The {end} end is ", exact_math(value), f" ({'reached' if reached else 'approached but not reached'})"))
    return Answer(value, steps, answer=exact_text(value), type="real")


def _counterexample(f: Any, claim: Any, region: str | None) -> tuple[Any, Any, Any] | None:
    sp = _sp()
    x = _x(region)
    points: list[Fraction] = [Fraction(v) for v in (1, 2, Fraction(1, 2), 3, -1, -2, Fraction(-1, 2), -3)]
    if region == "positive":
        points = [p for p in points if p > 0]
    elif region == "negative":
        points = [p for p in points if p < 0]
    for p in points:
        a = _rational(p)
        try:
            fv, cv = sp.N(f.subs(x, a), 30), sp.N(claim.subs(x, a), 30)
        except (TypeError, ValueError, ArithmeticError):
            continue
        if fv.is_number and cv.is_number and abs(fv - cv) > 1e-20:
            return a, fv, cv
    return None


def _claim(fn: _Fn, part: Part, region: str | None) -> Any:
    extra = {}
    if fn.key == "elu":
        extra["alpha"] = _rational(fn.params.alpha)
    if fn.key == "leaky_relu":
        extra["negative_slope"] = _rational(fn.params.negative_slope)
    if fn.key in ("softplus", "swish"):
        extra["beta"] = _rational(fn.params.beta)
    try:
        return parse_formula(part.args["formula"], region, extra)
    except InvalidAnswer as exc:
        raise SolveError(f"the formula cannot be read: {exc}", part.path + ("formula",)) from None


def _decide(fn: _Fn, part: Part, region: str | None) -> tuple[bool | None, list[Step]]:
    """Whether f = claim on the region. A piecewise f is decided branch by branch, and at 0 exactly."""
    from ...answers.equivalence import decide

    sp = _sp()
    if region is not None or fn.key not in PIECEWISE:
        f = _on_region(fn.f(_x()), region) if region else fn.f(_x())
        return decide(f, _claim(fn, part, region), _decl(region)), []
    steps = []
    verdicts = []
    for side, word in (("positive", "x > 0"), ("negative", "x < 0")):
        v, _ = _decide(fn, part, side)
        verdicts.append(v)
        branch = _expr_text(_on_region(fn.f(_x()), side))
        steps.append(Step(f"On {word}, f(x) = {branch}: the claim "
                          + {True: "agrees", False: "differs", None: "could not be decided"}[v]))
    x = _x()
    at0 = sp.N(fn.f(x).subs(x, 0) - _claim(fn, part, None).subs(x, 0), 30)
    same0 = at0.is_number and abs(at0) < 1e-25
    steps.append(Step(f"At x = 0 both sides are {'equal' if same0 else 'different'}"))
    verdicts.append(bool(same0))
    if False in verdicts:
        return False, steps
    return (True if all(verdicts) else None), steps


def _agrees_everywhere_tried(f: Any, claim: Any, region: str | None) -> bool:
    """A deterministic numeric comparison (no time limit, so the steps never depend on the load)."""
    sp = _sp()
    x = _x(region)
    points = [Fraction(v) for v in (Fraction(1, 2), 1, 2, 3, Fraction(-1, 2), -1, -2, -3)]
    points = [p for p in points if region is None or (p > 0) == (region == "positive")]
    for p in points:
        a = _rational(p)
        d = sp.N(f.subs(x, a) - claim.subs(x, a), 30)
        if not d.is_number or abs(d) > 1e-25:
            return False
    return True


def _equals(fn: _Fn, part: Part) -> Answer:
    region = part.args.get("region")
    claim = _claim(fn, part, region)
    x = _x(region)
    f = _on_region(fn.f(_x()), region) if region else fn.f(x)
    text = part.args["formula"]
    where = {"positive": " for every x > 0", "negative": " for every x < 0", None: " for every real x"}[region]
    steps = [Step(f"f = {fn.title}"), Step.of("Claim: ", eq(F_X, formula_math(text)), where)]
    verdict, how = _decide(fn, part, region)
    steps += how
    if verdict is None:
        raise SolveError("could not decide whether the claim holds (simplify the formula)", part.path + ("formula",))
    if verdict:
        steps.append(Step("f(x) − (claim) simplifies to 0" + (" on each piece" if how else "")
                          + ", so the identity holds: true"))
        return Answer(True, steps, type="boolean")
    ce = _counterexample(f, claim, region)
    if ce is not None:
        a, fv, cv = ce
        steps.append(Step.of("At ", eq(Sym("x"), exact_math(a)), ": ", approx_rel(f_at(a), Num(approx(fv))),
                             " but the claim gives ≈ ", Num(approx(cv))))
    for factor, word in ((Fraction(1, 2), "x/2"), (Fraction(2), "2x")):
        scaled = fn.f(x * _rational(factor)) if region is None else _on_region(fn.f(_x() * _rational(factor)), region)
        if _agrees_everywhere_tried(scaled, claim, region):
            steps.append(Step(f"The claim agrees with f({word}) at every point tried (x = ±1/2, ±1, ±2, ±3, to 30 "
                              f"digits): it looks like f({word}), the argument off by a factor of 2"))
    steps.append(Step("So the identity does not hold: false"))
    return Answer(False, steps, type="boolean")


def _function_of(solver: Any) -> Any:
    """A solver of one scalar function: the part's function (maxout is answered by its own rules)."""
    def solve(problem: Problem, part: Part) -> Answer:
        fn = _Fn(problem, part)
        if fn.name == "maxout":
            return _solve_maxout(fn, part)
        return solver(fn, part)
    return solve


def _params(fn: _Fn, part: Part) -> Answer:
    raise SolveError("params is asked of a maxout unit (function: maxout)", part.path + ("ask",))


def _derivative(fn: _Fn, part: Part) -> Answer:
    if part.args.get("at") is not None and part.args.get("region") is not None:
        raise SolveError("give `at:` or `region:`, not both", part.path)
    return _derivative_at(fn, part) if part.args.get("at") is not None else _derivative_expr(fn, part)


SOLVERS = {name: _function_of(solver) for name, solver in (
    ("value", _value), ("derivative", _derivative), ("formula", _formula), ("range", _range), ("equals", _equals),
    ("params", _params))}


register(Kind(
    name="activation",
    summary="activation functions as torch has them: values, derivatives (at a point or as formulas), ranges, identities",
    given=GIVEN,
    quantities=QUANTITIES,
    mistakes=MISTAKES,
    example=EXAMPLE,
    solvers=SOLVERS,
))
