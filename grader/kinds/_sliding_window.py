"""The output size of a sliding window (convolution, pooling) as a formula, shared by the
`convolution` and `network` kinds so both write it the same way:

    out = ⌊(n + 2·p − k)/s⌋ + 1        (or ⌈…⌉ for ceil_mode; k may be written d·(k − 1) + 1)

Each caller builds it twice, once with symbols and once with the numbers, from the same terms.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..formula import Add, Call, Div, Math, Num, Sub


def window_count(size: Math, padding: Sequence[Math], minus: Sequence[Math], stride: Math,
                 rounding: str = "floor") -> Math:
    """⌊(size + padding… − minus…)/stride⌋ + 1: the positions a window takes along one axis."""
    top: Math = Add((size, *padding)) if padding else size
    for m in minus:
        top = Sub(top, m)
    return Add((Call(rounding, Div(top, stride)), Num(1)))


def padding_terms(left: Math, right: Math, same: bool) -> list[Math]:
    """2·p when both sides are padded alike, else p_l + p_r."""
    return [Num(2) * left] if same else [left, right]
