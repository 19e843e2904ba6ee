"""tinygrad: pooling accepts windows that hold no input cell and returns -inf (max) or 0
(avg) for them.

Rule pool.window-has-input: every window must hold at least one input cell (PyTorch bounds
padding by kernel // 2).  ``Tensor.max_pool2d`` takes any padding: a kernel of 1 with
padding 2 on one cell gives [-inf, -inf, x, -inf, -inf]; a dilated window (kernel 2,
dilation 2, padding 1) over one cell has both taps in the padding and gives -inf.

Run: DEV=CPU python conformance/repros/tinygrad/pool_window_all_padding.py
"""

import os
from importlib.metadata import version

os.environ.setdefault("DEV", "CPU")

import numpy as np  # noqa: E402
from tinygrad import Tensor, dtypes  # noqa: E402

x = Tensor(np.array([7.0]).reshape(1, 1, 1), dtype=dtypes.float64)           # (N, C, W)
print("tinygrad", version("tinygrad"), "device", x.device)
deviates = False
for kwargs in [dict(kernel_size=(1,), stride=(1,), padding=2),
               dict(kernel_size=(2,), stride=(1,), padding=1, dilation=2)]:
    try:
        got = x.max_pool2d(**kwargs).numpy().ravel()
        deviates = True
    except Exception as e:
        got = f"{type(e).__name__}: {e}"
    print(f"max_pool2d({kwargs}) on [7]:", got)   # [-inf -inf 7 -inf -inf] / [-inf]
print("the rule: both raise (a window with no input cell) [pool.window-has-input]")
print("deviation:", deviates)
