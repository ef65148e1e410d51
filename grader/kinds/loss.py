"""`loss`: hinge, cross-entropy and squared-error losses of given scores or predictions, and their (sub)gradients.

Losses (`loss:`, which a part may override, as it may `score`, `logit`, `prediction`, `label`):
- `hinge`: max(0, m − y·s) for a label y ∈ {−1, +1} and a score s (or s = wᵀx + b from `weights`,
  `x`, `bias`); the margin m defaults to 1.
- `multiclass_hinge`: Σ_{j≠y} max(0, m + s_j − s_y) for a class y (from 0) and scores s (or s = Wx + b,
  W one row per class). This is the notes' (and cs231n's) SVM loss: torch's MultiMarginLoss divides
  it by the number of classes (the `divided-by-classes` mistake).
- `binary_cross_entropy`: −[y ln p + (1 − y) ln(1 − p)] for a probability p, or p = σ(z) for a `logit` z.
- `cross_entropy`: −Σ t_i ln q_i for given probabilities q and a class `label` (t one-hot) or a
  `target` distribution (cross-entropy of logits is the `softmax` kind's).
- `mse`: factor·Σ(ŷ − y)² (`reduction: sum`) or its mean (`mean`, torch's default); factor 1 is torch's,
  `factor: 1/2` the notes'. ŷ is `prediction`, or σ(`logit`) (a sigmoid output unit).
Subgradients at a kink are 0 (the notes' 1(z > 0); torch's relu gives the same). Values are exact
(sympy logs and exponentials where they occur); decimals are for display.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from ..answers.types import approx, format_number
from ..errors import SolveError
from ..formula import Call, Group, Math, Num, Rel, Sum, Sym, Written, eq, node
from ..problem import Part, Problem
from ..solution import Alternative, Step
from ..spec.schema import Checker, Field, ListOf, Map, Number, OneOf, Quantity, Str
from . import Answer, Kind, Mistake, register
from ._exact import as_fraction as _plain
from ._exact import as_sympy_rational as _r
from .activation import exact_text

LOSSES = ("hinge", "multiclass_hinge", "binary_cross_entropy", "cross_entropy", "mse")
NUMS = ListOf(Number(), min_len=1, max_len=100)
NUM_OR_NUMS = OneOf([Number(), NUMS], description="a number or a list of numbers")

_INPUTS = {
    "loss": Field(Str(choices=LOSSES), doc="which loss"),
    "score": Field(Number(), doc="hinge: the score s = wᵀx + b"),
    "scores": Field(NUMS, doc="multiclass_hinge: one score per class"),
    "weights": Field(OneOf([NUMS, ListOf(NUMS, min_len=1, max_len=50)]),
                     doc="hinge: w (then s = wᵀx + b); multiclass_hinge: W, one row per class (then s = Wx + b)"),
    "x": Field(NUMS, doc="the input, with `weights`"),
    "bias": Field(NUM_OR_NUMS, doc="b, with `weights` (default 0)"),
    "label": Field(NUM_OR_NUMS, doc="hinge: ±1; multiclass_hinge / cross_entropy: the class (from 0), one per time step for "
                                    "a sequence; binary: y in [0, 1]"),
    "prediction": Field(NUM_OR_NUMS, doc="binary_cross_entropy: p; mse: ŷ (a number or a list)"),
    "logit": Field(NUM_OR_NUMS, doc="binary_cross_entropy / mse: z, with p = ŷ = σ(z)"),
    "probabilities": Field(OneOf([NUMS, ListOf(NUMS, min_len=1, max_len=100)], description="a distribution or a list of them"),
                           doc="cross_entropy: q, a distribution; or one per time step (then `label:` is a list: the sequence loss)"),
    "target": Field(NUM_OR_NUMS, doc="mse: y; cross_entropy: a target distribution instead of a label"),
    "margin": Field(Number(min=0), doc="hinge losses: the margin m (default 1)"),
    "factor": Field(Number(min=0, min_exclusive=True, description="a number > 0"), doc="mse: the factor in front (default 1; the notes' ½)"),
    "reduction": Field(Str(choices=("mean", "sum")), doc="mse: mean (torch's default) or sum"),
}


def _check_given(g: dict[str, Any], path: tuple, c: Checker) -> None:
    if g.get("loss") is None:
        c.error(path, "missing required key 'loss' (" + ", ".join(LOSSES) + ")")


GIVEN = Map(dict(_INPUTS), check_all=_check_given, description="a loss and what it is computed from")
WRT = Str(choices=("score", "scores", "weights", "prediction", "logit", "probabilities"),
          description="score, scores, weights, prediction, logit or probabilities")
QUANTITIES = [
    Quantity("loss", "real", "the loss value", dict(_INPUTS)),
    Quantity("gradient", "real|vector|matrix", "the (sub)gradient of the loss with respect to `wrt`",
             {"wrt": Field(WRT, required=True), **_INPUTS}),
]

MISTAKES = [
    Mistake("no-margin", "left out the margin (max(0, −y·s) or max(0, s_j − s_y))",
            "{given} leaves out the margin 1: the hinge loss is max(0, 1 − y·s), so a correct but small score still costs. "
            "The expected answer is {expected}."),
    Mistake("include-true-class", "summed over every class, the true one too",
            "{given} includes j = y in the sum, which adds max(0, m + s_y − s_y) = m. The sum runs over j ≠ y. "
            "The expected answer is {expected}."),
    Mistake("divided-by-classes", "divided by the number of classes (torch's MultiMarginLoss)",
            "{given} is divided by the number of classes, as torch's MultiMarginLoss does; the SVM loss of the notes is "
            "the plain sum. The expected answer is {expected}."),
    Mistake("factor-2", "is off by a factor of 2 (the ½ of the squared error and the 2 of its derivative)",
            "{given} is off by a factor of 2. With L = ½(y − ŷ)² the ½ cancels the 2 from differentiating the square, "
            "so ∂L/∂ŷ = −(y − ŷ) — the notes' −2(y − σ)σ(1 − σ) keeps both; with torch's L = (y − ŷ)² the 2 stays. "
            "The expected answer is {expected}."),
    Mistake("no-sigmoid-derivative", "left out σ′(z) = σ(1 − σ) in the chain rule through the sigmoid",
            "{given} is the derivative with respect to the prediction ŷ = σ(z); through the sigmoid the chain rule "
            "multiplies by σ′(z) = σ(z)(1 − σ(z)). The expected answer is {expected}."),
    Mistake("sign", "gave the value with the wrong sign",
            "{given} has the wrong sign. The expected answer is {expected}."),
    Mistake("wrong-base", "used log base 2 or 10 instead of the natural log",
            "{given} uses another logarithm; these losses use the natural log. The expected answer is {expected}."),
    Mistake("swapped-label", "swapped the roles of y and 1 − y",
            "{given} swaps y and 1 − y: the loss of label 1 is −ln p. The expected answer is {expected}."),
]

EXAMPLE = """\
loss: hinge          # hinge | multiclass_hinge | binary_cross_entropy | cross_entropy | mse
label: 1             # hinge: ±1; multiclass/cross_entropy: class index (from 0)
score: 0.3           # or scores: [...], or weights + x (+ bias); prediction / logit / probabilities / target
# parts: {ask: loss} | {ask: gradient, wrt: score} | {ask: loss, score: -1}  (a part may override inputs and loss:)
"""


# ---------------------------------------------------------------------------------------------
# inputs


def _sp() -> Any:
    import sympy as sp

    return sp


def _show(v: Any) -> str:
    return format_number(v) if isinstance(v, Fraction) else exact_text(v)


class _In:
    """A part's inputs: given's, overridden by the part's own keys."""

    def __init__(self, problem: Problem, part: Part):
        self.part = part
        self.v: dict[str, Any] = {k: (part.args.get(k) if part.args.get(k) is not None else problem.given.get(k)) for k in _INPUTS}
        self.loss: str = self.v["loss"]

    def get(self, key: str, what: str) -> Any:
        if self.v[key] is None:
            raise SolveError(f"{self.loss} needs `{key}:` ({what})", self.part.path)
        return self.v[key]

    def number(self, key: str, what: str) -> Fraction:
        value = self.get(key, what)
        if isinstance(value, list):
            raise SolveError(f"`{key}:` is one number here", self.part.path)
        return Fraction(value)


