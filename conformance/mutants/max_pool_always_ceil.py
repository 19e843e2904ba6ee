"""max_pool always rounds the output size up, whatever ceil_mode says.

The bug: ceil_mode ignored and taken as True [pool.out-size].  Caffe's pooling always rounds
up, so ports of Caffe models and tools written against Caffe get the other frameworks' floor
default wrong (ethereon/netscope#25 computes 33x33 where floor gives 32x32).
Caught by: pool.out-size / pool.max-def, in floor mode when the stride does not divide
S + pb + pa - e.
"""

from __future__ import annotations

from cnnspec.ref._validate import check_pool
from cnnspec.targets import reference as correct
from cnnspec.targets.reference import avg_pool, conv, conv_transpose

__all__ = ["conv", "conv_transpose", "max_pool", "avg_pool", "EXPECTED_RULES"]

EXPECTED_RULES = ("pool.out-size", "pool.max-def")


def max_pool(x, *, kernel, stride, padding, dilation, ceil_mode):
    check_pool(x, kernel=kernel, stride=stride, padding=padding, dilation=dilation,
               ceil_mode=ceil_mode)  # as the spec says
    return correct.max_pool(x, kernel=kernel, stride=stride, padding=padding, dilation=dilation,
                            ceil_mode=True)  # BUG: ceil_mode ignored
