"""The fast reference ops equal their readable definitions, cnnspec.ref.plain.

Two kinds of test:

- properties: on integer-valued float64 data (every sum exact in any order) ref.conv,
  ref.conv_transpose, ref.max_pool and ref.avg_pool equal conv_plain, conv_transpose_plain,
  max_pool_plain and avg_pool_plain exactly, over the strategies' configurations (ranks 1-3,
  groups with depthwise half the time, dilation, asymmetric padding, stride, ceil_mode,
  count_include_pad), with NaN inputs where a rule fixes the result ([pool.max-nan]; conv
  under nonzero weights, [conv.def]), and both raise the same rule on the boundary
  configurations;
- hand-worked examples of the plain definitions themselves, the expected values worked out
  by hand and written as literals (the arithmetic in a comment).
"""

from __future__ import annotations

import numpy as np
import pytest
from helpers import arange, cites
from hypothesis import event, given, note
from hypothesis import strategies as st

from cnnspec import ref
from cnnspec.asserts import assert_exact, fail
from cnnspec.errors import InvalidConfig
from cnnspec.ref import plain
from cnnspec.strategies import (
    ConvConfig,
    boundary_conv_configs,
    boundary_pool_configs,
    conv_configs,
    conv_transpose_configs,
    make_array,
    pool_configs,
)

NAN = np.nan
#: Small enough for the scalar loops of ref.plain (about 0.1 s for the largest draw).
SMALL = dict(max_volume=64, max_channels=4)


def _with_group_width(cfg: ConvConfig, cg: int) -> ConvConfig:
    """cfg with C_in/groups = cg (new arrays from its seed; geometry and groups kept):
    cg = 1 takes ref.conv's depthwise path, cg > 1 its dense one."""
    n, _, *sizes = cfg.x.shape
    return ConvConfig.build(x_shape=(n, cfg.groups * cg, *sizes),
                            w_shape=(cfg.w.shape[0], cg, *cfg.kernel),
                            b_shape=None if cfg.b is None else cfg.b.shape, seed=cfg.seed,
                            **cfg.kwargs)


def _row(*values: float) -> np.ndarray:
    """A (1, 1, len) input."""
    return np.array(values, dtype=np.float64).reshape(1, 1, -1)


# ---------------------------------------------------------------- fast path = definition


@cites("conv.def", "conv.groups", "conv.out-size", "pad.modes")
@given(cfg=conv_configs(max_batch=2, **SMALL), cg=st.sampled_from((2, 1, 3)), data=st.data())
def test_conv_equals_its_definition(cfg, cg, data):
    cfg = _with_group_width(cfg, cg)
    widest = max(max(pads) - i for pads, i in zip(cfg.padding, cfg.x.shape[2:]))
    modes = ["zeros", "replicate"]  # [pad.reflect-size]: pad < size; [pad.circular-size]: <=
    modes += ["reflect", "circular"] if widest < 0 else ["circular"] if widest == 0 else []
    mode = data.draw(st.sampled_from(modes), label="padding_mode")
    event(f"padding_mode={mode!r}")
    event("depthwise path (C_in/groups = 1)" if cg == 1 else "dense path")
    y = ref.conv(cfg.x, cfg.w, cfg.b, padding_mode=mode, **cfg.kwargs)
    assert_exact(y, plain.conv_plain(cfg.x, cfg.w, cfg.b, padding_mode=mode, **cfg.kwargs),
                 rule="conv.def", call=f"{cfg.call()} padding_mode={mode!r}")


@cites("conv.def")
@given(cfg=conv_configs(**SMALL), cg=st.sampled_from((2, 1, 3)), nans=st.integers(1, 3))
def test_conv_equals_its_definition_with_nan_inputs_under_nonzero_weights(cfg, cg, nans):
    """A NaN read by a window makes that output NaN; with no zero weight the fast path has
    no product to skip, so it must agree element for element (nan_times_zero aside)."""
    cfg = _with_group_width(cfg, cg)
    x = make_array(np.random.default_rng(cfg.seed), cfg.x.shape, True, nans)
    w = np.where(cfg.w == 0, 1.0, cfg.w)
    expected = plain.conv_plain(x, w, cfg.b, **cfg.kwargs)
    event("some NaN outputs" if np.isnan(expected).any() else "no NaN output")
    note(f"NaN outputs: {int(np.isnan(expected).sum())} of {expected.size}")
    assert_exact(ref.conv(x, w, cfg.b, **cfg.kwargs), expected, rule="conv.def",
                 call=cfg.call())


