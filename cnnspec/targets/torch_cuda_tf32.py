"""PyTorch on a CUDA device in float32 with TF32 allowed: what a default training setup runs.

The inputs are cast to float32, and ``torch.backends.cuda.matmul.allow_tf32`` and
``torch.backends.cudnn.allow_tf32`` are set to True for the call (then restored), so cuDNN
may round the products' operands to TF32 (10-bit mantissa) and accumulate in float32.
Results are float32; ``PRECISION = "tf32"`` makes the harness compare with the K-aware
bound for TF32 [tolerance.k-aware] (exact on integer-valued data whose sums float32 holds
[tolerance.exact-integers]).  Otherwise as :mod:`cnnspec.targets.torch_cuda`, including
``UNAVAILABLE = "no CUDA device"`` without a device.

The backward ops are torch autograd through the same mapping (:mod:`cnnspec.targets._torch_grad`).
"""

from __future__ import annotations

from . import _torch, _torch_grad

__all__ = ["LIBRARY", "conv", "conv_transpose", "max_pool", "avg_pool", "conv_backward",
           "conv_transpose_backward", "max_pool_backward", "avg_pool_backward", "PRECISION", "UNAVAILABLE"]

#: The precision the products are computed in (the results are float32).
PRECISION = "tf32"

#: Why this target cannot run here, or None when a CUDA device is present.
UNAVAILABLE: str | None = _torch.cuda_unavailable()

LIBRARY = _torch.LIBRARY

conv, conv_transpose, max_pool, avg_pool = _torch.ops("cuda", "float32", tf32=True,
                                                      unavailable=_torch.cuda_unavailable)

#: The backward ops (contract 1.2): torch autograd through the same forward mapping.
(conv_backward, conv_transpose_backward, max_pool_backward,
 avg_pool_backward) = _torch_grad.grad_ops(
    "cuda", "float32", tf32=True, unavailable=_torch.cuda_unavailable)
