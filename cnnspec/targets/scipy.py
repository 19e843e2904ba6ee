"""SciPy as a target: what ``scipy.signal`` and ``scipy.ndimage`` compute, in the contract.

Single-channel SciPy calls, looped over output channels (and, for conv_transpose, the input
channels of a group); the batch axis rides along as a size-1 kernel axis:

    conv            signal.correlate(xpad[:, group], w_d[o], 'valid', method='direct')[::s]
                    xpad: x zero-padded by (before, after) (np.pad); w_d: w zero-stuffed by
                    dilation (taps d apart, zeros between); the group's channels summed by
                    the correlation over the channel axis
    conv_transpose  sum_c signal.convolve(x_s[:, c], w_d[c, o'], 'full', method='direct'),
                    x_s: x zero-stuffed by stride; output_padding zeros appended at the end
                    (np.pad), then (before, after) cells cropped
    max_pool        ndimage.maximum_filter(xpad, footprint=dilated ones, cval=-inf), xpad
                    padded with -inf, read at the centres of the windows inside xpad, every
                    s-th
    avg_pool        ndimage.correlate(xpad, ones) / ndimage.correlate(mask, ones) at the same
                    centres: window sums over window counts, the mask 1 on the padded input
                    (count_include_pad) or on the input only

The direct (non-FFT) methods keep integer data exact.  SciPy has no notion of these ops'
validity, and this module checks nothing: arrays are passed as they are (np.asarray), and
whatever NumPy and SciPy compute or raise on a call is the result.  Raised as unsupported
(NotImplementedError), where the mapping cannot express a call:

- ceil_mode=True: ndimage's filters have no ceil mode (which windows past the last whole one
  to keep is a convention SciPy does not define);
- max pooling of an input holding NaN: ``ndimage.maximum_filter`` does not propagate NaN (a
  NaN in a window is kept or skipped depending on where it sits);
- conv with dilation on an input holding NaN or inf: the zero-stuffed kernel would multiply
  the values a dilated kernel skips by 0;
- conv and conv_transpose with a batch of 0: the batch rides on a kernel axis, and
  ``signal.correlate`` / ``signal.convolve`` take no empty arrays;
- conv_transpose with a negative padding: the padding is a crop of SciPy's full result, and
  a crop cannot add cells.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import scipy
from scipy import ndimage, signal

__all__ = ["conv", "conv_transpose", "max_pool", "avg_pool", "LIBRARY"]

#: The library this target runs, shown in reports.
LIBRARY = f"scipy {scipy.__version__}"

Pads = Sequence[tuple[int, int]]


def _stuffed(w: np.ndarray, step: Sequence[int]) -> np.ndarray:
    """w zero-stuffed on its last len(step) axes: out[..., *(t*d)] = w[..., *t], zeros
    between; each such axis becomes d*(k-1) + 1 long."""
    r = len(step)
    lead, kernel = w.shape[:-r], w.shape[-r:]
    out = np.zeros((*lead, *(d * (k - 1) + 1 for k, d in zip(kernel, step))), dtype=w.dtype)
    taps: tuple[Any, ...] = (..., *(slice(None, None, d) for d in step))
    out[taps] = w
    return out


def _biased(y: np.ndarray, b: Any) -> np.ndarray:
    return y if b is None else y + np.asarray(b).reshape(-1, *(1,) * (y.ndim - 2))


def _batch(x: np.ndarray, call: str) -> None:
    if x.shape[0] == 0:
        raise NotImplementedError(f"a batch of 0: the batch rides on a kernel axis of "
                                  f"signal.{call}, which takes no empty arrays (SciPy limit)")


def _windows(extent: Sequence[int], padded: Sequence[int], stride: Sequence[int]
             ) -> tuple[slice, ...]:
    """Where an ndimage filter (a window of extent E centred at E//2) holds the windows that
    lie inside the padded input, every s-th: centres E//2 + j*s for j*s + E <= P."""
    return (slice(None), slice(None),
            *(slice(e // 2, e // 2 + max(p - e + 1, 0), s)
              for e, p, s in zip(extent, padded, stride)))


def _no_ceil_mode(ceil_mode: Any) -> None:
    if ceil_mode:
        raise NotImplementedError("ceil_mode=True: scipy.ndimage's filters have no ceil mode "
                                  "(which windows past the last whole one to keep is a "
                                  "convention SciPy does not define; SciPy limit)")


# ---------------------------------------------------------------- the ops


def conv(x: np.ndarray, w: np.ndarray, b: np.ndarray | None, *, stride: Sequence[int],
         padding: Pads, dilation: Sequence[int], groups: int) -> np.ndarray:
    """signal.correlate on the zero-padded input, 'valid', every s-th output."""
    x, w = np.asarray(x), np.asarray(w)
    _batch(x, "correlate")
    if any(d > 1 for d in dilation) and not np.isfinite(x).all():
        raise NotImplementedError("dilation is a zero-stuffed kernel here, whose zeros would "
                                  "spread NaN/inf from the positions a dilated kernel skips "
                                  "(a limit of this mapping onto signal.correlate)")
    xpad = np.pad(x, [(0, 0), (0, 0), *padding])  # (N, C_in, *P)
    wd = _stuffed(w, dilation)  # (C_out, C_in/g, *E)
    cg, og = w.shape[1], w.shape[0] // groups
    every_s = (slice(None), 0, *(slice(None, None, s) for s in stride))
    y = [signal.correlate(xpad[:, (o // og) * cg:(o // og + 1) * cg], wd[o][None],
                          mode="valid", method="direct")[every_s]  # (N, *out)
         for o in range(w.shape[0])]
    return _biased(np.stack(y, axis=1), b)  # (N, C_out, *out)


def conv_transpose(x: np.ndarray, w: np.ndarray, b: np.ndarray | None, *,
                   stride: Sequence[int], padding: Pads, output_padding: Sequence[int],
                   dilation: Sequence[int], groups: int) -> np.ndarray:
    """signal.convolve of the stride-stuffed input with the dilated kernel, 'full', then
    output_padding zeros at the end and the padding cropped."""
    x, w = np.asarray(x), np.asarray(w)
    _batch(x, "convolve")
    if any(side < 0 for pair in padding for side in pair):
        raise NotImplementedError(f"padding={tuple(padding)!r}: the padding is cropped from "
                                  f"signal.convolve's full result, and a crop cannot add "
                                  f"cells (a limit of this mapping)")
    xs = _stuffed(x, stride)  # (N, C_in, *((i-1)*s + 1))
    wd = _stuffed(w, dilation)  # (C_in, C_out/g, *E)
    cg, og = x.shape[1] // groups, w.shape[1]
    y = np.stack([sum(signal.convolve(xs[:, c], wd[c, o % og][None], mode="full",
                                      method="direct")  # (N, *full)
                      for c in range((o // og) * cg, (o // og + 1) * cg))
                  for o in range(og * groups)], axis=1)  # (N, C_out, *full)
    y = np.pad(y, [(0, 0), (0, 0), *((0, op) for op in output_padding)])
    crop = tuple(slice(pb, pb + max(n - pb - pa, 0)) for (pb, pa), n in zip(padding, y.shape[2:]))
    return _biased(np.ascontiguousarray(y[(slice(None), slice(None), *crop)]), b)


def max_pool(x: np.ndarray, *, kernel: Sequence[int], stride: Sequence[int], padding: Pads,
             dilation: Sequence[int], ceil_mode: bool) -> np.ndarray:
    """ndimage.maximum_filter with a dilated footprint on the -inf-padded input."""
    x = np.asarray(x)
    _no_ceil_mode(ceil_mode)
    if x.dtype.kind in "fc" and np.isnan(x).any():
        raise NotImplementedError(
            "x holds NaN: scipy.ndimage.maximum_filter does not propagate NaN (a NaN in a "
            "window is kept or skipped depending on its position; SciPy limit) [pool.max-nan]")
    xpad = np.pad(x, [(0, 0), (0, 0), *padding], constant_values=-np.inf)  # (N, C, *P)
    footprint = _stuffed(np.ones((1, 1, *kernel)), dilation).astype(bool)  # (1, 1, *E)
    y = ndimage.maximum_filter(xpad, footprint=footprint, mode="constant", cval=-np.inf)
    return np.ascontiguousarray(y[_windows(footprint.shape[2:], xpad.shape[2:], stride)])


def avg_pool(x: np.ndarray, *, kernel: Sequence[int], stride: Sequence[int], padding: Pads,
             ceil_mode: bool, count_include_pad: bool) -> np.ndarray:
    """ndimage.correlate with ones: window sums over window counts of a 0/1 mask."""
    x = np.asarray(x)
    _no_ceil_mode(ceil_mode)
    widths = [(0, 0), (0, 0), *padding]
    ones = np.ones((1, 1, *kernel))
    xpad = np.pad(x, widths)  # (N, C, *P)
    sums = ndimage.correlate(xpad, ones, mode="constant", cval=0.0)
    # mask: 1 on the cells a window counts (the padded input, or the input), 0 elsewhere
    mask = (np.ones((1, 1, *xpad.shape[2:])) if count_include_pad
            else np.pad(np.ones((1, 1, *x.shape[2:])), widths))
    counts = ndimage.correlate(mask, ones, mode="constant", cval=0.0)  # (1, 1, *P)
    at = _windows(kernel, xpad.shape[2:], stride)
    return sums[at] / counts[at]  # (N, C, *out)
