"""MLX: with stride > 1, conv_general computes a kernel larger than the input, and an empty
input axis gives a cell of uninitialised memory, instead of refusing.

Rules conv.kernel-fits and config.nonempty: a dilated kernel larger than the padded input,
and an empty spatial axis, are invalid (no output cell has a full window).  With stride 1
``mx.conv_general`` refuses both (ValueError); with stride 2 it returns one cell: a window
hanging past the input (x of 1 cell, kernel of 2 taps) and, for an input of 0 cells, a value
read from memory it never wrote.

Run: python conformance/repros/mlx/conv_stride_skips_kernel_fits.py
"""

import mlx.core as mx
import numpy as np


def mlx_conv(x_cells, k, stride):
    x = mx.array(np.full((1, x_cells, 1), 5.0, np.float32))     # (N, W, C_in)
    w = mx.ones((1, k, 1))                                       # (C_out, K, C_in)
    try:
        return np.array(mx.conv_general(x, w, stride=[stride])).ravel()
    except ValueError as e:
        return f"ValueError: {str(e)[:70]}..."


print("mlx", mx.__version__)
deviates = False
for x_cells, k in [(1, 2), (0, 1)]:
    for stride in (1, 2):
        got = mlx_conv(x_cells, k, stride)
        print(f"input of {x_cells} cell(s), kernel of {k}, stride {stride}:", got)
        deviates |= not isinstance(got, str)
# the rule: the input (plus padding 0) holds no full window: output size
# floor((i - k) / s) + 1 <= 0, refused in every case above [conv.kernel-fits] [config.nonempty]
print("the rule: every call above raises")
print("deviation:", deviates)
