"""The PyTorch targets' one implementation: the contract ops on a device, in a precision.

``torch_cpu``, ``torch_cuda`` and ``torch_cuda_tf32`` each bind :func:`ops` to a device and
a dtype; nothing here is written per rank (``F.conv1d/2d/3d`` and friends come from tables
indexed by the spatial rank, ``x.ndim - 2``).

This module only moves data and maps parameters; it validates nothing, so what torch
refuses or computes is what a conformance run measures.  The contract maps onto
``torch.nn.functional`` as follows:

- arrays: floating-point arrays are converted with ``torch.as_tensor`` to the target's dtype
  and device; other dtypes (bool, complex, int) are handed over as they are, for torch to
  compute or refuse.  Results come back as new NumPy arrays; inputs are never written to.
- parameters: stride, dilation, kernel, output_padding, groups and the flags are passed
  as given (Python or NumPy ints, or whatever the caller sent: torch decides).
- padding: torch pads both sides of an axis alike, so it gets m = min(before, after) per
  axis and the rest is moved: conv and pooling pre-pad it with ``F.pad`` (zeros; -inf for
  max pooling), conv_transpose crops it from torch's output with ``Tensor.narrow``.  Where m
  is 0 the pair goes to ``F.pad`` unchanged, so torch sees the values as given; an input
  with an empty spatial axis is not pre-padded (torch refuses it whatever its padding).
  Pooling also caps m at kernel // 2, torch's documented limit on its own padding.
- a NotImplementedError raised by torch (an operation not implemented for a dtype) is
  re-raised as a TypeError: it is torch's refusal, and the contract reserves
  NotImplementedError for a limit the target declares.

Where the mapping cannot express a call exactly, the op raises NotImplementedError naming
torch's API limit (the run sets the case aside as unsupported):

- a spatial rank other than 1 to 3 (torch has ``conv1d`` to ``conv3d`` only);
- a padding pair to move on a call whose padding has another count of pairs than x has
  spatial axes (a pre-pad or crop needs one pair per axis);
- conv_transpose: a crop that leaves nothing of torch's output (torch's own output-size
  check never sees the asymmetric padding);
- avg_pool with count_include_pad=False and padding to pre-pad (torch would count the
  pre-padded cells as input), including avg_pool3d on an input side smaller than the
  kernel, which torch refuses even where its padding holds the kernel (with
  count_include_pad=True, torch's padding on that axis is pre-padded instead);
- pooling in ceil mode with padding pre-padded after the input, where torch's last window
  starts after the input: torch sees that pre-pad as input and keeps the window, where with
  the padding it could not take it would drop a window starting in its right padding;
- pooling with a pre-pad where a window holds no input cell (found by pooling a mask with
  torch): torch's API never computes such a window from pre-padded cells, since its padding
  limit keeps an input cell in every undilated window.  (A dilated window of torch's own
  padding only is torch's to compute: it gives -inf.)
"""

from __future__ import annotations

import numbers
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from itertools import zip_longest
from typing import Any

import numpy as np

try:
    import torch
    import torch.nn.functional as F
except ImportError as e:  # pragma: no cover - exercised by tests with torch hidden
    raise ImportError("the PyTorch targets need torch: pip install 'cnnspec[torch]' "
                      f"({e})") from None

__all__ = ["ops", "Device", "conv_tensor", "conv_transpose_tensor", "max_pool_tensor",
           "avg_pool_tensor", "cuda_unavailable", "LIBRARY"]

#: The library the PyTorch targets run, shown in reports.
LIBRARY = f"torch {torch.__version__}"

CONV = {1: F.conv1d, 2: F.conv2d, 3: F.conv3d}
CONV_TRANSPOSE = {1: F.conv_transpose1d, 2: F.conv_transpose2d, 3: F.conv_transpose3d}
MAX_POOL: dict[int, Callable[..., Any]] = {1: F.max_pool1d, 2: F.max_pool2d, 3: F.max_pool3d}
AVG_POOL = {1: F.avg_pool1d, 2: F.avg_pool2d, 3: F.avg_pool3d}


def cuda_unavailable() -> str | None:
    """``"no CUDA device"`` when torch sees none, else None (a CUDA target's UNAVAILABLE)."""
    return None if torch.cuda.is_available() else "no CUDA device"


# ---------------------------------------------------------------- mapping


