"""conv_transpose as a conv over the zero-stuffed input, without flipping the kernel.

The textbook route: insert s - 1 zeros between input elements, pad by d(K-1) - p, and run a
conv with the kernel flipped on every spatial axis (and its two channel axes swapped).  The bug
leaves out the flip, which is the same as scattering the flipped kernel
[conv-transpose.def].  The flip is what people miss when they first write it
(Theano/Theano#5170, vdumoulin/conv_arithmetic#4); jax.lax.conv_transpose skips it unless
transpose_kernel=True.
Caught by: conv-transpose.def, and conv-transpose.zero-stuffed / conv-transpose.adjoint (the
conv route and the adjoint of conv both need the flip), on any kernel that the flip changes.
"""

from __future__ import annotations

import numpy as np

from cnnspec.targets import reference as correct
from cnnspec.targets.reference import avg_pool, conv, max_pool

__all__ = ["conv", "conv_transpose", "max_pool", "avg_pool", "EXPECTED_RULES"]

EXPECTED_RULES = ("conv-transpose.def", "conv-transpose.zero-stuffed", "conv-transpose.adjoint")


def conv_transpose(x, w, b, *, stride, padding, output_padding, dilation, groups):
    unflipped = np.flip(w, axis=tuple(range(2, w.ndim)))  # BUG: the conv route without its flip
    return correct.conv_transpose(x, unflipped, b, stride=stride, padding=padding,
                                  output_padding=output_padding, dilation=dilation, groups=groups)
