"""Keras 3, tensorflow backend, CPU, float64: valid configurations keras.ops refuses.

API restrictions (each call is valid under the spec and computed by the jax and torch
backends); each prints what Keras raises:

1. conv with a stride > 1 on one axis and a dilation > 1 on any axis (tf.nn.convolution's
   documented limit, even on different axes) [conv.stride] [conv.dilation]
2. conv_transpose with a dilation > 1 ("Current CPU implementations do not yet support
   dilation rates larger than 1") [conv-transpose.def]
3. max_pool on 3 spatial axes in float64 (MaxPool3D has no double kernel) [pool.max-def]
4. average_pool on 3 spatial axes in float64 (AvgPool3D has no double CPU kernel)
   [pool.avg-def]

And a convention [pool.max-nan]: max_pool of a window holding only NaN returns the lowest
float64 (-1.797e308), where the rule propagates NaN.

Run: python tensorflow_cpu_limits.py   (needs numpy, keras, tensorflow)
"""

import os

os.environ["KERAS_BACKEND"] = "tensorflow"
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import keras  # noqa: E402
import numpy as np  # noqa: E402

ops = keras.ops
print(f"keras {keras.__version__} (tensorflow backend)")
cases = {
    "conv, strides=(1, 2), dilation_rate=(2, 1)": lambda: ops.conv(
        np.ones((1, 3, 3, 1)), np.ones((2, 1, 1, 1)), strides=(1, 2), dilation_rate=(2, 1)),
    "conv_transpose, dilation_rate=2": lambda: ops.conv_transpose(
        np.ones((1, 2, 1)), np.ones((2, 1, 1)), strides=1, padding="valid",
        output_padding=0, dilation_rate=2),
    "max_pool, 3-D, float64": lambda: ops.max_pool(np.ones((1, 1, 1, 1, 1)), 1),
    "average_pool, 3-D, float64": lambda: ops.average_pool(np.ones((1, 1, 1, 1, 1)), 1),
}
for what, call in cases.items():
    try:
        y = call()
        print(f"{what}: computed {tuple(y.shape)} (agrees)")
    except Exception as e:
        print(f"{what}: raised {type(e).__name__}: {str(e).strip().splitlines()[0][:160]}")

y = ops.convert_to_numpy(ops.max_pool(np.array([np.nan]).reshape(1, 1, 1), 1))
print(f"max_pool of [nan], pool 1: {y.ravel().tolist()}; rule [pool.max-nan]: [nan]")
