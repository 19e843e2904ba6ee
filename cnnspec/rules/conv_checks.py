"""The executable checks of the conv rules (declared in :mod:`cnnspec.rules.conv`).

Every check calls the target through the harness and cites its rule.  Where a rule is a
relation (stride = subsampling, padding = padding the input, linearity, ...) the check
compares the target with itself, so that a target consistent everywhere but wrong in one
place is caught by the rule about that place.  Data a check needs beyond the case (a second
input, a shift, another kernel) comes from a generator seeded by the case's seed and a
per-check salt, so the case's repr rebuilds it.  Checks with ``ops=()`` check the spec's
own claims on the reference (run once, not per target).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .. import formulas, ref, tolerance
from ..asserts import assert_exact, format_call
from ..ref.grad import conv_grad_input, conv_grad_weight
from . import check, strategies
from ._harness import ConventionDifference, expect_close, expect_raises, fail, invoke, is_exact, refused_by_reference

# ---------------------------------------------------------------- helpers


def _rng(cfg, salt: int) -> np.random.Generator:
    """Extra data for one check: seeded by the case's seed and the check's salt."""
    return np.random.default_rng([cfg.seed, salt])


def _ints(rng: np.random.Generator, shape) -> np.ndarray:
    """Small integers as float64, like the cases' data."""
    return strategies().make_array(rng, tuple(shape), True)


def _kw(rank: int, **given):
    """Contract keywords with unit defaults (stride 1, no padding, dilation 1, groups 1)."""
    return {"stride": (1,) * rank, "padding": ((0, 0),) * rank, "dilation": (1,) * rank,
            "groups": 1, **given}


def _conv(target, rule: str, x, w, b=None, **kw) -> np.ndarray:
    """target.conv through the harness (invoke), with unit defaults for missing keywords.
    b=None becomes a bias of zeros (the same sum) where the capabilities drawn under say the
    target lacks ``bias_none`` (:func:`cnnspec.strategies.set_capabilities`)."""
    kw = _kw(x.ndim - 2, **kw)
    if b is None and ((strategies().current_capabilities() or {}).get("conv") or {}).get(
            "bias_none", True) is False:
        b = np.zeros(w.shape[0])
    return invoke(target, "conv", x, w, b, rule=rule, call=format_call("conv", x, w, b, **kw), **kw)


def _abs(x, w, b=None, **kw) -> np.ndarray:
    """sum |x||w| + |b| per output (the reference on absolute values)."""
    return tolerance.conv_abs_sum(x, w, b, **_kw(x.ndim - 2, **kw))


def _same(target, y, expected, *, abs_sum, terms, rule, call) -> None:
    """y (a target result) equals expected (made of other results of the same target):
    exactly on integer data the precision holds; else within the bound of abs_sum, the sum
    of |terms| of both sides."""
    expect_close(target, y, np.asarray(expected, dtype=np.float64), rule=rule, call=call,
                 abs_sum=abs_sum, terms=terms)


def _same_as_case(target, y, other, cfg, *, rule, call, kernel=None) -> None:
    """_same for the case's conv computed two ways by the target: the bound's sum is twice
    the case's sum(|x||w|) + |b|, its term count that of ``kernel`` (default cfg.w)."""
    _same(target, y, other, abs_sum=2 * _abs(cfg.x, cfg.w, cfg.b, **cfg.kwargs),
          terms=tolerance.conv_terms(cfg.w if kernel is None else kernel, cfg.b), rule=rule, call=call)


def _spatial(a: np.ndarray) -> tuple[int, ...]:
    return tuple(range(2, a.ndim))


def _padded(cfg) -> np.ndarray:
    return np.pad(cfg.x, [(0, 0), (0, 0), *cfg.padding])  # (N, C_in, *P)


def _bias(cfg) -> np.ndarray | float:
    return 0.0 if cfg.b is None else cfg.b.reshape(-1, *(1,) * cfg.rank)  # (C_out, 1, ...)


def _reference_conv(cfg):
    """ref.conv of the case, and the sum of |x||w| + |b| per output with its term count."""
    return (ref.conv(cfg.x, cfg.w, cfg.b, **cfg.kwargs), _abs(cfg.x, cfg.w, cfg.b, **cfg.kwargs),
            tolerance.conv_terms(cfg.w, cfg.b))


def _accepted_by_reference(cfg) -> bool:
    from ..errors import InvalidConfig

    try:
        ref.conv(cfg.x, cfg.w, cfg.b, **cfg.kwargs)
    except InvalidConfig:
        return False
    return True


# ---------------------------------------------------------------- conv.def, conv.convolve, conv.commutes


@check("conv.def", ops="conv", cases=lambda: strategies().conv_configs(), oracle="reference")
def check_matches_the_reference(target, cfg):
    """Every output element equals b[o] + the window's dot product with the kernel."""
    y = invoke(target, "conv", cfg.x, cfg.w, cfg.b, rule="conv.def", call=cfg.call(), **cfg.kwargs)
    expected, abs_sum, terms = _reference_conv(cfg)
    expect_close(target, y, expected, rule="conv.def", call=cfg.call(), abs_sum=abs_sum,
                 terms=terms, integer_valued=cfg.integer_valued)


