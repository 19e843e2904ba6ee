"""TensorFlow as a target: ``tf.nn`` convolutions and pooling, in the contract (eager calls).

TensorFlow's CPU kernels are channels last, so every array is moved to it and back:
``x`` (N, C, *S) -> (N, *S, C); a conv kernel (C_out, C_in/g, *K) -> (*K, C_in/g, C_out); a
transposed-conv kernel (C_in, C_out, *K) -> (*K, C_out, C_in).  A 1-D convolution runs as a
2-D one with a leading spatial axis of size 1 (kernel, stride and dilation 1 there, no
padding), as ``tf.nn.conv1d`` itself does, so that it gets ``conv2d``'s explicit padding;
1-D pooling runs as it is.  Arrays go to TF in their own dtype (TF takes or refuses it),
except that float64 is cast to float32 for 3-D pooling (below).

Precision: float64 (the contract's dtype) everywhere the CPU kernels take it, which is every
op here except 3-D pooling: ``MaxPool3D`` and ``AvgPool3D`` have no float64 CPU kernel, so
3-D pooling computes in float32 and returns float32 (the run judges it in float32).

How the contract maps onto ``tf.nn``:

- conv, 1-D and 2-D: ``tf.nn.conv2d`` with explicit (before, after) padding and
  ``dilations``; groups are the kernel's shape (TF takes ``C_in / w.shape[1]`` groups), and
  the bias is ``tf.nn.bias_add``.  3-D: ``tf.nn.conv3d`` with the padding added first by
  ``tf.pad`` (zeros), then ``'VALID'``.
- conv_transpose, 1-D and 2-D: ``tf.nn.conv2d_transpose`` with explicit padding and
  ``output_shape`` = (i - 1)*s + d*(k - 1) + 1 - before - after + output_padding per axis
  (TF requires the shape; it checks it against the padding itself).  3-D:
  ``tf.nn.conv3d_transpose`` with ``'VALID'`` and the output_padding in ``output_shape``,
  then (before, after) cropped from its output (``tf.slice``).
- max_pool: ``tf.nn.max_pool(..., padding='VALID')`` on the input padded first with -inf
  (``tf.pad``); with a dilation, ``tf.nn.pool(..., 'MAX', dilations=...)``, which takes it
  (and refuses a stride above the window, which ``tf.nn.max_pool`` takes).
- avg_pool: ``tf.nn.avg_pool``: no padding is ``'VALID'``; count_include_pad=True
  pads zeros first, then ``'VALID'`` (the zeros are counted); count_include_pad=False with
  the padding TF's ``'SAME'`` would add on every axis is ``'SAME'`` (TF's average excludes
  its padding).

Refused as unsupported (NotImplementedError), where the API cannot express the call:
ceil_mode (``tf.nn`` pooling has none); groups in conv_transpose (``conv*d_transpose`` have
none); groups in a 3-D conv (``conv3d``'s kernel in_channels must equal the input's); a
``groups`` argument other than the C_in / w.shape[1] that TF infers from the kernel;
pooling dilation with a stride above 1 (``tf.nn.pool`` documents strides of 1 then);
avg_pool with count_include_pad=False and padding that is neither none nor TF's 'SAME';
a 3-D conv_transpose padding that its crop cannot take (negative, or nothing left); 4+
spatial axes.  Everything else is passed to TF as it is: its refusals (``InvalidArgumentError``
from a CPU kernel, ``ValueError`` from the Python API) and its results are what a
conformance run measures.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

try:
    import tensorflow as tf
except ImportError as e:  # pragma: no cover - exercised by tests with tensorflow hidden
    raise ImportError("the TensorFlow target needs tensorflow: pip install "
                      f"'cnnspec[tensorflow]' ({e})") from None

__all__ = ["LIBRARY", "conv", "conv_transpose", "max_pool", "avg_pool"]

LIBRARY = f"tensorflow {tf.__version__}"

Pads = tuple[tuple[int, int], ...]


# ---------------------------------------------------------------- layouts


def _lift(x: np.ndarray) -> tuple[int, int]:
    """(spatial rank, the rank TF computes in): 1-D runs as 2-D."""
    r = x.ndim - 2
    if r > 3:
        raise NotImplementedError(f"{r} spatial axes: tf.nn convolves and pools 1 to 3 "
                                  f"(TF limit)")
    return r, max(r, 2)


def _axes(v: Sequence[Any], r: int, fill: Any, lift: bool = True) -> list[Any]:
    """A per-axis parameter on the TF rank: ``fill`` first for the leading axis a lifted 1-D
    call gains."""
    return [fill] * (lift and r == 1) + list(v)


def _to_tf(x: np.ndarray, r: int, *, lift: bool = True, float32: bool = False) -> Any:
    """(N, C, *S) -> (N, *S, C), with a leading spatial axis of 1 for a lifted 1-D call;
    ``float32``: float64 data cast to float32 (the rest is TF's to take or refuse)."""
    t = tf.convert_to_tensor(x)
    if float32 and t.dtype == tf.float64:
        t = tf.cast(t, tf.float32)
    t = tf.transpose(t, [0, *range(2, r + 2), 1])
    return tf.expand_dims(t, 1) if lift and r == 1 else t        # (N, 1, L, C)


def _from_tf(y: Any, r: int, *, lift: bool = True) -> np.ndarray:
    """(N, *S, C) -> a new NumPy array (N, C, *S)."""
    if lift and r == 1:
        y = tf.squeeze(y, 1)                                      # (N, L, C)
    return np.array(tf.transpose(y, [0, r + 1, *range(1, r + 1)]))


def _kernel(w: np.ndarray, r: int) -> Any:
    """(A, B, *K) -> (*K, B, A): conv (C_out, C_in/g) -> (*K, C_in/g, C_out); transposed
    conv (C_in, C_out) -> (*K, C_out, C_in); a leading K of 1 for 1-D."""
    t = tf.transpose(tf.convert_to_tensor(w), [*range(2, r + 2), 1, 0])
    return t if r > 1 else tf.expand_dims(t, 0)                   # (1, K, B, A)


def _bias(y: Any, b: np.ndarray | None) -> Any:
    return y if b is None else tf.nn.bias_add(y, tf.convert_to_tensor(b))


def _explicit(padding: Pads, r: int, lift: bool = True) -> list[list[Any]]:
    """[[0, 0], [before, after] per axis, [0, 0]] on the TF rank (NHWC)."""
    return [[0, 0], *(list(p) for p in _axes(padding, r, (0, 0), lift)), [0, 0]]


# ---------------------------------------------------------------- the contract's ops


def conv(x: np.ndarray, w: np.ndarray, b: np.ndarray | None, *, stride: Sequence[int],
         padding: Pads, dilation: Sequence[int], groups: int) -> np.ndarray:
    """``tf.nn.conv2d`` (1-D, 2-D; explicit padding) or ``tf.nn.conv3d`` (zeros padded first)."""
    r, tr = _lift(x)
    if x.shape[1] != w.shape[1] * groups:
        raise NotImplementedError(
            f"groups={groups}: tf.nn.conv{tr}d takes no groups argument, it infers C_in / "
            f"w.shape[1] = {x.shape[1]} / {w.shape[1]} groups from the kernel (TF limit)")
    if r == 3 and groups != 1:
        raise NotImplementedError(f"groups={groups}: tf.nn.conv3d has no groups, its kernel's "
                                  f"in_channels must equal the input's (TF limit)")
    xt, wt = _to_tf(x, r), _kernel(w, r)
    strides, dilations = [1, *_axes(stride, r, 1), 1], [1, *_axes(dilation, r, 1), 1]
    if tr == 2:
        y = tf.nn.conv2d(xt, wt, strides, _explicit(padding, r), dilations=dilations)
    else:
        y = tf.nn.conv3d(tf.pad(xt, _explicit(padding, r)), wt, strides, "VALID",
                         dilations=dilations)
    return _from_tf(_bias(y, b), r)


def conv_transpose(x: np.ndarray, w: np.ndarray, b: np.ndarray | None, *,
                   stride: Sequence[int], padding: Pads, output_padding: Sequence[int],
                   dilation: Sequence[int], groups: int) -> np.ndarray:
    """``tf.nn.conv2d_transpose`` (explicit padding) or ``conv3d_transpose`` (then cropped)."""
    r, tr = _lift(x)
    if groups != 1:
        raise NotImplementedError(f"groups={groups}: tf.nn.conv{tr}d_transpose has no groups "
                                  f"(TF limit)")
    xt, wt = _to_tf(x, r), _kernel(w, r)
    strides, dilations = [1, *_axes(stride, r, 1), 1], [1, *_axes(dilation, r, 1), 1]
    full = [(i - 1) * s + d * (k - 1) + 1 + op  # the uncropped output: 'VALID'
            for i, k, s, d, op in zip(x.shape[2:], w.shape[2:], stride, dilation, output_padding)]
    if tr == 2:
        out = [n - lo - hi for n, (lo, hi) in zip(full, padding)]
        y = tf.nn.conv2d_transpose(xt, wt, [x.shape[0], *_axes(out, r, 1), w.shape[1]], strides,
                                   _explicit(padding, r), dilations=dilations)
    else:
        if any(lo < 0 or hi < 0 or n - lo - hi < 1 for (lo, hi), n in zip(padding, full)):
            raise NotImplementedError(
                f"padding={tuple(padding)}: tf.nn.conv3d_transpose takes only 'VALID' or "
                f"'SAME', and its {tuple(full)} output cells cannot be cropped by it (TF limit)")
        y = tf.nn.conv3d_transpose(xt, wt, [x.shape[0], *full, w.shape[1]], strides, "VALID",
                                   dilations=dilations)
        y = tf.slice(y, [0, *(lo for lo, _ in padding), 0],            # crop (before, after)
                     [-1, *(n - lo - hi for (lo, hi), n in zip(padding, full)), -1])
    return _from_tf(_bias(y, b), r)


def _pool(x: np.ndarray, kind: str, kernel: Sequence[int], stride: Sequence[int],
          padding: Pads | str, dilation: Sequence[int], value: float) -> np.ndarray:
    """``tf.nn.max_pool`` / ``avg_pool``, or ``tf.nn.pool`` with a dilation; ``padding``
    pairs are added first (``value``), a string is TF's."""
    r, _ = _lift(x)
    if any(d != 1 for d in dilation) and any(s != 1 for s in stride):
        raise NotImplementedError(f"dilation={tuple(dilation)} with stride={tuple(stride)}: "
                                  f"tf.nn.pool takes dilations only with strides of 1 (TF limit)")
    xt = _to_tf(x, r, lift=False, float32=r == 3)  # no float64 MaxPool3D / AvgPool3D on CPU
    if not isinstance(padding, str):
        xt = tf.pad(xt, _explicit(padding, r, lift=False), constant_values=value)
        padding = "VALID"
    if all(d == 1 for d in dilation):
        pool = tf.nn.max_pool if kind == "MAX" else tf.nn.avg_pool
        y = pool(xt, list(kernel), list(stride), padding)
    else:
        y = tf.nn.pool(xt, list(kernel), kind, strides=list(stride), padding=padding,
                       dilations=list(dilation))
    return _from_tf(y, r, lift=False)


def _no_ceil(ceil_mode: bool) -> None:
    if ceil_mode:
        raise NotImplementedError("ceil_mode=True: tf.nn pooling has no ceil mode (TF limit)")


def max_pool(x: np.ndarray, *, kernel: Sequence[int], stride: Sequence[int], padding: Pads,
             dilation: Sequence[int], ceil_mode: bool) -> np.ndarray:
    """``tf.nn.max_pool`` (or ``tf.nn.pool``) with 'VALID', on the input padded with -inf."""
    _no_ceil(ceil_mode)
    return _pool(x, "MAX", kernel, stride, padding, dilation, -np.inf)


def _tf_same(i: int, k: int, s: int) -> tuple[int, int]:
    """The padding TF's 'SAME' adds to an input side i (documented in tf.nn): ceil(i / s)
    outputs, the extra cell of an odd total after."""
    total = max((-(-i // s) - 1) * s + k - i, 0)
    return total // 2, total - total // 2


def avg_pool(x: np.ndarray, *, kernel: Sequence[int], stride: Sequence[int], padding: Pads,
             ceil_mode: bool, count_include_pad: bool) -> np.ndarray:
    """``tf.nn.avg_pool``: 'VALID' after zeros (padding counted) or 'SAME' (not)."""
    _no_ceil(ceil_mode)
    ones = (1,) * len(kernel)
    if all(tuple(p) == (0, 0) for p in padding) or count_include_pad:
        return _pool(x, "AVG", kernel, stride, padding, ones, 0.0)
    same = tuple(_tf_same(i, k, s) for i, k, s in zip(x.shape[2:], kernel, stride))
    if tuple(tuple(p) for p in padding) != same:
        raise NotImplementedError(
            f"padding={tuple(padding)}, count_include_pad=False: tf.nn.avg_pool excludes padding "
            f"only with its 'SAME' padding, here {same} (TF limit)")
    return _pool(x, "AVG", kernel, stride, "SAME", ones, 0.0)
