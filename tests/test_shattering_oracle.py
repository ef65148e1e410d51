"""The shattering solver against oracles written separately from it.

For random small point sets (integer and half-integer coordinates, with repeated and collinear
points on purpose) every labeling is decided by the solver and by an independent test:
- halfspaces (with and without bias) and balls: Fourier–Motzkin elimination in exact rationals,
  cross-checked by a scipy LP whose solution, rounded to rationals, is confirmed exactly;
- thresholds, intervals, unions of intervals, boxes: enumeration of candidate hypotheses with
  ends at the points' coordinates;
- rectangles that may turn: the orientations between consecutive critical angles (the angles of
  the points' differences, folded onto a quarter turn), each tried in exact arithmetic.
Every witness and certificate the solver returns is then re-checked here from its fields.
"""

from __future__ import annotations

import itertools
from fractions import Fraction

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from grader.kinds._learning import certificates as C
from grader.kinds._learning import hypotheses as H
from grader.kinds._learning.classes import Setup, decide
from grader.kinds._learning.decisions import Realised, Unrealisable
from grader.kinds._learning.rectangles import ArcCover
from grader.kinds._learning.shatter import shatter

F = Fraction

# ---------------------------------------------------------------------------------------------
# exact oracles


def fourier_motzkin(rows: list[list[Fraction]], rhs: list[Fraction]) -> bool:
    """Whether A·z >= b has a solution (z free), by eliminating the variables one by one."""
    system = [(list(r), b) for r, b in zip(rows, rhs)]
    nvars = len(rows[0]) if rows else 0
    for k in range(nvars):
        pos, neg, rest = [], [], []
        for r, b in system:
            (pos if r[k] > 0 else neg if r[k] < 0 else rest).append((r, b))
        new = list(rest)
        for rp, bp in pos:
            for rn, bn in neg:
                a, c = -rn[k], rp[k]  # a·(rp) + c·(rn) cancels variable k
                new.append(([a * x + c * y for x, y in zip(rp, rn)], a * bp + c * bn))
        # drop duplicates (scaled copies) to keep the system small
        seen = {}
        for r, b in new:
            lead = next((abs(x) for x in r if x != 0), None)
            key = (tuple(x / lead for x in r), b / lead) if lead else (tuple(r), b)
            seen[key] = (r, b)
        system = list(seen.values())
    return all(b <= 0 for _r, b in system)


def halfspace_rows(points, labeling, homogeneous):
    rows, rhs = [], []
    for p, y in zip(points, labeling):
        if homogeneous:
            rows.append([c if y > 0 else -c for c in p])
            rhs.append(F(0) if y > 0 else F(1))
        else:
            rows.append([y * c for c in p] + [F(y)])
            rhs.append(F(1))
    return rows, rhs


def ball_rows(points, labeling):
    d = len(points[0])
    rows, rhs = [[F(1)] + [F(0)] * (d + 1)], [F(0)]  # a >= 0
    for p, y in zip(points, labeling):
        row = [sum(c * c for c in p)] + list(p) + [F(1)]
        rows.append([-v for v in row] if y > 0 else row)
        rhs.append(F(1))
    return rows, rhs


def lp_candidate(points, labeling, kind):
    """scipy's answer (a float LP maximising the margin), confirmed exactly when it says yes."""
    import numpy as np
    from scipy.optimize import linprog

    d = len(points[0])
    P = [p for p, y in zip(points, labeling) if y > 0]
    if kind == "balls" and not P:
        return True
    rows, rhs = (ball_rows(points, labeling) if kind == "balls"
                 else halfspace_rows(points, labeling, kind == "homogeneous-halfspaces"))
    nz = len(rows[0])
    # maximise t subject to row·z >= t·[rhs > 0] (scaled margin), |z| <= 100
    A_ub = [[-float(v) for v in r] + [float(b > 0)] for r, b in zip(rows, rhs)]
    res = linprog(c=[0] * nz + [-1], A_ub=np.array(A_ub), b_ub=np.zeros(len(rows)),
                  bounds=[(-100, 100)] * nz + [(None, 1)], method="highs")
    if res.status != 0 or res.x[-1] <= 1e-7:
        return False
    z = [F(v).limit_denominator(10**6) for v in res.x[:-1]]
    if kind == "balls":
        a, w, b = z[0], z[1:d + 1], z[d + 1]
        if a <= 0:
            return None  # not a ball: cannot confirm exactly
        labels = tuple(1 if a * sum(c * c for c in p) + sum(wi * c for wi, c in zip(w, p)) + b <= 0 else -1
                       for p in points)
    elif kind == "homogeneous-halfspaces":
        labels = tuple(1 if sum(wi * c for wi, c in zip(z, p)) >= 0 else -1 for p in points)
    else:
        labels = tuple(1 if sum(wi * c for wi, c in zip(z[:d], p)) + z[d] >= 0 else -1 for p in points)
    return True if labels == tuple(labeling) else None


