"""tinygrad: conv2d, conv_transpose2d and the pooling ops compute with parameters out of
their range (negative padding, stride 0, dilation 0, kernel 0, an empty kernel axis,
output_padding < 0, extra per-axis entries) instead of refusing.

Rules config.padding, config.stride, config.dilation, config.kernel, config.nonempty,
config.rank, conv-transpose.output-padding: each of the calls below is invalid and refused
by the spec (and by PyTorch).  tinygrad's ops validate only channels against groups and a
kernel larger than the input; everything else is computed (its conv2d code says negative
padding is taken as a crop on purpose).

Run: DEV=CPU python conformance/repros/tinygrad/parameters_out_of_range.py
"""

import os
from importlib.metadata import version

os.environ.setdefault("DEV", "CPU")

import numpy as np  # noqa: E402
from tinygrad import Tensor, dtypes  # noqa: E402


def t(*shape):
    return Tensor(np.arange(1.0, 1.0 + np.prod(shape)).reshape(shape), dtype=dtypes.float64)


CALLS = {
    "conv2d padding=[-1, 1] (config.padding)": lambda: t(1, 1, 3).conv2d(t(1, 1, 1), padding=[-1, 1]),
    "conv2d dilation=0 (config.dilation)": lambda: t(1, 1, 3).conv2d(t(1, 1, 2), dilation=0),
    "conv2d with an empty kernel axis (config.nonempty)": lambda: t(1, 1, 1).conv2d(t(1, 1, 0)),
    "conv_transpose2d stride=0 (config.stride)": lambda: t(1, 1, 1).conv_transpose2d(t(1, 1, 1), stride=0),
    "conv_transpose2d output_padding=-1 (conv-transpose.output-padding)":
        lambda: t(1, 1, 3).conv_transpose2d(t(1, 1, 2), output_padding=-1),
    "conv_transpose2d stride=(1, 1) on 1 axis (config.rank)":
        lambda: t(1, 1, 3).conv_transpose2d(t(1, 1, 2), stride=(1, 1)),
    "max_pool2d kernel_size=(0,) (config.kernel)": lambda: t(1, 1, 2).max_pool2d(kernel_size=(0,), stride=(1,)),
    "avg_pool2d padding=[-1, 0] (config.padding)":
        lambda: t(1, 1, 3).avg_pool2d(kernel_size=(1,), stride=(1,), padding=[-1, 0]),
}

print("tinygrad", version("tinygrad"), "device", os.environ["DEV"])
computed = 0
for name, call in CALLS.items():
    try:
        got = f"returned {call().numpy().ravel()}"
        computed += 1
    except Exception as e:
        got = f"raised {type(e).__name__}: {e}"
    print(f"{name}: {got}")
print("the rule: every call raises")
print("deviation:", computed > 0)
