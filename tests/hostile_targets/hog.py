"""conv allocates 1 GiB before computing the right answer: a run with a memory limit below
that must report the MemoryError (without one, this target passes)."""

import numpy as np

from cnnspec import ref


def conv(x, w, b, *, stride, padding, dilation, groups):
    scratch = np.ones(2**27)  # 1 GiB of float64
    scratch[0] = 0.0
    return ref.conv(x, w, b, stride=stride, padding=padding, dilation=dilation, groups=groups)
