"""conv adds the bias inside the multiply-accumulate loop: once per tap and input channel.

The bug: acc += x * w + b inside the loop over (c, t), i.e. y = sum + b * Cg * prod(K), where the
spec adds b once per output [conv.def].
Caught by: conv.bias (conv(x, w, b) - conv(x, w, None) is b[o] everywhere) and conv.def, with
a bias and Cg * prod(K) > 1.
"""

from __future__ import annotations

import math

from cnnspec.targets import reference as correct
from cnnspec.targets.reference import avg_pool, conv_transpose, max_pool

__all__ = ["conv", "conv_transpose", "max_pool", "avg_pool", "EXPECTED_RULES"]

EXPECTED_RULES = ("conv.bias", "conv.def")


def conv(x, w, b, *, stride, padding, dilation, groups):
    y = correct.conv(x, w, None, stride=stride, padding=padding, dilation=dilation, groups=groups)
    if b is None:
        return y
    if b.shape != (w.shape[0],):
        raise ValueError(f"b.shape={b.shape}, but should be ({w.shape[0]},)")  # still validated
    terms = math.prod(w.shape[1:])  # Cg * prod(K) multiply-adds per output
    return y + terms * b.reshape(-1, *(1,) * (w.ndim - 2))  # BUG: b added once per term
