"""Keras 3: conv_transpose accepts output_padding >= max(stride, dilation).

Rule [conv-transpose.output-padding]: 0 <= output_padding < max(stride, dilation); Keras's
own docstring says output_padding "must be lower than the stride".  Keras checks neither:
on the jax and torch backends it appends output_padding zero cells whatever their number
(the torch backend pads Keras's crop with zeros); the tensorflow backend passes the
output shape to tf.nn.conv_transpose, which refuses it.

Smallest case: x = [1, 2], w = [1, 10], stride 1, dilation 1, output_padding 1
(1 >= max(1, 1)); and output_padding -1, which jax and torch accept too (they drop the
last cell).

Run: python conv_transpose_output_padding_bound.py [jax|tensorflow|torch]   (default jax;
needs numpy, keras and that backend)
"""

import os
import sys

backend = sys.argv[1] if len(sys.argv) > 1 else "jax"
os.environ["KERAS_BACKEND"] = backend
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import keras  # noqa: E402
import numpy as np  # noqa: E402

x = np.array([1.0, 2.0]).reshape(1, 2, 1)  # (N, W, C_in), channels last
w = np.array([1.0, 10.0]).reshape(2, 1, 1)  # (K, C_out, C_in)
s, d, op = 1, 1, 1

print(f"keras {keras.__version__} ({backend} backend)")
for op in (1, -1):  # 1 >= max(1, 1); -1 < 0
    print(f"output_padding={op}, stride={s}, dilation={d}: rule [conv-transpose.output-padding] "
          f"requires 0 <= output_padding < max(stride, dilation) = {max(s, d)}: invalid")
    try:
        y = keras.ops.conv_transpose(x, w, strides=s, padding="valid", output_padding=op,
                                     dilation_rate=d)
        print("  keras.ops.conv_transpose returned", keras.ops.convert_to_numpy(y)[0, :, 0].tolist(),
              "(the scatter is [1, 12, 20]) -> deviation: accepted")
    except Exception as e:  # what a backend that refuses raises
        print(f"  keras.ops.conv_transpose raised {type(e).__name__}: "
              f"{str(e).splitlines()[0][:160]} -> agrees: refused")
