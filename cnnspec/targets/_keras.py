"""The Keras 3 targets' one implementation: the contract ops through ``keras.ops``.

``keras_jax``, ``keras_tensorflow`` and ``keras_torch`` each call :func:`load` with their
backend and bind :func:`ops`.  Keras picks its backend once per process, from the
``KERAS_BACKEND`` environment variable read when keras is first imported; :func:`load`
sets it, and raises ImportError when keras is already imported with another backend (a
conformance worker is a fresh process, so a run of any one Keras target is fine).

The ops are Keras's public API, so what a run measures is Keras's behaviour:
``keras.ops.conv``, ``keras.ops.conv_transpose``, ``keras.ops.max_pool``,
``keras.ops.average_pool`` (bias added with ``keras.ops.add``, padding added with
``keras.ops.pad``).  How the contract maps onto them:

- layout: channels first (``data_format="channels_first"``) where the backend computes it;
  TensorFlow's CPU convolution takes only channels last, so there the arrays are
  transposed in NumPy before and after.  Weights: the contract's ``(C_out, C_in/g, *K)``
  (conv) and ``(C_in, C_out, *K)`` (conv_transpose) become Keras's ``(*K, C_in/g, C_out)``
  and ``(*K, C_out, C_in)``.
- padding: Keras takes ``"valid"`` or ``"same"`` only.  Where the (before, after) pairs
  are exactly Keras's 'same' split on every axis (TensorFlow's SAME: ``out = ceil(n/s)``,
  ``total = max((out - 1)*s + d*(k - 1) + 1 - n, 0)``, ``total // 2`` before, the rest
  after), the op gets ``padding="same"``; otherwise the input is padded first with
  ``keras.ops.pad`` and the op gets ``"valid"``: zeros for conv and avg_pool (zeros in a
  'valid' window are counted: count_include_pad=True), -inf for max_pool.  Keras's 'same'
  average leaves padding out of the divisor, so count_include_pad=False takes 'same' or no
  padding; any other padding with it is NotImplementedError.  A pre-padded cell is input
  to Keras, so a window made only of padding (invalid [pool.window-has-input]) is computed
  (-inf, or 0), not refused: Keras is never asked.
- conv_transpose: ``padding="valid"`` with the contract's output_padding passed through
  (Keras appends it after the full scatter ``(i - 1)*s + d*(k - 1) + 1``), then (before,
  after) cropped from Keras's output; a crop that is negative or leaves nothing is
  NotImplementedError (Keras takes no explicit padding, so it cannot be asked).
- groups: ``keras.ops.conv`` has no groups argument; it infers ``C_in / kernel in-channels``,
  which is the contract's groups exactly when ``w.shape[1] * groups == C_in``.  Where the
  two differ the call cannot be passed to Keras: NotImplementedError.

NotImplementedError (unsupported, named) for what the API cannot express: dilation in
pooling, ceil_mode, groups in conv_transpose, the cases above.  Nothing else is checked
here: every other value goes to Keras as given, and whatever Keras computes or raises is
the result.

Precision: every array goes to ``keras.ops.convert_to_tensor`` in its own dtype (the
contract's float64; a complex or bool array reaches Keras as such).  JAX turns float64 into
float32 unless ``jax_enable_x64`` is on, so :func:`load` turns it on for the JAX backend
(the documented JAX switch; Keras leaves it off); TensorFlow and PyTorch compute float64
tensors as given.  Results come back as new NumPy arrays.
"""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Callable, Sequence
from types import ModuleType
from typing import Any

import numpy as np

__all__ = ["load", "library", "ops"]

#: backend -> the pip extra that installs the backend library
BACKEND_EXTRAS = {"jax": "jax", "tensorflow": "tensorflow", "torch": "torch"}

Pads = Sequence[Sequence[int]]


