"""JAX: a NaN in one group of a grouped convolution makes the other groups' outputs NaN.

Rule conv.groups / conv.def: with feature_group_count=g, output channel o reads only the
input channels of its own group, so a NaN in another group cannot reach it.  On the CPU
backend, in float64, ``lax.conv_general_dilated`` returns NaN for every output channel (an
infinity leaks the same way, as NaN); in float32 it follows the rule.

Run: python conformance/repros/jax/grouped_conv_nan_crosses_groups.py
"""

import jax
import numpy as np

jax.config.update("jax_enable_x64", True)
from jax import lax  # noqa: E402

x = np.array([1.0, np.nan]).reshape(1, 2, 1)      # (N, C_in, W): channel 1 holds the NaN
w = np.array([2.0, 3.0]).reshape(2, 1, 1)         # (C_out, C_in / groups, K), groups = 2

got = np.asarray(lax.conv_general_dilated(x, w, window_strides=(1,), padding=[(0, 0)],
                                          dimension_numbers=("NCH", "OIH", "NCH"),
                                          feature_group_count=2))

# the rule, by hand: output channel o = x[channel o] * w[o] (one channel per group)
expected = np.empty((1, 2, 1))
for o in range(2):
    expected[0, o, 0] = x[0, o, 0] * w[o, 0, 0]

print("jax", jax.__version__, "backend", jax.default_backend())
print("lax.conv_general_dilated:", got.ravel())       # [nan nan]
print("the rule (conv.groups):  ", expected.ravel())  # [ 2. nan]
print("deviation:", not np.array_equal(got, expected, equal_nan=True))
got32 = np.asarray(lax.conv_general_dilated(x.astype(np.float32), w.astype(np.float32), (1,),
                                            [(0, 0)], dimension_numbers=("NCH", "OIH", "NCH"),
                                            feature_group_count=2))
print("the same in float32:     ", got32.ravel())    # [ 2. nan]
