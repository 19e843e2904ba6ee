"""The PyTorch targets' one implementation: the contract ops on a device, in a precision.

``torch_cpu``, ``torch_cuda`` and ``torch_cuda_tf32`` each bind :func:`ops` to a device and
a dtype; nothing here is written per rank (``F.conv1d/2d/3d`` and friends come from tables
indexed by the spatial rank).

How the contract maps onto ``torch.nn.functional``:

- conv: torch pads both sides alike, so it gets ``padding=min(before, after)`` per axis and
  the excess is added with ``F.pad`` first (zeros).  conv_transpose: torch gets
  ``padding=min(before, after)`` and the excess is cropped from its output (torch's
  output_padding bound, < max(stride, dilation), is the spec's); a crop that would leave
  nothing raises [conv-transpose.out-size].  Everything else torch validates itself: its
  refusals are what a conformance run measures.
- pooling: torch pads both sides alike, and at most kernel // 2 cells (its documented
  limit, on the undilated kernel; the spec needs only a tap on the input in every window).
  torch gets m = min(before, after, kernel // 2) per axis and the rest is added first,
  -inf for max and zeros for avg (counted, as count_include_pad=True counts padding),
  which is exact in floor mode.  In ceil mode a pre-pad *after* the input is exact only
  when torch's output size is the spec's: torch drops a last window that starts in its own
  right padding but keeps one that starts in a pre-pad, which it sees as input.  Where no
  split is exact the op raises NotImplementedError naming torch's limit (unsupported, not
  a failure): ceil_mode where a last window would start in the pre-padded part;
  count_include_pad=False with asymmetric padding or padding > kernel // 2 (a pre-pad
  would be counted); avg_pool3d on an input side smaller than the kernel (torch refuses it
  even when the padded input holds the kernel) with count_include_pad=False.  With
  count_include_pad=True, avg_pool3d gets a smaller m and a larger pre-pad instead.
- pooling is validated first with ``formulas.pool_out_size`` on every axis (InvalidConfig)
  because torch computes two configurations the spec rejects: in ceil mode it accepts a
  first window that hangs past the padded input by up to stride - 1 cells
  [pool.kernel-fits], and it returns -inf for a dilated max-pooling window made only of
  padding [pool.window-has-input].  Refusing them here keeps a conformance run measuring
  torch's arithmetic; the convention differences are stated in those two rules.
- arrays and parameters are read in the contract's form first (real, non-empty arrays of
  rank 3-5, int tuples, (before, after) pairs, bool flags; InvalidConfig [config.*]): torch
  takes a bool as an int and computes an empty result for a batch of 0, where the spec
  refuses both [config.int] [config.nonempty].

Inputs are converted with ``torch.as_tensor`` to the target's dtype and device and never
written to; results come back as new NumPy arrays.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import numpy as np

try:
    import torch
    import torch.nn.functional as F
except ImportError as e:  # pragma: no cover - exercised by tests with torch hidden
    raise ImportError("the PyTorch targets need torch: pip install 'cnnspec[torch]' "
                      f"({e})") from None

from .. import formulas
from .._check import as_int, pairs, per_axis
from ..errors import InvalidConfig
from ..ref._validate import check_array, check_flag

__all__ = ["ops", "cuda_unavailable"]

CONV = {1: F.conv1d, 2: F.conv2d, 3: F.conv3d}
CONV_TRANSPOSE = {1: F.conv_transpose1d, 2: F.conv_transpose2d, 3: F.conv_transpose3d}
MAX_POOL = {1: F.max_pool1d, 2: F.max_pool2d, 3: F.max_pool3d}
AVG_POOL = {1: F.avg_pool1d, 2: F.avg_pool2d, 3: F.avg_pool3d}

Pads = tuple[tuple[int, int], ...]


def cuda_unavailable() -> str | None:
    """``"no CUDA device"`` when torch sees none, else None (a CUDA target's UNAVAILABLE)."""
    return None if torch.cuda.is_available() else "no CUDA device"


# ---------------------------------------------------------------- the contract's arguments


def _arrays(x: Any, w: Any = None, b: Any = None, *, weights: bool = False
            ) -> tuple[np.ndarray, Any, np.ndarray | None, int]:
    """x (and w, b) as real non-empty arrays [config.dtype] [config.rank] [config.nonempty];
    returns them and the spatial rank."""
    x = check_array("x", x)
    if weights:
        w = check_array("w", w, ndim=x.ndim)
        b = None if b is None else check_array("b", b, ndim=1)
    return x, w, b, x.ndim - 2


def _axes(rank: int, **params: Any) -> dict[str, tuple[int, ...]]:
    """Each parameter as one int per spatial axis [config.int] [config.rank]; ranges are
    left to torch (conv) or to formulas (pooling)."""
    return {name: per_axis(name, v, rank) for name, v in params.items()}


def _prepad(xt: Any, pads: Pads, sym: Sequence[int], value: float) -> Any:
    """xt with the padding torch does not take (pads minus sym per axis) added first."""
    excess = [(pb - m, pa - m) for (pb, pa), m in zip(pads, sym)]
    if all(e == (0, 0) for e in excess):
        return xt
    return F.pad(xt, [p for pair in reversed(excess) for p in pair], value=value)  # last axis first


# ---------------------------------------------------------------- pooling padding


def _torch_ceil_size(n: int, k: int, s: int, m: int, d: int) -> int:
    """torch's ceil-mode output size for an input side n and padding m on both sides: it
    drops a last window only when it starts in its own right padding."""
    o = (n + 2 * m - d * (k - 1) - 1 + s - 1) // s + 1
    return o - 1 if (o - 1) * s >= n + m else o


def _pool_split(kind: str, x: np.ndarray, ax: dict[str, tuple[int, ...]], pads: Pads,
                out: Sequence[int], ceil_mode: bool, count_include_pad: bool) -> tuple[int, ...]:
    """torch's symmetric padding m per axis; the rest of ``pads`` is pre-padded.

    m = min(before, after, kernel // 2) (torch's limit), smaller for avg_pool3d where the
    pre-padded input side must hold the kernel.  Raises NotImplementedError where the split
    is not exact (see the module docstring).
    """
    sym = []
    op = f"{kind}_pool{x.ndim - 2}d"
    for a, (i, k, s, d, (pb, pa), o) in enumerate(zip(x.shape[2:], ax["kernel"], ax["stride"],
                                                       ax["dilation"], pads, out)):
        half = k // 2
        where = f"{op}: padding[{a}]=({pb}, {pa}), kernel[{a}]={k}"
        m = min(pb, pa, half)
        if kind == "avg" and not count_include_pad and (pb, pa) != (m, m):
            raise NotImplementedError(
                f"{where}, count_include_pad=False: torch pads both sides alike and at most "
                f"kernel // 2 = {half} (torch limit), and padding added to the input first "
                f"would be counted as input")
        if kind == "avg" and x.ndim == 5 and i + pb + pa - 2 * m < k:
            if not count_include_pad:
                raise NotImplementedError(
                    f"{where}, input side {i}: avg_pool3d refuses an input side smaller than "
                    f"the kernel even when the padding holds it (torch limit)")
            m = (i + pb + pa - k) // 2  # pre-pad until the input side holds the kernel
        if ceil_mode and pa > m and _torch_ceil_size(i + pb + pa - 2 * m, k, s, m, d) != o:
            raise NotImplementedError(
                f"{where}, ceil_mode=True: torch pads both sides alike and at most kernel // 2 "
                f"= {half} (torch limit); with the rest of the padding after the input added "
                f"first, torch's ceil mode keeps a last window starting in it, which the spec "
                f"drops [pool.ceil-mode]")
        sym.append(m)
    return tuple(sym)


def _pool_check(x: np.ndarray, ax: dict[str, tuple[int, ...]], pads: Pads,
                ceil_mode: bool) -> tuple[int, ...]:
    """The spec's output sizes, validity checked on every axis (formulas.pool_out_size
    raises InvalidConfig): torch computes the ceil-mode overhang [pool.kernel-fits] and
    all-padding windows [pool.window-has-input], which the spec rejects."""
    out = []
    for a, (i, k, s, p, d) in enumerate(zip(x.shape[2:], ax["kernel"], ax["stride"], pads,
                                             ax["dilation"])):
        try:
            out.append(formulas.pool_out_size(i, k, stride=s, padding=p, dilation=d,
                                              ceil_mode=ceil_mode))
        except InvalidConfig as e:
            first, _, detail = str(e).partition("\n")
            raise InvalidConfig(f"axis {a}: {first.removesuffix(f' [{e.rule}]')}", rule=e.rule,
                                detail=detail) from None
    return tuple(out)


# ---------------------------------------------------------------- the ops


def ops(device: str, dtype: str, *, tf32: bool = False,
        unavailable: Callable[[], str | None] = lambda: None
        ) -> tuple[Callable[..., np.ndarray], ...]:
    """(conv, conv_transpose, max_pool, avg_pool) in the target contract, computing on
    ``device`` in ``dtype`` ("float64" or "float32"); ``tf32``: with TF32 allowed in
    matmuls and cuDNN convolutions (set for the call, then restored).  ``unavailable()``
    says why the device cannot run (NotImplementedError with that text)."""
    tdtype = getattr(torch, dtype)

    def tensor(a: np.ndarray | None) -> Any:
        return None if a is None else torch.as_tensor(a, dtype=tdtype, device=device)

    def numpy(y: Any, *inputs: np.ndarray | None) -> np.ndarray:
        out = y.detach().cpu().numpy()
        if any(a is not None and np.shares_memory(out, a) for a in inputs):
            out = out.copy()
        return out

    def ready() -> None:
        reason = unavailable()
        if reason:
            raise NotImplementedError(reason)

    @contextmanager
    def precision() -> Iterator[None]:
        if not tf32:
            yield
            return
        saved = torch.backends.cuda.matmul.allow_tf32, torch.backends.cudnn.allow_tf32
        torch.backends.cuda.matmul.allow_tf32 = torch.backends.cudnn.allow_tf32 = True
        try:
            yield
        finally:
            torch.backends.cuda.matmul.allow_tf32, torch.backends.cudnn.allow_tf32 = saved

    def conv(x: np.ndarray, w: np.ndarray, b: np.ndarray | None, *, stride: Sequence[int],
             padding: Pads, dilation: Sequence[int], groups: int) -> np.ndarray:
        """F.conv{r}d with padding min(before, after) per axis, the excess F.pad-ded first."""
        ready()
        x, w, b, r = _arrays(x, w, b, weights=True)
        ax = _axes(r, stride=stride, dilation=dilation)
        pads = pairs("padding", padding, r)
        sym = tuple(min(p) for p in pads)
        with precision():
            y = CONV[r](_prepad(tensor(x), pads, sym, 0.0), tensor(w), tensor(b),
                        stride=ax["stride"], padding=sym, dilation=ax["dilation"],
                        groups=as_int("groups", groups))
            return numpy(y, x, w, b)

    def conv_transpose(x: np.ndarray, w: np.ndarray, b: np.ndarray | None, *,
                       stride: Sequence[int], padding: Pads, output_padding: Sequence[int],
                       dilation: Sequence[int], groups: int) -> np.ndarray:
        """F.conv_transpose{r}d with padding min(before, after) per axis, the excess cropped."""
        ready()
        x, w, b, r = _arrays(x, w, b, weights=True)
        ax = _axes(r, stride=stride, output_padding=output_padding, dilation=dilation)
        pads = pairs("padding", padding, r)
        sym = tuple(min(p) for p in pads)
        with precision():
            y = CONV_TRANSPOSE[r](tensor(x), tensor(w), tensor(b), stride=ax["stride"],
                                  padding=sym, output_padding=ax["output_padding"],
                                  groups=as_int("groups", groups), dilation=ax["dilation"])
            crop = []
            for a, (n, (pb, pa), m) in enumerate(zip(y.shape[2:], pads, sym)):
                eb, ea = pb - m, pa - m
                if n - eb - ea < 1:
                    raise InvalidConfig(
                        f"padding[{a}]={pads[a]} leaves {n - eb - ea} of torch's {n} output "
                        f"cells (padding {sym[a]}), but should leave >= 1",
                        rule="conv-transpose.out-size")
                crop.append(slice(eb, n - ea))
            return numpy(y[(slice(None), slice(None), *crop)], x, w, b)

    def max_pool(x: np.ndarray, *, kernel: Sequence[int], stride: Sequence[int],
                 padding: Pads, dilation: Sequence[int], ceil_mode: bool) -> np.ndarray:
        """F.max_pool{r}d after the spec's validity check; padding torch cannot take is
        pre-padded with -inf."""
        ready()
        x, _, _, r = _arrays(x)
        ax = _axes(r, kernel=kernel, stride=stride, dilation=dilation)
        pads = pairs("padding", padding, r)
        ceil = check_flag("ceil_mode", ceil_mode)
        out = _pool_check(x, ax, pads, ceil)
        sym = _pool_split("max", x, ax, pads, out, ceil, True)
        with precision():
            y = MAX_POOL[r](_prepad(tensor(x), pads, sym, -np.inf), kernel_size=ax["kernel"],
                            stride=ax["stride"], padding=sym, dilation=ax["dilation"],
                            ceil_mode=ceil)
            return numpy(y, x)

    def avg_pool(x: np.ndarray, *, kernel: Sequence[int], stride: Sequence[int],
                 padding: Pads, ceil_mode: bool, count_include_pad: bool) -> np.ndarray:
        """F.avg_pool{r}d after the spec's validity check; padding torch cannot take is
        pre-padded with zeros (count_include_pad=True only)."""
        ready()
        x, _, _, r = _arrays(x)
        ax = _axes(r, kernel=kernel, stride=stride, dilation=1)
        pads = pairs("padding", padding, r)
        ceil = check_flag("ceil_mode", ceil_mode)
        include = check_flag("count_include_pad", count_include_pad)
        out = _pool_check(x, ax, pads, ceil)
        sym = _pool_split("avg", x, ax, pads, out, ceil, include)
        with precision():
            y = AVG_POOL[r](_prepad(tensor(x), pads, sym, 0.0), kernel_size=ax["kernel"],
                            stride=ax["stride"], padding=sym, ceil_mode=ceil,
                            count_include_pad=include)
            return numpy(y, x)

    return conv, conv_transpose, max_pool, avg_pool
