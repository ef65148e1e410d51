"""`divergence`: entropy, cross-entropy and KL divergence between two discrete distributions.

Conventions (stated in every solution):
- `base: 2` gives bits, `base: e` nats (the default), `base: 10` hartleys; a part may set its own
  `base:`. (The spec-level `log_base:` is something else: how `log` in a student's answer is read.)
- `kl` with `from: p, to: q` is KL(P‖Q) = Σ p_i·log(p_i/q_i); `cross_entropy` with `from: p,
  to: q` is H(P, Q) = −Σ p_i·log q_i (P is the true distribution); `entropy` `of: p` is
  H(P) = −Σ p_i·log p_i. So KL(P‖Q) = H(P, Q) − H(P).
- 0·log 0 = 0: an outcome with p_i = 0 contributes nothing. If p_i > 0 and q_i = 0, KL(P‖Q) and
  H(P, Q) are +∞ — an answer (JSON "inf"), not an error.
- The probabilities arrive exact (0.1 is 1/10) and must add up to exactly 1 — write thirds as
  "1/3" — unless `normalize: true`, which divides nonnegative weights (counts) by their sum.
Values are exact sympy numbers (sums of rational multiples of logarithms); decimals are for
display. Support code: core.py (exact entropy, cross-entropy and KL terms).
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any

from ...answers.types import format_number
from ...errors import SolveError
from ...formula import Add, Call, Math, Neg, Num, Rel, Sum, Sym, WithUnit, Written, eq
from ...problem import Part, Problem
from ...solution import Step, Table
from ...spec.schema import Bool, Checker, Custom, Field, ListOf, Map, Number, Quantity, Str
from .. import Answer, Kind, Mistake, register
from .core import (
    BASES,
    LOG_TEXT,
    UNITS,
    Term,
    decimal,
    exact_math,
    exact_text,
    measure_value,
    terms,
    total,
)

# ---------------------------------------------------------------------------------------------
# the spec


def _base(value: Any) -> Any:
    if isinstance(value, bool):
        raise ValueError(f"got {value!r}")
    if isinstance(value, str) and value.strip().lower() in ("e", "nats", "nat", "ln"):
        return "e"
    if isinstance(value, str) and value.strip().lower() in ("bits", "bit"):
        return 2
    if value in (2, 10) or (isinstance(value, str) and value.strip() in ("2", "10")):
        return int(value)
    raise ValueError(f"got {value!r}")


def _dist(value: Any) -> str:
    if isinstance(value, str) and value.strip().lower() in ("p", "q"):
        return value.strip().lower()
    raise ValueError(f"got {value!r}")


BASE = Custom(_base, description="2 (bits), e (nats) or 10 (hartleys)")
DIST = Custom(_dist, description="p or q (a distribution of `given`)")
WEIGHT = Number(min=0, description="a probability (a number >= 0)")
VECTOR = ListOf(WEIGHT, min_len=1, max_len=1000, description="a probability vector, e.g. [0.1, 0.4, 0.5]")


def _check_given(g: dict[str, Any], path: tuple, c: Checker) -> None:
    n = len(g["p"])
    for key in ("p", "q"):
        vec = g.get(key)
        if vec is None:
            continue
        bad = False
        for i, v in enumerate(vec):
            if isinstance(v, float):  # only inf gets here: finite numbers arrive as Fractions
                c.error(path + (key, i), f"a probability must be a finite number, got {v}")
                bad = True
        if bad:
            continue
        s = sum(vec, Fraction(0))
        if g["normalize"]:
            if s == 0:
                c.error(path + (key,), "the weights are all 0: there is nothing to normalise")
        elif s != 1:
            c.error(path + (key,), f"the probabilities add up to {format_number(s)}, not 1 "
                                   "(they are read exactly: write thirds as \"1/3\"; or set `normalize: true` "
                                   "to divide weights by their sum)")
    q = g.get("q")
    if q is not None and len(q) != n:
        c.error(path + ("q",), f"q has {len(q)} entries but p has {n}: both must be distributions over the same outcomes")
    names = g.get("outcomes")
    if names is not None:
        if len(names) != n:
            c.error(path + ("outcomes",), f"{len(names)} outcome names for {n} probabilities")
        elif len(set(names)) != len(names):
            c.error(path + ("outcomes",), "the outcome names must be different")


GIVEN = Map({
    "p": Field(VECTOR, required=True, doc="the distribution P (exact; must add up to 1)"),
    "q": Field(VECTOR, doc="the distribution Q over the same outcomes (needed for kl and cross_entropy)"),
    "base": Field(BASE, default="e", doc="logarithm base of the answers: 2 → bits, e → nats, 10 → hartleys"),
    "outcomes": Field(ListOf(Str(), min_len=1), doc="names of the outcomes, e.g. [red, green, blue] (used in the steps)"),
    "normalize": Field(Bool(), default=False, doc="divide p and q by their sums (for counts or unnormalised weights)"),
}, check_all=_check_given, description="two discrete distributions")


MISTAKES = [
    Mistake("wrong-base", "answered in nats where bits were asked, or the reverse (another log base)",
            "{given} is the value in another logarithm base (bits use log2, nats use ln; 1 nat = 1/ln 2 ≈ 1.4427 bits). The expected answer is {expected}."),
    Mistake("swapped", "computed KL(q‖p) for KL(p‖q) (or H(q, p) for H(p, q))",
            "{given} has the two distributions swapped: KL divergence and cross-entropy are not symmetric. The expected answer is {expected}."),
    Mistake("cross-for-kl", "gave the cross-entropy H(p, q) where KL(p‖q) = H(p, q) − H(p) was asked",
            "{given} is the cross-entropy H(P, Q); the KL divergence subtracts the entropy H(P): {expected}."),
    Mistake("kl-for-cross", "gave KL(p‖q) where the cross-entropy H(p, q) = H(p) + KL(p‖q) was asked",
            "{given} is the KL divergence; the cross-entropy adds the entropy H(P): {expected}."),
    Mistake("sign", "dropped the minus sign (Σ p·log p for the entropy, Σ p·log(q/p) for KL)",
            "{given} has the wrong sign: entropy, cross-entropy and KL divergence are never negative. The expected answer is {expected}."),
]

EXAMPLE = """\
p: [0.10, 0.40, 0.50]
q: [0.80, 0.15, 0.05]
base: 2                        # 2 -> bits, e -> nats (default), 10 -> hartleys
outcomes: [red, green, blue]   # optional names, used in the steps
# parts: {ask: kl, from: p, to: q} | {ask: entropy, of: q} | {ask: cross_entropy, from: p, to: q}
#        | {ask: symmetric}; any part may set its own `base:`
"""

# ---------------------------------------------------------------------------------------------
# solving


class _Ctx:
    def __init__(self, problem: Problem):
        g = problem.given
        self.problem = problem
        self.base = g["base"]
        self.dists: dict[str, list[Fraction]] = {}
        for key in ("p", "q"):
            vec = g.get(key)
            if vec is not None:
                s = sum(vec, Fraction(0))
                self.dists[key] = [Fraction(v) / s for v in vec]
        n = len(self.dists["p"])
        self.names = list(g["outcomes"]) if g.get("outcomes") else [f"x{i + 1}" for i in range(n)]

    def dist(self, key: str, part: Part, arg: str) -> list[Fraction]:
        if key not in self.dists:
            raise SolveError(f"this part needs the distribution {key!r}, but given has no `{key}:`", part.path + (arg,))
        return self.dists[key]

    def value(self, measure: str, a: str, b: str | None, base: Any) -> Any:
        return measure_value(measure, self.dists[a], self.dists[b] if b else None, base)


def _name(key: str) -> str:
    return key.upper()


def _title(measure: str, a: str, b: str | None) -> Sym:
    x, y = _name(a), _name(b or "")
    if measure == "kl":
        return Sym(f"KL({x}‖{y})", latex=rf"D_{{\mathrm{{KL}}}}({x}\,\|\,{y})")
    if measure == "cross_entropy":
        return Sym(f"H({x}, {y})")
    return Sym(f"H({x})")


INFINITY = Sym("+∞", latex=r"+\infty")


def _shown(value: Any) -> list[tuple[str, Math]]:
    """How an exact value is shown after its formula: = 1/2 ≈ 0.5, = -0.3, ≈ 0.566, = +∞."""
    if value == math.inf:
        return [("=", INFINITY)]
    if isinstance(value, Fraction):
        exact: list[tuple[str, Math]] = [("=", Num(value))]
        return exact if "/" not in format_number(value) else exact + [("≈", Num(decimal(value)))]
    return [("≈", Num(decimal(value)))]


def _then(chain: Rel, links: list[tuple[str, Math]], unit: str = "") -> Rel:
    """`chain` continued by `links`; the last one carries `unit` (1.92698 bits)."""
    for i, (op, item) in enumerate(links):
        chain = chain.rel(op, WithUnit(item, unit) if unit and i == len(links) - 1 else item)
    return chain


def _definition(measure: str, a: str, b: str | None, base: Any) -> Math:
    lg, x, y = LOG_TEXT[base], Sym(f"{a.lower()}_i"), Sym(f"{(b or '').lower()}_i")
    if measure == "kl":
        return Sum("i", x * Call(lg, x / y))
    return Neg(Sum("i", x * Call(lg, y if measure == "cross_entropy" else x)))


def _formula(measure: str, a: str, b: str | None, base: Any) -> Step:
    unit = {2: "base 2, so the answer is in bits", "e": "natural log, so the answer is in nats",
            10: "base 10, so the answer is in hartleys"}[base]
    return Step.of(eq(_title(measure, a, b), _definition(measure, a, b, base)),
                   f"   ({unit}; a term with {a.lower()}_i = 0 is 0, since 0·log 0 = 0)")


_SECOND_ZERO = (" — the second distribution gives probability 0 to an outcome the first one has, "
                "so the sum is +∞")


def _term_step(ctx: _Ctx, measure: str, t: Term, av: list[Fraction], bv: list[Fraction] | None, base: Any) -> Step:
    lg = LOG_TEXT[base]
    name = ctx.names[t.index]
    w = Num(t.weight)
    if t.status == "zero":
        return Step(f"{name}: p = 0, so the term is 0 (0·log 0 = 0)")
    if measure == "kl":
        assert bv is not None
        if t.status == "inf":
            return Step.of(f"{name}: ", eq(w * Call(lg, w / Num(0)), INFINITY), _SECOND_ZERO)
        q = Num(bv[t.index])
        chain = eq(w * Call(lg, w / q))
        assert t.arg is not None
        if format_number(t.arg) != f"{format_number(t.weight)}/{format_number(bv[t.index])}":
            chain = chain.eq(w * Call(lg, Num(t.arg)))
    elif measure == "cross_entropy":
        assert bv is not None
        if t.status == "inf":
            return Step.of(f"{name}: ", eq(-(w * Call(lg, Num(0))), INFINITY), _SECOND_ZERO)
        chain = eq(-(w * Call(lg, Num(bv[t.index]))))
    else:
        chain = eq(-(w * Call(lg, w)))
    return Step.of(f"{name}: ", _then(chain, _shown(t.value)))


def _sum_step(measure: str, a: str, b: str | None, ts: list[Term], value: Any, base: Any) -> Step:
    title = _title(measure, a, b)
    if value == math.inf:
        return Step.of(eq(title, INFINITY))
    parts = [Num(decimal(t.value)) for t in ts if t.status == "finite"]
    added = Add(tuple(parts)) if len(parts) > 1 else parts[0] if parts else Num(0)
    exact = Written(exact_text(ts, base), exact_math(ts, base))
    links: list[tuple[str, Math]] = [("=", exact)]
    if not isinstance(value, Fraction) or "/" in format_number(value):
        links.append(("≈", Num(decimal(value))))
    return Step.of(_then(eq(title, added), links, UNITS[base]))


def _close(x: Any, y: Any) -> bool:
    fx, fy = float(x), float(y)
    if math.isinf(fx) or math.isinf(fy):
        return fx == fy
    return abs(fx - fy) <= 1e-12 * (1 + abs(fx))


def _sym(v: Any) -> Any:
    import sympy as sp

    return sp.Rational(v.numerator, v.denominator) if isinstance(v, Fraction) else v


def _float(v: Any) -> float:
    return math.inf if v == math.inf else float(v if isinstance(v, Fraction) else v.evalf(30))


def _finite(v: Any) -> Any:
    """A mistake's value, or None when it is infinite (an infinite answer is not this mistake)."""
    return None if math.isinf(_float(v)) else v


