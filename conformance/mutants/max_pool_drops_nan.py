"""max_pool skips NaN: `if v > best: best = v` never takes a NaN.

The bug: NaN ignored (np.fmax semantics); a window of NaN only comes out -inf
[pool.max-nan].  PyTorch's max pooling did this until 2018 (pytorch/pytorch#7645, fixed in
pytorch/pytorch#7670; again in CUDA MaxPool3d, pytorch/pytorch#39846); TensorFlow returned
-FLT_MAX for NaN windows (tensorflow/tensorflow#2501); Theano's CPU code too
(Theano/Theano#3060).
Caught by: pool.max-nan, on an input with a NaN.
"""

from __future__ import annotations

import numpy as np

from cnnspec.targets import reference as correct
from cnnspec.targets.reference import avg_pool, conv, conv_transpose

__all__ = ["conv", "conv_transpose", "max_pool", "avg_pool", "EXPECTED_RULES"]

EXPECTED_RULES = ("pool.max-nan",)


def max_pool(x, *, kernel, stride, padding, dilation, ceil_mode):
    if x.dtype.kind == "f":
        x = np.where(np.isnan(x), -np.inf, x)  # BUG: a NaN never wins the comparison
    return correct.max_pool(x, kernel=kernel, stride=stride, padding=padding, dilation=dilation,
                            ceil_mode=ceil_mode)
