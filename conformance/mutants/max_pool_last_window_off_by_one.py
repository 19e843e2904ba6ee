"""max_pool stops one window early: window starts in range(0, P - e, s), not range(0, P - e + 1, s).

The bug: in floor mode, the last window (starting at P - e when s divides P - e) is dropped
[pool.out-size].  With the kernel exactly fitting the padded input no window is left.
Caught by: pool.out-size / pool.max-def, whenever s divides P - e in floor mode.
"""

from __future__ import annotations

from cnnspec.targets import reference as correct
from cnnspec.targets.reference import avg_pool, conv, conv_transpose

__all__ = ["conv", "conv_transpose", "max_pool", "avg_pool", "EXPECTED_RULES"]

EXPECTED_RULES = ("pool.out-size", "pool.max-def")


def max_pool(x, *, kernel, stride, padding, dilation, ceil_mode):
    y = correct.max_pool(x, kernel=kernel, stride=stride, padding=padding, dilation=dilation,
                         ceil_mode=ceil_mode)
    if ceil_mode:
        return y
    out = tuple(len(range(0, i + pb + pa - (d * (k - 1) + 1), s))  # BUG: the stop is one short
                for i, k, s, (pb, pa), d in zip(x.shape[2:], kernel, stride, padding, dilation))
    return y[(slice(None), slice(None), *(slice(0, o) for o in out))]
