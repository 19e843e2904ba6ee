"""Reference N-d max and average pooling, and global pooling, channels-first.

Each channel is pooled on its own [pool.channelwise].  max_pool and avg_pool are the fast
paths: both accumulate over kernel offsets (one strided view per offset), so a window of K
taps costs K passes over the output.  Their readable definitions, one window at a time, are
:func:`cnnspec.ref.plain.max_pool_plain` and :func:`cnnspec.ref.plain.avg_pool_plain`,
which tests/test_ref_plain.py holds them equal to.  Dtype policy: see ref.conv.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ._validate import Geometry, check_array, check_flag, check_pool
from ._windows import tap, taps
from .pad import pad

__all__ = ["max_pool", "avg_pool", "global_max_pool", "global_avg_pool"]


def _padded(x: np.ndarray, geo: Geometry, out: tuple[int, ...], fill: float) -> np.ndarray:
    """x padded by geo.padding, then on the right up to (o-1)*s + d(k-1) + 1 cells per axis
    (the ceil_mode overhang past the padded input), everything new set to ``fill``."""
    extra = [max(0, (o - 1) * s + d * (k - 1) + 1 - (i + pb + pa))
             for o, s, d, k, i, (pb, pa) in zip(out, geo.stride, geo.dilation, geo.kernel,
                                                 x.shape[2:], geo.padding)]
    return pad(x, [(pb, pa + e) for (pb, pa), e in zip(geo.padding, extra)], value=fill)


def max_pool(x: Any, *, kernel: Any, stride: Any = None, padding: Any = 0, dilation: Any = 1,
             ceil_mode: bool = False, dtype: Any = np.float64) -> np.ndarray:
    """y[n, c, *p] = max_t xpad[n, c, *(p*s + t*d)], xpad padded with -inf.  [pool.max-def]

    The fast path; the definition is :func:`cnnspec.ref.plain.max_pool_plain`.
    stride defaults to kernel.  A NaN in a window makes that output NaN [pool.max-nan]
    (np.maximum propagates it).  Output size: from the validator, formulas.pool_out_size
    (floor, or ceil with the dropped-window rule).
    """
    x, geo, out = check_pool(x, kernel=kernel, stride=stride, padding=padding,
                             dilation=dilation, ceil_mode=ceil_mode)
    xpad = _padded(x.astype(dtype, copy=False), geo, out, -np.inf)
    y = np.full((*x.shape[:2], *out), -np.inf, dtype=dtype)
    for t in taps(geo.kernel):
        np.maximum(y, tap(xpad, t, geo.stride, geo.dilation, out), out=y)
    return y


def _divisor(i: int, k: int, s: int, pad: tuple[int, int], o: int, include_pad: bool) -> np.ndarray:
    """Per-axis count of the cells each window divides by.  [pool.avg-divisor]

    Window j spans padded cells [j*s, j*s + k).  Counted: cells inside the padded input
    [0, pb + i + pa) if include_pad, else cells inside the input [pb, pb + i).  The
    ceil_mode overhang past the padded input is never counted.
    """
    start = np.arange(o) * s
    lo, hi = (0, pad[0] + i + pad[1]) if include_pad else (pad[0], pad[0] + i)
    return np.minimum(start + k, hi) - np.maximum(start, lo)


def avg_pool(x: Any, *, kernel: Any, stride: Any = None, padding: Any = 0,
             ceil_mode: bool = False, count_include_pad: bool = True,
             dtype: Any = np.float64) -> np.ndarray:
    """y[n, c, *p] = sum_t xpad[n, c, *(p*s + t)] / divisor[*p], xpad padded with 0.  [pool.avg-def]

    The fast path; the definition is :func:`cnnspec.ref.plain.avg_pool_plain`.
    divisor = prod over axes of the per-axis count (see _divisor): padding cells count
    when count_include_pad, the ceil_mode overhang never does.
    """
    x, geo, out = check_pool(x, kernel=kernel, stride=stride, padding=padding, dilation=1,
                             ceil_mode=ceil_mode)
    include_pad = check_flag("count_include_pad", count_include_pad)
    xpad = _padded(x.astype(dtype, copy=False), geo, out, 0.0)
    total = np.zeros((*x.shape[:2], *out), dtype=dtype)
    for t in taps(geo.kernel):
        total += tap(xpad, t, geo.stride, geo.dilation, out)
    counts = [_divisor(i, k, s, p, o, include_pad)
              for i, k, s, p, o in zip(x.shape[2:], geo.kernel, geo.stride, geo.padding, out)]
    divisor = counts[0]
    for c in counts[1:]:
        divisor = np.multiply.outer(divisor, c)  # (*out)
    return total / divisor


def global_max_pool(x: Any, *, dtype: Any = np.float64) -> np.ndarray:
    """Max over all spatial positions, kept as size-1 axes: (N, C, 1, ..., 1).  [pool.global]"""
    x = check_array("x", x).astype(dtype, copy=False)
    return x.max(axis=tuple(range(2, x.ndim)), keepdims=True)


def global_avg_pool(x: Any, *, dtype: Any = np.float64) -> np.ndarray:
    """Mean over all spatial positions, kept as size-1 axes: (N, C, 1, ..., 1).  [pool.global]"""
    x = check_array("x", x).astype(dtype, copy=False)
    return x.sum(axis=tuple(range(2, x.ndim)), keepdims=True) / math.prod(x.shape[2:])
