"""JAX as a target: ``jax.lax`` convolution and windowed reductions, in the contract.

Importing this module turns on ``jax_enable_x64`` (JAX's global float64 switch), so that
float64 data is computed in float64 instead of being truncated to float32.  Every op is one
``jax.jit``-compiled function of the arrays, its parameters static: the first call of a new
shape compiles, its repeats do not (a conformance run sees that and draws few shapes per
check).  The contract is channels first, which ``lax`` takes as it is through its
``dimension_numbers`` (``NC...``, ``OI...``): no layout change is needed.

How the contract maps onto ``jax.lax``:

- conv: ``lax.conv_general_dilated(x, w, window_strides=stride, padding=[(before, after),
  ...], rhs_dilation=dilation, feature_group_count=groups)``, then the bias is added
  by the adapter, as ``lax`` takes none: reshaped to (1, C_out, 1, ...), which JAX refuses
  for a bias of another size (C_out values in another shape, such as (C_out, 1), are taken).
- conv_transpose: the same function, on the input dilated by the stride (``lhs_dilation``),
  with the kernel flipped on every spatial axis and regrouped from ``(C_in, C_out/g, *K)``
  to ``(C_out, C_in/g, *K)``, and padding ``d*(k-1) - before`` before and ``d*(k-1) - after
  + output_padding`` after, per axis (the transposed convolution as a convolution:
  ``lax.conv_transpose``'s documented mapping, which takes no groups itself).
- max_pool: ``lax.reduce_window(x, -inf, lax.max, ...)`` with the window, stride, explicit
  (before, after) padding and ``window_dilation``; the padding cells are the init value.
- avg_pool: the window sum (``reduce_window`` with ``lax.add`` and padding of zeros) divided
  by the window count, itself a ``reduce_window`` sum of a mask of ones: ones on the input
  only (count_include_pad=False), or on the input and its padding (True).

Refused as unsupported (NotImplementedError): ``ceil_mode=True``, because
``lax.reduce_window`` has no ceil mode (its padding is what the caller gives; JAX limit).
Nothing else is checked here: JAX's own refusals (and what it computes where it refuses
nothing) are what a conformance run measures.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial
from typing import Any

import numpy as np

try:
    import jax
    import jax.numpy as jnp
    from jax import lax
except ImportError as e:  # pragma: no cover - exercised by tests with jax hidden
    raise ImportError(f"the JAX target needs jax: pip install 'cnnspec[jax]' ({e})") from None

jax.config.update("jax_enable_x64", True)  # float64 stays float64

__all__ = ["LIBRARY", "conv", "conv_transpose", "max_pool", "avg_pool"]

LIBRARY = f"jax {jax.__version__}"

Pads = tuple[tuple[int, int], ...]
_SPATIAL = "DHWXYZUVST"  # axis letters for dimension_numbers, any rank up to 10


def _numbers(rank: int) -> tuple[str, str, str]:
    """Channels-first dimension_numbers of a rank-``rank`` convolution."""
    sp = _SPATIAL[:rank]
    return "NC" + sp, "OI" + sp, "NC" + sp


def _tuple(v: Sequence[Any]) -> tuple[Any, ...]:
    """A parameter as a hashable tuple (jit's static arguments); the values are passed on."""
    return tuple(tuple(p) if isinstance(p, (tuple, list)) else p for p in v)


def _out(y: Any) -> np.ndarray:
    """A new, writable NumPy array holding ``y``."""
    return np.array(y)


# ---------------------------------------------------------------- compiled bodies


@partial(jax.jit, static_argnames=("stride", "padding", "lhs_dilation", "dilation", "groups"))
def _conv(x: Any, w: Any, b: Any, *, stride: tuple[Any, ...], padding: Pads,
          lhs_dilation: tuple[Any, ...] | None, dilation: tuple[Any, ...], groups: Any) -> Any:
    y = lax.conv_general_dilated(x, w, window_strides=stride, padding=padding,
                                 lhs_dilation=lhs_dilation, rhs_dilation=dilation,
                                 dimension_numbers=_numbers(x.ndim - 2),
                                 feature_group_count=groups)
    if b is not None:
        # (C_out,) -> (1, C_out, 1, ...): a reshape, not a broadcast, so that JAX refuses a
        # bias of another size instead of spreading one value over every channel
        y = y + b.reshape((1, y.shape[1]) + (1,) * (x.ndim - 2))
    return y


@partial(jax.jit, static_argnames=("groups",))
def _transposed_kernel(w: Any, *, groups: Any) -> Any:
    """(C_in, C_out/g, *K) -> (C_out, C_in/g, *K), flipped on every spatial axis."""
    c_in, c_out_g, *k = w.shape
    wg = w.reshape(groups, c_in // groups, c_out_g, *k)          # (g, C_in/g, C_out/g, *K)
    wg = jnp.swapaxes(wg, 1, 2)                                  # (g, C_out/g, C_in/g, *K)
    wt = wg.reshape(groups * c_out_g, c_in // groups, *k)        # (C_out, C_in/g, *K)
    return jnp.flip(wt, axis=tuple(range(2, wt.ndim)))


@partial(jax.jit, static_argnames=("kernel", "stride", "padding", "dilation"))
def _max_pool(x: Any, *, kernel: tuple[Any, ...], stride: tuple[Any, ...], padding: Pads,
              dilation: tuple[Any, ...]) -> Any:
    return lax.reduce_window(x, jnp.array(-jnp.inf, x.dtype), lax.max,
                             window_dimensions=(1, 1, *kernel), window_strides=(1, 1, *stride),
                             padding=((0, 0), (0, 0), *padding),
                             window_dilation=(1, 1, *dilation))


@partial(jax.jit, static_argnames=("kernel", "stride", "padding", "count_include_pad"))
def _avg_pool(x: Any, *, kernel: tuple[Any, ...], stride: tuple[Any, ...], padding: Pads,
              count_include_pad: bool) -> Any:
    zero = jnp.array(0, x.dtype)
    window = dict(window_dimensions=(1, 1, *kernel), window_strides=(1, 1, *stride))
    pads = ((0, 0), (0, 0), *padding)
    total = lax.reduce_window(x, zero, lax.add, padding=pads, **window)
    ones = jnp.ones((1, 1, *x.shape[2:]), x.dtype)               # the input's cells
    if count_include_pad:                                        # ... and the padding's
        ones = lax.pad(ones, jnp.array(1, x.dtype), [(lo, hi, 0) for lo, hi in pads])
        pads = ((0, 0),) * x.ndim
    count = lax.reduce_window(ones, zero, lax.add, padding=pads, **window)
    return total / count


# ---------------------------------------------------------------- the contract's ops


def conv(x: np.ndarray, w: np.ndarray, b: np.ndarray | None, *, stride: Sequence[int],
         padding: Pads, dilation: Sequence[int], groups: int) -> np.ndarray:
    """``lax.conv_general_dilated`` with explicit (before, after) padding, plus the bias."""
    y = _conv(jnp.asarray(x), jnp.asarray(w), None if b is None else jnp.asarray(b),
              stride=_tuple(stride), padding=_tuple(padding), lhs_dilation=None,
              dilation=_tuple(dilation), groups=groups)
    return _out(y)


def conv_transpose(x: np.ndarray, w: np.ndarray, b: np.ndarray | None, *,
                   stride: Sequence[int], padding: Pads, output_padding: Sequence[int],
                   dilation: Sequence[int], groups: int) -> np.ndarray:
    """The lhs-dilated convolution with the flipped, regrouped kernel (module docstring)."""
    wt = _transposed_kernel(jnp.asarray(w), groups=groups)
    pads = tuple((d * (k - 1) - lo, d * (k - 1) - hi + op)
                 for (lo, hi), k, d, op in zip(padding, w.shape[2:], dilation, output_padding))
    y = _conv(jnp.asarray(x), wt, None if b is None else jnp.asarray(b),
              stride=(1,) * (x.ndim - 2), padding=pads, lhs_dilation=_tuple(stride),
              dilation=_tuple(dilation), groups=groups)
    return _out(y)


def max_pool(x: np.ndarray, *, kernel: Sequence[int], stride: Sequence[int], padding: Pads,
             dilation: Sequence[int], ceil_mode: bool) -> np.ndarray:
    """``lax.reduce_window`` with ``lax.max`` from -inf; ceil_mode is not expressible."""
    if ceil_mode:
        raise NotImplementedError("ceil_mode=True: lax.reduce_window has no ceil mode "
                                  "(JAX limit)")
    return _out(_max_pool(jnp.asarray(x), kernel=_tuple(kernel), stride=_tuple(stride),
                          padding=_tuple(padding), dilation=_tuple(dilation)))


def avg_pool(x: np.ndarray, *, kernel: Sequence[int], stride: Sequence[int], padding: Pads,
             ceil_mode: bool, count_include_pad: bool) -> np.ndarray:
    """Window sums over window counts, both ``lax.reduce_window``; no ceil mode."""
    if ceil_mode:
        raise NotImplementedError("ceil_mode=True: lax.reduce_window has no ceil mode "
                                  "(JAX limit)")
    return _out(_avg_pool(jnp.asarray(x), kernel=_tuple(kernel), stride=_tuple(stride),
                          padding=_tuple(padding), count_include_pad=count_include_pad))
