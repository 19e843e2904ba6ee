"""conv sums the input channels in blocks of 8 and drops the last, partial block.

The bug: a vectorized loop `for c0 in range(0, Cg - 7, 8)` with no remainder loop: when a
group has more than 8 input channels and Cg % 8 != 0, the last Cg % 8 channels never enter
the sum (with Cg <= 8 a scalar path runs and is right) [conv.def].  The missing tail loop is
the classic bug of SIMD and tiled kernels; it shows only at sizes past the block.
Caught by: conv.def, on Cg > 8 input channels per group, not a multiple of 8.
"""

from __future__ import annotations

from cnnspec.targets import reference as correct
from cnnspec.targets.reference import avg_pool, conv_transpose, max_pool

__all__ = ["conv", "conv_transpose", "max_pool", "avg_pool", "EXPECTED_RULES"]

EXPECTED_RULES = ("conv.def",)

BLOCK = 8  # input channels per vector


def conv(x, w, b, *, stride, padding, dilation, groups):
    cg = w.shape[1]
    if cg > BLOCK and cg % BLOCK:
        w = w.copy()
        w[:, cg - cg % BLOCK:] = 0  # BUG: the tail channels never enter the sum
    return correct.conv(x, w, b, stride=stride, padding=padding, dilation=dilation, groups=groups)
