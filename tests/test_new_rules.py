"""The worked examples of the rules added with issue 10 (macs.flops, pad.causal), recomputed
by hand, and the same numbers from PyTorch where it has the operation."""

from __future__ import annotations

import numpy as np
import pytest

from cnnspec import formulas as F
from cnnspec import ref


def test_flops_of_the_resnet_stem():  # [macs.flops]
    macs = F.conv_macs(3, 64, (7, 7), (112, 112))
    assert macs == 64 * 112 * 112 * 3 * 49 == 118_013_952
    assert F.conv_flops(3, 64, (7, 7), (112, 112)) == 2 * macs == 236_027_904
    assert F.conv_flops(3, 64, (7, 7), (112, 112), bias=True) == 236_027_904 + 64 * 112 * 112


def test_flops_of_a_three_tap_conv():  # [macs.flops]
    assert F.conv_flops(1, 1, (3,), (3,)) == 3 * (3 + 3) == 18  # 5 - 3 + 1 = 3 outputs


@pytest.mark.parametrize("c_in, c_out, kernel, size, groups, stride, batch", [
    (3, 64, (7, 7), (224, 224), 1, 2, 1),
    (4, 6, (3, 3), (9, 8), 2, 1, 2),
    (2, 5, (4,), (11,), 1, 3, 3),
    (6, 6, (3, 2, 2), (5, 4, 4), 6, 1, 1),
])
def test_flops_agree_with_torch_flop_counter(c_in, c_out, kernel, size, groups, stride, batch):
    torch = pytest.importorskip("torch")
    from torch.utils.flop_counter import FlopCounterMode

    conv = getattr(torch.nn, f"Conv{len(kernel)}d")(c_in, c_out, kernel, stride=stride,
                                                     groups=groups)
    with FlopCounterMode(display=False) as counter:
        y = conv(torch.zeros(batch, c_in, *size))  # (N, C_out, *O)
    out = tuple(y.shape[2:])
    assert out == F.conv_out_shape(size, kernel, stride=stride)
    # torch counts 2 per multiply-accumulate and leaves the bias out
    assert counter.get_total_flops() == F.conv_flops(c_in, c_out, kernel, out, groups=groups,
                                                     batch=batch)


@pytest.mark.parametrize("dilation, pads, expected", [
    (1, (1, 0), [10, 21, 32, 43]),  # [0, 1, 2, 3, 4]: 0 + 10*1, 1 + 10*2, ...
    (2, (2, 0), [10, 20, 31, 42]),  # [0, 0, 1, 2, 3, 4]: y[t] = xpad[t] + 10*xpad[t+2]
])
def test_causal_padding_worked_examples(dilation, pads, expected):  # [pad.causal]
    assert F.causal_padding(2, dilation=dilation) == pads
    x = np.array([[[1.0, 2, 3, 4]]])  # (1, 1, 4)
    w = np.array([[[1.0, 10]]])  # (1, 1, 2)
    y = ref.conv(x, w, padding=(pads,), dilation=dilation)
    assert y.tolist() == [[expected]]


def test_causal_padding_matches_torch():  # [pad.causal]
    torch = pytest.importorskip("torch")
    x = torch.arange(1.0, 5.0, dtype=torch.float64).reshape(1, 1, 4)
    w = torch.tensor([[[1.0, 10.0]]], dtype=torch.float64)
    for d in (1, 2):
        pb, pa = F.causal_padding(2, dilation=d)
        y = torch.nn.functional.conv1d(torch.nn.functional.pad(x, (pb, pa)), w, dilation=d)
        assert np.array_equal(y.numpy(), ref.conv(x.numpy(), w.numpy(), padding=((pb, pa),),
                                                  dilation=d))
