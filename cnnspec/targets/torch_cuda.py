"""PyTorch on a CUDA device, in float64: the torch_cpu target on ``device="cuda"``.

The same implementation (:mod:`cnnspec.targets._torch`), so the same mappings and refusals
as :mod:`cnnspec.targets.torch_cpu`; cuDNN chooses the algorithms.  Without a CUDA device
``UNAVAILABLE = "no CUDA device"``: every op is then unsupported (the ops raise
NotImplementedError with that text).  For float32 with TF32 see ``torch_cuda_tf32``.

The backward ops are torch autograd through the same mapping (:mod:`cnnspec.targets._torch_grad`).
"""

from __future__ import annotations

from . import _torch, _torch_grad

__all__ = ["LIBRARY", "conv", "conv_transpose", "max_pool", "avg_pool", "conv_backward",
           "conv_transpose_backward", "max_pool_backward", "avg_pool_backward", "UNAVAILABLE"]

#: Why this target cannot run here, or None when a CUDA device is present.
UNAVAILABLE: str | None = _torch.cuda_unavailable()

LIBRARY = _torch.LIBRARY

conv, conv_transpose, max_pool, avg_pool = _torch.ops("cuda", "float64",
                                                      unavailable=_torch.cuda_unavailable)

#: The backward ops (contract 1.2): torch autograd through the same forward mapping.
(conv_backward, conv_transpose_backward, max_pool_backward,
 avg_pool_backward) = _torch_grad.grad_ops("cuda", "float64",
                                              unavailable=_torch.cuda_unavailable)
