"""avg_pool counts the padding in the divisor even when count_include_pad=False.

The bug: count_include_pad ignored and taken as True: windows on the border divide by the
whole kernel [pool.avg-divisor].  TVM's average pooling counted the padding unconditionally
until count_include_pad was added (apache/tvm#1144); Caffe2 and TensorFlow do the opposite.
Caught by: pool.avg-divisor, with count_include_pad=False and a window on the padding.
"""

from __future__ import annotations

from cnnspec.ref._validate import check_flag, check_pool
from cnnspec.targets import reference as correct
from cnnspec.targets.reference import conv, conv_transpose, max_pool

__all__ = ["conv", "conv_transpose", "max_pool", "avg_pool", "EXPECTED_RULES"]

EXPECTED_RULES = ("pool.avg-divisor", "pool.avg-def")


def avg_pool(x, *, kernel, stride, padding, ceil_mode, count_include_pad):
    check_pool(x, kernel=kernel, stride=stride, padding=padding, dilation=1, ceil_mode=ceil_mode)
    check_flag("count_include_pad", count_include_pad)  # as the spec says
    return correct.avg_pool(x, kernel=kernel, stride=stride, padding=padding, ceil_mode=ceil_mode,
                            count_include_pad=True)  # BUG: count_include_pad ignored
