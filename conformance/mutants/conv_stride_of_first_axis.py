"""conv uses the stride of the first spatial axis on every axis.

The bug: stride[0] applied to all axes, as code that reads one value of a per-axis parameter
does (a square-stride assumption, or `stride[0]` left over from a 1-D version) [conv.stride]
[conv.out-size].
Caught by: conv.stride (a strided conv subsamples the stride-1 conv), conv.out-size, conv.def,
in rank >= 2 with different strides per axis.
"""

from __future__ import annotations

from cnnspec.ref._validate import check_conv
from cnnspec.targets import reference as correct
from cnnspec.targets.reference import avg_pool, conv_transpose, max_pool

__all__ = ["conv", "conv_transpose", "max_pool", "avg_pool", "EXPECTED_RULES"]

EXPECTED_RULES = ("conv.stride", "conv.out-size", "conv.def")


def conv(x, w, b, *, stride, padding, dilation, groups):
    check_conv(x, w, b, stride=stride, padding=padding, dilation=dilation, groups=groups)  # as the spec says
    stride = (stride[0],) * len(stride)  # BUG: the first axis' stride for every axis
    return correct.conv(x, w, b, stride=stride, padding=padding, dilation=dilation, groups=groups)
