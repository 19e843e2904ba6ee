"""The rules added with issue 10 (macs.flops, pad.causal): the same numbers from PyTorch
where it has the operation.  (Their worked examples are records in cnnspec/rules/count.py
and pad.py, run by example_checks.)"""

from __future__ import annotations

import numpy as np
import pytest

from cnnspec import formulas as F
from cnnspec import ref


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


def test_causal_padding_matches_torch():  # [pad.causal]
    torch = pytest.importorskip("torch")
    x = torch.arange(1.0, 5.0, dtype=torch.float64).reshape(1, 1, 4)
    w = torch.tensor([[[1.0, 10.0]]], dtype=torch.float64)
    for d in (1, 2):
        pb, pa = F.causal_padding(2, dilation=d)
        y = torch.nn.functional.conv1d(torch.nn.functional.pad(x, (pb, pa)), w, dilation=d)
        assert np.array_equal(y.numpy(), ref.conv(x.numpy(), w.numpy(), padding=((pb, pa),),
                                                  dilation=d))
