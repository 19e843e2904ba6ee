"""conv_transpose writes the output channels of each group interleaved instead of in blocks.

The bug: output channel o of group g lands at o*G + g instead of g*Og + o
[conv-transpose.groups] [conv-transpose.def].  The transposed weight is (C_in, C_out/groups,
*K), the other way round from conv's, and code that handles groups by reshaping it gets the
block order wrong easily.
Caught by: conv-transpose.groups (its valid side computes the reference) and
conv-transpose.def, with groups > 1 and more than one output channel per group.
"""

from __future__ import annotations

import numpy as np

from cnnspec.ref._validate import check_conv_transpose
from cnnspec.targets import reference as correct
from cnnspec.targets.reference import avg_pool, conv, max_pool

__all__ = ["conv", "conv_transpose", "max_pool", "avg_pool", "EXPECTED_RULES"]

EXPECTED_RULES = ("conv-transpose.groups", "conv-transpose.def")


def conv_transpose(x, w, b, *, stride, padding, output_padding, dilation, groups):
    check_conv_transpose(x, w, b, stride=stride, padding=padding, output_padding=output_padding,
                         dilation=dilation, groups=groups)  # as the spec says
    y = correct.conv_transpose(x, w, None, stride=stride, padding=padding,
                               output_padding=output_padding, dilation=dilation, groups=groups)
    og = w.shape[1]
    y = y[:, np.arange(groups * og).reshape(groups, og).T.reshape(-1)]  # BUG: channel o*G + g
    return y if b is None else y + b.reshape(-1, *(1,) * (y.ndim - 2))
