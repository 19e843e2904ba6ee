"""Grouped conv indexes the bias within the group: output channel g*Og + o gets b[o].

The bug: the bias pointer is not advanced by the group offset, so every group reuses the
biases of group 0 [conv.bias] [conv.groups].  The same missing-offset slip as a grouped
kernel that forgets g*Og in one of its indices.
Caught by: conv.bias (conv(x, w, b) - conv(x, w, None) is b[o] everywhere) and conv.def, with
groups > 1 and a bias.
"""

from __future__ import annotations

import numpy as np

from cnnspec.targets import reference as correct
from cnnspec.targets.reference import avg_pool, conv_transpose, max_pool

__all__ = ["conv", "conv_transpose", "max_pool", "avg_pool", "EXPECTED_RULES"]

EXPECTED_RULES = ("conv.bias", "conv.groups", "conv.def")


def conv(x, w, b, *, stride, padding, dilation, groups):
    c_out = w.shape[0]
    if b is not None and b.shape == (c_out,) and c_out % groups == 0:
        b = b[np.arange(c_out) % (c_out // groups)]  # BUG: b[o] where b[g*Og + o] was meant
    return correct.conv(x, w, b, stride=stride, padding=padding, dilation=dilation, groups=groups)
