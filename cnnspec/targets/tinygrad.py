"""tinygrad as a target: ``Tensor.conv2d`` and friends, and their gradients, in the contract,
on the CPU, in float64.

tinygrad's nn ops are already channels-first and rank-generic (the "2d" methods take any
number of spatial axes from the weight or kernel shape), so the adapter only maps
parameters:

    conv            x.conv2d(w, b, groups, stride, dilation, padding)
    conv_transpose  x.conv_transpose2d(w, b, groups, stride, dilation, padding,
                    output_padding)
    max_pool        x.max_pool2d(kernel, stride, dilation, padding, ceil_mode)
    avg_pool        x.avg_pool2d(kernel, stride, 1, padding, ceil_mode, count_include_pad)

- padding: tinygrad takes a flat per-side list with the *last* axis first, ``[before_W,
  after_W, before_H, after_H, ...]`` (its "2 * dims" form), so the contract's
  ``((before, after), ...)`` is reversed and flattened; asymmetric padding is exact.
- stride, dilation, kernel, output_padding: tuples, one value per axis; NumPy integers are
  turned into Python ints (tinygrad's shape arithmetic wants ints), anything else is passed
  as given.
- arrays go in with their own dtype (tinygrad maps NumPy's; the harness passes float64, and
  other dtypes are tinygrad's to take or refuse); max_pool pads with the dtype's smallest
  value, -inf for float64.

Nothing is validated here: what tinygrad refuses or computes is what a conformance run
measures, and its exceptions (often ``AssertionError``) propagate unchanged.

The backward ops (contract 1.2) run the very tensor functions the forward ops run
(``conv_tensor``, ``conv_transpose_tensor``, ``max_pool_tensor``, ``avg_pool_tensor``) on
fresh tensors, then tinygrad's own autograd: ``y.gradient(x, w, b, gradient=dy)``, the
gradients of sum(y * dy) (tinygrad 0.14 has no ``requires_grad``: any float tensor can be
differentiated).  A dy of another shape is tinygrad's to refuse or broadcast.

Device: tinygrad's ``DEV`` environment variable (tinygrad 0.14; ``CPU=1`` is refused as
deprecated) when set, else ``CPU``.  Its CPU device compiles every kernel with clang (the
``CC`` variable names another); without that compiler the whole target is unavailable
(``UNAVAILABLE`` says why).

Speed: tinygrad schedules and compiles kernels once per shape, in Python (seconds per new
shape on a busy machine, milliseconds for a repeat; ``cnnspec conform`` detects it and draws
few shapes per check).  Two things keep that down: the kernel optimizer is off
(``NOOPT=1``, unless the environment sets NOOPT), and importing the module calls each op
once on a tiny case, so that tinygrad's one-time start is not paid inside a timed call.
Compiled kernels are also kept in tinygrad's disk cache (``CACHEDB``).

Importing this module without tinygrad installed raises ImportError naming the
``tinygrad`` extra.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Sequence
from typing import Any

import numpy as np

try:
    import tinygrad
    from tinygrad import Tensor
    from tinygrad.helpers import Context
except ImportError as e:  # pragma: no cover - exercised by tests with tinygrad hidden
    raise ImportError("the tinygrad target needs tinygrad: pip install 'cnnspec[tinygrad]' "
                      f"({e})") from None

__all__ = ["conv", "conv_transpose", "max_pool", "avg_pool", "conv_backward",
           "conv_transpose_backward", "max_pool_backward", "avg_pool_backward",
           "conv_tensor", "conv_transpose_tensor", "max_pool_tensor", "avg_pool_tensor",
           "LIBRARY", "DEVICE"]


def _version() -> str:
    try:
        from importlib.metadata import version
        return version("tinygrad")
    except Exception:  # pragma: no cover - a source checkout without metadata
        return getattr(tinygrad, "__version__", "unknown")


LIBRARY = f"tinygrad {_version()}"

#: the tinygrad device every tensor is put on
DEVICE = os.environ.get("DEV") or "CPU"


def _unavailable() -> str | None:
    """Why the CPU device cannot compile kernels here (no C compiler), or None."""
    if DEVICE.split(":")[0].upper() != "CPU":
        return None
    cc = os.environ.get("CC") or "clang"
    if shutil.which(cc) is None:
        return (f"tinygrad's CPU device compiles its kernels with {cc!r}, which is not on PATH "
                "(install clang, or name a compiler with CC=..., or pick another tinygrad "
                "device with DEV=...)")
    return None


UNAVAILABLE = _unavailable()

Pads = Sequence[Sequence[int]]


def _py(v: Any) -> Any:
    """A NumPy integer as a Python int; anything else unchanged."""
    return int(v) if isinstance(v, np.integer) else v


def _axes(v: Sequence[Any]) -> tuple[Any, ...]:
    """A per-axis parameter as a tuple, NumPy integers as ints."""
    return tuple(_py(a) for a in v)


def _flat_pads(padding: Pads) -> list[Any]:
    """((before, after), ...) in axis order -> tinygrad's [before_last, after_last, ...]."""
    return [_py(p) for pair in reversed(tuple(padding)) for p in pair]


