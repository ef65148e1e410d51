"""`dropout`: what dropout does to a layer's outputs, in training and at test time, exact.

Each unit is kept with probability p (`keep:`; the notes' p, typically 0.8 to 0.9 — torch's `p` is
the drop probability 1 − p). A mask m ∈ {0, 1}ᴺ says which units were kept.
- `inverted: true` (torch's `nn.Dropout`, the default): training output h ⊙ m / p, test output h.
- `inverted: false` (the notes' first form): training output h ⊙ m, test output p·h, so that the
  expected training output p·h is what the next layer sees at test time.
`configurations` is the number of thinned networks a layer of N units can make: 2ᴺ.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from ..answers.types import format_number
from ..errors import SolveError
from ..formula import Math, Num, Pow, Sym, Written, eq, node
from ..problem import Part, Problem
from ..solution import Step
from ..spec.schema import Bool, Checker, Field, Int, ListOf, Map, Number, Quantity
from . import Answer, Kind, Mistake, register


def _check_given(g: dict[str, Any], path: tuple, c: Checker) -> None:
    h, mask = g.get("h"), g.get("mask")
    if mask is not None:
        if h is None:
            c.error(path + ("mask",), "a mask needs the outputs `h:` it applies to")
        elif len(mask) != len(h):
            c.error(path + ("mask",), f"{len(mask)} mask entries for {len(h)} outputs")
        if any(v not in (0, 1) for v in mask):
            c.error(path + ("mask",), "a mask holds 0 (dropped) and 1 (kept)")


GIVEN = Map({
    "keep": Field(Number(min=0, max=1, min_exclusive=True, description="a probability in (0, 1]"), required=True,
                  doc="p, the probability that a unit is kept (torch's p is 1 − this)"),
    "units": Field(Int(min=1, max=10_000), doc="N, the number of units that may be dropped"),
    "h": Field(ListOf(Number(), min_len=1, max_len=64), doc="the layer's outputs before dropout"),
    "mask": Field(ListOf(Number(), min_len=1, max_len=64), doc="which units were kept in this training pass (1 kept, 0 dropped)"),
    "inverted": Field(Bool(), default=True, doc="inverted dropout (scale by 1/p while training; torch) or not (scale by p at test time)"),
}, check_all=_check_given, description="a keep probability, outputs and a mask")

INVERTED = {"inverted": Field(Bool(), doc="this part's convention, if not given's")}
QUANTITIES = [
    Quantity("configurations", "integer", "how many thinned networks N droppable units make: 2ᴺ", {},
             units=("networks", "configurations", "subnetworks")),
    Quantity("train_output", "vector", "the outputs in this training pass (with the mask)", dict(INVERTED)),
    Quantity("test_output", "vector", "the outputs at test time (no units dropped)", dict(INVERTED)),
    Quantity("expected_output", "vector", "the expected training output, over random masks", dict(INVERTED)),
    Quantity("scale", "real", "the factor dropout applies: 1/p to kept units while training (inverted), or p at test time",
             dict(INVERTED)),
]

MISTAKES = [
    Mistake("no-rescale", "left out the rescaling (by 1/p while training, or by p at test time)",
            "{given} is not rescaled: without it the next layer sees outputs of a different size in training and at test "
            "time. The expected answer is {expected}."),
    Mistake("drop-probability", "used the drop probability 1 − p where the keep probability p belongs",
            "{given} uses the drop probability 1 − p; the rescaling uses the keep probability p. The expected answer is {expected}."),
    Mistake("reciprocal", "multiplied by p where dividing was right, or the other way round",
            "{given} applies the reciprocal factor: inverted dropout divides the kept outputs by p while training; "
            "standard dropout multiplies by p at test time. The expected answer is {expected}."),
    Mistake("linear-count", "counted N (or 2N) configurations instead of 2ᴺ",
            "{given} does not count the subsets: each unit is kept or dropped independently, so N units make 2ᴺ "
            "thinned networks. The expected answer is {expected}."),
]

EXAMPLE = """\
keep: 0.8            # p, the probability of keeping a unit
units: 10
h: [2, 4]
mask: [1, 0]
inverted: true       # torch's nn.Dropout
# parts: {ask: configurations} | {ask: train_output} | {ask: test_output} | {ask: expected_output} | {ask: scale}
"""


class _Ctx:
    """The givens; `convention(part)` sets `inverted` for the part at hand."""

    def __init__(self, problem: Problem):
        g = problem.given
        self.p = Fraction(g["keep"])
        self.units: int | None = g["units"]
        self.h = [Fraction(v) for v in g["h"]] if g["h"] is not None else None
        self.mask = [int(v) for v in g["mask"]] if g["mask"] is not None else None
        self.given_inverted: bool = g["inverted"]
        self.inverted = self.given_inverted

    def outputs(self, part: Part) -> list[Fraction]:
        self.convention(part)
        if self.h is None:
            raise SolveError(f"{part.ask} needs the outputs `h:` in given", part.path)
        return self.h

    def convention(self, part: Part) -> None:
        own = part.args.get("inverted")
        self.inverted = self.given_inverted if own is None else bool(own)


P = Sym("p")


def _vec(values: list[Fraction]) -> Math:
    import sympy as sp

    return Written("[" + ", ".join(format_number(v) for v in values) + "]",
                   node(sp.Matrix([[sp.Rational(v.numerator, v.denominator) for v in values]])))


def _configurations(ctx: _Ctx, part: Part) -> Answer:
    if ctx.units is None:
        raise SolveError("configurations needs `units:` (N) in given", part.path)
    n = ctx.units
    value = 2**n
    step = Step.of(f"Each of the N = {n} units is kept or dropped independently: ",
                   eq(Pow(Num(2), Sym("N")), Pow(Num(2), Num(n)), Num(value)), " thinned networks")
    return Answer(value, [step], {"linear-count": [n, 2 * n]})


def _train_output(ctx: _Ctx, part: Part) -> Answer:
    h = ctx.outputs(part)
    if ctx.mask is None:
        raise SolveError("train_output needs the `mask:` of this pass in given", part.path)
    kept = [v * m for v, m in zip(h, ctx.mask)]
    if not ctx.inverted:
        step = Step.of("Standard dropout keeps the kept outputs as they are: ", eq(Sym("h ⊙ m", latex=r"h \odot m"), _vec(kept)))
        return Answer(kept, [step], {"reciprocal": [[v / ctx.p for v in kept]]})
    value = [v / ctx.p for v in kept]
    step = Step.of("Inverted dropout divides the kept outputs by p: ",
                   eq(Sym("h ⊙ m / p", latex=r"h \odot m / p"), _vec(kept) / Num(ctx.p), _vec(value)))
    wrong: dict[str, Any] = {"no-rescale": [kept], "reciprocal": [[v * ctx.p for v in kept]]}
    if ctx.p != 1:
        wrong["drop-probability"] = [[v / (1 - ctx.p) for v in kept]]
    return Answer(value, [step], wrong)


def _test_output(ctx: _Ctx, part: Part) -> Answer:
    h = ctx.outputs(part)
    if ctx.inverted:
        step = Step.of("Inverted dropout already rescaled while training: at test time ", eq(Sym("y"), Sym("h"), _vec(h)))
        return Answer(list(h), [step], {"reciprocal": [[v * ctx.p for v in h]]})
    value = [ctx.p * v for v in h]
    step = Step.of("Every unit is present at test time, so scale by the keep probability: ",
                   eq(Sym("y"), P * Sym("h"), Num(ctx.p) * _vec(h), _vec(value)))
    wrong: dict[str, Any] = {"no-rescale": [list(h)], "reciprocal": [[v / ctx.p for v in h]]}
    if ctx.p != 1:
        wrong["drop-probability"] = [[(1 - ctx.p) * v for v in h]]
    return Answer(value, [step], wrong)


def _expected_output(ctx: _Ctx, part: Part) -> Answer:
    h = ctx.outputs(part)
    if ctx.inverted:
        step = Step.of("A unit is kept with probability p and then divided by p: ",
                       eq(Sym("E[h ⊙ m / p]", latex=r"E[h \odot m / p]"), P * Sym("h") / P, Sym("h"), _vec(h)))
        return Answer(list(h), [step], {"reciprocal": [[v * ctx.p for v in h]]})
    value = [ctx.p * v for v in h]
    step = Step.of("A unit is kept with probability p: ", eq(Sym("E[h ⊙ m]", latex=r"E[h \odot m]"), P * Sym("h"), _vec(value)))
    return Answer(value, [step], {"no-rescale": [list(h)]})


def _scale(ctx: _Ctx, part: Part) -> Answer:
    ctx.convention(part)
    if ctx.inverted:
        value = 1 / ctx.p
        step = Step.of("Inverted dropout multiplies the kept units by ", eq(Num(1) / P, Num(1) / Num(ctx.p), Num(value)),
                       " while training (nothing at test time)")
        wrong = {"reciprocal": ctx.p, "drop-probability": 1 / (1 - ctx.p) if ctx.p != 1 else None}
    else:
        value = ctx.p
        step = Step.of("Standard dropout multiplies every output by ", eq(P, Num(value)), " at test time")
        wrong = {"reciprocal": 1 / ctx.p, "drop-probability": 1 - ctx.p}
    return Answer(value, [step], wrong)


register(Kind(
    name="dropout",
    summary="dropout's training and test outputs (inverted as torch, or scaled at test time as the notes), "
            "its expected output and the 2ᴺ thinned networks, exact",
    given=GIVEN,
    quantities=QUANTITIES,
    mistakes=MISTAKES,
    example=EXAMPLE,
    setup=_Ctx,
    solvers={"configurations": _configurations, "train_output": _train_output, "test_output": _test_output,
             "expected_output": _expected_output, "scale": _scale},
))
