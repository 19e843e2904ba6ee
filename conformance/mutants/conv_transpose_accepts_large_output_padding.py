"""conv_transpose does not check output_padding < max(stride, dilation).

The bug: any output_padding is accepted and just appends cells (zeros plus bias past the
scatter), where the spec refuses output_padding >= max(stride, dilation)
[conv-transpose.output-padding].  PyTorch raises "output padding must be smaller than either
stride or dilation"; a lowering that pads the input to get output_padding accepted
output_padding >= stride without a word (apple/coreai-torch#57).
Caught by: conv-transpose.output-padding (a negative check: the configuration must be refused).
"""

from __future__ import annotations

import numpy as np

from cnnspec.ref._validate import check_conv_transpose
from cnnspec.targets import reference as correct
from cnnspec.targets.reference import avg_pool, conv, max_pool

__all__ = ["conv", "conv_transpose", "max_pool", "avg_pool", "EXPECTED_RULES"]

EXPECTED_RULES = ("conv-transpose.output-padding",)


def conv_transpose(x, w, b, *, stride, padding, output_padding, dilation, groups):
    """The full scatter, output_padding cells appended, cropped by the padding: the reference
    for every valid output_padding, and no error for the others."""
    r = len(stride)
    within = tuple(min(op, max(s, d) - 1) if isinstance(op, int) and op >= 0 else op
                   for op, s, d in zip(output_padding, stride, dilation))
    check_conv_transpose(x, w, b, stride=stride, padding=padding, output_padding=within,
                         dilation=dilation, groups=groups)  # BUG: checked as if op < max(s, d)
    full = correct.conv_transpose(x, w, None, stride=stride, padding=((0, 0),) * r,
                                  output_padding=(0,) * r, dilation=dilation, groups=groups)
    full = np.pad(full, [(0, 0), (0, 0), *((0, op) for op in output_padding)])  # output_padding cells
    y = full[(slice(None), slice(None), *(slice(pb, n - pa) for n, (pb, pa) in zip(full.shape[2:], padding)))]
    return y if b is None else y + b.reshape(-1, *(1,) * r)
