"""Checks of the pooling rules (declared in rules/pool.py), runnable on any target.

Values are compared with the reference: exactly for max pooling (integer-valued data is
exact in every float format), within the K-aware bound for averages (an average divides).
Relations (channels, increasing maps, global pooling, avg-as-conv, purity) compare the
target with itself.  Checks that exist once per kind of pooling are built by the
``_declare_*`` factories and declared below them, each call naming its check in full
(``max_pool_...`` / ``avg_pool_...``), so that grep finds every check ID.  The worked
examples of the rules are records run by example_checks; the configurations built to
show one boundary (ceil_mode's dropped window and overhang, a dilated window stepping over
the input) are drawn by rules/_pool_cases.py.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np

from .. import formulas
from ..asserts import assert_exact, assert_shape
from ..tolerance import is_exact
from . import check, strategies
from ._harness import (
    Call,
    accepted,
    expect_close,
    expect_raises,
    expect_reference,
    fail,
    invoke,
    reference_call,
    refused_for,
)
from ._pool_cases import ceil_configs, dilated_skip_configs


def _op(kind: str) -> str:
    return f"{kind}_pool"


def _configs(kind: str, *, ceil: bool | None = None, **kwargs):
    """pool_configs in floor mode only (ceil=False), ceil mode only (True), or both (None);
    an op without ceil_mode (capabilities) draws nothing for ceil=True."""
    return strategies().pool_configs(kind=kind, ceil_mode=ceil, **kwargs)


def _pool(target, cfg, rule: str, x=None, **changes):
    """target.<kind>_pool on cfg, with x and keywords replaced by the ones given."""
    kwargs = {**cfg.kwargs, **changes}
    x = cfg.x if x is None else x
    op = _op(cfg.kind)
    return invoke(target, op, x, rule=rule, call=Call(op, (x,), kwargs).call(), **kwargs)


def _expected_shape(cfg) -> tuple[int, ...]:
    spatial = formulas.pool_out_shape(cfg.x.shape[2:], cfg.kernel, stride=cfg.stride,
                                      padding=cfg.padding, dilation=cfg.dilation,
                                      ceil_mode=cfg.ceil_mode)
    return (*cfg.x.shape[:2], *spatial)


def _abs_avg(x, **kwargs) -> np.ndarray:
    """ref.avg_pool of |x|: the sum the average's error bound scales with."""
    return reference_call("avg_pool", np.abs(x), **kwargs)


def _compare(target, kind, y, expected, *, x, kwargs, rule, call, slack=1, name="y"):
    """max: exactly; avg: within slack times the avg_pool bound (slack=2 when both sides
    are results of the target, each within the bound of the exact value)."""
    if kind == "max":
        assert_exact(y, expected, rule=rule, call=call, name=name)
    else:
        expect_close(target, y, expected, rule=rule, call=call,
                     abs_sum=slack * _abs_avg(x, **kwargs),
                     terms=math.prod(kwargs["kernel"]) + 1, integer_valued=False)


# ---------------------------------------------------------------- the divisor, counted


def _cells_and_divisor(cfg) -> tuple[np.ndarray, np.ndarray]:
    """Per window: the cells on the input and the divisor, counted tap by tap on each axis
    (a window's counts are the products of its per-axis counts).  [pool.avg-divisor]"""
    cells, divisor = np.ones(()), np.ones(())
    spatial = cfg.x.shape[2:]
    for i, k, s, (pb, pa), o in zip(spatial, cfg.kernel, cfg.stride, cfg.padding,
                                     _expected_shape(cfg)[2:]):
        taps = np.arange(o)[:, None] * s + np.arange(k)[None, :]  # (o, k) padded positions
        inside = ((taps >= pb) & (taps < pb + i)).sum(axis=1)  # (o,)
        padded = (taps < pb + i + pa).sum(axis=1)  # (o,): the overhang is never counted
        cells = np.multiply.outer(cells, inside)
        divisor = np.multiply.outer(divisor, padded if cfg.count_include_pad else inside)
    return cells, divisor  # (*out) each


# ---------------------------------------------------------------- per-kind checks


