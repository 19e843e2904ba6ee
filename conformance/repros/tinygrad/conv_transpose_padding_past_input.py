"""tinygrad: conv_transpose2d raises on a valid configuration whose leading padding crops
past the input into the output_padding cells.

Rule conv-transpose.out-size: the output size is (i - 1) * s - p_before - p_after
+ d * (k - 1) + 1 + output_padding; every configuration that leaves >= 1 cell (with
output_padding < max(stride, dilation)) is valid.  tinygrad computes conv_transpose as a
conv2d with padding d * (k - 1) - p_before before the input, a negative pad, and raises
"ValueError: invalid shrink" when that crop is longer than the input it is applied to.
Smallest case: x = [5], w = [1], stride 3, padding (2, 0), output_padding 2: the full
output is [5, 0, 0], cropping 2 cells before leaves [0].  With padding alike on both sides:
stride 5, padding (2, 2), output_padding 4 gives [5, 0, 0, 0, 0] -> [0].

Run: DEV=CPU python conformance/repros/tinygrad/conv_transpose_padding_past_input.py
"""

import os
from importlib.metadata import version

os.environ.setdefault("DEV", "CPU")

import numpy as np  # noqa: E402
from tinygrad import Tensor, dtypes  # noqa: E402


def rule(x, w, s, pb, pa, op):
    """Scatter x[i] * w[j] to i * s + j, add output_padding cells, crop (pb, pa)."""
    full = np.zeros((len(x) - 1) * s + len(w) + op)
    for i in range(len(x)):
        for j in range(len(w)):
            full[i * s + j] += x[i] * w[j]
    return full[pb:len(full) - pa]


print("tinygrad", version("tinygrad"), "device", os.environ["DEV"])
deviates = False
for s, (pb, pa), op in [(3, (2, 0), 2), (5, (2, 2), 4)]:
    x = Tensor(np.array([5.0]).reshape(1, 1, 1), dtype=dtypes.float64)    # (N, C_in, W)
    w = Tensor(np.array([1.0]).reshape(1, 1, 1), dtype=dtypes.float64)    # (C_in, C_out, K)
    try:
        got = x.conv_transpose2d(w, stride=s, padding=[pb, pa],
                                 output_padding=op).numpy().ravel()
    except ValueError as e:
        got = f"ValueError: {e}"
    want = rule([5.0], [1.0], s, pb, pa, op)
    print(f"x=[5], w=[1], stride={s}, padding=({pb}, {pa}), output_padding={op}")
    print("  Tensor.conv_transpose2d:", got)    # ValueError: invalid shrink ...
    print("  the rule:               ", want)   # [0.]
    deviates |= isinstance(got, str) or not np.array_equal(got, want)
print("deviation:", deviates)
