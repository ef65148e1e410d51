"""`sample-complexity`: PAC bounds — how many examples, or what ε or δ a number of examples buys.

Finite H: realizable N >= (1/ε)[ln|H| + ln(1/δ)], agnostic N >= (1/(2ε²))[ln|H| + ln(2/δ)]
(Recitation 6, Figure 1). Infinite H through VC(H): N = (c/ε)[VC·ln(1/ε) + ln(1/δ)] realizable,
N = (c/ε²)[VC + ln(1/δ)] agnostic, with c = 1 unless the spec sets `constant:` (the theorems
are O(·) forms; every solution states the constant it used). Natural logarithms; N is rounded up.
`hypotheses:` is a count ("3**10"), a named finite class ({class: conjunctions, variables: 10};
`hypothesis_count` shows the counting argument), a VC dimension ({vc: 3}), or a class of the
`shattering` kind with its dimension ({class: halfspaces, dimension: 2}: VC = 3).

The ceiling is decided exactly: the bound is a logarithm of a rational, computed to as many
digits as it takes (stdlib decimal), never rounded from a float. Mistakes are the same formulas
with one thing changed (log base 10 or 2, no rounding up, the other setting, ln(1/δ) vs ln(2/δ),
ε vs ε², the missing 2, 1 − ε for ε, |H| for ln|H|). Support code: grader/kinds/_learning/.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import replace
from fractions import Fraction
from typing import Any

from ..errors import SolveError
from ..formula import Call, Div, Group, Math, Mul, Num, Pow, Rel, Sym, Written, eq, node
from ..problem import Part, Problem
from ..solution import Alternative, Judgement, Step
from ..spec.schema import Bool, Checker, Custom, Field, Int, Map, Number, Quantity, Str
from . import Answer, Kind, Mistake, register
from ._learning import counts as C
from ._learning.bounds import Formula, Inputs, ceil_n, delta_value, epsilon_value, n_value, standard
from ._learning.classes import CLASSES
from ._learning.reals import fmt, ln, to_fraction
from ._learning.spec import ALIASES as SHATTER_ALIASES
from ._learning.spec import DIMENSION, ORIENTATION, K
from ._learning.vc import vc_value

# ---------------------------------------------------------------------------------------------
# the spec

SHATTER_CLASSES = CLASSES  # the geometric classes of `shattering`: |H| is infinite, VC(H) finite


def _class(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError(f"got {value!r}")
    name = value.strip().lower().replace("_", "-").replace(" ", "-")
    name = C.ALIASES.get(name, SHATTER_ALIASES.get(name, name))
    if name not in C.NAMED and name not in SHATTER_CLASSES:
        raise ValueError(f"unknown class {value!r}")
    return name


def _check_hypotheses(h: dict[str, Any], path: tuple, c: Checker) -> None:
    given = [k for k in ("count", "class", "vc") if h.get(k) is not None]
    if len(given) != 1:
        c.error(path, "give exactly one of count: (|H|), class: (a named class) or vc: (the VC dimension)"
                      + (f"; got {', '.join(given)}" if given else ""))
        return
    cls = h.get("class")
    if cls in C.NAMED and h.get("variables") is None:
        c.error(path, f"the class {cls} needs `variables:` (the number of binary variables n)")
    if cls == "decision-trees" and h.get("depth") is None:
        c.error(path, "decision-trees need `depth:`")
    if cls == "k-term-dnf" and h.get("terms") is None:
        c.error(path, "k-term-dnf needs `terms:` (k)")
    if cls in SHATTER_CLASSES and cls not in ("thresholds", "intervals", "unions-of-intervals", "rectangles") \
            and not isinstance(h.get("dimension"), int):
        c.error(path, f"the class {cls} needs `dimension:` (a number) for its VC dimension")
    if cls == "decision-trees" and h.get("repeat_features") is False and h.get("depth", 0) > h.get("variables", 0):
        c.error(path + ("depth",), "a branch cannot test more different features than there are")


HYPOTHESES = Map({
    "count": Field(Number(min=1, integer=True, description="|H|, a whole number >= 1 (\"3**10\" is fine)"),
                   doc="the number of hypotheses |H|"),
    "class": Field(Custom(_class, description="a named class: " + ", ".join(C.NAMED + SHATTER_CLASSES)),
                   doc="a named class (finite ones need `variables:`; infinite ones `dimension:`)"),
    "variables": Field(Int(min=1, max=10_000), doc="the number n of binary variables (finite named classes)"),
    "depth": Field(Int(min=1, max=30), doc="decision-trees: the depth k"),
    "terms": Field(Int(min=1, max=1000), doc="k-term-dnf: the number of terms k"),
    "repeat_features": Field(Bool(), default=True, doc="decision-trees: may a feature be tested twice on a branch"),
    "vc": Field(Int(min=0, max=10_000), doc="the VC dimension of an infinite H"),
    "dimension": Field(DIMENSION, doc="the input dimension of a geometric class"),
    "k": Field(K, default=1, doc="unions-of-intervals: k"),
    "orientation": Field(ORIENTATION, default="right", doc="thresholds: right, left or both"),
}, check_all=_check_hypotheses, description="count:, class: or vc:")

SETTING = Str(choices=("realizable", "agnostic"))
OPEN_UNIT = Number(min=0, max=1, min_exclusive=True, max_exclusive=True, description="a number strictly between 0 and 1")

GIVEN = Map({
    "setting": Field(SETTING, default="realizable",
                     doc="realizable (the target is in H, a consistent learner) or agnostic (it may not be)"),
    "hypotheses": Field(HYPOTHESES, required=True, doc="H: {count: ...}, {class: ..., variables: ...} or {vc: ...}"),
    "epsilon": Field(OPEN_UNIT, doc="the accuracy ε (error at most ε)"),
    "delta": Field(OPEN_UNIT, doc="the confidence parameter δ (the guarantee holds with probability 1 − δ)"),
    "n": Field(Int(min=1), doc="a number of examples (for the epsilon and delta quantities)"),
    "constant": Field(Number(min=0, min_exclusive=True), default=1,
                      doc="the constant c of the VC bounds (they are O(·) forms; c = 1 unless set)"),
}, description="a PAC learning setting")

_SETTING_ARG = Field(SETTING, doc="this part's setting, overriding given.setting")
QUANTITIES = [
    Quantity("n", "integer", "the least whole number of examples N the bound asks for (rounded up)",
             {"setting": _SETTING_ARG}),
    Quantity("epsilon", "real", "the accuracy ε the bound guarantees with n examples (given `n:` and delta)",
             {"n": Field(Int(min=1), doc="the number of examples (or given.n)"), "setting": _SETTING_ARG}),
    Quantity("delta", "real", "the δ the bound guarantees with n examples at accuracy ε",
             {"n": Field(Int(min=1), doc="the number of examples (or given.n)"), "setting": _SETTING_ARG}),
    Quantity("hypothesis_count", "integer", "|H| of a named finite class, counted"),
]

MISTAKES = [
    Mistake("log10", "used log base 10 instead of the natural log",
            "{given} comes from log base 10; the bound uses the natural log ln. The expected answer is {expected}."),
    Mistake("log2", "used log base 2 instead of the natural log",
            "{given} comes from log base 2; the bound uses the natural log ln. The expected answer is {expected}."),
    Mistake("no-ceil", "did not round N up to a whole number (or rounded it down)",
            "{given} is not rounded up: N is a number of examples, so the bound's value is rounded up to the next "
            "whole number ({expected})."),
    Mistake("wrong-setting", "used the realizable bound for an agnostic problem, or the reverse",
            "{given} is what the bound of the other setting gives (realizable: (1/ε)[ln|H| + ln(1/δ)]; agnostic: "
            "(1/(2ε²))[ln|H| + ln(2/δ)]). The expected answer is {expected}."),
    Mistake("delta-term", "used ln(1/δ) where the bound has ln(2/δ), or the reverse",
            "{given} uses the wrong confidence term: the realizable bound has ln(1/δ), the agnostic one ln(2/δ). "
            "The expected answer is {expected}."),
    Mistake("epsilon-power", "used ε where the bound has ε² (agnostic), or ε² where it has ε (realizable)",
            "{given} has the wrong power of ε: the agnostic bound divides by ε², the realizable one by ε. "
            "The expected answer is {expected}."),
    Mistake("missing-2", "left out the 2 in 1/(2ε²)",
            "{given} leaves out the factor 2 of the agnostic bound's 1/(2ε²). The expected answer is {expected}."),
    Mistake("one-minus", "used the accuracy 1 − ε or the confidence 1 − δ in place of ε or δ",
            "{given} puts the accuracy (1 − ε) or the confidence (1 − δ) where ε or δ belongs: "
            "99% accuracy is ε = 0.01. The expected answer is {expected}."),
    Mistake("no-log-h", "used |H| where the bound has ln|H|",
            "{given} uses |H| itself; the bound has ln|H|. The expected answer is {expected}."),
    Mistake("miscounted", "counted the hypotheses of the class wrongly (another number of choices per variable)",
            "{given} miscounts the class (see the counting argument in the solution). The expected answer is {expected}."),
]

EXAMPLE = """\
setting: realizable            # realizable | agnostic
hypotheses: {class: conjunctions, variables: 10}   # or {count: "3**10"} or {vc: 3} or {class: halfspaces, dimension: 2}
epsilon: 0.01
delta: 0.02
# n: 1000                      (for the epsilon and delta quantities)
# constant: 1                  (the constant of the VC bounds, which are O(.) forms)
# parts: {ask: n} | {ask: epsilon, n: 1000} | {ask: delta, n: 1000} | {ask: hypothesis_count}
"""

# ---------------------------------------------------------------------------------------------
# solving


class _Ctx:
    def __init__(self, problem: Problem):
        g = problem.given
        h = g["hypotheses"]
        self.problem = problem
        self.setting: str = g["setting"]
        self.constant = Fraction(g["constant"])
        self.count: C.Count | None = None
        self.vc: int | None = None
        self.h_steps: list[str] = []
        cls = h.get("class")
        if h.get("count") is not None:
            value = int(h["count"])
            self.count = C.exact(value)
            self.h_steps = [f"|H| = {value:,}."]
        elif cls in C.NAMED:
            try:
                self.count = C.named(cls, h["variables"], h.get("depth"), h.get("terms"), h.get("repeat_features", True))
            except ValueError as exc:
                raise SolveError(str(exc), ("given", "hypotheses")) from None
            self.h_steps = list(self.count.steps)
            v = self.count.value
            self.h_steps.append(f"|H| {'≤' if self.count.bound else '='} {self.count.text}"
                                + (f" = {v:,}." if v is not None and str(v) != self.count.text else "."))
        elif h.get("vc") is not None:
            self.vc = int(h["vc"])
            self.h_steps = [f"H is infinite with VC(H) = {self.vc}."]
        else:
            dim = h.get("dimension") or (2 if cls == "rectangles" else 1)
            self.vc = int(vc_value(cls, dim, h.get("k") or 1, h.get("orientation") or "right"))
            self.h_steps = [f"H = {cls} (dimension {dim}) is infinite; its VC dimension is {self.vc} "
                            "(see the vc-dimension kind for the argument)."]
        self.epsilon: Fraction | None = g.get("epsilon")
        self.delta: Fraction | None = g.get("delta")
        self.n: int | None = g.get("n")

    @property
    def infinite(self) -> bool:
        return self.count is None

    def inputs(self, eps: Fraction | None = None) -> Inputs:
        e = eps if eps is not None else (self.epsilon if self.epsilon is not None else Fraction(1, 2))
        d = self.delta if self.delta is not None else Fraction(1, 2)
        return Inputs(ln_h=self.count.ln if self.count else None,
                      h_value=self.count.value if self.count and self.count.bits < 200 else None,
                      vc=self.vc, epsilon=e, delta=d, constant=self.constant)

    def need(self, name: str, part: Part) -> Any:
        value = part.args.get(name) if name == "n" and part.args.get("n") is not None else getattr(self, name)
        if value is None:
            raise SolveError(f"`{part.ask}` needs {name}: set `{name}:` in given"
                             + (" or on the part" if name == "n" else ""), part.path + ("ask",))
        return value


def _num(x: Fraction) -> str:
    from ..answers.types import format_number

    return format_number(x)


# ---------------------------------------------------------------------------------------------
# the formulas of the steps: each is written as the steps always wrote it (the text) and typeset
# as a formula (LaTeX, MathML)

EPS, DELTA, N, E = Sym("ε"), Sym("δ"), Sym("N"), Sym("e")
H_SIZE = Sym("|H|", latex=r"|\mathcal{H}|")
LN_H = Sym("ln|H|", latex=r"\ln|\mathcal{H}|")
VC_H = Sym("VC(H)", latex=r"\mathrm{VC}(\mathcal{H})")
VC = Sym("VC", latex=r"\mathrm{VC}")
CONST = Sym("c")


def _ln(x: Any) -> Math:
    return Call("ln", x)


def _sq(x: Any) -> Math:
    return Pow(node(x), Num(2))


def _bound(setting: str, infinite: bool, c: Math = CONST, vc: Math = VC_H) -> Math:
    """The bound: N ≥ (1/ε)·(ln|H| + ln(1/δ)), N ≥ (1/(2ε²))·(ln|H| + ln(2/δ)), N = (c/ε)·(...)."""
    if not infinite:
        if setting == "realizable":
            return Rel((N, Div(Num(1), EPS) * Group(LN_H + _ln(Num(1) / DELTA))), ("≥",))
        return Rel((N, Div(Num(1), Num(2) * _sq(EPS)) * Group(LN_H + _ln(Num(2) / DELTA))), ("≥",))
    if setting == "realizable":
        return eq(N, Div(c, EPS) * Group(vc * _ln(Num(1) / EPS) + _ln(Num(1) / DELTA)))
    return eq(N, Div(c, _sq(EPS)) * Group(vc + _ln(Num(1) / DELTA)))


BOUND_TEXT = {("realizable", False): "N = (1/ε)·[ln|H| + ln(1/δ)]", ("agnostic", False): "N = (1/(2ε²))·[ln|H| + ln(2/δ)]",
              ("realizable", True): "N = (c/ε)·[VC·ln(1/ε) + ln(1/δ)]", ("agnostic", True): "N = (c/ε²)·[VC + ln(1/δ)]"}


def _solved_bound(setting: str, infinite: bool) -> Math:
    """The bound as an equation in N, to be solved for ε or δ: N = (1/ε)·[ln|H| + ln(1/δ)]."""
    rel = _bound(setting, infinite, CONST, VC)
    assert isinstance(rel, Rel)
    return Written(BOUND_TEXT[setting, infinite], eq(rel.items[0], rel.items[1]))


def _count_math(count: C.Count) -> Math:
    """|H| as its factors: 3^10, 10^7·2^8."""
    factors = [Num(b) if e == 1 else Pow(Num(b), Num(e)) for b, e in count.factors]
    return factors[0] if len(factors) == 1 else Mul(tuple(factors))


def _whole(n: int) -> Math:
    """A whole number with thousands separators in the text (1,490), plain when typeset."""
    return Written(f"{n:,}", Num(n))


def _setting_step(setting: str, infinite: bool, constant: Fraction) -> Step:
    if setting == "realizable":
        why = ("Realizable: the target concept is in H (c* ∈ H), so a learner can fit the data with zero training error "
               "and the bound is for such a consistent hypothesis.")
    else:
        why = ("Agnostic: the target may not be in H, so the bound makes every hypothesis's training error within ε of "
               "its true error (uniform convergence).")
    if not infinite:
        formula = ("N ≥ (1/ε)·[ln|H| + ln(1/δ)]" if setting == "realizable" else "N ≥ (1/(2ε²))·[ln|H| + ln(2/δ)]")
        thm = "Theorem 1 (finite H, realizable)" if setting == "realizable" else "Theorem 2 (finite H, agnostic)"
        return Step.of(f"{why} H is finite, so {thm} applies: ", Written(formula, _bound(setting, False)),
                       " (natural logarithms).")
    c = _num(constant)
    formula = (f"N = ({c}/ε)·[VC(H)·ln(1/ε) + ln(1/δ)]" if setting == "realizable"
               else f"N = ({c}/ε²)·[VC(H) + ln(1/δ)]")
    thm = "Theorem 3 (infinite H, realizable)" if setting == "realizable" else "Theorem 4 (infinite H, agnostic)"
    return Step.of(f"{why} H is infinite, so {thm} applies through the VC dimension. It is an O(·) bound; this solution "
                   f"takes its constant to be c = {c} (a spec sets another with `constant:`): ",
                   Written(formula, _bound(setting, True, Num(constant))), ".")


def _bound_for(ctx: _Ctx, part: Part) -> tuple[Formula, Inputs, list[Step]]:
    """The bound a part solves, the class's inputs to it, and the steps every solution opens with
    (which theorem applies, what H is)."""
    f = standard(part.args.get("setting") or ctx.setting, ctx.infinite)
    return f, ctx.inputs(), [_setting_step(f.setting, f.vc, ctx.constant)] + _h_steps(ctx)


def _variants(ctx: _Ctx, f: Formula, quantity: str) -> list[tuple[str, Formula, dict[str, Any]]]:
    """(mistake, formula, input changes) for every misconception that applies."""
    other = "agnostic" if f.setting == "realizable" else "realizable"
    out: list[tuple[str, Formula, dict[str, Any]]] = [("wrong-setting", standard(other, f.vc), {})]
    if quantity == "n":
        out += [("log10", replace(f, base=10), {}), ("log2", replace(f, base=2), {})]
    if not f.vc:
        out.append(("delta-term", replace(f, delta_top=1 if f.delta_top == 2 else 2), {}))
    out.append(("epsilon-power", replace(f, eps_power=1 if f.eps_power == 2 else 2), {}))
    if f.two:
        out.append(("missing-2", replace(f, two=False), {}))
    if quantity != "delta" and ctx.delta is not None:
        out.append(("one-minus", f, {"delta": 1 - ctx.delta}))
    if quantity == "n" and ctx.epsilon is not None:
        out.append(("one-minus", f, {"epsilon": 1 - ctx.epsilon}))
        if ctx.delta is not None:
            out.append(("one-minus", f, {"epsilon": 1 - ctx.epsilon, "delta": 1 - ctx.delta}))
    if quantity == "n" and not f.vc and ctx.count is not None and ctx.count.bits < 200:
        out.append(("no-log-h", replace(f, h_not_ln=True), {}))
    return out


def _mistaken(ctx: _Ctx, f: Formula, inp: Inputs, quantity: str,
              value_of: Callable[[Formula, Inputs], Any]) -> list[Alternative]:
    """What each misconception gives for ε or δ (one whose formula has no value, such as a log of a
    number ≤ 0, gives nothing)."""
    out: list[Alternative] = []
    for mistake, g, change in _variants(ctx, f, quantity):
        try:
            out.append(Alternative(mistake, to_fraction(value_of(g, replace(inp, **change)))))
        except (ArithmeticError, ValueError):
            continue
    return out


def _h_steps(ctx: _Ctx) -> list[Step]:
    return [Step(t) for t in ctx.h_steps]


def _logs(ctx: _Ctx, f: Formula, eps: Fraction, delta: Fraction | None) -> list[Any]:
    """The logarithms the bound needs, each worked out: ln(1/δ) = ln(1/0.02) = ln(50) = 3.912023; ..."""
    out: list[Any] = []
    if not f.vc:
        assert ctx.count is not None
        out.append(eq(LN_H, Written(f"ln({ctx.count.text})", _ln(_count_math(ctx.count))), Num(fmt(ctx.count.ln()))))
    if delta is not None:
        top = f.delta_top or 1
        inv = Fraction(top) / delta
        out.append(eq(_ln(Num(top) / DELTA), _ln(Num(top) / Num(delta)), _ln(Num(inv)), Num(fmt(ln(inv)))))
    if f.vc and f.setting == "realizable":
        out.append(eq(_ln(Num(1) / EPS), _ln(Num(1) / Num(eps)), _ln(Num(1 / eps)), Num(fmt(ln(1 / eps)))))
    return out


def _given_and_logs(first: Math, delta: Fraction, logs: list[Any]) -> Step:
    """ε = 0.01, δ = 0.02; ln|H| = ...; ln(1/δ) = ... ."""
    segments: list[Any] = [first, ", ", eq(DELTA, Num(delta)), "; "]
    for i, log in enumerate(logs):
        segments += ([] if i == 0 else ["; "]) + [log]
    return Step.of(*segments, ".")


def solve_n(ctx: _Ctx, part: Part) -> Answer:
    eps, delta = ctx.need("epsilon", part), ctx.need("delta", part)
    f, inp, steps = _bound_for(ctx, part)
    raw = n_value(f, inp)
    n = ceil_n(f, inp)
    steps.append(_given_and_logs(eq(EPS, Num(eps)), delta, _logs(ctx, f, eps, delta)))
    e = _num(eps)
    sub: Math
    if not f.vc:
        assert ctx.count is not None
        lh = Num(fmt(ctx.count.ln()))
        ld = Num(fmt(ln(Fraction(f.delta_top or 1) / delta)))
        inner = Num(fmt(n_value(f, replace(inp, epsilon=Fraction(1))) * (2 if f.two else 1)))
        if f.setting == "realizable":
            sub = Rel((N, (lh + ld) / Num(eps), inner / Num(eps), Num(fmt(raw))), ("≥", "=", "="))
        else:
            two_eps2 = Written(f"2·{e}²", Num(2) * _sq(Num(eps)))
            sub = Rel((N, (lh + ld) / two_eps2, inner / Num(2 * eps * eps), Num(fmt(raw))), ("≥", "=", "="))
    else:
        ld = Num(fmt(ln(1 / delta)))
        if f.setting == "realizable":
            bracket = Written(f"[{ctx.vc}·{fmt(ln(1 / eps))} + {ld.value}]",
                              Group(Num(ctx.vc or 0) * Num(fmt(ln(1 / eps))) + ld))
            sub = eq(N, Group(Num(ctx.constant) / Num(eps)) * bracket, Num(fmt(raw)))
        else:
            bracket = Written(f"[{ctx.vc} + {ld.value}]", Group(Num(ctx.vc or 0) + ld))
            sub = eq(N, Group(Num(ctx.constant) / Written(f"{e}²", _sq(Num(eps)))) * bracket, Num(fmt(raw)))
    steps.append(Step.of(sub))
    steps.append(Step.of("N counts examples, so it is rounded up: ",
                         eq(N, Sym(f"⌈{fmt(raw)}⌉", latex=rf"\lceil {fmt(raw)} \rceil"), _whole(n)), "."))
    alts: list[Alternative] = []
    unrounded: list[tuple[str, Fraction]] = [("no-ceil", to_fraction(raw))]
    if Fraction(n - 1) >= 0 and to_fraction(raw) != n:
        alts.append(Alternative("no-ceil", Fraction(n - 1)))
    for mistake, g, change in _variants(ctx, f, "n"):
        vinp = replace(inp, **change)
        try:
            value = n_value(g, vinp)
            alts.append(Alternative(mistake, Fraction(ceil_n(g, vinp))))
        except (ArithmeticError, ValueError):
            continue
        unrounded.append((mistake, to_fraction(value)))
    feedback = {m.id: m.feedback for m in MISTAKES}
    verify = functools.partial(verify_unrounded, tuple(unrounded), str(n), feedback)
    return Answer(Fraction(n), steps, alts, verify=verify)
def verify_unrounded(unrounded: tuple[tuple[str, Fraction], ...], expected: str, feedback: dict[str, str],
                     value: Any) -> Judgement | None:
    """A number of examples that is not whole: the bound (or a mistaken bound) not rounded up."""
    from ..answers.types import within

    if not isinstance(value, Fraction) or value.denominator == 1:
        return None
    for mistake, target in unrounded:
        if within(target, value, {"rel": 0.001}):
            text = feedback["no-ceil"] if mistake == "no-ceil" else feedback[mistake] + " (It is also not rounded up.)"
            return Judgement("incorrect", text.format(given=str(value) if value.denominator == 1 else _num(value),
                                                      expected=expected), mistake=mistake)
    return Judgement("incorrect", f"Not correct: a number of examples is a whole number; the expected answer is "
                                  f"{expected}.")



def _h_written(ctx: _Ctx) -> tuple[str, Math]:
    """|H| as the delta steps write it (the number when it is short, else its factors)."""
    assert ctx.count is not None
    hv = ctx.count.value if ctx.count.bits < 200 else None
    return (str(hv), Num(hv)) if hv is not None else (ctx.count.text, _count_math(ctx.count))


def solve_epsilon(ctx: _Ctx, part: Part) -> Answer:
    n = int(ctx.need("n", part))
    delta = ctx.need("delta", part)
    f, inp, steps = _bound_for(ctx, part)
    value = epsilon_value(f, inp, n)
    logs = (_logs(ctx, f, Fraction(1, 2), delta) if not (f.vc and f.setting == "realizable")
            else _logs(ctx, replace(f, setting="agnostic"), Fraction(1), delta))
    steps.append(_given_and_logs(eq(Sym("n"), _whole(n)), delta, logs))
    answer = None
    bound = _solved_bound(f.setting, f.vc)
    if not f.vc:
        assert ctx.count is not None
        h = ctx.count.value if ctx.count.value and ctx.count.bits < 200 else ctx.count.text
        lh, top = f"ln({h})", f.delta_top or 1
        lds = f"ln({_num(Fraction(top) / delta)})"
        log_sum = LN_H + _ln(Num(top) / DELTA)
        if f.setting == "realizable":
            steps.append(Step.of("Solve ", bound, " for ε: ",
                                 eq(EPS, Written("[ln|H| + ln(1/δ)]/N", log_sum / N), Num(fmt(value * n)) / Num(n),
                                    Num(fmt(value))), "."))
            answer = f"({lh} + {lds})/{n}"
        else:
            steps.append(Step.of("Solve ", bound, " for ε: ",
                                 eq(EPS, Written("√([ln|H| + ln(2/δ)]/(2N))", Call("sqrt", log_sum / (Num(2) * N))),
                                    Written(f"√({fmt(value * value * 2 * n)}/{2 * n})",
                                            Call("sqrt", Num(fmt(value * value * 2 * n)) / Num(2 * n))),
                                    Num(fmt(value))), "."))
            answer = f"sqrt(({lh} + {lds})/{2 * n})"
    elif f.setting == "agnostic":
        c = _num(ctx.constant)
        ld = fmt(ln(1 / delta))
        steps.append(Step.of("Solve ", bound, " for ε: ",
                             eq(EPS, Written("√(c·[VC + ln(1/δ)]/N)", Call("sqrt", CONST * Group(VC + _ln(Num(1) / DELTA)) / N)),
                                Written(f"√({c}·[{ctx.vc} + {ld}]/{n})",
                                        Call("sqrt", Num(ctx.constant) * Group(Num(ctx.vc or 0) + Num(ld)) / Num(n))),
                                Num(fmt(value))), "."))
        answer = f"sqrt({c}*({ctx.vc} + ln({_num(1 / delta)}))/{n})"
    else:
        steps.append(Step.of(bound, " has no closed form in ε; its right side falls as ε grows, so ε is found by "
                             "bisection (to 60 digits): ", eq(EPS, Num(fmt(value))), "."))
    if value >= 1:
        steps.append(Step(f"ε ≥ 1: with {n:,} examples the bound guarantees nothing."))
    alts = _mistaken(ctx, f, inp, "epsilon", lambda g, i: epsilon_value(g, i, n))
    return Answer(to_fraction(value), steps, alts, answer=answer)


def solve_delta(ctx: _Ctx, part: Part) -> Answer:
    n = int(ctx.need("n", part))
    eps = ctx.need("epsilon", part)
    f, inp, steps = _bound_for(ctx, part)
    value = delta_value(f, inp, n)
    e = _num(eps)
    answer = None
    bound = _solved_bound(f.setting, f.vc)
    if not f.vc:
        assert ctx.count is not None
        hv = ctx.count.value if ctx.count.bits < 200 else None
        h, h_math = _h_written(ctx)
        top = f.delta_top or 1
        if f.setting == "realizable":
            expo = eps * n
            steps.append(Step.of(
                "Solve ", bound, " for δ: ", eq(_ln(Num(1) / DELTA), Written("εN − ln|H|", EPS * N - LN_H)), ", so ",
                eq(DELTA, Written("|H|·e^(−εN)", H_SIZE * Pow(E, -(EPS * N))),
                   Written(f"{h}·e^(−{e}·{n})", h_math * Pow(E, -(Num(eps) * Num(n)))),
                   Written(f"{h}·e^(−{_num(expo)})", h_math * Pow(E, -Num(expo))), Num(fmt(value))), "."))
        else:
            expo = 2 * eps * eps * n
            shown = f"{2 if hv is None else ''}{'·' + h if hv is None else 2 * hv}"
            steps.append(Step.of(
                "Solve ", bound, " for δ: ",
                eq(DELTA, Written("2|H|·e^(−2ε²N)", Num(2) * H_SIZE * Pow(E, -(Num(2) * _sq(EPS) * N))),
                   Written(f"2·{h}·e^(−2·{e}²·{n})", Num(2) * h_math * Pow(E, -(Num(2) * _sq(Num(eps)) * Num(n)))),
                   Written(f"{shown}·e^(−{_num(expo)})",
                           (Num(2) * h_math if hv is None else Num(2 * hv)) * Pow(E, -Num(expo))),
                   Num(fmt(value))), "."))
        if hv is not None:
            answer = f"{top * hv}*exp(-{_num(expo)})"
    else:
        c = _num(ctx.constant)
        if f.setting == "realizable":
            ln_inv_eps = _ln(Num(1) / EPS)
            steps.append(Step.of(
                "Solve ", bound, " for δ: ",
                eq(_ln(Num(1) / DELTA), Written("εN/c − VC·ln(1/ε)", EPS * N / CONST - VC * ln_inv_eps)), ", so ",
                eq(DELTA, Written("e^(VC·ln(1/ε) − εN/c)", Pow(E, VC * ln_inv_eps - EPS * N / CONST)),
                   Written("(1/ε)^VC·e^(−εN/c)", Pow(Group(Num(1) / EPS), VC) * Pow(E, -(EPS * N / CONST))),
                   Num(fmt(value))), "."))
        else:
            steps.append(Step.of(
                "Solve ", bound, " for δ: ",
                eq(DELTA, Written("e^(VC − ε²N/c)", Pow(E, VC - _sq(EPS) * N / CONST)),
                   Written(f"e^({ctx.vc} − {e}²·{n}/{c})",
                           Pow(E, Num(ctx.vc or 0) - _sq(Num(eps)) * Num(n) / Num(ctx.constant))),
                   Num(fmt(value))), "."))
    if value >= 1:
        steps.append(Step(f"δ ≥ 1: with {n:,} examples the bound guarantees nothing at this ε."))
    alts = _mistaken(ctx, f, inp, "delta", lambda g, i: delta_value(g, i, n))
    return Answer(to_fraction(value), steps, alts, answer=answer)


def solve_count(ctx: _Ctx, part: Part) -> Answer:
    if ctx.count is None:
        raise SolveError(f"H is infinite (VC dimension {ctx.vc}): hypothesis_count is for finite classes",
                         part.path + ("ask",))
    value = ctx.count.value
    if value is None:
        raise SolveError(f"|H| = {ctx.count.text} has more than 12,000 digits: too long to ask for as a number",
                         part.path + ("ask",))
    alts = []
    for mistake, factors in ctx.count.alternatives:
        alt = C.Count(factors, "").value
        if alt is not None:
            alts.append(Alternative(mistake, Fraction(alt)))
    answer = f"{value}" if str(value) == ctx.count.text or ctx.count.bits > 64 else None
    return Answer(Fraction(value), _h_steps(ctx), alts, answer=answer)


_SOLVERS = {"n": solve_n, "epsilon": solve_epsilon, "delta": solve_delta, "hypothesis_count": solve_count}


register(Kind(
    name="sample-complexity",
    summary="PAC sample complexity: N from ε and δ (finite H or VC), ε or δ from N, |H| of named classes",
    given=GIVEN,
    quantities=QUANTITIES,
    mistakes=MISTAKES,
    example=EXAMPLE,
    setup=_Ctx,
    solvers=_SOLVERS,
))