def _function(table: dict[int, Callable[..., Any]], x: Any) -> Callable[..., Any]:
    """torch's function for x's spatial rank, or NotImplementedError naming the limit."""
    r = len(x.shape) - 2
    if r not in table:
        names = "/".join(f.__name__ for f in table.values())
        raise NotImplementedError(f"x.ndim={len(x.shape)}: {r} spatial axes, but torch has "
                                  f"{names} only (torch limit)")
    return table[r]


def _split(padding: Any, rank: int, caps: Sequence[Any] = ()
           ) -> tuple[tuple[Any, ...], list[tuple[Any, Any]] | None]:
    """torch's padding per axis, m = min(before, after[, cap]), and the rest (before - m,
    after - m) per axis, None when there is none.  Where m is 0 the pair is the rest as
    given.  NotImplementedError when there is a rest to move but not one pair per axis."""
    sym, rest = [], []
    for (pb, pa), cap in zip_longest(padding, caps[:len(padding)]):
        m = min(pb, pa) if cap is None else min(pb, pa, cap)
        sym.append(m)
        rest.append((pb, pa) if m == 0 else (pb - m, pa - m))
    if all(e == (0, 0) for e in rest):
        return tuple(sym), None
    if len(rest) != rank:
        raise NotImplementedError(
            f"padding={tuple(padding)!r} has {len(rest)} pairs for {rank} spatial axes: torch "
            f"takes one padding for both sides of an axis (torch limit), and the rest of an "
            f"asymmetric pair can be moved only with one pair per axis")
    return tuple(sym), rest


def _prepad(xt: Any, rest: list[tuple[Any, Any]] | None, value: float) -> Any:
    """xt with the padding torch does not take added first (F.pad lists the last axis first).
    An input with an empty spatial axis is handed over unpadded: torch refuses it whatever
    its padding, and a pre-pad would make it non-empty."""
    if rest is None or 0 in xt.shape[2:]:
        return xt
    return F.pad(xt, [p for pair in reversed(rest) for p in pair], value=value)


