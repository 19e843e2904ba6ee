"""conv computes the last output axis in tiles of 32 and reads the windows of the tail one cell to the right.

The bug: the output positions p >= 32 of the last spatial axis (those past the first tile of
32) are computed by a second loop whose input offset is off by one: it reads the padded input
at p*s + t*d + 1 instead of p*s + t*d (the last window reads one cell past the end: a zero
here, garbage in C) [conv.def].  The classic tail-tile bug of tiled and vectorized kernels
(an index computed from the tile start and the lane with an extra +1); outputs of at most 32
are right, so it shows only on outputs wider than 32.
Caught by: conv.def's large cases (outputs up to 129 wide).
"""

from __future__ import annotations

import numpy as np

from cnnspec.targets import reference as correct
from cnnspec.targets.reference import avg_pool, conv_transpose, max_pool

__all__ = ["conv", "conv_transpose", "max_pool", "avg_pool", "EXPECTED_RULES"]

EXPECTED_RULES = ("conv.def",)

TILE = 32  # output positions per tile along the last axis


def conv(x, w, b, *, stride, padding, dilation, groups):
    y = correct.conv(x, w, b, stride=stride, padding=padding, dilation=dilation, groups=groups)
    if y.shape[-1] <= TILE:
        return y
    rank = x.ndim - 2
    # the padded input moved one cell left along the last axis, a zero coming in at the end
    xpad = np.pad(x, [(0, 0), (0, 0), *padding[:-1], (padding[-1][0], padding[-1][1] + 1)])
    tail = correct.conv(xpad[..., 1:], w, b, stride=stride, padding=((0, 0),) * rank,
                        dilation=dilation, groups=groups)  # (N, C_out, *out)
    y[..., TILE:] = tail[..., TILE:]  # BUG: the tail tile reads one cell to the right
    return y
