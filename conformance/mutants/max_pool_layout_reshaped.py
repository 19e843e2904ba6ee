"""max_pool converts channels-first to channels-last with reshape instead of transpose.

The bug: an NHWC kernel behind an NCHW API, with x.reshape(N, *S, C) where
x.transpose(0, 2, ..., 1) was meant (and the same on the way back): channels and positions
are scrambled together [pool.channelwise] [pool.max-def].  Layout conversions are a common
source of silent errors (pytorch/executorch#17423 read an NHWC tensor's channels with NCHW
indexing).
Caught by: pool.max-def / pool.channelwise, with more than one channel.
"""

from __future__ import annotations

import numpy as np

from cnnspec.targets import reference as correct
from cnnspec.targets.reference import avg_pool, conv, conv_transpose

__all__ = ["conv", "conv_transpose", "max_pool", "avg_pool", "EXPECTED_RULES"]

EXPECTED_RULES = ("pool.channelwise", "pool.max-def")


def max_pool(x, *, kernel, stride, padding, dilation, ceil_mode):
    n, c, *spatial = x.shape
    nhwc = x.reshape(n, *spatial, c)  # BUG: reshape, not transpose
    y = correct.max_pool(np.moveaxis(nhwc, -1, 1), kernel=kernel, stride=stride, padding=padding,
                         dilation=dilation, ceil_mode=ceil_mode)  # the NHWC kernel, NCHW inside
    y_nhwc = np.moveaxis(y, 1, -1)  # (N, *S_out, C)
    return y_nhwc.reshape(n, c, *y.shape[2:])  # BUG: reshape back, not transpose
