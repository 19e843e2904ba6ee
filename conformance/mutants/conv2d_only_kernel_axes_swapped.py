"""conv (2-D only, im2col) flattens the weights with the kernel's two axes swapped.

A 2-D-only conv in the shape of a course assignment: NCHW input, one stride and one padding
for both axes and all four sides, no dilation, no groups (NotImplementedError for every
other case, ranks 1 and 3 included), computed as im2col + one matrix product.
The bug: the columns hold the taps in (c, kh, kw) order, but the weight matrix is flattened
in (c, kw, kh) order, so tap (u, v) is multiplied by w[..., v, u]: the kernel is transposed
[conv.def].  The reshape cannot notice, since C*KH*KW is the same either way, so a
non-square kernel computes without an error.  Only 2-D code can have this bug (a 1-D kernel
has one axis; 3-D code has other orders): a column order that does not match the weights'
packing order, as pytorch/executorch#20708 (im2row wrote its columns tap-major while the
weights were packed channel-major), or weights converted between layouts (HWIO, OIHW) with
the two spatial axes in the wrong order.  Right for kernels equal to their transpose (1x1,
or symmetric ones).
Caught by: conv.def (matches the reference) in 2-D, with a kernel of more than one tap
per axis and values that differ between w[u, v] and w[v, u]; `cnnspec conform` draws only
2-D cases here (the capability probe sees the NotImplementedError for ranks 1 and 3).
"""

from __future__ import annotations

import numpy as np

from cnnspec.ref._validate import check_conv
from cnnspec.targets.reference import avg_pool, conv_transpose, max_pool

__all__ = ["conv", "conv_transpose", "max_pool", "avg_pool", "EXPECTED_RULES"]

EXPECTED_RULES = ("conv.def",)


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
    n, c, h, wd = x.shape
    f, _, kh, kw = w.shape
    ho, wo = (h + 2 * p - kh) // s + 1, (wd + 2 * p - kw) // s + 1
    xp = np.pad(np.asarray(x, dtype=np.float64), ((0, 0), (0, 0), (p, p), (p, p)))
    cols = np.empty((c, kh, kw, n, ho, wo))  # im2col: one row per (c, kh, kw) tap
    for u in range(kh):
        for v in range(kw):
            cols[:, u, v] = xp[:, :, u:u + s * (ho - 1) + 1:s, v:v + s * (wo - 1) + 1:s].transpose(1, 0, 2, 3)
    weights = w.transpose(0, 1, 3, 2).reshape(f, -1)  # BUG: (c, kw, kh) order; the columns are (c, kh, kw)
    y = (weights @ cols.reshape(c * kh * kw, -1)).reshape(f, n, ho, wo).transpose(1, 0, 2, 3)
    if b is not None:
        y = y + np.asarray(b, dtype=np.float64).reshape(1, f, 1, 1)
    return np.ascontiguousarray(y)
