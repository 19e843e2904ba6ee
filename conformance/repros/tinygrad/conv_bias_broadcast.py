"""tinygrad: conv2d and conv_transpose2d broadcast a bias of length 1 over every output
channel instead of refusing a bias of the wrong length.

Rule conv.bias (conv-transpose.bias): b has shape (C_out,); any other length is refused.
``Tensor.conv2d`` adds ``bias.reshape(1, -1, 1, ...)``, so a bias of length 1 with C_out=2
is added to both channels.

Run: DEV=CPU python conformance/repros/tinygrad/conv_bias_broadcast.py
"""

import os
from importlib.metadata import version

os.environ.setdefault("DEV", "CPU")

import numpy as np  # noqa: E402
from tinygrad import Tensor, dtypes  # noqa: E402

x = Tensor(np.array([1.0, 2.0]).reshape(1, 1, 2), dtype=dtypes.float64)        # (N, C_in, W)
w = Tensor(np.array([1.0, 10.0]).reshape(2, 1, 1), dtype=dtypes.float64)       # C_out = 2
b = Tensor(np.array([100.0]), dtype=dtypes.float64)                             # length 1
print("tinygrad", version("tinygrad"), "device", x.device)
deviates = False
for name, call in [("conv2d", lambda: x.conv2d(w, b)),
                   ("conv_transpose2d", lambda: x.conv_transpose2d(w.reshape(1, 2, 1), b))]:
    try:
        got = call().numpy().tolist()
        deviates = True
    except Exception as e:
        got = f"{type(e).__name__}: {e}"
    print(f"{name} with C_out=2 and b of length 1:", got)   # [[[101, 102], [110, 120]]]
print("the rule: both raise (b.shape=(1,), but should be (C_out,)=(2,)) [conv.bias]")
print("deviation:", deviates)
