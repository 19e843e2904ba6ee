"""max_pool short-cuts the identity pooling and returns its input array itself.

The bug: with kernel 1, stride 1 and no padding it returns x, not a new array: the caller's
later in-place update of the result changes its input [pool.max-def].  The contract asks for
a new array; the harness refuses a result that shares memory with an input.
Caught by: pool.max-def (and any check that computes max_pool: the harness refuses a result that
shares memory with an input), on kernel 1, stride 1, padding 0.
"""

from __future__ import annotations

from cnnspec.ref._validate import check_pool
from cnnspec.targets import reference as correct
from cnnspec.targets.reference import avg_pool, conv, conv_transpose

__all__ = ["conv", "conv_transpose", "max_pool", "avg_pool", "EXPECTED_RULES"]

EXPECTED_RULES = ("pool.max-def",)


def max_pool(x, *, kernel, stride, padding, dilation, ceil_mode):
    check_pool(x, kernel=kernel, stride=stride, padding=padding, dilation=dilation,
               ceil_mode=ceil_mode)  # as the spec says
    if all(k == 1 for k in kernel) and all(s == 1 for s in stride) and not any(map(any, padding)):
        return x  # BUG: the identity, returned as the input array itself
    return correct.max_pool(x, kernel=kernel, stride=stride, padding=padding, dilation=dilation,
                            ceil_mode=ceil_mode)
