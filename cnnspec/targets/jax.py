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

The backward ops (contract 1.2) are ``jax.vjp`` of the same mapping: the gradients of
sum(y * dy), with JAX's own rules for the gradient of a windowed max (the first maximum of a
tie takes it, as PyTorch does).

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

__all__ = ["LIBRARY", "conv", "conv_transpose", "max_pool", "avg_pool", "conv_backward",
           "conv_transpose_backward", "max_pool_backward", "avg_pool_backward"]

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
    # a Python scalar init: reduce_window of lax.max from -inf is JAX's differentiable windowed
    # max (a traced init makes it the generic reduce_window, which has no reverse-mode rule)
    return lax.reduce_window(x, -jnp.inf, lax.max,
                             window_dimensions=(1, 1, *kernel), window_strides=(1, 1, *stride),
                             padding=((0, 0), (0, 0), *padding),
                             window_dilation=(1, 1, *dilation))


@partial(jax.jit, static_argnames=("kernel", "stride", "padding", "count_include_pad"))
def _avg_pool(x: Any, *, kernel: tuple[Any, ...], stride: tuple[Any, ...], padding: Pads,
              count_include_pad: bool) -> Any:
    zero = jnp.array(0, x.dtype)
    window = dict(window_dimensions=(1, 1, *kernel), window_strides=(1, 1, *stride))
    pads = ((0, 0), (0, 0), *padding)
    total = lax.reduce_window(x, 0.0, lax.add, padding=pads, **window)  # as above, for autodiff
    ones = jnp.ones((1, 1, *x.shape[2:]), x.dtype)               # the input's cells
    if count_include_pad:                                        # ... and the padding's
        ones = lax.pad(ones, jnp.array(1, x.dtype), [(lo, hi, 0) for lo, hi in pads])
        pads = ((0, 0),) * x.ndim
    count = lax.reduce_window(ones, zero, lax.add, padding=pads, **window)
    return total / count


# ---------------------------------------------------------------- the mapping, on JAX arrays
#
# One function per op, used by the forward op (its value) and by the backward op (jax.vjp
# through the very same calls).


def _no_ceil(ceil_mode: bool) -> None:
    if ceil_mode:
        raise NotImplementedError("ceil_mode=True: lax.reduce_window has no ceil mode "
                                  "(JAX limit)")


def _conv_y(x: Any, w: Any, b: Any, *, stride: Sequence[int], padding: Pads,
            dilation: Sequence[int], groups: int) -> Any:
    """``lax.conv_general_dilated`` with explicit (before, after) padding, plus the bias."""
    return _conv(x, w, b, stride=_tuple(stride), padding=_tuple(padding), lhs_dilation=None,
                 dilation=_tuple(dilation), groups=groups)


def _conv_transpose_y(x: Any, w: Any, b: Any, *, stride: Sequence[int], padding: Pads,
                      output_padding: Sequence[int], dilation: Sequence[int],
                      groups: int) -> Any:
    """The lhs-dilated convolution with the flipped, regrouped kernel (module docstring)."""
    wt = _transposed_kernel(w, groups=groups)
    pads = tuple((d * (k - 1) - lo, d * (k - 1) - hi + op)
                 for (lo, hi), k, d, op in zip(padding, w.shape[2:], dilation, output_padding))
    return _conv(x, wt, b, stride=(1,) * (x.ndim - 2), padding=pads,
                 lhs_dilation=_tuple(stride), dilation=_tuple(dilation), groups=groups)


def _max_pool_y(x: Any, *, kernel: Sequence[int], stride: Sequence[int], padding: Pads,
                dilation: Sequence[int], ceil_mode: bool) -> Any:
    """``lax.reduce_window`` with ``lax.max`` from -inf; ceil_mode is not expressible."""
    _no_ceil(ceil_mode)
    return _max_pool(x, kernel=_tuple(kernel), stride=_tuple(stride), padding=_tuple(padding),
                     dilation=_tuple(dilation))


def _avg_pool_y(x: Any, *, kernel: Sequence[int], stride: Sequence[int], padding: Pads,
                ceil_mode: bool, count_include_pad: bool) -> Any:
    """Window sums over window counts, both ``lax.reduce_window``; no ceil mode."""
    _no_ceil(ceil_mode)
    return _avg_pool(x, kernel=_tuple(kernel), stride=_tuple(stride), padding=_tuple(padding),
                     count_include_pad=count_include_pad)


def _arrays(*arrays: Any) -> list[Any]:
    return [None if a is None else jnp.asarray(a) for a in arrays]


def _grads(forward: Any, arrays: list[Any], dy: Any) -> tuple[Any, ...]:
    """The gradients of sum(forward(*arrays) * dy) with respect to every array that is not
    None (None stays None): ``jax.vjp``, which refuses a dy of another shape than y."""
    present = [a for a in arrays if a is not None]

    def f(*given: Any) -> Any:
        it = iter(given)
        return forward(*(None if a is None else next(it) for a in arrays))

    y, pull = jax.vjp(f, *present)
    got = iter(pull(jnp.asarray(dy, dtype=y.dtype)))
    return tuple(None if a is None else _out(next(got)) for a in arrays)


# ---------------------------------------------------------------- the contract's ops


def conv(x: np.ndarray, w: np.ndarray, b: np.ndarray | None, **kw: Any) -> np.ndarray:
    return _out(_conv_y(*_arrays(x, w, b), **kw))


def conv_transpose(x: np.ndarray, w: np.ndarray, b: np.ndarray | None, **kw: Any) -> np.ndarray:
    return _out(_conv_transpose_y(*_arrays(x, w, b), **kw))


def max_pool(x: np.ndarray, **kw: Any) -> np.ndarray:
    return _out(_max_pool_y(jnp.asarray(x), **kw))


def avg_pool(x: np.ndarray, **kw: Any) -> np.ndarray:
    return _out(_avg_pool_y(jnp.asarray(x), **kw))


def conv_backward(x: np.ndarray, w: np.ndarray, b: np.ndarray | None, dy: np.ndarray,
                  **kw: Any) -> tuple[Any, ...]:
    """(dx, dw, db) by ``jax.vjp`` through :func:`conv`'s mapping (db None without b)."""
    return _grads(lambda *a: _conv_y(*a, **kw), _arrays(x, w, b), dy)


def conv_transpose_backward(x: np.ndarray, w: np.ndarray, b: np.ndarray | None,
                            dy: np.ndarray, **kw: Any) -> tuple[Any, ...]:
    """(dx, dw, db) by ``jax.vjp`` through :func:`conv_transpose`'s mapping."""
    return _grads(lambda *a: _conv_transpose_y(*a, **kw), _arrays(x, w, b), dy)


def max_pool_backward(x: np.ndarray, dy: np.ndarray, **kw: Any) -> np.ndarray:
    """dx by ``jax.vjp`` through :func:`max_pool`'s mapping."""
    return _grads(lambda a: _max_pool_y(a, **kw), _arrays(x), dy)[0]


def avg_pool_backward(x: np.ndarray, dy: np.ndarray, **kw: Any) -> np.ndarray:
    """dx by ``jax.vjp`` through :func:`avg_pool`'s mapping."""
    return _grads(lambda a: _avg_pool_y(a, **kw), _arrays(x), dy)[0]