def load(backend: str) -> ModuleType:
    """keras, imported with ``backend`` (ImportError naming the extra, or the backend keras
    already runs with in this process)."""
    loaded = sys.modules.get("keras")
    if loaded is None:
        os.environ["KERAS_BACKEND"] = backend
    try:
        keras = importlib.import_module("keras")
    except ImportError as e:
        raise ImportError(
            f"the keras-{backend} target needs keras with the {backend} backend: "
            f"pip install 'cnnspec[keras]' 'cnnspec[{BACKEND_EXTRAS[backend]}]' ({e})") from None
    current = keras.backend.backend()
    if current != backend:
        raise ImportError(
            f"keras is already imported in this process with the {current} backend, but the "
            f"keras-{backend} target needs KERAS_BACKEND={backend} before keras is first "
            f"imported (Keras picks one backend per process): run it in a fresh process")
    if backend == "jax":
        import jax

        jax.config.update("jax_enable_x64", True)  # else float64 arrays compute in float32
    return keras


def library(keras: ModuleType) -> str:
    """``"keras <version> (<backend> <version>)"``."""
    backend = keras.backend.backend()
    version = importlib.import_module(backend).__version__
    return f"keras {keras.__version__} ({backend} {version})"


def _same_split(n: int, k: int, s: int, d: int) -> tuple[int, int] | None:
    """Keras's 'same' padding of one axis (TensorFlow's SAME, the odd cell after); None
    for a stride below 1, which 'same' is never chosen for."""
    if s < 1:
        return None
    out = -(-n // s)
    total = max((out - 1) * s + d * (k - 1) + 1 - n, 0)
    return total // 2, total - total // 2


def _keras_padding(spatial: Sequence[int], kernel: Sequence[int], stride: Sequence[int],
                   dilation: Sequence[int], pads: Pads) -> str:
    """'valid' (no padding), 'same' (the pairs are Keras's 'same' split), else 'explicit'."""
    pairs = [tuple(p) for p in pads]
    if all(p == (0, 0) for p in pairs):
        return "valid"
    same = [_same_split(n, k, s, d) for n, k, s, d in zip(spatial, kernel, stride, dilation)]
    return "same" if same == pairs else "explicit"


def ops(keras: ModuleType, *, channels_first: bool
        ) -> tuple[Callable[..., np.ndarray], ...]:
    """(conv, conv_transpose, max_pool, avg_pool) in the target contract through
    ``keras.ops``; ``channels_first``: whether the backend takes channels-first arrays."""
    kops = keras.ops
    data_format = "channels_first" if channels_first else "channels_last"

    def tensor(a: np.ndarray) -> Any:
        a = np.asarray(a)
        if not channels_first:
            a = np.moveaxis(a, 1, -1)  # (N, C, *S) -> (N, *S, C)
        return kops.convert_to_tensor(np.ascontiguousarray(a))  # its own dtype: float64

    def kernel(w: np.ndarray) -> Any:
        w = np.asarray(w)  # (A, B, *K) -> (*K, B, A)
        return kops.convert_to_tensor(np.transpose(w, (*range(2, w.ndim), 1, 0)).copy())

    def numpy(y: Any) -> np.ndarray:
        out = np.array(kops.convert_to_numpy(y))  # a new array, never a view of the inputs
        return out if channels_first else np.moveaxis(out, -1, 1).copy()  # (N, *S, C) -> (N, C, *S)

    def biased(y: Any, b: np.ndarray | None, rank: int) -> Any:
        """y + b, as Keras's conv layers add their bias: b reshaped to one value per
        output channel (Keras raises when b does not hold C_out values)."""
        if b is None:
            return y
        c_out = y.shape[1] if channels_first else y.shape[-1]
        shape = (1, c_out, *(1,) * rank) if channels_first else (1, *(1,) * rank, c_out)
        return kops.add(y, kops.reshape(kops.convert_to_tensor(np.asarray(b)), shape))

    def padded(xt: Any, pads: Pads, value: float) -> Any:
        widths = [(0, 0), *(tuple(p) for p in pads)]  # batch and spatial axes
        widths.insert(1 if channels_first else len(widths), (0, 0))  # the channel axis
        return kops.pad(xt, widths, constant_values=value)

    def conv(x: np.ndarray, w: np.ndarray, b: np.ndarray | None, *, stride: Sequence[int],
             padding: Pads, dilation: Sequence[int], groups: int) -> np.ndarray:
        """keras.ops.conv; the padding as 'same' or zeros added with keras.ops.pad."""
        x, w = np.asarray(x), np.asarray(w)
        if w.ndim >= 2 and x.ndim >= 2 and w.shape[1] * groups != x.shape[1]:
            raise NotImplementedError(
                f"groups={groups}, but keras.ops.conv takes no groups argument: it infers "
                f"C_in / w.shape[1] = {x.shape[1]} / {w.shape[1]} (Keras API limit)")
        mode = _keras_padding(x.shape[2:], w.shape[2:], stride, dilation, padding)
        xt = tensor(x)
        if mode == "explicit":
            xt, mode = padded(xt, padding, 0.0), "valid"
        y = kops.conv(xt, kernel(w), strides=tuple(stride), padding=mode,
                      data_format=data_format, dilation_rate=tuple(dilation))
        return numpy(biased(y, b, x.ndim - 2))

    def conv_transpose(x: np.ndarray, w: np.ndarray, b: np.ndarray | None, *,
                       stride: Sequence[int], padding: Pads, output_padding: Sequence[int],
                       dilation: Sequence[int], groups: int) -> np.ndarray:
        """keras.ops.conv_transpose 'valid' with output_padding, then (before, after) cropped."""
        if groups != 1:
            raise NotImplementedError(
                f"groups={groups}: keras.ops.conv_transpose has no groups (Keras API limit)")
        x = np.asarray(x)
        y = kops.conv_transpose(tensor(x), kernel(w), strides=tuple(stride), padding="valid",
                                output_padding=tuple(output_padding), data_format=data_format,
                                dilation_rate=tuple(dilation))
        y = numpy(biased(y, b, x.ndim - 2))
        crop = []
        for a, (n, (pb, pa)) in enumerate(zip(y.shape[2:], padding)):
            if pb < 0 or pa < 0 or pb + pa >= n:
                raise NotImplementedError(
                    f"padding[{a}]=({pb}, {pa}): keras.ops.conv_transpose takes no explicit "
                    f"padding, and this crop of its {n} output cells is not a crop that "
                    f"leaves cells (Keras API limit)")
            crop.append(slice(pb, n - pa))
        return np.ascontiguousarray(y[(slice(None), slice(None), *crop)])

    def max_pool(x: np.ndarray, *, kernel: Sequence[int], stride: Sequence[int],
                 padding: Pads, dilation: Sequence[int], ceil_mode: bool) -> np.ndarray:
        """keras.ops.max_pool; the padding as 'same' or -inf added with keras.ops.pad."""
        if any(d != 1 for d in dilation):
            raise NotImplementedError(
                f"dilation={tuple(dilation)}: keras.ops.max_pool has no dilation (Keras API "
                f"limit)")
        if ceil_mode:
            raise NotImplementedError("ceil_mode=True: keras.ops.max_pool has no ceil mode "
                                      "(Keras API limit)")
        x = np.asarray(x)
        mode = _keras_padding(x.shape[2:], kernel, stride, dilation, padding)
        xt = tensor(x)
        if mode == "explicit":
            xt, mode = padded(xt, padding, -np.inf), "valid"
        return numpy(kops.max_pool(xt, tuple(kernel), strides=tuple(stride), padding=mode,
                                   data_format=data_format))

    def avg_pool(x: np.ndarray, *, kernel: Sequence[int], stride: Sequence[int],
                 padding: Pads, ceil_mode: bool, count_include_pad: bool) -> np.ndarray:
        """keras.ops.average_pool; 'same' leaves padding uncounted, zeros added with
        keras.ops.pad and 'valid' count it."""
        if ceil_mode:
            raise NotImplementedError("ceil_mode=True: keras.ops.average_pool has no ceil mode "
                                      "(Keras API limit)")
        x = np.asarray(x)
        mode = _keras_padding(x.shape[2:], kernel, stride, (1,) * len(kernel), padding)
        xt = tensor(x)
        if mode == "same" and count_include_pad or mode == "explicit":
            if not count_include_pad:
                raise NotImplementedError(
                    f"padding={tuple(tuple(p) for p in padding)}, count_include_pad=False: "
                    f"keras.ops.average_pool leaves padding out of the divisor only with "
                    f"padding='same', which pads differently here (Keras API limit)")
            xt, mode = padded(xt, padding, 0.0), "valid"
        return numpy(kops.average_pool(xt, tuple(kernel), strides=tuple(stride), padding=mode,
                                       data_format=data_format))

    return conv, conv_transpose, max_pool, avg_pool
