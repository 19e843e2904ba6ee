"""TensorFlow: the CPU kernels refuse dilation in Conv3D and in every transposed convolution.

Rules conv.dilation / conv-transpose.def: a dilated kernel is defined for every rank and for
the transposed convolution.  ``tf.nn.conv3d``, ``tf.nn.conv2d_transpose`` and
``tf.nn.conv3d_transpose`` take a ``dilations`` argument, but on CPU each raises
InvalidArgumentError for a rate above 1 (``tf.nn.conv2d`` computes it).

Run: python conformance/repros/tensorflow/cpu_dilated_conv3d_and_transpose_refused.py
"""

import numpy as np
import tensorflow as tf


def attempt(name, fn, expected):
    try:
        got = np.asarray(fn()).ravel().tolist()
        print(f"{name}: returned {got}; the rule: {expected}")
    except tf.errors.InvalidArgumentError as e:
        print(f"{name}: InvalidArgumentError: {e.message.split('}}')[-1].strip()[:110]}")
        print(f"  the rule: {expected}")


x3 = np.arange(27.0).reshape(1, 3, 3, 3, 1)       # (N, D, H, W, C), x[d, h, w] = 9d + 3h + w
k3 = np.ones((2, 2, 2, 1, 1))                     # (kD, kH, kW, C_in, C_out)
# dilation 2: the one window reads x[0|2, 0|2, 0|2], sum 4 * 26 = 104 (by hand: the corners)
corners = float(sum(x3[0, d, h, w, 0] for d in (0, 2) for h in (0, 2) for w in (0, 2)))
attempt("conv3d, dilations 2", lambda: tf.nn.conv3d(x3, k3, [1] * 5, "VALID",
                                                    dilations=[1, 2, 2, 2, 1]), [corners])

x2 = np.array([1.0, 2.0]).reshape(1, 1, 2, 1)     # (N, H, W, C)
k2 = np.array([1.0, 10.0]).reshape(1, 2, 1, 1)    # (kH, kW, C_out, C_in)
# transposed, dilation 2: x0 * [1, 0, 10] at 0 + x1 * [1, 0, 10] at 1
expected = [0.0] * 4
for i, xv in enumerate([1.0, 2.0]):
    for j, wv in enumerate([1.0, 10.0]):
        expected[i + 2 * j] += xv * wv
attempt("conv2d_transpose, dilations 2",
        lambda: tf.nn.conv2d_transpose(x2, k2, [1, 1, 4, 1], 1, "VALID", dilations=2), expected)
attempt("conv3d_transpose, dilations 2",
        lambda: tf.nn.conv3d_transpose(x2.reshape(1, 1, 1, 2, 1), k2.reshape(1, 1, 2, 1, 1),
                                       [1, 1, 1, 4, 1], [1] * 5, "VALID",
                                       dilations=[1, 1, 1, 2, 1]), expected)
attempt("conv2d (forward), dilations 2, for contrast",
        lambda: tf.nn.conv2d(np.arange(3.0).reshape(1, 1, 3, 1), k2.reshape(1, 2, 1, 1), 1,
                             "VALID", dilations=2), [0 * 1 + 2 * 10.0])
print("tensorflow", tf.__version__)
