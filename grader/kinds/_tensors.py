"""Small exact tensors for the kinds that compute with them (normalization, rnn-cell).

A spec writes a tensor as a rectangular nested list of exact numbers; `tensor_node` validates it
(ragged rows, too many entries, non-numbers are spec errors with their key path) and gives a
`Tensor`: a shape and its entries in row-major order, kept exact (Fractions, or sympy numbers once
a square root enters). `shown` prints a value the way a TA would write it: exact rationals as
they are, anything irrational as a 6-significant-digit decimal.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from ..answers.types import approx, format_number
from ..spec.schema import Custom
from ._exact import rational_as_fraction
from ._spec_numbers import finite_number

MAX_ENTRIES = 1024


@dataclass
class Tensor:
    shape: tuple[int, ...]
    data: list[Any]

    def index(self, idx: tuple[int, ...]) -> int:
        flat = 0
        for i, n in zip(idx, self.shape):
            flat = flat * n + i
        return flat

    def __getitem__(self, idx: tuple[int, ...]) -> Any:
        return self.data[self.index(idx)]

    def indices(self) -> list[tuple[int, ...]]:
        return list(itertools.product(*(range(n) for n in self.shape)))

    def nested(self) -> Any:
        return nest(self.data, self.shape)

    @property
    def size(self) -> int:
        return len(self.data)


def nest(flat: list[Any], shape: tuple[int, ...]) -> Any:
    """Row-major entries as nested lists of `shape` (a scalar for shape ())."""
    if not shape:
        return flat[0]
    if len(shape) == 1:
        return list(flat)
    step = len(flat) // shape[0]
    return [nest(flat[i * step:(i + 1) * step], shape[1:]) for i in range(shape[0])]


def _shape_of(value: Any, depth: int = 0) -> tuple[int, ...]:
    if not isinstance(value, list):
        return ()
    if not value:
        raise ValueError("an empty list")
    first = _shape_of(value[0], depth + 1)
    for item in value[1:]:
        if _shape_of(item, depth + 1) != first:
            raise ValueError("rows of different lengths (a tensor must be rectangular)")
    return (len(value),) + first


def _flatten(value: Any) -> list[Any]:
    if isinstance(value, list):
        return [x for item in value for x in _flatten(item)]
    return [value]


def read_tensor(value: Any, min_dims: int, max_dims: int) -> Tensor:
    """A nested list of exact numbers as a Tensor; ValueError says what is wrong."""
    if not isinstance(value, list):
        raise ValueError(f"got {type(value).__name__ if value is not None else 'nothing'}")
    shape = _shape_of(value)
    if not min_dims <= len(shape) <= max_dims:
        want = str(min_dims) if min_dims == max_dims else f"{min_dims} to {max_dims}"
        raise ValueError(f"{len(shape)} dimension(s), {want} expected")
    flat = _flatten(value)
    if len(flat) > MAX_ENTRIES:
        raise ValueError(f"{len(flat)} entries (at most {MAX_ENTRIES})")
    return Tensor(shape, [finite_number(x) for x in flat])


def tensor_node(min_dims: int, max_dims: int, description: str) -> Custom:
    return Custom(lambda v: read_tensor(v, min_dims, max_dims), description=description)


def shown(value: Any) -> str:
    """An exact rational as written (5/2, 0.25); an irrational number as a decimal (0.447214)."""
    if isinstance(value, (int, Fraction)):
        return format_number(value)
    if getattr(value, "is_Rational", False):
        return format_number(rational_as_fraction(value))
    return approx(value)


def shown_nested(value: Any) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(shown_nested(v) for v in value) + "]"
    return shown(value)