def _tensor(a: np.ndarray | None) -> Any:
    if a is None:
        return None
    return Tensor(np.ascontiguousarray(a), device=DEVICE)  # float64 stays float64


#: tinygrad's kernel optimizer is off (its NOOPT variable, unless set in the environment):
#: the cases are tiny, and the optimizer's passes are about half of the per-shape cost
_CONTEXT = {"NOOPT": int(os.environ.get("NOOPT") or 1)}


def _numpy(y: Any) -> np.ndarray:
    """y computed (scheduled, compiled, run) and copied out as a new NumPy array."""
    with Context(**_CONTEXT):
        return np.array(y.numpy(), copy=True)


def conv_tensor(xt: Any, wt: Any, bt: Any, *, stride: Sequence[int], padding: Pads,
                dilation: Sequence[int], groups: int) -> Any:
    """``Tensor.conv2d`` (any rank): cross-correlation, per-side padding."""
    return xt.conv2d(wt, bt, groups=_py(groups), stride=_axes(stride),
                     dilation=_axes(dilation), padding=_flat_pads(padding))


def conv_transpose_tensor(xt: Any, wt: Any, bt: Any, *, stride: Sequence[int], padding: Pads,
                          output_padding: Sequence[int], dilation: Sequence[int],
                          groups: int) -> Any:
    """``Tensor.conv_transpose2d`` (any rank); w is (C_in, C_out // groups, *K) as tinygrad
    takes it."""
    return xt.conv_transpose2d(wt, bt, groups=_py(groups), stride=_axes(stride),
                               dilation=_axes(dilation), padding=_flat_pads(padding),
                               output_padding=_axes(output_padding))


def max_pool_tensor(xt: Any, *, kernel: Sequence[int], stride: Sequence[int], padding: Pads,
                    dilation: Sequence[int], ceil_mode: bool) -> Any:
    """``Tensor.max_pool2d`` (any rank), padding with -inf."""
    return xt.max_pool2d(kernel_size=_axes(kernel), stride=_axes(stride),
                         dilation=_axes(dilation), padding=_flat_pads(padding),
                         ceil_mode=ceil_mode)


def avg_pool_tensor(xt: Any, *, kernel: Sequence[int], stride: Sequence[int], padding: Pads,
                    ceil_mode: bool, count_include_pad: bool) -> Any:
    """``Tensor.avg_pool2d`` (any rank)."""
    return xt.avg_pool2d(kernel_size=_axes(kernel), stride=_axes(stride), dilation=1,
                         padding=_flat_pads(padding), ceil_mode=ceil_mode,
                         count_include_pad=count_include_pad)


def conv(x: np.ndarray, w: np.ndarray, b: np.ndarray | None, **kw: Any) -> np.ndarray:
    """:func:`conv_tensor` on x, w, b (contract keywords)."""
    return _numpy(conv_tensor(_tensor(x), _tensor(w), _tensor(b), **kw))


