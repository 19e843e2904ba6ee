"""conv accepts a dilated kernel larger than the padded input and returns an empty array.

The bug: no check of d*(K-1) + 1 <= S + pb + pa; the floor formula then gives an output side
<= 0 and the code returns an empty array [conv.kernel-fits].  TensorFlow, NumPy and JAX
backends of Keras returned 0-sized outputs where PyTorch raises (keras-team/keras#19457,
tensorflow/tensorflow#65214, fixed in keras-team/keras#21796).
Caught by: conv.kernel-fits (a negative check: the configuration must be refused), and
conv.out-size's refusal of an output size below 1.
"""

from __future__ import annotations

import numpy as np

from cnnspec.errors import InvalidConfig
from cnnspec.targets import reference as correct
from cnnspec.targets.reference import avg_pool, conv_transpose, max_pool

__all__ = ["conv", "conv_transpose", "max_pool", "avg_pool", "EXPECTED_RULES"]

EXPECTED_RULES = ("conv.kernel-fits", "conv.out-size")


def conv(x, w, b, *, stride, padding, dilation, groups):
    try:
        return correct.conv(x, w, b, stride=stride, padding=padding, dilation=dilation, groups=groups)
    except InvalidConfig as e:
        if e.rule != "conv.kernel-fits":
            raise
    out = [(i + pb + pa - d * (k - 1) - 1) // s + 1
           for i, k, s, (pb, pa), d in zip(x.shape[2:], w.shape[2:], stride, padding, dilation)]
    return np.zeros((x.shape[0], w.shape[0], *(max(0, o) for o in out)))  # BUG: empty, no error
