"""The reference ops against the naive loop oracle of tests/oracle.py, exactly.

Integer-valued float64 data makes every correct result exact, so each property asserts
equality (NaN where the oracle has NaN), and the shape check inside assert_exact compares
the reference's size formulas with the oracle's window counting.
"""

from __future__ import annotations

import itertools

import numpy as np
import oracle
from helpers import cites
from hypothesis import given
from hypothesis import strategies as st

from cnnspec import formulas, ref
from cnnspec.asserts import assert_exact, assert_shape, format_call
from cnnspec.strategies import (
    SEEDS,
    conv_configs,
    conv_transpose_configs,
    make_array,
    pool_configs,
)


@cites("conv.def", "conv.out-size", "conv.groups", "conv.dilation", "conv.bias")
@given(cfg=conv_configs())
def test_conv_matches_oracle(cfg):
    y = ref.conv(cfg.x, cfg.w, cfg.b, **cfg.kwargs)
    assert_exact(y, oracle.conv(cfg.x, cfg.w, cfg.b, **cfg.kwargs), rule="conv.def",
                 call=cfg.call())


@cites("conv.convolve")
@given(cfg=conv_configs(max_rank=2))
def test_convolve_matches_oracle_with_the_kernel_read_backwards(cfg):
    y = ref.convolve(cfg.x, cfg.w, cfg.b, **cfg.kwargs)
    assert_exact(y, oracle.convolve(cfg.x, cfg.w, cfg.b, **cfg.kwargs), rule="conv.convolve",
                 call=cfg.call("convolve"))


@cites("conv-transpose.def", "conv-transpose.out-size", "conv-transpose.groups")
@given(cfg=conv_transpose_configs())
def test_conv_transpose_matches_oracle_scatter(cfg):
    y = ref.conv_transpose(cfg.x, cfg.w, cfg.b, **cfg.kwargs)
    assert_exact(y, oracle.conv_transpose(cfg.x, cfg.w, cfg.b, **cfg.kwargs),
                 rule="conv-transpose.def", call=cfg.call())


@cites("pool.max-def", "pool.out-size", "pool.ceil-mode", "pool.channelwise")
@given(cfg=pool_configs(kind="max"))
def test_max_pool_matches_oracle(cfg):
    y = ref.max_pool(cfg.x, **cfg.kwargs)
    assert_exact(y, oracle.max_pool(cfg.x, **cfg.kwargs), rule="pool.max-def", call=cfg.call())


@cites("pool.max-nan")
@given(cfg=pool_configs(kind="max", max_nans=3))
def test_max_pool_propagates_nan_like_oracle(cfg):
    y = ref.max_pool(cfg.x, **cfg.kwargs)
    assert_exact(y, oracle.max_pool(cfg.x, **cfg.kwargs), rule="pool.max-nan", call=cfg.call())


@cites("pool.avg-def", "pool.avg-divisor", "pool.out-size", "pool.ceil-mode")
@given(cfg=pool_configs(kind="avg"))
def test_avg_pool_matches_oracle(cfg):
    y = ref.avg_pool(cfg.x, **cfg.kwargs)
    assert_exact(y, oracle.avg_pool(cfg.x, **cfg.kwargs), rule="pool.avg-divisor",
                 call=cfg.call())


@cites("pool.global")
@given(data=st.data())
def test_global_pools_match_oracle(data):
    rank = data.draw(st.integers(1, 3), label="rank")
    shape = data.draw(st.tuples(st.integers(1, 2), st.integers(1, 3),
                                *[st.integers(1, 5)] * rank), label="x.shape")
    nans = data.draw(st.integers(0, 2), label="nans")
    x = make_array(np.random.default_rng(data.draw(SEEDS, label="seed")), shape, True, nans)
    assert_exact(ref.global_max_pool(x), oracle.global_max_pool(x), rule="pool.global",
                 call=format_call("global_max_pool", x))
    assert_exact(ref.global_avg_pool(x), oracle.global_avg_pool(x), rule="pool.global",
                 call=format_call("global_avg_pool", x))


PAD_LIMIT = {"zeros": None, "replicate": None, "reflect": -1, "circular": 0}  # pad <= n + limit


@cites("pad.modes", "pad.reflect-size", "pad.circular-size")
@given(data=st.data())
def test_pad_modes_match_index_mapping_oracle(data):
    mode = data.draw(st.sampled_from(sorted(PAD_LIMIT)), label="mode")
    rank = data.draw(st.integers(1, 3), label="rank")
    sizes = data.draw(st.tuples(*[st.integers(1, 5)] * rank), label="spatial")
    limit = PAD_LIMIT[mode]
    padding = tuple(
        data.draw(st.tuples(*[st.integers(0, 6 if limit is None else n + limit)] * 2),
                  label=f"padding[{a}]")
        for a, n in enumerate(sizes))
    x = make_array(np.random.default_rng(data.draw(SEEDS, label="seed")), (1, 2, *sizes), True)
    assert_exact(ref.pad(x, padding, mode=mode), oracle.pad(x, padding, mode=mode),
                 rule="pad.modes", call=format_call("pad", x, padding=padding, mode=mode))


# ---------------------------------------------------------------- sizes by counting windows

SMALL = range(1, 6)


@cites("conv.out-size", "pool.out-size", "pool.ceil-mode")
def test_size_formulas_match_window_counting():
    """Every small (i, k, s, d, pb, pa): the floor and ceil formulas equal the number of
    windows the oracle counts one by one, wherever the dilated kernel fits (and, for
    pooling, every window has a tap on the input: the formula refuses the rest)."""
    for i, k, s, d, pb, pa in itertools.product(SMALL, SMALL, range(1, 5), range(1, 4),
                                                range(4), range(4)):
        if d * (k - 1) + 1 > i + pb + pa:
            continue
        args = dict(stride=s, padding=(pb, pa), dilation=d)
        call = f"i={i}, k={k}, stride={s}, dilation={d}, padding=({pb}, {pa})"
        assert_shape([formulas.conv_out_size(i, k, **args)],
                     [oracle.count_windows(i, k, s, (pb, pa), d)], rule="conv.out-size",
                     name="conv_out_size", call=call)
        for ceil_mode in (False, True):
            if formulas.pool_window_has_input(i, k, ceil_mode=ceil_mode, **args) is not None:
                continue
            assert_shape([formulas.pool_out_size(i, k, ceil_mode=ceil_mode, **args)],
                         [oracle.count_windows(i, k, s, (pb, pa), d, ceil_mode)],
                         rule="pool.ceil-mode" if ceil_mode else "pool.out-size",
                         name="pool_out_size", call=f"{call}, ceil_mode={ceil_mode}")
