"""The one rule for pooling padding, shared by the `convolution` and `network` kinds.

PyTorch's max and average pooling (`max_pool2d`, `avg_pool2d`, their 1-d forms) refuse a padding
larger than half the kernel size: padding <= ⌊kernel_size/2⌋ per axis, judged against the
*undilated* kernel even when the window is dilated ("pad should be smaller than or equal to half
of kernel size"). A pooling window that is all padding would otherwise be possible.
"""

from __future__ import annotations


def pooling_padding_error(padding: int, kernel_size: int) -> str | None:
    """None when PyTorch accepts `padding` for a pooling window of `kernel_size`; else why not."""
    if padding > kernel_size // 2:
        return (f"padding {padding} is more than half the kernel size {kernel_size}: PyTorch's pooling requires "
                f"padding <= kernel_size/2 = {kernel_size // 2}, for the undilated kernel whatever the dilation")
    return None


__all__ = ["pooling_padding_error"]
