"""conv swaps the two sides of every padding pair: (before, after) read as (after, before).

The bug: xpad = pad(x, (pa, pb)) [conv.def].  The output shape is right; the values shift.
ONNX pads are [x1_begin, x2_begin, ..., x1_end, x2_end], PyTorch's F.pad takes
(last_begin, last_end, ...): translating one into the other has gone wrong repeatedly
(onnx/onnx#261, llvm/torch-mlir#3611, pytorch/pytorch#60179).
Caught by: conv.padding (conv with padding is conv of the zero-padded input) and conv.def,
whenever pb != pa on some axis.
"""

from __future__ import annotations

from cnnspec.ref._validate import check_conv
from cnnspec.targets import reference as correct
from cnnspec.targets.reference import avg_pool, conv_transpose, max_pool

__all__ = ["conv", "conv_transpose", "max_pool", "avg_pool", "EXPECTED_RULES"]

EXPECTED_RULES = ("conv.padding", "conv.def")


def conv(x, w, b, *, stride, padding, dilation, groups):
    check_conv(x, w, b, stride=stride, padding=padding, dilation=dilation, groups=groups)  # as the spec says
    padding = tuple((pa, pb) for pb, pa in padding)  # BUG: before and after swapped
    return correct.conv(x, w, b, stride=stride, padding=padding, dilation=dilation, groups=groups)