def _sigmoid(z: Fraction) -> Any:
    sp = _sp()
    return _plain(1 / (1 + sp.exp(-_r(z))))


# ---------------------------------------------------------------------------------------------
# math for the steps


S, Y, M = Sym("s"), Sym("y"), Sym("m")


def _n(v: Any) -> Math:
    """A number as math: exact as itself; a sympy number as its exact form, a decimal in text."""
    v = _plain(v)
    if isinstance(v, Fraction):
        return Num(v)
    return Written(_show(v), node(v))


def _vec(values: list[Any]) -> Math:
    import sympy as sp

    if len(values) == 1:
        return _n(values[0])
    return Written("[" + ", ".join(_show(_plain(v)) for v in values) + "]", node(sp.Matrix([[_r(_plain(v)) for v in values]])))


def _mat(rows: list[list[Any]]) -> Math:
    import sympy as sp

    return Written("[" + ", ".join("[" + ", ".join(_show(_plain(v)) for v in r) + "]" for r in rows) + "]",
                   node(sp.Matrix([[_r(_plain(v)) for v in r] for r in rows])))


def _result(rel: Any, v: Any) -> Any:
    """`rel` = v, with ≈ its decimal when v is not rational."""
    rel = rel.eq(_n(v))
    return rel if isinstance(_plain(v), Fraction) else rel.approx(Num(approx(v)))


