"""Boundary pairs, test262 style: the last valid case passes, the next one is rejected.

Each test makes the valid call first and checks its output shape (and, where it shows the
boundary, its values) against numbers worked out by hand in the comment beside them, never
by formulas.py; then it moves the one parameter by one step and expects InvalidConfig
naming the rule and the value.  Inputs are arange-like, so each output value shows where
it came from.
"""

from __future__ import annotations

import re

import numpy as np
import pytest
from helpers import arange, cites, ones

from cnnspec import ref
from cnnspec.errors import InvalidConfig


def rejected(rule: str, value: str):
    """pytest.raises for InvalidConfig whose first line names ``value`` and ends with [rule]."""
    return pytest.raises(
        InvalidConfig, match=rf"\A[^\n]*{re.escape(value)}[^\n]*{re.escape(f'[{rule}]')}(\n|\Z)")


def values(y) -> list:
    return np.asarray(y).ravel().tolist()


# ------------------------------------------------------------------ conv.kernel-fits


@cites("conv.kernel-fits")
def test_kernel_exactly_fits_padded_input_1d():
    y = ref.conv(arange(1, 1, 3), ones(1, 1, 5), padding=1)  # 3 + 1 + 1 = 5 = K
    assert y.shape == (1, 1, 1)  # (5 - 5) // 1 + 1 = 1
    assert values(y) == [3.0]  # 0 + (0 + 1 + 2) + 0
    with rejected("conv.kernel-fits", "dilated kernel[0]=6, but should be <= padded input=5"):
        ref.conv(arange(1, 1, 3), ones(1, 1, 6), padding=1)  # 6 > 5


@cites("conv.kernel-fits", "conv.dilation")
def test_dilated_kernel_exactly_fits_on_the_second_axis_2d():
    # effective kernel d*(K-1)+1: axis 0: 3*(2-1)+1 = 4 = H; axis 1: 2*(3-1)+1 = 5 = W
    y = ref.conv(ones(1, 1, 4, 5), ones(1, 1, 2, 3), dilation=(3, 2))
    assert y.shape == (1, 1, 1, 1)  # (4-4)//1+1 = 1, (5-5)//1+1 = 1
    assert values(y) == [6.0]  # 2*3 taps, each 1*1
    with rejected("conv.kernel-fits", "dilated kernel[1]=7"):
        ref.conv(ones(1, 1, 4, 5), ones(1, 1, 2, 3), dilation=(3, 3))  # 3*(3-1)+1 = 7 > 5


@cites("conv.kernel-fits")
def test_kernel_exactly_fits_padded_depth_3d():
    pad = ((1, 1), (0, 0), (0, 0))
    y = ref.conv(ones(1, 1, 2, 2, 2), ones(1, 1, 4, 1, 1), padding=pad)  # D: 2 + 1 + 1 = 4 = K
    assert y.shape == (1, 1, 1, 2, 2)  # D: (4-4)//1+1 = 1; H, W: (2-1)//1+1 = 2
    assert values(y) == [2.0] * 4  # two input cells and two zeros of padding per window
    with rejected("conv.kernel-fits", "dilated kernel[0]=5"):
        ref.conv(ones(1, 1, 2, 2, 2), ones(1, 1, 5, 1, 1), padding=pad)


@cites("pool.kernel-fits")
def test_pool_dilated_kernel_exactly_fits_padded_input():
    # eff = 2*(3-1)+1 = 5 <= 4 + 1 + 1 = 6; input at padded [1, 5)
    y = ref.max_pool(arange(1, 1, 4), kernel=3, stride=1, padding=1, dilation=2)
    assert y.shape == (1, 1, 2)  # (6 - 5) // 1 + 1 = 2
    assert values(y) == [3.0, 2.0]  # taps 0, 2, 4: max(-inf, x1, x3); 1, 3, 5: max(x0, x2, -inf)
    with rejected("pool.kernel-fits", "dilated kernel[0]=7"):
        ref.max_pool(arange(1, 1, 4), kernel=3, stride=1, padding=1, dilation=3)  # 7 > 6


# ------------------------------------------------------------------ conv-transpose.output-padding


