"""MLX: conv_transpose with stride > 1 and padding > dilation * (kernel - 1) returns a short
output, or raises on a valid configuration.

Rule conv-transpose.out-size: the output size is (i - 1) * s - 2p + d * (k - 1) + 1 + op;
any padding that leaves at least one cell is valid.  ``mx.conv_transpose1d`` is right for
stride 1, but with stride 2 and padding 1 on a 1-tap kernel it drops the first cell (x of 2
cells, output_padding 1: 1 cell instead of 2), and raises ValueError ("Spatial dimensions of
input after padding cannot be smaller than weight spatial dimensions") without
output_padding, where the rule gives 1 cell.

Run: python conformance/repros/mlx/conv_transpose_padding_past_kernel.py
"""

import mlx.core as mx
import numpy as np


def rule(x, w, s, p, op):
    """Scatter every x[i] * w[j] to i * s + j, add output_padding cells, crop p each side."""
    full = np.zeros((len(x) - 1) * s + len(w) + op)
    for i in range(len(x)):
        for j in range(len(w)):
            full[i * s + j] += x[i] * w[j]
    return full[p:len(full) - p]


def mlx_conv_transpose(x, w, s, p, op):
    try:
        y = mx.conv_transpose1d(mx.array(np.array(x, np.float32).reshape(1, -1, 1)),  # (N, W, C)
                                mx.array(np.array(w, np.float32).reshape(1, -1, 1)),  # (O, K, I)
                                stride=s, padding=p, output_padding=op)
        return np.array(y).ravel()
    except ValueError as e:
        return f"ValueError: {e}"


print("mlx", mx.__version__)
deviates = False
for x, w, s, p, op in [([1.0, 2.0], [1.0], 2, 1, 1), ([1.0, 2.0], [1.0], 2, 1, 0)]:
    got, want = mlx_conv_transpose(x, w, s, p, op), rule(x, w, s, p, op)
    print(f"x={x}, w={w}, stride={s}, padding={p}, output_padding={op}")
    print("  mx.conv_transpose1d:", got)     # [2.]  /  ValueError
    print("  the rule:           ", want)    # [0. 2.]  /  [0.]
    deviates |= isinstance(got, str) or not np.array_equal(got, want)
print("deviation:", deviates)
