"""conv rounds its inputs to bfloat16 and returns float32 without declaring PRECISION = "bfloat16".

The bug: x and w rounded to bfloat16 (float32's exponent, 8 significant bits) before a
float32 conv, the result returned as float32: the tolerance then follows float32 and the
inputs' rounding shows [conv.def] [tolerance.exact-integers].  Real code: JAX on a TPU, whose
default precision passes float32 matmul and conv inputs as bfloat16; oneDNN's bfloat16
fpmath mode on CPUs.  Small integers are exact in bfloat16, and on real-valued data the
K-aware float32 bound grows with K until it hides the rounding (from K of about 4,600);
integers of 12 significant bits show it exactly at any K.
Caught by: conv.def, on integer data beyond bfloat16's significand.
"""

from __future__ import annotations

import numpy as np

from cnnspec import ref
from cnnspec.targets.reference import avg_pool, conv_transpose, max_pool

__all__ = ["conv", "conv_transpose", "max_pool", "avg_pool", "EXPECTED_RULES"]

EXPECTED_RULES = ("conv.def", "tolerance.exact-integers")

DROPPED = 16  # low mantissa bits of float32 that bfloat16 does not keep


def rounded(a):
    """a as float32 rounded to nearest-even on the mantissa bits bfloat16 keeps."""
    bits = np.ascontiguousarray(a, dtype=np.float32).view(np.uint32)
    half = np.uint32((1 << (DROPPED - 1)) - 1) + ((bits >> np.uint32(DROPPED)) & np.uint32(1))
    kept = (bits + half) & ~np.uint32((1 << DROPPED) - 1)
    return kept.view(np.float32)


def conv(x, w, b, *, stride, padding, dilation, groups):
    return ref.conv(rounded(x), rounded(w), b, stride=stride, padding=padding,  # BUG: inputs
                    dilation=dilation, groups=groups, dtype=np.float32)  # rounded, undeclared