def conv_transpose(x: np.ndarray, w: np.ndarray, b: np.ndarray | None,
                   **kw: Any) -> np.ndarray:
    """:func:`conv_transpose_tensor` on x, w, b (contract keywords)."""
    return _numpy(conv_transpose_tensor(_tensor(x), _tensor(w), _tensor(b), **kw))


def max_pool(x: np.ndarray, **kw: Any) -> np.ndarray:
    """:func:`max_pool_tensor` on x (contract keywords)."""
    return _numpy(max_pool_tensor(_tensor(x), **kw))


def avg_pool(x: np.ndarray, **kw: Any) -> np.ndarray:
    """:func:`avg_pool_tensor` on x (contract keywords)."""
    return _numpy(avg_pool_tensor(_tensor(x), **kw))


# ---------------------------------------------------------------- the backward ops


def _gradients(y: Any, dy: np.ndarray, *inputs: Any) -> list[np.ndarray | None]:
    """The gradients of sum(y * dy) for each input tensor (None for None), by tinygrad's
    ``Tensor.gradient`` with dy as the incoming gradient: tinygrad's own autograd, which
    takes or refuses a dy of another shape as it does."""
    found = y.gradient(*(t for t in inputs if t is not None), gradient=_tensor(dy))
    with Context(**_CONTEXT):
        Tensor.realize(*found)  # one schedule for all of them
    grads = iter(found)
    return [None if t is None else _numpy(next(grads)) for t in inputs]


def conv_backward(x: np.ndarray, w: np.ndarray, b: np.ndarray | None, dy: np.ndarray,
                  **kw: Any) -> tuple[Any, ...]:
    """(dx, dw, db) through :func:`conv_tensor`; db None when b is None."""
    xt, wt, bt = _tensor(x), _tensor(w), _tensor(b)
    return tuple(_gradients(conv_tensor(xt, wt, bt, **kw), dy, xt, wt, bt))


def conv_transpose_backward(x: np.ndarray, w: np.ndarray, b: np.ndarray | None,
                            dy: np.ndarray, **kw: Any) -> tuple[Any, ...]:
    """(dx, dw, db) through :func:`conv_transpose_tensor`; db None when b is None."""
    xt, wt, bt = _tensor(x), _tensor(w), _tensor(b)
    return tuple(_gradients(conv_transpose_tensor(xt, wt, bt, **kw), dy, xt, wt, bt))


def max_pool_backward(x: np.ndarray, dy: np.ndarray, **kw: Any) -> np.ndarray | None:
    """dx through :func:`max_pool_tensor` (tinygrad's gradient of its max reduction)."""
    xt = _tensor(x)
    return _gradients(max_pool_tensor(xt, **kw), dy, xt)[0]


def avg_pool_backward(x: np.ndarray, dy: np.ndarray, **kw: Any) -> np.ndarray | None:
    """dx through :func:`avg_pool_tensor`."""
    xt = _tensor(x)
    return _gradients(avg_pool_tensor(xt, **kw), dy, xt)[0]


def _warm_up() -> str | None:
    """One tiny call of each op, so that tinygrad's one-time start (the device, its helper
    programs, the first compile) is paid when the module is imported, not by the first
    timed call; returns why the device cannot run, or None."""
    x, one = np.zeros((1, 1, 2)), ((0, 0),)
    try:
        conv(x, np.zeros((1, 1, 1)), None, stride=(1,), padding=one, dilation=(1,), groups=1)
        conv_transpose(x, np.zeros((1, 1, 1)), None, stride=(1,), padding=one,
                       output_padding=(0,), dilation=(1,), groups=1)
        max_pool(x, kernel=(1,), stride=(1,), padding=one, dilation=(1,), ceil_mode=False)
        avg_pool(x, kernel=(1,), stride=(1,), padding=one, ceil_mode=False,
                 count_include_pad=True)
    except Exception as e:  # the device, not a configuration: nothing else was called
        return f"tinygrad's {DEVICE} device cannot run here: {type(e).__name__}: {e}"
    return None


if UNAVAILABLE is None:
    UNAVAILABLE = _warm_up()
