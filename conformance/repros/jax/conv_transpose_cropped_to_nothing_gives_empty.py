"""JAX: a transposed convolution whose padding crops every cell returns an empty array.

Rule conv-transpose.out-size: along an axis the output has o = (i - 1)*s + d*(k - 1) + 1
- p_before - p_after + output_padding cells, and o must be at least 1.  x=[7], w=[1, 10],
stride 1 scatters [7, 70]; padding (1, 1) crops both cells (o = 0), padding (2, 1) one more
than there is (o = -1).  The rule refuses both.  ``lax.conv_transpose`` (a convolution of
the input with the flipped kernel; its explicit padding is that convolution's, d*(k - 1) - p
per side) returns shape (1, 1, 0) for both, as ``lax.conv_general_dilated`` does for a
kernel one or two cells larger than its padded input.  Padding (2, 2) (o = -2) raises
ValueError.

Run: python conformance/repros/jax/conv_transpose_cropped_to_nothing_gives_empty.py
"""

import jax
import numpy as np

jax.config.update("jax_enable_x64", True)
from jax import lax  # noqa: E402

x = np.array([7.0]).reshape(1, 1, 1)          # (N, C_in, W): i = 1
w = np.array([1.0, 10.0]).reshape(1, 1, 2)    # (C_out, C_in, K): k = 2, stride 1, dilation 1

SCATTER = np.array([7.0, 70.0])                # x[0] * w, before the crop
print("jax", jax.__version__)
for before, after in ((0, 1), (1, 1), (2, 1), (2, 2)):
    o = (1 - 1) * 1 + 1 * (2 - 1) + 1 - before - after      # the rule's size
    pads = [(1 * (2 - 1) - before, 1 * (2 - 1) - after)]    # d*(k - 1) - p, per side
    try:
        y = lax.conv_transpose(x, w, (1,), pads, dimension_numbers=("NCH", "OIH", "NCH"),
                               transpose_kernel=True)
        got = f"shape {y.shape}: {np.asarray(y).ravel()}"
    except ValueError as e:
        got = f"ValueError: {str(e).split(':')[0]}"
    rule = f"{SCATTER[before:2 - after]}" if o >= 1 else "refuses (o < 1)"
    print(f"padding ({before}, {after}): o = {o:2d}; lax.conv_transpose {got}; the rule: {rule}")
