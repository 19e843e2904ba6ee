"""tosa_exact, plus a real bug: the bias is ignored.  The convention must not hide it."""

import numpy as np

from cnnspec import ref


def conv(x, w, b, *, stride, padding, dilation, groups):
    for i, k, s, (pb, pa), d in zip(x.shape[2:], w.shape[2:], stride, padding, dilation):
        if (i + pb + pa - d * (k - 1) - 1) % s:
            raise ValueError(f"(i + pb + pa - d*(k-1) - 1) % stride != 0 (i={i}, stride={s})")
    if b is not None and b.shape != (w.shape[0],):
        raise ValueError("bias shape")
    return ref.conv(x, w, None, stride=stride, padding=padding, dilation=dilation,
                    groups=groups) + np.zeros(1)
