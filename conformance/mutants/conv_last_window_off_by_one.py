"""conv stops one window early: window starts in range(0, P - e, s) instead of range(0, P - e + 1, s).

The bug: with P = S + pb + pa and e = d(K-1) + 1 the last window starts at P - e when s divides
P - e; the loop bound excludes it [conv.out-size].  When the kernel exactly fits, no window is
left at all.
Caught by: conv.out-size / conv.def, whenever s divides P - e.
"""

from __future__ import annotations

from cnnspec.targets import reference as correct
from cnnspec.targets.reference import avg_pool, conv_transpose, max_pool

__all__ = ["conv", "conv_transpose", "max_pool", "avg_pool", "EXPECTED_RULES"]

EXPECTED_RULES = ("conv.out-size", "conv.def")


def conv(x, w, b, *, stride, padding, dilation, groups):
    y = correct.conv(x, w, b, stride=stride, padding=padding, dilation=dilation, groups=groups)
    out = tuple(len(range(0, i + pb + pa - (d * (k - 1) + 1), s))  # BUG: the stop is one short
                for i, k, s, (pb, pa), d in zip(x.shape[2:], w.shape[2:], stride, padding, dilation))
    return y[(slice(None), slice(None), *(slice(0, o) for o in out))]