@cites("conv-transpose.output-padding", "conv-transpose.out-size")
def test_output_padding_up_to_stride_minus_one():
    x, w = np.array([[[1.0, 10.0]]]), np.array([[[1.0, 100.0]]])  # x: (1, 1, 2), w: (1, 1, 2)
    y = ref.conv_transpose(x, w, stride=3, output_padding=2)  # 2 = max(3, 1) - 1
    assert y.shape == (1, 1, 7)  # (2-1)*3 + 1*(2-1) + 2 + 1 = 7
    # x[0] scatters w at 0, 1; x[1] at 3, 4; output_padding adds cells 5, 6 at the end
    assert values(y) == [1.0, 100.0, 0.0, 10.0, 1000.0, 0.0, 0.0]
    with rejected("conv-transpose.output-padding", "output_padding[0]=3"):
        ref.conv_transpose(x, w, stride=3, output_padding=3)


@cites("conv-transpose.output-padding")
def test_output_padding_up_to_dilation_minus_one():
    x, w = np.array([[[1.0, 10.0]]]), np.array([[[1.0, 100.0]]])
    y = ref.conv_transpose(x, w, stride=1, dilation=3, output_padding=2)  # 2 = max(1, 3) - 1
    assert y.shape == (1, 1, 7)  # (2-1)*1 + 3*(2-1) + 2 + 1 = 7
    # x[0] scatters w at 0, 3; x[1] at 1, 4
    assert values(y) == [1.0, 10.0, 0.0, 100.0, 1000.0, 0.0, 0.0]
    with rejected("conv-transpose.output-padding",
                  "output_padding[0]=3, but should be < max(stride=1, dilation=3)=3"):
        ref.conv_transpose(x, w, stride=1, dilation=3, output_padding=3)


# ------------------------------------------------------------------ groups


@cites("conv.groups")
def test_depthwise_groups_equal_c_in_vs_one_more():
    y = ref.conv(arange(1, 4, 5), ones(8, 1, 3), groups=4)  # C_in = 4 = groups; 2 filters each
    assert y.shape == (1, 8, 3)  # C_out = 8; (5 - 3) // 1 + 1 = 3
    # output channel o reads input channel o // 2, whose rows are 5c..5c+4: first window sum
    assert y[0, :, 0].tolist() == [3.0, 3.0, 18.0, 18.0, 33.0, 33.0, 48.0, 48.0]
    with rejected("conv.groups", "groups=5 does not divide C_in=4"):
        ref.conv(arange(1, 4, 5), ones(8, 1, 3), groups=5)


@cites("conv-transpose.groups")
def test_transposed_depthwise_groups_equal_c_in_vs_one_more():
    y = ref.conv_transpose(ones(1, 4, 3), ones(4, 1, 3), groups=4)  # w: (C_in, C_out/groups, K)
    assert y.shape == (1, 4, 5)  # C_out = 1 * 4; (3-1)*1 + (3-1) + 0 + 1 = 5
    with rejected("conv-transpose.groups", "groups=5 does not divide C_in=4"):
        ref.conv_transpose(ones(1, 4, 3), ones(4, 1, 3), groups=5)


@cites("conv.groups")
def test_groups_one_vs_zero():
    assert ref.conv(ones(1, 2, 3), ones(2, 2, 3), groups=1).shape == (1, 2, 1)  # (3-3)+1 = 1
    with rejected("conv.groups", "groups=0, but should be >= 1"):
        ref.conv(ones(1, 2, 3), ones(2, 2, 3), groups=0)


# ------------------------------------------------------------------ pool.window-has-input


@cites("pool.window-has-input")
def test_pool_padding_leaves_one_input_tap_in_the_first_window():
    # kernel 3, stride 3, padding 2: padded length 3 + 2 + 2 = 7, input at [2, 5);
    # window 0 taps 0, 1, 2 (only 2 is input), window 1 taps 3, 4, 5 (input, input, pad)
    y = ref.max_pool(arange(1, 1, 3), kernel=3, stride=3, padding=2)
    assert y.shape == (1, 1, 2)  # (7 - 3) // 3 + 1 = 2
    assert values(y) == [0.0, 2.0]  # max(-inf, -inf, x0), max(x1, x2, -inf)
    with rejected("pool.window-has-input", "padding[0]=(3, 3)"):
        ref.max_pool(arange(1, 1, 3), kernel=3, stride=3, padding=3)  # window 0: taps 0,1,2 < 3


@cites("pool.window-has-input", "pool.avg-divisor")
def test_avg_pool_padding_leaves_one_input_tap_in_the_first_window():
    y = ref.avg_pool(arange(1, 1, 3), kernel=3, stride=3, padding=2, count_include_pad=False)
    assert y.shape == (1, 1, 2)  # as for max_pool: (7 - 3) // 3 + 1 = 2
    assert values(y) == [0.0, 1.5]  # x0 / 1, (x1 + x2) / 2
    with rejected("pool.window-has-input", "padding[0]=(3, 3)"):
        ref.avg_pool(arange(1, 1, 3), kernel=3, stride=3, padding=3, count_include_pad=False)


