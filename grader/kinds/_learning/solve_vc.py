"""Worked solutions of the `shattering` and `vc-dimension` parts (shared by both kinds)."""

from __future__ import annotations

import functools
from fractions import Fraction
from typing import Any

from ...errors import SolveError
from ...problem import Part, Problem
from ...solution import Alternative, Judgement, PartSolution, Solution, Step, Table
from .classes import InternalError, Realised, Setup, Undecided, Unrealisable, decide
from .hypotheses import Labeling, labeling_text, vec
from .shatter import FULL_TABLE, Shattering, shatter
from .spec import TITLES
from .vc import params, shattered_example, upper_argument, vc_value

TABLE_ROWS = 64

CONVENTIONS: dict[str, Any] = {
    "thresholds": {"right": "h_t(x) = +1 iff x ≥ t", "left": "h_t(x) = +1 iff x ≤ t",
                   "both": "h(x) = +1 iff x ≥ t, or h(x) = +1 iff x ≤ t (either orientation)"},
    "intervals": "h(x) = +1 iff a ≤ x ≤ b",
    "unions-of-intervals": "h(x) = +1 iff x lies in one of at most k closed intervals",
    "halfspaces": "h(x) = +1 iff w·x + b ≥ 0, for any w ∈ ℝ^d and b ∈ ℝ",
    "homogeneous-halfspaces": "h(x) = +1 iff w·x ≥ 0, for any w ∈ ℝ^d (a point on the boundary, such as the origin, "
                              "is +1)",
    "axis-aligned-rectangles": "h(x) = +1 iff lo_i ≤ x_i ≤ hi_i in every coordinate i (a closed box)",
    "balls": "h(x) = +1 iff ‖x − c‖² ≤ r² (a closed ball)",
    "rectangles": "h(x) = +1 iff x is in a closed rectangle of any size, position and orientation",
}


def convention(setup_cls: str, orientation: str) -> str:
    c = CONVENTIONS[setup_cls]
    return str(c[orientation] if isinstance(c, dict) else c)


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

    def title(self, dim: Any = None) -> str:
        d = self.dim if dim is None else dim
        where = "" if self.cls in ("thresholds", "intervals", "unions-of-intervals") else f" in ℝ^{d}"
        t = TITLES[self.cls] + where
        if self.cls == "unions-of-intervals":
            t = t.replace("at most k", f"at most {self.k}")
        if self.cls == "thresholds" and self.orientation == "both":
            t += " (both orientations)"
        return t


def class_step(ctx: Context) -> Step:
    conv = convention(ctx.cls, ctx.orientation).replace("ℝ^d", f"ℝ^{ctx.dim}")
    if ctx.cls == "unions-of-intervals":
        conv = conv.replace("at most k", f"at most {ctx.k}")
    return Step(f"H = {ctx.title()}: {conv}; every other point is −1.")


def points_step(ctx: Context) -> Step | None:
    if not ctx.points:
        return None
    rows = [[f"p{i + 1}", vec(p)] for i, p in enumerate(ctx.points)]
    return Step(f"The {len(ctx.points)} points:", table=Table(["point", "coordinates"], rows))


# ---------------------------------------------------------------------------------------------
# shattering


def _row(points, lab: Labeling, decision) -> list[str]:
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
    steps = [Step(f"A set is shattered when every one of its 2^{n} = {2 ** n:,} labelings is produced by some "
                  "hypothesis of H.")]
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


def solve_shattered(ctx: Context, part: Part) -> PartSolution:
    sh = ctx.shattering(part)
    steps = shattering_steps(ctx, sh, part)
    n = len(sh.setup.points)
    vc = _vc_number(ctx)
    alts: list[Alternative] = []
    if sh.shattered is None:
        return part.solution("boolean", None, answer="undecided", steps=steps,
                             verify=functools.partial(always_undecided, sh.how))
    if sh.shattered:
        steps.append(Step(f"So the set is shattered (consistent with VC(H) = {vc} ≥ {n})." if vc is not None
                          else "So the set is shattered."))
    else:
        if vc is not None and n <= vc:
            steps.append(Step(f"So these {n} points are not shattered — although VC(H) = {vc} ≥ {n}: some other set of "
                              f"{n} points is shattered, not every one."))
            alts.append(Alternative("some-vs-these", True))
        elif vc is not None:
            steps.append(Step(f"So the set is not shattered (as it must be: VC(H) = {vc} < {n} points)."))
        else:
            steps.append(Step("So the set is not shattered."))
    return part.solution("boolean", bool(sh.shattered), steps=steps, alternatives=alts)


def solve_unrealizable(ctx: Context, part: Part) -> PartSolution:
    sh = ctx.shattering(part)
    steps = shattering_steps(ctx, sh, part)
    setup = sh.setup
    if sh.shattered is None:
        steps.append(Step("Any labeling you give is checked on its own; this solver could not settle the whole set."))
        return part.solution("labeling", None, answer="undecided", steps=steps,
                             verify=functools.partial(verify_labeling, setup, None, None))
    if sh.shattered:
        steps.append(Step("Every labeling is realised, so there is no unrealisable labeling: the answer is none."))
        return part.solution("labeling", None, steps=steps, verify=functools.partial(verify_labeling, setup, True, None))
    steps.append(Step(f"Answer: {labeling_text(sh.labeling or ())}. Any labeling that no hypothesis realises is "
                      "right: yours is checked the same way."))
    return part.solution("labeling", sh.labeling, steps=steps,
                         verify=functools.partial(verify_labeling, setup, False, sh.labeling))


