"""conv_transpose adds the output_padding cells at the start of each axis instead of the end.

The bug: the full scatter result gets its output_padding extra cells (zeros, plus bias) before
its first cell instead of after its last, and is then cropped by the padding as usual
[conv-transpose.def].  ONNX's ConvTranspose first described output_padding as "zero-padding
added to one side of the output" without saying which (onnx/onnx#2333, fixed in
onnx/onnx#2343), and ports guessed (Tencent/ncnn#1122).
Caught by: conv-transpose.output-padding (its worked examples) and conv-transpose.def, whenever
some output_padding > 0.
"""

from __future__ import annotations

import numpy as np

from cnnspec.ref._validate import check_conv_transpose
from cnnspec.targets import reference as correct
from cnnspec.targets.reference import avg_pool, conv, max_pool

__all__ = ["conv", "conv_transpose", "max_pool", "avg_pool", "EXPECTED_RULES"]

EXPECTED_RULES = ("conv-transpose.output-padding", "conv-transpose.def")


def conv_transpose(x, w, b, *, stride, padding, output_padding, dilation, groups):
    check_conv_transpose(x, w, b, stride=stride, padding=padding, output_padding=output_padding,
                         dilation=dilation, groups=groups)  # as the spec says
    r = len(stride)
    full = correct.conv_transpose(x, w, None, stride=stride, padding=((0, 0),) * r,
                                  output_padding=(0,) * r, dilation=dilation, groups=groups)
    full = np.pad(full, [(0, 0), (0, 0), *((op, 0) for op in output_padding)])  # BUG: (0, op) is right
    y = full[(slice(None), slice(None), *(slice(pb, n - pa)  # cropped by the padding
                                          for n, (pb, pa) in zip(full.shape[2:], padding)))]
    return y if b is None else y + b.reshape(-1, *(1,) * r)
