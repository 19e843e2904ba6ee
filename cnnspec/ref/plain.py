"""The readable definitions of the reference's forward ops, one output element at a time.
[conv.def] [conv-transpose.def] [pool.max-def] [pool.max-nan] [pool.avg-def] [pool.avg-divisor]

Each function here is a direct transcription of its rule's formula: a loop over every
index tuple (itertools.product and np.ndindex, so one code path for every rank), indices
written as in the formula; no views, no BLAS.  They take the same arguments as the fast
paths, validate them with the same checks (ref._validate) and take their output sizes from
the same place (the validator, which computes them with cnnspec.formulas).

    definition (here)        fast path, tested equal (tests/test_ref_plain.py)
    conv_plain               ref.conv            (im2col tensordot; depthwise flat planes)
    conv_transpose_plain     ref.conv_transpose  (one strided block per kernel offset)
    max_pool_plain           ref.max_pool        (np.maximum over one view per offset)
    avg_pool_plain           ref.avg_pool        (a sum over views, per-axis divisors)

The fast paths compute the same values, exactly on integer-valued float64 data (every sum
of small integers is exact in any order).  On other data they may differ by the rounding of
a different summation order.

NaN follows the rules' statements.  conv_plain multiplies every tap, so a NaN input makes
NaN every output whose window reads it, even under a zero weight [conv.def]; the fast conv's
tensordot may skip a product with a zero weight and give the finite sum there: the one
allowed difference (the convention nan_times_zero).  conv_transpose_plain multiplies
every product too; [conv-transpose.def] says nothing of NaN, so its test data is NaN-free
(the fast path's tensordot might skip NaN*0 there as well).  max_pool_plain returns NaN for a
window holding a NaN [pool.max-nan] by saying so, not by relying on the order of a max.

Float64 only (the reference semantics), and slow (scalar Python; on a (1, 8, 16, 16) input,
measured 50x the fast path's time for pooling, 110x for a depthwise conv, 360x for
conv_transpose and 1500x for a dense 3x3 conv): for reading and for tests.
"""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np

from ._validate import Geometry, check_conv, check_conv_transpose, check_flag, check_pool
from .pad import pad

__all__ = ["conv_plain", "conv_transpose_plain", "max_pool_plain", "avg_pool_plain"]


def _read(p: tuple[int, ...], t: tuple[int, ...], geo: Geometry) -> tuple[int, ...]:
    """The padded position p*s + t*d that output p reads at kernel offset t, per axis."""
    return tuple(pa * s + ta * d for pa, ta, s, d in zip(p, t, geo.stride, geo.dilation))


def _inside(q: tuple[int, ...], low: tuple[int, ...], high: tuple[int, ...]) -> bool:
    """low[a] <= q[a] < high[a] on every axis."""
    return all(lo <= qa < hi for qa, lo, hi in zip(q, low, high))


def conv_plain(x: Any, w: Any, b: Any = None, *, stride: Any = 1, padding: Any = 0,
               dilation: Any = 1, groups: int = 1, padding_mode: str = "zeros") -> np.ndarray:
    """N-d cross-correlation, the readable definition.  [conv.def] [conv.groups] [conv.out-size]

        y[n, o, *p] = b[o] + sum_{c, *t} xpad[n, g(o)*Cg + c, *(p*s + t*d)] * w[o, c, *t]

    for every output position p < S_out (the validator's, formulas.conv_out_size), with
    Cg = C_in/groups input channels c per group, g(o) = o // (C_out/groups) the group of
    output channel o, t every kernel offset, and xpad = pad(x, padding, padding_mode)
    [pad.modes].  b[o] = 0 when b is None.  Same arguments as ref.conv (no dtype: float64).
    """
    x, w, b, geo, out = check_conv(x, w, b, stride=stride, padding=padding,
                                   dilation=dilation, groups=groups)
    xpad = pad(x.astype(np.float64), geo.padding, mode=padding_mode)  # (N, C_in, *P)
    w = w.astype(np.float64)
    c_out, cg = w.shape[:2]
    og = c_out // geo.groups  # output channels per group
    y = np.empty((x.shape[0], c_out, *out))  # (N, C_out, *S_out)
    for n, o, p in itertools.product(range(x.shape[0]), range(c_out), np.ndindex(*out)):
        g = o // og
        total = 0.0
        for c, t in itertools.product(range(cg), np.ndindex(*geo.kernel)):
            total += xpad[(n, g * cg + c, *_read(p, t, geo))] * w[(o, c, *t)]
        y[(n, o, *p)] = (0.0 if b is None else float(b[o])) + total
    return y