def _pos(x: Math) -> Math:
    return Rel((x, Num(0)), (">",))


def _alts(pairs: list[tuple[str, Any]]) -> list[Alternative]:
    return [Alternative(m, v) for m, v in pairs]  # the framework drops None and what equals the answer


# ---------------------------------------------------------------------------------------------
# hinge


def _hinge(inp: _In, part: Part) -> Answer:
    y = inp.number("label", "+1 or -1")
    if y not in (1, -1):
        raise SolveError("the hinge loss's label is +1 or −1", part.path)
    m = Fraction(inp.v["margin"] if inp.v["margin"] is not None else 1)
    steps = []
    if inp.v["weights"] is not None:
        w = inp.v["weights"]
        if w and isinstance(w[0], list):
            raise SolveError("binary hinge takes one weight vector w", part.path)
        x = inp.get("x", "the input vector")
        if len(x) != len(w):
            raise SolveError(f"w has {len(w)} entries but x has {len(x)}", part.path)
        b = Fraction(inp.v["bias"] or 0)
        s = sum((Fraction(a) * Fraction(c) for a, c in zip(w, x)), Fraction(0)) + b
        dot: Math = Num(Fraction(w[0])) * Num(Fraction(x[0]))
        for a, c in list(zip(w, x))[1:]:
            dot = dot + Num(Fraction(a)) * Num(Fraction(c))
        steps.append(Step.of(eq(S, Sym("wᵀx", latex="w^T x") + Sym("b"), dot + Num(b), Num(s))))
    else:
        s = inp.number("score", "the score wᵀx + b")
        x = None
    z = m - y * s
    loss = max(Fraction(0), z)
    steps.append(Step.of(eq(Sym("hinge"), Call("max", 0, M - Y * S), Call("max", 0, Num(m) - Num(y) * Num(s)),
                            Call("max", 0, Num(z)), Num(loss))))
    if part.ask == "loss":
        if z <= 0:
            steps.append(Step.of(eq(Y * S, Num(y * s)).rel("≥", M), ": the margin is met, no loss"))
        return Answer(loss, steps, _alts([("no-margin", max(Fraction(0), -y * s))]), type="real")
    grad_s = -y if z > 0 else Fraction(0)
    steps.append(Step.of(eq(Sym("∂hinge/∂s", latex=r"\partial\,\mathrm{hinge}/\partial s"),
                            -Y * Call("1", _pos(M - Y * S)), Num(grad_s)),
                         "" if z != 0 else " (at the kink the subgradient 0 is used, as the notes and torch's relu do)"))
    wrt = part.args["wrt"]
    if wrt == "score":
        return Answer(grad_s, steps, _alts([("sign", -grad_s)]), type="real")
    if wrt == "weights":
        if x is None:
            raise SolveError("the gradient with respect to the weights needs `weights:` and `x:`", part.path)
        g = [grad_s * Fraction(c) for c in x]
        steps.append(Step.of(eq(Sym("∂hinge/∂w", latex=r"\partial\,\mathrm{hinge}/\partial w"),
                                Sym("(∂hinge/∂s)", latex=r"(\partial\,\mathrm{hinge}/\partial s)") * Sym("x"), _vec(g))))
        return Answer(g, steps, _alts([("sign", [-v for v in g])]), type="vector")
    raise SolveError(f"the hinge loss has no gradient with respect to {wrt} (score or weights)", part.path + ("wrt",))


