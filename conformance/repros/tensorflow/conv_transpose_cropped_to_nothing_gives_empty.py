"""TensorFlow: a transposed convolution whose padding crops every cell returns an empty array.

Rule conv-transpose.out-size: along an axis the output has o = (i - 1)*s + d*(k - 1) + 1
- p_before - p_after + output_padding cells, and o must be at least 1.  x=[7], w=[1, 10],
stride 1 scatters [7, 70]; padding (1, 1) crops both cells, so o = 0 and the rule refuses.
``tf.nn.conv2d_transpose`` takes output_shape with a width of 0 and returns shape
(1, 1, 0, 1).  It checks output_shape by the forward convolution's size rule, and the
forward ``tf.nn.conv2d`` of an empty axis padded (1, 1) with a kernel of 2 has 1 cell,
x's width, so the check passes.  o = -1 is refused ("Dimension -1 must be >= 0").

Run: python conformance/repros/tensorflow/conv_transpose_cropped_to_nothing_gives_empty.py
"""

import numpy as np
import tensorflow as tf

x = np.array([7.0]).reshape(1, 1, 1, 1)          # (N, H, W, C_in): i = 1 along W
w = np.array([1.0, 10.0]).reshape(1, 2, 1, 1)    # (KH, KW, C_out, C_in): k = 2, stride 1

SCATTER = np.array([7.0, 70.0])                  # x[0] * w, before the crop
print("tensorflow", tf.__version__)
for before, after in ((0, 1), (1, 1), (2, 1)):
    o = (1 - 1) * 1 + 1 * (2 - 1) + 1 - before - after      # the rule's size
    try:
        y = tf.nn.conv2d_transpose(x, w, [1, 1, o, 1], 1,
                                   [[0, 0], [0, 0], [before, after], [0, 0]])
        got = f"shape {tuple(y.shape)}: {np.asarray(y).ravel()}"
    except (tf.errors.InvalidArgumentError, ValueError) as e:
        got = f"{type(e).__name__}: {getattr(e, 'message', str(e)).split('}}')[-1].strip()[:50]}"
    rule = f"{SCATTER[before:2 - after]}" if o >= 1 else "refuses (o < 1)"
    print(f"padding ({before}, {after}): o = {o:2d}; tf.nn.conv2d_transpose {got}; the rule: {rule}")
empty = np.zeros((1, 1, 0, 1))                   # the width-0 output_shape, as a conv input
print("forward tf.nn.conv2d of width 0, padding (1, 1), kernel 2: shape",
      tuple(tf.nn.conv2d(empty, w, 1, [[0, 0], [0, 0], [1, 1], [0, 0]]).shape))
