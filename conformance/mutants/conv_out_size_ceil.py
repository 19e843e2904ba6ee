"""conv rounds the output size up: ceil where the spec has floor.

The bug: S_out = ceil((S + pb + pa - d(K-1) - 1) / s) + 1, and the last, partial window reads
zeros past the padded input [conv.out-size].  Caffe's pooling layers round up, and code that
shares one size helper between pooling and convolution inherits it.
Caught by: conv.out-size (and conv.def, which compares shapes first), whenever the stride does
not divide S + pb + pa - d(K-1) - 1.  (The call is validated as the spec says: with the ceil
formula alone, a kernel up to s - 1 cells larger than the padded input would get a window.)
"""

from __future__ import annotations

from cnnspec.ref._validate import check_conv
from cnnspec.targets import reference as correct
from cnnspec.targets.reference import avg_pool, conv_transpose, max_pool

__all__ = ["conv", "conv_transpose", "max_pool", "avg_pool", "EXPECTED_RULES"]

EXPECTED_RULES = ("conv.out-size", "conv.def")


def conv(x, w, b, *, stride, padding, dilation, groups):
    check_conv(x, w, b, stride=stride, padding=padding, dilation=dilation, groups=groups)  # as the spec says
    pads = []
    for i, k, s, (pb, pa), d in zip(x.shape[2:], w.shape[2:], stride, padding, dilation):
        e = d * (k - 1) + 1  # the dilated kernel's extent
        out = -(-(i + pb + pa - e) // s) + 1  # BUG: ceil instead of floor
        pads.append((pb, pa + max(0, (out - 1) * s + e - (i + pb + pa))))  # zeros for the last window
    return correct.conv(x, w, b, stride=stride, padding=tuple(pads), dilation=dilation, groups=groups)
