"""Keras 3, torch backend: average_pool with padding='same' counts edge copies as input.

Rule [pool.avg-divisor] (and Keras's own 'same' average on the jax and tensorflow
backends): the padding of a 'same' average is left out of the sum and of the divisor.
When the 'same' padding is asymmetric (an odd total), Keras's torch backend pads the input
itself with mode='replicate' (copies of the edge cells) and averages the padded input, so
the copies are summed and counted.

Smallest case: x = [1, 2, 3, 4], pool_size 4, strides 1, 'same' -> padding (1, 2).

Run: python torch_avg_pool_same_asymmetric.py   (needs numpy, keras, torch)
"""

import os

os.environ["KERAS_BACKEND"] = "torch"

import keras  # noqa: E402
import numpy as np  # noqa: E402

x = np.array([1.0, 2.0, 3.0, 4.0]).reshape(1, 1, 4)  # (N, C, W)
k, s, before, after = 4, 1, 1, 2  # 'same' for n=4, k=4, s=1: total k - 1 = 3, the odd cell after

got = keras.ops.convert_to_numpy(
    keras.ops.average_pool(x, pool_size=k, strides=s, padding="same",
                           data_format="channels_first"))[0, 0]

# the rule: each window's mean over the cells of the window that lie on the input
expected = []
for j in range(4):
    cells = [x[0, 0, p] for p in range(j * s - before, j * s - before + k) if 0 <= p < 4]
    expected.append(float(sum(cells) / len(cells)))

print(f"keras {keras.__version__} (torch backend)")
print("keras.ops.average_pool(same):", got.tolist())  # [1.75, 2.5, 3.25, 3.75]
print("rule [pool.avg-divisor]:     ", expected)       # [2.0, 2.5, 3.0, 3.5]
print("deviation" if not np.allclose(got, expected) else "agrees")