def _declare_shape(rule_id: str, name: str, kind: str, ceil: bool) -> None:
    def fn(target, cfg):
        y = _pool(target, cfg, rule_id)
        assert_shape(y.shape, _expected_shape(cfg), rule=rule_id, call=cfg.call())

    check(rule_id, ops=_op(kind), cases=lambda: _configs(kind, ceil=ceil), name=name)(fn)


def _declare_dropped(name: str, kind: str) -> None:
    def fn(target, cfg):
        i, s, (pb, pa) = cfg.x.shape[2], cfg.stride[0], cfg.padding[0]
        e = cfg.dilation[0] * (cfg.kernel[0] - 1) + 1
        kept = (i + pb - 1) // s + 1
        y = _pool(target, cfg, "pool.ceil-mode")
        if y.ndim == cfg.x.ndim and y.shape[2] == kept + 1:
            fail(f"y.shape[2]={y.shape[2]}, but should be {kept}: window {kept} would start at "
                 f"padded position {kept * s}, at or past the end of the input ({pb + i}), and "
                 f"is dropped", "pool.ceil-mode", cfg.call(),
                 f"  axis 0: min(ceil(({i} + {pb} + {pa} - {e})/{s}) + 1, "
                 f"floor(({i} + {pb} - 1)/{s}) + 1) = {kept}")
        assert_shape(y.shape, _expected_shape(cfg), rule="pool.ceil-mode", call=cfg.call())
        expect_reference(target, _op(kind), (cfg.x,), cfg.kwargs, rule="pool.ceil-mode",
                         call=cfg.call())

    check("pool.ceil-mode", ops=_op(kind), cases=lambda: ceil_configs(kind, "dropped"),
          name=name)(fn)


def _declare_boundary(rule_id: str, names: tuple[str, str], kind: str, why: str) -> None:
    """On boundary configs: refused where the reference refuses for rule_id (negative);
    elsewhere, the last valid value and its valid neighbours compute the reference.
    ``names``: the two checks' names, (refuses, computes)."""
    op = _op(kind)

    def refuses(target, cfg):
        from hypothesis import assume

        assume(refused_for(op, (cfg.x,), cfg.kwargs, rule_id))
        expect_raises(target, op, cfg.x, rule=rule_id, why=why, call=cfg.call(), **cfg.kwargs)

    def computes(target, cfg):
        from hypothesis import assume

        expected = accepted(op, (cfg.x,), cfg.kwargs)
        assume(expected is not None)
        expect_reference(target, op, (cfg.x,), cfg.kwargs, rule=rule_id, call=cfg.call(),
                         expected=expected)

    def cases():
        return strategies().boundary_pool_configs(kind=kind)

    check(rule_id, ops=op, kind="negative", cases=cases, name=names[0])(refuses)
    check(rule_id, ops=op, cases=cases, name=names[1], oracle="reference")(computes)


def _declare_channelwise(name: str, kind: str) -> None:
    def fn(target, cfg):
        c = cfg.x.shape[1]
        perm = np.random.default_rng(cfg.seed).permutation(c)
        if (perm == np.arange(c)).all():  # never the identity
            perm = np.roll(perm, 1)
        y = _pool(target, cfg, "pool.channelwise")
        yp = _pool(target, cfg, "pool.channelwise", x=cfg.x[:, perm])
        call = f"{cfg.call()}, channels permuted by {perm.tolist()}"
        _compare(target, kind, yp, y[:, perm], x=cfg.x, kwargs=cfg.kwargs, slack=2,
                 rule="pool.channelwise", call=call, name="pool(x[:, perm])")

    check("pool.channelwise", ops=_op(kind), name=name,
          cases=lambda: _configs(kind).filter(lambda c: c.x.shape[1] >= 2))(fn)


def _declare_global(name: str, kind: str) -> None:
    def fn(target, cfg):
        from .. import ref

        spatial = cfg.x.shape[2:]
        r = len(spatial)
        kwargs = {**cfg.kwargs, "kernel": tuple(spatial), "padding": ((0, 0),) * r}
        if kind == "max":
            kwargs["dilation"] = (1,) * r
        call = Call(_op(kind), (cfg.x,), kwargs).call()
        y = invoke(target, _op(kind), cfg.x, rule="pool.global", call=call, **kwargs)
        expected = (ref.global_max_pool if kind == "max" else ref.global_avg_pool)(cfg.x)
        _compare(target, kind, y, expected, x=cfg.x, kwargs=kwargs, rule="pool.global",
                 call=call)

    check("pool.global", ops=_op(kind), cases=lambda: _configs(kind), name=name)(fn)


