"""max_pool sizes its output with the dilation but pools as if the dilation were 1.

The bug: window p takes the taps p*s + t instead of p*s + t*d [pool.max-def]: a backend
without dilated pooling that keeps the output size but drops the attribute instead of
refusing it.
Caught by: pool.max-def, with dilation > 1.
"""

from __future__ import annotations

import numpy as np

from cnnspec.ref._validate import check_pool
from cnnspec.targets import reference as correct
from cnnspec.targets.reference import avg_pool, conv, conv_transpose

__all__ = ["conv", "conv_transpose", "max_pool", "avg_pool", "EXPECTED_RULES"]

EXPECTED_RULES = ("pool.max-def",)


def max_pool(x, *, kernel, stride, padding, dilation, ceil_mode):
    _, _, out = check_pool(x, kernel=kernel, stride=stride, padding=padding, dilation=dilation,
                           ceil_mode=ceil_mode)  # as the spec says, sized with d
    ends = [max(pb + i + pa, (o - 1) * s + k)  # the padded input, long enough for windows of k taps
            for i, k, s, (pb, pa), o in zip(x.shape[2:], kernel, stride, padding, out)]
    xpad = np.pad(x, [(0, 0), (0, 0), *((pb, e - pb - i) for i, (pb, _), e in zip(x.shape[2:], padding, ends))],
                  constant_values=-np.inf)  # -inf padding, as max pooling has it
    y = correct.max_pool(xpad, kernel=kernel, stride=stride, padding=((0, 0),) * len(kernel),
                         dilation=(1,) * len(kernel), ceil_mode=False)  # BUG: taps p*s + t, not p*s + t*d
    return y[(slice(None), slice(None), *(slice(0, o) for o in out))]
