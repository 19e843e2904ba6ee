"""tinygrad as a target: ``Tensor.conv2d`` and friends in the contract, on the CPU, in float64.

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

__all__ = ["conv", "conv_transpose", "max_pool", "avg_pool", "LIBRARY", "DEVICE"]


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


def conv(x: np.ndarray, w: np.ndarray, b: np.ndarray | None, *, stride: Sequence[int],
         padding: Pads, dilation: Sequence[int], groups: int) -> np.ndarray:
    """``Tensor.conv2d`` (any rank): cross-correlation, per-side padding."""
    y = _tensor(x).conv2d(_tensor(w), _tensor(b), groups=_py(groups), stride=_axes(stride),
                          dilation=_axes(dilation), padding=_flat_pads(padding))
    return _numpy(y)


def conv_transpose(x: np.ndarray, w: np.ndarray, b: np.ndarray | None, *,
                   stride: Sequence[int], padding: Pads, output_padding: Sequence[int],
                   dilation: Sequence[int], groups: int) -> np.ndarray:
    """``Tensor.conv_transpose2d`` (any rank); w is (C_in, C_out // groups, *K) as tinygrad
    takes it."""
    y = _tensor(x).conv_transpose2d(_tensor(w), _tensor(b), groups=_py(groups),
                                    stride=_axes(stride), dilation=_axes(dilation),
                                    padding=_flat_pads(padding),
                                    output_padding=_axes(output_padding))
    return _numpy(y)


def max_pool(x: np.ndarray, *, kernel: Sequence[int], stride: Sequence[int], padding: Pads,
             dilation: Sequence[int], ceil_mode: bool) -> np.ndarray:
    """``Tensor.max_pool2d`` (any rank), padding with -inf."""
    y = _tensor(x).max_pool2d(kernel_size=_axes(kernel), stride=_axes(stride),
                              dilation=_axes(dilation), padding=_flat_pads(padding),
                              ceil_mode=ceil_mode)
    return _numpy(y)


def avg_pool(x: np.ndarray, *, kernel: Sequence[int], stride: Sequence[int], padding: Pads,
             ceil_mode: bool, count_include_pad: bool) -> np.ndarray:
    """``Tensor.avg_pool2d`` (any rank)."""
    y = _tensor(x).avg_pool2d(kernel_size=_axes(kernel), stride=_axes(stride), dilation=1,
                              padding=_flat_pads(padding), ceil_mode=ceil_mode,
                              count_include_pad=count_include_pad)
    return _numpy(y)


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