def _pool_caps(kernel: Any) -> list[Any]:
    """torch's limit on its own pooling padding per axis: kernel // 2 (None: not an int)."""
    return [max(int(k) // 2, 0) if isinstance(k, numbers.Integral) else None for k in kernel]


def _avg3d_sides(x: Any, kernel: Any, padding: Any, sym: tuple[Any, ...],
                 rest: list[tuple[Any, Any]] | None, count_include_pad: Any
                 ) -> tuple[tuple[Any, ...], list[tuple[Any, Any]] | None]:
    """torch's avg_pool3d refuses an input side smaller than the kernel even where its own
    padding holds the kernel (torch limit; avg_pool1d/2d take it).  With count_include_pad
    True, torch's padding on such an axis becomes pre-pad until the side holds the kernel
    (exact: pre-padded zeros are counted like torch's); with False, NotImplementedError."""
    if len(x.shape) != 5 or len(kernel) != 3 or len(padding) != 3:
        return sym, rest  # torch refuses the rank or the count
    new_sym, new_rest = list(sym), list(rest or [(0, 0)] * 3)
    for a, (i, k, (pb, pa), m) in enumerate(zip(x.shape[2:], kernel, padding, sym)):
        if not all(isinstance(v, numbers.Integral) for v in (k, pb, pa)) or i + pb + pa - 2 * m >= k:
            continue  # torch decides
        if count_include_pad is False:
            raise NotImplementedError(
                f"avg_pool3d: x.shape[{2 + a}]={i} < kernel[{a}]={k}: avg_pool3d refuses an "
                f"input side smaller than the kernel even where padding {padding[a]!r} holds "
                f"it (torch limit), and with count_include_pad=False the padding cannot be "
                f"added to the input first")
        m = max(0, min(m, (i + pb + pa - k) // 2))
        new_sym[a], new_rest[a] = m, (pb - m, pa - m)
    return tuple(new_sym), None if all(e == (0, 0) for e in new_rest) else new_rest


def _padding_only_windows(op: str, x: Any, pool: Callable[..., Any],
                          rest: list[tuple[Any, Any]] | None) -> None:
    """NotImplementedError where a window holds no input cell but pre-padded cells: torch's
    API never computes such a window (its padding limit, at most kernel // 2, keeps one input
    cell in every undilated window), so its value here would be this mapping's, not torch's.
    ``pool(t, value)`` pools t pre-padded with value, as the op does."""
    if rest is None:
        return
    marks = pool(torch.ones((1, 1, *x.shape[2:]), dtype=torch.float64, device=x.device), -np.inf)
    if torch.isneginf(marks).any():
        raise NotImplementedError(
            f"{op}: a window lies in the padding, part of it pre-padded beyond what torch "
            f"takes (both sides alike, at most kernel // 2; torch limit): torch's own API "
            f"never computes such a window")


def _ceil_exact(op: str, y: Any, x: Any, stride: Any, padding: Any,
                rest: list[tuple[Any, Any]] | None) -> None:
    """NotImplementedError where torch's ceil mode kept a last window starting after the
    input in padding it was handed as input (see the module docstring)."""
    if rest is None:
        return
    for a, ((pb, _), (_, extra), s, i, o) in enumerate(zip(padding, rest, stride, x.shape[2:],
                                                           y.shape[2:])):
        if extra > 0 and (o - 1) * s >= pb + i:
            raise NotImplementedError(
                f"{op}: padding[{a}]={tuple(padding[a])!r}, ceil_mode=True: torch pads both "
                f"sides alike and at most kernel // 2 (torch limit); {extra} cell(s) after the "
                f"input were pre-padded, and torch's last window (start {(o - 1) * s}) starts "
                f"after the input at {pb + i}, which torch keeps because it sees the pre-pad as "
                f"input")


# ---------------------------------------------------------------- the ops on tensors
#
# One mapping, used by the forward ops below and by the backward ops (_torch_grad, autograd
# through the very same calls).  Each takes and returns tensors; torch's own
# NotImplementedError is re-raised as a TypeError (see the module docstring), the mapping's
# limits stay NotImplementedError.


def _torch(compute: Callable[[], Any]) -> Any:
    """compute(), a call of torch: its NotImplementedError is its refusal, a TypeError here."""
    try:
        return compute()
    except NotImplementedError as e:
        raise TypeError(f"torch raised NotImplementedError: {e}") from e


def conv_tensor(xt: Any, wt: Any, bt: Any, *, stride: Sequence[int], padding: Any,
                dilation: Sequence[int], groups: int) -> Any:
    """F.conv{r}d with padding min(before, after) per axis, the rest F.pad-ded first."""
    fn = _function(CONV, xt)
    sym, rest = _split(padding, xt.ndim - 2)
    return _torch(lambda: fn(_prepad(xt, rest, 0.0), wt, bt, stride=stride, padding=sym,
                             dilation=dilation, groups=groups))


def conv_transpose_tensor(xt: Any, wt: Any, bt: Any, *, stride: Sequence[int], padding: Any,
                          output_padding: Sequence[int], dilation: Sequence[int],
                          groups: int) -> Any:
    """F.conv_transpose{r}d with padding min(before, after) per axis, the rest cropped."""
    fn = _function(CONV_TRANSPOSE, xt)
    sym, rest = _split(padding, xt.ndim - 2)
    y = _torch(lambda: fn(xt, wt, bt, stride=stride, padding=sym,
                          output_padding=output_padding, groups=groups, dilation=dilation))
    for a, (eb, ea) in enumerate(rest or ()):
        n = y.shape[2 + a]
        if n - eb - ea < 1:
            raise NotImplementedError(
                f"padding[{a}]={tuple(padding[a])!r}: torch takes padding {sym[a]} on both "
                f"sides (torch limit) and computes {n} cells, and cropping the rest "
                f"({eb}, {ea}) leaves none: torch never sees this padding")
        y = y.narrow(2 + a, eb, n - eb - ea)
    return y


def max_pool_tensor(xt: Any, *, kernel: Sequence[int], stride: Sequence[int], padding: Any,
                    dilation: Sequence[int], ceil_mode: bool) -> Any:
    """F.max_pool{r}d; padding torch cannot take is pre-padded with -inf."""
    fn = _function(MAX_POOL, xt)
    sym, rest = _split(padding, xt.ndim - 2, _pool_caps(kernel))

    def pool(t: Any, value: float) -> Any:
        return fn(_prepad(t, rest, value), kernel_size=kernel, stride=stride, padding=sym,
                  dilation=dilation, ceil_mode=ceil_mode)

    y = _torch(lambda: pool(xt, -np.inf))
    if ceil_mode:
        _ceil_exact(fn.__name__, y, xt, stride, padding, rest)
    _padding_only_windows(fn.__name__, xt, pool, rest)
    return y


def avg_pool_tensor(xt: Any, *, kernel: Sequence[int], stride: Sequence[int], padding: Any,
                    ceil_mode: bool, count_include_pad: bool) -> Any:
    """F.avg_pool{r}d; padding torch cannot take is pre-padded with zeros, which only
    count_include_pad=True counts like torch's own."""
    fn = _function(AVG_POOL, xt)
    sym, rest = _split(padding, xt.ndim - 2, _pool_caps(kernel))
    if fn is F.avg_pool3d:
        sym, rest = _avg3d_sides(xt, kernel, padding, sym, rest, count_include_pad)
    if rest is not None and count_include_pad is False:
        raise NotImplementedError(
            f"{fn.__name__}: padding={tuple(padding)!r}, kernel={tuple(kernel)!r}, "
            f"count_include_pad=False: torch pads both sides alike and at most "
            f"kernel // 2 (torch limit), and padding added to the input first would be "
            f"counted as input")
    y = _torch(lambda: fn(_prepad(xt, rest, 0.0), kernel_size=kernel, stride=stride,
                          padding=sym, ceil_mode=ceil_mode, count_include_pad=count_include_pad))
    if ceil_mode:
        _ceil_exact(fn.__name__, y, xt, stride, padding, rest)
    _padding_only_windows(fn.__name__, xt, lambda t, value: MAX_POOL[t.ndim - 2](
        _prepad(t, rest, value), kernel_size=kernel, stride=stride, padding=sym,
        ceil_mode=ceil_mode), rest)
    return y


# ---------------------------------------------------------------- device and precision


class Device:
    """Where and how a PyTorch target computes: device, dtype, TF32, availability."""

    def __init__(self, device: str, dtype: str, *, tf32: bool = False,
                 unavailable: Callable[[], str | None] = lambda: None) -> None:
        self.device, self.dtype, self.tf32, self.unavailable = device, getattr(torch, dtype), \
            tf32, unavailable

    def tensor(self, a: Any, *, grad: bool = False) -> Any:
        """a as a tensor on the device (floating arrays in the target's dtype; other dtypes
        as they are, for torch to judge); ``grad``: a leaf that records its gradient."""
        if a is None:
            return None
        a = np.asarray(a)
        t = torch.as_tensor(a, dtype=self.dtype if a.dtype.kind == "f" else None,
                            device=self.device)
        return t.detach().clone().requires_grad_(True) if grad else t

    @staticmethod
    def numpy(t: Any, *inputs: Any) -> np.ndarray:
        """t as a NumPy array that shares no memory with the inputs."""
        out = t.detach().cpu().numpy()
        if any(isinstance(a, np.ndarray) and np.shares_memory(out, a) for a in inputs):
            out = out.copy()
        return out

    @contextmanager
    def ready(self) -> Iterator[None]:
        """The device checked (NotImplementedError naming why it cannot run) and TF32 set
        for the call, then restored."""
        reason = self.unavailable()
        if reason:
            raise NotImplementedError(reason)
        saved = torch.backends.cuda.matmul.allow_tf32, torch.backends.cudnn.allow_tf32
        if self.tf32:
            torch.backends.cuda.matmul.allow_tf32 = torch.backends.cudnn.allow_tf32 = True
        try:
            yield
        finally:
            torch.backends.cuda.matmul.allow_tf32, torch.backends.cudnn.allow_tf32 = saved


def ops(device: str, dtype: str, *, tf32: bool = False,
        unavailable: Callable[[], str | None] = lambda: None
        ) -> tuple[Callable[..., np.ndarray], ...]:
    """(conv, conv_transpose, max_pool, avg_pool) in the target contract, computing on
    ``device`` in ``dtype`` ("float64" or "float32"); ``tf32``: with TF32 allowed in
    matmuls and cuDNN convolutions (set for the call, then restored).  ``unavailable()``
    says why the device cannot run (NotImplementedError with that text)."""
    dev = Device(device, dtype, tf32=tf32, unavailable=unavailable)

    def conv(x: Any, w: Any, b: Any, **kw: Any) -> np.ndarray:
        with dev.ready():
            return dev.numpy(conv_tensor(dev.tensor(x), dev.tensor(w), dev.tensor(b), **kw),
                             x, w, b)

    def conv_transpose(x: Any, w: Any, b: Any, **kw: Any) -> np.ndarray:
        with dev.ready():
            return dev.numpy(conv_transpose_tensor(dev.tensor(x), dev.tensor(w), dev.tensor(b),
                                                   **kw), x, w, b)

    def max_pool(x: Any, **kw: Any) -> np.ndarray:
        with dev.ready():
            return dev.numpy(max_pool_tensor(dev.tensor(x), **kw), x)

    def avg_pool(x: Any, **kw: Any) -> np.ndarray:
        with dev.ready():
            return dev.numpy(avg_pool_tensor(dev.tensor(x), **kw), x)

    return conv, conv_transpose, max_pool, avg_pool