@cites("conv-transpose.def", "conv-transpose.out-size", "conv-transpose.groups")
@given(cfg=conv_transpose_configs(max_batch=2, **SMALL))
def test_conv_transpose_equals_its_definition(cfg):
    y = ref.conv_transpose(cfg.x, cfg.w, cfg.b, **cfg.kwargs)
    assert_exact(y, plain.conv_transpose_plain(cfg.x, cfg.w, cfg.b, **cfg.kwargs),
                 rule="conv-transpose.def", call=cfg.call())


@cites("pool.max-def", "pool.max-nan", "pool.out-size", "pool.ceil-mode")
@given(cfg=pool_configs(kind="max", max_nans=3, max_volume=125))
def test_max_pool_equals_its_definition(cfg):
    event("x holds NaN" if cfg.nans else "no NaN")
    assert_exact(ref.max_pool(cfg.x, **cfg.kwargs), plain.max_pool_plain(cfg.x, **cfg.kwargs),
                 rule="pool.max-def", call=cfg.call())


@cites("pool.avg-def", "pool.avg-divisor", "pool.out-size", "pool.ceil-mode")
@given(cfg=pool_configs(kind="avg", max_volume=125))
def test_avg_pool_equals_its_definition(cfg):
    """Sums of integers are exact and both divide once by the same count: equal bits."""
    assert_exact(ref.avg_pool(cfg.x, **cfg.kwargs), plain.avg_pool_plain(cfg.x, **cfg.kwargs),
                 rule="pool.avg-def", call=cfg.call())


def _same_outcome(fast, definition, rule: str, call: str) -> None:
    """Both raise InvalidConfig for the same rule, or both return the same values."""
    try:
        expected = definition()
    except InvalidConfig as e:
        event(f"refused [{e.rule}]")
        with pytest.raises(InvalidConfig) as raised:
            fast()
        if raised.value.rule != e.rule:
            fail(f"fast path refused for [{raised.value.rule}], but should refuse for "
                 f"[{e.rule}], as the definition does", rule, call)
        return
    event("accepted")
    assert_exact(fast(), expected, rule=rule, call=call)


@cites("conv.kernel-fits", "conv.groups", "conv.channels", "conv.bias")
@given(cfg=boundary_conv_configs(max_channels=4))
def test_conv_and_its_definition_share_validity_boundaries(cfg):
    _same_outcome(lambda: ref.conv(cfg.x, cfg.w, cfg.b, **cfg.kwargs),
                  lambda: plain.conv_plain(cfg.x, cfg.w, cfg.b, **cfg.kwargs),
                  "conv.def", cfg.call())


@cites("pool.kernel-fits", "pool.window-has-input", "pool.ceil-mode")
@given(cfg=boundary_pool_configs(kind="max"))
def test_max_pool_and_its_definition_share_validity_boundaries(cfg):
    _same_outcome(lambda: ref.max_pool(cfg.x, **cfg.kwargs),
                  lambda: plain.max_pool_plain(cfg.x, **cfg.kwargs), "pool.max-def", cfg.call())


@cites("config.nonempty")
def test_a_batch_of_zero_gives_a_batch_of_zero_in_both():
    x, w = np.zeros((0, 2, 5)), np.ones((3, 2, 2))
    assert plain.conv_plain(x, w).shape == ref.conv(x, w).shape == (0, 3, 4)


# ---------------------------------------------------------------- the definitions by hand


