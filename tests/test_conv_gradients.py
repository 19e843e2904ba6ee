"""The gradient rules against PyTorch autograd, exactly (float64, integer-valued data).

[conv.grad-input] dL/dx = conv_transpose(dL/dy, w) with conv's geometry and output_padding
(i + pb + pa - d*(k-1) - 1) mod s; [conv.grad-weight] dL/dw is a cross-correlation of the
padded x with dL/dy, stride and dilation swapped.  cnnspec.ref.grad writes both as
reference ops; here torch's backward pass is the independent oracle.  Asymmetric padding
goes through F.pad first (torch's conv takes symmetric padding only), so its gradient flows
back through the pad as well.
"""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")
F = torch.nn.functional
pytestmark = pytest.mark.torch

import numpy as np  # noqa: E402
from helpers import cites  # noqa: E402
from hypothesis import given  # noqa: E402

from cnnspec.asserts import assert_exact  # noqa: E402
from cnnspec.ref import conv_grad_bias, conv_grad_input, conv_grad_weight  # noqa: E402
from cnnspec.strategies import conv_configs, make_array  # noqa: E402

CONV = {1: F.conv1d, 2: F.conv2d, 3: F.conv3d}


def torch_gradients(cfg, dy):
    """(dL/dx, dL/dw, dL/db or None) of torch's conv at the case, for upstream gradient dy."""
    x, w = (torch.tensor(a, requires_grad=True) for a in (cfg.x, cfg.w))
    b = None if cfg.b is None else torch.tensor(cfg.b, requires_grad=True)
    flat = [p for pair in reversed(cfg.padding) for p in pair]  # F.pad lists the last axis first
    y = CONV[cfg.rank](F.pad(x, flat), w, b, stride=cfg.stride, dilation=cfg.dilation,
                       groups=cfg.groups)
    y.backward(torch.from_numpy(dy))
    return x.grad.numpy(), w.grad.numpy(), None if b is None else b.grad.numpy()


def upstream(cfg):
    """An integer-valued dL/dy of the output's shape, from the case's seed."""
    from cnnspec import ref

    shape = ref.conv(cfg.x, cfg.w, cfg.b, **cfg.kwargs).shape
    return make_array(np.random.default_rng([cfg.seed, 1]), shape, True)


@cites("conv.grad-input")
@given(cfg=conv_configs())
def test_input_gradient_is_a_transposed_conv(cfg):
    dy = upstream(cfg)
    dx, _, _ = torch_gradients(cfg, dy)
    assert_exact(conv_grad_input(dy, cfg.w, cfg.x.shape, **cfg.kwargs), dx,
                 rule="conv.grad-input", call=cfg.call(), name="dL/dx")


@cites("conv.grad-weight")
@given(cfg=conv_configs())
def test_weight_gradient_is_a_correlation_of_x_with_dy(cfg):
    dy = upstream(cfg)
    _, dw, db = torch_gradients(cfg, dy)
    assert_exact(conv_grad_weight(cfg.x, dy, cfg.kernel, **cfg.kwargs), dw,
                 rule="conv.grad-weight", call=cfg.call(), name="dL/dw")
    if db is not None:
        assert_exact(conv_grad_bias(dy), db, rule="conv.grad-weight", call=cfg.call(),
                     name="dL/db")
