"""Keras 3, float64, jax and tensorflow backends: a NaN in one group of a depthwise conv
reaches the other groups.

Rule [conv.def] (with [conv.groups]): output channel o of a grouped convolution sums only
the input channels of its own group, so a NaN in another group's channel cannot reach it.
keras.ops.conv returns NaN in every output channel when one channel of a depthwise (one
channel per group) float64 convolution holds a NaN, on the jax backend
(jax.lax.conv_general_dilated with feature_group_count) and on the tensorflow backend
(which compiles grouped convolutions with XLA: jit_compile=True): both are XLA on the CPU.
In float32 the other groups stay finite; the torch backend agrees with the rule.

Smallest case: x = [3, NaN] (2 channels, 1 cell), w = [1, -2] (one 1x1 kernel per
channel), groups = 2.  The rule: y = [3*1, NaN*(-2)] = [3, NaN].

Run: python xla_depthwise_nan_leaks_across_groups.py [jax|tensorflow|torch]   (default jax;
needs numpy, keras and that backend)
"""

import os
import sys

backend = sys.argv[1] if len(sys.argv) > 1 else "jax"
os.environ["KERAS_BACKEND"] = backend
os.environ["JAX_ENABLE_X64"] = "1"  # float64 on jax (Keras leaves JAX's default, float32)
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import keras  # noqa: E402
import numpy as np  # noqa: E402

print(f"keras {keras.__version__} ({backend} backend)")
for dtype in ("float64", "float32"):
    x = np.array([3.0, np.nan], dtype=dtype).reshape(1, 2, 1)  # (N, C_in, W), channels first
    w = np.array([1.0, -2.0], dtype=dtype).reshape(1, 1, 2)  # (K, C_in / groups, C_out)
    y = keras.ops.convert_to_numpy(keras.ops.conv(x, w, padding="valid",
                                                  data_format="channels_first"))
    # the rule, by a loop: output channel o reads input channel o only (groups = C_in = 2)
    expected = [float(x[0, o, 0] * w[0, 0, o]) for o in range(2)]
    print(f"{dtype}: keras.ops.conv: {y[0, :, 0].tolist()}; rule [conv.def]: {expected}",
          "-> deviation" if not np.isfinite(y[0, 0, 0]) else "-> agrees")
