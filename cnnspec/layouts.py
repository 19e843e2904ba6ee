"""Data and weight layouts: channels-first vs channels-last, OIHW vs HWIO.  [net.layouts]

The spec (and cnnspec.ref) is channels-first: activations (N, C, *S), convolution weights
(C_out, C_in/groups, *K) (PyTorch, ONNX: "OIHW"), transposed-convolution weights
(C_in, C_out/groups, *K).  TensorFlow / Keras default to channels-last: activations
(N, *S, C) ("NHWC"), convolution kernels (*K, C_in/groups, C_out) ("HWIO") and
transposed-convolution kernels (*K, C_out, C_in).  Each function here moves axes only: it
never reorders or changes values, so the element at one index of the input is the element
at the permuted index of the output.  Every function is rank-generic (1-D, 2-D, 3-D ...).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .errors import InvalidConfig

__all__ = ["to_channels_last", "to_channels_first", "weights_to_hwio", "weights_from_hwio",
           "conv_transpose_weights_to_tf", "conv_transpose_weights_from_tf"]


def _array(a: Any, name: str) -> np.ndarray:
    a = np.asarray(a)
    if a.ndim < 3:
        raise InvalidConfig(f"{name}.ndim={a.ndim}, but should be >= 3 (two non-spatial axes "
                            f"and at least one spatial axis)", rule="net.layouts")
    return a


def to_channels_last(x: Any) -> np.ndarray:
    """(N, C, *S) -> (N, *S, C): x[n, c, *s] lands at [n, *s, c] (NCHW -> NHWC)."""
    x = _array(x, "x")
    return np.moveaxis(x, 1, -1)  # (N, C, *S) -> (N, *S, C)


def to_channels_first(x: Any) -> np.ndarray:
    """(N, *S, C) -> (N, C, *S): x[n, *s, c] lands at [n, c, *s] (NHWC -> NCHW)."""
    x = _array(x, "x")
    return np.moveaxis(x, -1, 1)  # (N, *S, C) -> (N, C, *S)


def weights_to_hwio(w: Any) -> np.ndarray:
    """Convolution weights (C_out, C_in/groups, *K) -> (*K, C_in/groups, C_out):
    w[o, c, *t] lands at [*t, c, o] (OIHW -> HWIO; grouped weights keep C_in/groups)."""
    w = _array(w, "w")
    r = w.ndim - 2
    return np.transpose(w, (*range(2, 2 + r), 1, 0))  # (O, I/g, *K) -> (*K, I/g, O)


def weights_from_hwio(w: Any) -> np.ndarray:
    """Convolution weights (*K, C_in/groups, C_out) -> (C_out, C_in/groups, *K):
    w[*t, c, o] lands at [o, c, *t] (HWIO -> OIHW)."""
    w = _array(w, "w")
    r = w.ndim - 2
    return np.transpose(w, (r + 1, r, *range(r)))  # (*K, I/g, O) -> (O, I/g, *K)


def conv_transpose_weights_to_tf(w: Any) -> np.ndarray:
    """Transposed-convolution weights (C_in, C_out/groups, *K) (PyTorch, ONNX) ->
    (*K, C_out/groups, C_in) (tf.nn.conv2d_transpose's (h, w, out, in)):
    w[i, o, *t] lands at [*t, o, i]."""
    w = _array(w, "w")
    r = w.ndim - 2
    return np.transpose(w, (*range(2, 2 + r), 1, 0))  # (I, O/g, *K) -> (*K, O/g, I)


def conv_transpose_weights_from_tf(w: Any) -> np.ndarray:
    """Transposed-convolution weights (*K, C_out/groups, C_in) -> (C_in, C_out/groups, *K):
    w[*t, o, i] lands at [i, o, *t]."""
    w = _array(w, "w")
    r = w.ndim - 2
    return np.transpose(w, (r + 1, r, *range(r)))  # (*K, O/g, I) -> (I, O/g, *K)