@check("conv.def", ops="conv", cases=lambda: strategies().conv_configs(integer_valued=False), oracle="reference")
def check_real_valued_data_within_the_bound(target, cfg):
    y = invoke(target, "conv", cfg.x, cfg.w, cfg.b, rule="conv.def", call=cfg.call(), **cfg.kwargs)
    expected, abs_sum, terms = _reference_conv(cfg)
    expect_close(target, y, expected, rule="conv.def", call=cfg.call(), abs_sum=abs_sum,
                 terms=terms, integer_valued=False)


@check("conv.def", ops="conv", max_examples=20,
       cases=lambda: strategies().conv_configs(max_rank=1, max_side=6, max_kernel=3, max_channels=40,
                                               max_batch=1), oracle="reference")
def check_many_channels_per_group(target, cfg):
    """Up to 40 channels: a kernel that works in blocks of channels (8, 16, ...) must not drop
    the last, partial block (conformance/mutants/conv_channel_block_tail_dropped)."""
    check_matches_the_reference(target, cfg)


@check("conv.def", ops="conv", max_examples=8, cases=lambda: strategies().large_conv_configs(), large=True,
       oracle="reference")
def check_large_cases(target, cfg):
    """Outputs up to 129 wide (one past and one short of 16, 32 and 64), up to 130 channels
    (65 per group), K up to 1170, batches up to 9: the sizes at which tiled and vectorized
    kernels take their tail paths (conformance/mutants/conv_tail_tile_16, conv_tail_tile_32,
    conv_channel_block_48_dropped).  Integer data: exact."""
    check_matches_the_reference(target, cfg)


#: Integers up to this magnitude need 12 significant bits: exact in float32 (24 bits), not in
#: TF32 (11 bits) or bfloat16 (8 bits), whose rounding of an input shows as a wrong integer.
WIDE_INT = 2**12 - 1


@check("conv.def", ops="conv", cases=lambda: strategies().conv_configs(), oracle="reference")
def check_integers_beyond_reduced_precision(target, cfg):
    """x (or w, half the time) integers in [-4095, 4095], the other operand in [-4, 4]: every
    sum stays below 4095 * 4 * 384 < 2**24, exact in float32, while an input rounded to TF32
    or bfloat16 changes the result by whole units (conformance/mutants/conv_tf32_inputs,
    conv_bfloat16_inputs).  A target that declares its precision (PRECISION = "tf32") is
    judged within that precision's bound instead: its inputs cannot hold these integers."""
    from hypothesis import assume

    assume(target.precision != "float16")  # these sums overflow float16
    rng = _rng(cfg, 13)
    wide_x = bool(rng.integers(2))
    shape = cfg.x.shape if wide_x else cfg.w.shape
    wide = rng.integers(-WIDE_INT, WIDE_INT + 1, size=shape).astype(np.float64)
    x, w = (wide, cfg.w) if wide_x else (cfg.x, wide)
    y = _conv(target, "conv.def", x, w, cfg.b, **cfg.kwargs)
    assume(y.dtype != np.float16)
    held = tolerance.exact_in(target.precision or y.dtype, WIDE_INT)  # inputs representable
    expect_close(target, y, ref.conv(x, w, cfg.b, **cfg.kwargs), rule="conv.def",
                 call=f"{format_call('conv', x, w, cfg.b, **cfg.kwargs)}, {'x' if wide_x else 'w'} "
                      f"integers in [-{WIDE_INT}, {WIDE_INT}] from default_rng([{cfg.seed}, 13])",
                 abs_sum=_abs(x, w, cfg.b, **cfg.kwargs), terms=tolerance.conv_terms(w, cfg.b),
                 integer_valued=held)