def enumerate_line(points, labeling, cls, k=1, orientation="right"):
    xs = sorted({p[0] for p in points})
    cands = [xs[0] - 1] + xs + [xs[-1] + 1]
    labeling = tuple(labeling)
    if cls == "thresholds":
        sides = ("right", "left") if orientation == "both" else (orientation,)
        for t, side in itertools.product(cands, sides):
            lab = tuple(1 if (p[0] >= t if side == "right" else p[0] <= t) else -1 for p in points)
            if lab == labeling:
                return True
        return False
    kk = k if cls == "unions-of-intervals" else 1
    intervals = [(a, b) for a in cands for b in cands if a <= b]
    for m in range(0, kk + 1):
        for chosen in itertools.combinations(intervals, m):
            lab = tuple(1 if any(a <= p[0] <= b for a, b in chosen) else -1 for p in points)
            if lab == labeling:
                return True
    return False


def enumerate_boxes(points, labeling):
    d = len(points[0])
    labeling = tuple(labeling)
    if all(y < 0 for y in labeling):
        return True
    per_dim = []
    for k in range(d):
        vals = sorted({p[k] for p in points})
        per_dim.append([(a, b) for a in vals for b in vals if a <= b])
    for box in itertools.product(*per_dim):
        lab = tuple(1 if all(lo <= p[k] <= hi for k, (lo, hi) in enumerate(box)) else -1 for p in points)
        if lab == labeling:
            return True
    return False


def _fold(dx, dy):
    """The tangent in [0, ∞) of the orientation of (dx, dy) folded onto [0°, 90°)."""
    for _ in range(4):
        if dx > 0 and dy >= 0:
            return dy / dx
        dx, dy = dy, -dx  # a quarter turn clockwise
    raise ValueError("zero vector")


def rectangles_by_critical_angles(points, labeling):
    P = [p for p, y in zip(points, labeling) if y > 0]
    N = [p for p, y in zip(points, labeling) if y < 0]
    if not P:
        return True
    tans = sorted({_fold(a[0] - b[0], a[1] - b[1]) for a in points for b in points if a != b})
    cands = [F(0)] + [(s + t) / 2 for s, t in zip(tans, tans[1:])] + ([tans[-1] + 1] if tans else [])
    for t in cands:
        u, v = (F(1), t), (-t, F(1))
        su = [u[0] * p[0] + u[1] * p[1] for p in P]
        sv = [v[0] * p[0] + v[1] * p[1] for p in P]
        if all(not (min(su) <= u[0] * q[0] + u[1] * q[1] <= max(su) and min(sv) <= v[0] * q[0] + v[1] * q[1] <= max(sv))
               for q in N):
            return True
    return False


# ---------------------------------------------------------------------------------------------
# checking the solver's witnesses and certificates from their fields


def hyp_labels(h, points):
    out = []
    for p in points:
        if isinstance(h, H.Halfspace):
            v = sum(a * b for a, b in zip(h.w, p)) + (0 if h.homogeneous else h.b)
            out.append(1 if v >= 0 else -1)
        elif isinstance(h, H.Box):
            out.append(1 if all(a <= c <= b for a, c, b in zip(h.lo, p, h.hi)) else -1)
        elif isinstance(h, H.Ball):
            out.append(1 if sum((c - z) ** 2 for c, z in zip(p, h.center)) <= h.r2 else -1)
        elif isinstance(h, H.Rectangle):
            u, v = h.u, (-h.u[1], h.u[0])
            s, t = u[0] * p[0] + u[1] * p[1], v[0] * p[0] + v[1] * p[1]
            out.append(1 if h.s_lo <= s <= h.s_hi and h.t_lo <= t <= h.t_hi else -1)
        elif isinstance(h, H.Threshold):
            out.append(1 if (p[0] >= h.t if h.orientation == "right" else p[0] <= h.t) else -1)
        elif isinstance(h, H.Intervals):
            out.append(1 if any(a <= p[0] <= b for a, b in h.pieces) else -1)
        else:
            raise AssertionError(type(h))
    return tuple(out)


def combo(weights, points):
    d = len(points[0])
    return tuple(sum(w * points[i][k] for i, w in weights.items()) for k in range(d))


