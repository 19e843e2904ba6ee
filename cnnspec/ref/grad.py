"""Gradients of the reference conv and conv_transpose, written as the convolutions they are.

For y = conv(x, w, b) and an upstream gradient dy = dL/dy of y's shape:

- dL/dx is the transposed convolution of dy with the same w [conv.grad-input];
- dL/dw is a cross-correlation of the padded x with dy, stride and dilation swapped
  [conv.grad-weight];
- dL/db[o] is the sum of dy over the batch and every position of channel o [conv.grad-bias].

For y = conv_transpose(x, w, b), the adjoint of conv, the roles swap: dL/dx is conv(dy, w)
[conv-transpose.grad-input], dL/dw the same correlation with x and dy exchanged
[conv-transpose.grad-weight], dL/db the same sum [conv-transpose.grad-bias].
:func:`conv_backward` and :func:`conv_transpose_backward` return (dx, dw, db) in the
target contract's form (docs/contract.md), after checking dy [config.grad-shape].

No autograd: tests/test_conv_gradients.py checks these against PyTorch's, and the rules'
checks against the exact identity <conv(x + e_i), dy> - <conv(x), dy> = dL/dx[i].
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import formulas
from .conv import conv
from .conv_transpose import conv_transpose

__all__ = ["conv_grad_input", "conv_grad_weight", "conv_grad_bias", "conv_transpose_grad_input",
           "conv_transpose_grad_weight", "conv_backward", "conv_transpose_backward"]


def _pairs(padding: Any) -> list[tuple[int, int]]:
    return [(int(pb), int(pa)) for pb, pa in padding]


def conv_grad_input(dy: Any, w: Any, x_shape: tuple[int, ...], *, stride: Any, padding: Any,
                    dilation: Any, groups: int) -> np.ndarray:
    """dL/dx = conv_transpose(dy, w) with conv's stride, padding, dilation and groups.
    [conv.grad-input]

        dx[n, g*Cg + c, *q] = sum_{o in group g, *p, *t: p*s + t*d - p_before = q} dy[n, o, *p] * w[o, c, *t]

    conv's w (C_out, C_in/groups, *K) is already in conv_transpose's layout (its input has
    C_out channels).  output_padding r, the one that makes the transposed conv's output S
    cells long (formulas.conv_transpose_output_padding_for; it equals
    (S + pb + pa - d*(K-1) - 1) mod s), restores the input cells past the last window,
    which the floor of [conv.out-size] left unread.
    """
    w, dy = np.asarray(w, dtype=np.float64), np.asarray(dy)
    spatial, kernel = x_shape[2:], w.shape[2:]
    r = tuple(formulas.conv_transpose_output_padding_for(o, k, i, stride=s, padding=p,
                                                         dilation=d)
              for o, i, p, k, s, d in zip(dy.shape[2:], spatial, _pairs(padding), kernel,
                                          stride, dilation))
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
    """dL/db[o] = sum_{n, *p} dy[n, o, *p].  [conv.grad-bias] [conv-transpose.grad-bias]"""
    dy = np.asarray(dy, dtype=np.float64)
    return dy.sum(axis=(0, *range(2, dy.ndim)))


def conv_transpose_grad_input(dy: Any, w: Any, x_shape: tuple[int, ...], *, stride: Any,
                              padding: Any, dilation: Any, groups: int) -> np.ndarray:
    """dL/dx of y = conv_transpose(x, w): conv(dy, w), same stride, padding, dilation and
    groups, its first S cells per axis.  [conv-transpose.grad-input]

        dx[n, g*Cg + c, *p] = sum_{o, *t} dy[n, g*Og + o, *(p*s + t*d - p_before)] * w[g*Cg + c, o, *t]

    conv_transpose's w (C_in, C_out/groups, *K) is conv's layout for a conv from C_out to
    C_in channels.  That conv has more than S outputs on an axis only where
    output_padding >= s (allowed when d > s); the extra ones read only output_padding cells.
    """
    w = np.asarray(w, dtype=np.float64)
    dx = conv(dy, w, stride=tuple(stride), padding=tuple(_pairs(padding)),
              dilation=tuple(dilation), groups=groups)  # (N, C_in, *S') with S' >= S
    return np.ascontiguousarray(dx[(slice(None), slice(None),
                                    *(slice(0, i) for i in x_shape[2:]))])


def conv_transpose_grad_weight(x: Any, dy: Any, kernel: tuple[int, ...], *, stride: Any,
                               padding: Any, dilation: Any, groups: int) -> np.ndarray:
    """dL/dw of y = conv_transpose(x, w): conv_grad_weight with x and dy exchanged.
    [conv-transpose.grad-weight]

        dw[g*Cg + c, o, *t] = sum_{n, *p} x[n, g*Cg + c, *p] * dypad[n, g*Og + o, *(p*s + t*d)]

    (dypad: dy padded by p_before, p_after), the weight gradient of the conv from dy to x.
    """
    return conv_grad_weight(dy, x, kernel, stride=stride, padding=padding,
                            dilation=dilation, groups=groups)  # (C_in, C_out/groups, *K)


def conv_backward(x: Any, w: Any, b: Any, dy: Any, *, stride: Any, padding: Any,
                  dilation: Any, groups: int
                  ) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """(dx, dw, db) of y = conv(x, w, b) for dy = dL/dy; db is None when b is None.
    [conv.grad-input] [conv.grad-weight] [conv.grad-bias] [config.grad-shape]"""
    from .pool_grad import check_dy

    kw = dict(stride=stride, padding=padding, dilation=dilation, groups=groups)
    y = conv(x, w, b, **kw)  # validates the call
    dy = check_dy(dy, y.shape, "conv")
    x, w = np.asarray(x, dtype=np.float64), np.asarray(w, dtype=np.float64)
    kw = dict(kw, padding=_padding_pairs(padding, x.ndim - 2))
    return (conv_grad_input(dy, w, x.shape, **kw), conv_grad_weight(x, dy, w.shape[2:], **kw),
            None if b is None else conv_grad_bias(dy))


def conv_transpose_backward(x: Any, w: Any, b: Any, dy: Any, *, stride: Any, padding: Any,
                            output_padding: Any, dilation: Any, groups: int
                            ) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """(dx, dw, db) of y = conv_transpose(x, w, b) for dy = dL/dy; db is None when b is
    None.  [conv-transpose.grad-input] [conv-transpose.grad-weight]
    [conv-transpose.grad-bias] [config.grad-shape]"""
    from .pool_grad import check_dy

    kw = dict(stride=stride, padding=padding, dilation=dilation, groups=groups)
    y = conv_transpose(x, w, b, output_padding=output_padding, **kw)  # validates the call
    dy = check_dy(dy, y.shape, "conv_transpose")
    x, w = np.asarray(x, dtype=np.float64), np.asarray(w, dtype=np.float64)
    kw = dict(kw, padding=_padding_pairs(padding, x.ndim - 2))
    return (conv_transpose_grad_input(dy, w, x.shape, **kw),
            conv_transpose_grad_weight(x, dy, w.shape[2:], **kw),
            None if b is None else conv_grad_bias(dy))


def _padding_pairs(padding: Any, rank: int) -> tuple[tuple[int, int], ...]:
    """The contract's padding as (before, after) pairs (an int or int pairs per axis)."""
    from .._check import pairs

    return pairs("padding", padding, rank)
