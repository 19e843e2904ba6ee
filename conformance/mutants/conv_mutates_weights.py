"""conv flips the caller's kernel in place to reuse a true-convolution routine.

The bug: w[...] = flip(w), then convolve(x, w), which flips it back internally: the result is
right, but the caller's weights are left flipped [conv.def].  The contract forbids changing
an input; in-place "optimizations" of this kind corrupt the weights of the next call.
Caught by: every check that calls conv on a valid configuration (the harness compares each
input before and after the call: conv.def, conv.out-size), on a kernel that the flip changes.
"""

from __future__ import annotations

import numpy as np

from cnnspec import ref
from cnnspec.targets.reference import avg_pool, conv_transpose, max_pool

__all__ = ["conv", "conv_transpose", "max_pool", "avg_pool", "EXPECTED_RULES"]

EXPECTED_RULES = ("conv.def", "conv.out-size")


def conv(x, w, b, *, stride, padding, dilation, groups):
    w[...] = np.flip(w, axis=tuple(range(2, w.ndim)))  # BUG: in place, on the caller's array
    return ref.convolve(x, w, b, stride=stride, padding=padding, dilation=dilation, groups=groups)