@cites("conv.def", "conv.stride", "conv.dilation", "conv.padding", "conv.bias")
def test_conv_plain_strided_dilated_padded_1d():
    # xpad = [0, 0, 1, 2, 3, 4, 5, 6]; taps 2p and 2p + 2; out = (7 + 1 - 3)//2 + 1 = 3
    # y[p] = 100 + xpad[2p]*1 + xpad[2p + 2]*10: 100 + 0 + 10, 100 + 1 + 30, 100 + 3 + 50
    y = plain.conv_plain(arange(1, 1, 7), _row(1, 10), np.array([100.0]), stride=2,
                         padding=((1, 0),), dilation=2)
    assert_exact(y, [[[110, 131, 153]]], rule="conv.def")  # (1, 1, 3)


@cites("conv.groups")
def test_conv_plain_groups_read_only_their_channels():
    # channels [0, 1], [2, 3], [4, 5], [6, 7]; group 0 = channels 0-1, group 1 = 2-3
    # o=0: 1*x0 + 10*x1 = [0 + 20, 1 + 30]; o=1: 100*x2 + 1000*x3 = [400 + 6000, 500 + 7000]
    w = np.array([[[1.0], [10.0]], [[100.0], [1000.0]]])  # (2, 2, 1)
    y = plain.conv_plain(arange(1, 4, 2), w, groups=2)
    assert_exact(y, [[[20, 31], [6400, 7500]]], rule="conv.groups")  # (1, 2, 2)


@cites("conv.def")
def test_conv_plain_rank_3_sums_the_whole_window():
    # x = 0..7 in a 2x2x2 cube, w = 1 everywhere: the one output is 0 + 1 + ... + 7 = 28
    y = plain.conv_plain(arange(1, 1, 2, 2, 2), np.ones((1, 1, 2, 2, 2)))
    assert_exact(y, np.full((1, 1, 1, 1, 1), 28.0), rule="conv.def")


@cites("conv.def")
def test_conv_plain_nan_under_a_zero_weight_is_nan():
    # y[0] = NaN*0 + 1*1 = NaN (IEEE: NaN*0 is NaN); y[1] = 1*0 + 2*1 = 2
    assert_exact(plain.conv_plain(_row(NAN, 1, 2), _row(0, 1)), [[[NAN, 2]]], rule="conv.def")
    # the NaN at 1 is read by windows 0 and 1 only: [NaN, NaN, 2 + 3]
    assert_exact(plain.conv_plain(_row(1, NAN, 2, 3), _row(1, 1)), [[[NAN, NAN, 5]]],
                 rule="conv.def")


@cites("pad.modes")
@pytest.mark.parametrize("mode, expected", [
    ("zeros", [3, 6, 5]),       # xpad = [0, 1, 2, 3, 0]
    ("reflect", [5, 6, 7]),     # xpad = [2, 1, 2, 3, 2]
    ("replicate", [4, 6, 8]),   # xpad = [1, 1, 2, 3, 3]
    ("circular", [6, 6, 6]),    # xpad = [3, 1, 2, 3, 1]
])
def test_conv_plain_reads_the_padded_input_of_each_mode(mode, expected):
    y = plain.conv_plain(_row(1, 2, 3), _row(1, 1, 1), padding=1, padding_mode=mode)
    assert_exact(y, [[expected]], rule="pad.modes")


@cites("conv-transpose.def", "conv-transpose.out-size", "conv-transpose.output-padding")
def test_conv_transpose_plain_scatters_then_crops():
    # full has (3-1)*2 + (2-1) + 1 + 1 = 7 cells: 1*[1, 10] at 0, 2*[1, 10] at 2, 3*[1, 10]
    # at 4 -> [1, 10, 2, 20, 3, 30, 0]; crop p_before = 1 -> 6 cells
    y = plain.conv_transpose_plain(_row(1, 2, 3), _row(1, 10), stride=2, padding=((1, 0),),
                                   output_padding=1)
    assert_exact(y, [[[10, 2, 20, 3, 30, 0]]], rule="conv-transpose.def")


@cites("conv-transpose.def", "conv-transpose.groups", "conv-transpose.bias")
def test_conv_transpose_plain_groups_dilation_and_bias():
    # d=2: x0 adds [1, _, 10] at 0, x1 at 1 -> [1*1, 2*1, 1*10, 2*10] = [1, 2, 10, 20] (+5)
    # group 1 (channel 1 = [3, 4], w = [100, 1000]) -> [300, 400, 3000, 4000] (+7)
    w = np.array([[[1.0, 10.0]], [[100.0, 1000.0]]])  # (C_in=2, C_out/groups=1, 2)
    y = plain.conv_transpose_plain(arange(1, 2, 2) + 1, w, np.array([5.0, 7.0]), dilation=2,
                                   groups=2)
    assert_exact(y, [[[6, 7, 15, 25], [307, 407, 3007, 4007]]], rule="conv-transpose.def")


