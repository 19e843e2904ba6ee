"""SciPy as a target: what ``scipy.signal`` and ``scipy.ndimage`` express, in the contract.

Single-channel SciPy calls, looped over output channels (and, for conv_transpose, the input
channels of a group); the batch axis rides along as a size-1 kernel axis:

    conv            signal.correlate(xpad[:, group], w_d[o], 'valid', method='direct')[::s]
                    xpad: x zero-padded by (before, after); w_d: w zero-stuffed by dilation
                    (taps d apart, zeros between) [conv.dilation]; the group's channels
                    summed by the correlation over the channel axis [conv.groups]
    conv_transpose  sum_c signal.convolve(x_s[:, c], w_d[c, o'], 'full', method='direct'),
                    x_s: x zero-stuffed by stride; output_padding zeros appended at the end,
                    then (before, after) cropped [conv-transpose.def]
    max_pool        ndimage.maximum_filter(xpad, footprint=dilated ones, cval=-inf) read at
                    the window centres, every s-th [pool.max-def]
    avg_pool        ndimage.correlate(xpad, ones) / ndimage.correlate(mask, ones): exact
                    window sums over exact counts; the mask is 1 on the padded input
                    (count_include_pad) or on the input only [pool.avg-divisor]

xpad is padded past the padded input by the ceil-mode overhang (-inf for max, 0 for avg,
outside the mask), so ceil_mode is exact too.  The direct (non-FFT) methods keep integer
data exact.  Refused as unsupported (NotImplementedError): max pooling of an input holding
NaN, because ``ndimage.maximum_filter`` does not propagate NaN (a NaN in a window is kept
or skipped depending on where it sits) where the spec does [pool.max-nan].

SciPy validates nothing of the spec's, so this module does, before computing: the arrays
(real, non-empty, rank 3-5), the channel and bias shapes [conv.groups] [conv.channels]
[conv.bias] [conv-transpose.*], and on every axis the formulas' preconditions
(``formulas.conv_out_size``, ``conv_transpose_out_size``, ``pool_out_size``), raising
InvalidConfig naming the rule.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from scipy import ndimage, signal

from .. import formulas
from .._check import at_least, pairs, per_axis, require
from ..errors import InvalidConfig
from ..ref._validate import check_array, check_flag

__all__ = ["conv", "conv_transpose", "max_pool", "avg_pool"]

Pads = tuple[tuple[int, int], ...]


# ---------------------------------------------------------------- validation


def _per_axis_sizes(fn: Any, spatial: Sequence[int], **per_axis_args: Sequence[Any]
                    ) -> tuple[int, ...]:
    """fn (a formulas.*_out_size) on every axis; InvalidConfig names the axis."""
    out = []
    for a, i in enumerate(spatial):
        kw = {name: v[a] for name, v in per_axis_args.items()}
        k = kw.pop("kernel")
        try:
            out.append(fn(i, k, **kw))
        except InvalidConfig as e:
            first, _, detail = str(e).partition("\n")
            raise InvalidConfig(f"axis {a}: {first.removesuffix(f' [{e.rule}]')}", rule=e.rule,
                                detail=detail) from None
    return tuple(out)


def _channels(x: Any, w: Any, b: Any, groups: Any, family: str
              ) -> tuple[np.ndarray, np.ndarray, np.ndarray | None, int, int]:
    """Arrays, groups and C_out of a conv ("conv") or transposed conv ("conv-transpose")."""
    x = _batch_not_empty(check_array("x", x).astype(np.float64, copy=False))
    w = check_array("w", w, ndim=x.ndim).astype(np.float64, copy=False)
    g = at_least("groups", groups, 1, rule=f"{family}.groups")
    c_in = x.shape[1]
    if family == "conv":
        c_out = w.shape[0]
        require(w.shape[1] * g == c_in, f"w.shape[1]={w.shape[1]}, but should be "
                f"C_in/groups={c_in}/{g}", rule="conv.channels")
    else:
        c_out = w.shape[1] * g
        require(w.shape[0] == c_in, f"w.shape[0]={w.shape[0]}, but should be C_in={c_in}",
                rule="conv-transpose.channels")
    for name, c in (("C_in", c_in), ("C_out", c_out)):
        require(c % g == 0, f"groups={g} does not divide {name}={c}", rule=f"{family}.groups")
    if b is not None:
        b = check_array("b", b, ndim=1).astype(np.float64, copy=False)
        require(b.shape == (c_out,), f"b.shape={b.shape}, but should be (C_out,)=({c_out},)",
                rule=f"{family}.bias")
    return x, w, b, g, c_out


# ---------------------------------------------------------------- helpers


def _stuffed(w: np.ndarray, step: Sequence[int]) -> np.ndarray:
    """w zero-stuffed on its last len(step) axes: out[..., *(t*d)] = w[..., *t], zeros
    between; each such axis becomes d*(k-1) + 1 long."""
    r = len(step)
    lead, kernel = w.shape[:-r], w.shape[-r:]
    out = np.zeros((*lead, *(d * (k - 1) + 1 for k, d in zip(kernel, step))), dtype=w.dtype)
    taps: tuple[Any, ...] = (..., *(slice(None, None, d) for d in step))
    out[taps] = w
    return out


def _biased(y: np.ndarray, b: np.ndarray | None) -> np.ndarray:
    if b is not None:
        y += b.reshape(-1, *(1,) * (y.ndim - 2))  # (C_out, 1, ..., 1)
    return y


def _centres(extent: Sequence[int], out: Sequence[int], stride: Sequence[int]) -> tuple[slice, ...]:
    """Where ndimage (a window of extent E centred at E//2) holds window j*s: j*s + E//2."""
    return (slice(None), slice(None),
            *(slice(e // 2, e // 2 + (o - 1) * s + 1, s) for e, o, s in zip(extent, out, stride)))


def _overhang(spatial: Sequence[int], pads: Pads, extent: Sequence[int], out: Sequence[int],
              stride: Sequence[int]) -> list[int]:
    """Cells the last (ceil-mode) window reaches past the padded input, per axis."""
    return [max(0, (o - 1) * s + e - (i + pb + pa))
            for i, (pb, pa), e, o, s in zip(spatial, pads, extent, out, stride)]


def _batch_not_empty(x: np.ndarray) -> np.ndarray:
    if x.shape[0] == 0:
        raise NotImplementedError("a batch of 0: scipy.signal and scipy.ndimage take no empty "
                                  "arrays (a limit of this adapter)")
    return x


# ---------------------------------------------------------------- the ops


def conv(x: np.ndarray, w: np.ndarray, b: np.ndarray | None, *, stride: Sequence[int],
         padding: Pads, dilation: Sequence[int], groups: int) -> np.ndarray:
    """signal.correlate on the zero-padded input, 'valid', every s-th output."""
    x, w, b, g, c_out = _channels(x, w, b, groups, "conv")
    r = x.ndim - 2
    s, d = per_axis("stride", stride, r), per_axis("dilation", dilation, r)
    pads = pairs("padding", padding, r)
    out = _per_axis_sizes(formulas.conv_out_size, x.shape[2:], kernel=w.shape[2:], stride=s,
                          padding=pads, dilation=d)
    if any(di > 1 for di in d) and not np.isfinite(x).all():
        raise NotImplementedError("dilation is a zero-stuffed kernel here, whose zeros would spread "
                                  "NaN/inf from the positions a dilated kernel skips")
    xpad = np.pad(x, [(0, 0), (0, 0), *pads])  # (N, C_in, *P)
    wd = _stuffed(w, d)  # (C_out, C_in/g, *E)
    cg, og = w.shape[1], c_out // g
    every_s = (slice(None), 0, *(slice(None, None, si) for si in s))
    y = np.empty((x.shape[0], c_out, *out))  # (N, C_out, *out)
    for o in range(c_out):
        group = slice((o // og) * cg, (o // og + 1) * cg)
        full = signal.correlate(xpad[:, group], wd[o][None], mode="valid", method="direct")
        y[:, o] = full[every_s]  # (N, 1, *(P-E+1)) -> (N, *out)
    return _biased(y, b)


def conv_transpose(x: np.ndarray, w: np.ndarray, b: np.ndarray | None, *,
                   stride: Sequence[int], padding: Pads, output_padding: Sequence[int],
                   dilation: Sequence[int], groups: int) -> np.ndarray:
    """signal.convolve of the stride-stuffed input with the dilated kernel, 'full', then
    output_padding zeros at the end and the padding cropped."""
    x, w, b, g, c_out = _channels(x, w, b, groups, "conv-transpose")
    r = x.ndim - 2
    s, d = per_axis("stride", stride, r), per_axis("dilation", dilation, r)
    ops = per_axis("output_padding", output_padding, r)
    pads = pairs("padding", padding, r)
    out = _per_axis_sizes(formulas.conv_transpose_out_size, x.shape[2:], kernel=w.shape[2:],
                          stride=s, padding=pads, output_padding=ops, dilation=d)
    xs = _stuffed(x, s)  # (N, C_in, *((i-1)*s + 1))
    wd = _stuffed(w, d)  # (C_in, C_out/g, *E)
    full = [n + e - 1 for n, e in zip(xs.shape[2:], wd.shape[2:])]  # (i-1)*s + d*(k-1) + 1
    y = np.zeros((x.shape[0], c_out, *(f + op for f, op in zip(full, ops))))
    cg, og = x.shape[1] // g, c_out // g
    for o in range(c_out):
        for c in range((o // og) * cg, (o // og + 1) * cg):
            dst: tuple[Any, ...] = (slice(None), o, *(slice(0, f) for f in full))
            y[dst] += signal.convolve(
                xs[:, c], wd[c, o % og][None], mode="full", method="direct")  # (N, *full)
    crop = tuple(slice(pb, pb + n) for (pb, _), n in zip(pads, out))
    return _biased(np.ascontiguousarray(y[(slice(None), slice(None), *crop)]), b)


def _pool_args(x: Any, kernel: Any, stride: Any, padding: Any, dilation: Any, ceil_mode: Any
               ) -> tuple[np.ndarray, tuple[int, ...], tuple[int, ...], Pads, tuple[int, ...],
                          tuple[int, ...], tuple[int, ...]]:
    """x, kernel, stride, padding, dilation, the extents d*(k-1)+1 and the output sizes."""
    x = _batch_not_empty(check_array("x", x).astype(np.float64, copy=False))
    r = x.ndim - 2
    k, s, d = (per_axis(n, v, r) for n, v in (("kernel", kernel), ("stride", stride),
                                             ("dilation", dilation)))
    pads = pairs("padding", padding, r)
    ceil = check_flag("ceil_mode", ceil_mode)
    out = _per_axis_sizes(formulas.pool_out_size, x.shape[2:], kernel=k, stride=s,
                          padding=pads, dilation=d, ceil_mode=(ceil,) * r)
    extent = tuple(formulas.effective_kernel(ki, di) for ki, di in zip(k, d))
    return x, k, s, pads, d, extent, out


def max_pool(x: np.ndarray, *, kernel: Sequence[int], stride: Sequence[int], padding: Pads,
             dilation: Sequence[int], ceil_mode: bool) -> np.ndarray:
    """ndimage.maximum_filter with a dilated footprint on the -inf-padded input."""
    x, k, s, pads, d, extent, out = _pool_args(x, kernel, stride, padding, dilation, ceil_mode)
    if np.isnan(x).any():
        raise NotImplementedError(
            "x holds NaN: scipy.ndimage.maximum_filter does not propagate NaN (a NaN in a "
            "window is kept or skipped depending on its position; SciPy limit) [pool.max-nan]")
    extra = _overhang(x.shape[2:], pads, extent, out, s)
    xpad = np.pad(x, [(0, 0), (0, 0), *((pb, pa + e) for (pb, pa), e in zip(pads, extra))],
                  constant_values=-np.inf)  # (N, C, *P)
    footprint = _stuffed(np.ones((1, 1, *k)), d).astype(bool)  # (1, 1, *E): taps d apart
    y = ndimage.maximum_filter(xpad, footprint=footprint, mode="constant", cval=-np.inf)
    return np.ascontiguousarray(y[_centres(extent, out, s)])  # (N, C, *out)


def avg_pool(x: np.ndarray, *, kernel: Sequence[int], stride: Sequence[int], padding: Pads,
             ceil_mode: bool, count_include_pad: bool) -> np.ndarray:
    """ndimage.correlate with ones: window sums over window counts of a 0/1 mask."""
    x, k, s, pads, _, extent, out = _pool_args(x, kernel, stride, padding, 1, ceil_mode)
    include = check_flag("count_include_pad", count_include_pad)
    extra = _overhang(x.shape[2:], pads, extent, out, s)
    widths = [(pb, pa + e) for (pb, pa), e in zip(pads, extra)]
    ones = np.ones((1, 1, *k))
    sums = ndimage.correlate(np.pad(x, [(0, 0), (0, 0), *widths]), ones, mode="constant",
                             cval=0.0)  # (N, C, *P)
    # mask: 1 on the cells a window counts (the padded input, or the input), 0 elsewhere
    mask = np.pad(np.ones((1, 1, *x.shape[2:])), [(0, 0), (0, 0), *widths])
    if include:
        mask = np.pad(np.ones((1, 1, *(i + pb + pa for i, (pb, pa) in zip(x.shape[2:], pads)))),
                      [(0, 0), (0, 0), *((0, e) for e in extra)])
    counts = ndimage.correlate(mask, ones, mode="constant", cval=0.0)  # (1, 1, *P)
    at = _centres(extent, out, s)
    return sums[at] / counts[at]  # (N, C, *out)
