"""conv checks that groups divides C_in but not that it divides C_out.

The bug: with C_out % groups != 0 it computes Og = C_out // groups channels per group and
leaves the remaining output channels at zero (plus bias) instead of refusing [conv.groups].
Caught by: conv.groups (a negative check: the configuration must be refused).
"""

from __future__ import annotations

import numpy as np

from cnnspec.targets import reference as correct
from cnnspec.targets.reference import avg_pool, conv_transpose, max_pool

__all__ = ["conv", "conv_transpose", "max_pool", "avg_pool", "EXPECTED_RULES"]

EXPECTED_RULES = ("conv.groups",)


def conv(x, w, b, *, stride, padding, dilation, groups):
    kw = dict(stride=stride, padding=padding, dilation=dilation, groups=groups)
    c_out = w.shape[0]
    used = c_out // groups * groups
    if c_out % groups == 0 or used == 0:
        return correct.conv(x, w, b, **kw)
    if b is not None and b.shape != (c_out,):
        raise ValueError(f"b.shape={b.shape}, but should be ({c_out},)")
    # BUG: C_out % groups != 0 goes unchecked; the last c_out - used channels stay zero
    y = correct.conv(x, w[:used], None, **kw)  # (N, used, *S_out)
    y = np.concatenate([y, np.zeros((y.shape[0], c_out - used, *y.shape[2:]))], axis=1)
    return y if b is None else y + b.reshape(-1, *(1,) * (y.ndim - 2))
