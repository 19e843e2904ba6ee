"""tinygrad: autograd takes an incoming gradient dy of another shape than y, broadcasting
or summing it, instead of refusing it.

Rule config.grad-shape: dy = dL/dy has the shape of y; a dy of any other shape is an
invalid call (broadcasting it computes the gradient of another loss).  ``Tensor.gradient``
(and ``Tensor.backward``, which calls it) takes ``gradient=dy`` of shape (2, 1, 1) for y of
shape (1, 1, 1) of conv2d with a bias, summing the extra batch entry into dL/dx, and a dy
of shape (1, 1, 1) for the (1, 1, 2) y of max_pool2d, broadcasting it over y.  Whether a dy
of another shape is taken depends on the last operation of the forward graph: conv2d
without a bias ends in a reshape, which refuses it (ValueError "size mismatch").

Run: DEV=CPU python conformance/repros/tinygrad/grad_takes_dy_of_another_shape.py
"""

import os
from importlib.metadata import version

os.environ.setdefault("DEV", "CPU")

import numpy as np  # noqa: E402
from tinygrad import Tensor, dtypes  # noqa: E402


def t(values, shape):
    return Tensor(np.array(values, dtype=np.float64).reshape(shape), dtype=dtypes.float64)


print("tinygrad", version("tinygrad"))
deviates = False
x3 = t([1.0, 2.0, 3.0], (1, 1, 3))
for name, x, forward, dy in [
        # conv2d of one cell with w = [3] and a bias: y (1, 1, 1); dy (2, 1, 1)
        ("conv2d", t([1.0], (1, 1, 1)), lambda a: a.conv2d(t([3.0], (1, 1, 1)), t([0.0], (1,))),
         t([1.0, 10.0], (2, 1, 1))),
        # max_pool2d, windows of 2 every 1: y (1, 1, 2); dy (1, 1, 1)
        ("max_pool2d", x3, lambda a: a.max_pool2d(kernel_size=(2,), stride=(1,)),
         t([5.0], (1, 1, 1))),
        # the same without the bias: refused
        ("conv2d without bias", t([1.0], (1, 1, 1)), lambda a: a.conv2d(t([3.0], (1, 1, 1))),
         t([1.0, 10.0], (2, 1, 1)))]:
    y = forward(x)
    try:
        dx, = y.gradient(x, gradient=dy)
        got = f"dL/dx = {dx.numpy().tolist()}"
        deviates = True  # any dL/dx computed from a dy of another shape
    except Exception as e:
        got = f"{type(e).__name__}: {e}"
    print(f"{name}: y.shape={y.shape}, dy.shape={dy.shape}")
    print("  tinygrad:", got)      # [[[33.0]]]  /  [[[0.0, 5.0, 5.0]]]  /  ValueError
    print(f"  the rule: refuse, dy.shape={dy.shape} but y.shape={y.shape}")
print("deviation:", deviates)
