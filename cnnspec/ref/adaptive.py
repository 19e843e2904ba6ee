"""Reference N-d adaptive average and max pooling, channels-first.  [net.adaptive-pool-values]

Adaptive pooling from i to o cells per axis reduces window j = [floor(j*i/o), ceil((j+1)*i/o))
of that axis (formulas.adaptive_pool_window) [net.adaptive-pool]; an output cell reduces the
box that is the product of its windows.  Any o >= 1 is valid: when o > i the windows
overlap and repeat input cells (i=3, o=5: [0, 1), [0, 2), [1, 2), [1, 3), [2, 3)).

Written as a loop over output cells, one box each: the number of outputs is small next to
the work a box does, and the loop reads like the definition.  Dtype policy: see ref.conv.
"""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np

from .._check import at_least, per_axis
from ..formulas import adaptive_pool_window
from ._validate import check_array

__all__ = ["adaptive_avg_pool", "adaptive_max_pool"]


def _boxes(spatial: tuple[int, ...], output_size: Any):
    """(output index, box of slices) for every output cell, boxes per formulas."""
    out = per_axis("output_size", output_size, len(spatial))
    out = tuple(at_least(f"output_size[{a}]", o, 1, rule="config.nonempty")
                for a, o in enumerate(out))
    windows = [[slice(*adaptive_pool_window(i, o, j)) for j in range(o)]
               for i, o in zip(spatial, out)]  # per axis: o slices
    return out, [(index, tuple(w[j] for w, j in zip(windows, index)))
                 for index in itertools.product(*(range(o) for o in out))]


def _pool(x: Any, output_size: Any, reduce: Any, dtype: Any) -> np.ndarray:
    x = check_array("x", x).astype(dtype, copy=False)
    out, boxes = _boxes(x.shape[2:], output_size)
    y = np.empty((*x.shape[:2], *out), dtype=dtype)  # (N, C, *out)
    axes = tuple(range(2, x.ndim))
    for index, box in boxes:
        y[(slice(None), slice(None), *index)] = reduce(x[(slice(None), slice(None), *box)], axes)
    return y


def _mean(box: np.ndarray, axes: tuple[int, ...]) -> np.ndarray:
    """The sum of the box divided by its cell count (exact sum on integer data, one rounding)."""
    count = int(np.prod([box.shape[a] for a in axes]))
    return box.sum(axis=axes) / count  # (N, C)


def adaptive_avg_pool(x: Any, output_size: Any, *, dtype: Any = np.float64) -> np.ndarray:
    """y[n, c, *j] = mean of x[n, c] over the box prod_a [floor(j_a*i_a/o_a), ceil((j_a+1)*i_a/o_a)).

    output_size: an int (every axis) or one int per spatial axis, each >= 1 (o > i allowed).
    """
    return _pool(x, output_size, _mean, dtype)


def adaptive_max_pool(x: Any, output_size: Any, *, dtype: Any = np.float64) -> np.ndarray:
    """y[n, c, *j] = max of x[n, c] over the same boxes as adaptive_avg_pool (a NaN in a box
    gives NaN, as numpy's max)."""
    return _pool(x, output_size, lambda box, axes: box.max(axis=axes), dtype)
