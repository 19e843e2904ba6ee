"""avg_pool assumes a square window: kernel[0] on every axis.

The bug: the first axis' kernel size used for all axes (an int kernel_size broadcast the wrong
way, or `kernel[0]` left over from a 1-D version) [pool.out-size] [pool.avg-def].
Caught by: pool.out-size / pool.avg-def, in rank >= 2 with different kernel sizes per axis.
"""

from __future__ import annotations

from cnnspec.ref._validate import check_flag, check_pool
from cnnspec.targets import reference as correct
from cnnspec.targets.reference import conv, conv_transpose, max_pool

__all__ = ["conv", "conv_transpose", "max_pool", "avg_pool", "EXPECTED_RULES"]

EXPECTED_RULES = ("pool.out-size", "pool.avg-def")


def avg_pool(x, *, kernel, stride, padding, ceil_mode, count_include_pad):
    check_pool(x, kernel=kernel, stride=stride, padding=padding, dilation=1, ceil_mode=ceil_mode)
    check_flag("count_include_pad", count_include_pad)  # as the spec says
    kernel = (kernel[0],) * len(kernel)  # BUG: a square window
    return correct.avg_pool(x, kernel=kernel, stride=stride, padding=padding, ceil_mode=ceil_mode,
                            count_include_pad=count_include_pad)
