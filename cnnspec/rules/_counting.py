"""Brute-force counting: what the size formulas claim, found by enumeration instead.

Used by the checks of the arithmetic rules (rules/arith_checks.py) as the oracle of every
size formula.  Nothing here calls cnnspec.formulas: each function enumerates the windows,
taps or written cells it counts (with NumPy, so that one case with i ~ 10^5 stays cheap).

Coordinates on one axis: the padded input is [0, p_before + i + p_after), the input itself
[p_before, p_before + i); a window starting at q reads q + t*d for t = 0 .. k-1.
"""

from __future__ import annotations

import numpy as np

__all__ = ["tap_span", "windows_in", "pool_windows", "scatter_length", "stretched_conv_length",
           "same_padding_by_search", "full_overlaps"]


def tap_span(k: int, d: int) -> int:
    """Cells from the first to the last tap of a kernel of k taps d apart, inclusive."""
    taps = np.arange(k) * d  # every tap, enumerated
    return int(taps.max() - taps.min()) + 1


def windows_in(length: int, k: int, s: int, d: int = 1) -> int:
    """Windows starting at 0, s, 2s, ... whose every tap lies in [0, length)."""
    starts = np.arange(0, length, s)  # every candidate start inside the padded input
    last_tap = int((np.arange(k) * d).max())
    return int(np.count_nonzero(starts + last_tap < length))


def pool_windows(i: int, k: int, s: int, pb: int, pa: int, d: int,
                 ceil_mode: bool) -> tuple[int | None, int | None]:
    """(window count, first window with no tap on the input or None) of a pooling axis.

    Floor mode keeps the windows whose last tap lies in the padded input.  Ceil mode keeps
    window 0 if it fits, then window j while window j-1 left padded cells uncovered on the
    right, except a window that starts in the right padding or past it (PyTorch, ONNX).
    The count is None when window 0 does not fit (the kernel is larger than the padded input).
    """
    length = pb + i + pa
    taps = np.arange(k) * d
    starts = np.arange(0, length + s, s)  # candidates, up to one past the padded input
    last = starts + taps[-1]
    if last[0] >= length:
        return None, None
    if ceil_mode:
        previous_short = np.concatenate(([True], last[:-1] < length - 1))
        keep = previous_short & (starts < pb + i)
    else:
        keep = last < length
    n = int(np.argmin(keep)) if not keep.all() else keep.size  # the kept windows: a prefix
    cells = starts[:n, None] + taps[None, :]  # (n, k): every tap of every window
    touches = ((cells >= pb) & (cells < pb + i)).any(axis=1)
    return n, (None if touches.all() else int(np.argmin(touches)))


def scatter_length(i: int, k: int, s: int, pb: int, pa: int, op: int, d: int) -> int:
    """Output cells of a transposed convolution: every position the scatter writes
    (input j, tap t -> j*s + t*d) spans [0, last + 1); crop the padding, add output_padding."""
    written = np.arange(i)[:, None] * s + np.arange(k)[None, :] * d  # (i, k)
    return int(written.max()) + 1 - pb - pa + op


def stretched_conv_length(i: int, k: int, s: int, p: int, a: int = 0) -> int:
    """Output size of the direct convolution Dumoulin & Visin give as the equivalent of a
    transposed one: s - 1 zeros inserted between the i input cells, padded by k - p - 1 zeros
    before and k - p - 1 + a after, then a kernel of k taps at stride 1.  Needs p <= k - 1."""
    cells = np.zeros(i * s)
    cells[::s] = 1  # the input cells, s apart
    stretched = cells[:np.flatnonzero(cells)[-1] + 1]  # no trailing zeros
    padded = np.pad(stretched, (k - p - 1, k - p - 1 + a))
    return windows_in(padded.size, k, 1)


def same_padding_by_search(i: int, k: int, s: int, d: int) -> tuple[int, int]:
    """(smallest total padding whose window count is the wanted one, the wanted count).

    'same' wants one output per stride step that starts inside the input (positions
    0, s, 2s, ... < i); the total padding is searched upwards from 0.
    """
    want = len(range(0, i, s))
    total = 0
    while windows_in(i + total, k, s, d) != want:
        total += 1
    return total, want


def full_overlaps(i: int, k: int, d: int) -> tuple[int, int]:
    """(placements of the dilated kernel's span that overlap the input by at least one cell,
    how many cells before the input the first of them starts)."""
    span = tap_span(k, d)
    shifts = np.arange(-span - 1, i + 2)  # candidate starts, relative to the input's start
    overlap = (shifts + span > 0) & (shifts < i)
    return int(np.count_nonzero(overlap)), int(-shifts[overlap].min())