def cert_ok(c, points, labeling, cls):
    sides = lambda ws, s: all(labeling[i] == s and w >= 0 for i, w in ws.items())  # noqa: E731
    if isinstance(c, C.Repeated):
        return points[c.i] == points[c.j] and labeling[c.i] != labeling[c.j]
    if isinstance(c, C.ConvexWeights):
        return (cls == "halfspaces" and sides(c.plus, 1) and sides(c.minus, -1) and sum(c.plus.values()) == 1
                and sum(c.minus.values()) == 1 and combo(c.plus, points) == combo(c.minus, points))
    if isinstance(c, C.ConeWeights):
        return (cls == "homogeneous-halfspaces" and sides(c.plus, 1) and sides(c.minus, -1)
                and sum(c.minus.values()) == 1 and combo(c.plus, points) == combo(c.minus, points))
    if isinstance(c, C.BallWeights):
        sq = lambda ws: sum(w * sum(x * x for x in points[i]) for i, w in ws.items())  # noqa: E731
        return (cls == "balls" and sides(c.plus, 1) and sides(c.minus, -1) and sum(c.plus.values()) == 1
                and sum(c.minus.values()) == 1 and combo(c.plus, points) == combo(c.minus, points)
                and sq(c.plus) >= sq(c.minus))
    if isinstance(c, C.InHull):
        return (cls in ("balls", "rectangles") and labeling[c.minus_point] == -1 and sides(c.plus, 1)
                and sum(c.plus.values()) == 1 and combo(c.plus, points) == points[c.minus_point])
    if isinstance(c, C.InBox):
        P = [p for p, y in zip(points, labeling) if y > 0]
        x = points[c.minus_point]
        return (cls in ("axis-aligned-rectangles",) and labeling[c.minus_point] == -1 and
                all(min(p[k] for p in P) <= x[k] <= max(p[k] for p in P) for k in range(len(x))))
    if isinstance(c, C.Order):
        a, b = points[c.plus_point][0], points[c.minus_point][0]
        return labeling[c.plus_point] == 1 and labeling[c.minus_point] == -1 and (b >= a if c.orientation == "right"
                                                                                 else b <= a)
    if isinstance(c, C.Alternation):
        xa, xb, xc = (points[i][0] for i in (c.a, c.b, c.c))
        return xa <= xb <= xc and labeling[c.a] == labeling[c.c] != labeling[c.b]
    if isinstance(c, C.Runs):
        xs = [points[i][0] for i in c.sequence]
        return (len(c.sequence) == 2 * c.k + 1 and all(a < b for a, b in zip(xs, xs[1:]))
                and all(labeling[i] == (1 if t % 2 == 0 else -1) for t, i in enumerate(c.sequence)))
    if isinstance(c, ArcCover):
        # contiguous cover of the quarter turn; the point named is inside the turned box at the ends
        ok = c.pieces[0][0] == 0 and c.pieces[-1][1] == 1 and all(
            a[1] == b[0] for a, b in zip(c.pieces, c.pieces[1:]))
        P = [p for p, y in zip(points, labeling) if y > 0]
        for a, b, j in c.pieces:
            for t in (a, b):
                if t == 1:
                    continue
                u, v = (1 - t, t), (-t, 1 - t)
                su = [u[0] * p[0] + u[1] * p[1] for p in P]
                sv = [v[0] * p[0] + v[1] * p[1] for p in P]
                q = points[j]
                ok = ok and labeling[j] == -1 and min(su) <= u[0] * q[0] + u[1] * q[1] <= max(su) and \
                    min(sv) <= v[0] * q[0] + v[1] * q[1] <= max(sv)
        return ok
    raise AssertionError(type(c))


def oracle(cls, points, labeling, k=1, orientation="right"):
    """True/False by the independent test (None only if the float LP could not be confirmed)."""
    # two equal points with different labels: no hypothesis of any class
    for (p, y), (q, z) in itertools.combinations(zip(points, labeling), 2):
        if p == q and y != z:
            return False
    if cls in ("halfspaces", "homogeneous-halfspaces"):
        rows, rhs = halfspace_rows(points, labeling, cls == "homogeneous-halfspaces")
        exact = fourier_motzkin(rows, rhs)
        lp = lp_candidate(points, labeling, cls)
        assert lp in (None, exact), "scipy disagrees with Fourier–Motzkin"
        return exact
    if cls == "balls":
        if all(y < 0 for y in labeling):
            return True
        rows, rhs = ball_rows(points, labeling)
        exact = fourier_motzkin(rows, rhs)
        lp = lp_candidate(points, labeling, cls)
        assert lp in (None, exact), "scipy disagrees with Fourier–Motzkin"
        return exact
    if cls in ("thresholds", "intervals", "unions-of-intervals"):
        return enumerate_line(points, labeling, cls, k, orientation)
    if cls == "axis-aligned-rectangles":
        return enumerate_boxes(points, labeling)
    if cls == "rectangles":
        return rectangles_by_critical_angles(points, labeling)
    raise AssertionError(cls)


