"""Hypotheses as exact data: each labels a point (+1 or -1) in rational arithmetic and says
what it is in words. A witness is accepted only after `label` reproduces the labeling point by
point, so the text a student reads is the hypothesis that was checked."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

from ...answers.types import format_number

Point = tuple[Fraction, ...]
Labeling = tuple[int, ...]


def num(x: Fraction) -> str:
    return format_number(Fraction(x))


def vec(v: tuple[Fraction, ...] | list[Fraction]) -> str:
    return num(v[0]) if len(v) == 1 else "(" + ", ".join(num(x) for x in v) + ")"


def dot(a: Sequence[Fraction], b: Sequence[Fraction]) -> Fraction:
    return sum((Fraction(x) * Fraction(y) for x, y in zip(a, b)), Fraction(0))


def linear_text(w: Sequence[Fraction], b: Fraction | None, names: list[str]) -> str:
    """w·x + b written out: 2·x1 - x2 + 1/2."""
    out = ""
    for c, name in zip(w, names):
        if c == 0:
            continue
        mag = "" if abs(c) == 1 else f"{num(abs(c))}·"
        sign = "-" if c < 0 else "+"
        out += (f"{'-' if c < 0 else ''}{mag}{name}" if not out else f" {sign} {mag}{name}")
    if b is not None and b != 0:
        out += (f"{num(b)}" if not out else f" {'-' if b < 0 else '+'} {num(abs(b))}")
    return out or "0"


def coordinate_names(dim: int) -> list[str]:
    return ["x"] if dim == 1 else [f"x{i + 1}" for i in range(dim)]


class Hypothesis:
    def label(self, x: Point) -> int:
        raise NotImplementedError

    def text(self) -> str:
        raise NotImplementedError

    def labels(self, points: list[Point]) -> Labeling:
        return tuple(self.label(p) for p in points)


@dataclass(frozen=True)
class Threshold(Hypothesis):
    t: Fraction
    orientation: str  # right: +1 iff x >= t; left: +1 iff x <= t

    def label(self, x: Point) -> int:
        return 1 if (x[0] >= self.t if self.orientation == "right" else x[0] <= self.t) else -1

    def text(self) -> str:
        return f"+1 iff x {'≥' if self.orientation == 'right' else '≤'} {num(self.t)}"


@dataclass(frozen=True)
class Intervals(Hypothesis):
    """A union of closed intervals [a, b] on the line (the empty union labels everything -1)."""

    pieces: tuple[tuple[Fraction, Fraction], ...]

    def label(self, x: Point) -> int:
        return 1 if any(a <= x[0] <= b for a, b in self.pieces) else -1

    def text(self) -> str:
        if not self.pieces:
            return "the empty set (no interval): everything is -1"
        return "+1 on " + " ∪ ".join(f"[{num(a)}, {num(b)}]" for a, b in self.pieces)


@dataclass(frozen=True)
class Halfspace(Hypothesis):
    """+1 iff w·x + b >= 0 (b = 0 for a homogeneous halfspace)."""

    w: tuple[Fraction, ...]
    b: Fraction
    homogeneous: bool = False

    def label(self, x: Point) -> int:
        return 1 if dot(self.w, x) + self.b >= 0 else -1

    def text(self) -> str:
        names = coordinate_names(len(self.w))
        if all(c == 0 for c in self.w):
            return f"w = 0{'' if self.homogeneous else f', b = {num(self.b)}'}: every point is {'+1' if self.b >= 0 else '−1'}"
        head = f"w = {vec(self.w)}" + ("" if self.homogeneous else f", b = {num(self.b)}")
        return f"{head}: +1 iff {linear_text(self.w, None if self.homogeneous else self.b, names)} ≥ 0"


@dataclass(frozen=True)
class Box(Hypothesis):
    """An axis-aligned box lo <= x <= hi (closed)."""

    lo: tuple[Fraction, ...]
    hi: tuple[Fraction, ...]

    def label(self, x: Point) -> int:
        return 1 if all(a <= v <= b for a, v, b in zip(self.lo, x, self.hi)) else -1

    def text(self) -> str:
        if len(self.lo) == 1:
            return f"+1 on [{num(self.lo[0])}, {num(self.hi[0])}]"
        return "+1 on " + " × ".join(f"[{num(a)}, {num(b)}]" for a, b in zip(self.lo, self.hi))


@dataclass(frozen=True)
class Ball(Hypothesis):
    """+1 iff ||x - c||² <= r² (closed ball; r² = 0 is the single point c)."""

    center: tuple[Fraction, ...]
    r2: Fraction

    def label(self, x: Point) -> int:
        return 1 if sum(((a - c) ** 2 for a, c in zip(x, self.center)), Fraction(0)) <= self.r2 else -1

    def text(self) -> str:
        return f"centre {vec(self.center)}, r² = {num(self.r2)}: +1 iff ‖x − {vec(self.center)}‖² ≤ {num(self.r2)}"


@dataclass(frozen=True)
class Rectangle(Hypothesis):
    """A rectangle with sides along u = (u1, u2) and v = (-u2, u1): s_lo <= u·x <= s_hi and
    t_lo <= v·x <= t_hi. u need not be a unit vector (it is rational; both sides scale alike)."""

    u: tuple[Fraction, Fraction]
    s_lo: Fraction
    s_hi: Fraction
    t_lo: Fraction
    t_hi: Fraction

    @property
    def v(self) -> tuple[Fraction, Fraction]:
        return (-self.u[1], self.u[0])

    def label(self, x: Point) -> int:
        s, t = dot(self.u, x), dot(self.v, x)
        return 1 if self.s_lo <= s <= self.s_hi and self.t_lo <= t <= self.t_hi else -1

    def text(self) -> str:
        import math

        names = ["x1", "x2"]
        deg = math.degrees(math.atan2(float(self.u[1]), float(self.u[0])))
        turn = "axis-aligned" if self.u[1] == 0 else f"turned by {deg:.1f}°"
        return (f"rectangle {turn}: {num(self.s_lo)} ≤ {linear_text(self.u, None, names)} ≤ {num(self.s_hi)} and "
                f"{num(self.t_lo)} ≤ {linear_text(self.v, None, names)} ≤ {num(self.t_hi)}")


def labeling_text(labeling: Labeling) -> str:
    return " ".join("+" if v > 0 else "-" for v in labeling) if labeling else "(empty)"
