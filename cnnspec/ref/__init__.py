"""Readable, rank-generic NumPy reference ops (1-D, 2-D and 3-D spatial), channels-first.

Every op validates before it computes (InvalidConfig naming the rule) and computes in
float64 by default; see :mod:`cnnspec.ref.conv` for the dtype policy.

conv, conv_transpose, max_pool and avg_pool are fast paths (views, tensordots, blocked
loops); :mod:`cnnspec.ref.plain` holds their readable definitions (``ref.plain.conv_plain``
etc.), loops over the rules' formulas that the fast paths are tested equal to.
"""

from . import plain
from .adaptive import adaptive_avg_pool, adaptive_max_pool
from .conv import conv, convolve
from .conv_transpose import conv_transpose
from .grad import conv_grad_bias, conv_grad_input, conv_grad_weight
from .pad import PAD_MODES, pad
from .pool import avg_pool, global_avg_pool, global_max_pool, max_pool

__all__ = ["conv", "convolve", "conv_transpose", "conv_grad_input", "conv_grad_weight",
           "conv_grad_bias", "max_pool", "avg_pool", "global_max_pool",
           "global_avg_pool", "pad", "PAD_MODES", "adaptive_avg_pool", "adaptive_max_pool",
           "plain"]