def _multiclass(inp: _In, part: Part) -> Answer:
    m = Fraction(inp.v["margin"] if inp.v["margin"] is not None else 1)
    steps = []
    X = None
    if inp.v["weights"] is not None:
        W = inp.v["weights"]
        if not (W and isinstance(W[0], list)):
            raise SolveError("multiclass hinge takes W, one row per class", part.path)
        X = [Fraction(v) for v in inp.get("x", "the input vector")]
        if any(len(r) != len(X) for r in W):
            raise SolveError(f"each row of W must have {len(X)} entries (the length of x)", part.path)
        bias = inp.v["bias"]
        bs = [Fraction(0)] * len(W) if bias is None else ([Fraction(bias)] * len(W) if not isinstance(bias, list) else [Fraction(v) for v in bias])
        s = [sum((Fraction(a) * c for a, c in zip(row, X)), Fraction(0)) + b for row, b in zip(W, bs)]
        steps.append(Step.of("Scores ", eq(S, Sym("W") * Sym("x") + Sym("b"), _vec(s))))
    else:
        s = [Fraction(v) for v in inp.get("scores", "one score per class")]
    C = len(s)
    yv = inp.number("label", "the true class, from 0")
    if yv.denominator != 1 or not 0 <= yv < C:
        raise SolveError(f"the label is a class index 0..{C - 1}", part.path)
    y = int(yv)
    zs = [m + s[j] - s[y] for j in range(C)]
    terms = [max(Fraction(0), zs[j]) for j in range(C)]
    loss = sum((terms[j] for j in range(C) if j != y), Fraction(0))
    others = [j for j in range(C) if j != y]
    listed: Math = Call("max", 0, Num(m) + Num(s[others[0]]) - Num(s[y]))
    values: Math = Num(terms[others[0]])
    for j in others[1:]:
        listed = listed + Call("max", 0, Num(m) + Num(s[j]) - Num(s[y]))
        values = values + Num(terms[j])
    steps.append(Step.of(f"With y = {y}, summing over j ≠ y: ", eq(Sym("L"), Sum("j", Call("max", 0, M + Sym("s_j") - Sym("s_y"))),
                                               listed, values, Num(loss))))
    if part.ask == "loss":
        alts = [("include-true-class", loss + m), ("divided-by-classes", loss / C),
                ("no-margin", sum((max(Fraction(0), s[j] - s[y]) for j in range(C) if j != y), Fraction(0)))]
        return Answer(loss, steps, _alts(alts), type="real")
    grad = [Fraction(int(zs[j] > 0)) if j != y else Fraction(0) for j in range(C)]
    grad[y] = -sum((grad[j] for j in range(C) if j != y), Fraction(0))
    steps.append(Step.of(eq(Sym("∂L/∂s_j", latex=r"\partial L/\partial s_j"), Call("1", _pos(M + Sym("s_j") - Sym("s_y")))),
                         " for j ≠ y, and ", eq(Sym("∂L/∂s_y", latex=r"\partial L/\partial s_y"),
                                                -Sum("j", Call("1", _pos(M + Sym("s_j") - Sym("s_y"))))),
                         ": ", eq(Sym("∂L/∂s", latex=r"\partial L/\partial s"), _vec(grad)), " (subgradient 0 at a kink)"))
    wrt = part.args["wrt"]
    if wrt == "scores":
        return Answer(grad, steps, _alts([("sign", [-v for v in grad])]), type="vector")
    if wrt == "weights":
        if X is None:
            raise SolveError("the gradient with respect to W needs `weights:` and `x:`", part.path)
        G = [[g * c for c in X] for g in grad]
        steps.append(Step.of("Row j of ∂L/∂W is ∂L/∂s_j·xᵀ: ",
                             eq(Sym("∂L/∂W", latex=r"\partial L/\partial W"),
                                Sym("(∂L/∂s)", latex=r"(\partial L/\partial s)") * Sym("xᵀ", latex="x^T"), _mat(G))))
        return Answer(G, steps, _alts([("sign", [[-v for v in r] for r in G])]), type="matrix")
    raise SolveError(f"the multiclass hinge loss has no gradient with respect to {wrt} (scores or weights)", part.path + ("wrt",))


