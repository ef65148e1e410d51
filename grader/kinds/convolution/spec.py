"""Schema nodes of the `convolution` kind: matrices of numbers or symbol names, pairs, indices."""

from __future__ import annotations

import re
from fractions import Fraction
from typing import Any

from ...errors import InvalidAnswer
from ...spec.schema import INVALID, Checker, Node, exact_number
from .core import Name

MAX_SIDE = 40  # rows or columns of a matrix in a spec
IDENTIFIER = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,19}")
RESERVED = {"pi", "inf", "infinity", "oo", "nan"}  # names the answer parser reads as constants


def _shown(value: Any) -> str:
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, dict):
        return "a map"
    if isinstance(value, list):
        return "a list"
    return repr(value) if isinstance(value, str) else str(value)


class MatrixNode(Node):
    """A rectangular matrix: a list of rows of equal length, of numbers or (if allowed) symbol names.

    Numbers become exact Fractions ("1/3", 0.5, "2**3"); a string that is a name (`a`, `w1`)
    becomes a `Name`, turned into a real sympy Symbol by the solver.
    """

    def __init__(self, symbols: bool = True, description: str = ""):
        self.symbols = symbols
        self.description = description or (
            "a rectangular matrix (list of rows) of numbers or symbol names, e.g. [[1, 2], [3, 4]] or [[a, b], [c, d]]"
            if symbols else "a rectangular matrix (list of rows) of numbers")

    def check(self, value: Any, path: tuple, c: Checker) -> Any:
        if not isinstance(value, list) or not value:
            return c.error(path, f"expected {self.describe()}, got {_shown(value) if value != [] else 'an empty list'}")
        if not all(isinstance(row, list) for row in value):
            if all(not isinstance(row, (list, dict)) for row in value):
                return c.error(path, "expected a matrix: a list of rows; write a single row as [[1, 2, 3]], not [1, 2, 3]")
            bad = next(i for i, row in enumerate(value) if not isinstance(row, list))
            return c.error(path + (bad,), f"expected a row (a list of entries), got {_shown(value[bad])}")
        if len(value) > MAX_SIDE or any(len(row) > MAX_SIDE for row in value):
            return c.error(path, f"matrix too large: at most {MAX_SIDE} rows and {MAX_SIDE} columns")
        width = len(value[0])
        ok = True
        for i, row in enumerate(value):
            if not row:
                c.error(path + (i,), "expected a row with at least one entry, got an empty list")
                ok = False
            elif len(row) != width:
                c.error(path + (i,), f"the matrix is not rectangular: row {i} has {len(row)} entries, "
                                     f"row 0 has {width} (rows count from 0)")
                ok = False
        if not ok:
            return INVALID
        out = [[self._entry(v, path + (i, j), c) for j, v in enumerate(row)] for i, row in enumerate(value)]
        if any(v is INVALID for row in out for v in row):
            return INVALID
        return out

    def _entry(self, value: Any, path: tuple, c: Checker) -> Any:
        what = "a number or a symbol name" if self.symbols else "a number"
        if isinstance(value, bool) or value is None or isinstance(value, (list, dict)):
            return c.error(path, f"expected {what}, got {_shown(value)}")
        if isinstance(value, str) and IDENTIFIER.fullmatch(value.strip()):
            name = value.strip()
            if not self.symbols:
                return c.error(path, f"expected a number, got the name {name!r}")
            if name.lower() in RESERVED:
                return c.error(path, f"{name!r} cannot be a symbol name here (it reads as a constant); choose another")
            return Name(name)
        try:
            x = exact_number(value)
        except InvalidAnswer as exc:
            return c.error(path, f"expected {what}, got {_shown(value)} ({exc.reason})")
        if not isinstance(x, Fraction):
            return c.error(path, f"expected a finite number, got {_shown(value)}")
        return x


class PairNode(Node):
    """A whole number, or a pair [rows, columns] of whole numbers; returned as a tuple (h, w)."""

    def __init__(self, minimum: int, what: str):
        self.minimum = minimum
        self.description = f"a whole number >= {minimum}, or a pair [rows, columns] of them ({what})"

    def check(self, value: Any, path: tuple, c: Checker) -> Any:
        items = value if isinstance(value, list) else [value]
        if isinstance(value, list) and len(value) != 2:
            return c.error(path, f"expected {self.describe()}, got a list of {len(value)} items")
        out = []
        for k, item in enumerate(items):
            where = path + (k,) if isinstance(value, list) else path
            x = self._int(item)
            if x is None:
                return c.error(where, f"expected {self.describe()}, got {_shown(item)}")
            if x < self.minimum:
                return c.error(where, f"expected {self.describe()}, got {x}")
            out.append(x)
        return (out[0], out[-1])

    @staticmethod
    def _int(value: Any) -> int | None:
        if isinstance(value, bool) or isinstance(value, (list, dict)) or value is None:
            return None
        try:
            x = exact_number(value)
        except InvalidAnswer:
            return None
        if not isinstance(x, Fraction) or x.denominator != 1:
            return None
        return int(x)


class IndexNode(Node):
    """A position [row, column] counted from 0; negative indices count from the end (as numpy)."""

    description = "a position [row, column], 0-based; negative indices count from the end ([-1, -1] is bottom-right)"

    def check(self, value: Any, path: tuple, c: Checker) -> Any:
        if not isinstance(value, list) or len(value) != 2:
            return c.error(path, f"expected {self.describe()}, got {_shown(value)}")
        out = []
        for k, item in enumerate(value):
            x = PairNode._int(item)
            if x is None:
                return c.error(path + (k,), f"expected a whole number (an index), got {_shown(item)}")
            out.append(x)
        return (out[0], out[1])
