"""conv skips the taps whose weight is zero: a NaN or infinity read by a zero weight vanishes.

The bug: `if w[o, c, t] == 0: continue` (a sparsity shortcut), so 0 * inf and 0 * NaN, which
are NaN, never reach the sum: the output is finite where IEEE arithmetic, the reference and
PyTorch give NaN [conv.def].  Shortcuts that drop multiplications by zero (sparse kernels,
pruned weights, simplifiers that fold x * 0 to 0) all change NaN propagation.  On finite
inputs skipping x * 0 changes nothing, so finite inputs take the reference.
Caught by: conv.def, on an input holding a NaN or an infinity under a zero weight.  The same
shortcut is what BLAS kernels take (NumPy's tensordot skips a zero multiplicand), so
``cnnspec conform`` reports it as the convention nan_times_zero='zero-weight-skips-nan',
allowed by default (exit 0, the convention named); the zoo's in-process catch counts it.
"""

from __future__ import annotations

import itertools

import numpy as np

from cnnspec.targets import reference as correct
from cnnspec.targets.reference import avg_pool, conv_transpose, max_pool

__all__ = ["conv", "conv_transpose", "max_pool", "avg_pool", "EXPECTED_RULES"]

EXPECTED_RULES = ("conv.def",)


def conv(x, w, b, *, stride, padding, dilation, groups):
    y = correct.conv(x, w, b, stride=stride, padding=padding, dilation=dilation, groups=groups)
    if np.isfinite(x).all():
        return y  # (validated above) skipping x * 0 cannot change a finite sum
    r, out = x.ndim - 2, y.shape[2:]
    c_out, cg = w.shape[:2]
    og = c_out // groups
    xpad = np.pad(x, [(0, 0), (0, 0), *padding])  # (N, C_in, *P)
    y = np.zeros(y.shape)  # (N, C_out, *S_out)
    for t in itertools.product(*(range(k) for k in w.shape[2:])):  # one kernel offset at a time
        reads = tuple(slice(ti * d, ti * d + (o - 1) * s + 1, s)
                      for ti, d, o, s in zip(t, dilation, out, stride))
        patch = xpad[(slice(None), slice(None), *reads)]  # (N, C_in, *S_out)
        for g in range(groups):
            wt = w[(slice(g * og, (g + 1) * og), slice(None), *t)]  # (Og, Cg)
            wt = wt.reshape(1, *wt.shape, *(1,) * r)  # (1, Og, Cg, 1, ..., 1)
            xg = patch[:, None, g * cg:(g + 1) * cg]  # (N, 1, Cg, *S_out)
            with np.errstate(invalid="ignore"):
                terms = np.where(wt != 0, xg * wt, 0.0)  # BUG: zero weights skipped
            y[:, g * og:(g + 1) * og] += terms.sum(axis=2)
    return y if b is None else y + b.reshape(-1, *(1,) * r)