# ---------------------------------------------------------------------------------------------
# cross-entropy


def _bce(inp: _In, part: Part) -> Answer:
    sp = _sp()
    y = inp.number("label", "y in [0, 1]")
    if not 0 <= y <= 1:
        raise SolveError("the label of binary cross-entropy is in [0, 1]", part.path)
    steps = []
    z = None
    P_ = Sym("p")
    if inp.v["logit"] is not None:
        z = inp.number("logit", "z")
        p = _sigmoid(z)
        steps.append(Step.of(_result(eq(P_, Call("σ", Sym("z")), Call("σ", Num(z))), p)))
    else:
        p = inp.number("prediction", "the probability p")
        if not 0 < p < 1 and not (p == y):
            raise SolveError("p must be in (0, 1) (the loss is infinite at 0 or 1 unless the label agrees)", part.path)
    P, Yr = _r(p), _r(y)

    def ce(pp: Any, yy: Any, log: Any = sp.log) -> Any:
        terms = 0
        if yy != 0:
            terms += yy * log(pp)
        if yy != 1:
            terms += (1 - yy) * log(1 - pp)
        return -terms

    loss = ce(P, Yr)
    bce = Sym("BCE")
    steps.append(Step.of(f"With y = {format_number(y)}: ",
                         _result(eq(bce, -(Y * Call("ln", P_) + (1 - Y) * Call("ln", 1 - P_))), loss)))
    if part.ask == "loss":
        alts = [("wrong-base", ce(P, Yr, lambda a: sp.log(a, 2))), ("wrong-base", ce(P, Yr, lambda a: sp.log(a, 10))),
                ("swapped-label", ce(P, 1 - Yr)), ("sign", -loss)]
        return Answer(_plain(loss), steps, _alts(alts), answer=_show(loss), type="real")
    wrt = part.args["wrt"]
    if wrt == "prediction":
        g = _plain(sp.simplify(-Yr / P + (1 - Yr) / (1 - P)))
        steps.append(Step.of(_result(eq(Sym("∂BCE/∂p", latex=r"\partial\,\mathrm{BCE}/\partial p"),
                                        -Y / P_ + (1 - Y) / (1 - P_)), g)))
        return Answer(g, steps, _alts([("sign", -g)]), answer=_show(g), type="real")
    if wrt == "logit":
        if z is None:
            raise SolveError("the gradient with respect to the logit needs `logit:`", part.path)
        g = _plain(P - Yr)
        steps.append(Step.of(_result(eq(Sym("∂BCE/∂z", latex=r"\partial\,\mathrm{BCE}/\partial z"),
                                        Call("σ", Sym("z")) - Y), g)))
        dp = _plain(-Yr / P + (1 - Yr) / (1 - P))
        return Answer(g, steps, _alts([("sign", -g), ("no-sigmoid-derivative", dp)]), answer=_show(g), type="real")
    raise SolveError(f"binary cross-entropy has no gradient with respect to {wrt} (prediction or logit)", part.path + ("wrt",))


