"""Keras 3 on the tensorflow backend: ``keras.ops`` conv / pooling in the target contract.

TensorFlow computes the float64 tensors as given; its CPU convolution takes channels last
only, so arrays are transposed in NumPy before and after.

How the contract maps onto ``keras.ops`` (the 'same' padding mapping, pre-padding, what is
unsupported and why): see :mod:`cnnspec.targets._keras`, the one implementation of the Keras
targets.  Importing this module sets ``KERAS_BACKEND=tensorflow`` before keras is imported; it raises
ImportError naming the ``keras`` extra without keras, and when keras is already imported in
the process with another backend.
"""

from __future__ import annotations

from . import _keras

__all__ = ["conv", "conv_transpose", "max_pool", "avg_pool"]

keras = _keras.load("tensorflow")
LIBRARY = _keras.library(keras)
conv, conv_transpose, max_pool, avg_pool = _keras.ops(keras, channels_first=False)
