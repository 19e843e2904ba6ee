"""Depthwise conv with a channel multiplier picks the wrong filter for each output channel.

The bug: with groups = C_in and M = C_out / C_in > 1, output channel c*M + m (multiplier m of
input channel c) uses the filter stored at m*C_in + c [conv.groups] [conv.def].  That is
TensorFlow's depthwise filter order [K, C_in, M] read as PyTorch's (C_in*M, 1, K): converters
between the two have reshaped depthwise weights wrongly (AlexanderLutsenko/nobuco#2,
gmalivenko/onnx2keras#150), and depthwise kernels have assumed M = 1 (pytorch/pytorch#60460).
Caught by: conv.depthwise (each input channel filtered by its own M filters), conv.groups,
conv.def, for depthwise configurations with C_in > 1 and M > 1.
"""

from __future__ import annotations

import numpy as np

from cnnspec.targets import reference as correct
from cnnspec.targets.reference import avg_pool, conv_transpose, max_pool

__all__ = ["conv", "conv_transpose", "max_pool", "avg_pool", "EXPECTED_RULES"]

EXPECTED_RULES = ("conv.depthwise", "conv.groups", "conv.def")


def conv(x, w, b, *, stride, padding, dilation, groups):
    c_in, c_out = x.shape[1], w.shape[0]
    if groups == c_in and w.shape[1] == 1 and c_out % c_in == 0:  # depthwise
        m = c_out // c_in
        # BUG: output channel c*M + j gets the filter w[j*C_in + c]
        w = w[np.arange(c_out).reshape(m, c_in).T.reshape(-1)]
    return correct.conv(x, w, b, stride=stride, padding=padding, dilation=dilation, groups=groups)
