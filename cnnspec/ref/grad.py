"""Gradients of the reference conv, written as the convolutions they are.

For y = conv(x, w, b) and an upstream gradient dy = dL/dy of y's shape:

- dL/dx is the transposed convolution of dy with the same w [conv.grad-input];
- dL/dw is a cross-correlation of the padded x with dy, stride and dilation swapped
  [conv.grad-weight];
- dL/db[o] is the sum of dy over the batch and every position of channel o.

No autograd: tests/test_conv_gradients.py checks these against PyTorch's, and the rules'
checks against the exact identity <conv(x + e_i), dy> - <conv(x), dy> = dL/dx[i].
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .conv import conv
from .conv_transpose import conv_transpose

__all__ = ["conv_grad_input", "conv_grad_weight", "conv_grad_bias"]


def _pairs(padding: Any) -> list[tuple[int, int]]:
    return [(int(pb), int(pa)) for pb, pa in padding]


def conv_grad_input(dy: Any, w: Any, x_shape: tuple[int, ...], *, stride: Any, padding: Any,
                    dilation: Any, groups: int) -> np.ndarray:
    """dL/dx = conv_transpose(dy, w) with conv's stride, padding, dilation and groups.
    [conv.grad-input]

        dx[n, g*Cg + c, *q] = sum_{o in group g, *p, *t: p*s + t*d - p_before = q} dy[n, o, *p] * w[o, c, *t]

    conv's w (C_out, C_in/groups, *K) is already in conv_transpose's layout (its input has
    C_out channels).  output_padding r = (S + pb + pa - d*(K-1) - 1) mod s restores the
    input cells past the last window, which the floor of [conv.out-size] left unread.
    """
    w = np.asarray(w, dtype=np.float64)
    spatial, kernel = x_shape[2:], w.shape[2:]
    r = tuple((i + pb + pa - d * (k - 1) - 1) % s for i, (pb, pa), k, s, d in
              zip(spatial, _pairs(padding), kernel, stride, dilation))
    return conv_transpose(dy, w, stride=tuple(stride), padding=tuple(_pairs(padding)),
                          output_padding=r, dilation=tuple(dilation), groups=groups)


def conv_grad_weight(x: Any, dy: Any, kernel: tuple[int, ...], *, stride: Any, padding: Any,
                     dilation: Any, groups: int) -> np.ndarray:
    """dL/dw: the cross-correlation of the padded x with dy.  [conv.grad-weight]

        dw[o, c, *t] = sum_{n, *p} dy[n, o, *p] * xpad[n, g(o)*Cg + c, *(p*s + t*d)]

    Read as a conv over t, the batch is the reduced channel axis, dy[:, o] is the kernel
    (its taps p are s apart: dilation s) and t moves d cells at a time (stride d).
    """
    x, dy = np.asarray(x, dtype=np.float64), np.asarray(dy, dtype=np.float64)
    xpad = np.pad(x, [(0, 0), (0, 0), *_pairs(padding)])  # (N, C_in, *P)
    full = conv(np.swapaxes(xpad, 0, 1), np.swapaxes(dy, 0, 1), stride=tuple(dilation),
                padding=0, dilation=tuple(stride))  # (C_in, C_out, *T), T >= K
    full = full[(slice(None), slice(None), *(slice(0, k) for k in kernel))]  # (C_in, C_out, *K)
    cg, og = x.shape[1] // groups, dy.shape[1] // groups
    blocks = [full[g * cg:(g + 1) * cg, g * og:(g + 1) * og] for g in range(groups)]  # (Cg, Og, *K)
    return np.concatenate([np.swapaxes(blk, 0, 1) for blk in blocks])  # (C_out, Cg, *K)


def conv_grad_bias(dy: Any) -> np.ndarray:
    """dL/db[o] = sum_{n, *p} dy[n, o, *p]."""
    dy = np.asarray(dy, dtype=np.float64)
    return dy.sum(axis=(0, *range(2, dy.ndim)))
