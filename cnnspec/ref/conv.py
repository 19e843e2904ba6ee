"""Reference N-d convolution (cross-correlation) and true convolution, channels-first.

Dtype policy (all reference ops): inputs of any real dtype are converted to ``dtype``,
float64 unless asked otherwise, and the result has that dtype.  Integer-valued inputs
therefore give exact results while every partial sum stays below 2**53.  ``dtype=float32``
exists for speed comparisons only; it is not the reference semantics.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ._validate import Geometry, check_conv
from ._windows import tap, taps, windows
from .pad import pad

__all__ = ["conv", "convolve"]

#: im2col bytes above which the batch is processed in chunks (measured peak: 8-12x input).
CHUNK_BYTES = 256 * 2**20


def conv(x: Any, w: Any, b: Any = None, *, stride: Any = 1, padding: Any = 0, dilation: Any = 1,
         groups: int = 1, padding_mode: str = "zeros", dtype: Any = np.float64) -> np.ndarray:
    """N-d cross-correlation.  [conv.def] [conv.out-size] [conv.groups]

        y[n, o, *p] = b[o] + sum_{c, *t} xpad[n, g(o)*Cg + c, *(p*s + t*d)] * w[o, c, *t]

    x: (N, C_in, *S); w: (C_out, C_in/groups, *K); b: (C_out,) or None.  Output shape
    (N, C_out, *S_out) with S_out[a] = floor((S[a] + pb + pa - d(K-1) - 1) / s) + 1.
    stride / dilation: an int or one per axis; padding: an int, one int per axis, one
    (before, after) pair per axis, or 'valid' / 'same' (= 'same_upper') / 'same_lower' /
    'full'; padding_mode: 'zeros', 'reflect', 'replicate', 'circular'.
    g(o) = o // (C_out/groups) is the group of output channel o; Cg = C_in/groups.
    """
    x, w, b, geo = check_conv(x, w, b, stride=stride, padding=padding, dilation=dilation,
                              groups=groups)
    x, w = x.astype(dtype, copy=False), w.astype(dtype, copy=False)
    xpad = pad(x, geo.padding, mode=padding_mode)  # (N, C_in, *P)
    out = tuple((p - (d * (k - 1) + 1)) // s + 1 for p, k, s, d in
                zip(xpad.shape[2:], geo.kernel, geo.stride, geo.dilation))
    if w.shape[1] == 1:
        y = _depthwise(xpad, w, geo, out)
    else:
        y = np.concatenate([_dense_chunk(xc, w, geo, out) for xc in _batch_chunks(xpad, w, out)])
    if b is not None:
        y += b.astype(dtype).reshape((-1,) + (1,) * len(out))  # (C_out, 1, ..., 1)
    return y


def _batch_chunks(xpad: np.ndarray, w: np.ndarray, out: tuple[int, ...]) -> list[np.ndarray]:
    """Split the batch so that one chunk's im2col stays under CHUNK_BYTES."""
    per_sample = xpad.shape[1] * math.prod(out) * math.prod(w.shape[2:]) * xpad.itemsize
    step = max(1, CHUNK_BYTES // max(per_sample, 1))
    return [xpad[i:i + step] for i in range(0, xpad.shape[0], step)]


def _dense_chunk(xpad: np.ndarray, w: np.ndarray, geo: Geometry, out: tuple[int, ...]) -> np.ndarray:
    """One tensordot per group over the windows (im2col form)."""
    r = len(out)
    win = windows(xpad, geo.kernel, geo.stride, geo.dilation, out)  # (N, C_in, *out, *K)
    c_out, cg = w.shape[:2]
    og = c_out // geo.groups
    k_axes = list(range(2 + r, 2 + 2 * r))
    parts = []
    for g in range(geo.groups):
        wg = w[g * og:(g + 1) * og]  # (og, Cg, *K)
        xg = win[:, g * cg:(g + 1) * cg]  # (N, Cg, *out, *K)
        parts.append(np.tensordot(wg, xg, axes=([1, *range(2, 2 + r)], [1, *k_axes])))  # (og, N, *out)
    y = np.concatenate(parts) if len(parts) > 1 else parts[0]  # (C_out, N, *out)
    return np.moveaxis(y, 0, 1)  # (N, C_out, *out)


def _depthwise(xpad: np.ndarray, w: np.ndarray, geo: Geometry, out: tuple[int, ...]) -> np.ndarray:
    """C_in/groups = 1: each output channel reads one input channel; accumulate over taps."""
    c_out = w.shape[0]
    src = np.arange(c_out) // (c_out // geo.groups)  # input channel of each output channel
    xg = xpad if np.array_equal(src, np.arange(xpad.shape[1])) else xpad[:, src]  # (N, C_out, *P)
    y = np.zeros((xpad.shape[0], c_out, *out), dtype=xpad.dtype)
    bshape = (c_out,) + (1,) * len(out)
    for t in taps(geo.kernel):
        y += w[(slice(None), 0, *t)].reshape(bshape) * tap(xg, t, geo.stride, geo.dilation, out)
    return y


def convolve(x: Any, w: Any, b: Any = None, **kwargs: Any) -> np.ndarray:
    """True convolution: cross-correlation with the kernel flipped on every spatial axis.  [conv.convolve]

        y[n, o, *p] = b[o] + sum_{c, *t} xpad[n, ., *(p*s + t*d)] * w[o, c, *(K - 1 - t)]

    Same arguments as :func:`conv`.
    """
    w = np.asarray(w)
    flipped = np.flip(w, axis=tuple(range(2, w.ndim))) if w.ndim >= 3 else w
    return conv(x, flipped, b, **kwargs)
