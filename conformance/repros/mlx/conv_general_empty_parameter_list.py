"""MLX: conv_general takes an empty list for a per-axis parameter (stride, kernel_dilation,
padding) as its default instead of refusing a list of the wrong length.

Rule config.rank: every per-axis parameter has one entry per spatial axis.  A list of 2
strides for a 1-D convolution is refused ("Invalid strides (1,1) for 1D convolution"), but
an empty list is taken as stride 1 (and so for kernel_dilation and padding).

Run: python conformance/repros/mlx/conv_general_empty_parameter_list.py
"""

import mlx.core as mx

x, w = mx.ones((1, 3, 1)), mx.ones((1, 1, 1))         # (N, W, C_in), (C_out, K, C_in)
print("mlx", mx.__version__)
accepted = 0
for kwargs in [dict(stride=[1, 1]), dict(stride=[]), dict(kernel_dilation=[]),
               dict(padding=([], []))]:
    try:
        got = f"returned shape {mx.conv_general(x, w, **kwargs).shape}"
        accepted += 1
    except ValueError as e:
        got = f"ValueError: {e}"
    print(f"1-D conv_general({kwargs}):", got)
print("the rule: each call raises (1 spatial axis needs 1 entry) [config.rank]")
print("deviation:", accepted > 0)
