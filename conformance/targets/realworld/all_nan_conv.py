"""A conv that returns an array of the right shape filled with NaN: it must fail conv.def."""

import numpy as np

EXPECTED = "conv.def"


def conv(x, w, b, *, stride, padding, dilation, groups):
    out = [(n + before + after - d * (k - 1) - 1) // s + 1
           for n, (before, after), k, s, d in zip(x.shape[2:], padding, w.shape[2:], stride, dilation)]
    return np.full((x.shape[0], w.shape[0], *out), np.nan)
