"""The reference ops as a conformance target, in the exact form of the target contract (docs/contract.md).

Tuples per spatial axis, padding as (before, after) pairs, NumPy arrays in and out
(float64).  Invalid configurations raise InvalidConfig.  The backward ops are the
reference gradients (cnnspec.ref.grad, cnnspec.ref.pool_grad); a dy that is not the shape
of the forward output raises InvalidConfig [config.grad-shape].
"""

from __future__ import annotations

import numpy as np

from .. import ref
from ..ref import grad, pool_grad

__all__ = ["conv", "conv_transpose", "max_pool", "avg_pool", "conv_backward",
           "conv_transpose_backward", "max_pool_backward", "avg_pool_backward"]

Grads = tuple[np.ndarray, np.ndarray, "np.ndarray | None"]


def conv(x: np.ndarray, w: np.ndarray, b: np.ndarray | None, *, stride: tuple[int, ...],
         padding: tuple[tuple[int, int], ...], dilation: tuple[int, ...],
         groups: int) -> np.ndarray:
    return ref.conv(x, w, b, stride=stride, padding=padding, dilation=dilation, groups=groups)


def conv_transpose(x: np.ndarray, w: np.ndarray, b: np.ndarray | None, *,
                   stride: tuple[int, ...], padding: tuple[tuple[int, int], ...],
                   output_padding: tuple[int, ...], dilation: tuple[int, ...],
                   groups: int) -> np.ndarray:
    return ref.conv_transpose(x, w, b, stride=stride, padding=padding,
                              output_padding=output_padding, dilation=dilation, groups=groups)


def max_pool(x: np.ndarray, *, kernel: tuple[int, ...], stride: tuple[int, ...],
             padding: tuple[tuple[int, int], ...], dilation: tuple[int, ...],
             ceil_mode: bool) -> np.ndarray:
    return ref.max_pool(x, kernel=kernel, stride=stride, padding=padding, dilation=dilation,
                        ceil_mode=ceil_mode)


def avg_pool(x: np.ndarray, *, kernel: tuple[int, ...], stride: tuple[int, ...],
             padding: tuple[tuple[int, int], ...], ceil_mode: bool,
             count_include_pad: bool) -> np.ndarray:
    return ref.avg_pool(x, kernel=kernel, stride=stride, padding=padding, ceil_mode=ceil_mode,
                        count_include_pad=count_include_pad)




def conv_backward(x: np.ndarray, w: np.ndarray, b: np.ndarray | None, dy: np.ndarray, *,
                  stride: tuple[int, ...], padding: tuple[tuple[int, int], ...],
                  dilation: tuple[int, ...], groups: int) -> Grads:
    return grad.conv_backward(x, w, b, dy, stride=stride, padding=padding, dilation=dilation,
                              groups=groups)


def conv_transpose_backward(x: np.ndarray, w: np.ndarray, b: np.ndarray | None,
                            dy: np.ndarray, *, stride: tuple[int, ...],
                            padding: tuple[tuple[int, int], ...],
                            output_padding: tuple[int, ...], dilation: tuple[int, ...],
                            groups: int) -> Grads:
    return grad.conv_transpose_backward(x, w, b, dy, stride=stride, padding=padding,
                                        output_padding=output_padding, dilation=dilation,
                                        groups=groups)


def max_pool_backward(x: np.ndarray, dy: np.ndarray, *, kernel: tuple[int, ...],
                      stride: tuple[int, ...], padding: tuple[tuple[int, int], ...],
                      dilation: tuple[int, ...], ceil_mode: bool) -> np.ndarray:
    return pool_grad.max_pool_grad(x, dy, kernel=kernel, stride=stride, padding=padding,
                                   dilation=dilation, ceil_mode=ceil_mode)


def avg_pool_backward(x: np.ndarray, dy: np.ndarray, *, kernel: tuple[int, ...],
                      stride: tuple[int, ...], padding: tuple[tuple[int, int], ...],
                      ceil_mode: bool, count_include_pad: bool) -> np.ndarray:
    return pool_grad.avg_pool_grad(x, dy, kernel=kernel, stride=stride, padding=padding,
                                   ceil_mode=ceil_mode, count_include_pad=count_include_pad)