def _sequence_ce(inp: _In, part: Part, rows: list[list[Any]]) -> Answer:
    """L = −Σ_t ln ŷ^(t)[y_t]: the negative log-likelihood of a sequence (one distribution per step)."""
    sp = _sp()
    labels = inp.get("label", "the class at each time step")
    if not isinstance(labels, list) or len(labels) != len(rows):
        raise SolveError(f"a sequence of {len(rows)} distributions needs a list of {len(rows)} labels", part.path)
    picked: list[Fraction] = []
    for t, (row, y) in enumerate(zip(rows, labels), start=1):
        q = [Fraction(v) for v in row]
        if sum(q, Fraction(0)) != 1 or any(v < 0 for v in q):
            raise SolveError(f"the probabilities of step {t} must be ≥ 0 and add up to exactly 1", part.path)
        if Fraction(y).denominator != 1 or not 0 <= y < len(q):
            raise SolveError(f"the label of step {t} is a class index 0..{len(q) - 1}", part.path)
        if q[int(y)] == 0:
            raise SolveError(f"step {t} gives its label probability 0: the loss is infinite", part.path)
        picked.append(q[int(y)])
    if part.ask != "loss":
        raise SolveError("a sequence's cross-entropy is asked as `loss`", part.path + ("ask",))
    logs = [sp.log(_r(p)) for p in picked]
    loss = -sp.Add(*logs)
    terms: Math = Call("ln", Num(picked[0]))
    for p in picked[1:]:
        terms = terms + Call("ln", Num(p))
    given = ", ".join(f"ŷ^({t})[{int(y)}] = {format_number(p)}" for t, (y, p) in enumerate(zip(labels, picked), start=1))
    definition = -Sum("t", Call("ln", Sym("ŷ^(t)_(y_t)", latex=r"\hat y^{(t)}_{y_t}")))
    steps = [Step(f"The probability each step gives its label: {given}"),
             Step.of(_result(eq(Sym("L"), definition, -Group(terms)), loss))]
    alts = [("sign", -loss), ("wrong-base", loss / sp.log(2)), ("wrong-base", loss / sp.log(10))]
    return Answer(_plain(loss), steps, _alts(alts), answer=_show(loss), type="real")


