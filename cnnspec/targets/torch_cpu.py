"""PyTorch on the CPU, in float64: ``torch.nn.functional`` in the target contract.

How the contract maps onto torch (padding splits, pre-padding, what is refused and why):
see :mod:`cnnspec.targets._torch`, the one implementation of the PyTorch targets.  In short:
conv and conv_transpose keep torch's own validation; pooling is validated with the spec's
formulas first, because torch computes two configurations the spec rejects (the ceil-mode
overhang [pool.kernel-fits], an all-padding dilated window [pool.window-has-input]), and
raises NotImplementedError where torch's pooling limits (padding <= kernel // 2, both sides
alike; avg_pool3d on inputs smaller than the kernel) leave no exact way to express a case.

Importing this module without torch installed raises ImportError naming the ``torch`` extra.
"""

from __future__ import annotations

from . import _torch

__all__ = ["conv", "conv_transpose", "max_pool", "avg_pool"]

conv, conv_transpose, max_pool, avg_pool = _torch.ops("cpu", "float64")
