"""Why a labeling is unrealisable, as data a student can check by hand, and the exact check.

Each certificate has `check(points, labeling)` (exact rational arithmetic, independent of how it
was found) and `text(points)` (the argument in words, with the numbers)."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from .hypotheses import Labeling, Point, dot, num, vec


def _name(i: int) -> str:
    return f"p{i + 1}"


def _combo(weights: dict[int, Fraction], points: list[Point]) -> tuple[Fraction, ...]:
    d = len(points[0])
    return tuple(sum((w * points[i][k] for i, w in weights.items()), Fraction(0)) for k in range(d))


def _combo_text(weights: dict[int, Fraction]) -> str:
    return " + ".join(f"{num(w)}·{_name(i)}" for i, w in sorted(weights.items()) if w != 0) or "0"


class Certificate:
    def check(self, points: list[Point], labeling: Labeling) -> bool:
        raise NotImplementedError

    def text(self, points: list[Point]) -> str:
        raise NotImplementedError


@dataclass(frozen=True)
class Repeated(Certificate):
    """Two equal points with different labels: no function labels one point two ways."""

    i: int
    j: int

    def check(self, points: list[Point], labeling: Labeling) -> bool:
        return points[self.i] == points[self.j] and labeling[self.i] != labeling[self.j]

    def text(self, points: list[Point]) -> str:
        return (f"{_name(self.i)} and {_name(self.j)} are the same point {vec(points[self.i])} but get different labels: "
                "a hypothesis gives one point one label")


@dataclass(frozen=True)
class ConvexWeights(Certificate):
    """Halfspaces with bias: a point in both convex hulls (Radon / Farkas). If w·x + b >= 0 on
    the + points and < 0 on the - points, the same convex combination z would have
    w·z + b >= 0 (from the + side) and < 0 (from the - side)."""

    plus: dict[int, Fraction]
    minus: dict[int, Fraction]

    def check(self, points: list[Point], labeling: Labeling) -> bool:
        return _convex(self.plus, labeling, 1) and _convex(self.minus, labeling, -1) and \
            _combo(self.plus, points) == _combo(self.minus, points)

    def text(self, points: list[Point]) -> str:
        z = vec(_combo(self.plus, points))
        return (f"z = {z} is in the convex hull of the + points, z = {_combo_text(self.plus)}, and in the convex hull "
                f"of the − points, z = {_combo_text(self.minus)} (nonnegative weights adding up to 1 on each side). "
                "A halfspace w·x + b ≥ 0 that holds at every + point holds at their convex combination z, and one that "
                "fails at every − point fails at z: no halfspace does both")


@dataclass(frozen=True)
class ConeWeights(Certificate):
    """Homogeneous halfspaces (+1 iff w·x >= 0): a convex combination z of - points that is also
    a nonnegative combination of + points: w·z < 0 from the - side, w·z >= 0 from the + side."""

    plus: dict[int, Fraction]  # nonnegative, any sum
    minus: dict[int, Fraction]  # nonnegative, sum 1

    def check(self, points: list[Point], labeling: Labeling) -> bool:
        ok_plus = all(labeling[i] == 1 and w >= 0 for i, w in self.plus.items())
        return ok_plus and _convex(self.minus, labeling, -1) and _combo(self.plus, points) == _combo(self.minus, points)

    def text(self, points: list[Point]) -> str:
        z = vec(_combo(self.minus, points))
        plus = _combo_text(self.plus) if any(self.plus.values()) else "0 (the empty combination)"
        return (f"z = {z} is a convex combination of − points, z = {_combo_text(self.minus)}, so w·z < 0 for any w that "
                f"makes every − point negative; but z = {plus} is a nonnegative combination of + points, so w·z ≥ 0 "
                "for any w that makes every + point nonnegative. No w does both")


@dataclass(frozen=True)
class BallWeights(Certificate):
    """Balls: weights λ on + points and μ on - points (each adding up to 1) with the same mean z
    and Σλ‖x‖² >= Σμ‖x‖². For any centre c, Σλ‖x − c‖² >= Σμ‖x − c‖² (the cross terms agree),
    so if every + point is within r of c, some - point is too."""

    plus: dict[int, Fraction]
    minus: dict[int, Fraction]

    def check(self, points: list[Point], labeling: Labeling) -> bool:
        if not (_convex(self.plus, labeling, 1) and _convex(self.minus, labeling, -1)):
            return False
        if _combo(self.plus, points) != _combo(self.minus, points):
            return False
        return _mean_sq(self.plus, points) >= _mean_sq(self.minus, points)

    def text(self, points: list[Point]) -> str:
        z = vec(_combo(self.plus, points))
        a, b = _mean_sq(self.plus, points), _mean_sq(self.minus, points)
        return (f"the weights {_combo_text(self.plus)} on the + points and {_combo_text(self.minus)} on the − points "
                f"(each adding up to 1) have the same mean z = {z}, and the + side's mean squared length "
                f"Σλ‖x‖² = {num(a)} ≥ Σμ‖x‖² = {num(b)}. For any centre c, Σλ‖x − c‖² = Σλ‖x‖² − 2c·z + ‖c‖² ≥ "
                "Σμ‖x − c‖²; if every + point were within the radius, so would be the μ-average of the − points, "
                "hence some − point: no ball does it")


@dataclass(frozen=True)
class InHull(Certificate):
    """A - point that is a convex combination of + points: a convex hypothesis (a ball, a
    rectangle) that contains the + points contains their convex hull."""

    minus_point: int
    plus: dict[int, Fraction]
    shape: str = "convex set"

    def check(self, points: list[Point], labeling: Labeling) -> bool:
        return labeling[self.minus_point] == -1 and _convex(self.plus, labeling, 1) and \
            _combo(self.plus, points) == points[self.minus_point]

    def text(self, points: list[Point]) -> str:
        j = self.minus_point
        return (f"the − point {_name(j)} = {vec(points[j])} = {_combo_text(self.plus)} is a convex combination of + points; "
                f"a {self.shape} is convex, so one that contains the + points contains {_name(j)} too")


@dataclass(frozen=True)
class InBox(Certificate):
    """Axis-aligned boxes: a - point inside the bounding box [lo, hi] of the + points (which
    every box containing the + points contains)."""

    minus_point: int
    lo: tuple[Fraction, ...]
    hi: tuple[Fraction, ...]

    def check(self, points: list[Point], labeling: Labeling) -> bool:
        plus = [p for p, y in zip(points, labeling) if y == 1]
        x = points[self.minus_point]
        if labeling[self.minus_point] != -1 or not plus:
            return False
        d = len(x)
        box_ok = all(self.lo[k] == min(p[k] for p in plus) and self.hi[k] == max(p[k] for p in plus) for k in range(d))
        return box_ok and all(self.lo[k] <= x[k] <= self.hi[k] for k in range(d))

    def text(self, points: list[Point]) -> str:
        j = self.minus_point
        x = points[j]
        d = len(x)
        names = ["x"] if d == 1 else [f"x{k + 1}" for k in range(d)]
        ranges = ", ".join(f"{num(self.lo[k])} ≤ {names[k]} = {num(x[k])} ≤ {num(self.hi[k])}" for k in range(d))
        what = "interval" if d == 1 else "axis-aligned box"
        return (f"the − point {_name(j)} = {vec(x)} lies between the smallest and largest + coordinates in every "
                f"direction ({ranges}): every {what} that contains the + points contains {_name(j)} too")


@dataclass(frozen=True)
class Order(Certificate):
    """Thresholds: a - point at or beyond a + point on the + side."""

    plus_point: int
    minus_point: int
    orientation: str  # right | left

    def check(self, points: list[Point], labeling: Labeling) -> bool:
        a, b = points[self.plus_point][0], points[self.minus_point][0]
        ok = b >= a if self.orientation == "right" else b <= a
        return labeling[self.plus_point] == 1 and labeling[self.minus_point] == -1 and ok

    def text(self, points: list[Point]) -> str:
        i, j = self.plus_point, self.minus_point
        rel = "≥" if self.orientation == "right" else "≤"
        side = "x ≥ t" if self.orientation == "right" else "x ≤ t"
        return (f"the − point {_name(j)} = {num(points[j][0])} {rel} the + point {_name(i)} = {num(points[i][0])}: a threshold "
                f"({side} is +1) that labels {_name(i)} + labels {_name(j)} + too")


@dataclass(frozen=True)
class Alternation(Certificate):
    """Thresholds of both orientations: + - + or - + - along the line."""

    a: int
    b: int
    c: int  # points[a] <= points[b] <= points[c], labeling[a] == labeling[c] != labeling[b]

    def check(self, points: list[Point], labeling: Labeling) -> bool:
        xa, xb, xc = points[self.a][0], points[self.b][0], points[self.c][0]
        return xa <= xb <= xc and labeling[self.a] == labeling[self.c] != labeling[self.b]

    def text(self, points: list[Point], labeling: Labeling | None = None) -> str:
        idx = (self.a, self.b, self.c)
        along = " ≤ ".join(f"{_name(i)} = {num(points[i][0])}" for i in idx)
        return (f"along the line {along}, and {_name(self.a)}, {_name(self.c)} share a label that {_name(self.b)} "
                "does not have: a threshold (of either orientation) changes the label only once along the line")


@dataclass(frozen=True)
class Runs(Certificate):
    """Unions of at most k intervals: k + 1 + points separated by - points along the line
    (+ − + − ... +). One interval covering two of these + points covers the − point between them."""

    sequence: tuple[int, ...]  # indices alternating +, -, +, ..., + in increasing position
    k: int

    def check(self, points: list[Point], labeling: Labeling) -> bool:
        seq = self.sequence
        if len(seq) != 2 * self.k + 1:
            return False
        xs = [points[i][0] for i in seq]
        return all(xs[t] < xs[t + 1] for t in range(len(xs) - 1)) and \
            all(labeling[i] == (1 if t % 2 == 0 else -1) for t, i in enumerate(seq))

    def text(self, points: list[Point]) -> str:
        seq = self.sequence
        pattern = " < ".join(f"{_name(i)} = {num(points[i][0])} ({'+' if t % 2 == 0 else '−'})" for t, i in enumerate(seq))
        many = "interval" if self.k == 1 else f"{self.k} intervals"
        return (f"along the line {pattern}: {self.k + 1} + points separated by − points. An interval that contains two "
                f"of these + points contains the − point between them, so each needs its own interval, and there "
                f"{'is' if self.k == 1 else 'are'} only {many}")


def _convex(weights: dict[int, Fraction], labeling: Labeling, side: int) -> bool:
    return bool(weights) and all(labeling[i] == side and w >= 0 for i, w in weights.items()) and \
        sum(weights.values(), Fraction(0)) == 1


def _mean_sq(weights: dict[int, Fraction], points: list[Point]) -> Fraction:
    return sum((w * dot(points[i], points[i]) for i, w in weights.items()), Fraction(0))