@cites("pool.window-has-input")
def test_dilated_pool_last_tap_of_the_first_window_on_the_first_input_cell():
    # kernel 2, dilation 3: window j taps padded j and j + 3.  padding before = 3 = d*(k-1):
    # input at [3, 6), padded length 6, eff 4; window 0's second tap is x0
    y = ref.max_pool(arange(1, 1, 3), kernel=2, stride=1, padding=((3, 0),), dilation=3)
    assert y.shape == (1, 1, 3)  # (6 - 4) // 1 + 1 = 3
    assert values(y) == [0.0, 1.0, 2.0]  # window j: max(pad or x[j-3], x[j])
    with rejected("pool.window-has-input", "padding[0]=(4, 0)"):  # input at [4, 7): taps 0, 3
        ref.max_pool(arange(1, 1, 3), kernel=2, stride=1, padding=((4, 0),), dilation=3)


@cites("pool.window-has-input")
def test_dilated_pool_taps_straddling_the_input():
    # kernel 2, dilation 4: window 0 taps padded 0 and 4.  padding (0, 3): input at [0, 2),
    # padded length 5 = eff, one window, its first tap on x0
    y = ref.max_pool(arange(1, 1, 2), kernel=2, stride=1, padding=((0, 3),), dilation=4)
    assert y.shape == (1, 1, 1)  # (5 - 5) // 1 + 1 = 1
    assert values(y) == [0.0]  # max(x0, -inf)
    # padding (1, 3): input at [1, 3); taps 0 and 4 fall either side of it
    with rejected("pool.window-has-input", "padding[0]=(1, 3)"):
        ref.max_pool(arange(1, 1, 2), kernel=2, stride=1, padding=((1, 3),), dilation=4)


# ------------------------------------------------------------------ pool.ceil-mode (both valid)


@cites("pool.ceil-mode")
def test_ceil_mode_keeps_a_window_starting_on_the_last_input_cell():
    # length 5, kernel 2, stride 2: windows start 0, 2, 4; 4 is the last input cell
    y = ref.max_pool(arange(1, 1, 5), kernel=2, stride=2, ceil_mode=True)
    assert y.shape == (1, 1, 3)  # ceil((5 - 2) / 2) + 1 = 3
    assert values(y) == [1.0, 3.0, 4.0]  # the third window: x4 and the overhang
    floor = ref.max_pool(arange(1, 1, 5), kernel=2, stride=2, ceil_mode=False)
    assert floor.shape == (1, 1, 2)  # floor((5 - 2) / 2) + 1 = 2


@cites("pool.ceil-mode")
def test_ceil_mode_drops_a_window_starting_in_the_right_padding():
    # length 4 + right padding 1: the same padded length 5, but padded cell 4 is padding,
    # so the window that would start there is dropped (PyTorch, ONNX)
    y = ref.max_pool(arange(1, 1, 4), kernel=2, stride=2, padding=((0, 1),), ceil_mode=True)
    assert y.shape == (1, 1, 2)  # min(ceil((5 - 2) / 2) + 1, floor((4 + 0 - 1) / 2) + 1) = 2
    assert values(y) == [1.0, 3.0]
    # symmetric padding 1 on length 3 (PyTorch gives [0, 2]): starts 0, 2, 4; input at [1, 4)
    y = ref.max_pool(arange(1, 1, 3), kernel=2, stride=2, padding=1, ceil_mode=True)
    assert y.shape == (1, 1, 2)  # min(ceil(3 / 2) + 1, floor(3 / 2) + 1) = 2
    assert values(y) == [0.0, 2.0]


# ------------------------------------------------------------------ pad.reflect-size, circular-size


@cites("pad.reflect-size")
def test_reflect_pad_size_minus_one_vs_size():
    y = ref.pad(arange(1, 1, 3), 2, mode="reflect")
    assert y.shape == (1, 1, 7)  # 2 + 3 + 2
    assert values(y) == [2.0, 1.0, 0.0, 1.0, 2.0, 1.0, 0.0]  # the edge is not repeated
    with rejected("pad.reflect-size", "padding[0]=(3, 3), but should be < input size 3"):
        ref.pad(arange(1, 1, 3), 3, mode="reflect")


