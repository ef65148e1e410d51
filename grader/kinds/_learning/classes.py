"""The hypothesis classes: for one labeling of a point set, a checked witness or a checked
certificate that none exists (`decide`), and for a whole set, a fast structural reason why it is
not shattered when there is one (`structural_no`).

Conventions (stated in the solutions): every hypothesis labels +1 on a closed set — thresholds
x ≥ t (or x ≤ t), closed intervals and boxes, closed balls, w·x + b ≥ 0 — and −1 elsewhere.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction

from . import exact
from .certificates import (
    Alternation,
    BallWeights,
    ConeWeights,
    ConvexWeights,
    InBox,
    Order,
    Repeated,
    Runs,
)
from .decisions import Decision, Realised, Unrealisable
from .hypotheses import Ball, Box, Halfspace, Hypothesis, Intervals, Labeling, Point, Threshold, dot
from .rectangles import decide_rectangle

CLASSES = ("thresholds", "intervals", "unions-of-intervals", "halfspaces", "homogeneous-halfspaces",
           "axis-aligned-rectangles", "balls", "rectangles")
ONE_DIMENSIONAL = ("thresholds", "intervals", "unions-of-intervals")

@dataclass(frozen=True)
class Setup:
    """A hypothesis class on a point set: what `decide` needs (picklable, for a part's verify)."""

    cls: str
    dim: int
    points: tuple[Point, ...]
    k: int = 1  # unions of at most k intervals
    orientation: str = "right"  # thresholds: right (x >= t is +1), left (x <= t), both

class InternalError(ArithmeticError):
    """A witness or certificate failed its own exact check (a bug, never shown as an answer)."""

def plus_minus(labeling: Labeling) -> tuple[list[int], list[int]]:
    return [i for i, y in enumerate(labeling) if y > 0], [i for i, y in enumerate(labeling) if y < 0]

def decide(setup: Setup, labeling: Labeling) -> Decision:
    """Whether some hypothesis of the class labels `setup.points` as `labeling`, checked exactly."""
    points = list(setup.points)
    if len(labeling) != len(points):
        raise ValueError(f"{len(labeling)} labels for {len(points)} points")
    for i in range(len(points)):
        for j in range(i + 1, len(points)):
            if points[i] == points[j] and labeling[i] != labeling[j]:
                return checked(Unrealisable(Repeated(i, j)), points, labeling)
    decision = _DECIDERS[setup.cls](setup, points, labeling)
    return checked(decision, points, labeling)


def flip(decision: Decision) -> Decision | None:
    """The decision of the opposite labeling, for halfspaces with bias: (−w, −b) realises −y when
    (w, b) realises y with every margin at least 1; the certificate's two sides swap."""
    if isinstance(decision, Realised) and isinstance(decision.hypothesis, Halfspace) \
            and not decision.hypothesis.homogeneous:
        h = decision.hypothesis
        return Realised(Halfspace(tuple(-v for v in h.w), -h.b - 1 if all(v == 0 for v in h.w) else -h.b))
    if isinstance(decision, Unrealisable) and isinstance(decision.certificate, ConvexWeights):
        c = decision.certificate
        return Unrealisable(ConvexWeights(c.minus, c.plus))
    return None


def checked(decision: Decision, points: list[Point], labeling: Labeling) -> Decision:
    if isinstance(decision, Realised) and decision.hypothesis.labels(points) != tuple(labeling):
        raise InternalError(f"witness {decision.hypothesis.text()} does not produce the labeling")
    if isinstance(decision, Unrealisable) and not decision.certificate.check(points, labeling):
        raise InternalError("certificate failed its check")
    return decision

def _away(points: list[Point], dim: int) -> Point:
    """A point that is not in the set (its first coordinate is larger than any)."""
    top = max((p[0] for p in points), default=Fraction(0))
    return (top + 1,) + (Fraction(0),) * (dim - 1)

# ---------------------------------------------------------------------------------------------
# one-dimensional classes

def _thresholds(setup: Setup, points: list[Point], labeling: Labeling) -> Decision:
    P, N = plus_minus(labeling)
    xs = [p[0] for p in points]
    options = ("right", "left") if setup.orientation == "both" else (setup.orientation,)
    for o in options:
        if not P:
            t = max(xs, default=Fraction(0)) + 1 if o == "right" else min(xs, default=Fraction(0)) - 1
            return Realised(Threshold(t, o))
        if o == "right" and all(xs[j] < min(xs[i] for i in P) for j in N):
            return Realised(Threshold(min(xs[i] for i in P), o))
        if o == "left" and all(xs[j] > max(xs[i] for i in P) for j in N):
            return Realised(Threshold(max(xs[i] for i in P), o))
    if setup.orientation == "right":
        i = min(P, key=lambda i: xs[i])
        j = max(N, key=lambda j: xs[j])
        return Unrealisable(Order(i, j, "right"))
    if setup.orientation == "left":
        i = max(P, key=lambda i: xs[i])
        j = min(N, key=lambda j: xs[j])
        return Unrealisable(Order(i, j, "left"))
    runs = _runs(xs, labeling)
    a, b, c = runs[0][0], runs[1][0], runs[2][0]
    return Unrealisable(Alternation(a, b, c))

def _runs(xs: list[Fraction], labeling: Labeling) -> list[list[int]]:
    """Indices sorted along the line, grouped into maximal runs of equal labels."""
    order = sorted(range(len(xs)), key=lambda i: (xs[i], -labeling[i]))
    runs: list[list[int]] = []
    for i in order:
        if runs and labeling[runs[-1][0]] == labeling[i]:
            runs[-1].append(i)
        else:
            runs.append([i])
    return runs

def _intervals(setup: Setup, points: list[Point], labeling: Labeling) -> Decision:
    xs = [p[0] for p in points]
    k = setup.k if setup.cls == "unions-of-intervals" else 1
    runs = _runs(xs, labeling)
    plus_runs = [r for r in runs if labeling[r[0]] > 0]
    if len(plus_runs) <= k:
        return Realised(Intervals(tuple((xs[r[0]], xs[r[-1]]) for r in plus_runs)))
    # k + 1 + runs: their first points, with the first − point after each of the first k
    seq: list[int] = []
    started = False
    for r in runs:
        if labeling[r[0]] > 0:
            seq.append(r[0])
            started = True
            if len(seq) == 2 * k + 1:
                break
        elif started:
            seq.append(r[0])
    return Unrealisable(Runs(tuple(seq), k))

# ---------------------------------------------------------------------------------------------
# linear classes (an exact LP and its Farkas alternative)

def _halfspaces(setup: Setup, points: list[Point], labeling: Labeling) -> Decision:
    d = setup.dim
    P, N = plus_minus(labeling)
    zero = (Fraction(0),) * d
    if not N:
        return Realised(Halfspace(zero, Fraction(1)))
    if not P:
        return Realised(Halfspace(zero, Fraction(-1)))
    G = [[y * c for c in p] + [Fraction(y)] for p, y in zip(points, labeling)]
    out = exact.decide(G, [Fraction(1)] * len(points), set(range(d + 1)))
    if out.feasible:
        assert out.solution is not None
        return Realised(Halfspace(tuple(out.solution[:d]), out.solution[d]))
    assert out.certificate is not None
    y = out.certificate
    plus = {i: 2 * y[i] for i in P if y[i] != 0}
    minus = {j: 2 * y[j] for j in N if y[j] != 0}
    return Unrealisable(ConvexWeights(plus, minus))

def _homogeneous(setup: Setup, points: list[Point], labeling: Labeling) -> Decision:
    d = setup.dim
    P, N = plus_minus(labeling)
    if not N:
        return Realised(Halfspace((Fraction(0),) * d, Fraction(0), homogeneous=True))
    G = [[(1 if y > 0 else -1) * c for c in p] for p, y in zip(points, labeling)]
    h = [Fraction(0 if y > 0 else 1) for y in labeling]
    out = exact.decide(G, h, set(range(d)))
    if out.feasible:
        assert out.solution is not None
        return Realised(Halfspace(tuple(out.solution), Fraction(0), homogeneous=True))
    assert out.certificate is not None
    y = out.certificate
    return Unrealisable(ConeWeights({i: y[i] for i in P if y[i] != 0}, {j: y[j] for j in N if y[j] != 0}))

def _balls(setup: Setup, points: list[Point], labeling: Labeling) -> Decision:
    d = setup.dim
    P, N = plus_minus(labeling)
    if not P:
        return Realised(Ball(_away(points, d), Fraction(0)))
    # f(x) = a·‖x‖² + w·x + b with a >= 0: f <= -1 on + points, f >= 1 on - points
    G = []
    for p, y in zip(points, labeling):
        row = [dot(p, p)] + list(p) + [Fraction(1)]
        G.append([-v for v in row] if y > 0 else row)
    out = exact.decide(G, [Fraction(1)] * len(points), set(range(1, d + 2)))
    if out.feasible:
        assert out.solution is not None
        a, w, b = out.solution[0], out.solution[1:d + 1], out.solution[d + 1]
        if a == 0:  # a halfspace separates them: a flat enough ball does too
            a = 1 / (2 * max([Fraction(1)] + [dot(points[i], points[i]) for i in P]))
        center = tuple(-v / (2 * a) for v in w)
        return Realised(Ball(center, dot(center, center) - b / a))
    assert out.certificate is not None
    cert = out.certificate
    return Unrealisable(BallWeights({i: 2 * cert[i] for i in P if cert[i] != 0}, {j: 2 * cert[j] for j in N if cert[j] != 0}))

# ---------------------------------------------------------------------------------------------
# boxes

def _boxes(setup: Setup, points: list[Point], labeling: Labeling) -> Decision:
    d = setup.dim
    P, N = plus_minus(labeling)
    if not P:
        away = _away(points, d)
        return Realised(Box(away, away))
    lo = tuple(min(points[i][k] for i in P) for k in range(d))
    hi = tuple(max(points[i][k] for i in P) for k in range(d))
    for j in N:
        if all(lo[k] <= points[j][k] <= hi[k] for k in range(d)):
            return Unrealisable(InBox(j, lo, hi))
    return Realised(Box(lo, hi))

def _rectangles(setup: Setup, points: list[Point], labeling: Labeling) -> Decision:
    return decide_rectangle(points, labeling)

_DECIDERS = {
    "thresholds": _thresholds,
    "intervals": _intervals,
    "unions-of-intervals": _intervals,
    "halfspaces": _halfspaces,
    "homogeneous-halfspaces": _homogeneous,
    "balls": _balls,
    "axis-aligned-rectangles": _boxes,
    "rectangles": _rectangles,
}

# ---------------------------------------------------------------------------------------------
# structural reasons a whole set is not shattered (no enumeration)

@dataclass
class Structural:
    """What the structure of the set decides without trying every labeling."""

    labeling: Labeling | None = None  # an unrealisable labeling
    reason: str = ""  # the argument that found it (Radon, a point inside the others' box ...)
    shattered: bool | None = None  # True when the structure proves shattering


def structural_no(setup: Setup) -> Structural:
    points = list(setup.points)
    n, d = len(points), setup.dim
    cls = setup.cls
    if n == 0:
        return Structural()
    if cls == "thresholds":
        order = sorted(range(n), key=lambda i: points[i][0])
        need = 3 if setup.orientation == "both" else 2
        if n >= need:
            lab = [1] * n
            if setup.orientation == "right":
                lab[order[-1]] = -1
            elif setup.orientation == "left":
                lab[order[0]] = -1
            else:
                lab[order[1]] = -1
            return Structural(tuple(lab), "more points than a threshold can shatter")
        return Structural()
    if cls in ("intervals", "unions-of-intervals"):
        k = setup.k if cls == "unions-of-intervals" else 1
        if n >= 2 * k + 1:
            order = sorted(range(n), key=lambda i: points[i][0])
            lab = [-1] * n
            for pos, i in enumerate(order[:2 * k + 1]):
                lab[i] = 1 if pos % 2 == 0 else -1
            return Structural(tuple(lab), "alternating labels along the line")
        return Structural()
    if cls == "halfspaces":
        M = [[p[k] for p in points] for k in range(d)] + [[Fraction(1)] * n]
        a = exact.null_space_vector(M)
        if a is not None:
            return Structural(_signs(a), "an affine dependence Σ a_i·p_i = 0 with Σ a_i = 0 (Radon's theorem)")
        return Structural(shattered=True, reason="the points are affinely independent")
    if cls == "homogeneous-halfspaces":
        M = [[p[k] for p in points] for k in range(d)]
        a = exact.null_space_vector(M)
        if a is not None:
            if all(v >= 0 for v in a):
                a = [-v for v in a]
            return Structural(_signs(a, negative_first=True), "a linear dependence Σ a_i·p_i = 0")
        return Structural(shattered=True, reason="the points are linearly independent")
    if cls == "axis-aligned-rectangles":
        for j in range(n):
            others = [i for i in range(n) if i != j]
            if others and all(min(points[i][k] for i in others) <= points[j][k] <= max(points[i][k] for i in others)
                              for k in range(d)):
                return Structural(tuple(-1 if i == j else 1 for i in range(n)),
                                  f"p{j + 1} lies in the bounding box of the other points")
        return Structural(shattered=True, reason="no point lies in the bounding box of the others")
    if cls in ("balls", "rectangles"):
        for j in range(n):
            others = [i for i in range(n) if i != j]
            if exact.convex_weights(points[j], others, points) is not None:
                return Structural(tuple(-1 if i == j else 1 for i in range(n)),
                                  f"p{j + 1} lies in the convex hull of the other points")
        if cls == "balls" and n >= d + 3:
            M = [[p[k] for p in points] for k in range(d)] + [[dot(p, p) for p in points], [Fraction(1)] * n]
            a = exact.null_space_vector(M)
            assert a is not None  # d + 2 rows, n >= d + 3 columns
            return Structural(_signs(a), "an affine dependence of the lifted points (p, ‖p‖²) (Radon's theorem one "
                                         "dimension up)")
    return Structural()

def _signs(a: list[Fraction], negative_first: bool = False) -> Labeling:
    """The labeling of a dependence: − where a_i < 0, + elsewhere (the first nonzero a_i > 0)."""
    first = next(v for v in a if v != 0)
    if first < 0 and not negative_first:
        a = [-v for v in a]
    return tuple(-1 if v < 0 else 1 for v in a)

def interpolating_witnesses(setup: Setup) -> Callable[[Labeling], Hypothesis] | None:
    """For affinely (or linearly) independent points: a function labeling -> the halfspace with
    w·p_i + b = y_i exactly (every margin 1), or None for other classes or dependent points."""
    points = list(setup.points)
    if setup.cls not in ("halfspaces", "homogeneous-halfspaces") or not points:
        return None
    homogeneous = setup.cls == "homogeneous-halfspaces"
    M = [list(p) + ([] if homogeneous else [Fraction(1)]) for p in points]
    try:
        solve = exact.right_inverse(M)
    except ValueError:
        return None

    def witness(labeling: Labeling) -> Hypothesis:
        sol = solve([Fraction(y) for y in labeling])
        if homogeneous:
            return Halfspace(tuple(sol), Fraction(0), homogeneous=True)
        return Halfspace(tuple(sol[:setup.dim]), sol[setup.dim])

    return witness
