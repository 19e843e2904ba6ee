"""The reference ops against PyTorch on the CPU in float64, exactly (integer-valued data).

PyTorch's conv API takes symmetric padding only: asymmetric padding is applied with F.pad
first.  Its pooling has documented limits that are not spec rules (for a target they are
restrictions, docs/contract.md); each ``assume`` below names the limit it reflects.  The last tests check that
the reference raises exactly where torch raises, on configurations drawn on both sides of
each validity boundary.
"""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")
F = torch.nn.functional
pytestmark = pytest.mark.torch

import numpy as np  # noqa: E402
from helpers import cites  # noqa: E402
from hypothesis import assume, event, given  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from cnnspec import ref  # noqa: E402
from cnnspec.asserts import assert_exact  # noqa: E402
from cnnspec.errors import InvalidConfig  # noqa: E402
from cnnspec.strategies import (  # noqa: E402
    CONV_EDGES,
    CONV_TRANSPOSE_EDGES,
    boundary_conv_configs,
    boundary_conv_transpose_configs,
    boundary_pool_configs,
    conv_configs,
    conv_transpose_configs,
    pool_configs,
)

CONV = {1: F.conv1d, 2: F.conv2d, 3: F.conv3d}
CONV_T = {1: F.conv_transpose1d, 2: F.conv_transpose2d, 3: F.conv_transpose3d}
MAX_POOL = {1: F.max_pool1d, 2: F.max_pool2d, 3: F.max_pool3d}
AVG_POOL = {1: F.avg_pool1d, 2: F.avg_pool2d, 3: F.avg_pool3d}
TORCH_MODE = {"zeros": "constant", "reflect": "reflect", "replicate": "replicate",
              "circular": "circular"}


def T(a):
    return None if a is None else torch.from_numpy(a)


def torch_pad(x, padding, mode="zeros", value=0.0):
    """F.pad with (before, after) pairs in axis order (F.pad lists the last axis first)."""
    flat = [p for pair in reversed(padding) for p in pair]
    if mode == "zeros":
        return F.pad(x, flat, mode="constant", value=value)
    return F.pad(x, flat, mode=TORCH_MODE[mode])


def torch_conv(cfg, mode="zeros"):
    x = torch_pad(T(cfg.x), cfg.padding, mode)
    return CONV[cfg.rank](x, T(cfg.w), T(cfg.b), stride=cfg.stride, padding=0,
                          dilation=cfg.dilation, groups=cfg.groups).numpy()


def torch_conv_transpose(cfg):
    """torch's symmetric padding takes min(pb, pa) per axis; the rest is cropped here."""
    sym = tuple(min(p) for p in cfg.padding)
    y = CONV_T[cfg.rank](T(cfg.x), T(cfg.w), T(cfg.b), stride=cfg.stride, padding=sym,
                         output_padding=cfg.output_padding, groups=cfg.groups,
                         dilation=cfg.dilation)
    crop = tuple(slice(pb - m, y.shape[2 + a] - (pa - m))
                 for a, ((pb, pa), m) in enumerate(zip(cfg.padding, sym)))
    return y[(slice(None), slice(None), *crop)].numpy()


def torch_pool(cfg):
    """Symmetric padding only (cfg drawn with symmetric_padding=True)."""
    pad = tuple(pb for pb, _ in cfg.padding)
    kw = dict(kernel_size=cfg.kernel, stride=cfg.stride, padding=pad, ceil_mode=cfg.ceil_mode)
    if cfg.kind == "max":
        return MAX_POOL[cfg.rank](T(cfg.x), dilation=cfg.dilation, **kw).numpy()
    return AVG_POOL[cfg.rank](T(cfg.x), count_include_pad=cfg.count_include_pad, **kw).numpy()


