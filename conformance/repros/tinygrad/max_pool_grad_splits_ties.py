"""tinygrad: the gradient of max pooling splits dL/dy equally among a window's tied maxima.

Rule pool.max-grad: each dL/dy[p] goes to one cell, the first cell of window p (in window
order) holding its maximum; ties send nothing to the later maxima.  ``Tensor.max_pool2d``
reduces each window with a MAX reduction, whose gradient in tinygrad is
dL/dy * (x == max) / count(x == max): each of k tied maxima gets dL/dy / k.

Run: DEV=CPU python conformance/repros/tinygrad/max_pool_grad_splits_ties.py
"""

import os
from importlib.metadata import version

os.environ.setdefault("DEV", "CPU")

import numpy as np  # noqa: E402
from tinygrad import Tensor, dtypes  # noqa: E402

print("tinygrad", version("tinygrad"))
deviates = False
for x, k, s, dy, want in [
        # window [1, 3, 3] ties: x1 gets 10; window [3, 2, 3] ties: x2 gets 20
        ([1.0, 3.0, 3.0, 2.0, 3.0], (3,), (2,), [10.0, 20.0], [0.0, 10.0, 20.0, 0.0, 0.0]),
        # 2-D, one window of four equal cells: the first, (0, 0), gets all of 8
        ([[7.0, 7.0], [7.0, 7.0]], (2, 2), (2, 2), [[8.0]], [[8.0, 0.0], [0.0, 0.0]])]:
    xa = np.array(x)
    xt = Tensor(xa[None, None], dtype=dtypes.float64)                        # (N, C, *S)
    y = xt.max_pool2d(kernel_size=k, stride=s)
    dx, = y.gradient(xt, gradient=Tensor(np.array(dy)[None, None], dtype=dtypes.float64))
    got = dx.numpy()[0, 0]
    print(f"x={x}, kernel={k}, stride={s}, dy={dy}: y={y.numpy()[0, 0].tolist()}")
    print("  tinygrad dL/dx:", got.tolist())    # [0, 5, 15, 0, 10]  /  [[2, 2], [2, 2]]
    print("  the rule:      ", want)
    deviates |= not np.array_equal(got, np.array(want))
print("deviation:", deviates)
