"""The PyTorch targets' backward ops: torch autograd through the forward mapping of _torch.

``conv_backward``, ``conv_transpose_backward``, ``max_pool_backward`` and
``avg_pool_backward`` (docs/contract.md, contract 1.2) build leaf tensors with
``requires_grad=True``, run the forward call exactly as :mod:`cnnspec.targets._torch` maps
it (its rank tables, padding split, pre-pad, crop and ceil-mode exactness check, so the
same calls are computed, refused or declared unsupported), then ``y.backward(dy)``: the
gradients of sum(y * dy).  dy of another shape than y is refused by torch itself
("Mismatch in shape").  The gradients come back as new NumPy arrays (dx, dw, db), db None
when b is None; nothing is validated here.

torch_cpu, torch_cuda and torch_cuda_tf32 bind :func:`grad_ops` to the same device, dtype
and TF32 setting as their forward ops.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import numpy as np
import torch

from ._torch import (AVG_POOL, CONV, CONV_TRANSPOSE, MAX_POOL, _avg3d_sides, _ceil_exact,
                     _function, _pool_caps, _prepad, _split)

__all__ = ["grad_ops"]


def grad_ops(device: str, dtype: str, *, tf32: bool = False,
             unavailable: Callable[[], str | None] = lambda: None
             ) -> tuple[Callable[..., Any], ...]:
    """(conv_backward, conv_transpose_backward, max_pool_backward, avg_pool_backward) in
    the target contract, with autograd on ``device`` in ``dtype`` (as _torch.ops)."""
    tdtype = getattr(torch, dtype)

    def leaf(a: Any) -> Any:
        """a as a tensor that records its gradient (None stays None)."""
        if a is None:
            return None
        a = np.asarray(a)
        t = torch.as_tensor(a, dtype=tdtype if a.dtype.kind == "f" else None, device=device)
        return t.detach().clone().requires_grad_(True)

    def grad(t: Any) -> np.ndarray | None:
        """t's gradient as a new NumPy array (zeros where autograd left none)."""
        if t is None:
            return None
        g = t.grad if t.grad is not None else torch.zeros_like(t)
        return g.detach().cpu().numpy().copy()

    @contextmanager
    def precision() -> Iterator[None]:
        saved = torch.backends.cuda.matmul.allow_tf32, torch.backends.cudnn.allow_tf32
        if tf32:
            torch.backends.cuda.matmul.allow_tf32 = torch.backends.cudnn.allow_tf32 = True
        try:
            yield
        finally:
            torch.backends.cuda.matmul.allow_tf32, torch.backends.cudnn.allow_tf32 = saved

    def call(compute: Callable[[], Any]) -> Any:
        """compute(), a call of torch: its NotImplementedError is torch's refusal, re-raised
        as a TypeError (the contract keeps NotImplementedError for the mapping's limits)."""
        try:
            return compute()
        except NotImplementedError as e:
            raise TypeError(f"torch raised NotImplementedError: {e}") from e

    def backward(forward: Callable[[], Any], dy: Any) -> None:
        """y = forward(), then y.backward(dy), with the device ready and TF32 set."""
        reason = unavailable()
        if reason:
            raise NotImplementedError(reason)
        with precision():
            y = forward()
            call(lambda: y.backward(torch.as_tensor(np.asarray(dy), dtype=y.dtype,
                                                    device=y.device)))

    def conv_backward(x: Any, w: Any, b: Any, dy: Any, *, stride: Sequence[int], padding: Any,
                      dilation: Sequence[int], groups: int) -> tuple[Any, Any, Any]:
        """autograd of F.conv{r}d, padding mapped as _torch's conv."""
        fn = _function(CONV, x)
        sym, rest = _split(padding, np.ndim(x) - 2)
        xt, wt, bt = leaf(x), leaf(w), leaf(b)
        backward(lambda: call(lambda: fn(_prepad(xt, rest, 0.0), wt, bt, stride=stride,
                                         padding=sym, dilation=dilation, groups=groups)), dy)
        return grad(xt), grad(wt), grad(bt)

    def conv_transpose_backward(x: Any, w: Any, b: Any, dy: Any, *, stride: Sequence[int],
                                padding: Any, output_padding: Sequence[int],
                                dilation: Sequence[int], groups: int) -> tuple[Any, Any, Any]:
        """autograd of F.conv_transpose{r}d, the rest of the padding cropped as _torch's."""
        fn = _function(CONV_TRANSPOSE, x)
        sym, rest = _split(padding, np.ndim(x) - 2)
        xt, wt, bt = leaf(x), leaf(w), leaf(b)

        def forward() -> Any:
            y = call(lambda: fn(xt, wt, bt, stride=stride, padding=sym,
                                output_padding=output_padding, groups=groups, dilation=dilation))
            for a, (eb, ea) in enumerate(rest or ()):
                n = y.shape[2 + a]
                if n - eb - ea < 1:
                    raise NotImplementedError(
                        f"padding[{a}]={tuple(padding[a])!r}: torch takes padding {sym[a]} on "
                        f"both sides (torch limit) and computes {n} cells, and cropping the "
                        f"rest ({eb}, {ea}) leaves none")
                y = y.narrow(2 + a, eb, n - eb - ea)
            return y

        backward(forward, dy)
        return grad(xt), grad(wt), grad(bt)

    def max_pool_backward(x: Any, dy: Any, *, kernel: Sequence[int], stride: Sequence[int],
                          padding: Any, dilation: Sequence[int], ceil_mode: bool) -> Any:
        """autograd of F.max_pool{r}d, pre-padded with -inf as _torch's max_pool."""
        fn = _function(MAX_POOL, x)
        sym, rest = _split(padding, np.ndim(x) - 2, _pool_caps(kernel))
        xt = leaf(x)

        def forward() -> Any:
            y = call(lambda: fn(_prepad(xt, rest, -np.inf), kernel_size=kernel, stride=stride,
                                padding=sym, dilation=dilation, ceil_mode=ceil_mode))
            if ceil_mode:
                _ceil_exact(fn.__name__, y, np.asarray(x), stride, padding, rest)
            return y

        backward(forward, dy)
        return grad(xt)

    def avg_pool_backward(x: Any, dy: Any, *, kernel: Sequence[int], stride: Sequence[int],
                          padding: Any, ceil_mode: bool, count_include_pad: bool) -> Any:
        """autograd of F.avg_pool{r}d, pre-padded with zeros as _torch's avg_pool."""
        fn = _function(AVG_POOL, x)
        sym, rest = _split(padding, np.ndim(x) - 2, _pool_caps(kernel))
        if fn is AVG_POOL[3]:
            sym, rest = _avg3d_sides(np.asarray(x), kernel, padding, sym, rest, count_include_pad)
        if rest is not None and count_include_pad is False:
            raise NotImplementedError(
                f"{fn.__name__}: padding={tuple(padding)!r}, kernel={tuple(kernel)!r}, "
                f"count_include_pad=False: torch pads both sides alike and at most "
                f"kernel // 2 (torch limit), and padding added to the input first would be "
                f"counted as input")
        xt = leaf(x)

        def forward() -> Any:
            y = call(lambda: fn(_prepad(xt, rest, 0.0), kernel_size=kernel, stride=stride,
                                padding=sym, ceil_mode=ceil_mode,
                                count_include_pad=count_include_pad))
            if ceil_mode:
                _ceil_exact(fn.__name__, y, np.asarray(x), stride, padding, rest)
            return y

        backward(forward, dy)
        return grad(xt)

    return conv_backward, conv_transpose_backward, max_pool_backward, avg_pool_backward
