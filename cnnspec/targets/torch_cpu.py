"""PyTorch on the CPU, in float64: ``torch.nn.functional`` in the target contract.

How the contract maps onto torch (padding splits, pre-padding, what is declared
unsupported and why): see :mod:`cnnspec.targets._torch`, the one implementation of the
PyTorch targets; it validates nothing, so what torch refuses or computes is what a run
measures.

Importing this module without torch installed raises ImportError naming the ``torch`` extra.

The backward ops are torch autograd through the same mapping (:mod:`cnnspec.targets._torch_grad`).
"""

from __future__ import annotations

from . import _torch, _torch_grad

__all__ = ["LIBRARY", "conv", "conv_transpose", "max_pool", "avg_pool", "conv_backward",
           "conv_transpose_backward", "max_pool_backward", "avg_pool_backward"]

LIBRARY = _torch.LIBRARY

conv, conv_transpose, max_pool, avg_pool = _torch.ops("cpu", "float64")

#: The backward ops (contract 1.2): torch autograd through the same forward mapping.
(conv_backward, conv_transpose_backward, max_pool_backward,
 avg_pool_backward) = _torch_grad.grad_ops("cpu", "float64")
