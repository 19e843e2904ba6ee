"""MLX as a target: ``mlx.core`` convolutions and ``mlx.nn`` pooling, and their gradients, in
the contract, on the CPU, in float32.

MLX is channels-last, so every array is moved, in MLX (``mx.moveaxis``, which autodiff
transposes back): x ``(N, C, *S)`` -> ``(N, *S, C)`` and the result back.  Weights:

    conv            w (C_out, C_in/g, *K)  -> (C_out, *K, C_in/g)          mx.conv_general
    conv_transpose  w (C_in, C_out/g, *K)  -> (C_out, *K, C_in/g), per group  mx.conv_transpose{r}d

- conv: ``mx.conv_general(x, w, stride, padding=(before, after), kernel_dilation,
  groups, flip=False)`` (cross-correlation; asymmetric padding is MLX's own), then ``+ b``.
- conv_transpose: ``mx.conv_transpose{1,2,3}d(x, w, stride, padding, dilation,
  output_padding, groups)``, then ``+ b``.  MLX takes one padding per axis, both sides alike:
  asymmetric padding raises NotImplementedError (MLX API limit).
- max_pool / avg_pool: ``mlx.nn.MaxPool{r}d`` / ``AvgPool{r}d(kernel_size, stride,
  padding)``, which pad both sides alike (-inf for max, zeros for avg, the zeros counted:
  count_include_pad=True).  NotImplementedError (MLX API limits): asymmetric padding,
  dilation (max), ceil_mode, count_include_pad=False with any padding (with none, both values
  of the flag mean the same window mean).
- 1 to 3 spatial axes (``mx.conv_general`` and the layer classes stop at 3), groups != 1
  in 1-D and 2-D only (MLX's convolution refuses it in 3-D); NotImplementedError otherwise.

Precision: MLX's CPU convolutions do not take float64 for every rank (``Convolution::eval``
refuses it for conv_transpose and 3-D), so the arrays go in as ``mx.array`` makes them
(float64 becomes float32; other dtypes are MLX's to map or refuse), everything is computed
in float32 and returned as float32 arrays; the harness judges a float32 result in float32
(exact for integer-valued data whose sums fit 24 bits).  The device is MLX's CPU device (``mx.cpu``) for every call.

The backward ops (contract 1.2) differentiate the very functions the forward ops run
(``conv_array``, ``conv_transpose_array``, ``max_pool_array``, ``avg_pool_array``: MLX arrays
channels-first in and out, the layout moves and weight regrouping inside) with ``mx.vjp``,
dy as the cotangent: the gradients of sum(y * dy), as float32.  MLX refuses a dy of another
shape itself (ValueError); the limits above are declared for them alike.

Nothing is validated here: what MLX refuses or computes is what a conformance run measures,
and its exceptions propagate unchanged.  Importing this module without MLX installed raises
ImportError naming the ``mlx`` extra.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

try:
    import mlx.core as mx
    import mlx.nn as nn
except ImportError as e:  # pragma: no cover - exercised by tests with mlx hidden
    raise ImportError("the MLX target needs mlx: pip install 'cnnspec[mlx]' "
                      f"({e})") from None

__all__ = ["conv", "conv_transpose", "max_pool", "avg_pool", "conv_backward",
           "conv_transpose_backward", "max_pool_backward", "avg_pool_backward", "conv_array",
           "conv_transpose_array", "max_pool_array", "avg_pool_array", "LIBRARY"]

LIBRARY = f"mlx {getattr(mx, '__version__', 'unknown')}"

CONV_TRANSPOSE: dict[int, Any] = {1: mx.conv_transpose1d, 2: mx.conv_transpose2d,
                                  3: mx.conv_transpose3d}
MAX_POOL: dict[int, Any] = {1: nn.MaxPool1d, 2: nn.MaxPool2d, 3: nn.MaxPool3d}
AVG_POOL: dict[int, Any] = {1: nn.AvgPool1d, 2: nn.AvgPool2d, 3: nn.AvgPool3d}

Pads = Sequence[Sequence[int]]


def _py(v: Any) -> Any:
    """A NumPy integer as a Python int (MLX's argument parsing wants ints); else unchanged."""
    return int(v) if isinstance(v, np.integer) else v


def _axes(v: Sequence[Any]) -> tuple[Any, ...]:
    return tuple(_py(a) for a in v)


def _rank(x: Any, api: str, groups: Any = 1) -> int:
    """The spatial rank; NotImplementedError outside 1-3, and for groups != 1 in 3-D."""
    r = len(x.shape) - 2
    if r not in (1, 2, 3):
        raise NotImplementedError(f"{api} takes 1 to 3 spatial axes, not {r} (MLX API limit)")
    if r == 3 and groups != 1:
        raise NotImplementedError(f"groups={groups} in 3-D: {api} takes groups != 1 only in "
                                  f"1-D and 2-D (MLX API limit)")
    return r


def _symmetric(padding: Pads, api: str) -> tuple[Any, ...]:
    """One padding per axis; NotImplementedError where before != after (MLX takes one)."""
    pads = tuple((_py(b), _py(a)) for b, a in padding)
    for axis, (b, a) in enumerate(pads):
        if b != a:
            raise NotImplementedError(
                f"padding[{axis}]=({b}, {a}): {api} pads both sides of an axis alike "
                f"(MLX API limit)")
    return tuple(b for b, _ in pads)


def _mx(a: np.ndarray | None) -> Any:
    """a as an MLX array (None stays None): MLX maps float64 to float32, and any other dtype
    its own way."""
    return None if a is None else mx.array(np.ascontiguousarray(a))


def _last(a: Any) -> Any:
    """(N, C, *S) -> (N, *S, C), in MLX (a transpose: autodiff moves dL/dy back)."""
    return mx.moveaxis(a, 1, -1)


def _first(y: Any) -> Any:
    """(N, *S, C) -> (N, C, *S), in MLX."""
    return mx.moveaxis(y, -1, 1)


def _numpy(y: Any) -> np.ndarray:
    """An MLX array computed and copied out as a new C-ordered NumPy array."""
    return np.array(y, copy=True, order="C")


def _bias(y: Any, b: Any) -> Any:
    """y + b, broadcast over the channels-last axis, as ``mlx.nn.Conv*`` adds its bias."""
    return y if b is None else y + b


def conv_array(x: Any, w: Any, b: Any, *, stride: Sequence[int], padding: Pads,
               dilation: Sequence[int], groups: int) -> Any:
    """``mx.conv_general`` channels-last, padding (before, after) per axis, then the bias;
    MLX arrays in and out, channels first."""
    _rank(x, "mx.conv_general", _py(groups))
    before = [_py(p[0]) for p in padding]
    after = [_py(p[1]) for p in padding]
    y = mx.conv_general(_last(x), _last(w), stride=list(_axes(stride)),
                        padding=(before, after), kernel_dilation=list(_axes(dilation)),
                        groups=_py(groups), flip=False)
    return _first(_bias(y, b))


def conv_transpose_array(x: Any, w: Any, b: Any, *, stride: Sequence[int], padding: Pads,
                         output_padding: Sequence[int], dilation: Sequence[int],
                         groups: int) -> Any:
    """``mx.conv_transpose{r}d``; w regrouped to MLX's (C_out, *K, C_in/groups)."""
    r = _rank(x, "mx.conv_transpose", _py(groups))
    api = f"mx.conv_transpose{r}d"
    pad = _symmetric(padding, api)
    g = _py(groups)
    c_in, c_og, *k = w.shape
    if isinstance(g, int) and g >= 1 and c_in % g == 0:
        wg = w.reshape(g, c_in // g, c_og, *k)                 # (g, C_in/g, C_out/g, *K)
        wm = mx.moveaxis(wg, 1, -1).reshape(g * c_og, *k, c_in // g)  # (C_out, *K, C_in/g)
    else:  # no grouped layout exists: MLX gets w ungrouped and says what it says
        wm = mx.moveaxis(w, 0, -1)                             # (C_out/g, *K, C_in)
    def one(v: tuple[Any, ...]) -> Any:  # conv_transpose1d takes ints, not 1-tuples
        return v[0] if r == 1 and len(v) == 1 else v
    y = CONV_TRANSPOSE[r](_last(x), wm, stride=one(_axes(stride)), padding=one(pad),
                          dilation=one(_axes(dilation)),
                          output_padding=one(_axes(output_padding)), groups=g)
    return _first(_bias(y, b))


def max_pool_array(x: Any, *, kernel: Sequence[int], stride: Sequence[int], padding: Pads,
                   dilation: Sequence[int], ceil_mode: bool) -> Any:
    """``mlx.nn.MaxPool{r}d`` channels-last (padding with -inf, both sides alike)."""
    r = _rank(x, "mlx.nn.MaxPool")
    api = f"mlx.nn.MaxPool{r}d"
    if any(_py(d) != 1 for d in dilation):
        raise NotImplementedError(f"dilation={tuple(dilation)}: {api} has no dilation "
                                  f"(MLX API limit)")
    if ceil_mode:
        raise NotImplementedError(f"ceil_mode=True: {api} has no ceil mode (MLX API limit)")
    pool = MAX_POOL[r](kernel_size=_axes(kernel), stride=_axes(stride),
                       padding=_symmetric(padding, api))
    return _first(pool(_last(x)))


def avg_pool_array(x: Any, *, kernel: Sequence[int], stride: Sequence[int], padding: Pads,
                   ceil_mode: bool, count_include_pad: bool) -> Any:
    """``mlx.nn.AvgPool{r}d`` channels-last (zero padding, counted in the mean)."""
    r = _rank(x, "mlx.nn.AvgPool")
    api = f"mlx.nn.AvgPool{r}d"
    if ceil_mode:
        raise NotImplementedError(f"ceil_mode=True: {api} has no ceil mode (MLX API limit)")
    pad = _symmetric(padding, api)
    if not count_include_pad and any(p != 0 for p in pad):
        raise NotImplementedError(
            f"count_include_pad=False, padding={tuple(padding)}: {api} counts its zero "
            f"padding in the mean (MLX API limit)")
    pool = AVG_POOL[r](kernel_size=_axes(kernel), stride=_axes(stride), padding=pad)
    return _first(pool(_last(x)))


def conv(x: np.ndarray, w: np.ndarray, b: np.ndarray | None, **kw: Any) -> np.ndarray:
    """:func:`conv_array` on the CPU (contract keywords)."""
    with mx.stream(mx.cpu):
        return _numpy(conv_array(_mx(x), _mx(w), _mx(b), **kw))


def conv_transpose(x: np.ndarray, w: np.ndarray, b: np.ndarray | None,
                   **kw: Any) -> np.ndarray:
    """:func:`conv_transpose_array` on the CPU (contract keywords)."""
    with mx.stream(mx.cpu):
        return _numpy(conv_transpose_array(_mx(x), _mx(w), _mx(b), **kw))


def max_pool(x: np.ndarray, **kw: Any) -> np.ndarray:
    """:func:`max_pool_array` on the CPU (contract keywords)."""
    with mx.stream(mx.cpu):
        return _numpy(max_pool_array(_mx(x), **kw))


def avg_pool(x: np.ndarray, **kw: Any) -> np.ndarray:
    """:func:`avg_pool_array` on the CPU (contract keywords)."""
    with mx.stream(mx.cpu):
        return _numpy(avg_pool_array(_mx(x), **kw))


# ---------------------------------------------------------------- the backward ops


def _vjp(forward: Any, arrays: Sequence[np.ndarray | None], dy: np.ndarray) -> list[Any]:
    """The gradients of sum(forward(*arrays) * dy) for each array (None for None), by
    ``mx.vjp`` with dy as the cotangent, on the CPU (MLX refuses a dy of another shape)."""
    given = [i for i, a in enumerate(arrays) if a is not None]
    def f(*primals: Any) -> Any:
        full: list[Any] = [None] * len(arrays)
        for i, p in zip(given, primals):
            full[i] = p
        return forward(*full)
    with mx.stream(mx.cpu):
        _, grads = mx.vjp(f, [_mx(arrays[i]) for i in given], [_mx(dy)])
        out: list[Any] = [None] * len(arrays)
        for i, g in zip(given, grads):
            out[i] = _numpy(g)
        return out


def conv_backward(x: np.ndarray, w: np.ndarray, b: np.ndarray | None, dy: np.ndarray,
                  **kw: Any) -> tuple[Any, ...]:
    """(dx, dw, db) through :func:`conv_array`; db None when b is None."""
    return tuple(_vjp(lambda *a: conv_array(*a, **kw), (x, w, b), dy))


def conv_transpose_backward(x: np.ndarray, w: np.ndarray, b: np.ndarray | None,
                            dy: np.ndarray, **kw: Any) -> tuple[Any, ...]:
    """(dx, dw, db) through :func:`conv_transpose_array`; db None when b is None."""
    return tuple(_vjp(lambda *a: conv_transpose_array(*a, **kw), (x, w, b), dy))


def max_pool_backward(x: np.ndarray, dy: np.ndarray, **kw: Any) -> Any:
    """dx through :func:`max_pool_array` (MLX's gradient of its max reduction)."""
    return _vjp(lambda a: max_pool_array(a, **kw), (x,), dy)[0]


def avg_pool_backward(x: np.ndarray, dy: np.ndarray, **kw: Any) -> Any:
    """dx through :func:`avg_pool_array`."""
    return _vjp(lambda a: avg_pool_array(a, **kw), (x,), dy)[0]