@check("conv.def", ops="conv", cases=lambda: strategies().conv_configs(max_rank=2), oracle="reference")
def check_nan_in_a_window_makes_the_output_nan(target, cfg):
    """IEEE arithmetic: a NaN anywhere in an output's window makes that output NaN, even under
    a zero weight (NaN * 0 = NaN): an implementation that skips zero weights loses it.
    Skipping a zero weight is also what BLAS kernels do (NumPy's tensordot): a target whose
    outputs differ only that way (NaN under a zero weight gave 0, everything else exact)
    follows the convention nan_times_zero, allowed by default."""
    x = cfg.x.copy()
    rng = np.random.default_rng(cfg.seed)
    x.reshape(-1)[rng.integers(0, x.size, size=1 + x.size // 16)] = np.nan
    w = cfg.w.copy()
    w.reshape(-1)[rng.integers(0, w.size, size=1 + w.size // 3)] = 0.0  # zero weights under the NaNs too
    y = invoke(target, "conv", x, w, cfg.b, rule="conv.def", call=cfg.call(), **cfg.kwargs)
    expected = ref.conv(x, w, cfg.b, **cfg.kwargs)
    nan_windows = ref.conv(np.isnan(x).astype(np.float64), np.ones_like(w), None, **cfg.kwargs) > 0
    if not np.array_equal(np.isnan(expected), nan_windows):  # the reference itself, for the record
        fail("the reference lost a NaN, but every window holding a NaN should give NaN", "conv.def",
             cfg.call())
    try:
        assert_exact(y, expected, rule="conv.def", call=cfg.call())
    except AssertionError as e:
        if y.shape == expected.shape and _nan_times_zero_is_zero(y, expected, x, w, cfg):
            raise ConventionDifference(
                f"{e}\n  (every difference is a NaN that met only zero weights and gave 0: "
                f"the convention nan_times_zero='zero-weight-skips-nan', as BLAS kernels do)",
                "nan_times_zero") from None
        raise


def _nan_times_zero_is_zero(y, expected, x, w, cfg) -> bool:
    """Whether y agrees with the IEEE result or, output by output, with the same sum where
    NaN * 0 counts 0: NaN kept wherever a NaN meets a non-zero weight."""
    kw = cfg.kwargs
    under_nonzero = ref.conv(np.isnan(x).astype(np.float64), (w != 0).astype(np.float64), None,
                             **kw) > 0
    skipped = ref.conv(np.where(np.isnan(x), 0.0, x), w, cfg.b, **kw)
    skipped[under_nonzero] = np.nan
    same = (y == expected) | (np.isnan(y) & np.isnan(expected))
    alt = (y == skipped) | (np.isnan(y) & np.isnan(skipped))
    return bool((same | alt).all())


def _true_convolution(cfg) -> np.ndarray:
    """scipy.signal.convolve ('valid', direct) of each padded input plane with each kernel
    slice, summed over the group's channels, subsampled by the stride (dilation 1)."""
    from scipy import signal

    xpad, (c_out, cg) = _padded(cfg), cfg.w.shape[:2]
    og = c_out // cfg.groups
    grid = (slice(None), *(slice(None, None, s) for s in cfg.stride))
    y = [sum(signal.convolve(xpad[:, o // og * cg + c], cfg.w[o, c][None], mode="valid",
                             method="direct") for c in range(cg))[grid]  # (N, *out)
         for o in range(c_out)]
    return np.stack(y, axis=1) + _bias(cfg)  # (N, C_out, *out)


@check("conv.convolve", ops="conv", cases=lambda: strategies().conv_configs(max_dilation=1))
def check_flipped_kernel_gives_true_convolution(target, cfg):
    flipped = np.flip(cfg.w, _spatial(cfg.w))
    y = _conv(target, "conv.convolve", cfg.x, flipped, cfg.b, **cfg.kwargs)
    _same(target, y, _true_convolution(cfg), abs_sum=_abs(cfg.x, flipped, cfg.b, **cfg.kwargs),
          terms=tolerance.conv_terms(cfg.w, cfg.b), rule="conv.convolve",
          call=f"{cfg.call()} with w flipped, against scipy.signal.convolve(x, w)")


def _full(op, a: np.ndarray, k: np.ndarray) -> np.ndarray:
    """op ('full' mode) of 1-D signals a and k: padding len(k) - 1 on both sides."""
    return op(a[None, None], k[None, None], **_kw(1, padding=((len(k) - 1,) * 2,)))[0, 0]


def _signals(cfg):
    return cfg.x[0, 0], cfg.w[0, 0]


_SIGNALS = dict(max_rank=1, max_channels=1, max_batch=1, max_pad=0, max_dilation=1, max_stride=1)


@check("conv.commutes", ops=(), cases=lambda: strategies().conv_configs(**_SIGNALS))
def check_full_convolution_commutes(target, cfg):
    a, b = _signals(cfg)
    ab, ba = _full(ref.convolve, a, b), _full(ref.convolve, b, a)
    if not np.array_equal(ab, ba):
        fail(f"convolve_full(a, b)={ab.tolist()}, but should equal convolve_full(b, a)="
             f"{ba.tolist()}", "conv.commutes", f"a={a.tolist()}, b={b.tolist()}")


@check("conv.commutes", ops=(), cases=lambda: strategies().conv_configs(**_SIGNALS))
def check_cross_correlation_reverses_instead(target, cfg):
    """Swapping the arguments of cross-correlation reverses its output (the rule's worked
    examples show a pair where the reversed output differs: it does not commute)."""
    a, b = _signals(cfg)
    ab, ba = _full(ref.conv, a, b), _full(ref.conv, b, a)
    if not np.array_equal(ab, ba[::-1]):
        fail(f"correlate_full(a, b)={ab.tolist()}, but should be correlate_full(b, a) reversed="
             f"{ba[::-1].tolist()}", "conv.commutes", f"a={a.tolist()}, b={b.tolist()}")


# ---------------------------------------------------------------- sizes and geometry


@check("conv.out-size", ops="conv", cases=lambda: strategies().conv_configs())
def check_output_shape(target, cfg):
    from ..asserts import assert_shape

    y = invoke(target, "conv", cfg.x, cfg.w, cfg.b, rule="conv.out-size", call=cfg.call(),
               **cfg.kwargs)
    spatial = formulas.conv_out_shape(cfg.x.shape[2:], cfg.kernel, stride=cfg.stride,
                                      padding=cfg.padding, dilation=cfg.dilation)
    assert_shape(y.shape, (cfg.x.shape[0], cfg.w.shape[0], *spatial), rule="conv.out-size",
                 call=cfg.call())


def _refusal_check(rule_id: str, edge: str, why: str, refused_for: str | None = None):
    """A negative check of conv: boundary configurations the reference refuses for
    ``refused_for`` (default rule_id), which the target must refuse too."""

    @check(rule_id, ops="conv", kind="negative",
           cases=lambda: strategies().boundary_conv_configs(edges=(edge,)))
    def check_refuses(target, cfg):
        from hypothesis import assume

        assume(refused_by_reference(lambda: ref.conv(cfg.x, cfg.w, cfg.b, **cfg.kwargs),
                                    refused_for or rule_id))
        expect_raises(target, "conv", cfg.x, cfg.w, cfg.b, rule=rule_id, why=why,
                      call=cfg.call(), **cfg.kwargs)


_refusal_check("conv.kernel-fits", "kernel-fits", "the dilated kernel is larger than the padded input")
_refusal_check("conv.out-size", "kernel-fits", "the formula gives an output size <= 0 (never an "
               "empty result)", refused_for="conv.kernel-fits")
_refusal_check("conv.groups", "groups", "groups does not divide the channel counts")
_refusal_check("conv.channels", "channels", "w.shape[1] * groups != C_in")
_refusal_check("conv.bias", "bias", "b.shape != (C_out,)")


@check("conv.kernel-fits", ops="conv",
       cases=lambda: strategies().boundary_conv_configs(edges=("kernel-fits",)), oracle="reference")
def check_computes_where_the_kernel_just_fits(target, cfg):
    """The valid side of the boundary pairs: the last sizes that fit compute, and right."""
    from hypothesis import assume

    assume(_accepted_by_reference(cfg))
    y = invoke(target, "conv", cfg.x, cfg.w, cfg.b, rule="conv.kernel-fits", call=cfg.call(),
               **cfg.kwargs)
    expected, abs_sum, terms = _reference_conv(cfg)
    expect_close(target, y, expected, rule="conv.kernel-fits", call=cfg.call(), abs_sum=abs_sum,
                 terms=terms)


@check("conv.padding", ops="conv", cases=lambda: strategies().conv_configs())
def check_padding_is_padding_the_input(target, cfg):
    y = _conv(target, "conv.padding", cfg.x, cfg.w, cfg.b, **cfg.kwargs)
    unpadded = dict(cfg.kwargs, padding=((0, 0),) * cfg.rank)
    y0 = _conv(target, "conv.padding", _padded(cfg), cfg.w, cfg.b, **unpadded)
    _same_as_case(target, y, y0, cfg, rule="conv.padding",
                  call=f"{cfg.call()}, against conv of np.pad(x) with padding 0")


@check("conv.stride", ops="conv", cases=lambda: strategies().conv_configs())
def check_stride_subsamples_the_stride_1_output(target, cfg):
    y = _conv(target, "conv.stride", cfg.x, cfg.w, cfg.b, **cfg.kwargs)
    y1 = _conv(target, "conv.stride", cfg.x, cfg.w, cfg.b, **dict(cfg.kwargs, stride=(1,) * cfg.rank))
    every_s = y1[(..., *(slice(None, None, s) for s in cfg.stride))]
    _same_as_case(target, y, every_s, cfg, rule="conv.stride",
                  call=f"{cfg.call()}, against the stride-1 output [::s]")


@check("conv.dilation", ops="conv", cases=lambda: strategies().conv_configs())
def check_dilation_is_a_zero_stuffed_kernel(target, cfg):
    eff = [d * (k - 1) + 1 for k, d in zip(cfg.kernel, cfg.dilation)]
    stuffed = np.zeros((*cfg.w.shape[:2], *eff))
    stuffed[(..., *(slice(None, None, d) for d in cfg.dilation))] = cfg.w  # taps d apart
    y = _conv(target, "conv.dilation", cfg.x, cfg.w, cfg.b, **cfg.kwargs)
    y1 = _conv(target, "conv.dilation", cfg.x, stuffed, cfg.b,
               **dict(cfg.kwargs, dilation=(1,) * cfg.rank))
    _same_as_case(target, y, y1, cfg, rule="conv.dilation", kernel=stuffed,
                  call=f"{cfg.call()}, against dilation 1 with the kernel zero-stuffed to {tuple(eff)}")


# ---------------------------------------------------------------- channels


@check("conv.channels", ops="conv", cases=lambda: strategies().conv_configs())
def check_output_is_a_sum_over_input_channels(target, cfg):
    """y[:, o] = b[o] + sum over the group's channels c of a 1-channel conv with w[o, c]."""
    y = _conv(target, "conv.channels", cfg.x, cfg.w, cfg.b, **cfg.kwargs)
    (c_out, cg), one = cfg.w.shape[:2], dict(cfg.kwargs, groups=1)
    og = c_out // cfg.groups
    total = np.zeros(y.shape) + _bias(cfg)
    for c_in in range(cfg.x.shape[1]):
        j, c = divmod(c_in, cg)
        block = slice(j * og, (j + 1) * og)  # the filters that read input channel c_in
        total[:, block] += _conv(target, "conv.channels", cfg.x[:, [c_in]],
                                 cfg.w[block, c:c + 1], None, **one)
    _same_as_case(target, y, total, cfg, rule="conv.channels",
                  call=f"{cfg.call()}, against the sum of its 1-channel convs")


@check("conv.groups", ops="conv", cases=lambda: strategies().conv_configs())
def check_groups_are_independent_convs(target, cfg):
    y = _conv(target, "conv.groups", cfg.x, cfg.w, cfg.b, **cfg.kwargs)
    cg, og = cfg.w.shape[1], cfg.w.shape[0] // cfg.groups
    parts = [_conv(target, "conv.groups", cfg.x[:, j * cg:(j + 1) * cg], cfg.w[j * og:(j + 1) * og],
                   None if cfg.b is None else cfg.b[j * og:(j + 1) * og],
                   **dict(cfg.kwargs, groups=1)) for j in range(cfg.groups)]
    _same_as_case(target, y, np.concatenate(parts, axis=1), cfg, rule="conv.groups",
                  call=f"{cfg.call()}, against one groups=1 conv per group, concatenated")


@check("conv.groups", ops="conv", cases=lambda: strategies().conv_configs(max_rank=2).filter(
    lambda c: c.groups >= 2 and c.w.shape[1] >= 2))
def check_several_groups_of_several_channels(target, cfg):
    """groups >= 2 with >= 2 channels per group, the cases where reading channels across
    groups shows (conformance/mutants/conv_groups_interleaved); drawn rarely otherwise."""
    check_groups_are_independent_convs(target, cfg)


@check("conv.depthwise", ops="conv", cases=lambda: strategies().conv_configs())
def check_depthwise_filters_each_channel(target, cfg):
    from hypothesis import assume

    assume(cfg.groups == cfg.x.shape[1])  # half the drawn configs are depthwise
    y = _conv(target, "conv.depthwise", cfg.x, cfg.w, cfg.b, **cfg.kwargs)
    m = cfg.w.shape[0] // cfg.x.shape[1]  # the channel multiplier
    one = [_conv(target, "conv.depthwise", cfg.x[:, [o // m]], cfg.w[[o]],
                 None if cfg.b is None else cfg.b[[o]], **dict(cfg.kwargs, groups=1))
           for o in range(cfg.w.shape[0])]
    _same_as_case(target, y, np.concatenate(one, axis=1), cfg, rule="conv.depthwise",
                  call=f"{cfg.call()}, against output o = conv(x[:, o // {m}], w[o])")


@check("conv.pointwise", ops="conv", cases=lambda: strategies().conv_configs())
def check_1x1_conv_is_a_dense_layer_per_pixel(target, cfg):
    w = _ints(_rng(cfg, 1), (cfg.w.shape[0], cfg.x.shape[1], *(1,) * cfg.rank))
    kw = dict(cfg.kwargs, groups=1)
    y = _conv(target, "conv.pointwise", cfg.x, w, cfg.b, **kw)
    pixels = _padded(cfg)[(..., *(slice(None, None, s) for s in cfg.stride))]  # (N, C_in, *out)
    dense = np.einsum("oc,nc...->no...", w.reshape(w.shape[:2]), pixels) + _bias(cfg)
    _same(target, y, dense, abs_sum=_abs(cfg.x, w, cfg.b, **kw),
          terms=tolerance.conv_terms(w, cfg.b), rule="conv.pointwise",
          call=f"{format_call('conv', cfg.x, w, cfg.b, **kw)}, against W @ x at every pixel")


@check("conv.bias", ops="conv", cases=lambda: strategies().conv_configs())
def check_bias_adds_b_o_everywhere(target, cfg):
    b = cfg.b if cfg.b is not None else _ints(_rng(cfg, 2), (cfg.w.shape[0],))
    y = _conv(target, "conv.bias", cfg.x, cfg.w, b, **cfg.kwargs)
    y0 = _conv(target, "conv.bias", cfg.x, cfg.w, None, **cfg.kwargs)
    _same(target, y, y0 + b.reshape(-1, *(1,) * cfg.rank),
          abs_sum=_abs(cfg.x, cfg.w, b, **cfg.kwargs) + _abs(cfg.x, cfg.w, None, **cfg.kwargs),
          terms=tolerance.conv_terms(cfg.w, b), rule="conv.bias",
          call=f"{format_call('conv', cfg.x, cfg.w, b, **cfg.kwargs)}, against b=None plus b[o]")


# ---------------------------------------------------------------- linearity and its matrix


@check("conv.linear-input", ops="conv", cases=lambda: strategies().conv_configs())
def check_linear_in_the_input(target, cfg):
    rng = _rng(cfg, 3)
    x2, (a, b) = _ints(rng, cfg.x.shape), rng.integers(-3, 4, size=2)
    mixed = a * cfg.x + b * x2
    y = _conv(target, "conv.linear-input", mixed, cfg.w, None, **cfg.kwargs)
    y1, y2 = (_conv(target, "conv.linear-input", x, cfg.w, None, **cfg.kwargs) for x in (cfg.x, x2))
    abs_sum = sum(abs(c) * _abs(x, cfg.w, **cfg.kwargs) for c, x in ((1, mixed), (a, cfg.x), (b, x2)))
    _same(target, y, a * y1.astype(np.float64) + b * y2, abs_sum=abs_sum,
          terms=tolerance.conv_terms(cfg.w), rule="conv.linear-input",
          call=f"conv({a}*x1 + {b}*x2) against {a}*conv(x1) + {b}*conv(x2), b=None; "
               f"{cfg.call()}")


@check("conv.linear-weight", ops="conv", cases=lambda: strategies().conv_configs())
def check_linear_in_the_weights(target, cfg):
    rng = _rng(cfg, 4)
    w2, (a, b) = _ints(rng, cfg.w.shape), rng.integers(-3, 4, size=2)
    mixed = a * cfg.w + b * w2
    y = _conv(target, "conv.linear-weight", cfg.x, mixed, None, **cfg.kwargs)
    y1, y2 = (_conv(target, "conv.linear-weight", cfg.x, w, None, **cfg.kwargs) for w in (cfg.w, w2))
    abs_sum = sum(abs(c) * _abs(cfg.x, w, **cfg.kwargs) for c, w in ((1, mixed), (a, cfg.w), (b, w2)))
    _same(target, y, a * y1.astype(np.float64) + b * y2, abs_sum=abs_sum,
          terms=tolerance.conv_terms(cfg.w), rule="conv.linear-weight",
          call=f"conv(x, {a}*w1 + {b}*w2) against {a}*conv(x, w1) + {b}*conv(x, w2), b=None; "
               f"{cfg.call()}")


def _toeplitz(w, in_shape, *, stride, padding, dilation, groups) -> np.ndarray:
    """T with vec(conv(x, w)) = T @ vec(x), built by index arithmetic from w alone:
    T[(o, *p), (g(o)*Cg + c, *q)] = w[o, c, *t] where q = p*s + t*d - p_before is inside x."""
    (c_in, *spatial), (c_out, cg, *kernel) = in_shape, w.shape
    out = formulas.conv_out_shape(spatial, kernel, stride=stride, padding=padding, dilation=dilation)
    t_mat = np.zeros((c_out, *out, c_in, *spatial))  # (C_out, *out, C_in, *S)
    og = c_out // groups
    for o, p, c, t in _index_grid(c_out, out, cg, kernel):
        q = tuple(pi * s + ti * d - pb for pi, ti, s, d, (pb, _) in zip(p, t, stride, dilation, padding))
        if all(0 <= qi < i for qi, i in zip(q, spatial)):
            t_mat[(o, *p, o // og * cg + c, *q)] += w[(o, c, *t)]
    return t_mat.reshape(c_out * math.prod(out), c_in * math.prod(spatial))


def _index_grid(c_out, out, cg, kernel):
    """Every (o, p, c, t): output channel, output position, kernel channel, kernel offset."""
    for o in range(c_out):
        for p in np.ndindex(*out):
            for c in range(cg):
                for t in np.ndindex(*kernel):
                    yield o, p, c, t


@check("conv.toeplitz", ops="conv", cases=lambda: strategies().conv_configs(
    max_rank=2, max_side=5, max_volume=16, max_channels=3, max_batch=1))
def check_conv_is_a_shared_sparse_matrix(target, cfg):
    """T of the target, one column per basis input (one batched call), equals T(w)."""
    size = math.prod(cfg.x.shape[1:])
    basis = np.eye(size).reshape(size, *cfg.x.shape[1:])  # (C_in*prod(S), C_in, *S)
    cols = _conv(target, "conv.toeplitz", basis, cfg.w, None, **cfg.kwargs)  # (size, C_out, *out)
    assert_exact(cols.reshape(size, -1).T, _toeplitz(cfg.w, cfg.x.shape[1:], **cfg.kwargs),
                 rule="conv.toeplitz", name="T",
                 call=f"T[(o, *p), (c, *q)] = conv(e_(c, q))[o, p]; {cfg.call()}")


@check("conv.locality", ops="conv", cases=lambda: strategies().conv_configs())
def check_output_reads_only_its_window(target, cfg):
    rng = _rng(cfg, 5)
    y = _conv(target, "conv.locality", cfg.x, cfg.w, cfg.b, **cfg.kwargs)
    o, p = int(rng.integers(y.shape[1])), tuple(int(rng.integers(n)) for n in y.shape[2:])
    cg, og = cfg.w.shape[1], cfg.w.shape[0] // cfg.groups
    taps = [[q for t in range(k) if 0 <= (q := pi * s + t * d - pb) < i] for pi, k, s, d, (pb, _), i
            in zip(p, cfg.kernel, cfg.stride, cfg.dilation, cfg.padding, cfg.x.shape[2:])]
    keep = np.zeros(cfg.x.shape[1:], bool)  # (C_in, *S): what output (o, p) reads
    keep[np.ix_(range(o // og * cg, (o // og + 1) * cg), *taps)] = True
    changed = np.where(keep, cfg.x, cfg.x + rng.integers(1, 5, size=cfg.x.shape))
    y2 = _conv(target, "conv.locality", changed, cfg.w, cfg.b, **cfg.kwargs)
    at = (slice(None), o, *p)
    _same(target, y2[at], y[at], abs_sum=(_abs(cfg.x, cfg.w, cfg.b, **cfg.kwargs)
                                          + _abs(changed, cfg.w, cfg.b, **cfg.kwargs))[at],
          terms=tolerance.conv_terms(cfg.w, cfg.b), rule="conv.locality",
          call=f"y[:, {o}, {', '.join(map(str, p))}] after x changed outside its taps {taps} "
               f"(per axis) and outside channels {o // og * cg}..{(o // og + 1) * cg - 1}; {cfg.call()}")


# ---------------------------------------------------------------- equivariance


@check("conv.equivariance-circular", ops="conv",
       cases=lambda: strategies().conv_configs(max_stride=1, max_pad=0))
def check_circular_padding_makes_shifts_exact(target, cfg):
    rng, axes = _rng(cfg, 6), _spatial(cfg.x)
    eff = [d * (k - 1) + 1 for k, d in zip(cfg.kernel, cfg.dilation)]
    before = [int(rng.integers(e)) for e in eff]
    wrap = [(0, 0), (0, 0), *((b, e - 1 - b) for b, e in zip(before, eff))]
    shift = tuple(int(rng.integers(-i + 1, i)) for i in cfg.x.shape[2:])
    y = _conv(target, "conv.equivariance-circular", np.pad(cfg.x, wrap, mode="wrap"), cfg.w, cfg.b,
              **dict(cfg.kwargs, padding=((0, 0),) * cfg.rank))
    rolled = np.pad(np.roll(cfg.x, shift, axis=axes), wrap, mode="wrap")
    y2 = _conv(target, "conv.equivariance-circular", rolled, cfg.w, cfg.b,
               **dict(cfg.kwargs, padding=((0, 0),) * cfg.rank))
    _same(target, y2, np.roll(y, shift, axis=axes),
          abs_sum=2 * _abs(np.pad(cfg.x, wrap, mode="wrap"), cfg.w, cfg.b, **cfg.kwargs),
          terms=tolerance.conv_terms(cfg.w, cfg.b), rule="conv.equivariance-circular",
          call=f"conv(wrap(roll(x, {shift}))) against roll(conv(wrap(x)), {shift}), wrap "
               f"{wrap[2:]}; {cfg.call()}")


def _shifted(x: np.ndarray, u) -> np.ndarray:
    """x moved by u[a] cells along spatial axis a: zeros come in, cells moved out are lost."""
    out = np.zeros_like(x)
    src: list[Any] = []
    dst: list[Any] = []
    for ua, n in zip(u, x.shape[2:]):
        k = min(abs(ua), n)
        src.append(slice(0, n - k) if ua >= 0 else slice(k, n))
        dst.append(slice(k, n) if ua >= 0 else slice(0, n - k))
    out[(..., *dst)] = x[(..., *src)]
    return out


def _interior(cfg):
    """Per axis, the outputs [lo, hi] whose windows lie inside the input."""
    return [(-(-pb // s), (i - (d * (k - 1) + 1) + pb) // s) for i, k, s, d, (pb, _) in
            zip(cfg.x.shape[2:], cfg.kernel, cfg.stride, cfg.dilation, cfg.padding)]


def _check_shift(target, cfg, rule: str, salt: int) -> None:
    """Shift x by m*s (zeros in): y'[p] = y[p - m] on outputs whose windows lie in x."""
    from hypothesis import assume

    y = _conv(target, rule, cfg.x, cfg.w, cfg.b, **cfg.kwargs)
    inner = _interior(cfg)
    assume(all(lo <= hi for lo, hi in inner))
    rng = _rng(cfg, salt)  # m != 0 with max(lo, m) <= min(hi, o - 1 + m): some p compared
    m = [int(rng.choice([v for v in range(lo - o + 1, hi + 1) if v] or [0]))
         for (lo, hi), o in zip(inner, y.shape[2:])]
    moved = _shifted(cfg.x, [mi * s for mi, s in zip(m, cfg.stride)])
    y2 = _conv(target, rule, moved, cfg.w, cfg.b, **cfg.kwargs)
    ps: list[Any] = [slice(max(lo, mi), min(hi, o - 1 + mi) + 1) for (lo, hi), mi, o in zip(inner, m, y.shape[2:])]
    back: list[Any] = [slice(p.start - mi, p.stop - mi) for p, mi in zip(ps, m)]
    _same(target, y2[(..., *ps)], y[(..., *back)],
          abs_sum=(_abs(moved, cfg.w, cfg.b, **cfg.kwargs)[(..., *ps)]
                   + _abs(cfg.x, cfg.w, cfg.b, **cfg.kwargs)[(..., *back)]),
          terms=tolerance.conv_terms(cfg.w, cfg.b), rule=rule,
          call=f"x shifted by m*s={tuple(mi * s for mi, s in zip(m, cfg.stride))}, m={tuple(m)}: "
               f"y'[p] against y[p - m] for p in {[(p.start, p.stop - 1) for p in ps]} (interior, "
               f"first..last per axis); {cfg.call()}")


@check("conv.equivariance-interior", ops="conv",
       cases=lambda: strategies().conv_configs(max_stride=1, max_pad=2))
def check_shift_moves_interior_outputs(target, cfg):
    _check_shift(target, cfg, "conv.equivariance-interior", 7)


@check("conv.equivariance-stride", ops="conv",
       cases=lambda: strategies().conv_configs(max_pad=2))
def check_shift_by_multiples_of_the_stride(target, cfg):
    _check_shift(target, cfg, "conv.equivariance-stride", 8)


# ---------------------------------------------------------------- stacks, visualization, gradients


def _composed(w1: np.ndarray, w2: np.ndarray) -> np.ndarray:
    """w[o, c] = sum_m convolve_full(w2[o, m], w1[m, c]): the kernel of conv(conv(., w1), w2)."""
    from scipy import signal

    return np.array([[sum(signal.convolve(w2[o, m], w1[m, c], mode="full", method="direct")
                          for m in range(w1.shape[0])) for c in range(w1.shape[1])]
                     for o in range(w2.shape[0])])  # (C2, C_in, *(K1 + K2 - 1))


@check("conv.composition", ops="conv", cases=lambda: strategies().conv_configs(
    max_stride=1, max_pad=0, max_dilation=1, max_channels=3))
def check_two_convs_are_one_conv(target, cfg):
    rng = _rng(cfg, 9)
    w1 = _ints(rng, (int(rng.integers(1, 4)), cfg.x.shape[1], *cfg.kernel))
    o1 = [i - k + 1 for i, k in zip(cfg.x.shape[2:], cfg.kernel)]
    w2 = _ints(rng, (int(rng.integers(1, 4)), w1.shape[0], *(int(rng.integers(1, o + 1)) for o in o1)))
    w = _composed(w1, w2)
    y1 = _conv(target, "conv.composition", cfg.x, w1)
    y12 = _conv(target, "conv.composition", y1.astype(np.float64), w2)
    y = _conv(target, "conv.composition", cfg.x, w)
    chain = _abs(_abs(cfg.x, w1), w2)  # conv(conv(|x|, |w1|), |w2|) >= conv(|x|, |w|)
    _same(target, y, y12, abs_sum=3 * chain, rule="conv.composition",
          terms=max(tolerance.conv_terms(k) for k in (w1, w2, w)),
          call=f"conv(x, w) against conv(conv(x, w1), w2), w = sum_m convolve_full(w2[o, m], "
               f"w1[m, c]); {format_call('conv', cfg.x, w1)}, w2: {w2.shape}, w: {w.shape}")


def _filter_sum(target, y, k: int, x, w, kw, expected: float, at_most: bool, what: str) -> None:
    """a^k = sum of y[0, k] (float64) against expected: == (at_most False) or <= (True),
    exact where y's precision holds every sum, else within the sum of the K-aware bounds."""
    name = target.precision or str(y.dtype)
    acc = "float32" if name == "tf32" else name
    a, abs_k = float(y[0, k].astype(np.float64).sum()), _abs(x, w, **kw)[0, k]
    slack = 0.0 if is_exact(target, y, abs_k) else float(
        tolerance.conv_bound(x, w, None, **kw, u=acc, input_u=name, output_u=y.dtype)[0, k].sum()
        + y[0, k].size * 2.0**-52 * abs_k.sum())
    if (a > expected + slack) if at_most else (abs(a - expected) > slack):
        rel = "<=" if at_most else "=="
        fail(f"a^{k}=sum(y[0, {k}])={a!r}, but should be {rel} {what}={expected!r}"
             + (f" (+- {slack:.3g})" if slack else ""), "conv.activation-max",
             call=format_call("conv", x, w, None, **kw))


@check("conv.activation-max", ops="conv", cases=lambda: strategies().conv_configs())
def check_adjoint_of_ones_maximizes_the_filter_sum(target, cfg):
    """x* = g/||g||, g = conv^T(ones on channel k): a^k(g) = ||g||^2 (so a^k(x*) = ||g||, on
    integers), and a^k(x) <= ||g|| ||x|| for other inputs (cfg.x and g plus noise)."""
    rng, x, kw = _rng(cfg, 10), cfg.x[:1], cfg.kwargs
    y = _conv(target, "conv.activation-max", x, cfg.w, None, **kw)
    k = int(rng.integers(y.shape[1]))
    ones_k = np.zeros(y.shape)
    ones_k[0, k] = 1.0
    g = conv_grad_input(ones_k, cfg.w, x.shape, **kw)  # the adjoint of conv applied to 1_k
    norm_g = float(np.sqrt((g * g).sum()))
    y_g = _conv(target, "conv.activation-max", g, cfg.w, None, **kw)
    _filter_sum(target, y_g, k, g, cfg.w, kw, float((g * g).sum()), at_most=False,
                what=f"||g||**2 at x = g = conv^T(ones on channel {k})")
    for other in (x, g + _ints(rng, g.shape)):
        y_o = y if other is x else _conv(target, "conv.activation-max", other, cfg.w, None, **kw)
        bound = norm_g * float(np.sqrt((other * other).sum())) * (1 + 2.0**-40)
        _filter_sum(target, y_o, k, other, cfg.w, kw, bound, at_most=True, what="||g|| ||x||")


def _inner(a, b) -> float:
    return float((np.asarray(a, dtype=np.float64) * b).sum())


def _check_gradient(cfg, rule: str, salt: int, wrt: str) -> None:
    """<conv(x + e_i), dy> - <conv(x), dy> = grad[i] for 3 random i (exact: integers, linear)."""
    rng = _rng(cfg, salt)
    y = ref.conv(cfg.x, cfg.w, cfg.b, **cfg.kwargs)
    dy = _ints(rng, y.shape)
    grad = (conv_grad_input(dy, cfg.w, cfg.x.shape, **cfg.kwargs) if wrt == "x"
            else conv_grad_weight(cfg.x, dy, cfg.kernel, **cfg.kwargs))
    base = _inner(y, dy)
    for i in rng.choice(grad.size, size=min(3, grad.size), replace=False):
        x, w = cfg.x.copy(), cfg.w.copy()
        (x if wrt == "x" else w).flat[i] += 1.0
        change = _inner(ref.conv(x, w, cfg.b, **cfg.kwargs), dy) - base
        if change != grad.flat[i]:
            at = tuple(int(v) for v in np.unravel_index(i, grad.shape))
            fail(f"<conv({'x + e_i, w' if wrt == 'x' else 'x, w + e_i'}), dy> - <conv(x, w), dy>="
                 f"{change!r}, but should be dL/d{wrt}{list(at)}={float(grad.flat[i])!r}", rule, cfg.call())


@check("conv.grad-input", ops=(), cases=lambda: strategies().conv_configs())
def check_input_gradient_is_conv_transpose(target, cfg):
    _check_gradient(cfg, "conv.grad-input", 11, "x")


@check("conv.grad-weight", ops=(), cases=lambda: strategies().conv_configs())
def check_weight_gradient_is_a_correlation(target, cfg):
    _check_gradient(cfg, "conv.grad-weight", 12, "w")

