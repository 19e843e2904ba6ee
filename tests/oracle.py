"""A deliberately naive loop oracle for the reference ops (tests only).

Independent of cnnspec.ref and cnnspec.formulas: plain Python loops over every index
tuple (itertools.product, so one code path for ranks 1-3), padding handled by explicit
bounds checks on each input index (nothing is ever padded), and output sizes found by
counting windows (the brute-force counter the rules use, cnnspec/rules/_counting.py)
rather than by a formula.  Slow (scalar Python, thousands of
times the reference's time) but fine at test sizes, and short enough to check by eye
against the definitions.

It is not cnnspec/ref/plain.py: that is the shipped readable definition, which shares the
reference's validation and takes its sizes from cnnspec.formulas; this one shares neither,
so a wrong size formula or a wrong validator cannot make both agree.

Coordinates: on one axis with input size ``n`` and padding (pb, pa), padded position q
holds input element q - pb when 0 <= q - pb < n, and padding otherwise; the padded input
is [0, pb + n + pa).  A window starting at padded position ``start`` reads start + t*d for
t = 0 .. k-1.
"""

from __future__ import annotations

import itertools
import math

import numpy as np

from cnnspec.rules._counting import pool_windows

__all__ = ["count_windows", "conv", "convolve", "conv_transpose", "max_pool", "avg_pool",
           "global_max_pool", "global_avg_pool", "pad"]


def count_windows(n: int, k: int, s: int, pad: tuple[int, int], d: int = 1,
                  ceil_mode: bool = False) -> int:
    """How many windows one axis has, enumerated by the one brute-force counter
    (cnnspec/rules/_counting.py: pool_windows; floor mode is conv's count too); 0 when the
    kernel does not fit the padded input."""
    return pool_windows(n, k, s, *pad, d, ceil_mode)[0] or 0


def _index(p: tuple[int, ...], t: tuple[int, ...], stride, dilation, padding) -> tuple[int, ...]:
    """Input index read by output p at kernel offset t (may be outside the input)."""
    return tuple(pi * s + ti * d - pb
                 for pi, ti, s, d, (pb, _) in zip(p, t, stride, dilation, padding))


def _inside(idx: tuple[int, ...], sizes: tuple[int, ...]) -> bool:
    return all(0 <= i < n for i, n in zip(idx, sizes))


def _grid(sizes) -> itertools.product:
    return itertools.product(*(range(n) for n in sizes))


def conv(x, w, b, *, stride, padding, dilation, groups):
    """y[n, o, *p] = b[o] + sum over c < C_in/groups and kernel offsets t of
    x[n, g*Cg + c, *(p*s + t*d - pb)] * w[o, c, *t], where g = o // (C_out/groups) and
    indices outside x read 0."""
    n_batch, c_in, *sizes = x.shape
    c_out, cg, *kernel = w.shape
    og = c_out // groups
    out = [count_windows(i, k, s, p, d)
           for i, k, s, p, d in zip(sizes, kernel, stride, padding, dilation)]
    y = np.zeros((n_batch, c_out, *out))
    for n, o in itertools.product(range(n_batch), range(c_out)):
        g = o // og
        for p in _grid(out):
            acc = 0.0 if b is None else float(b[o])
            for c in range(cg):
                for t in _grid(kernel):
                    idx = _index(p, t, stride, dilation, padding)
                    if _inside(idx, sizes):
                        acc += x.item(n, g * cg + c, *idx) * w.item(o, c, *t)
            y[(n, o, *p)] = acc
    return y


def convolve(x, w, b, *, stride, padding, dilation, groups):
    """True convolution: the kernel read backwards on every spatial axis,
    w[o, c, *(K - 1 - t)] in place of w[o, c, *t]."""
    backwards = w[(slice(None), slice(None), *(slice(None, None, -1) for _ in w.shape[2:]))]
    return conv(x, backwards, b, stride=stride, padding=padding, dilation=dilation, groups=groups)


def conv_transpose(x, w, b, *, stride, padding, output_padding, dilation, groups):
    """Scatter: every x[n, g*Cg + c, *p] adds x * w[g*Cg + c, o, *t] to output
    y[n, g*Og + o, *(p*s + t*d - pb)] when that lies in the output.

    Output side: the scatter reaches up to (n-1)*s + (k-1)*d, so it covers that + 1 cells,
    plus output_padding cells at the end, minus pb cropped at the start and pa at the end.
    """
    n_batch, c_in, *sizes = x.shape
    _, og, *kernel = w.shape
    cg = c_in // groups
    out = []
    for i, k, s, (pb, pa), op, d in zip(sizes, kernel, stride, padding, output_padding,
                                        dilation):
        reach = (i - 1) * s + (k - 1) * d  # last cell the scatter touches
        out.append(reach + 1 + op - pb - pa)
    y = np.zeros((n_batch, og * groups, *out))
    for n, ci in itertools.product(range(n_batch), range(c_in)):
        g = ci // cg
        for p in _grid(sizes):
            v = x.item(n, ci, *p)
            for o in range(og):
                for t in _grid(kernel):
                    q = _index(p, t, stride, dilation, padding)
                    if _inside(q, out):
                        y[(n, g * og + o, *q)] += v * w.item(ci, o, *t)
    if b is not None:
        for n, o in itertools.product(range(n_batch), range(og * groups)):
            for q in _grid(out):
                y[(n, o, *q)] += b[o]
    return y


