"""max_pool pads with 0 instead of -inf.

The bug: xpad = pad(x, padding) with np.pad's default fill 0, so a window of negative values
that touches the padding returns 0 [pool.max-def].  MXNet's CPU pooling padded with 0 while
cuDNN ignored the padding (apache/mxnet#2753); PyTorch's docs said "zero-padded" while the code
pads with -inf (pytorch/pytorch#33384).
Caught by: pool.max-def, with a window on the padding whose input values are all negative.
"""

from __future__ import annotations

import numpy as np

from cnnspec.ref._validate import check_pool
from cnnspec.targets import reference as correct
from cnnspec.targets.reference import avg_pool, conv, conv_transpose

__all__ = ["conv", "conv_transpose", "max_pool", "avg_pool", "EXPECTED_RULES"]

EXPECTED_RULES = ("pool.max-def",)


def max_pool(x, *, kernel, stride, padding, dilation, ceil_mode):
    _, _, out = check_pool(x, kernel=kernel, stride=stride, padding=padding, dilation=dilation,
                           ceil_mode=ceil_mode)  # as the spec says
    xpad = np.pad(x, [(0, 0), (0, 0), *padding])  # BUG: padded with 0
    y = correct.max_pool(xpad, kernel=kernel, stride=stride, padding=((0, 0),) * len(kernel),
                         dilation=dilation, ceil_mode=ceil_mode)
    return y[(slice(None), slice(None), *(slice(0, o) for o in out))]
