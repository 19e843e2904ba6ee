"""MLX: a pooling window larger than the (padded) input gives an empty output for some
kernels and a ValueError for others.

Rule pool.kernel-fits: a window larger than the padded input is refused (PyTorch raises; the
'empty' value of spec/conventions.md: kernel_larger_than_input is the other named
behaviour).  ``mlx.nn.MaxPool1d`` on an input of 1 cell returns 0 cells for a kernel of 2
(stride 1) or 3 (stride 2), and raises "[as_strided] Negative dimensions not allowed" for a
kernel of 3 with stride 1: neither one convention nor the other.  AvgPool1d does the same.

Run: python conformance/repros/mlx/pool_kernel_larger_than_input.py
"""

import mlx.core as mx
import mlx.nn as nn
import numpy as np

x = mx.array(np.array([7.0], np.float32).reshape(1, 1, 1))             # (N, W, C)
print("mlx", mx.__version__)
outcomes = []
for k, s in [(2, 1), (3, 2), (3, 1)]:
    try:
        y = nn.MaxPool1d(kernel_size=k, stride=s)(x)
        got = f"returned shape {y.shape}"
    except ValueError as e:
        got = f"ValueError: {e}"
    outcomes.append(got.startswith("returned"))
    print(f"MaxPool1d(kernel_size={k}, stride={s}) on 1 cell:", got)
print("the rule: each call raises (the window is larger than the input) [pool.kernel-fits]")
print("deviation:", any(outcomes))