def _ce(inp: _In, part: Part) -> Answer:
    sp = _sp()
    raw = inp.get("probabilities", "a distribution q")
    if raw and isinstance(raw[0], list):
        return _sequence_ce(inp, part, raw)
    q = [Fraction(v) for v in raw]
    if sum(q, Fraction(0)) != 1 or any(v < 0 for v in q):
        raise SolveError(f"the probabilities must be ≥ 0 and add up to exactly 1 (they add up to {format_number(sum(q, Fraction(0)))})", part.path)
    if inp.v["target"] is not None:
        t = inp.v["target"]
        if not isinstance(t, list) or len(t) != len(q):
            raise SolveError(f"the target is a distribution over the {len(q)} classes", part.path)
        t = [Fraction(v) for v in t]
    else:
        yv = inp.number("label", "the true class, from 0")
        if yv.denominator != 1 or not 0 <= yv < len(q):
            raise SolveError(f"the label is a class index 0..{len(q) - 1}", part.path)
        t = [Fraction(int(i == yv)) for i in range(len(q))]
    for ti, qi in zip(t, q):
        if ti > 0 and qi == 0:
            raise SolveError("a class with target > 0 has probability 0: the loss is infinite", part.path)
    terms = [-_r(ti) * sp.log(_r(qi)) for ti, qi in zip(t, q) if ti != 0]
    loss = sp.Add(*terms)
    steps = [Step.of("With ", eq(Sym("t"), _vec(t)), " and ", eq(Sym("q"), _vec(q)), ": ",
                     _result(eq(Sym("CE"), -Sum("i", Sym("t_i") * Call("ln", Sym("q_i")))), loss))]
    if part.ask == "loss":
        alts = [("wrong-base", loss / sp.log(2)), ("wrong-base", loss / sp.log(10)), ("sign", -loss)]
        return Answer(_plain(loss), steps, _alts(alts), answer=_show(loss), type="real")
    if part.args["wrt"] != "probabilities":
        raise SolveError("cross_entropy's gradient is with respect to the probabilities (of logits: the softmax kind)",
                         part.path + ("wrt",))
    g = [-ti / qi if ti else Fraction(0) for ti, qi in zip(t, q)]
    steps.append(Step.of(eq(Sym("∂CE/∂q_i", latex=r"\partial\,\mathrm{CE}/\partial q_i"), -Sym("t_i") / Sym("q_i")),
                         ": ", _vec(g)))
    return Answer(g, steps, _alts([("sign", [-v for v in g])]), type="vector")


# ---------------------------------------------------------------------------------------------
# squared error