@cites("pool.max-def", "pool.ceil-mode")
def test_max_pool_plain_ceil_mode_window_ignores_the_overhang():
    # windows [-5, -2], [-9, -7], [-4, overhang]: out = min(ceil(3/2) + 1, 4//2 + 1) = 3
    y = plain.max_pool_plain(_row(-5, -2, -9, -7, -4), kernel=2, ceil_mode=True)
    assert_exact(y, [[[-2, -7, -4]]], rule="pool.ceil-mode")


@cites("pool.max-def")
def test_max_pool_plain_pads_with_minus_infinity():
    # xpad = [-inf, -3, -1, -inf]: windows [-inf, -3], [-3, -1], [-1, -inf] (zeros would win)
    y = plain.max_pool_plain(_row(-3, -1), kernel=2, stride=1, padding=1)
    assert_exact(y, [[[-3, -1, -1]]], rule="pool.max-def")


@cites("pool.max-nan")
def test_max_pool_plain_window_with_nan_is_nan():
    # windows [3, NaN], [NaN, 1], [1, 2], [2, NaN]
    y = plain.max_pool_plain(_row(3, NAN, 1, 2, NAN), kernel=2, stride=1)
    assert_exact(y, [[[NAN, NAN, 2, NAN]]], rule="pool.max-nan")


@cites("pool.max-def", "conv.dilation")
def test_max_pool_plain_dilated_2d():
    # x[i, j] = -(10i + j) (4x4), k=2, d=2: window (a, b) reads rows a, a+2 and columns
    # b, b+2; its maximum is at (a, b): -(10a + b)
    x = -(10 * np.arange(4.0)[:, None] + np.arange(4.0)).reshape(1, 1, 4, 4)
    y = plain.max_pool_plain(x, kernel=2, stride=1, dilation=2)
    assert_exact(y, [[[[0, -1], [-10, -11]]]], rule="pool.max-def")


@cites("pool.avg-def", "pool.avg-divisor", "pool.ceil-mode")
@pytest.mark.parametrize("count_include_pad, expected", [
    (True, [4, 15, 25.5]),    # 12/3 (pad counted), 45/3, 51/2 (overhang never counted)
    (False, [6, 15, 25.5]),   # 12/2 (pad not counted), 45/3, 51/2
])
def test_avg_pool_plain_divisor_counts_padding_never_the_overhang(count_include_pad, expected):
    # xpad = [0, 3, 9, 15, 21, 30], k=3, s=2, ceil: windows [pad, 3, 9], [9, 15, 21],
    # [21, 30, overhang]; out = min(ceil(3/2) + 1, 5//2 + 1) = 3
    y = plain.avg_pool_plain(_row(3, 9, 15, 21, 30), kernel=3, stride=2, padding=((1, 0),),
                             ceil_mode=True, count_include_pad=count_include_pad)
    assert_exact(y, [[expected]], rule="pool.avg-divisor")


@cites("pool.avg-divisor")
def test_avg_pool_plain_2d_divisor_without_padding_cells():
    # x = [[1, 2], [3, 4]] padded one cell before on both axes, k=2, s=1: windows hold
    # {1}, {1, 2}, {1, 3}, {1, 2, 3, 4}; with padding counted every divisor is 4
    kw = dict(kernel=2, stride=1, padding=((1, 0), (1, 0)))
    x = arange(1, 1, 2, 2) + 1
    assert_exact(plain.avg_pool_plain(x, count_include_pad=False, **kw),
                 [[[[1, 1.5], [2, 2.5]]]], rule="pool.avg-divisor")
    assert_exact(plain.avg_pool_plain(x, count_include_pad=True, **kw),
                 [[[[0.25, 0.75], [1, 2.5]]]], rule="pool.avg-divisor")
