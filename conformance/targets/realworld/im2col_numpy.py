"""A practitioner's NumPy conv: im2col with sliding_window_view, then one tensordot per group.

Rank-generic (1-D to 3-D), groups by a loop over the groups, no validation (NumPy raises where
it cannot compute: a kernel larger than the padded input makes sliding_window_view raise).
"""

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

EXPECTED = None


def conv(x, w, b, *, stride, padding, dilation, groups):
    rank = x.ndim - 2
    axes = tuple(range(2, 2 + rank))
    xp = np.pad(x, [(0, 0), (0, 0), *padding])
    span = [d * (k - 1) + 1 for k, d in zip(w.shape[2:], dilation)]
    cols = sliding_window_view(xp, span, axis=axes)  # (N, C, *O_full, *span)
    cols = cols[(..., *(slice(None, None, s) for s in stride), *(slice(None, None, d) for d in dilation))]
    # cols is now (N, C, *O, *K): the windows at the strided positions, the dilated taps
    cin, cout = w.shape[1], w.shape[0] // groups
    ys = []
    for g in range(groups):
        xg = cols[:, g * cin:(g + 1) * cin]
        wg = w[g * cout:(g + 1) * cout]
        # contract C and the K axes: (N, *O, Cout_g)
        ys.append(np.tensordot(xg, wg, axes=([1, *range(2 + rank, 2 + 2 * rank)], [1, *range(2, 2 + rank)])))
    y = np.moveaxis(np.concatenate(ys, axis=-1), -1, 1)
    if b is not None:
        y = y + b.reshape(-1, *(1,) * rank)
    return y
