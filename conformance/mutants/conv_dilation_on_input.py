"""conv dilates the input instead of the kernel (lhs_dilation where rhs_dilation was meant).

The bug: d - 1 zeros inserted between input elements, then an undilated kernel [conv.dilation]
[conv.out-size] [conv.def].  XLA's ConvGeneralDilated (jax.lax.conv_general_dilated) takes both
lhs_dilation (the input: a transposed convolution) and rhs_dilation (the kernel: atrous), one
argument apart.
Caught by: conv.dilation (a dilated kernel is a zero-stuffed kernel), conv.out-size, conv.def,
with dilation > 1.
"""

from __future__ import annotations

import numpy as np

from cnnspec.ref._validate import check_conv
from cnnspec.targets import reference as correct
from cnnspec.targets.reference import avg_pool, conv_transpose, max_pool

__all__ = ["conv", "conv_transpose", "max_pool", "avg_pool", "EXPECTED_RULES"]

EXPECTED_RULES = ("conv.dilation", "conv.out-size", "conv.def")


def conv(x, w, b, *, stride, padding, dilation, groups):
    check_conv(x, w, b, stride=stride, padding=padding, dilation=dilation, groups=groups)  # as the spec says
    n, c, *spatial = x.shape
    stuffed = np.zeros((n, c, *((i - 1) * d + 1 for i, d in zip(spatial, dilation))))
    stuffed[(slice(None), slice(None), *(slice(None, None, d) for d in dilation))] = x  # BUG
    return correct.conv(stuffed, w, b, stride=stride, padding=padding, dilation=(1,) * len(spatial),
                        groups=groups)
