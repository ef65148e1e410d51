"""Worked solutions of the `shattering` and `vc-dimension` parts (shared by both kinds)."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from fractions import Fraction
from typing import Any

from ...errors import SolveError
from ...formula import Math, Num, Pow, Rel, Sym, eq
from ...problem import Part, Problem
from ...solution import Alternative, Judgement, Step, Table
from ..base import Answer
from .classes import InternalError, Setup, decide
from .decisions import Decision, Realised, Undecided, Unrealisable
from .hypotheses import Labeling, Point, labeling_text, vec
from .shatter import FULL_TABLE, Shattering, shatter
from .spec import TITLES
from .vc import params, shattered_example, upper_argument, vc_value

TABLE_ROWS = 64

# the symbols of the class conventions (names that are not LaTeX as they stand carry their LaTeX)
X, T, A, B, W = Sym("x"), Sym("t"), Sym("a"), Sym("b"), Sym("w")
PLUS = Num("+1")
VC = Sym("VC(H)", latex=r"\mathrm{VC}(\mathcal{H})")


def _reals(d: Any = None) -> Math:
    r = Sym("ℝ", latex=r"\mathbb{R}")
    return r if d is None else Pow(r, Sym(str(d)))


def _h_is_plus(name: str = "h(x)") -> Math:
    return eq(Sym(name, latex=name), PLUS)


def _dot(homogeneous: bool) -> Math:
    wx = Sym("w·x", latex=r"w \cdot x")
    return Rel((wx if homogeneous else wx + B, Num(0)), ("≥",))


def convention(cls: str, orientation: str, dim: Any, k: Any) -> tuple[Any, ...]:
    """What a hypothesis of the class is, as prose and formulas: h(x) = +1 iff w·x + b ≥ 0, ..."""
    h = _h_is_plus()
    if cls == "thresholds":
        right, left = Rel((X, T), ("≥",)), Rel((X, T), ("≤",))
        if orientation == "both":
            return (h, " iff ", right, ", or ", h, " iff ", left, " (either orientation)")
        return (_h_is_plus("h_t(x)"), " iff ", right if orientation == "right" else left)
    if cls == "intervals":
        return (h, " iff ", Rel((A, X, B), ("≤", "≤")))
    if cls == "unions-of-intervals":
        return (h, f" iff x lies in one of at most {k} closed intervals")
    if cls == "halfspaces":
        return (h, " iff ", _dot(False), ", for any ", Rel((W, _reals(dim)), ("∈",)), " and ",
                Rel((B, _reals()), ("∈",)))
    if cls == "homogeneous-halfspaces":
        return (h, " iff ", _dot(True), ", for any ", Rel((W, _reals(dim)), ("∈",)),
                " (a point on the boundary, such as the origin, is +1)")
    if cls == "axis-aligned-rectangles":
        return (h, " iff ", Rel((Sym("lo_i"), Sym("x_i"), Sym("hi_i")), ("≤", "≤")),
                " in every coordinate i (a closed box)")
    if cls == "balls":
        dist = Sym("‖x − c‖²", latex=r"\lVert x - c \rVert^2")
        return (h, " iff ", Rel((dist, Sym("r²", latex="r^2")), ("≤",)), " (a closed ball)")
    return (h, " iff x is in a closed rectangle of any size, position and orientation")


class Context:
    def __init__(self, problem: Problem):
        g = problem.given
        self.problem = problem
        self.cls: str = g["hypothesis_class"]
        self.k = g.get("k") or 1
        self.orientation = g.get("orientation") or "right"
        pts = g.get("points")
        self.points: tuple[tuple[Fraction, ...], ...] | None = tuple(pts) if pts is not None else None
        dim = g.get("dimension")
        if dim is None and self.points:
            dim = len(self.points[0])
        if dim is None and self.cls in ("thresholds", "intervals", "unions-of-intervals"):
            dim = 1
        if dim is None and self.cls == "rectangles":
            dim = 2
        self.dim = dim
        self._shattering: Shattering | None = None

    def setup(self, part: Part) -> Setup:
        if self.points is None:
            raise SolveError(f"`{part.ask}` needs the points: add `points:` to given", part.path + ("ask",))
        if not isinstance(self.dim, int) or not isinstance(self.k, int):
            raise SolveError("with points, the dimension and k are numbers", ("given",))
        return Setup(self.cls, self.dim, self.points, self.k, self.orientation)

    def shattering(self, part: Part) -> Shattering:
        if self._shattering is None:
            try:
                self._shattering = shatter(self.setup(part))
            except InternalError as exc:  # pragma: no cover - a bug, reported rather than answered
                raise SolveError(f"internal check failed ({exc}); please report this spec") from None
        return self._shattering

    def title(self, dim: Any = None) -> tuple[Any, ...]:
        """The class in words, with its space as a formula: "halfspaces ... in ℝ^2"."""
        d = self.dim if dim is None else dim
        t = TITLES[self.cls]
        if self.cls == "unions-of-intervals":
            t = t.replace("at most k", f"at most {self.k}")
        if self.cls == "thresholds" and self.orientation == "both":
            t += " (both orientations)"
        return (t,) if self.cls in ("thresholds", "intervals", "unions-of-intervals") else (t + " in ", _reals(d))


def class_step(ctx: Context) -> Step:
    return Step.of("H = ", *ctx.title(), ": ", *convention(ctx.cls, ctx.orientation, ctx.dim, ctx.k),
                   "; every other point is −1.")


def points_step(ctx: Context) -> Step | None:
    if not ctx.points:
        return None
    rows = [[f"p{i + 1}", vec(p)] for i, p in enumerate(ctx.points)]
    return Step(f"The {len(ctx.points)} points:", table=Table(["point", "coordinates"], rows))


# ---------------------------------------------------------------------------------------------
# shattering


def _row(points: list[Point], lab: Labeling, decision: Decision) -> list[str]:
    if isinstance(decision, Realised):
        return [labeling_text(lab), decision.hypothesis.text()]
    if isinstance(decision, Unrealisable):
        return [labeling_text(lab), "not realisable"]
    return [labeling_text(lab), "undecided"]


def table_steps(sh: Shattering) -> list[Step]:
    points = list(sh.setup.points)
    rows = [_row(points, lab, dec) for lab, dec in sh.rows[:TABLE_ROWS]]
    if not rows:
        return []
    title = ("Every labeling and a hypothesis that realises it (each checked point by point in exact arithmetic)"
             if sh.shattered else "Every labeling, realised or not")
    note = ""
    if len(sh.rows) > TABLE_ROWS:
        note = f" (the first {TABLE_ROWS} of {len(sh.rows):,} shown; all were checked)"
    return [Step(title + note + ":", table=Table(["labeling", "realised by"], rows))]


def shattering_steps(ctx: Context, sh: Shattering, part: Part) -> list[Step]:
    n = len(sh.setup.points)
    steps = [Step.of("A set is shattered when every one of its ", labelings(n),
                     " labelings is produced by some hypothesis of H.")]
    if sh.shattered is None:
        steps.append(Step(f"Undecided: {sh.how}."))
        return steps
    if sh.repeated is not None:
        i, j = sh.repeated
        steps.append(Step(f"p{i + 1} and p{j + 1} are the same point {vec(sh.setup.points[i])}. A hypothesis gives a point "
                          "one label, so no labeling that tells them apart is realised: a list with a repeated point is "
                          "not shattered."))
    if sh.shattered:
        steps.append(Step(f"Every labeling is realised ({sh.how})." if sh.how else "Every labeling is realised."))
        steps += table_steps(sh)
        return steps
    assert sh.labeling is not None and isinstance(sh.decision, Unrealisable)
    steps.append(Step(f"The labeling {labeling_text(sh.labeling)} (p1 to p{n}) is realised by no hypothesis: "
                      f"{sh.decision.certificate.text(list(sh.setup.points))}.",
                      ))
    if sh.how and sh.repeated is None:
        steps.append(Step(f"(Found from the structure of the set: {sh.how}.)"))
    if sh.rows and sh.total <= FULL_TABLE:
        steps += table_steps(sh)
    return steps


def _vc_number(ctx: Context) -> int | None:
    if isinstance(ctx.dim, int) and isinstance(ctx.k, int):
        return int(vc_value(ctx.cls, ctx.dim, ctx.k, ctx.orientation))
    return None


def labelings(n: int) -> Math:
    """2^n = the number of labelings of n points."""
    return eq(Pow(Num(2), Num(n)), Num(f"{2 ** n:,}"))


def _vc_against(vc: int, op: str, n: int) -> Math:
    return Rel((VC, Num(vc), Num(n)), ("=", op))


def solve_shattered(ctx: Context, part: Part) -> Answer:
    sh = ctx.shattering(part)
    steps = shattering_steps(ctx, sh, part)
    n = len(sh.setup.points)
    vc = _vc_number(ctx)
    mistakes: dict[str, Any] = {}
    if sh.shattered is None:
        return Answer(None, steps, answer="undecided", verify=functools.partial(always_undecided, sh.how))
    if sh.shattered:
        steps.append(Step.of("So the set is shattered (consistent with ", _vc_against(vc, "≥", n), ").")
                     if vc is not None else Step("So the set is shattered."))
    else:
        if vc is not None and n <= vc:
            steps.append(Step.of(f"So these {n} points are not shattered — although ", _vc_against(vc, "≥", n),
                                 f": some other set of {n} points is shattered, not every one."))
            mistakes["some-vs-these"] = True
        elif vc is not None:
            steps.append(Step.of("So the set is not shattered (as it must be: ", _vc_against(vc, "<", n), " points)."))
        else:
            steps.append(Step("So the set is not shattered."))
    return Answer(bool(sh.shattered), steps, mistakes)


def solve_unrealizable(ctx: Context, part: Part) -> Answer:
    sh = ctx.shattering(part)
    steps = shattering_steps(ctx, sh, part)
    setup = sh.setup
    if sh.shattered is None:
        steps.append(Step("Any labeling you give is checked on its own; this solver could not settle the whole set."))
        return Answer(None, steps, answer="undecided", verify=functools.partial(verify_labeling, setup, None, None))
    if sh.shattered:
        steps.append(Step("Every labeling is realised, so there is no unrealisable labeling: the answer is none."))
        return Answer(None, steps, verify=functools.partial(verify_labeling, setup, True, None))
    steps.append(Step(f"Answer: {labeling_text(sh.labeling or ())}. Any labeling that no hypothesis realises is "
                      "right: yours is checked the same way."))
    return Answer(sh.labeling, steps, verify=functools.partial(verify_labeling, setup, False, sh.labeling))


def solve_realizable(ctx: Context, part: Part) -> Answer:
    setup = ctx.setup(part)
    lab = tuple(part.args["labeling"])
    if len(lab) != len(setup.points):
        raise SolveError(f"the labeling has {len(lab)} labels for {len(setup.points)} points", part.path + ("labeling",))
    decision = _decide(setup, lab)
    head = Step(f"Is the labeling {labeling_text(lab)} (p1 to p{len(lab)}) produced by a hypothesis of H?")
    if isinstance(decision, Realised):
        steps = [head, Step(f"Yes: {decision.hypothesis.text()} (checked at every point: "
                            + ", ".join(f"p{i + 1} → {'+' if y > 0 else '−'}" for i, y in enumerate(lab)) + ").")]
        return Answer(True, steps)
    if isinstance(decision, Unrealisable):
        steps = [head, Step(f"No: {decision.certificate.text(list(setup.points))}.")]
        return Answer(False, steps)
    return Answer(None, [head, Step(f"Undecided: {decision.reason}.")], answer="undecided",
                  verify=functools.partial(always_undecided, decision.reason))


def _decide(setup: Setup, lab: Labeling) -> Decision:
    try:
        return decide(setup, lab)
    except InternalError as exc:  # pragma: no cover - a bug, reported rather than answered
        raise SolveError(f"internal check failed ({exc}); please report this spec") from None


# ---------------------------------------------------------------------------------------------
# a student's labeling: right if no hypothesis realises it (whichever labeling the solver shows)


def verify_labeling(setup: Setup, shattered: bool | None, shown: Labeling | None, value: Any) -> Judgement | None:
    n = len(setup.points)
    if value is None:
        if shattered is True:
            return Judgement("correct", "Correct: the set is shattered, so no labeling is unrealisable.")
        if shattered is False and shown is not None:
            cert = decide(setup, shown)
            why = cert.certificate.text(list(setup.points)) if isinstance(cert, Unrealisable) else ""
            return Judgement("incorrect", f"Not correct: the set is not shattered. For example {labeling_text(shown)} is "
                                          f"realised by no hypothesis: {why}.")
        return Judgement("undecided", "This solver could not decide whether the set is shattered; a TA will look at it.")
    value = tuple(value)
    if len(value) != n:
        return Judgement("invalid", f"This labeling has {len(value)} labels, but there are {n} points (one label per "
                                    "point, in the order of the points).")
    decision = decide(setup, value)
    if isinstance(decision, Unrealisable):
        same = "" if shown is None or tuple(shown) == value else " (a different one from the labeling shown, and just as right)"
        return Judgement("correct", f"Correct{same}: no hypothesis realises {labeling_text(value)}: "
                                    f"{decision.certificate.text(list(setup.points))}.")
    if isinstance(decision, Realised):
        return Judgement("incorrect", f"Not correct: {labeling_text(value)} is realised by {decision.hypothesis.text()}."
                         + ("" if shown is None else f" An unrealisable labeling is {labeling_text(shown)}."),
                         mistake="realisable")
    assert isinstance(decision, Undecided)
    return Judgement("undecided", f"Undecided: {decision.reason}.")


def always_undecided(reason: str, value: Any) -> Judgement:
    return Judgement("undecided", f"The solver could not decide this part ({reason}); a TA will look at it.")


# ---------------------------------------------------------------------------------------------
# VC dimension


def _symbols(ctx: Context, dim: Any) -> dict[str, Any]:
    out = {}
    for v in (dim, ctx.k):
        if isinstance(v, str):
            out[v] = {"positive": True, "integer": True}
    return out


def solve_vc(ctx: Context, part: Part) -> Answer:
    dim = part.args.get("dimension") or ctx.dim
    if dim is None:
        raise SolveError(f"the VC dimension of {ctx.cls} depends on the dimension: set `dimension:` (a number, or d)",
                         ("given",))
    decls = _symbols(ctx, dim)
    if decls:
        import sympy as sp

        from ...answers.symbols import make_symbols

        syms = make_symbols(decls)
        d = syms.get(dim, dim) if isinstance(dim, str) else dim
        k = syms.get(ctx.k, ctx.k) if isinstance(ctx.k, str) else ctx.k
        def as_sympy(v: Any) -> Any:
            return v if isinstance(v, sp.Basic) else sp.Integer(v)

        value = as_sympy(vc_value(ctx.cls, d, k, ctx.orientation))
        alts = [Alternative(m, as_sympy(v)) for m, v in vc_alternatives(ctx, d, k, value)]
        steps = vc_steps(ctx, dim, value, numeric=None)
        return Answer(value, steps, alts, answer=str(value), type="expression", options={"symbols": decls})
    value = int(vc_value(ctx.cls, dim, ctx.k, ctx.orientation))
    steps = vc_steps(ctx, dim, value, numeric=value)
    alts = [Alternative(m, Fraction(v)) for m, v in vc_alternatives(ctx, dim, ctx.k, value) if v >= 0]
    return Answer(Fraction(value), steps, alts, answer=str(value), type="integer")


def vc_alternatives(ctx: Context, d: Any, k: Any, value: Any) -> list[tuple[str, Any]]:
    out: list[tuple[str, Any]] = []
    if ctx.cls == "halfspaces":
        out.append(("wrong-class", d))
    if ctx.cls == "homogeneous-halfspaces":
        out.append(("wrong-class", d + 1))
    if ctx.cls == "rectangles":
        out.append(("wrong-class", 4))
    if ctx.cls == "axis-aligned-rectangles" and d == 2:
        out.append(("wrong-class", 7))
    if ctx.cls == "unions-of-intervals":
        out.append(("wrong-class", k))
    out += [("off-by-one", value - 1), ("off-by-one", value + 1)]
    out.append(("parameter-count", params(ctx.cls, d, k)))
    return out  # the framework drops the answer itself; of equal values the checker names the first


def vc_steps(ctx: Context, dim: Any, value: Any, numeric: int | None) -> list[Step]:
    shown = str(value)
    steps = [Step("VC(H) is the size of the largest set that H shatters. Showing VC(H) = V takes two halves: some set "
                  "of V points is shattered, and no set of V + 1 points is.")]
    example_dim = dim if isinstance(dim, int) else 2
    k = ctx.k if isinstance(ctx.k, int) else 2
    pts, desc = shattered_example(ctx.cls, example_dim, k, ctx.orientation)
    setup = Setup(ctx.cls, example_dim, pts, k, ctx.orientation)
    sh = shatter(setup)
    if not sh.shattered:  # pragma: no cover - the examples are shattered (the tests check every class)
        raise SolveError("internal check failed: the example set is not shattered; please report this spec")
    where = "" if numeric is not None else (f" (shown for {'d' if isinstance(dim, str) else ''} = {example_dim}"
                                            f"{', k = 2' if isinstance(ctx.k, str) else ''})")
    listing = ", ".join(vec(p) for p in pts)
    steps.append(Step(f"A shattered set of size {shown}: {desc}{where}: {listing}. All {2 ** len(pts):,} labelings are "
                      "realised:"))
    steps += table_steps(sh)
    steps.append(Step("No larger set is shattered: " + upper_argument(ctx.cls, ctx.orientation)))
    extra = _one_more_point(ctx.cls, example_dim, k, pts)
    if extra is not None and (numeric is None or len(pts) <= 8):
        bigger = Setup(ctx.cls, example_dim, pts + (extra,), k, ctx.orientation)
        sh2 = shatter(bigger)
        if sh2.shattered is False and isinstance(sh2.decision, Unrealisable) and sh2.labeling is not None:
            steps.append(Step(f"For example, adding {vec(extra)} to the set above: the labeling "
                              f"{labeling_text(sh2.labeling)} is not realised — "
                              f"{sh2.decision.certificate.text(list(bigger.points))}."))
    steps.append(Step.of("So ", eq(VC, value), "."))
    return steps


def _one_more_point(cls: str, dim: int, k: int, pts: Sequence[Point]) -> Point | None:
    F = Fraction
    if cls in ("thresholds", "intervals", "unions-of-intervals"):
        return (max(p[0] for p in pts) + 1,)
    if cls in ("halfspaces", "homogeneous-halfspaces", "balls"):
        return tuple(F(1) for _ in range(dim)) if dim > 1 else (F(2),) if cls != "homogeneous-halfspaces" else (F(-1),)
    if cls == "axis-aligned-rectangles":
        return tuple(F(0) for _ in range(dim))
    if cls == "rectangles":
        return (F(0), F(0))
    return None


def solve_exists(ctx: Context, part: Part) -> Answer:
    dim = part.args.get("dimension") or ctx.dim
    n = int(part.args["n"])
    if not isinstance(dim, int) or not isinstance(ctx.k, int):
        raise SolveError("`exists_shattered_set` needs a numeric dimension (and k): set `dimension:` on the part",
                         part.path)
    vc = int(vc_value(ctx.cls, dim, ctx.k, ctx.orientation))
    steps = [Step.of("H = ", *ctx.title(dim), "; ", eq(VC, vc), ". Shattering is inherited by subsets (a labeling of a subset "
                     "extends to the whole set), so some set of n points is shattered exactly when ",
                     Rel((Sym("n"), VC), ("≤",)), ".")]
    if n <= vc:
        pts, desc = shattered_example(ctx.cls, dim, ctx.k, ctx.orientation)
        sub = pts[:n]
        sh = shatter(Setup(ctx.cls, dim, sub, ctx.k, ctx.orientation))
        if not sh.shattered:  # pragma: no cover
            raise SolveError("internal check failed: the example set is not shattered; please report this spec")
        listing = ", ".join(vec(p) for p in sub) if sub else "the empty set"
        steps.append(Step.of(Rel((Num(n), Num(vc)), ("≤",)), f": yes. For example {listing} "
                             f"({'part of ' if n < vc else ''}{desc}); its {2 ** n:,} labelings are all realised:"))
        steps += table_steps(sh)
        return Answer(True, steps)
    steps.append(Step.of(Rel((Num(n), Num(vc)), (">",)), ": no. " + upper_argument(ctx.cls, ctx.orientation)
                         + (f" A set of {n} points contains {vc + 1} of them, which are not shattered." if n > vc + 1
                            else "")))
    return Answer(False, steps)


# ---------------------------------------------------------------------------------------------
# what both kinds declare


def intro(ctx: Context) -> list[Step]:
    """The class, then the points (when there are any)."""
    ps = points_step(ctx)
    return [class_step(ctx)] + ([ps] if ps is not None else [])


SOLVERS = {"shattered": solve_shattered, "unrealizable_labeling": solve_unrealizable,
           "realizable": solve_realizable, "vc_dimension": solve_vc, "exists_shattered_set": solve_exists}
