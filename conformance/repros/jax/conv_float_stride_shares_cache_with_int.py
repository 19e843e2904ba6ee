"""JAX: a float stride and the equal int stride share one cached computation; the first
call decides for both.

Rule config.int: a stride is an int; 2.0 is refused at level strict, never taken as 2.
conv of x=[1, 2, 3, 4, 5] with w=[1, 10] and stride 2 gives [21, 43].  In a fresh cache
``lax.conv_general_dilated`` refuses window_strides=(2.0,) with a TypeError (not a check
of its own: an int conversion fails), but JAX caches the compiled call under its parameters,
and (2.0,) == (2,).  So after the int call, 2.0 computes [21, 43] (strict), and after the
float call, the valid int call raises the float's TypeError (compute).  1.5 equals no int
and is always refused.  ``lax.reduce_window`` does the same
(repros/jax/reduce_window_float_stride_poisons_int_stride.py); ``jax.clear_caches()``
resets it.

Run: python conformance/repros/jax/conv_float_stride_shares_cache_with_int.py
"""

import jax
import numpy as np

jax.config.update("jax_enable_x64", True)
from jax import lax  # noqa: E402

x = np.array([1.0, 2.0, 3.0, 4.0, 5.0]).reshape(1, 1, 5)   # (N, C_in, W)
w = np.array([1.0, 10.0]).reshape(1, 1, 2)                 # (C_out, C_in, K)


def conv(stride):
    try:
        y = lax.conv_general_dilated(x, w, (stride,), [(0, 0)],
                                     dimension_numbers=("NCH", "OIH", "NCH"))
        return f"{np.asarray(y).ravel()}"
    except TypeError as e:
        return f"TypeError: {e}"


STRICT = "refused (config.int, level strict)"
RULE = {"2": "[21. 43.]", "2.0": STRICT, "1.5": STRICT}   # keyed by repr: 2 == 2.0
print("jax", jax.__version__)
for order in ((2, 2.0, 1.5), (2.0, 2)):
    jax.clear_caches()
    print("fresh cache:")
    for stride in order:
        print(f"  stride ({stride!r},): {conv(stride)}   the rule: {RULE[repr(stride)]}")
