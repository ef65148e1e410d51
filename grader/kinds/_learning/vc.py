"""VC dimensions of the supported classes, with the two halves of the argument: a set of that
size that is shattered (the shattering solver checks it) and why no larger set is."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from .hypotheses import Point

# Seven integer points near a regular heptagon of radius 10 (rounded), shattered by turned
# rectangles: the shattering solver checks all 128 labelings whenever this set is used.
HEPTAGON: tuple[Point, ...] = tuple((Fraction(x), Fraction(y)) for x, y in
                                    ((10, 0), (6, 8), (-2, 10), (-9, 4), (-9, -4), (-2, -10), (6, -8)))


def vc_value(cls: str, dim: Any, k: Any = 1, orientation: str = "right") -> Any:
    """The VC dimension: an int, or a sympy expression when `dim` (or `k`) is a symbol name."""
    table = {
        "thresholds": lambda: 2 if orientation == "both" else 1,
        "intervals": lambda: 2,
        "unions-of-intervals": lambda: 2 * k,
        "halfspaces": lambda: dim + 1,
        "homogeneous-halfspaces": lambda: dim,
        "axis-aligned-rectangles": lambda: 2 * dim,
        "balls": lambda: dim + 1,
        "rectangles": lambda: 7,
    }
    return table[cls]()


def params(cls: str, dim: Any, k: Any = 1) -> Any:
    """The number of real parameters of a hypothesis (a common wrong guess for the VC dimension)."""
    return {
        "thresholds": 1, "intervals": 2, "unions-of-intervals": 2 * k, "halfspaces": dim + 1,
        "homogeneous-halfspaces": dim, "axis-aligned-rectangles": 2 * dim, "balls": dim + 1, "rectangles": 5,
    }[cls]


def _unit(d: int, i: int, s: int = 1) -> Point:
    return tuple(Fraction(s if t == i else 0) for t in range(d))


def shattered_example(cls: str, dim: int, k: int = 1, orientation: str = "right") -> tuple[tuple[Point, ...], str]:
    """A set of VC-dimension size that the class shatters, and how to describe it."""
    F = Fraction
    if cls == "thresholds":
        if orientation == "both":
            return ((F(0),), (F(1),)), "two points 0 < 1"
        return ((F(0),),), "one point 0"
    if cls == "intervals":
        return ((F(0),), (F(1),)), "two points 0 < 1"
    if cls == "unions-of-intervals":
        return tuple((F(i),) for i in range(1, 2 * k + 1)), f"the {2 * k} points 1, 2, ..., {2 * k}"
    zero = tuple(F(0) for _ in range(dim))
    if cls in ("halfspaces", "balls"):
        return (zero,) + tuple(_unit(dim, i) for i in range(dim)), "the origin and the unit vectors e_1, ..., e_d"
    if cls == "homogeneous-halfspaces":
        return tuple(_unit(dim, i) for i in range(dim)), "the unit vectors e_1, ..., e_d"
    if cls == "axis-aligned-rectangles":
        pts = []
        for i in range(dim):
            pts += [_unit(dim, i, 1), _unit(dim, i, -1)]
        return tuple(pts), "the 2d points ±e_1, ..., ±e_d (a diamond in the plane)"
    if cls == "rectangles":
        return HEPTAGON, "seven points near a regular heptagon"
    raise KeyError(cls)


UPPER = {
    "thresholds-right": ("Two points x1 < x2 cannot be labeled (+, −): a threshold that makes x1 positive "
                         "(x1 ≥ t) makes x2 > x1 ≥ t positive too. So no 2 points are shattered."),
    "thresholds-left": ("Two points x1 < x2 cannot be labeled (−, +): x2 ≤ t would give x1 < x2 ≤ t. "
                        "So no 2 points are shattered."),
    "thresholds-both": ("Three points x1 < x2 < x3 cannot be labeled (+, −, +): a threshold changes the label once "
                        "along the line, this labeling changes it twice. So no 3 points are shattered."),
    "intervals": ("Three points x1 < x2 < x3 cannot be labeled (+, −, +): an interval containing x1 and x3 contains "
                  "x2. So no 3 points are shattered."),
    "unions-of-intervals": ("2k + 1 points x1 < x2 < ... < x_(2k+1) cannot be labeled + − + − ... +: its k + 1 + "
                            "points are separated by − points, so no interval holds two of them and k + 1 intervals "
                            "would be needed. So no 2k + 1 points are shattered."),
    "halfspaces": ("Any d + 2 points in ℝ^d are affinely dependent: Σ a_i·x_i = 0 and Σ a_i = 0 for some a ≠ 0 "
                   "(d + 1 equations, d + 2 unknowns). Let I = {i : a_i > 0}, J = {i : a_i < 0} and A = Σ_I a_i; then "
                   "z = Σ_I (a_i/A)·x_i = Σ_J (−a_j/A)·x_j is in the convex hull of the points of I and of those of J "
                   "(Radon's theorem). Label I + and J −: a halfspace containing every point of I contains z, and "
                   "one missing every point of J misses z. So no d + 2 points are shattered."),
    "homogeneous-halfspaces": ("Any d + 1 points in ℝ^d are linearly dependent: Σ a_i·x_i = 0 for some a ≠ 0; "
                               "choose the sign so that J = {i : a_i < 0} is not empty and label J −, the rest +. "
                               "Then Σ_J (−a_j)·x_j = Σ_(a_i > 0) a_i·x_i: w·(left side) < 0 but w·(right side) ≥ 0 "
                               "for any w that realises the labeling. So no d + 1 points are shattered."),
    "axis-aligned-rectangles": ("Among any 2d + 1 points, pick for each coordinate a point with the smallest and one "
                                "with the largest value: at most 2d points. A point that was not picked lies between "
                                "the picked extremes in every coordinate, i.e. in their bounding box. Label the picked "
                                "points + and it −: a box containing the picked points contains their bounding box. "
                                "So no 2d + 1 points are shattered."),
    "balls": ("Take any d + 2 points. By Radon's theorem they split into I and J whose convex hulls meet. If balls B1 "
              "and B2 realised both (I +, J −) and (J +, I −), then with f_m(x) = ‖x − c_m‖² − r_m², f1 ≤ 0 < f2 on I "
              "and f2 ≤ 0 < f1 on J, so the affine function f1 − f2 (the ‖x‖² terms cancel) is negative on I and "
              "positive on J — a hyperplane separating I from J, impossible when their hulls meet. So one of the two "
              "labelings fails: no d + 2 points are shattered."),
    "rectangles": ("No 8 points are shattered by rectangles of any orientation. If one of them lies in the convex "
                   "hull of the others, label it − and the others +: a rectangle is convex. Points in convex position "
                   "need a longer case analysis (the known result is VC = 7), which this solution does not reproduce; "
                   "the solver does decide any given set exactly — ask `shattered` with the eight points."),
}


def upper_argument(cls: str, orientation: str = "right") -> str:
    return UPPER[f"thresholds-{orientation}"] if cls == "thresholds" else UPPER[cls]
