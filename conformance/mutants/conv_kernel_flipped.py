"""conv flips the kernel: true convolution where the spec asks for cross-correlation.

The bug: y[p] = sum_t xpad[p*s + t*d] * w[K-1-t] instead of ... * w[t] [conv.def].
Seen in: Theano's conv2d flips the filter by default (filter_flip=True), so weights moved
between Keras' Theano and TensorFlow backends gave results rotated by 180 degrees
(keras-team/keras#3015).
Caught by: conv.def, and conv.convolve (flipping the kernel must give true convolution),
on any kernel that the flip changes.
"""

from __future__ import annotations

import numpy as np

from cnnspec.targets import reference as correct
from cnnspec.targets.reference import avg_pool, conv_transpose, max_pool

__all__ = ["conv", "conv_transpose", "max_pool", "avg_pool", "EXPECTED_RULES"]

EXPECTED_RULES = ("conv.def", "conv.convolve")


def conv(x, w, b, *, stride, padding, dilation, groups):
    w = np.flip(w, axis=tuple(range(2, w.ndim)))  # BUG: the kernel flipped on every spatial axis
    return correct.conv(x, w, b, stride=stride, padding=padding, dilation=dilation, groups=groups)
