"""tinygrad: in ceil mode, max_pool2d / avg_pool2d compute a window larger than the input
instead of refusing it.

Rule pool.kernel-fits: a window larger than the padded input is refused (ceil mode only adds
a last window that starts inside the input; it never makes a too-large window valid).
tinygrad refuses a kernel of 3 on 2 cells in floor mode (AssertionError "kernel size cannot
be greater than actual input size"), but with ceil_mode=True it pads the input up to the
kernel and returns one window: max 2 (and avg 1.5, the divisor counting the 2 input cells).

Run: DEV=CPU python conformance/repros/tinygrad/max_pool_ceil_kernel_larger_than_input.py
"""

import os
from importlib.metadata import version

os.environ.setdefault("DEV", "CPU")

import numpy as np  # noqa: E402
from tinygrad import Tensor, dtypes  # noqa: E402

x = Tensor(np.array([1.0, 2.0]).reshape(1, 1, 2), dtype=dtypes.float64)   # (N, C, W)
print("tinygrad", version("tinygrad"), "device", x.device)
deviates = False
for op in ("max_pool2d", "avg_pool2d"):
    for ceil_mode in (False, True):
        try:
            got = getattr(x, op)(kernel_size=(3,), stride=(2,), padding=0,
                                 ceil_mode=ceil_mode).numpy().ravel()
            deviates |= True
        except Exception as e:
            got = f"{type(e).__name__}: {e}"
        print(f"{op}(kernel_size=(3,), stride=(2,), ceil_mode={ceil_mode}) on 2 cells:", got)
print("the rule: every call raises (the window of 3 is larger than the 2 cells) "
      "[pool.kernel-fits]")
print("deviation:", deviates)