def solve_realizable(ctx: Context, part: Part) -> PartSolution:
    setup = ctx.setup(part)
    lab = tuple(part.args["labeling"])
    if len(lab) != len(setup.points):
        raise SolveError(f"the labeling has {len(lab)} labels for {len(setup.points)} points", part.path + ("labeling",))
    decision = _decide(setup, lab)
    head = Step(f"Is the labeling {labeling_text(lab)} (p1 to p{len(lab)}) produced by a hypothesis of H?")
    if isinstance(decision, Realised):
        steps = [head, Step(f"Yes: {decision.hypothesis.text()} (checked at every point: "
                            + ", ".join(f"p{i + 1} → {'+' if y > 0 else '−'}" for i, y in enumerate(lab)) + ").")]
        return part.solution("boolean", True, steps=steps)
    if isinstance(decision, Unrealisable):
        steps = [head, Step(f"No: {decision.certificate.text(list(setup.points))}.")]
        return part.solution("boolean", False, steps=steps)
    return part.solution("boolean", None, answer="undecided", steps=[head, Step(f"Undecided: {decision.reason}.")],
                         verify=functools.partial(always_undecided, decision.reason))


def _decide(setup: Setup, lab: Labeling):
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


def solve_vc(ctx: Context, part: Part) -> PartSolution:
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
        steps = vc_steps(ctx, dim, str(value), numeric=None)
        return part.solution("expression", value, answer=str(value), steps=steps, alternatives=alts,
                             options={"symbols": decls})
    value = int(vc_value(ctx.cls, dim, ctx.k, ctx.orientation))
    steps = vc_steps(ctx, dim, str(value), numeric=value)
    alts = [Alternative(m, Fraction(v)) for m, v in vc_alternatives(ctx, dim, ctx.k, value) if v != value and v >= 0]
    return part.solution("integer", Fraction(value), answer=str(value), steps=steps, alternatives=alts)


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
    p = params(ctx.cls, d, k)
    if p != value:
        out.append(("parameter-count", p))
    seen: list[Any] = []
    kept = []
    for m, v in out:
        if v == value or any(v == s for s in seen):
            continue
        seen.append(v)
        kept.append((m, v))
    return kept


def vc_steps(ctx: Context, dim: Any, shown: str, numeric: int | None) -> list[Step]:
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
    steps.append(Step(f"So VC(H) = {shown}."))
    return steps


def _one_more_point(cls: str, dim: int, k: int, pts) -> tuple[Fraction, ...] | None:
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


def solve_exists(ctx: Context, part: Part) -> PartSolution:
    dim = part.args.get("dimension") or ctx.dim
    n = int(part.args["n"])
    if not isinstance(dim, int) or not isinstance(ctx.k, int):
        raise SolveError("`exists_shattered_set` needs a numeric dimension (and k): set `dimension:` on the part",
                         part.path)
    vc = int(vc_value(ctx.cls, dim, ctx.k, ctx.orientation))
    title = ctx.title(dim)
    steps = [Step(f"H = {title}; VC(H) = {vc}. Shattering is inherited by subsets (a labeling of a subset extends to "
                  "the whole set), so some set of n points is shattered exactly when n ≤ VC(H).")]
    if n <= vc:
        pts, desc = shattered_example(ctx.cls, dim, ctx.k, ctx.orientation)
        sub = pts[:n]
        sh = shatter(Setup(ctx.cls, dim, sub, ctx.k, ctx.orientation))
        if not sh.shattered:  # pragma: no cover
            raise SolveError("internal check failed: the example set is not shattered; please report this spec")
        listing = ", ".join(vec(p) for p in sub) if sub else "the empty set"
        steps.append(Step(f"{n} ≤ {vc}: yes. For example {listing} ({'part of ' if n < vc else ''}{desc}); its "
                          f"{2 ** n:,} labelings are all realised:"))
        steps += table_steps(sh)
        return part.solution("boolean", True, steps=steps)
    steps.append(Step(f"{n} > {vc}: no. " + upper_argument(ctx.cls, ctx.orientation)
                      + (f" A set of {n} points contains {vc + 1} of them, which are not shattered." if n > vc + 1 else "")))
    return part.solution("boolean", False, steps=steps)


# ---------------------------------------------------------------------------------------------


def solve_problem(problem: Problem, kind: str) -> Solution:
    ctx = Context(problem)
    sol = Solution(problem.id, kind, problem.title)
    sol.steps = [class_step(ctx)]
    ps = points_step(ctx)
    if ps is not None:
        sol.steps.append(ps)
    handlers = {"shattered": solve_shattered, "unrealizable_labeling": solve_unrealizable,
                "realizable": solve_realizable, "vc_dimension": solve_vc, "exists_shattered_set": solve_exists}
    for part in problem.parts:
        sol.parts.append(handlers[part.ask](ctx, part))
    return sol
