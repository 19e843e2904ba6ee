"""Keras 3, jax backend: a conv with strides (2.0,) computes after one with strides (2,),
and after it the int call fails.

Rule config.int: a stride is an int; 2.0 is refused at level strict, never taken as 2.
keras.ops.conv passes the strides to jax.lax.conv_general_dilated, whose compiled call is
cached under parameters where (2.0,) == (2,): whichever of the two runs first decides what
both do (repros/jax/conv_float_stride_shares_cache_with_int.py shows lax alone).  Each
order runs in a child process, since the cache lives as long as the process.

Smallest case: conv(x=[1, 2, 3, 4, 5], w=[1, 10], strides (2,)) gives [21, 43]; the rule
refuses strides (2.0,).

Run: python jax_conv_float_stride_shares_cache_with_int.py   (needs numpy, keras, jax)
"""

import os
import subprocess
import sys

CHILD = """
import os
os.environ["KERAS_BACKEND"] = "jax"
import keras
import numpy as np
x = np.array([1.0, 2.0, 3.0, 4.0, 5.0]).reshape(1, 1, 5)  # (N, C_in, W)
w = np.array([1.0, 10.0]).reshape(2, 1, 1)               # (K, C_in, C_out)
for strides in {order}:
    try:
        y = keras.ops.conv(x, w, strides=strides, data_format="channels_first")
        got = keras.ops.convert_to_numpy(y).ravel().tolist()
    except TypeError as e:
        got = f"TypeError: {{e}}"
    print(f"  strides={{strides}}: {{got}}")
"""

os.environ["KERAS_BACKEND"] = "jax"
import keras  # noqa: E402 - only for the version line

print(f"keras {keras.__version__} (jax backend)")
print("the rule: strides=(2,) gives [21.0, 43.0]; strides=(2.0,) is refused (level strict)")
for order in ("[(2,), (2.0,)]", "[(2.0,), (2,)]"):
    r = subprocess.run([sys.executable, "-c", CHILD.format(order=order)], capture_output=True,
                       text=True)
    print(f"new process, {order}:")
    print(r.stdout.rstrip() or r.stderr.strip()[-300:])
