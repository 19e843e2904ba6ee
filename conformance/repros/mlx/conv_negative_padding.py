"""MLX: conv_general accepts negative padding and crops the input.

Rule config.padding: padding is >= 0 on both sides; a negative value is refused.
``mx.conv_general(x, w, padding=([-1], [0]))`` drops the first input cell and computes.

Run: python conformance/repros/mlx/conv_negative_padding.py
"""

import mlx.core as mx
import numpy as np

x = mx.array(np.array([1.0, 2.0, 3.0], np.float32).reshape(1, 3, 1))   # (N, W, C_in)
w = mx.ones((1, 1, 1))                                                 # (C_out, K, C_in)
try:
    got = np.array(mx.conv_general(x, w, padding=([-1], [0]))).ravel()
except Exception as e:
    got = f"{type(e).__name__}: {e}"
print("mlx", mx.__version__)
print("padding=(-1, 0):", got)                                         # [2. 3.]
print("the rule: raises (padding must be >= 0) [config.padding]")
print("deviation:", not isinstance(got, str))
