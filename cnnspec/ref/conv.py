"""Reference N-d convolution (cross-correlation) and true convolution, channels-first.

Fast path: :func:`conv` is tested against the readable definition
:func:`cnnspec.ref.plain.conv_plain`.

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
from ._windows import flat_index, taps, windows
from .pad import pad

__all__ = ["conv", "convolve"]

#: im2col bytes per batch chunk of the dense path (measured on 2 cores: 32 MiB was 11-18 %
#: faster than 256 MiB on 56x56 layers and caps the peak memory; 8 MiB slowed 14x14 layers).
CHUNK_BYTES = 32 * 2**20
#: padded-input bytes per block of planes in the depthwise path: the block, its accumulator
#: and a product buffer stay in cache (measured 2-4x faster than whole-array passes; 1-4 MiB
#: within noise of each other, 512 KiB and less slower).
DEPTHWISE_BLOCK_BYTES = 2 * 2**20


def conv(x: Any, w: Any, b: Any = None, *, stride: Any = 1, padding: Any = 0, dilation: Any = 1,
         groups: int = 1, padding_mode: str = "zeros", dtype: Any = np.float64) -> np.ndarray:
    """N-d cross-correlation, the fast path.  [conv.def] [conv.out-size] [conv.groups]

        y[n, o, *p] = b[o] + sum_{c, *t} xpad[n, g(o)*Cg + c, *(p*s + t*d)] * w[o, c, *t]

    The readable definition is :func:`cnnspec.ref.plain.conv_plain`, a loop over that
    formula; this computes the same values (exactly, on integer-valued data: tested in
    tests/test_ref_plain.py) with a tensordot per group over the windows, or, when
    C_in/groups = 1, one multiply-add per kernel offset over flat padded planes.  One
    allowed difference: where a NaN input meets only zero weights, a BLAS tensordot may skip
    the product and give the finite sum (the convention nan_times_zero of [conv.def]).

    x: (N, C_in, *S); w: (C_out, C_in/groups, *K); b: (C_out,) or None.  Output shape
    (N, C_out, *S_out), S_out from the validator (formulas.conv_out_size) [conv.out-size].
    stride / dilation: an int or one per axis; padding: an int, one int per axis, one
    (before, after) pair per axis, or 'valid' / 'same' (= 'same_upper') / 'same_lower' /
    'full'; padding_mode: 'zeros', 'reflect', 'replicate', 'circular'.
    g(o) = o // (C_out/groups) is the group of output channel o; Cg = C_in/groups.
    """
    x, w, b, geo, out = check_conv(x, w, b, stride=stride, padding=padding,
                                   dilation=dilation, groups=groups)  # out: S_out
    x, w = x.astype(dtype, copy=False), w.astype(dtype, copy=False)
    if x.shape[0] == 0:  # a batch of 0 gives a batch of 0  [config.nonempty]
        y = np.zeros((0, w.shape[0], *out), dtype=dtype)
    elif w.shape[1] == 1:
        y = _depthwise(x, w, geo, out, padding_mode)
    else:
        y = np.concatenate([_dense(pad(xc, geo.padding, mode=padding_mode), w, geo, out)
                            for xc in _batch_chunks(x, w, out)])  # (N, C_out, *out)
    if b is not None:
        y += b.astype(dtype).reshape((-1,) + (1,) * len(out))  # (C_out, 1, ..., 1)
    return y


def _batch_chunks(x: np.ndarray, w: np.ndarray, out: tuple[int, ...]) -> list[np.ndarray]:
    """Split the batch so that one chunk's im2col stays under CHUNK_BYTES."""
    per_sample = x.shape[1] * math.prod(out) * math.prod(w.shape[2:]) * x.itemsize
    step = max(1, CHUNK_BYTES // max(per_sample, 1))
    return [x[i:i + step] for i in range(0, x.shape[0], step)] or [x]  # a batch of 0: one chunk


def _dense(xpad: np.ndarray, w: np.ndarray, geo: Geometry, out: tuple[int, ...]) -> np.ndarray:
    """One tensordot per group over the windows (im2col form), weights first."""
    r = len(out)
    win = windows(xpad, geo.kernel, geo.stride, geo.dilation, out)  # (N, C_in, *out, *K)
    c_out, cg = w.shape[:2]
    og = c_out // geo.groups
    k_axes = list(range(2 + r, 2 + 2 * r))
    parts = []
    for g in range(geo.groups):
        wg = w[g * og:(g + 1) * og]  # (og, Cg, *K)
        xg = win[:, g * cg:(g + 1) * cg]  # (N, Cg, *out, *K)
        axes = ([1, *range(2, 2 + r)], [1, *k_axes])  # contract (Cg, *K) with (Cg, *K)
        parts.append(np.tensordot(wg, xg, axes=axes))  # (og, N, *out)
    y = np.concatenate(parts) if len(parts) > 1 else parts[0]  # (C_out, N, *out)
    return np.moveaxis(y, 0, 1)  # (N, C_out, *out)


def _depthwise(x: np.ndarray, w: np.ndarray, geo: Geometry, out: tuple[int, ...],
               padding_mode: str) -> np.ndarray:
    """C_in/groups = 1: output plane (n, o) reads the one input plane (n, src(o)) only,

        y[n, o, *p] = sum_t w[o, 0, *t] * xpad[n, src(o), *(p*s + t*d)],
        src(o) = o // (C_out/groups),

    one multiply-add per kernel offset t.  To make each a long contiguous loop, every padded
    plane is flattened: with f(i) = sum_a i[a] * prod(P[a+1:]) the row-major flat index of a
    spatial position (f is linear: f(p*s + t*d) = f(p*s) + f(t*d)),

        z[j] = sum_t w[o, 0, *t] * xflat[j + f(t*d)]   for 0 <= j <= f((out - 1)*s),
        y[n, o, *p] = z[f(p*s)]                          (a strided view of z as a P-shaped plane).

    z also holds positions no output reads (padding columns, and prod(s) - 1 of every prod(s)
    under stride s).  Planes go in blocks of DEPTHWISE_BLOCK_BYTES, each block padded on its
    own, so that the block, its accumulator and a product buffer stay in cache.
    """
    (n, c_in, *spatial), c_out = x.shape, w.shape[0]
    plane = [i + pb + pa for i, (pb, pa) in zip(spatial, geo.padding)]  # P
    size = math.prod(plane)
    src = np.arange(c_out) // (c_out // geo.groups)  # input channel of each output channel
    xg = x if np.array_equal(src, np.arange(c_in)) else x[:, src]  # (N, C_out, *S)
    planes = xg.reshape(n * c_out, 1, *spatial)  # (N*C_out, 1, *S): a batch of 1-channel planes
    wrows = np.broadcast_to(w.reshape(1, c_out, -1), (n, c_out, math.prod(geo.kernel)))
    wrows = wrows.reshape(n * c_out, -1)  # (N*C_out, prod(K)): the weights of each output plane
    offsets = [flat_index([ti * d for ti, d in zip(t, geo.dilation)], plane)
               for t in taps(geo.kernel)]  # f(t*d), in the order of wrows' columns
    span = flat_index([(o - 1) * s for o, s in zip(out, geo.stride)], plane) + 1
    grid = tuple(slice(0, (o - 1) * s + 1, s) for o, s in zip(out, geo.stride))
    step = max(1, DEPTHWISE_BLOCK_BYTES // (size * x.itemsize))
    z = np.empty((min(step, n * c_out), size), dtype=x.dtype)  # (planes, prod(P))
    tmp = np.empty((z.shape[0], span), dtype=x.dtype)  # (planes, span)
    y = np.empty((n * c_out, *out), dtype=x.dtype)  # (N*C_out, *out)
    for r in range(0, n * c_out, step):
        xb = pad(planes[r:r + step], geo.padding, mode=padding_mode)  # (m, 1, *P)
        m = xb.shape[0]
        xb = xb.reshape(m, size)  # (m, prod(P)): one flat padded plane per row
        wb, acc, term = wrows[r:r + m], z[:m, :span], tmp[:m]  # (m, prod(K)), (m, span) x 2
        np.multiply(wb[:, :1], xb[:, offsets[0]:offsets[0] + span], out=acc)
        for i, f in enumerate(offsets[1:], start=1):
            np.multiply(wb[:, i:i + 1], xb[:, f:f + span], out=term)
            acc += term
        y[r:r + m] = z[:m].reshape(m, *plane)[(slice(None), *grid)]  # (m, *out)
    return y.reshape(n, c_out, *out)  # (N, C_out, *out)


def convolve(x: Any, w: Any, b: Any = None, **kwargs: Any) -> np.ndarray:
    """True convolution: cross-correlation with the kernel flipped on every spatial axis.
    [conv.convolve]

        y[n, o, *p] = b[o] + sum_{c, *t} xpad[n, ., *(p*s + t*d)] * w[o, c, *(K - 1 - t)]

    Same arguments as :func:`conv`.
    """
    w = np.asarray(w)
    flipped = np.flip(w, axis=tuple(range(2, w.ndim))) if w.ndim >= 3 else w
    return conv(x, flipped, b, **kwargs)
