"""conv adds the bias before padding: padded taps carry no bias.

The bug: the bias trick y = W' [x; 1] with the ones channel appended to x *before* padding,
so the padded border of the ones channel is 0 and an output gets b[o] times the share of its
window that lies on the input, instead of b[o] [conv.def].  (The ones channel has weight
b[o] / prod(K) on every tap.)
Caught by: conv.bias (conv(x, w, b) - conv(x, w, None) is b[o] everywhere) and conv.def, with
a bias and a window that touches the padding.
"""

from __future__ import annotations

import math

import numpy as np

from cnnspec.targets import reference as correct
from cnnspec.targets.reference import avg_pool, conv_transpose, max_pool

__all__ = ["conv", "conv_transpose", "max_pool", "avg_pool", "EXPECTED_RULES"]

EXPECTED_RULES = ("conv.bias", "conv.def")


def conv(x, w, b, *, stride, padding, dilation, groups):
    kw = dict(stride=stride, padding=padding, dilation=dilation)
    y = correct.conv(x, w, None, groups=groups, **kw)  # (N, C_out, *S_out)
    if b is None:
        return y
    if b.shape != (w.shape[0],):
        raise ValueError(f"b.shape={b.shape}, but should be ({w.shape[0]},)")  # still validated
    kernel = w.shape[2:]
    ones = np.ones((1, 1, *x.shape[2:]))  # BUG: the ones channel, padded with zeros below
    taps_on_input = correct.conv(ones, np.ones((1, 1, *kernel)), None, groups=1, **kw)  # (1, 1, *S_out)
    share = taps_on_input / math.prod(kernel)  # 1 where the window lies on the input
    return y + b.reshape(-1, *(1,) * len(kernel)) * share
