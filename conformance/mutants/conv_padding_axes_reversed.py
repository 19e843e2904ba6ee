"""conv applies the padding pairs in reversed axis order (F.pad's last-axis-first order).

The bug: axis a gets padding[r-1-a] [conv.out-size] [conv.def].  torch.nn.functional.pad lists
the last axis first; ONNX and this contract list the first axis first (llvm/torch-mlir#3611,
pytorch/pytorch#60179, qualcomm/aimet#2873).
Caught by: conv.padding, conv.out-size, conv.def, in rank >= 2 when the axes have different
padding.
"""

from __future__ import annotations

from cnnspec.ref._validate import check_conv
from cnnspec.targets import reference as correct
from cnnspec.targets.reference import avg_pool, conv_transpose, max_pool

__all__ = ["conv", "conv_transpose", "max_pool", "avg_pool", "EXPECTED_RULES"]

EXPECTED_RULES = ("conv.padding", "conv.out-size", "conv.def")


def conv(x, w, b, *, stride, padding, dilation, groups):
    check_conv(x, w, b, stride=stride, padding=padding, dilation=dilation, groups=groups)  # as the spec says
    padding = tuple(reversed(padding))  # BUG: last axis first
    return correct.conv(x, w, b, stride=stride, padding=padding, dilation=dilation, groups=groups)
