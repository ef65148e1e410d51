"""The `given` of `shattering` and `vc-dimension`: a hypothesis class, a dimension, points."""

from __future__ import annotations

import re
from collections.abc import Callable
from fractions import Fraction
from typing import Any

from ...answers.types import LabelingType
from ...errors import InvalidAnswer
from ...spec.schema import Checker, Custom, Field, ListOf, Map, Str, exact_number
from .._spec_numbers import finite_number
from .classes import CLASSES, ONE_DIMENSIONAL

ALIASES = {
    "linear-classifiers": "halfspaces", "linear": "halfspaces", "perceptrons": "halfspaces",
    "affine-halfspaces": "halfspaces", "halfspaces-with-bias": "halfspaces", "linear-separators": "halfspaces",
    "homogeneous": "homogeneous-halfspaces", "halfspaces-through-origin": "homogeneous-halfspaces",
    "linear-classifiers-without-bias": "homogeneous-halfspaces",
    "threshold": "thresholds", "interval": "intervals",
    "union-of-intervals": "unions-of-intervals", "k-intervals": "unions-of-intervals",
    "boxes": "axis-aligned-rectangles", "axis-aligned-boxes": "axis-aligned-rectangles",
    "axis-aligned-rectangle": "axis-aligned-rectangles",
    "ball": "balls", "disks": "balls", "discs": "balls", "circles": "balls", "spheres": "balls",
    "rotatable-rectangles": "rectangles", "rotated-rectangles": "rectangles", "oriented-rectangles": "rectangles",
    "rectangle": "rectangles",
}

TITLES = {
    "thresholds": "thresholds on the line",
    "intervals": "closed intervals on the line",
    "unions-of-intervals": "unions of at most k closed intervals on the line",
    "halfspaces": "halfspaces with bias (linear classifiers w·x + b ≥ 0)",
    "homogeneous-halfspaces": "homogeneous halfspaces (linear classifiers through the origin, w·x ≥ 0)",
    "axis-aligned-rectangles": "axis-aligned rectangles (boxes)",
    "balls": "closed balls",
    "rectangles": "rectangles that may be turned (any orientation)",
}


def _class_name(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError(f"got {value!r}")
    name = value.strip().lower().replace("_", "-").replace(" ", "-")
    name = ALIASES.get(name, name)
    if name not in CLASSES:
        raise ValueError(f"unknown class {value!r}")
    return name


SYMBOL = re.compile(r"[a-zA-Z]\w{0,9}")


def _whole_or_symbol(top: int, symbol: str) -> Callable[[Any], Any]:
    """A reader of a whole number from 1 to `top`, or of a symbol name (`d`, `k`) for an answer in terms of it."""
    def read(value: Any) -> Any:
        if isinstance(value, str) and SYMBOL.fullmatch(value.strip()) and value.strip() not in ("e", "pi"):
            return value.strip()
        if isinstance(value, bool):
            raise ValueError(f"got {value!r}")
        try:
            x = exact_number(value)
        except InvalidAnswer as exc:
            raise ValueError(exc.reason) from None
        if isinstance(x, float) or x.denominator != 1 or x < 1 or x > top:
            raise ValueError(f"got {value!r} (a whole number from 1 to {top}, or a symbol such as {symbol})")
        return int(x)
    return read


def _point(value: Any) -> tuple[Fraction, ...]:
    items = value if isinstance(value, list) else [value]
    if not items:
        raise ValueError("an empty point")
    return tuple(finite_number(v) for v in items)


def parse_labeling(value: Any) -> tuple[int, ...]:
    try:
        lab = LabelingType().parse(value, {})
    except InvalidAnswer as exc:
        raise ValueError(exc.reason) from None
    if lab is None:
        raise ValueError("a labeling such as [1, -1, 1] or '+ - +'")
    return tuple(lab)


CLASS = Custom(_class_name, description="one of " + ", ".join(CLASSES))
DIMENSION = Custom(_whole_or_symbol(12, "d"), description="a whole number from 1 to 12, or a symbol such as d")
K = Custom(_whole_or_symbol(50, "k"), description="a whole number >= 1 (or a symbol such as k)")
POINT = Custom(_point, description="a point: a list of numbers (or one number on the line)")
LABELING = Custom(parse_labeling, description="a labeling: [1, -1, 1] or '+ - +'")
ORIENTATION = Str(choices=("right", "left", "both"))


def check_given(g: dict[str, Any], path: tuple, c: Checker, points_required: bool) -> None:
    cls = g["hypothesis_class"]
    pts = g.get("points")
    dim = g.get("dimension")
    if points_required and pts is None:
        c.error(path, "missing required key 'points' (the point set to shatter)")
        return
    if cls in ONE_DIMENSIONAL or cls == "rectangles":
        need = 1 if cls in ONE_DIMENSIONAL else 2
        if dim is not None and dim != need:
            c.error(path + ("dimension",), f"{cls} live in {need} dimension{'s' if need > 1 else ''}, not {dim}")
            return
    if pts:
        lengths = {len(p) for p in pts}
        want = dim if isinstance(dim, int) else (1 if cls in ONE_DIMENSIONAL else 2 if cls == "rectangles"
                                                 else len(pts[0]))
        for i, p in enumerate(pts):
            if len(p) != want:
                c.error(path + ("points", i), f"this point has {len(p)} coordinate{'s' if len(p) != 1 else ''}, "
                        f"but the points are in {want} dimension{'s' if want != 1 else ''}"
                        + ("" if dim is not None or len(lengths) == 1 else " (as the first point)"))
        if isinstance(dim, str):
            c.error(path + ("dimension",), "with points given, the dimension is a number (a symbol is for "
                                           "`vc_dimension` without points)")
    if cls != "unions-of-intervals" and g.get("k") not in (None, 1):
        c.error(path + ("k",), f"k is the number of intervals of unions-of-intervals; {cls} has none")
    if cls != "thresholds" and g.get("orientation") not in (None, "right"):
        c.error(path + ("orientation",), "orientation is for thresholds")


def given_schema(points_required: bool) -> Map:
    return Map({
        "hypothesis_class": Field(CLASS, required=True, doc="the class H"),
        "dimension": Field(DIMENSION, doc="the dimension d of the input space (from the points when omitted; "
                                          "a symbol such as d gives vc_dimension as an expression)"),
        "points": Field(ListOf(POINT, max_len=64, description="a list of points, e.g. [[0, 0], [1, 0], [0, 1]]"),
                        required=False,
                        doc="the point set (" + ("required" if points_required else "for shattered and "
                                                 "unrealizable_labeling") + ")"),
        "k": Field(K, doc="unions-of-intervals: at most k intervals (default 1)"),
        "orientation": Field(ORIENTATION, doc="thresholds: right (+1 iff x ≥ t, the default), left (+1 iff x ≤ t) "
                                              "or both"),
    }, check_all=lambda g, p, c: check_given(g, p, c, points_required), description="a hypothesis class and points")
