"""avg_pool divides the window sum with floor division, as an integer kernel would.

The bug: y = floor(sum / count) instead of sum / count [pool.avg-def].  Integer (quantized)
pooling has to choose a rounding (TOSA specifies one); carrying it over to the float path, or
Python 2's `/` on ints, truncates the average.
Caught by: pool.avg-def, whenever a window sum is not a multiple of its divisor.
"""

from __future__ import annotations

import numpy as np

from cnnspec.targets import reference as correct
from cnnspec.targets.reference import conv, conv_transpose, max_pool

__all__ = ["conv", "conv_transpose", "max_pool", "avg_pool", "EXPECTED_RULES"]

EXPECTED_RULES = ("pool.avg-def",)


def avg_pool(x, *, kernel, stride, padding, ceil_mode, count_include_pad):
    y = correct.avg_pool(x, kernel=kernel, stride=stride, padding=padding, ceil_mode=ceil_mode,
                         count_include_pad=count_include_pad)
    return np.floor(y)  # BUG: floor division of the window sum
