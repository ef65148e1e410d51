"""Scalars, vectors and matrices of exact sympy entries, with the shapes numpy would give them.

A Tensor is a shape — () for a scalar, (n,) for a vector, (m, n) for a matrix — and its entries in
row-major order. Elementwise operations broadcast a scalar against anything and otherwise need
equal shapes; `matmul` and `dot` follow numpy (a vector on the right of a matrix is a column).
A shape that does not fit raises ShapeError with a sentence a spec author can act on.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any


class ShapeError(ValueError):
    pass


@dataclass(frozen=True)
class Tensor:
    shape: tuple[int, ...]
    data: tuple[Any, ...]

    @staticmethod
    def scalar(x: Any) -> Tensor:
        return Tensor((), (x,))

    @property
    def is_scalar(self) -> bool:
        return self.shape == ()

    @property
    def item(self) -> Any:
        assert self.is_scalar
        return self.data[0]

    def rows(self) -> list[list[Any]]:
        m, n = self.shape
        return [list(self.data[i * n:(i + 1) * n]) for i in range(m)]

    def nested(self) -> Any:
        """A scalar, a list, or a list of rows (the answer types' value)."""
        if self.is_scalar:
            return self.data[0]
        if len(self.shape) == 1:
            return list(self.data)
        return self.rows()

    def map(self, fn: Callable[[Any], Any]) -> Tensor:
        return Tensor(self.shape, tuple(fn(x) for x in self.data))

    def element_name(self, name: str, k: int) -> str:
        if self.is_scalar:
            return name
        if len(self.shape) == 1:
            return f"{name}[{k}]"
        return f"{name}[{k // self.shape[1]},{k % self.shape[1]}]"


def shape_text(shape: tuple[int, ...]) -> str:
    if shape == ():
        return "scalar"
    if len(shape) == 1:
        return f"vector of {shape[0]}"
    return f"{shape[0]}×{shape[1]}"


def from_nested(value: Any, convert: Callable[[Any], Any]) -> Tensor:
    if not isinstance(value, list):
        return Tensor.scalar(convert(value))
    if value and isinstance(value[0], list):
        n = len(value[0])
        return Tensor((len(value), n), tuple(convert(x) for row in value for x in row))
    return Tensor((len(value),), tuple(convert(x) for x in value))


def elementwise(op: str, fn: Callable[..., Any], args: Sequence[Tensor]) -> Tensor:
    shapes = {a.shape for a in args if not a.is_scalar}
    if len(shapes) > 1:
        raise ShapeError(f"'{op}' needs equal shapes (or a scalar), got "
                         + " and ".join(shape_text(a.shape) for a in args))
    shape = shapes.pop() if shapes else ()
    size = _size(shape)
    cols = [a.data * size if a.is_scalar else a.data for a in args]
    return Tensor(shape, tuple(fn(*xs) for xs in zip(*cols)))


def _size(shape: tuple[int, ...]) -> int:
    out = 1
    for s in shape:
        out *= s
    return out


def dot(a: Tensor, b: Tensor) -> Tensor:
    if len(a.shape) != 1 or a.shape != b.shape:
        raise ShapeError(f"dot needs two vectors of the same length, got {shape_text(a.shape)} and {shape_text(b.shape)}")
    return Tensor.scalar(_sum([x * y for x, y in zip(a.data, b.data)]))


def matmul(a: Tensor, b: Tensor) -> Tensor:
    if a.is_scalar or b.is_scalar:
        raise ShapeError("matmul needs a matrix or a vector on each side (use * to scale by a scalar)")
    if len(a.shape) == 1 and len(b.shape) == 1:
        return dot(a, b)
    m, k = (1, a.shape[0]) if len(a.shape) == 1 else a.shape
    k2, n = (b.shape[0], 1) if len(b.shape) == 1 else b.shape
    if k != k2:
        raise ShapeError(f"matmul of {shape_text(a.shape)} by {shape_text(b.shape)}: the inner sizes {k} and {k2} differ")
    out = [_sum([a.data[i * k + t] * b.data[t * n + j] for t in range(k)]) for i in range(m) for j in range(n)]
    if len(a.shape) == 1:
        return Tensor((n,), tuple(out))
    if len(b.shape) == 1:
        return Tensor((m,), tuple(out))
    return Tensor((m, n), tuple(out))


def transpose(a: Tensor) -> Tensor:
    if len(a.shape) < 2:
        return a
    m, n = a.shape
    return Tensor((n, m), tuple(a.data[i * n + j] for j in range(n) for i in range(m)))


def total(a: Tensor) -> Tensor:
    return Tensor.scalar(_sum(list(a.data)))


def mean(a: Tensor) -> Tensor:
    return Tensor.scalar(_sum(list(a.data)) / len(a.data))


def _sum(xs: list[Any]) -> Any:
    import sympy as sp

    return sp.Add(*xs)
