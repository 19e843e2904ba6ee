"""avg_pool in ceil_mode divides a window that hangs past the padded input by the full kernel.

The bug: with count_include_pad=True the divisor is prod(kernel) for every window, also
counting the ceil_mode overhang beyond the padded input, which PyTorch and ONNX never count
[pool.avg-divisor].  Core ML (apple/coremltools#2844), tract (sonos/tract#2851), rten
(robertknight/rten#1456) and torch-mlir (llvm/torch-mlir#4144) all shipped it.
Caught by: pool.avg-divisor, in ceil_mode with count_include_pad=True and an overhanging window.
"""

from __future__ import annotations

import math

import numpy as np

from cnnspec.ref._validate import check_flag, check_pool
from cnnspec.targets import reference as correct
from cnnspec.targets.reference import conv, conv_transpose, max_pool

__all__ = ["conv", "conv_transpose", "max_pool", "avg_pool", "EXPECTED_RULES"]

EXPECTED_RULES = ("pool.avg-divisor", "pool.avg-def")


def avg_pool(x, *, kernel, stride, padding, ceil_mode, count_include_pad):
    _, _, out = check_pool(x, kernel=kernel, stride=stride, padding=padding, dilation=1,
                           ceil_mode=ceil_mode)
    check_flag("count_include_pad", count_include_pad)  # as the spec says
    if not (ceil_mode and count_include_pad):
        return correct.avg_pool(x, kernel=kernel, stride=stride, padding=padding,
                                ceil_mode=ceil_mode, count_include_pad=count_include_pad)
    n, c, *spatial = x.shape
    overhang = [max(0, (o - 1) * s + k - (i + pb + pa))
                for i, k, s, (pb, pa), o in zip(spatial, kernel, stride, padding, out)]
    z = np.pad(x, [(0, 0), (0, 0), *((pb, pa + e) for (pb, pa), e in zip(padding, overhang))])
    planes = z.reshape(n * c, 1, *z.shape[2:])  # every channel on its own
    sums = correct.conv(planes, np.ones((1, 1, *kernel)), None, stride=stride,
                        padding=((0, 0),) * len(kernel), dilation=(1,) * len(kernel), groups=1)
    sums = sums[(slice(None), slice(None), *(slice(0, o) for o in out))].reshape(n, c, *out)
    return sums / math.prod(kernel)  # BUG: the overhang counted in the divisor
