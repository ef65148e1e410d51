"""Exact 2-D cross-correlation, true convolution and pooling of small matrices.

Matrices are lists of rows. Entries are exact numbers (Fraction) or sympy expressions; nothing
here imports sympy or numpy, so numeric problems stay light. A padded cell is `None`: zero for a
convolution, ignored by max pooling (PyTorch pads max pooling with -inf), zero for average pooling
(counted in the divisor or not, as `count_include_pad` says).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

Pair = tuple[int, int]
Matrix = list[list[Any]]


class Name(str):
    """A symbol name written as a matrix entry (`a`, `w`); the solver turns it into a sympy Symbol."""


@dataclass(frozen=True)
class Geometry:
    """Input size, window size, stride, padding and dilation, per axis (rows, columns)."""

    size: Pair  # input H, W
    window: Pair  # kernel or pool size k_h, k_w
    stride: Pair
    padding: Pair
    dilation: Pair = (1, 1)

    @property
    def effective(self) -> Pair:
        """The span a dilated window covers: d·(k − 1) + 1."""
        return (self.dilation[0] * (self.window[0] - 1) + 1, self.dilation[1] * (self.window[1] - 1) + 1)

    @property
    def padded(self) -> Pair:
        return (self.size[0] + 2 * self.padding[0], self.size[1] + 2 * self.padding[1])

    def fits(self) -> bool:
        return all(self.effective[a] <= self.padded[a] for a in (0, 1))

    def out_exact(self, axis: int) -> Fraction:
        """(n + 2p − k_eff)/s + 1 before rounding down (what a student who forgot the floor writes)."""
        return Fraction(self.padded[axis] - self.effective[axis], self.stride[axis]) + 1

    @property
    def out(self) -> Pair:
        """⌊(n + 2p − k_eff)/s⌋ + 1 per axis."""
        return ((self.padded[0] - self.effective[0]) // self.stride[0] + 1,
                (self.padded[1] - self.effective[1]) // self.stride[1] + 1)

    def cells(self, i: int, j: int) -> list[list[Pair]]:
        """Padded-input coordinates under the window of output (i, j), one row per window row."""
        r0, c0 = i * self.stride[0], j * self.stride[1]
        return [[(r0 + u * self.dilation[0], c0 + v * self.dilation[1]) for v in range(self.window[1])]
                for u in range(self.window[0])]

    def is_pad(self, r: int, c: int) -> bool:
        """Whether padded-input cell (r, c) is padding."""
        return not (self.padding[0] <= r < self.padding[0] + self.size[0]
                    and self.padding[1] <= c < self.padding[1] + self.size[1])


def pad(x: Matrix, padding: Pair) -> Matrix:
    """`x` with padding rows and columns of `None` on every side."""
    ph, pw = padding
    width = len(x[0]) + 2 * pw
    blank = [None] * width
    return ([list(blank) for _ in range(ph)] + [[None] * pw + list(row) + [None] * pw for row in x]
            + [list(blank) for _ in range(ph)])


def flip(k: Matrix) -> Matrix:
    """The kernel rotated by 180° (flipped up-down and left-right): what true convolution slides."""
    return [list(reversed(row)) for row in reversed(k)]


def terms(xp: Matrix, k: Matrix, g: Geometry, i: int, j: int) -> list[tuple[Any, Any]]:
    """(input entry or None, kernel entry) pairs multiplied for output (i, j), row by row."""
    return [(xp[r][c], k[u][v]) for u, row in enumerate(g.cells(i, j)) for v, (r, c) in enumerate(row)]


def correlate(x: Matrix, k: Matrix, g: Geometry, total: Callable[[list[Any]], Any]) -> Matrix:
    """Cross-correlation: out[i][j] = Σ_u Σ_v x_pad[i·s_h + u·d_h][j·s_w + v·d_w] · k[u][v].

    `total` adds a list of products (sum for Fractions, sympy.Add for expressions); padded cells
    contribute nothing.
    """
    xp = pad(x, g.padding)
    return [[total([a * b for a, b in terms(xp, k, g, i, j) if a is not None]) for j in range(g.out[1])]
            for i in range(g.out[0])]


def window_values(xp: Matrix, g: Geometry, i: int, j: int) -> list[Any]:
    """The entries under window (i, j), row by row; None for padded cells."""
    return [xp[r][c] for row in g.cells(i, j) for (r, c) in row]


def pool_one(values: list[Any], how: str, count_include_pad: bool, total: Callable[[list[Any]], Any]) -> Any:
    """Max or mean of one window's values (None = padding; `max0` takes the max with padding as 0)."""
    real = [v for v in values if v is not None]
    if how == "max":
        return max(real)
    if how == "max0":
        return max(0 if v is None else v for v in values)
    divisor = len(values) if count_include_pad else len(real)
    return total(real) / divisor


def pool(x: Matrix, g: Geometry, how: str, count_include_pad: bool, total: Callable[[list[Any]], Any]) -> Matrix:
    """Max pooling (`how="max"`), average pooling (`how="avg"`) of `x`, or `max0` (a zero-padded max)."""
    xp = pad(x, g.padding)
    return [[pool_one(window_values(xp, g, i, j), how, count_include_pad, total) for j in range(g.out[1])]
            for i in range(g.out[0])]


def empty_windows(g: Geometry) -> list[Pair]:
    """Outputs whose window holds padding only (max pooling of them is undefined)."""
    out = []
    for i in range(g.out[0]):
        for j in range(g.out[1]):
            if all(g.is_pad(r, c) for row in g.cells(i, j) for (r, c) in row):
                out.append((i, j))
    return out
