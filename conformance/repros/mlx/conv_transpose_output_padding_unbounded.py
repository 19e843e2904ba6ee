"""MLX: conv_transpose accepts any output_padding, negative or >= max(stride, dilation).

Rule conv-transpose.output-padding: 0 <= output_padding < max(stride, dilation) (PyTorch's
bound; onnxruntime's is < stride, see spec/conventions.md: output_padding_bound).  With
stride 1 and dilation 1 no output_padding but 0 is valid; ``mx.conv_transpose1d`` appends a
zero cell for output_padding=1 and drops the last cell for output_padding=-1.

Run: python conformance/repros/mlx/conv_transpose_output_padding_unbounded.py
"""

import mlx.core as mx
import numpy as np

x = mx.array(np.array([1.0, 2.0, 3.0], np.float32).reshape(1, 3, 1))   # (N, W, C_in)
w = mx.ones((1, 2, 1))                                                 # (C_out, K, C_in)

print("mlx", mx.__version__)
deviates = False
for op in (1, -1):
    try:
        got = np.array(mx.conv_transpose1d(x, w, stride=1, output_padding=op)).ravel()
    except Exception as e:
        got = f"{type(e).__name__}: {e}"
    print(f"stride=1, dilation=1, output_padding={op}:", got)   # [1. 3. 5. 3. 0.] / [1. 3. 5.]
    deviates |= not isinstance(got, str)
print("the rule: both raise (0 <= output_padding < max(stride, dilation) = 1)")
print("deviation:", deviates)
