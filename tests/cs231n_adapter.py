"""A course-assignment-shaped target (cs231n's conv_forward_naive / max_pool_forward_naive).

2-D only; one stride and one symmetric padding for both axes (``conv_param = {'stride': S,
'pad': P}``); a bias always; no dilation, no groups; pooling without padding, floor mode
only (``pool_param = {'pool_height', 'pool_width', 'stride'}``), avg_pool likewise.  Any
other configuration raises NotImplementedError, as the target contract asks of a target
that does not support it.  The arithmetic is an explicit window loop over output positions
(not cnnspec's reference), so the checks run on an independent implementation.
"""

from __future__ import annotations

import numpy as np

__all__ = ["conv", "max_pool", "avg_pool"]


def _shared(name: str, values) -> int:
    if len(values) != 2:
        raise NotImplementedError(f"rank {len(values)}: 2-D inputs only")
    if values[0] != values[1]:
        raise NotImplementedError(f"{name}={tuple(values)}: one value for both axes only")
    return int(values[0])


def _pad(padding) -> int:
    (t, b), (left, r) = padding
    if not t == b == left == r:
        raise NotImplementedError(f"padding={padding}: one symmetric pad for both axes only")
    return int(t)


def conv(x, w, b, *, stride, padding, dilation, groups):
    """conv_forward_naive: out[n, f, i, j] = sum(xpad[n, :, i*S:i*S+HH, j*S:j*S+WW] * w[f]) + b[f]."""
    if x.ndim != 4:
        raise NotImplementedError(f"x.ndim={x.ndim}: 2-D inputs only")
    s, p = _shared("stride", stride), _pad(padding)
    if tuple(dilation) != (1, 1) or groups != 1 or b is None:
        raise NotImplementedError("dilation, groups and a missing bias are not supported")
    n, c, h, wd = x.shape
    f, cw, hh, ww = w.shape
    if cw != c or b.shape != (f,):
        raise ValueError(f"w.shape={w.shape}, b.shape={b.shape} do not match x.shape={x.shape}")
    h_out, w_out = (h + 2 * p - hh) // s + 1, (wd + 2 * p - ww) // s + 1
    if h_out < 1 or w_out < 1:
        raise ValueError("the kernel does not fit the padded input")
    xp = np.pad(x, ((0, 0), (0, 0), (p, p), (p, p)))
    out = np.empty((n, f, h_out, w_out))
    wf = w.reshape(f, -1)  # (F, C*HH*WW)
    for i in range(h_out):
        for j in range(w_out):
            window = xp[:, :, i * s:i * s + hh, j * s:j * s + ww].reshape(n, c * hh * ww)
            out[:, :, i, j] = window @ wf.T + b
    return out


def _pool(x, kernel, stride, padding, ceil_mode, reduce):
    if x.ndim != 4:
        raise NotImplementedError(f"x.ndim={x.ndim}: 2-D inputs only")
    s = _shared("stride", stride)
    if any(p for pair in padding for p in pair) or ceil_mode:
        raise NotImplementedError("pooling padding and ceil_mode are not supported")
    ph, pw = kernel
    n, c, h, wd = x.shape
    h_out, w_out = (h - ph) // s + 1, (wd - pw) // s + 1
    if h_out < 1 or w_out < 1:
        raise ValueError("the pooling window does not fit the input")
    out = np.empty((n, c, h_out, w_out))
    for i in range(h_out):
        for j in range(w_out):
            out[:, :, i, j] = reduce(x[:, :, i * s:i * s + ph, j * s:j * s + pw], axis=(2, 3))
    return out


def max_pool(x, *, kernel, stride, padding, dilation, ceil_mode):
    """max_pool_forward_naive."""
    if tuple(dilation) != (1, 1):
        raise NotImplementedError("dilation is not supported")
    return _pool(x, kernel, stride, padding, ceil_mode, np.max)


def avg_pool(x, *, kernel, stride, padding, ceil_mode, count_include_pad):
    """The same loop with a mean (no padding, so count_include_pad changes nothing)."""
    return _pool(x, kernel, stride, padding, ceil_mode, np.mean)
