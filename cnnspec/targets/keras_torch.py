"""Keras 3 on the torch backend: ``keras.ops`` conv / pooling in the target contract.

PyTorch computes the float64 tensors as given, on the CPU; layout channels first.

How the contract maps onto ``keras.ops`` (the 'same' padding mapping, pre-padding, what is
unsupported and why): see :mod:`cnnspec.targets._keras`, the one implementation of the Keras
targets.  Importing this module sets ``KERAS_BACKEND=torch`` before keras is imported; it raises
ImportError naming the ``keras`` extra without keras, and when keras is already imported in
the process with another backend.
"""

from __future__ import annotations

from . import _keras

__all__ = ["conv", "conv_transpose", "max_pool", "avg_pool"]

keras = _keras.load("torch")
LIBRARY = _keras.library(keras)
conv, conv_transpose, max_pool, avg_pool = _keras.ops(keras, channels_first=True)
