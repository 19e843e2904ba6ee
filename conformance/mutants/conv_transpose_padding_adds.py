"""conv_transpose pads its output with the padding instead of cropping it.

The bug: S_out = (S-1)s + pb + pa + d(K-1) + output_padding + 1; the padding treated as conv's
(added) where the transposed convolution removes it [conv-transpose.out-size].
Caught by: conv-transpose.out-size / conv-transpose.def, whenever some padding is > 0.
"""

from __future__ import annotations

import numpy as np

from cnnspec.ref._validate import check_conv_transpose
from cnnspec.targets import reference as correct
from cnnspec.targets.reference import avg_pool, conv, max_pool

__all__ = ["conv", "conv_transpose", "max_pool", "avg_pool", "EXPECTED_RULES"]

EXPECTED_RULES = ("conv-transpose.out-size", "conv-transpose.def")


def conv_transpose(x, w, b, *, stride, padding, output_padding, dilation, groups):
    check_conv_transpose(x, w, b, stride=stride, padding=padding, output_padding=output_padding,
                         dilation=dilation, groups=groups)  # as the spec says
    r = len(stride)
    y = correct.conv_transpose(x, w, None, stride=stride, padding=((0, 0),) * r,
                               output_padding=output_padding, dilation=dilation, groups=groups)
    y = np.pad(y, [(0, 0), (0, 0), *padding])  # BUG: padded, where the spec crops
    return y if b is None else y + b.reshape(-1, *(1,) * r)