def assume_torch_pool_limits(cfg):
    # torch limit: pooling padding at most half the (undilated) kernel size
    # ("pad should be at most half of kernel size"); the spec only needs a tap on the input.
    assume(all(pb <= k // 2 for (pb, _), k in zip(cfg.padding, cfg.kernel)))
    if cfg.kind == "avg" and cfg.rank == 3:
        # torch limit: avg_pool3d refuses an input smaller than the kernel on any axis,
        # even when the padded input holds it ("input image ... smaller than kernel size").
        assume(all(i >= k for i, k in zip(cfg.x.shape[2:], cfg.kernel)))


# ---------------------------------------------------------------- values


@cites("conv.def", "conv.out-size", "conv.groups", "conv.dilation", "conv.bias")
@given(cfg=conv_configs())
def test_conv_matches_torch(cfg):
    y = ref.conv(cfg.x, cfg.w, cfg.b, **cfg.kwargs)
    assert_exact(y, torch_conv(cfg), rule="conv.def", call=cfg.call())


@cites("conv-transpose.def", "conv-transpose.out-size", "conv-transpose.output-padding")
@given(cfg=conv_transpose_configs())
def test_conv_transpose_matches_torch(cfg):
    y = ref.conv_transpose(cfg.x, cfg.w, cfg.b, **cfg.kwargs)
    assert_exact(y, torch_conv_transpose(cfg), rule="conv-transpose.def", call=cfg.call())


@cites("pool.max-def", "pool.max-nan", "pool.out-size", "pool.ceil-mode")
@given(cfg=pool_configs(kind="max", symmetric_padding=True, max_nans=2))
def test_max_pool_matches_torch(cfg):
    assume_torch_pool_limits(cfg)
    y = ref.max_pool(cfg.x, **cfg.kwargs)
    assert_exact(y, torch_pool(cfg), rule="pool.max-def", call=cfg.call())


@cites("pool.avg-def", "pool.avg-divisor", "pool.out-size", "pool.ceil-mode")
@given(cfg=pool_configs(kind="avg", symmetric_padding=True))
def test_avg_pool_matches_torch(cfg):
    assume_torch_pool_limits(cfg)
    y = ref.avg_pool(cfg.x, **cfg.kwargs)
    assert_exact(y, torch_pool(cfg), rule="pool.avg-divisor", call=cfg.call())


POOL_KINDS = st.sampled_from(["max", "avg"])


@cites("pool.max-def", "pool.avg-def")
@given(cfg=POOL_KINDS.flatmap(lambda kind: pool_configs(kind=kind)))
def test_floor_mode_pools_with_asymmetric_padding_match_torch_on_a_padded_input(cfg):
    """Floor mode (count_include_pad for avg): pooling with (pb, pa) equals pooling with no
    padding on the input padded by -inf (max) or 0 (avg) first; no torch pad limit applies.
    The drawn config is valid in floor mode too: its padding is below the kernel extent, so
    no floor-mode window starts in the right padding."""
    kw = dict(kernel_size=cfg.kernel, stride=cfg.stride, padding=0, ceil_mode=False)
    args = dict(kernel=cfg.kernel, stride=cfg.stride, padding=cfg.padding, ceil_mode=False)
    if cfg.kind == "avg":
        y = ref.avg_pool(cfg.x, count_include_pad=True, **args)
        x = torch_pad(T(cfg.x), cfg.padding, value=0.0)
        expected = AVG_POOL[cfg.rank](x, count_include_pad=True, **kw).numpy()
    else:
        y = ref.max_pool(cfg.x, dilation=cfg.dilation, **args)
        x = torch_pad(T(cfg.x), cfg.padding, value=-np.inf)
        expected = MAX_POOL[cfg.rank](x, dilation=cfg.dilation, **kw).numpy()
    assert_exact(y, expected, rule=f"pool.{cfg.kind}-def",
                 call=f"{cfg.kind}_pool(x: {cfg.x.shape}, padding={cfg.padding}, floor mode)")


@cites("pad.same", "pad.valid")
@pytest.mark.filterwarnings("ignore:Using padding='same'")
@given(cfg=conv_configs(), which=st.sampled_from(["same", "valid"]))
def test_conv_same_and_valid_padding_match_torch_at_stride_1(cfg, which):
    """torch 'same': total d*(k-1), the odd cell after, as 'same_upper'.  Stride forced to
    1: torch refuses padding='same' at other strides (a torch limit)."""
    one = (1,) * cfg.rank
    args = dict(stride=one, dilation=cfg.dilation, groups=cfg.groups)
    try:
        expected = CONV[cfg.rank](T(cfg.x), T(cfg.w), T(cfg.b), padding=which, **args).numpy()
    except RuntimeError:
        event("torch refuses")
        # 'valid' on a kernel larger than the input: the spec must refuse it too.
        with pytest.raises(InvalidConfig, match=r"\[conv\.kernel-fits\]"):
            ref.conv(cfg.x, cfg.w, cfg.b, padding=which, **args)
        return
    y = ref.conv(cfg.x, cfg.w, cfg.b, padding=which, **args)
    assert_exact(y, expected, rule=f"pad.{which}", call=f"conv(..., padding={which!r}) of {cfg}")


@cites("pad.modes", "pad.reflect-size", "pad.circular-size")
@given(cfg=conv_configs(), mode=st.sampled_from(["reflect", "replicate", "circular"]))
def test_conv_padding_modes_match_torch(cfg, mode):
    """ref.conv(padding_mode=mode) against F.pad(mode) then an unpadded torch conv; where
    the padding is too large for the mode both must refuse it."""
    try:
        expected = torch_conv(cfg, mode)
    except RuntimeError:
        event(f"{mode}: torch refuses the padding")
        with pytest.raises(InvalidConfig, match=r"\[pad\.(reflect|circular)-size\]"):
            ref.conv(cfg.x, cfg.w, cfg.b, padding_mode=mode, **cfg.kwargs)
        return
    y = ref.conv(cfg.x, cfg.w, cfg.b, padding_mode=mode, **cfg.kwargs)
    assert_exact(y, expected, rule="pad.modes", call=f"{cfg}, padding_mode={mode!r}")


# ---------------------------------------------------------------- raising where torch raises


def outcome(fn):
    """(result, None) or (None, exception)."""
    try:
        return fn(), None
    except Exception as e:  # noqa: BLE001 - any refusal counts; its type is checked below
        return None, e


def assert_same_outcome(ref_fn, torch_fn, *, call, rule):
    """Both raise, or both compute the same values.  The reference must raise
    InvalidConfig; torch may raise anything."""
    y, ref_err = outcome(ref_fn)
    expected, torch_err = outcome(torch_fn)
    if ref_err is not None and torch_err is not None:
        event(f"both raise [{getattr(ref_err, 'rule', '?')}]")
    elif ref_err is None and torch_err is None:
        event("both compute")
    if ref_err is not None and not isinstance(ref_err, InvalidConfig):
        raise AssertionError(f"the reference raised {type(ref_err).__name__}: {ref_err}, "
                             f"but should raise InvalidConfig [{rule}]\n  [{call}]")
    if (ref_err is None) != (torch_err is None):
        said = (f"the reference raised {ref_err}" if ref_err is not None
                else "the reference computed a result")
        did = (f"torch raised {type(torch_err).__name__}: {str(torch_err).splitlines()[0]}"
               if torch_err is not None else "torch computed a result")
        raise AssertionError(f"{said}, but {did}; both should raise or both compute "
                             f"[{getattr(ref_err, 'rule', rule)}]\n  [{call}]")
    if ref_err is None:
        assert_exact(y, expected, rule=rule, call=call)


def edge_params(family, edges):
    """One param per boundary, its ID and its cites marker the rule it moves."""
    return [pytest.param(e, id=f"{family}.{e}", marks=cites(f"{family}.{e}")) for e in edges]


@pytest.mark.parametrize("edge", edge_params("conv", CONV_EDGES))
@given(data=st.data())
def test_conv_raises_exactly_where_torch_raises(edge, data):
    """Configs on both sides of one boundary (the rule in the test ID)."""
    cfg = data.draw(boundary_conv_configs(edges=(edge,)), label="cfg")
    assert_same_outcome(lambda: ref.conv(cfg.x, cfg.w, cfg.b, **cfg.kwargs),
                        lambda: torch_conv(cfg), call=cfg.call(), rule=f"conv.{edge}")


@pytest.mark.parametrize("edge", edge_params("conv-transpose", CONV_TRANSPOSE_EDGES))
@given(data=st.data())
def test_conv_transpose_raises_exactly_where_torch_raises(edge, data):
    """Configs on both sides of one boundary (the rule in the test ID)."""
    cfg = data.draw(boundary_conv_transpose_configs(edges=(edge,)), label="cfg")
    assert_same_outcome(lambda: ref.conv_transpose(cfg.x, cfg.w, cfg.b, **cfg.kwargs),
                        lambda: torch_conv_transpose(cfg), call=cfg.call(),
                        rule=f"conv-transpose.{edge}")


def _torch_ceil_overhang(cfg):
    """True when the spec's kernel-fits refusal is only torch's ceil-mode overhang: every
    axis has d*(k-1)+1 <= i + pb + pa + s - 1 (torch needs just one output)."""
    return cfg.ceil_mode and all(
        d * (k - 1) + 1 <= i + pb + pa + s - 1
        for i, k, s, (pb, pa), d in zip(cfg.x.shape[2:], cfg.kernel, cfg.stride, cfg.padding,
                                        cfg.dilation))


@cites("pool.kernel-fits", "pool.window-has-input")
@given(cfg=POOL_KINDS.flatmap(lambda kind: boundary_pool_configs(kind=kind,
                                                                   half_kernel_pad=True)))
def test_pool_raises_exactly_where_torch_raises(cfg):
    assume_torch_pool_limits(cfg)
    ref_fn = ref.max_pool if cfg.kind == "max" else ref.avg_pool
    _, ref_err = outcome(lambda: ref_fn(cfg.x, **cfg.kwargs))
    y, torch_err = outcome(lambda: torch_pool(cfg))
    rule = getattr(ref_err, "rule", None)
    if torch_err is None and rule == "pool.window-has-input":
        # Convention difference, not compared: the spec refuses a window made only of
        # padding; torch (within its pad limit this takes dilation, so max pooling only)
        # returns -inf there.
        event("window of padding only: torch gives -inf")
        assert_exact(np.isneginf(y).any(), True, rule=rule, call=cfg.call())
        return
    if torch_err is None and rule == "pool.kernel-fits" and _torch_ceil_overhang(cfg):
        # Convention difference, not compared: in ceil mode torch accepts a first window
        # that hangs past the padded input by up to stride-1 cells (it only needs an output
        # size >= 1); the spec requires the dilated kernel to fit the padded input.
        event("ceil-mode first window overhangs: torch computes")
        return
    assert_same_outcome(lambda: ref_fn(cfg.x, **cfg.kwargs), lambda: torch_pool(cfg),
                        call=cfg.call(), rule="pool.kernel-fits")
