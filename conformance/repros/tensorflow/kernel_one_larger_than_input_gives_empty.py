"""TensorFlow: a kernel one cell larger than the input gives an empty output; two cells
larger, an error.

Rules conv.kernel-fits / pool.kernel-fits (convention ``kernel_larger_than_input``,
spec/conventions.md): a kernel larger than the padded input is refused.  TF computes the
output size as (i - k) / s + 1 and refuses only when it is negative, so k = i + 1 (size 0)
gives an empty array while k = i + 2 (size -1) raises: it follows neither value of the
convention throughout (the run's probe, k = 5 on i = 3, sees ``raise``).

Run: python conformance/repros/tensorflow/kernel_one_larger_than_input_gives_empty.py
"""

import numpy as np
import tensorflow as tf

x = np.array([1.0, 2.0]).reshape(1, 1, 2, 1)        # (N, H, W, C): W = 2
print("tensorflow", tf.__version__)
for k in (2, 3, 4):
    size = (2 - k) // 1 + 1                         # the formula the rule starts from
    for name, call in (("conv2d", lambda k=k: tf.nn.conv2d(x, np.ones((1, k, 1, 1)), 1, "VALID")),
                       ("max_pool", lambda k=k: tf.nn.max_pool(x, [1, k], 1, "VALID")),
                       ("avg_pool", lambda k=k: tf.nn.avg_pool(x, [1, k], 1, "VALID"))):
        try:
            got = f"shape {tuple(call().shape)}"
        except (tf.errors.InvalidArgumentError, ValueError) as e:
            got = f"{type(e).__name__}: {getattr(e, 'message', str(e)).split('}}')[-1].strip()[:70]}"
        rule = "computes" if k <= 2 else "refuses (K > W + padding)"
        print(f"W=2, K={k} (size {size}): {name}: {got}; the rule: {rule}")