def _mistakes(ctx: _Ctx, measure: str, a: str, b: str | None, base: Any, value: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if measure in ("kl", "cross_entropy") and b is not None:
        out["swapped"] = _finite(ctx.value(measure, b, a, base))
    if measure == "kl":
        out["cross-for-kl"] = _finite(ctx.value("cross_entropy", a, b, base))
    if measure == "cross_entropy":
        out["kl-for-cross"] = _finite(ctx.value("kl", a, b, base))
    out["wrong-base"] = [_finite(ctx.value(measure, a, b, other)) for other in BASES if other != base]
    if value != math.inf:
        out["sign"] = -value
    return out


def _solve_measure(ctx: _Ctx, part: Part) -> Answer:
    measure = part.ask
    base = part.args.get("base") or ctx.base
    if measure == "entropy":
        a, b = part.args["of"], None
        av, bv = ctx.dist(a, part, "of"), None
    else:
        a, b = part.args["from"], part.args["to"]
        av, bv = ctx.dist(a, part, "from"), ctx.dist(b, part, "to")
    ts = terms(measure, av, bv, base)
    value = total(ts)
    steps = [_formula(measure, a, b, base)]
    steps += [_term_step(ctx, measure, t, av, bv, base) for t in ts]
    steps.append(_sum_step(measure, a, b, ts, value, base))
    if measure == "kl" and value != math.inf:
        ce = ctx.value("cross_entropy", a, b, base)
        h = ctx.value("entropy", a, None, base)
        if not _close(_float(ce) - _float(h), _float(value)):  # pragma: no cover - an internal check
            raise SolveError("internal check failed: KL ≠ H(P, Q) − H(P); please report this spec")
        steps.append(Step.of("Check: ", eq(_title("kl", a, b), _title("cross_entropy", a, b) - _title("entropy", a, None),
                                           Num(decimal(ce)) - Num(decimal(h)), Num(decimal(_float(ce) - _float(h)))), " ✓"))
    answer = exact_text(ts, base)
    return Answer(value, steps, _mistakes(ctx, measure, a, b, base, value), answer=answer, options={"unit": UNITS[base]})


def _solve_symmetric(ctx: _Ctx, part: Part) -> Answer:
    base = part.args.get("base") or ctx.base
    ctx.dist("q", part, "ask")
    pq, qp = ctx.value("kl", "p", "q", base), ctx.value("kl", "q", "p", base)
    if pq == math.inf or qp == math.inf:
        same = pq == qp
    else:
        import sympy as sp

        diff = _sym(pq) - _sym(qp)
        same = diff == 0 or abs(float(diff.evalf(50))) < 1e-40 and sp.simplify(diff) == 0
    steps = [
        Step.of(_then(eq(_title("kl", "p", "q"), _definition("kl", "p", "q", base)), _shown(pq), UNITS[base])),
        Step.of(_then(eq(_title("kl", "q", "p"), _definition("kl", "q", "p", base)), _shown(qp), UNITS[base])),
        Step("They are equal: for this pair KL happens to be symmetric" if same else
             "They differ: KL divergence is not symmetric (it is not a distance)"),
    ]
    return Answer(bool(same), steps)


def _given_steps(ctx: _Ctx) -> list[Step]:
    g = ctx.problem.given
    keys = [k for k in ("p", "q") if k in ctx.dists]
    rows = [[ctx.names[i]] + [format_number(ctx.dists[k][i]) for k in keys] for i in range(len(ctx.names))]
    text = "The distributions" + (" (normalised: each weight divided by the sum of its vector)" if g["normalize"] else "")
    return [Step(text, table=Table(["outcome"] + [_name(k) for k in keys], rows))]


# ---------------------------------------------------------------------------------------------
# the kind

_BASE_ARG = Field(BASE, doc="this part's base, overriding given.base")
QUANTITIES = [
    Quantity("kl", "real", "KL divergence KL(from‖to) = Σ from_i·log(from_i/to_i) (+∞ when to_i = 0 < from_i)",
             {"from": Field(DIST, default="p", doc="p or q"), "to": Field(DIST, default="q", doc="p or q"), "base": _BASE_ARG},
             solve=_solve_measure),
    Quantity("entropy", "real", "entropy H(of) = −Σ of_i·log of_i",
             {"of": Field(DIST, default="p", doc="p or q"), "base": _BASE_ARG}, solve=_solve_measure),
    Quantity("cross_entropy", "real", "cross-entropy H(from, to) = −Σ from_i·log to_i (from = the true distribution)",
             {"from": Field(DIST, default="p", doc="p or q"), "to": Field(DIST, default="q", doc="p or q"), "base": _BASE_ARG},
             solve=_solve_measure),
    Quantity("symmetric", "boolean", "whether KL(p‖q) = KL(q‖p) for this pair (KL is not symmetric in general)",
             {"base": _BASE_ARG}, solve=_solve_symmetric),
]

register(Kind(
    name="divergence",
    summary="entropy, cross-entropy and KL divergence of discrete distributions, exact (bits, nats or hartleys)",
    given=GIVEN,
    quantities=QUANTITIES,
    mistakes=MISTAKES,
    example=EXAMPLE,
    setup=_Ctx,
    intro=_given_steps,
))