def _mse(inp: _In, part: Part) -> Answer:
    sp = _sp()
    factor = Fraction(inp.v["factor"] if inp.v["factor"] is not None else 1)
    reduction = inp.v["reduction"] or "mean"
    through = inp.v["logit"] is not None
    raw = inp.get("logit" if through else "prediction", "the logit z" if through else "the prediction ŷ")
    zs = [Fraction(v) for v in (raw if isinstance(raw, list) else [raw])]
    target = inp.get("target", "y") if inp.v["target"] is not None else inp.v["label"]
    if target is None:
        raise SolveError("mse needs `target:` (or `label:`)", part.path)
    ys = [Fraction(v) for v in (target if isinstance(target, list) else [target])]
    if len(ys) != len(zs):
        raise SolveError(f"{len(zs)} predictions for {len(ys)} targets", part.path)
    preds = [_r(_sigmoid(z)) if through else _r(z) for z in zs]
    n = len(ys)
    scale = _r(factor) / (n if reduction == "mean" and n > 1 else 1)
    yhat = Sym("ŷ", latex=r"\hat y")
    steps = []
    if through:
        rel = eq(yhat, Call("σ", Sym("z")), Call("σ", _vec(zs)))
        if all(isinstance(_plain(p), Fraction) for p in preds):
            steps.append(Step.of(rel.eq(_vec(preds))))
        else:
            steps.append(Step.of(rel.approx(Written("[" + ", ".join(approx(p) for p in preds) + "]" if n > 1 else approx(preds[0]),
                                                    _vec([_plain(p) for p in preds])))))
    form: Math = Sum("i", Sym("(ŷ_i − y_i)²", latex=r"(\hat y_i - y_i)^2"))
    if reduction == "mean" and n > 1:
        form = Num(Fraction(1, n)) * form
    if factor != 1:
        form = Num(factor) * form
    loss = scale * sp.Add(*[(p - _r(y)) ** 2 for p, y in zip(preds, ys)])
    steps.append(Step.of(_result(eq(Sym("L"), form), _plain(loss))))
    if part.ask == "loss":
        return Answer(_plain(loss), steps, _alts([("factor-2", 2 * loss), ("factor-2", loss / 2)]),
                      answer=_show(_plain(loss)), type="real")
    wrt = part.args["wrt"]
    dpred = [_plain(2 * scale * (p - _r(y))) for p, y in zip(preds, ys)]
    two_scale = Num(2) * _n(_plain(scale))
    if wrt == "prediction":
        if through:
            raise SolveError("with `logit:` the prediction is σ(z): ask wrt logit (or give `prediction:`)", part.path + ("wrt",))
        steps.append(Step.of(eq(Sym("∂L/∂ŷ_i", latex=r"\partial L/\partial \hat y_i"),
                                two_scale * Sym("(ŷ_i − y_i)", latex=r"(\hat y_i - y_i)"), _vec(dpred))))
        value: Any = dpred
    elif wrt == "logit":
        if not through:
            raise SolveError("the gradient with respect to the logit needs `logit:` (ŷ = σ(z))", part.path + ("wrt",))
        value = [_plain(d * p * (1 - p)) for d, p in zip(dpred, preds)]
        sig = Call("σ", Sym("z_i"))
        steps.append(Step.of(eq(Sym("∂L/∂z_i", latex=r"\partial L/\partial z_i"),
                                Sym("∂L/∂ŷ_i", latex=r"\partial L/\partial \hat y_i") * Sym("σ′(z_i)", latex=r"\sigma'(z_i)"),
                                two_scale * Sym("(ŷ_i − y_i)", latex=r"(\hat y_i - y_i)") * sig * (1 - sig)),
                             " (the ½ cancels the 2: −(y − σ(z))σ(z)(1 − σ(z)))" if scale == Fraction(1, 2) else ""))
        shown = eq(Sym("∂L/∂z", latex=r"\partial L/\partial z"), _vec(value))
        if not all(isinstance(v, Fraction) for v in value):
            shown = shown.approx(Num(", ".join(approx(v) for v in value)) if n == 1 else
                                 Written("[" + ", ".join(approx(v) for v in value) + "]", _vec(value)))
        steps.append(Step.of(shown))
        if all(abs(float(z)) >= 10 for z in zs):
            steps.append(Step("σ′(z) = σ(1 − σ) is tiny this far from 0: the sigmoid saturates, so the squared error's "
                              "gradient vanishes even when the prediction is badly wrong (cross-entropy's σ(z) − y does not)"))
    else:
        raise SolveError(f"mse has no gradient with respect to {wrt} (prediction or logit)", part.path + ("wrt",))
    alts = [("factor-2", [2 * v for v in value]), ("factor-2", [v / 2 for v in value]), ("sign", [-v for v in value])]
    if wrt == "logit":
        alts.append(("no-sigmoid-derivative", dpred))
    if len(value) == 1:
        return Answer(value[0], steps, _alts([(m, v[0]) for m, v in alts]), answer=_show(value[0]), type="real")
    return Answer(value, steps, _alts(alts), type="vector")


LOSS_SOLVERS = {"hinge": _hinge, "multiclass_hinge": _multiclass, "binary_cross_entropy": _bce,
                "cross_entropy": _ce, "mse": _mse}


def _solve(problem: Problem, part: Part) -> Answer:
    inp = _In(problem, part)
    return LOSS_SOLVERS[inp.loss](inp, part)


register(Kind(
    name="loss",
    summary="hinge (binary, multiclass), binary and categorical cross-entropy and squared-error losses of given scores or "
            "predictions, with their (sub)gradients, through a sigmoid too",
    given=GIVEN,
    quantities=QUANTITIES,
    mistakes=MISTAKES,
    example=EXAMPLE,
    solvers={"loss": _solve, "gradient": _solve},
))
