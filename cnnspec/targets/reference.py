"""The reference ops as a conformance target, in the exact form of the target contract (docs/contract.md).

Tuples per spatial axis, padding as (before, after) pairs, NumPy arrays in and out
(float64).  Invalid configurations raise InvalidConfig.
"""

from __future__ import annotations

import numpy as np

from .. import ref

__all__ = ["conv", "conv_transpose", "max_pool", "avg_pool"]


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


