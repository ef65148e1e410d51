"""Rectangles that may be turned (the plane): an exact decision for one labeling.

At orientation θ the smallest rectangle containing the + points is their bounding box in the
turned frame; the labeling is realised iff at some θ no − point lies in that box. A − point q is
outside the box at θ iff one of the four side normals φ = θ + m·90° has φ·(q − p) > 0 for every
+ point p: an open arc of directions (see orientations.py), folded onto a quarter turn. The
labeling is realised iff these folded arcs, one per − point, have a common orientation. If a −
point is in the convex hull of the + points its arc is empty (a convex combination is a
certificate); otherwise the certificate is a cover of all orientations by ranges in which some
− point lies in the box.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

from .certificates import Certificate, InHull
from .decisions import Realised, Unrealisable
from .exact import convex_weights
from .hypotheses import Box, Labeling, Point, Rectangle, dot
from .orientations import degrees, direction, fold, intersect_sets, outside_arc, simplest_between


def _frame(t: Fraction) -> tuple[tuple[Fraction, Fraction], tuple[Fraction, Fraction]]:
    """Integer side directions u, v = (−u2, u1) of orientation t (a pseudo-angle in [0, 1))."""
    u = direction(t)
    scale = math.lcm(u[0].denominator, u[1].denominator)
    u = (u[0] * scale, u[1] * scale)
    g = math.gcd(int(u[0]), int(u[1])) or 1
    u = (u[0] / g, u[1] / g)
    return u, (-u[1], u[0])


def box_at(t: Fraction, plus: list[Point]) -> Rectangle:
    u, v = _frame(t)
    s = [dot(u, p) for p in plus]
    r = [dot(v, p) for p in plus]
    return Rectangle(u, min(s), max(s), min(r), max(r))


def folded_arcs(points: list[Point], plus: list[int], j: int) -> list[tuple[Fraction, Fraction]]:
    """The orientations (pseudo-angles in [0, 1)) at which − point j is outside the + points' box."""
    q = points[j]
    return fold(outside_arc([(q[0] - points[i][0], q[1] - points[i][1]) for i in plus]))


@dataclass(frozen=True)
class ArcCover(Certificate):
    """Every orientation θ in [0°, 90°] lies in a range where some − point is inside the box of
    the + points turned by θ (so no rectangle of that orientation separates them)."""

    pieces: tuple[tuple[Fraction, Fraction, int], ...]  # (from, to, − point) in pseudo-angles

    def check(self, points: list[Point], labeling: Labeling) -> bool:
        plus = [i for i, y in enumerate(labeling) if y > 0]
        if not plus or not self.pieces or self.pieces[0][0] != 0 or self.pieces[-1][1] != 1:
            return False
        for (a, b, j), nxt in zip(self.pieces, self.pieces[1:] + ((Fraction(1), Fraction(1), -1),)):
            if labeling[j] != -1 or a > b or (nxt[2] != -1 and nxt[0] != b):
                return False
            # inside at both ends and in the middle, and none of j's outside-arcs meets the range
            for t in (a, (a + b) / 2, b):
                if t < 1 and box_at(t, [points[i] for i in plus]).label(points[j]) != 1:
                    return False
            if any(lo < b and a < hi for lo, hi in folded_arcs(points, plus, j)):
                return False
        return True

    def text(self, points: list[Point]) -> str:
        rows = [f"θ from {degrees(a):.1f}° to {degrees(b):.1f}°: p{j + 1} lies inside" for a, b, j in self.pieces]
        return ("for every orientation θ of the rectangle (0° to 90° covers them all: a quarter turn maps a rectangle to "
                "one of the same orientation), the smallest rectangle of that orientation around the + points contains "
                "a − point — " + "; ".join(rows))


def decide_rectangle(points: list[Point], labeling: Labeling) -> Realised | Unrealisable:
    plus = [i for i, y in enumerate(labeling) if y > 0]
    minus = [i for i, y in enumerate(labeling) if y < 0]
    if not plus:
        top = max((p[0] for p in points), default=Fraction(0)) + 1
        return Realised(Box((top, Fraction(0)), (top, Fraction(0))))
    plus_pts = [points[i] for i in plus]
    axis = box_at(Fraction(0), plus_pts)
    if all(axis.label(points[j]) == -1 for j in minus):
        return Realised(axis)
    common: list[tuple[Fraction, Fraction]] = [(Fraction(0), Fraction(1))]
    arcs: dict[int, list[tuple[Fraction, Fraction]]] = {}
    for j in minus:
        arcs[j] = folded_arcs(points, plus, j)
        if not arcs[j]:
            weights = convex_weights(points[j], plus, points)
            if weights is not None:
                return Unrealisable(InHull(j, weights, "rectangle"))
        common = intersect_sets(common, arcs[j])
    if common:
        lo, hi = common[0]
        return Realised(box_at(simplest_between(lo, hi), plus_pts))
    return Unrealisable(ArcCover(_cover(points, plus, minus, arcs)))


def _cover(points: list[Point], plus: list[int], minus: list[int],
           arcs: dict[int, list[tuple[Fraction, Fraction]]]) -> tuple[tuple[Fraction, Fraction, int], ...]:
    cuts = sorted({Fraction(0), Fraction(1)} | {e for j in minus for arc in arcs[j] for e in arc if 0 <= e <= 1})
    pieces: list[tuple[Fraction, Fraction, int]] = []
    for a, b in zip(cuts, cuts[1:]):
        mid = (a + b) / 2
        j = next(j for j in minus if not any(lo < mid < hi for lo, hi in arcs[j]))
        if pieces and pieces[-1][2] == j:
            pieces[-1] = (pieces[-1][0], b, j)
        else:
            pieces.append((a, b, j))
    return tuple(pieces)
