"""Properties of the reference ops as code: dtype policy, inputs left alone, the target form."""

from __future__ import annotations

import numpy as np
import pytest
from helpers import arange, cites

from cnnspec import ref
from cnnspec.errors import InvalidConfig
from cnnspec.targets import reference

UNIT = dict(stride=(1,), padding=((0, 0),), dilation=(1,), groups=1)


def test_reference_computes_in_float64_whatever_the_input_dtype():
    x = np.arange(6, dtype=np.int32).reshape(1, 1, 6)  # (N, C, W)
    w = np.ones((1, 1, 2), dtype=np.float32)
    y = ref.conv(x, w)
    assert y.dtype == np.float64
    np.testing.assert_array_equal(y[0, 0], [1, 3, 5, 7, 9])  # x[i] + x[i+1]
    for out in (ref.conv_transpose(x, w), ref.max_pool(x, kernel=2), ref.avg_pool(x, kernel=2),
                ref.global_avg_pool(x), ref.global_max_pool(x)):
        assert out.dtype == np.float64


def test_integer_valued_sums_beyond_float32_stay_exact():
    # 2**24 + 1 is not a float32; in float64 the sum is exact.
    x = np.array([[[2.0**24, 1.0]]])  # (1, 1, 2)
    assert ref.conv(x, np.ones((1, 1, 2)))[0, 0, 0] == 2.0**24 + 1


@pytest.mark.parametrize("op", ["conv", "conv_transpose", "max_pool", "avg_pool"])
def test_reference_never_mutates_or_aliases_its_inputs(op):
    x = arange(2, 2, 5, 4)  # (N, C, H, W)
    w = arange(2, 2, 3, 2)
    x0, w0 = x.copy(), w.copy()
    if op == "conv":
        y = ref.conv(x, w, np.ones(2), padding=1)
    elif op == "conv_transpose":
        y = ref.conv_transpose(x, w, np.ones(2), stride=2)
    elif op == "max_pool":
        y = ref.max_pool(x, kernel=2, padding=1)
    else:
        y = ref.avg_pool(x, kernel=2, padding=1)
    np.testing.assert_array_equal(x, x0)
    np.testing.assert_array_equal(w, w0)
    assert not np.shares_memory(y, x) and not np.shares_memory(y, w)


@cites("conv.def")
def test_target_module_has_the_contract_signatures():
    x = arange(1, 1, 5)  # (1, 1, 5): 0 1 2 3 4
    w = np.array([[[1.0, 10.0]]])  # (1, 1, 2)
    y = reference.conv(x, w, None, **UNIT)
    np.testing.assert_array_equal(y[0, 0], [10, 21, 32, 43])  # x[i] + 10*x[i+1]
    yt = reference.conv_transpose(x, w, None, stride=(1,), padding=((0, 0),), output_padding=(0,),
                                  dilation=(1,), groups=1)
    np.testing.assert_array_equal(yt[0, 0], [0, 1, 12, 23, 34, 40])  # x[i] + 10*x[i-1]
    ym = reference.max_pool(x, kernel=(2,), stride=(2,), padding=((0, 1),), dilation=(1,),
                            ceil_mode=False)
    np.testing.assert_array_equal(ym[0, 0], [1, 3, 4])  # windows [0,1] [2,3] [4,-inf]
    ya = reference.avg_pool(x, kernel=(2,), stride=(2,), padding=((0, 1),), ceil_mode=False,
                            count_include_pad=False)
    np.testing.assert_array_equal(ya[0, 0], [0.5, 2.5, 4.0])


@cites("pad.modes")
def test_pad_modes_by_example():
    x = np.array([[[1.0, 2.0, 3.0]]])  # (1, 1, 3)
    expected = {"zeros": [0, 0, 1, 2, 3, 0], "reflect": [3, 2, 1, 2, 3, 2],
                "replicate": [1, 1, 1, 2, 3, 3], "circular": [2, 3, 1, 2, 3, 1]}
    for mode, want in expected.items():
        np.testing.assert_array_equal(ref.pad(x, ((2, 1),), mode=mode)[0, 0], want, err_msg=mode)


@cites("conv.def")
def test_conv_padding_mode_uses_the_padded_values():
    x = np.array([[[1.0, 2.0, 3.0]]])  # (1, 1, 3)
    w = np.ones((1, 1, 3))
    # circular: windows [3,1,2] [1,2,3] [2,3,1]
    np.testing.assert_array_equal(ref.conv(x, w, padding=1, padding_mode="circular")[0, 0], [6, 6, 6])
    # replicate: [1,1,2] [1,2,3] [2,3,3]
    np.testing.assert_array_equal(ref.conv(x, w, padding=1, padding_mode="replicate")[0, 0], [4, 6, 8])
    with pytest.raises(InvalidConfig, match=r"padding_mode='mirror'.*\[pad\.modes\]"):
        ref.conv(x, w, padding=1, padding_mode="mirror")


@cites("pool.global")
def test_global_pools_keep_unit_spatial_axes():
    x = arange(2, 3, 2, 2)  # (N, C, H, W)
    assert ref.global_max_pool(x).shape == (2, 3, 1, 1)
    # channel 0 of sample 0 holds 0 1 2 3: max 3, mean 1.5
    assert ref.global_max_pool(x)[0, 0, 0, 0] == 3 and ref.global_avg_pool(x)[0, 0, 0, 0] == 1.5
