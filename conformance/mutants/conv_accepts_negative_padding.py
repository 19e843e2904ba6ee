"""conv accepts negative padding and crops the input with it.

The bug: padding < 0 removes cells from the input instead of being refused [config.padding].
torch.nn.functional.pad documents negative pads as cropping, so a conv written as F.pad
followed by an unpadded conv inherits that instead of the Conv layers' error.
Caught by: config.padding (a negative check: the configuration must be refused).
"""

from __future__ import annotations

from cnnspec.targets import reference as correct
from cnnspec.targets.reference import avg_pool, conv_transpose, max_pool

__all__ = ["conv", "conv_transpose", "max_pool", "avg_pool", "EXPECTED_RULES"]

EXPECTED_RULES = ("config.padding",)


def conv(x, w, b, *, stride, padding, dilation, groups):
    if any(isinstance(p, int) and p < 0 for pair in padding for p in pair):
        # BUG: negative padding crops, as F.pad does, instead of raising
        crop = tuple(slice(max(0, -pb), n - max(0, -pa)) for n, (pb, pa) in zip(x.shape[2:], padding))
        x = x[(slice(None), slice(None), *crop)]
        padding = tuple((max(0, pb), max(0, pa)) for pb, pa in padding)
    return correct.conv(x, w, b, stride=stride, padding=padding, dilation=dilation, groups=groups)
