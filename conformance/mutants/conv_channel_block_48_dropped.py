"""conv accumulates the input channels of a group in blocks of 16 and stops after the third block.

The bug: the channel loop of a blocked kernel runs over a fixed number of blocks, 3 blocks
of 16 (a bound sized for the layers it was tuned on): input channels c >= 48 of each group
never enter the sum [conv.def].  Everything up to 48 input channels per group is right, so
it shows only on wider layers.
Caught by: conv.def's large cases (up to 130 input channels, 65 per group).
"""

from __future__ import annotations

from cnnspec.targets import reference as correct
from cnnspec.targets.reference import avg_pool, conv_transpose, max_pool

__all__ = ["conv", "conv_transpose", "max_pool", "avg_pool", "EXPECTED_RULES"]

EXPECTED_RULES = ("conv.def",)

CHANNELS = 48  # 3 blocks of 16 input channels


def conv(x, w, b, *, stride, padding, dilation, groups):
    if w.shape[1] > CHANNELS:
        w = w.copy()
        w[:, CHANNELS:] = 0  # BUG: channels past the third block never enter the sum
    return correct.conv(x, w, b, stride=stride, padding=padding, dilation=dilation, groups=groups)
