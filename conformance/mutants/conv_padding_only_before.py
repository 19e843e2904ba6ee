"""conv pads only the start of each axis: the 'after' half of every padding pair is dropped.

The bug: xpad = pad(x, (pb, 0)) instead of pad(x, (pb, pa)) [conv.out-size] [conv.def].
Converters that take one pad value per axis (PyTorch's Conv2d padding) lose the other side of
ONNX's asymmetric pads (ENOT-AutoDL/onnx2torch#68 refused them for this reason).
Caught by: conv.padding (conv with padding is conv of the zero-padded input), conv.out-size,
conv.def, whenever some pa > 0.
"""

from __future__ import annotations

from cnnspec.ref._validate import check_conv
from cnnspec.targets import reference as correct
from cnnspec.targets.reference import avg_pool, conv_transpose, max_pool

__all__ = ["conv", "conv_transpose", "max_pool", "avg_pool", "EXPECTED_RULES"]

EXPECTED_RULES = ("conv.padding", "conv.out-size", "conv.def")


def conv(x, w, b, *, stride, padding, dilation, groups):
    check_conv(x, w, b, stride=stride, padding=padding, dilation=dilation, groups=groups)  # as the spec says
    padding = tuple((pb, 0) for pb, _ in padding)  # BUG: the after side is never padded
    return correct.conv(x, w, b, stride=stride, padding=padding, dilation=dilation, groups=groups)
