"""conv_transpose validates output_padding but then ignores it.

The bug: S_out = (S-1)s - pb - pa + d(K-1) + 1 without + output_padding [conv-transpose.out-size]:
the result is the full scatter cropped by the padding, and comes out output_padding cells
short (empty, where output_padding was what made the size positive).  PyTorch's own
TorchScript shape function for transposed convolution left output_padding out
(pytorch/pytorch#98129), and so did its quantized ONNX export (pytorch/pytorch#104206).
Caught by: conv-transpose.out-size, conv-transpose.output-padding, conv-transpose.def, whenever
some output_padding > 0.
"""

from __future__ import annotations

from cnnspec.ref._validate import check_conv_transpose
from cnnspec.targets import reference as correct
from cnnspec.targets.reference import avg_pool, conv, max_pool

__all__ = ["conv", "conv_transpose", "max_pool", "avg_pool", "EXPECTED_RULES"]

EXPECTED_RULES = ("conv-transpose.out-size", "conv-transpose.output-padding", "conv-transpose.def")


def conv_transpose(x, w, b, *, stride, padding, output_padding, dilation, groups):
    check_conv_transpose(x, w, b, stride=stride, padding=padding, output_padding=output_padding,
                         dilation=dilation, groups=groups)  # as the spec says
    r = len(stride)
    full = correct.conv_transpose(x, w, b, stride=stride, padding=((0, 0),) * r,
                                  output_padding=(0,) * r,  # BUG: output_padding ignored
                                  dilation=dilation, groups=groups)  # (N, C_out, *full)
    return full[(slice(None), slice(None), *(slice(pb, max(pb, n - pa))  # cropped by the padding
                                             for n, (pb, pa) in zip(full.shape[2:], padding)))]
