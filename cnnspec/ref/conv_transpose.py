"""Reference N-d transposed convolution, channels-first.  [conv-transpose.def]

Defined directly as a scatter (each input element adds a scaled copy of the kernel to the
output), so that its equality with a zero-stuffed, flipped-kernel conv and its adjointness
to conv are checkable claims rather than the definition.  Dtype policy: see ref.conv.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ._validate import check_conv_transpose
from ._windows import taps

__all__ = ["conv_transpose"]


def conv_transpose(x: Any, w: Any, b: Any = None, *, stride: Any = 1, padding: Any = 0,
                   output_padding: Any = 0, dilation: Any = 1, groups: int = 1,
                   dtype: Any = np.float64) -> np.ndarray:
    """N-d transposed convolution (the adjoint of conv), the fast path.
    [conv-transpose.def] [conv-transpose.out-size]

        full[n, g*Og + o, *(p*s + t*d)] += x[n, g*Cg + c, *p] * w[g*Cg + c, o, *t]
        y = full cropped by p_before at the start and p_after at the end of every axis

    The readable definition is :func:`cnnspec.ref.plain.conv_transpose_plain`, that scatter
    one element at a time; this scatters one strided block per kernel offset and group (a
    tensordot over the group's input channels), with the same values on integer-valued data
    (tests/test_ref_plain.py).

    x: (N, C_in, *S); w: (C_in, C_out/groups, *K); b: (C_out,) or None.  ``full`` has
    (S-1)*s + d*(K-1) + 1 + output_padding = pb + S_out + pa cells per axis, so
    output_padding adds cells at the end; S_out from the validator
    (formulas.conv_transpose_out_size).
    """
    x, w, b, geo, out = check_conv_transpose(x, w, b, stride=stride, padding=padding,
                                             output_padding=output_padding, dilation=dilation,
                                             groups=groups)
    x, w = x.astype(dtype, copy=False), w.astype(dtype, copy=False)
    n, c_in, *spatial = x.shape
    cg, og = c_in // geo.groups, w.shape[1]
    full_size = [pb + o + pa for o, (pb, pa) in zip(out, geo.padding)]
    full = np.zeros((n, og * geo.groups, *full_size), dtype=dtype)  # (N, C_out, *full)
    for t in taps(geo.kernel):
        sl = tuple(slice(ti * d, ti * d + (i - 1) * s + 1, s)
                   for ti, d, i, s in zip(t, geo.dilation, spatial, geo.stride))
        for g in range(geo.groups):
            xg = x[:, g * cg:(g + 1) * cg]  # (N, Cg, *S)
            wg = w[(slice(g * cg, (g + 1) * cg), slice(None), *t)]  # (Cg, Og)
            contrib = np.moveaxis(np.tensordot(wg, xg, axes=([0], [1])), 0, 1)  # (N, Og, *S)
            full[(slice(None), slice(g * og, (g + 1) * og), *sl)] += contrib
    crop = tuple(slice(pb, pb + o) for o, (pb, _) in zip(out, geo.padding))
    y = full[(slice(None), slice(None), *crop)]
    if b is not None:
        y = y + b.astype(dtype).reshape((-1,) + (1,) * len(out))  # (C_out, 1, ..., 1)
    return np.ascontiguousarray(y)
