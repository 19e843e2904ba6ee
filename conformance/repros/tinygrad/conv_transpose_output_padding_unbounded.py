"""tinygrad: conv_transpose2d accepts any output_padding, negative or >= max(stride,
dilation).

Rule conv-transpose.output-padding: 0 <= output_padding < max(stride, dilation) (PyTorch's
bound; onnxruntime's is < stride, see spec/conventions.md: output_padding_bound).  With
stride 1 and dilation 1 only 0 is valid; ``Tensor.conv_transpose2d`` appends a zero cell for
output_padding=1 and drops the last cell for output_padding=-1.

Run: DEV=CPU python conformance/repros/tinygrad/conv_transpose_output_padding_unbounded.py
"""

import os
from importlib.metadata import version

os.environ.setdefault("DEV", "CPU")

import numpy as np  # noqa: E402
from tinygrad import Tensor, dtypes  # noqa: E402

x = Tensor(np.array([1.0, 2.0, 3.0]).reshape(1, 1, 3), dtype=dtypes.float64)   # (N, C_in, W)
w = Tensor(np.ones((1, 1, 2)), dtype=dtypes.float64)                          # (C_in, C_out, K)
print("tinygrad", version("tinygrad"), "device", x.device)
deviates = False
for op in (1, -1):
    try:
        got = x.conv_transpose2d(w, stride=1, output_padding=(op,)).numpy().ravel()
        deviates = True
    except Exception as e:
        got = f"{type(e).__name__}: {e}"
    print(f"stride=1, dilation=1, output_padding={op}:", got)   # [1. 3. 5. 3. 0.] / [1. 3. 5.]
print("the rule: both raise (0 <= output_padding < max(stride, dilation) = 1) "
      "[conv-transpose.output-padding]")
print("deviation:", deviates)
