"""Gradients of the reference pooling ops: dL/dx for an upstream gradient dy = dL/dy.

Both walk the kernel offsets t in row-major order, as the forward ops do, and scatter dy
back onto the padded input through the same strided views (:func:`cnnspec.ref._windows.tap`);
what lands on padding or on the ceil_mode overhang is dropped, so padding never receives a
gradient.  Overlapping windows (stride < kernel) add up on the cells they share.

- max pooling [pool.max-grad]: each dy[n, c, *p] goes to one cell of window p, the first
  maximum in window order (PyTorch, JAX and TensorFlow agree on ties); a window holding NaN
  sends it to the first NaN (its maximum is NaN [pool.max-nan]).
- average pooling [pool.avg-grad]: each dy[n, c, *p] / divisor[*p] goes to every input cell
  of window p, with exactly the forward divisor [pool.avg-divisor].

tests/test_backward_ref.py checks both against PyTorch's autograd and against a tap-by-tap
loop.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ._validate import check_array, check_pool
from ._windows import tap, taps
from .pool import _divisor, _padded, avg_pool, max_pool

__all__ = ["max_pool_grad", "avg_pool_grad", "check_dy"]


def check_dy(dy: Any, y_shape: tuple[int, ...], op: str) -> np.ndarray:
    """dy as a float array of the forward output's shape.  [config.grad-shape]"""
    from ..errors import InvalidConfig

    dy = check_array("dy", dy)
    if tuple(dy.shape) != tuple(y_shape):
        raise InvalidConfig(f"dy.shape={tuple(dy.shape)}, but should be the shape of "
                            f"{op}'s output y, {tuple(y_shape)}", rule="config.grad-shape")
    return dy.astype(np.float64, copy=False)


def _unpad(gpad: np.ndarray, x_shape: tuple[int, ...],
           padding: tuple[tuple[int, int], ...]) -> np.ndarray:
    """The input cells of a padded gradient (padding and overhang dropped): (N, C, *S)."""
    crop = tuple(slice(pb, pb + i) for i, (pb, _) in zip(x_shape[2:], padding))
    return np.ascontiguousarray(gpad[(slice(None), slice(None), *crop)])


def max_pool_grad(x: Any, dy: Any, *, kernel: Any, stride: Any = None, padding: Any = 0,
                  dilation: Any = 1, ceil_mode: bool = False) -> np.ndarray:
    """dL/dx of y = max_pool(x).  [pool.max-grad]

        dx[n, c, *q] = sum over windows p whose chosen cell is q of dy[n, c, *p]

    chosen cell of window p: the first input cell, in tap order t (row-major), holding the
    window's maximum; a NaN takes over from any number, so a window with NaN chooses its
    first NaN.  Padding (-inf) and the ceil_mode overhang are never chosen, even when every
    input cell of the window is -inf: a window always holds one [pool.window-has-input].
    """
    y = max_pool(x, kernel=kernel, stride=stride, padding=padding, dilation=dilation,
                 ceil_mode=ceil_mode)  # validates the call; y: (N, C, *S_out)
    x, geo, out = check_pool(x, kernel=kernel, stride=stride, padding=padding,
                             dilation=dilation, ceil_mode=ceil_mode)
    dy = check_dy(dy, y.shape, "max_pool")
    xpad = _padded(x.astype(np.float64), geo, out, -np.inf)  # (N, C, *S_padded)
    best = np.full(y.shape, -np.inf)  # the running maximum of each window
    chosen = np.full(y.shape, -1, dtype=np.int64)  # the tap that holds it, -1: none yet
    inside = _padded(np.ones((1, 1, *x.shape[2:])), geo, out, 0.0) > 0  # (1, 1, *S_padded)
    kernel_taps = list(taps(geo.kernel))
    for j, t in enumerate(kernel_taps):
        value = tap(xpad, t, geo.stride, geo.dilation, out)  # (N, C, *S_out)
        on_input = tap(inside, t, geo.stride, geo.dilation, out)  # (1, 1, *S_out)
        take = on_input & ((chosen < 0) | (value > best) | (np.isnan(value) & ~np.isnan(best)))
        best, chosen = np.where(take, value, best), np.where(take, j, chosen)
    gpad = np.zeros(xpad.shape)  # (N, C, *S_padded)
    for j, t in enumerate(kernel_taps):
        tap(gpad, t, geo.stride, geo.dilation, out)[...] += np.where(chosen == j, dy, 0.0)
    return _unpad(gpad, x.shape, geo.padding)


def avg_pool_grad(x: Any, dy: Any, *, kernel: Any, stride: Any = None, padding: Any = 0,
                  ceil_mode: bool = False, count_include_pad: bool = True) -> np.ndarray:
    """dL/dx of y = avg_pool(x).  [pool.avg-grad]

        dx[n, c, *q] = sum over windows p holding q of dy[n, c, *p] / divisor[*p]

    divisor as the forward op's [pool.avg-divisor]: padding counted when count_include_pad,
    the ceil_mode overhang never.
    """
    y = avg_pool(x, kernel=kernel, stride=stride, padding=padding, ceil_mode=ceil_mode,
                 count_include_pad=count_include_pad)  # validates the call
    x, geo, out = check_pool(x, kernel=kernel, stride=stride, padding=padding, dilation=1,
                             ceil_mode=ceil_mode)
    dy = check_dy(dy, y.shape, "avg_pool")
    counts = [_divisor(i, k, s, p, o, bool(count_include_pad))
              for i, k, s, p, o in zip(x.shape[2:], geo.kernel, geo.stride, geo.padding, out)]
    divisor = counts[0]
    for c in counts[1:]:
        divisor = np.multiply.outer(divisor, c)  # (*S_out)
    share = dy / divisor  # (N, C, *S_out): what each cell of window p receives
    gpad = np.zeros(_padded(x, geo, out, 0.0).shape)  # (N, C, *S_padded)
    for t in taps(geo.kernel):
        tap(gpad, t, geo.stride, geo.dilation, out)[...] += share
    return _unpad(gpad, x.shape, geo.padding)
