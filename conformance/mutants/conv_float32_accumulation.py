"""conv computes in float32 although it is given and returns float64.

The bug: inputs cast to float32, summed in float32, the result cast back to float64, with no
PRECISION declared: the tolerance then follows float64 and the float32 rounding shows
[conv.def] [tolerance.k-aware].  Keras' TensorFlow backend cast float64 conv inputs to float32
(keras-team/keras#10964); JAX computes in float32 unless jax_enable_x64 is set.
Caught by: conv.def's real-valued check (integer-valued data is exact in float32 too).
"""

from __future__ import annotations

import numpy as np

from cnnspec import ref
from cnnspec.targets.reference import avg_pool, conv_transpose, max_pool

__all__ = ["conv", "conv_transpose", "max_pool", "avg_pool", "EXPECTED_RULES"]

EXPECTED_RULES = ("conv.def", "tolerance.k-aware")


def conv(x, w, b, *, stride, padding, dilation, groups):
    y = ref.conv(x, w, b, stride=stride, padding=padding, dilation=dilation, groups=groups,
                 dtype=np.float32)  # BUG: float32 arithmetic...
    return y.astype(np.float64)  # ...returned as float64
