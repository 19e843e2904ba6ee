"""conv (2-D only, direct loops) scales the padding by the stride when it places a window.

A 2-D-only conv in the shape of a course assignment: NCHW input, one stride and one padding
for both axes and all four sides, no dilation, no groups (NotImplementedError for every
other case, ranks 1 and 3 included), computed directly on the unpadded input, one kernel
tap at a time, reading zero where a tap falls outside it (the bounds test of Caffe's
im2col instead of a padded copy).
The bug: the window of output o starts at input row (o - p) * s instead of o * s - p, the
padding counted in output cells, as if the padded border were strided too [conv.def].  The
output size is right, and so are the values at stride 1 (the two are equal) and without
padding (p = 0): only stride > 1 together with padding > 0 shows it, the case that
stride-1 and unpadded tests both miss (downsampling layers: 3x3, stride 2, padding 1).
Caught by: conv.def (matches the reference), and conv.padding / conv.stride, in 2-D with
stride >= 2 and padding >= 1; `cnnspec conform` draws only 2-D cases with one stride and
one padding here (the capability probe sees the NotImplementedError for the rest).
"""

from __future__ import annotations

import numpy as np

from cnnspec.ref._validate import check_conv
from cnnspec.targets.reference import avg_pool, conv_transpose, max_pool

__all__ = ["conv", "conv_transpose", "max_pool", "avg_pool", "EXPECTED_RULES"]

EXPECTED_RULES = ("conv.def", "conv.padding", "conv.stride")


def conv(x, w, b, *, stride, padding, dilation, groups):
    check_conv(x, w, b, stride=stride, padding=padding, dilation=dilation, groups=groups)  # as the spec says
    if x.ndim != 4:
        raise NotImplementedError("2-D only: x should be (N, C, H, W)")
    if stride[0] != stride[1]:
        raise NotImplementedError("one stride for both axes")
    if len({p for pair in padding for p in pair}) != 1:
        raise NotImplementedError("one padding for all four sides")
    if tuple(dilation) != (1, 1) or groups != 1:
        raise NotImplementedError("no dilation, no groups")
    s, p = stride[0], padding[0][0]
    x = np.asarray(x, dtype=np.float64)
    n, c, h, wd = x.shape
    f, _, kh, kw = w.shape
    ho, wo = (h + 2 * p - kh) // s + 1, (wd + 2 * p - kw) // s + 1

    def origin(size_out):  # the input index where each output's window starts
        return (np.arange(size_out) - p) * s  # BUG: should be np.arange(size_out) * s - p

    y = np.zeros((n, f, ho, wo))
    for u in range(kh):
        rows = origin(ho) + u
        for v in range(kw):
            cols = origin(wo) + v
            inside = ((rows >= 0) & (rows < h))[:, None] & ((cols >= 0) & (cols < wd))[None, :]
            taps = x[:, :, np.clip(rows, 0, h - 1)][:, :, :, np.clip(cols, 0, wd - 1)]
            taps = np.where(inside, taps, 0.0)  # outside the input: the zero padding
            y += np.einsum("nchw,fc->nfhw", taps, w[:, :, u, v])
    if b is not None:
        y += np.asarray(b, dtype=np.float64).reshape(1, f, 1, 1)
    return y
