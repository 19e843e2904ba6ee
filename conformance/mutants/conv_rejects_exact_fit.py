"""conv refuses a dilated kernel that exactly fits the padded input (an off-by-one check).

The bug: raises when d*(K-1) + 1 >= S + pb + pa, where the spec refuses only > [conv.kernel-fits]:
the last valid configuration of the boundary (one output per axis) is rejected.
Caught by: conv.kernel-fits's valid side (a kernel that just fits must compute), and every
positive check that draws an exact fit (conv.def, conv.out-size): an exception on a valid
configuration is a failure.
"""

from __future__ import annotations

from cnnspec.targets import reference as correct
from cnnspec.targets.reference import avg_pool, conv_transpose, max_pool

__all__ = ["conv", "conv_transpose", "max_pool", "avg_pool", "EXPECTED_RULES"]

EXPECTED_RULES = ("conv.kernel-fits", "conv.def", "conv.out-size")


def conv(x, w, b, *, stride, padding, dilation, groups):
    for a, (i, k, (pb, pa), d) in enumerate(zip(x.shape[2:], w.shape[2:], padding, dilation)):
        if d * (k - 1) + 1 >= i + pb + pa:  # BUG: >= where the spec says >
            raise ValueError(f"axis {a}: dilated kernel {d * (k - 1) + 1} does not fit the padded "
                             f"input {i + pb + pa}")
    return correct.conv(x, w, b, stride=stride, padding=padding, dilation=dilation, groups=groups)
