"""Reading a number a spec writes where a kind computes exactly: 0.1 is 1/10, "1/3" is 1/3.

Kinds read such values inside their `Custom` schema nodes, which turn the ValueError raised here
into a spec error at the value's line. A float (inf, or a number too large to be exact) is refused:
an exact computation cannot take it.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from ..errors import InvalidAnswer


def finite_number(value: Any) -> Fraction:
    """`value` as an exact, finite number; ValueError saying why not."""
    from ..spec.schema import exact_number

    if value is None or isinstance(value, (bool, list, dict)):
        raise ValueError(f"a number was expected, got {value!r}")
    try:
        x = exact_number(value)
    except InvalidAnswer as exc:
        raise ValueError(f"{value!r} is not a number ({exc.reason})") from None
    if isinstance(x, float):
        raise ValueError(f"{value!r} is not a finite number")
    return x