def _declare_pure(name: str, kind: str) -> None:
    def fn(target, cfg):
        """pool(x), then pool of other inputs (same shape, then a larger batch), then pool(x)
        again: the same values, and the first result unchanged by the later calls."""
        call = f"{cfg.call()} twice, other inputs pooled in between"
        y1 = _pool(target, cfg, "pool.no-params")
        first = y1.copy()
        _pool(target, cfg, "pool.no-params", x=1 - 2 * cfg.x)
        _pool(target, cfg, "pool.no-params", x=np.concatenate([-cfg.x, 2 * cfg.x]))
        assert_exact(y1, first, rule="pool.no-params", call=call,
                     name="the first result, after the later calls,")
        y2 = _pool(target, cfg, "pool.no-params")
        assert_exact(y2, first, rule="pool.no-params", name="the second result", call=call)

    check("pool.no-params", ops=_op(kind), cases=lambda: _configs(kind), name=name)(fn)


# one call per check, its name written out in full: grep finds every report ID
_TOO_BIG = "the dilated window is larger than the padded input"
_NO_INPUT = "a window has no tap on the input"
_declare_shape("pool.out-size", "max_pool_floor_mode_shape", "max", ceil=False)
_declare_shape("pool.ceil-mode", "max_pool_ceil_mode_shape", "max", ceil=True)
_declare_dropped("max_pool_drops_the_window_starting_in_the_right_padding", "max")
_declare_boundary("pool.kernel-fits", ("max_pool_refuses", "max_pool_computes_the_valid_side"),
                  "max", _TOO_BIG)
_declare_boundary("pool.window-has-input", ("max_pool_refuses", "max_pool_computes_the_valid_side"),
                  "max", _NO_INPUT)
_declare_channelwise("max_pool_commutes_with_a_channel_permutation", "max")
_declare_global("max_pool_with_the_whole_input_as_kernel", "max")
_declare_pure("max_pool_same_input_same_output", "max")
_declare_shape("pool.out-size", "avg_pool_floor_mode_shape", "avg", ceil=False)
_declare_shape("pool.ceil-mode", "avg_pool_ceil_mode_shape", "avg", ceil=True)
_declare_dropped("avg_pool_drops_the_window_starting_in_the_right_padding", "avg")
_declare_boundary("pool.kernel-fits", ("avg_pool_refuses", "avg_pool_computes_the_valid_side"),
                  "avg", _TOO_BIG)
_declare_boundary("pool.window-has-input", ("avg_pool_refuses", "avg_pool_computes_the_valid_side"),
                  "avg", _NO_INPUT)
_declare_channelwise("avg_pool_commutes_with_a_channel_permutation", "avg")
_declare_global("avg_pool_with_the_whole_input_as_kernel", "avg")
_declare_pure("avg_pool_same_input_same_output", "avg")


# ---------------------------------------------------------------- single checks


@check("pool.window-has-input", ops="max_pool", kind="negative",
       cases=dilated_skip_configs)
def check_max_pool_refuses_a_dilated_window_stepping_over_the_input(target, cfg):
    """Padding <= e//2 passes PyTorch's limit, yet the taps of a window can all miss a short
    input (PyTorch then returns -inf)."""
    from hypothesis import assume

    assume(refused_for("max_pool", (cfg.x,), cfg.kwargs, "pool.window-has-input"))
    expect_raises(target, "max_pool", cfg.x, rule="pool.window-has-input", call=cfg.call(),
                  why="the taps of a dilated window all miss the input", **cfg.kwargs)


@check("pool.max-def", ops="max_pool", cases=lambda: _configs("max"), oracle="reference")
def check_max_pool_matches_the_reference(target, cfg):
    expect_reference(target, "max_pool", (cfg.x,), cfg.kwargs, rule="pool.max-def",
                     call=cfg.call())


