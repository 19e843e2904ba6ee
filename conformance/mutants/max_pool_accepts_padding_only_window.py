"""max_pool accepts a window made only of padding and returns -inf for it.

The bug: no check that every window has a tap on the input; such a window is the max of
nothing, -inf [pool.window-has-input].  PyTorch does this with dilation (its pad <= k/2 limit
does not cover it); MXNet returned -FLT_MAX for padding >= kernel (apache/mxnet#6191); WebNN
backends disagree on the value (webmachinelearning/webnn#935).
Caught by: pool.window-has-input (a negative check: the configuration must be refused).
"""

from __future__ import annotations

import numpy as np

from cnnspec.errors import InvalidConfig
from cnnspec.targets import reference as correct
from cnnspec.targets.reference import avg_pool, conv, conv_transpose

__all__ = ["conv", "conv_transpose", "max_pool", "avg_pool", "EXPECTED_RULES"]

EXPECTED_RULES = ("pool.window-has-input",)


def max_pool(x, *, kernel, stride, padding, dilation, ceil_mode):
    kw = dict(kernel=kernel, stride=stride, dilation=dilation, ceil_mode=ceil_mode)
    try:
        return correct.max_pool(x, padding=padding, **kw)
    except InvalidConfig as e:
        if e.rule != "pool.window-has-input":
            raise
    # BUG: instead of refusing, pool the -inf-padded array: padding-only windows give -inf
    xpad = np.pad(x, [(0, 0), (0, 0), *padding], constant_values=-np.inf)
    return correct.max_pool(xpad, padding=((0, 0),) * len(kernel), **kw)
