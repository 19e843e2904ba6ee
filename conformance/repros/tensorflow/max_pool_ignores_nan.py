"""TensorFlow: max pooling skips NaN, and a window of NaN only pools to the lowest float.

Rule pool.max-nan: a window holding a NaN pools to NaN (as numpy.maximum does).
``tf.nn.max_pool`` on CPU returns the largest number of the window instead (convention
``max_pool_nan`` = ``ignore``, spec/conventions.md), and for a window holding nothing but
NaN it returns -1.7976931348623157e+308 (the lowest float64, its running maximum's start
value): a number that is not in the input, where even a NaN-ignoring maximum
(numpy.fmax) gives NaN.

Run: python conformance/repros/tensorflow/max_pool_ignores_nan.py
"""

import numpy as np
import tensorflow as tf


def by_hand(x, k):
    """Windows of k, stride 1, no padding: the maximum propagating NaN, and fmax."""
    out = [], []
    for i in range(len(x) - k + 1):
        prop = ign = x[i]
        for v in x[i + 1:i + k]:
            prop, ign = np.maximum(prop, v), np.fmax(ign, v)
        out[0].append(float(prop))
        out[1].append(float(ign))
    return out


print("tensorflow", tf.__version__)
for x, k in (([np.nan, 1.0, 2.0, np.nan], 2), ([np.nan], 1), ([np.nan, np.nan], 2)):
    got = tf.nn.max_pool(np.array(x).reshape(1, len(x), 1), k, 1, "VALID").numpy().ravel()
    rule, fmax = by_hand(np.array(x), k)
    print(f"x={x}, kernel {k}: tf.nn.max_pool {got.tolist()}; the rule (propagate) {rule}; "
          f"fmax (ignore) {fmax}")
