"""Exact orientations in the plane, for rectangles that may be turned.

A direction (x, y) ≠ 0 gets a pseudo-angle in [0, 4): a rational that grows with the true angle
and goes up by exactly 1 for every quarter turn (rotating (x, y) to (−y, x) adds 1). So the
half-plane of directions φ with φ·d > 0 is the open arc (pa(d) − 1, pa(d) + 1), and a rectangle
turned by θ has its four outward side normals at pa(θ) + 0, 1, 2, 3. No trigonometry, no floats:
every comparison is between rationals.
"""

from __future__ import annotations

import math
from fractions import Fraction

Arc = tuple[Fraction, Fraction]  # open (start, end) on a circle, unrolled: start < end


def pseudo_angle(x: Fraction, y: Fraction) -> Fraction:
    if x > 0 and y >= 0:
        return y / (x + y)
    if x <= 0 and y > 0:
        return 1 + (-x) / (y - x)
    if x < 0 and y <= 0:
        return 2 + (-y) / (-x - y)
    if x >= 0 and y < 0:
        return 3 + x / (x - y)
    raise ValueError("the zero vector has no direction")


def direction(t: Fraction) -> tuple[Fraction, Fraction]:
    """A direction with pseudo-angle t for 0 <= t < 1 (the first quadrant): (1 − t, t)."""
    return (1 - t, t)


def degrees(t: Fraction) -> float:
    """The true angle of pseudo-angle t in [0, 1], in degrees (for display only)."""
    return math.degrees(math.atan2(float(t), float(1 - t)))


def intersect(a: Arc, b: Arc, period: int) -> Arc | None:
    """The intersection of two open arcs each at most half the circle (then it is one arc)."""
    found: Arc | None = None
    for shift in (-period, 0, period):
        lo, hi = max(a[0], b[0] + shift), min(a[1], b[1] + shift)
        if lo < hi:
            found = (lo, hi)
    return found


def outside_arc(deltas: list[tuple[Fraction, Fraction]]) -> Arc | None:
    """The open arc of directions φ with φ·d > 0 for every d in `deltas` (pseudo-angles, period 4)."""
    arc: Arc | None = None
    for dx, dy in deltas:
        p = pseudo_angle(dx, dy)
        half = (p - 1, p + 1)
        arc = half if arc is None else intersect(arc, half, 4)
        if arc is None:
            return None
    return arc


def fold(arc: Arc | None) -> list[Arc]:
    """The orientations θ in [0, 1) (a quarter turn) for which θ + m lies in `arc` for some
    whole m: open intervals of [0, 1), or [(0, 1)] when the arc is longer than a quarter turn (an
    open arc of exactly a quarter turn misses one orientation)."""
    if arc is None:
        return []
    lo, hi = arc
    if hi - lo > 1:
        return [(Fraction(0), Fraction(1))]
    m = math.floor(lo)
    lo, hi = lo - m, hi - m
    if hi <= 1:
        return [(lo, hi)]
    return [(lo, Fraction(1)), (Fraction(0), hi - 1)]


def intersect_sets(a: list[Arc], b: list[Arc]) -> list[Arc]:
    out = []
    for x in a:
        for y in b:
            lo, hi = max(x[0], y[0]), min(x[1], y[1])
            if lo < hi:
                out.append((lo, hi))
    return sorted(out)


def simplest_between(lo: Fraction, hi: Fraction) -> Fraction:
    """The rational with the smallest denominator strictly between lo < hi (Stern–Brocot)."""
    a, b, c, d = 0, 1, 1, 0  # the fractions a/b < x < c/d bracket everything >= 0
    fl = math.floor(lo)
    if fl + 1 < hi:
        return Fraction(fl + 1)
    while True:
        m = Fraction(a + c, b + d)
        if m <= lo:
            a, b = a + c, b + d
        elif m >= hi:
            c, d = a + c, b + d
        else:
            return m
