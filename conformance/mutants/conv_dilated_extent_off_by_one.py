"""conv takes the dilated kernel's extent as d*K instead of d*(K-1) + 1.

The bug: S_out = floor((S + pb + pa - d*K) / s) + 1, which drops the last window when d > 1
and the remainder is small [conv.dilation] [conv.out-size].  Output-size helpers in model
summaries and shape-inference code have written the extent this way.
Caught by: conv.dilation (a dilated kernel is a zero-stuffed kernel), conv.out-size, conv.def,
with dilation > 1.
"""

from __future__ import annotations

from cnnspec.targets import reference as correct
from cnnspec.targets.reference import avg_pool, conv_transpose, max_pool

__all__ = ["conv", "conv_transpose", "max_pool", "avg_pool", "EXPECTED_RULES"]

EXPECTED_RULES = ("conv.dilation", "conv.out-size", "conv.def")


def conv(x, w, b, *, stride, padding, dilation, groups):
    y = correct.conv(x, w, b, stride=stride, padding=padding, dilation=dilation, groups=groups)
    out = tuple(max(0, (i + pb + pa - d * k) // s + 1)  # BUG: extent d*k, not d*(k-1) + 1
                for i, k, s, (pb, pa), d in zip(x.shape[2:], w.shape[2:], stride, padding, dilation))
    return y[(slice(None), slice(None), *(slice(0, o) for o in out))]
