"""conv pads the input itself and then passes the padding on as well: padding applied twice.

The bug: conv(pad(x, p), w, padding=p) [conv.out-size] [conv.def].  The usual way in: a model
converter emits an explicit Pad node for 'SAME' padding and also keeps the padding attribute
of the convolution (or a ZeroPadding layer in front of a conv with padding='same').
Caught by: conv.padding, conv.out-size, conv.def, whenever some padding is > 0.
"""

from __future__ import annotations

import numpy as np

from cnnspec.ref._validate import check_conv
from cnnspec.targets import reference as correct
from cnnspec.targets.reference import avg_pool, conv_transpose, max_pool

__all__ = ["conv", "conv_transpose", "max_pool", "avg_pool", "EXPECTED_RULES"]

EXPECTED_RULES = ("conv.padding", "conv.out-size", "conv.def")


def conv(x, w, b, *, stride, padding, dilation, groups):
    check_conv(x, w, b, stride=stride, padding=padding, dilation=dilation, groups=groups)  # as the spec says
    xpad = np.pad(x, [(0, 0), (0, 0), *padding])  # padded here...
    return correct.conv(xpad, w, b, stride=stride, padding=padding,  # BUG: ...and again by conv
                        dilation=dilation, groups=groups)
