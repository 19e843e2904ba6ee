"""An example target to copy: plain NumPy conv, one multiply-add pass per kernel offset.

A target is a module (``pkg.mod``, or a ``.py`` path like this one) that defines any subset of
the four ops of the target contract (docs/contract.md):

    conv(x, w, b, *, stride, padding, dilation, groups) -> y
    conv_transpose(x, w, b, *, stride, padding, output_padding, dilation, groups) -> y
    max_pool(x, *, kernel, stride, padding, dilation, ceil_mode) -> y
    avg_pool(x, *, kernel, stride, padding, ceil_mode, count_include_pad) -> y

- NumPy arrays in and out, channels-first: x is (N, C, *spatial) with 1 to 3 spatial axes.
  The harness passes float64 arrays (often small integers stored as floats, on which a correct
  implementation is exact); return a floating array, float64 or lower precision (the tolerance
  follows the dtype returned, or a ``PRECISION = "float32"`` / ``"tf32"`` module attribute).
- conv: w is (C_out, C_in // groups, *K), b is (C_out,) or None; conv is cross-correlation,
  no kernel flip.  conv_transpose: w is (C_in, C_out // groups, *K).
- stride, dilation, output_padding, kernel: a tuple of ints, one per spatial axis; padding: a
  tuple of (before, after) pairs, one per spatial axis (zeros for conv and avg_pool, -inf for
  max_pool).
- An op the module does not define is reported "not implemented".  Raise NotImplementedError
  for a configuration you do not support: reported "unsupported", not a failure.  An invalid
  configuration must raise (any exception).  Anything else is a failure, reported with the
  rule it breaks: another exception on a valid call, a wrong value, shape or dtype, a NaN the
  reference does not have, a changed input, a result that is a view of an input, a crash.
- Return a new array and leave x, w and b alone.

Check it:

    cnnspec conform conformance/targets/example_numpy_adapter.py

This example defines conv only, and raises NotImplementedError for groups > 1.
"""

from __future__ import annotations

import itertools

import numpy as np

__all__ = ["conv"]


def _per_axis(name: str, values: tuple, rank: int, low: int) -> None:
    if len(values) != rank:
        raise ValueError(f"len({name})={len(values)}, but should be {rank} (one per spatial axis)")
    for a, v in enumerate(values):
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < low:
            raise ValueError(f"{name}[{a}]={v!r}, but should be an int >= {low}")


def conv(x, w, b, *, stride, padding, dilation, groups):
    """y[n, o, *p] = b[o] + sum_{c, *t} xpad[n, c, *(p*s + t*d)] * w[o, c, *t]

    S_out = floor((S + p_before + p_after - d*(K-1) - 1) / s) + 1 per spatial axis.
    """
    if isinstance(groups, bool) or not isinstance(groups, (int, np.integer)) or groups < 1:
        raise ValueError(f"groups={groups!r}, but should be an int >= 1")
    if groups != 1:
        raise NotImplementedError("groups > 1")  # reported as unsupported, not as a failure
    for name, a in (("x", x), ("w", w), ("b", b)):
        empty = a is not None and any(n == 0 for n in a.shape[1 if name == "x" else 0:])
        if a is not None and (a.dtype.kind not in "iuf" or empty):
            raise ValueError(f"{name}: dtype={a.dtype}, shape={a.shape}, but should be a real "
                             f"array, empty on x's batch axis only")
    if not 3 <= x.ndim <= 5 or w.ndim != x.ndim:
        raise ValueError(f"x.ndim={x.ndim}, w.ndim={w.ndim}, but should both be 3, 4 or 5")
    n, c_in, *spatial = x.shape
    c_out, c_w, *kernel = w.shape
    rank = len(spatial)
    if c_w != c_in:
        raise ValueError(f"w.shape[1]={c_w}, but should be C_in={c_in}")
    if b is not None and b.shape != (c_out,):
        raise ValueError(f"b.shape={b.shape}, but should be (C_out,)=({c_out},)")
    _per_axis("stride", stride, rank, 1)
    _per_axis("dilation", dilation, rank, 1)
    if len(padding) != rank:
        raise ValueError(f"len(padding)={len(padding)}, but should be {rank}")
    for a, pair in enumerate(padding):
        _per_axis(f"padding[{a}]", tuple(pair), 2, 0)

    out = []  # S_out
    for a, (i, k, s, (pb, pa), d) in enumerate(zip(spatial, kernel, stride, padding, dilation)):
        extent = d * (k - 1) + 1
        if extent > i + pb + pa:
            raise ValueError(f"axis {a}: the dilated kernel ({extent}) is larger than the padded "
                             f"input ({i} + {pb} + {pa})")
        out.append((i + pb + pa - extent) // s + 1)

    xpad = np.pad(x.astype(np.float64), [(0, 0), (0, 0), *padding])  # (N, C_in, *P)
    y = np.zeros((n, c_out, *out))  # (N, C_out, *S_out)
    for t in itertools.product(*(range(k) for k in kernel)):  # one kernel offset t at a time
        reads = tuple(slice(ti * d, ti * d + (o - 1) * s + 1, s)
                      for ti, d, o, s in zip(t, dilation, out, stride))
        patch = xpad[(slice(None), slice(None), *reads)]  # (N, C_in, *S_out): what tap t reads
        tap = w[(slice(None), slice(None), *t)]  # (C_out, C_in): the weights of tap t
        y += np.einsum("nc...,oc->no...", patch, tap)
    if b is not None:
        y += b.reshape(-1, *(1,) * rank)  # (C_out, 1, ..., 1)
    return y