@cites("pad.reflect-size")
def test_conv_reflect_padding_size_minus_one_vs_size():
    y = ref.conv(arange(1, 1, 3), ones(1, 1, 1), padding=((2, 0),), padding_mode="reflect")
    assert values(y) == [2.0, 1.0, 0.0, 1.0, 2.0]  # shape (1, 1, 5): 2 + 3 - 1 + 1
    with rejected("pad.reflect-size", "padding[0]=(3, 0)"):
        ref.conv(arange(1, 1, 3), ones(1, 1, 1), padding=((3, 0),), padding_mode="reflect")


@cites("pad.circular-size")
def test_circular_pad_size_vs_size_plus_one():
    y = ref.pad(arange(1, 1, 3), 3, mode="circular")
    assert y.shape == (1, 1, 9)  # 3 + 3 + 3
    assert values(y) == [0.0, 1.0, 2.0] * 3  # one whole copy on each side
    with rejected("pad.circular-size", "padding[0]=(4, 4), but should be <= input size 3"):
        ref.pad(arange(1, 1, 3), 4, mode="circular")


# ------------------------------------------------------------------ stride, dilation, padding


@cites("config.stride")
def test_stride_one_vs_zero():
    assert ref.conv(ones(1, 1, 5), ones(1, 1, 3), stride=1).shape == (1, 1, 3)  # (5-3)//1+1
    with rejected("config.stride", "stride[0]=0, but should be >= 1"):
        ref.conv(ones(1, 1, 5), ones(1, 1, 3), stride=0)
    assert ref.max_pool(ones(1, 1, 5), kernel=2, stride=1).shape == (1, 1, 4)  # (5-2)//1+1
    with rejected("config.stride", "stride[0]=0"):
        ref.max_pool(ones(1, 1, 5), kernel=2, stride=0)


@cites("config.dilation")
def test_dilation_one_vs_zero():
    assert ref.conv(ones(1, 1, 5, 5), ones(1, 1, 3, 3), dilation=(2, 1)).shape == (1, 1, 1, 3)
    # axis 0: 2*(3-1)+1 = 5 -> (5-5)+1 = 1; axis 1: (5-3)+1 = 3
    with rejected("config.dilation", "dilation[1]=0"):
        ref.conv(ones(1, 1, 5, 5), ones(1, 1, 3, 3), dilation=(2, 0))


@cites("config.padding")
def test_padding_zero_vs_minus_one_on_each_side():
    assert ref.conv(ones(1, 1, 5), ones(1, 1, 3), padding=((0, 0),)).shape == (1, 1, 3)
    with rejected("config.padding", "padding[0]=(-1, 0)"):
        ref.conv(ones(1, 1, 5), ones(1, 1, 3), padding=((-1, 0),))
    with rejected("config.padding", "padding[0]=(0, -1)"):
        ref.conv(ones(1, 1, 5), ones(1, 1, 3), padding=((0, -1),))


@cites("config.nonempty")
def test_one_cell_vs_empty_axis():
    assert ref.max_pool(arange(1, 1, 1), kernel=1).shape == (1, 1, 1)  # (1-1)//1+1
    with rejected("config.nonempty", "x.shape=(1, 1, 0)"):
        ref.max_pool(ones(1, 1, 0), kernel=1)


# ------------------------------------------------------------------ conv-transpose.out-size


@cites("conv-transpose.out-size")
def test_transposed_output_size_one_vs_zero():
    w = np.array([[[1.0, 10.0, 100.0]]])  # (1, 1, 3)
    y = ref.conv_transpose(np.array([[[2.0]]]), w, padding=((1, 1),))
    assert y.shape == (1, 1, 1)  # (1-1)*1 - 1 - 1 + (3-1) + 0 + 1 = 1
    assert values(y) == [20.0]  # full = 2*w = [2, 20, 200], cropped 1 cell on each side
    with rejected("conv-transpose.out-size", "output size[0]=0, but should be >= 1"):
        ref.conv_transpose(np.array([[[2.0]]]), w, padding=((1, 2),))  # 1 - 1 - 2 + 2 + 1 = 0


@cites("conv-transpose.out-size")
def test_transposed_output_size_one_vs_zero_on_the_last_axis_3d():
    x, w = ones(1, 1, 2, 2, 1), ones(1, 1, 1, 1, 2)
    y = ref.conv_transpose(x, w, padding=((0, 0), (0, 0), (1, 0)))
    assert y.shape == (1, 1, 2, 2, 1)  # last axis: (1-1)*1 - 1 - 0 + (2-1) + 0 + 1 = 1
    with rejected("conv-transpose.out-size", "output size[2]=0"):
        ref.conv_transpose(x, w, padding=((0, 0), (0, 0), (1, 1)))
