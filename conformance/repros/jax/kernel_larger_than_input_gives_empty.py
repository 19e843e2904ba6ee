"""JAX: a kernel larger than the padded input gives an empty output instead of an error.

Rule conv.kernel-fits (convention ``kernel_larger_than_input``, spec/conventions.md): the
spec refuses a dilated kernel larger than the padded input; ``lax.conv_general_dilated``
and ``lax.reduce_window`` return an output of size 0 on that axis (the convention's
``empty`` value).

Run: python conformance/repros/jax/kernel_larger_than_input_gives_empty.py
"""

import jax
import numpy as np

jax.config.update("jax_enable_x64", True)
from jax import lax  # noqa: E402

x = np.array([1.0, 2.0]).reshape(1, 1, 2)      # (N, C, W): W = 2
w = np.ones((1, 1, 3))                         # K = 3 > 2

y = lax.conv_general_dilated(x, w, (1,), [(0, 0)], dimension_numbers=("NCH", "OIH", "NCH"))
m = lax.reduce_window(x, -np.inf, lax.max, (1, 1, 3), (1, 1, 1), [(0, 0), (0, 0), (0, 0)])

print("jax", jax.__version__)
print("conv_general_dilated shape:", y.shape)   # (1, 1, 0)
print("reduce_window (max) shape: ", m.shape)   # (1, 1, 0)
# the rule: output size floor((W + 0 - (K - 1) - 1) / 1) + 1 = floor(-2 / 1) + 1 = -1 < 1
print("the rule (conv.kernel-fits): an error, since K = 3 > W + padding = 2")
