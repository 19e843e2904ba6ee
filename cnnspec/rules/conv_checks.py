"""The executable checks of the conv rules (declared in :mod:`cnnspec.rules.conv`).

Every check calls the target through the harness and cites its rule.  Where a rule is a
relation (stride = subsampling, padding = padding the input, ...) the check compares the
target with itself, so that a target consistent everywhere but wrong in one place is caught
by the rule about that place.  Checks with ``ops=()`` check the spec's own claims on the
reference (run once, not per target).  Here: the definition, the sizes, padding, stride and
dilation, channels, groups and bias; the operator's properties (linearity, locality,
equivariance, ..., gradients) are checked in :mod:`cnnspec.rules.conv_property_checks`.
"""

from __future__ import annotations

import numpy as np

from .. import formulas, ref, tolerance
from ..asserts import assert_exact, format_call
from . import check, strategies
from ._conv_calls import _abs, _conv, _ints, _kw, _rng, _same, _spatial
from ._harness import ConventionDifference, expect_close, expect_raises, fail, invoke, refused_by_reference

# ---------------------------------------------------------------- helpers


def _same_as_case(target, y, other, cfg, *, rule, call, kernel=None) -> None:
    """_same for the case's conv computed two ways by the target: the bound's sum is twice
    the case's sum(|x||w|) + |b|, its term count that of ``kernel`` (default cfg.w)."""
    _same(target, y, other, abs_sum=2 * _abs(cfg.x, cfg.w, cfg.b, **cfg.kwargs),
          terms=tolerance.conv_terms(cfg.w if kernel is None else kernel, cfg.b), rule=rule, call=call)


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