def max_pool(x, *, kernel, stride, padding, dilation, ceil_mode):
    """Max over the taps of each window that land on x (padding and the ceil-mode
    overhang never win); any NaN among those taps makes the output NaN."""
    n_batch, channels, *sizes = x.shape
    out = [count_windows(i, k, s, p, d, ceil_mode)
           for i, k, s, p, d in zip(sizes, kernel, stride, padding, dilation)]
    y = np.zeros((n_batch, channels, *out))
    for n, c in itertools.product(range(n_batch), range(channels)):
        for p in _grid(out):
            best = -math.inf
            for t in _grid(kernel):
                idx = _index(p, t, stride, dilation, padding)
                if _inside(idx, sizes):
                    v = x.item(n, c, *idx)
                    if math.isnan(v) or math.isnan(best):
                        best = math.nan
                    elif v > best:
                        best = v
            y[(n, c, *p)] = best
    return y


def avg_pool(x, *, kernel, stride, padding, ceil_mode, count_include_pad):
    """Sum of the taps on x divided by the number of taps counted: taps on x, plus the
    taps on the padding when count_include_pad; taps past the padded input (the ceil-mode
    overhang) are never counted."""
    n_batch, channels, *sizes = x.shape
    ones = (1,) * len(sizes)
    out = [count_windows(i, k, s, p, 1, ceil_mode)
           for i, k, s, p in zip(sizes, kernel, stride, padding)]
    padded = [(-pb, i + pa) for i, (pb, pa) in zip(sizes, padding)]  # [lo, hi) in x coords
    y = np.zeros((n_batch, channels, *out))
    for n, c in itertools.product(range(n_batch), range(channels)):
        for p in _grid(out):
            total, counted = 0.0, 0
            for t in _grid(kernel):
                idx = _index(p, t, stride, ones, padding)
                if _inside(idx, sizes):
                    total += x.item(n, c, *idx)
                    counted += 1
                elif count_include_pad and all(lo <= i < hi for i, (lo, hi) in zip(idx, padded)):
                    counted += 1
            y[(n, c, *p)] = total / counted
    return y


def global_max_pool(x):
    """(N, C, 1, ..., 1): the max over every spatial position, NaN if any is NaN."""
    n_batch, channels, *sizes = x.shape
    y = np.zeros((n_batch, channels, *(1 for _ in sizes)))
    for n, c in itertools.product(range(n_batch), range(channels)):
        best = -math.inf
        for p in _grid(sizes):
            v = x.item(n, c, *p)
            best = math.nan if (math.isnan(v) or math.isnan(best)) else max(best, v)
        y[(n, c, *(0 for _ in sizes))] = best
    return y


def global_avg_pool(x):
    """(N, C, 1, ..., 1): the sum over every spatial position divided by their number."""
    n_batch, channels, *sizes = x.shape
    y = np.zeros((n_batch, channels, *(1 for _ in sizes)))
    for n, c in itertools.product(range(n_batch), range(channels)):
        total, count = 0.0, 0
        for p in _grid(sizes):
            total += x.item(n, c, *p)
            count += 1
        y[(n, c, *(0 for _ in sizes))] = total / count
    return y


def _source(q: int, n: int, pb: int, mode: str) -> int | None:
    """Input index that padded position q copies on an axis of size n (None: a zero)."""
    j = q - pb
    if 0 <= j < n:
        return j
    if mode == "zeros":
        return None
    if mode == "replicate":
        return 0 if j < 0 else n - 1
    if mode == "circular":
        return j % n
    if mode == "reflect":  # mirror about the edge cells, which are not repeated
        while not 0 <= j < n:
            j = -j if j < 0 else 2 * (n - 1) - j
        return j
    raise ValueError(f"mode={mode!r}")


def pad(x, padding, mode="zeros"):
    """x padded on every spatial axis: each output cell copies the input cell _source
    maps it to on every axis, or is 0 (mode 'zeros')."""
    n_batch, channels, *sizes = x.shape
    out = [pb + n + pa for n, (pb, pa) in zip(sizes, padding)]
    y = np.zeros((n_batch, channels, *out))
    for n, c in itertools.product(range(n_batch), range(channels)):
        for q in _grid(out):
            src = [_source(qi, ni, pb, mode) for qi, ni, (pb, _) in zip(q, sizes, padding)]
            if None not in src:
                y[(n, c, *q)] = x.item(n, c, *src)
    return y
