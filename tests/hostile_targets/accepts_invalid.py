"""conv computes valid configurations right, and returns zeros instead of raising on an
invalid one (a kernel larger than the padded input, groups not dividing the channels, ...)."""

import numpy as np

from cnnspec import InvalidConfig, ref


def conv(x, w, b, *, stride, padding, dilation, groups):
    try:
        return ref.conv(x, w, b, stride=stride, padding=padding, dilation=dilation,
                        groups=groups)
    except InvalidConfig:
        return np.zeros((x.shape[0], w.shape[0], 1))
