"""MLX: pooling accepts padding so large that whole windows are padding, and returns -inf
(max) or 0 (avg) there.

Rule pool.window-has-input: every window must hold at least one input cell (PyTorch bounds
padding by kernel // 2).  ``mlx.nn.MaxPool1d(kernel_size=1, stride=1, padding=2)`` on one
cell returns [-inf, -inf, x, -inf, -inf].

Run: python conformance/repros/mlx/pool_window_all_padding.py
"""

import mlx.core as mx
import mlx.nn as nn
import numpy as np

x = mx.array(np.array([7.0], np.float32).reshape(1, 1, 1))             # (N, W, C)
try:
    got = np.array(nn.MaxPool1d(kernel_size=1, stride=1, padding=2)(x)).ravel()
except Exception as e:
    got = f"{type(e).__name__}: {e}"
print("mlx", mx.__version__)
print("MaxPool1d(kernel_size=1, stride=1, padding=2) on [7]:", got)    # [-inf -inf 7 -inf -inf]
print("the rule: raises (windows 0, 1, 3, 4 hold no input cell) [pool.window-has-input]")
print("deviation:", not isinstance(got, str))
