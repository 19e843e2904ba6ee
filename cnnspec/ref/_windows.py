"""Window views shared by the reference ops (rank-generic, no copies).

For output position p and kernel offset t on an axis with stride s and dilation d, the
op reads padded input position p*s + t*d.  Two views of that one fact:

- ``windows``: all windows at once, shape (N, C, *S_out, *K), for a tensordot;
- ``tap``: for one kernel offset t, the input read by every output at once, shape
  (N, C, *S_out), for ops that accumulate over kernel offsets (pooling, depthwise conv).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterator, Sequence

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

__all__ = ["windows", "tap", "taps", "flat_index"]


def windows(xpad: np.ndarray, kernel: Sequence[int], stride: Sequence[int],
            dilation: Sequence[int], out: Sequence[int]) -> np.ndarray:
    """View win[n, c, *p, *t] = xpad[n, c, *(p*s + t*d)]; shape (N, C, *out, *kernel)."""
    r = len(kernel)
    eff = [d * (k - 1) + 1 for k, d in zip(kernel, dilation)]
    v = sliding_window_view(xpad, eff, axis=tuple(range(2, 2 + r)))  # (N, C, *(P-eff+1), *eff)
    pos = tuple(slice(0, (o - 1) * s + 1, s) for o, s in zip(out, stride))
    offs = tuple(slice(None, None, d) for d in dilation)
    return v[(slice(None), slice(None), *pos, *offs)]  # (N, C, *out, *kernel)


def tap(xpad: np.ndarray, t: Sequence[int], stride: Sequence[int], dilation: Sequence[int],
        out: Sequence[int]) -> np.ndarray:
    """View xpad[n, c, *(p*s + t*d)] for every output p; shape (N, C, *out)."""
    sl = tuple(slice(ti * d, ti * d + (o - 1) * s + 1, s)
               for ti, d, o, s in zip(t, dilation, out, stride))
    return xpad[(slice(None), slice(None), *sl)]


def taps(kernel: Sequence[int]) -> Iterator[tuple[int, ...]]:
    """Every kernel offset t, in row-major order."""
    return itertools.product(*(range(k) for k in kernel))


def flat_index(pos: Sequence[int], shape: Sequence[int]) -> int:
    """Row-major flat index of spatial position pos in shape: sum_a pos[a] * prod(shape[a+1:])."""
    return sum(i * math.prod(shape[a + 1:]) for a, i in enumerate(pos))
