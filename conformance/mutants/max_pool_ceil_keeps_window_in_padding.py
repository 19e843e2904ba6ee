"""max_pool in ceil_mode keeps a last window that starts in the right padding.

The bug: S_out = ceil((S + pb + pa - e) / s) + 1 without the rule that drops a window starting
at or past S + pb; that window sees only padding and comes out -inf [pool.ceil-mode].  burn
computes the size this way (tracel-ai/burn#5791); PyTorch and XLA had the -inf rows
(pytorch/pytorch#45357, pytorch/xla#2583).
Caught by: pool.ceil-mode, in ceil_mode with padding and a stride that lands a window start
in the right padding.
"""

from __future__ import annotations

import numpy as np

from cnnspec.targets import reference as correct
from cnnspec.targets.reference import avg_pool, conv, conv_transpose

__all__ = ["conv", "conv_transpose", "max_pool", "avg_pool", "EXPECTED_RULES"]

EXPECTED_RULES = ("pool.ceil-mode",)


def max_pool(x, *, kernel, stride, padding, dilation, ceil_mode):
    y = correct.max_pool(x, kernel=kernel, stride=stride, padding=padding, dilation=dilation,
                         ceil_mode=ceil_mode)
    if not ceil_mode:
        return y
    extra = []
    for i, k, s, (pb, pa), d, o in zip(x.shape[2:], kernel, stride, padding, dilation, y.shape[2:]):
        plain = -(-(i + pb + pa - d * (k - 1) - 1) // s) + 1  # BUG: no window dropped
        extra.append((0, plain - o))
    return np.pad(y, [(0, 0), (0, 0), *extra], constant_values=-np.inf)  # padding-only windows
