"""The PyTorch targets' backward ops: torch autograd through the forward mapping of _torch.

``conv_backward``, ``conv_transpose_backward``, ``max_pool_backward`` and
``avg_pool_backward`` (docs/contract.md, contract 1.2) make leaf tensors that record their
gradients, run the forward call through the very functions the forward ops use
(:func:`cnnspec.targets._torch.conv_tensor` and the others: the same padding split,
pre-pad, crop and limits, so the same calls are computed, refused or declared unsupported),
then ``y.backward(dy)``: the gradients of sum(y * dy).  dy of another shape than y is
refused by torch itself ("Mismatch in shape").  The gradients come back as new NumPy arrays
(dx, dw, db), db None when b is None; nothing is validated here.

torch_cpu, torch_cuda and torch_cuda_tf32 bind :func:`grad_ops` to the same device, dtype
and TF32 setting as their forward ops.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import torch

from ._torch import Device, _torch, avg_pool_tensor, conv_tensor, conv_transpose_tensor, max_pool_tensor

__all__ = ["grad_ops"]


def grad_ops(device: str, dtype: str, *, tf32: bool = False,
             unavailable: Callable[[], str | None] = lambda: None
             ) -> tuple[Callable[..., Any], ...]:
    """(conv_backward, conv_transpose_backward, max_pool_backward, avg_pool_backward) in
    the target contract, with autograd on ``device`` in ``dtype`` (as _torch.ops)."""
    dev = Device(device, dtype, tf32=tf32, unavailable=unavailable)

    def grad(t: Any) -> np.ndarray | None:
        """t's gradient as a new NumPy array (zeros where autograd left none)."""
        if t is None:
            return None
        g = t.grad if t.grad is not None else torch.zeros_like(t)
        return g.detach().cpu().numpy().copy()

    def backward(forward: Callable[[], Any], dy: Any) -> None:
        """y = forward(), then y.backward(dy), with the device ready and TF32 set."""
        with dev.ready():
            y = forward()
            _torch(lambda: y.backward(torch.as_tensor(np.asarray(dy), dtype=y.dtype,
                                                      device=y.device)))

    def conv_backward(x: Any, w: Any, b: Any, dy: Any, **kw: Any) -> tuple[Any, Any, Any]:
        xt, wt, bt = (dev.tensor(a, grad=True) for a in (x, w, b))
        backward(lambda: conv_tensor(xt, wt, bt, **kw), dy)
        return grad(xt), grad(wt), grad(bt)

    def conv_transpose_backward(x: Any, w: Any, b: Any, dy: Any, **kw: Any
                                ) -> tuple[Any, Any, Any]:
        xt, wt, bt = (dev.tensor(a, grad=True) for a in (x, w, b))
        backward(lambda: conv_transpose_tensor(xt, wt, bt, **kw), dy)
        return grad(xt), grad(wt), grad(bt)

    def max_pool_backward(x: Any, dy: Any, **kw: Any) -> Any:
        xt = dev.tensor(x, grad=True)
        backward(lambda: max_pool_tensor(xt, **kw), dy)
        return grad(xt)

    def avg_pool_backward(x: Any, dy: Any, **kw: Any) -> Any:
        xt = dev.tensor(x, grad=True)
        backward(lambda: avg_pool_tensor(xt, **kw), dy)
        return grad(xt)

    return conv_backward, conv_transpose_backward, max_pool_backward, avg_pool_backward