@check("pool.max-def", ops="max_pool", max_examples=20,
       cases=lambda: strategies().pool_configs(kind="max", max_rank=1, max_side=80, max_volume=80,
                                               max_channels=2, max_batch=1), oracle="reference")
def check_max_pool_wide_outputs(target, cfg):
    """Outputs up to ~80 wide: a kernel that works in tiles of outputs (16, 32, ...) must
    write the last, partial tile (conformance/mutants/max_pool_tile_tail_dropped)."""
    check_max_pool_matches_the_reference(target, cfg)


@check("pool.max-def", ops="max_pool", max_examples=6,
       cases=lambda: strategies().large_pool_configs(kind="max"), large=True, oracle="reference")
def check_max_pool_large_cases(target, cfg):
    """Outputs up to 129 wide (one past and one short of 16, 32 and 64), up to 131 channels,
    batches up to 9: where tiled kernels take their tail paths."""
    check_max_pool_matches_the_reference(target, cfg)


@check("pool.max-def", ops="max_pool", cases=lambda: _configs("max", integer_valued=False), oracle="reference")
def check_max_pool_real_valued_data_rounded_once(target, cfg):
    expect_reference(target, "max_pool", (cfg.x,), cfg.kwargs, rule="pool.max-def",
                     call=cfg.call(), integer_valued=False)


@check("pool.max-nan", ops="max_pool",
       cases=lambda: _configs("max", max_nans=3).filter(lambda c: bool(np.isnan(c.x).any())), oracle="reference")
def check_max_pool_propagates_nan(target, cfg):
    y = _pool(target, cfg, "pool.max-nan")
    expected = reference_call("max_pool", cfg.x, **cfg.kwargs)
    assert_shape(y.shape, expected.shape, rule="pool.max-nan", call=cfg.call())
    for idx in np.argwhere(np.isnan(expected) != np.isnan(y))[:1]:
        t = tuple(int(v) for v in idx)
        should = "nan: its window holds a NaN" if np.isnan(expected[t]) else \
            f"{float(expected[t])!r}: its window holds no NaN"
        fail(f"y[{list(t)}]={float(y[t])!r}, but should be {should}", "pool.max-nan", cfg.call())
    assert_exact(y, expected, rule="pool.max-nan", call=cfg.call())


@check("pool.avg-def", ops="avg_pool", cases=lambda: _configs("avg"), oracle="reference")
def check_avg_pool_matches_the_reference(target, cfg):
    expect_reference(target, "avg_pool", (cfg.x,), cfg.kwargs, rule="pool.avg-def",
                     call=cfg.call())


@check("pool.avg-def", ops="avg_pool", max_examples=6,
       cases=lambda: strategies().large_pool_configs(kind="avg"), large=True, oracle="reference")
def check_avg_pool_large_cases(target, cfg):
    """Outputs up to 129 wide (one past and one short of 16, 32 and 64), up to 131 channels,
    batches up to 9: where tiled kernels take their tail paths."""
    check_avg_pool_matches_the_reference(target, cfg)


@check("pool.avg-def", ops="avg_pool", cases=lambda: _configs("avg", integer_valued=False), oracle="reference")
def check_avg_pool_real_valued_data_within_the_bound(target, cfg):
    expect_reference(target, "avg_pool", (cfg.x,), cfg.kwargs, rule="pool.avg-def",
                     call=cfg.call(), integer_valued=False)


def _divisor_check(target, cfg):
    """On x = 1 every output is (cells on the input) / divisor, so the divisor shows."""
    ones = np.ones_like(cfg.x)
    y = _pool(target, cfg, "pool.avg-divisor", x=ones)
    cells, divisor = _cells_and_divisor(cfg)
    expected = np.broadcast_to(cells / divisor, (*cfg.x.shape[:2], *cells.shape))
    assert_shape(y.shape, expected.shape, rule="pool.avg-divisor", call=f"{cfg.call()}, x = 1")
    with np.errstate(divide="ignore", invalid="ignore"):
        implied = np.rint(cells / y)  # what the target divided by
    wrong = np.argwhere(implied != divisor)
    if len(wrong):
        t = tuple(int(v) for v in wrong[0])
        p = t[2:]
        counted = ("the window cells inside the padded input" if cfg.count_include_pad
                   else "the window cells on the input")
        fail(f"divisor{list(p)}={implied[t]:g} (y={float(y[t])!r} from {cells[p]:g} input cells), but "
             f"should be {divisor[p]:g}: with count_include_pad={cfg.count_include_pad} it counts "
             f"{counted}, never the ceil_mode overhang", "pool.avg-divisor",
             f"{cfg.call()}, x = 1")
    expect_close(target, y, expected, rule="pool.avg-divisor", call=f"{cfg.call()}, x = 1",
                 abs_sum=expected, terms=math.prod(cfg.kernel) + 1, integer_valued=False)


