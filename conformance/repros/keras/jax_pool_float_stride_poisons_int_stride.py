"""Keras 3, jax backend: after one pooling call with a float stride, equal int strides fail.

Keras passes pool strides to jax.lax.reduce_window, which refuses a float stride
(TypeError), as it should.  But the refusal is cached under a key where 1.0 == 1: every
later call in the process with the int stride 1 (a valid configuration) raises the same
TypeError, naming a float it was not given.  A conformance worker sees this as a valid
call refused [config.int] (the contract's numpy-int check, avg_pool_accepts_numpy_ints,
ran after the strict float check in the same worker).

Smallest case: average_pool(x of shape (1, 1, 3), pool_size 1, strides (1.0,)), then the
same with strides (1,).  The rule: the second call is valid and returns x.

Run: python jax_pool_float_stride_poisons_int_stride.py   (needs numpy, keras, jax)
"""

import os

os.environ["KERAS_BACKEND"] = "jax"

import keras  # noqa: E402
import numpy as np  # noqa: E402

x = np.array([1.0, 2.0, 3.0]).reshape(1, 1, 3)  # (N, C, W)
print(f"keras {keras.__version__} (jax backend)")
for strides in [(1.0,), (1,)]:  # the float first
    try:
        y = keras.ops.average_pool(x, (1,), strides=strides, data_format="channels_first")
        print(f"strides={strides}: {keras.ops.convert_to_numpy(y).ravel().tolist()}")
    except TypeError as e:
        print(f"strides={strides}: TypeError: {str(e)[:110]}")
print("the rule: strides=(1,) is valid and returns [1.0, 2.0, 3.0] each time")
