"""conv drops the bias.

The bug: y = sum without + b[o] [conv.def] [conv.bias].  Typical of a fused or exported path
that forgets an optional argument (the same way pytorch/pytorch#104206 lost output_padding).
Caught by: conv.bias (conv(x, w, b) - conv(x, w, None) is b[o] everywhere) and conv.def,
whenever a non-zero bias is passed.
"""

from __future__ import annotations

from cnnspec.targets import reference as correct
from cnnspec.targets.reference import avg_pool, conv_transpose, max_pool

__all__ = ["conv", "conv_transpose", "max_pool", "avg_pool", "EXPECTED_RULES"]

EXPECTED_RULES = ("conv.bias", "conv.def")


def conv(x, w, b, *, stride, padding, dilation, groups):
    if b is not None and b.shape != (w.shape[0],):
        raise ValueError(f"b.shape={b.shape}, but should be ({w.shape[0]},)")  # still validated
    return correct.conv(x, w, None,  # BUG: b is never added
                        stride=stride, padding=padding, dilation=dilation, groups=groups)