@check("pool.avg-divisor", ops="avg_pool", cases=lambda: _configs("avg"))
def check_avg_pool_divisor_on_ones(target, cfg):
    _divisor_check(target, cfg)


@check("pool.avg-divisor", ops="avg_pool",
       cases=lambda: ceil_configs("avg", "overhang"))
def check_avg_pool_never_counts_the_ceil_overhang(target, cfg):
    _divisor_check(target, cfg)


@check("pool.max-monotone", ops="max_pool", cases=lambda: _configs("max"))
def check_max_pool_commutes_with_increasing_maps(target, cfg):
    y = _pool(target, cfg, "pool.max-monotone")
    for text, f in (("2*x + 1", lambda v: 2 * v + 1), ("x**3", lambda v: v ** 3)):
        fy = _pool(target, cfg, "pool.max-monotone", x=f(cfg.x))
        assert_exact(fy, f(y.astype(np.float64)), rule="pool.max-monotone",
                     name=f"max_pool({text})", call=f"{cfg.call()}, f(x) = {text}")


@check("pool.avg-as-conv", ops=("avg_pool", "conv"),
       cases=lambda: _configs("avg", ceil=False).map(
           lambda c: dataclasses.replace(c, count_include_pad=True)))
def check_avg_pool_equals_a_depthwise_conv(target, cfg):

    n, c, *spatial = cfg.x.shape
    k = math.prod(cfg.kernel)
    w = np.full((c, 1, *cfg.kernel), 1.0 / k)  # (C, 1, *K): one constant filter per channel
    conv_kw = dict(stride=cfg.stride, padding=cfg.padding, dilation=(1,) * len(spatial),
                   groups=c)
    call = f"{cfg.call()} vs {Call('conv', (cfg.x, w, None), conv_kw).call()}"
    y = _pool(target, cfg, "pool.avg-as-conv")
    yc = invoke(target, "conv", cfg.x, w, None, rule="pool.avg-as-conv", call=call, **conv_kw)
    exact = (cfg.integer_valued and k & (k - 1) == 0  # 1/k and every partial sum exact
             and is_exact(target, y, k * float(np.max(np.abs(cfg.x)))))
    if exact:
        assert_exact(y, yc, rule="pool.avg-as-conv", call=call, name="avg_pool(x)")
    else:
        expect_close(target, y, yc, rule="pool.avg-as-conv", call=call,
                     abs_sum=2 * _abs_avg(cfg.x, **cfg.kwargs), terms=k + 1, integer_valued=False)


@check("pool.no-params", ops=(), cases=lambda: strategies().pool_configs(symmetric_padding=True))
def check_the_parameter_count_is_zero(target, cfg):
    """formulas.pool_params() is 0, and so is the summary's count for the pooling layer."""
    from ..layers import AvgPool, MaxPool
    from ..summary import summarize

    if formulas.pool_params() != 0:
        fail(f"formulas.pool_params()={formulas.pool_params()}, but should be 0",
             "pool.no-params")
    pad = tuple(pb for pb, _ in cfg.padding)
    layer = MaxPool(cfg.kernel, stride=cfg.stride, padding=pad, dilation=cfg.dilation,
                    ceil_mode=cfg.ceil_mode) if cfg.kind == "max" else \
        AvgPool(cfg.kernel, stride=cfg.stride, padding=pad, ceil_mode=cfg.ceil_mode)
    s = summarize([layer], cfg.x.shape[1:])
    if s.total_params != 0:
        fail(f"summary total_params={s.total_params}, but should be 0", "pool.no-params",
             f"summarize([{layer!r}], {cfg.x.shape[1:]})")
