"""max_pool computes the last output axis in tiles of 16 and never writes the last, partial tile.

The bug: `for j0 in range(0, W_out - 15, 16)` with no remainder tile, over an output buffer
allocated with zeros: when W_out > 16 and W_out % 16 != 0 the last W_out % 16 outputs of each
row stay 0 (a narrower output takes a scalar path and is right) [pool.max-def].  The tiled
twin of the missing SIMD tail loop; it shows only at sizes past the tile.
Caught by: pool.max-def, on an output wider than 16, not a multiple of 16.
"""

from __future__ import annotations

from cnnspec.targets import reference as correct
from cnnspec.targets.reference import avg_pool, conv, conv_transpose

__all__ = ["conv", "conv_transpose", "max_pool", "avg_pool", "EXPECTED_RULES"]

EXPECTED_RULES = ("pool.max-def",)

TILE = 16  # outputs per tile along the last axis


def max_pool(x, *, kernel, stride, padding, dilation, ceil_mode):
    y = correct.max_pool(x, kernel=kernel, stride=stride, padding=padding, dilation=dilation,
                         ceil_mode=ceil_mode)
    width = y.shape[-1]
    if width > TILE and width % TILE:
        y[..., width - width % TILE:] = 0  # BUG: the last, partial tile is never written
    return y