def run_all(setup: Setup):
    points = list(setup.points)
    everything = True
    for lab in itertools.product((1, -1), repeat=len(points)):
        truth = oracle(setup.cls, points, lab, setup.k, setup.orientation)
        got = decide(setup, lab)
        if isinstance(got, Realised):
            assert truth, (setup, lab, got.hypothesis.text())
            assert hyp_labels(got.hypothesis, points) == lab
        else:
            assert isinstance(got, Unrealisable), got
            assert not truth, (setup, lab)
            assert cert_ok(got.certificate, points, lab, setup.cls), (setup, lab, got.certificate)
        everything = everything and truth
    sh = shatter(setup)
    assert sh.shattered is everything, (setup, sh.how)
    if not everything:
        assert sh.labeling is not None and oracle(setup.cls, points, sh.labeling, setup.k, setup.orientation) is False


# ---------------------------------------------------------------------------------------------
# point sets: integer and half-integer coordinates, some repeated, some collinear


coordinate = st.integers(-3, 3).map(F) | st.integers(-6, 6).map(lambda v: F(v, 2))


@st.composite
def point_sets(draw, dim, lo, hi):
    n = draw(st.integers(lo, hi))
    pts = [tuple(draw(coordinate) for _ in range(dim)) for _ in range(n)]
    extra = draw(st.sampled_from(["none", "none", "repeat", "midpoint", "line"]))
    if extra == "repeat" and pts:
        pts.append(pts[draw(st.integers(0, len(pts) - 1))])
    elif extra == "midpoint" and len(pts) >= 2:
        a, b = pts[0], pts[1]
        pts.append(tuple((x + y) / 2 for x, y in zip(a, b)))
    elif extra == "line" and len(pts) >= 2:
        a, b = pts[0], pts[1]
        pts.append(tuple(2 * y - x for x, y in zip(a, b)))
    return tuple(pts[:hi])


SETTINGS = settings(max_examples=25, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])


@pytest.mark.parametrize("cls,dim,hi", [
    ("halfspaces", 1, 4), ("halfspaces", 2, 5), ("halfspaces", 3, 5),
    ("homogeneous-halfspaces", 2, 4), ("homogeneous-halfspaces", 3, 4),
    ("balls", 1, 4), ("balls", 2, 4),
    ("axis-aligned-rectangles", 2, 5), ("axis-aligned-rectangles", 3, 5),
    ("rectangles", 2, 5),
])
def test_geometric_classes_against_the_oracle(cls, dim, hi):
    @SETTINGS
    @given(point_sets(dim, 1, hi))
    def run(points):
        run_all(Setup(cls, dim, points))

    run()


@pytest.mark.parametrize("cls,k,orientation", [
    ("thresholds", 1, "right"), ("thresholds", 1, "left"), ("thresholds", 1, "both"),
    ("intervals", 1, "right"), ("unions-of-intervals", 2, "right"), ("unions-of-intervals", 3, "right"),
])
def test_line_classes_against_enumeration(cls, k, orientation):
    @SETTINGS
    @given(point_sets(1, 1, 7))
    def run(points):
        run_all(Setup(cls, 1, points, k, orientation))

    run()


def test_rectangles_need_turning_and_are_certified_otherwise():
    """A labeling only a turned rectangle realises, and one no rectangle does (an arc cover)."""
    diamond = tuple((F(x), F(y)) for x, y in ((0, 0), (2, 0), (3, 2), (1, 3)))
    run_all(Setup("rectangles", 2, diamond))
    got = decide(Setup("rectangles", 2, diamond), (1, -1, 1, -1))
    assert isinstance(got, Realised) and got.hypothesis.u[1] != 0  # turned
    octagon = tuple((F(x), F(y)) for x, y in ((3, 0), (2, 2), (0, 3), (-2, 2), (-3, 0), (-2, -2), (0, -3), (2, -2)))
    setup = Setup("rectangles", 2, octagon)
    covers = 0
    for lab in itertools.product((1, -1), repeat=8):
        got = decide(setup, lab)
        assert (isinstance(got, Realised)) == rectangles_by_critical_angles(list(octagon), lab)
        if isinstance(got, Unrealisable):
            assert cert_ok(got.certificate, list(octagon), lab, "rectangles")
            covers += isinstance(got.certificate, ArcCover)
    assert covers > 0  # some failures have no point inside the hull: the orientation cover is needed
