"""MLX: the gradient of max pooling splits dL/dy equally among a window's tied maxima, and
turns a window holding NaN into NaN gradients for every cell of it.

Rule pool.max-grad: each dL/dy[p] goes to one cell, the first cell of window p (in window
order) holding its maximum; a window holding NaN sends it to a NaN cell; every other cell
gets 0.  ``mlx.nn.MaxPool1d`` reduces each window with ``mx.max``, and ``mx.vjp`` through
it gives each of k tied maxima dL/dy / k, and, with a NaN in the window (the forward maximum
is NaN, as the spec says), NaN to every cell of that window.  ``mx.max`` alone does the same:
its gradient on [3, 3] is [0.5, 0.5], on [1, nan] [nan, nan].

Run: python conformance/repros/mlx/max_pool_grad_splits_ties.py
"""

import mlx.core as mx
import mlx.nn as nn
import numpy as np

print("mlx", mx.__version__)
deviates = False
for x, k, s, dy, want in [
        # window [1, 3, 3] ties: x1 gets 10; window [3, 2, 3] ties: x2 gets 20
        ([1.0, 3.0, 3.0, 2.0, 3.0], 3, 2, [10.0, 20.0], [0.0, 10.0, 20.0, 0.0, 0.0]),
        # window [1, nan]: its 10 goes to the NaN (x1); window [2, 5]: x3 gets 20
        ([1.0, np.nan, 2.0, 5.0], 2, 2, [10.0, 20.0], [0.0, 10.0, 0.0, 20.0])]:
    pool = nn.MaxPool1d(kernel_size=k, stride=s)
    xa = mx.array(np.array(x, np.float32).reshape(1, -1, 1))                 # (N, W, C)
    y, (dx,) = mx.vjp(pool, [xa],
                      [mx.array(np.array(dy, np.float32).reshape(1, -1, 1))])
    got = np.array(dx).ravel()
    print(f"x={x}, kernel={k}, stride={s}, dy={dy}: y={np.array(y[0]).ravel().tolist()}")
    print("  mx.vjp dL/dx:", got.tolist())      # [0, 5, 15, 0, 10]  /  [nan, nan, 0, 20]
    print("  the rule:    ", want)
    deviates |= not np.array_equal(got, np.array(want), equal_nan=True)
print("deviation:", deviates)
