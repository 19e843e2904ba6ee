"""JAX: after one call of lax.reduce_window with a float stride, the same call with the int
stride raises too (the refusal is cached under a key where 1.0 == 1).

Rule config.int (level strict for the float call; the int call is a valid configuration,
so its refusal is a compute-level deviation: pool.max-def): reduce_window of x=[1, 2, 3]
with window 2 and stride 1 gives [2, 3] (the max of each window of 2).  A stride of 1.0 is
refused (TypeError), which is right; the same call with stride 1 afterwards must compute
[2, 3], but raises the cached TypeError.  Keras on the jax backend shows it through
keras.ops.max_pool (repros/keras/jax_pool_float_stride_poisons_int_stride.py).
"""

import jax
import jax.numpy as jnp
import numpy as np
from jax import lax

x = jnp.asarray(np.array([[[1.0, 2.0, 3.0]]], dtype=np.float32))


def pool(stride):
    return lax.reduce_window(x, -jnp.inf, lax.max, (1, 1, 2), (1, 1, stride), "VALID")


print("jax", jax.__version__)
print("stride 1 first:", np.asarray(pool(1)).ravel(), "  rule: [2. 3.]")
jax.clear_caches()
try:
    pool(1.0)
    print("stride 1.0: computes")
except TypeError:
    print("stride 1.0: raises TypeError (right)")
try:
    print("stride 1 after 1.0:", np.asarray(pool(1)).ravel(), "  rule: [2. 3.]")
except TypeError as e:
    print("stride 1 after 1.0: raises TypeError:", str(e)[:100], "  rule: [2. 3.]")
