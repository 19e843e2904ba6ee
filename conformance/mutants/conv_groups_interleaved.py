"""conv gives each group a strided slice of the input channels instead of a contiguous block.

The bug: group g reads input channels g, g+G, g+2G, ... instead of g*Cg, ..., (g+1)*Cg - 1
[conv.groups].  Grouped layouts are contiguous blocks in PyTorch, ONNX and cuDNN; an
interleaved reading (the layout a channel shuffle produces) mixes channels across groups.
Grouped convolution has had channel-assignment bugs of its own (pytorch/pytorch#19912,
Theano/Theano#6297).
Caught by: conv.groups (groups are independent convolutions on channel blocks) and conv.def,
with groups > 1 and more than one input channel per group.
"""

from __future__ import annotations

import numpy as np

from cnnspec.targets import reference as correct
from cnnspec.targets.reference import avg_pool, conv_transpose, max_pool

__all__ = ["conv", "conv_transpose", "max_pool", "avg_pool", "EXPECTED_RULES"]

EXPECTED_RULES = ("conv.groups", "conv.def")


def conv(x, w, b, *, stride, padding, dilation, groups):
    c_in = x.shape[1]
    if c_in % groups == 0:
        # BUG: the c-th channel of group g is g + c*groups, not g*Cg + c
        order = np.arange(c_in).reshape(c_in // groups, groups).T.reshape(-1)
        x = x[:, order]
    return correct.conv(x, w, b, stride=stride, padding=padding, dilation=dilation, groups=groups)
