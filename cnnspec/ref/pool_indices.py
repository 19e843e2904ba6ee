"""Reference max pooling with indices (PyTorch's return_indices, ONNX MaxPool's Indices).

[pool.max-indices]  Channels-first, rank-generic.  For each output cell the index of the
first maximum of its window in window order (kernel offsets row-major), counted in the
unpadded input: PyTorch flattens each (n, c) plane's spatial axes, ONNX (storage_order 0)
the whole (N, C, *S) tensor.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ._validate import check_pool
from ._windows import tap, taps
from .pool import _padded

__all__ = ["max_pool_with_indices", "onnx_indices"]


def _replaces(value: np.ndarray, best: np.ndarray, best_index: np.ndarray,
              on_input: np.ndarray) -> np.ndarray:
    """Where a later tap takes over the window's maximum: a strictly larger value (so the
    first of equal maxima stays), or the first cell on the input after padding only."""
    return on_input & ((value > best) | (best_index < 0))


def max_pool_with_indices(x: Any, *, kernel: Any, stride: Any = None, padding: Any = 0,
                          dilation: Any = 1, ceil_mode: bool = False,
                          dtype: Any = np.float64) -> tuple[np.ndarray, np.ndarray]:
    """(y, indices), both (N, C, *S_out): y as ref.max_pool, and

        indices[n, c, *p] = flat_index(q, S), q the input position of the first tap t of
                            window p (row-major t) with x[n, c, *q] = y[n, c, *p]

    flat_index row-major over the spatial axes S of x (not of the padded input): PyTorch's
    return_indices=True.  Padding and the ceil_mode overhang are never chosen (a window
    always holds an input cell [pool.window-has-input]).  NaN-free input assumed: a NaN
    never takes over here, while ref.max_pool's value would be NaN [pool.max-nan].
    """
    x, geo, out = check_pool(x, kernel=kernel, stride=stride, padding=padding,
                             dilation=dilation, ceil_mode=ceil_mode)
    spatial = x.shape[2:]
    xpad = _padded(x.astype(dtype, copy=False), geo, out, -np.inf)  # (N, C, *S_padded)
    cells = np.arange(math.prod(spatial), dtype=np.float64).reshape(1, 1, *spatial)  # (1, 1, *S)
    where = _padded(cells, geo, out, -1.0).astype(np.int64)  # flat index, -1 off the input
    y = np.full((*x.shape[:2], *out), -np.inf, dtype=dtype)  # (N, C, *S_out)
    index = np.full((*x.shape[:2], *out), -1, dtype=np.int64)  # (N, C, *S_out)
    for t in taps(geo.kernel):  # window order
        value = tap(xpad, t, geo.stride, geo.dilation, out)  # (N, C, *S_out)
        cell = np.broadcast_to(tap(where, t, geo.stride, geo.dilation, out), index.shape)
        take = _replaces(value, y, index, cell >= 0)
        y = np.where(take, value, y)
        index = np.where(take, cell, index)
    return y, index


def onnx_indices(indices: Any, x_shape: Any) -> np.ndarray:
    """PyTorch's per-plane indices (N, C, *S_out) -> ONNX MaxPool's (storage_order 0):
    flat over the whole (N, C, *S) input, index + (n*C + c) * prod(S)."""
    indices = np.asarray(indices)
    n, c, *spatial = x_shape
    plane = np.arange(n * c).reshape(n, c, *(1,) * (indices.ndim - 2))  # (N, C, 1, ..., 1)
    return indices + plane * math.prod(spatial)