def conv_transpose_plain(x: Any, w: Any, b: Any = None, *, stride: Any = 1, padding: Any = 0,
                         output_padding: Any = 0, dilation: Any = 1,
                         groups: int = 1) -> np.ndarray:
    """N-d transposed convolution, the readable definition.
    [conv-transpose.def] [conv-transpose.out-size]

        full[n, g*Og + o, *(p*s + t*d)] += x[n, g*Cg + c, *p] * w[g*Cg + c, o, *t]
        y[n, j, *q] = b[j] + full[n, j, *(q + p_before)]

    for every input element (n, g*Cg + c, *p), kernel offset t and o < Og = C_out/groups:
    each input element adds the kernel, scaled by it, at p*s; ``full`` starts at zero with
    p_before + S_out + p_after cells per axis (S_out the validator's,
    formulas.conv_transpose_out_size), and y crops p_before and p_after off it.  Same
    arguments as ref.conv_transpose (no dtype: float64).
    """
    x, w, b, geo, out = check_conv_transpose(x, w, b, stride=stride, padding=padding,
                                             output_padding=output_padding,
                                             dilation=dilation, groups=groups)
    x, w = x.astype(np.float64), w.astype(np.float64)
    n_batch, c_in, *spatial = x.shape
    cg, og = c_in // geo.groups, w.shape[1]
    full = np.zeros((n_batch, geo.groups * og,
                     *(pb + o + pa for o, (pb, pa) in zip(out, geo.padding))))
    for n, g, c, o, p, t in itertools.product(range(n_batch), range(geo.groups), range(cg),
                                              range(og), np.ndindex(*spatial),
                                              np.ndindex(*geo.kernel)):
        full[(n, g * og + o, *_read(p, t, geo))] += x[(n, g * cg + c, *p)] * w[(g * cg + c, o, *t)]
    y = np.empty((n_batch, geo.groups * og, *out))  # (N, C_out, *S_out)
    for n, j, q in itertools.product(range(n_batch), range(geo.groups * og), np.ndindex(*out)):
        cell = full[(n, j, *(qa + pb for qa, (pb, _) in zip(q, geo.padding)))]
        y[(n, j, *q)] = (0.0 if b is None else float(b[j])) + cell
    return y


def max_pool_plain(x: Any, *, kernel: Any, stride: Any = None, padding: Any = 0,
                   dilation: Any = 1, ceil_mode: bool = False) -> np.ndarray:
    """N-d max pooling, the readable definition.  [pool.max-def] [pool.max-nan]

        y[n, c, *p] = max_t xpad[n, c, *(p*s + t*d)],  xpad = x padded with -inf,

    over the taps t of window p that fall on the padded input (a ceil_mode window may
    overhang it; the overhang holds no cell), NaN when one of them is NaN [pool.max-nan].
    p < S_out, the validator's (formulas.pool_out_size, floor or ceil mode).  Every window
    holds an input cell [pool.window-has-input], so padding never decides a value.  Same
    arguments as ref.max_pool (no dtype: float64).
    """
    x, geo, out = check_pool(x, kernel=kernel, stride=stride, padding=padding,
                             dilation=dilation, ceil_mode=ceil_mode)
    xpad = pad(x.astype(np.float64), geo.padding, value=-np.inf)  # (N, C, *P)
    size, zero = xpad.shape[2:], (0,) * len(out)
    y = np.empty((*x.shape[:2], *out))  # (N, C, *S_out)
    for n, c, p in itertools.product(range(x.shape[0]), range(x.shape[1]), np.ndindex(*out)):
        reads = (_read(p, t, geo) for t in np.ndindex(*geo.kernel))
        window = [xpad[(n, c, *q)] for q in reads if _inside(q, zero, size)]
        y[(n, c, *p)] = np.nan if any(np.isnan(v) for v in window) else max(window)
    return y


def avg_pool_plain(x: Any, *, kernel: Any, stride: Any = None, padding: Any = 0,
                   ceil_mode: bool = False, count_include_pad: bool = True) -> np.ndarray:
    """N-d average pooling, the readable definition.  [pool.avg-def] [pool.avg-divisor]

        y[n, c, *p] = sum_t xpad[n, c, *(p*s + t)] / divisor(p),  xpad = x padded with 0,

    the sum over the taps t of window p that fall on the padded input (the ceil_mode
    overhang holds no cell); divisor(p) = how many of those cells are counted: all of them
    if count_include_pad, else those on the input itself, [p_before, p_before + S) per axis.
    p < S_out, the validator's (formulas.pool_out_size).  Same arguments as ref.avg_pool
    (no dtype: float64).
    """
    x, geo, out = check_pool(x, kernel=kernel, stride=stride, padding=padding, dilation=1,
                             ceil_mode=ceil_mode)
    include_pad = check_flag("count_include_pad", count_include_pad)
    xpad = pad(x.astype(np.float64), geo.padding)  # (N, C, *P)
    size, zero = xpad.shape[2:], (0,) * len(out)
    first = tuple(pb for pb, _ in geo.padding)  # the input's cells: [first, first + S)
    end = tuple(pb + i for (pb, _), i in zip(geo.padding, x.shape[2:]))
    y = np.empty((*x.shape[:2], *out))  # (N, C, *S_out)
    for n, c, p in itertools.product(range(x.shape[0]), range(x.shape[1]), np.ndindex(*out)):
        reads = (_read(p, t, geo) for t in np.ndindex(*geo.kernel))
        cells = [q for q in reads if _inside(q, zero, size)]
        counted = cells if include_pad else [q for q in cells if _inside(q, first, end)]
        y[(n, c, *p)] = sum(xpad[(n, c, *q)] for q in cells) / len(counted)
    return y
