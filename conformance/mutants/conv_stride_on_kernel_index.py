"""conv multiplies the kernel index by the stride as well: tap t read at p*s + t*d*s.

The bug: the index of tap t of output p is (p + t*d) * s instead of p*s + t*d [conv.def]: a
hand-written loop that scales the whole window index by the stride.  Reads past the padded
input come out as zeros (a bounds-checked loop); the output shape is right.
Caught by: conv.stride (a strided conv subsamples the stride-1 conv) and conv.def, with
stride > 1 and kernel > 1.
"""

from __future__ import annotations

from cnnspec import formulas
from cnnspec.targets import reference as correct
from cnnspec.targets.reference import avg_pool, conv_transpose, max_pool

__all__ = ["conv", "conv_transpose", "max_pool", "avg_pool", "EXPECTED_RULES"]

EXPECTED_RULES = ("conv.stride", "conv.def")


def conv(x, w, b, *, stride, padding, dilation, groups):
    out = formulas.conv_out_shape(x.shape[2:], w.shape[2:], stride=stride, padding=padding,
                                  dilation=dilation)  # the right shape (and the validity check)
    taps = tuple(d * s for d, s in zip(dilation, stride))  # BUG: tap spacing d*s instead of d
    pads = tuple((pb, pa + max(0, (o - 1) * s + t * (k - 1) + 1 - (i + pb + pa)))  # zeros past the end
                 for i, k, s, (pb, pa), t, o in zip(x.shape[2:], w.shape[2:], stride, padding, taps, out))
    y = correct.conv(x, w, b, stride=stride, padding=pads, dilation=taps, groups=groups)
    return y[(slice(None), slice(None), *(slice(0, o) for o in out))]
