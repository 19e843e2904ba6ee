"""conv never advances to the next sample: every sample of the batch is computed from sample 0.

The bug: the batch offset n * C_in * prod(S) is missing from the input index, so y[n] = y[0]
for every n [conv.def].  A classic of hand-written GPU kernels tested with batch size 1.
Caught by: conv.def, with a batch of 2 or more different samples.
"""

from __future__ import annotations

import numpy as np

from cnnspec.targets import reference as correct
from cnnspec.targets.reference import avg_pool, conv_transpose, max_pool

__all__ = ["conv", "conv_transpose", "max_pool", "avg_pool", "EXPECTED_RULES"]

EXPECTED_RULES = ("conv.def",)


def conv(x, w, b, *, stride, padding, dilation, groups):
    y0 = correct.conv(x[:1], w, b, stride=stride, padding=padding, dilation=dilation,
                      groups=groups)  # BUG: sample 0 only...
    return np.repeat(y0, x.shape[0], axis=0)  # ...copied to every sample
