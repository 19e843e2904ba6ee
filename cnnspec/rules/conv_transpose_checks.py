"""Checks of the transposed-convolution rules (declared in rules/conv_transpose.py).

Values against the reference (exact on integer data, K-aware otherwise); validity on
boundary configurations (refused where the reference refuses for the rule, the reference's
values on the valid side); and two relations of the target with itself: the adjoint
identity with its conv, and the equality with a conv of the zero-stuffed input.
"""

from __future__ import annotations

import math

import numpy as np

from .. import formulas
from ..asserts import assert_shape
from ..tolerance import error_factor, is_exact
from . import check, strategies
from ._harness import Call, accepted, args_of, expect_close, expect_raises, expect_reference, fail, invoke, refused_for

OP = "conv_transpose"


def _configs(**kwargs):
    return strategies().conv_transpose_configs(**kwargs)


# ---------------------------------------------------------------- values and shape


@check("conv-transpose.def", ops=OP, cases=_configs, oracle="reference")
def check_matches_the_reference(target, cfg):
    expect_reference(target, OP, args_of(cfg), cfg.kwargs, rule="conv-transpose.def",
                     call=cfg.call())


@check("conv-transpose.def", ops=OP, cases=lambda: _configs(integer_valued=False), oracle="reference")
def check_real_valued_data_within_the_bound(target, cfg):
    expect_reference(target, OP, args_of(cfg), cfg.kwargs, rule="conv-transpose.def",
                     call=cfg.call(), integer_valued=False)


@check("conv-transpose.def", ops=OP, max_examples=6,
       cases=lambda: strategies().large_conv_transpose_configs(), large=True, oracle="reference")
def check_large_cases(target, cfg):
    """Outputs up to 129 wide (one past and one short of 16, 32 and 64), up to 130 channels
    (65 per group), 1040 terms per output, batches up to 9: where tiled kernels take their
    tail paths.  Integer data: exact."""
    check_matches_the_reference(target, cfg)


def _out_shape(cfg) -> tuple[int, ...]:
    spatial = formulas.conv_transpose_out_shape(
        cfg.x.shape[2:], cfg.kernel, stride=cfg.stride, padding=cfg.padding,
        output_padding=cfg.output_padding, dilation=cfg.dilation)
    return (cfg.x.shape[0], cfg.w.shape[1] * cfg.groups, *spatial)


@check("conv-transpose.out-size", ops=OP, cases=_configs)
def check_output_shape(target, cfg):
    y = invoke(target, OP, *args_of(cfg), rule="conv-transpose.out-size", call=cfg.call(),
               **cfg.kwargs)
    assert_shape(y.shape, _out_shape(cfg), rule="conv-transpose.out-size", call=cfg.call())


# ---------------------------------------------------------------- validity


def _declare_boundary(rule_id: str, names: tuple[str, str], edge: str, why: str) -> None:
    """Boundary configs moved across one edge: refused where the reference refuses for
    rule_id; on the valid side, the reference's values.  ``names``: the two checks' names,
    (refuses, computes)."""

    def refuses(target, cfg):
        from hypothesis import assume

        assume(refused_for(OP, args_of(cfg), cfg.kwargs, rule_id))
        expect_raises(target, OP, *args_of(cfg), rule=rule_id, why=why, call=cfg.call(),
                      **cfg.kwargs)

    def computes(target, cfg):
        from hypothesis import assume

        expected = accepted(OP, args_of(cfg), cfg.kwargs)
        assume(expected is not None)
        expect_reference(target, OP, args_of(cfg), cfg.kwargs, rule=rule_id, call=cfg.call(),
                         expected=expected)

    def cases():
        return strategies().boundary_conv_transpose_configs(edges=(edge,))

    check(rule_id, ops=OP, kind="negative", cases=cases, name=names[0])(refuses)
    check(rule_id, ops=OP, cases=cases, name=names[1], oracle="reference")(computes)


_declare_boundary("conv-transpose.out-size", ("refuses", "computes_the_valid_side"), "out-size",
                  "the padding leaves an output size < 1")
_declare_boundary("conv-transpose.output-padding", ("refuses", "computes_the_valid_side"),
                  "output-padding", "output_padding >= max(stride, dilation)")
_declare_boundary("conv-transpose.groups", ("refuses", "computes_the_valid_side"), "groups",
                  "groups does not divide C_in")
_declare_boundary("conv-transpose.channels", ("refuses", "computes_the_valid_side"), "channels",
                  "w.shape[0] != C_in")


def _bias_calls(valid: bool):
    """Valid configs with b of C_out +- 1 entries, or of shape (C_out, 1); valid: (C_out,)."""
    from hypothesis import strategies as st

    @st.composite
    def strategy(draw):
        cfg = draw(_configs(max_rank=2), label="valid config")
        c_out = cfg.w.shape[1] * cfg.groups
        shape = (c_out,) if valid else draw(st.sampled_from(
            ((c_out + 1,), (max(1, c_out - 1),), (c_out, 1))), label="b.shape")
        b = np.arange(math.prod(shape), dtype=float).reshape(shape) - 2  # (shape)
        return Call(OP, (cfg.x, cfg.w, b), cfg.kwargs, change=f"b.shape={shape}", base=cfg)

    return strategy()


@check("conv-transpose.bias", ops=OP, kind="negative", cases=lambda: _bias_calls(False))
def check_refuses_a_bias_of_another_shape(target, call):
    from hypothesis import assume

    assume(refused_for(OP, call.args, call.kwargs, "conv-transpose.bias"))
    c_out = call.args[1].shape[1] * call.kwargs["groups"]
    expect_raises(target, OP, *call.args, rule="conv-transpose.bias", call=call.call(),
                  why=f"{call.change} != (C_out,)=({c_out},)", **call.kwargs)


@check("conv-transpose.bias", ops=OP, cases=lambda: _bias_calls(True), oracle="reference")
def check_adds_one_bias_per_output_channel(target, call):
    expect_reference(target, OP, call.args, call.kwargs, rule="conv-transpose.bias",
                     call=call.call())


# ---------------------------------------------------------------- relations with conv


@check("conv-transpose.adjoint", ops=("conv", OP), cases=_configs)
def check_is_the_adjoint_of_conv(target, cfg):
    """<conv_transpose(x), u> = <x, conv(u)[..., :i]>, both ops of the target, no bias."""
    from .. import ref

    rule = "conv-transpose.adjoint"
    x, w = cfg.x, cfg.w
    conv_kw = dict(stride=cfg.stride, padding=cfg.padding, dilation=cfg.dilation,
                   groups=cfg.groups)
    y = invoke(target, OP, x, w, None, rule=rule, call=cfg.call(), **cfg.kwargs)
    assert_shape(y.shape, _out_shape(cfg), rule=rule, call=cfg.call())
    u = strategies().make_array(np.random.default_rng(cfg.seed + 1), y.shape, True)
    conv_call = Call("conv", (u, w, None), conv_kw).call()
    v = invoke(target, "conv", u, w, None, rule=rule, call=conv_call, **conv_kw)
    extra = [op // s for op, s in zip(cfg.output_padding, cfg.stride)]
    assert_shape(v.shape, (*x.shape[:2], *(i + e for i, e in zip(x.shape[2:], extra))),
                 rule=rule, call=conv_call)
    v = v[(slice(None), slice(None), *(slice(0, i) for i in x.shape[2:]))]  # (N, C_in, *S)
    lhs = float(np.sum(y.astype(np.float64) * u))
    rhs = float(np.sum(x * v.astype(np.float64)))
    s_y = ref.conv_transpose(np.abs(x), np.abs(w), None, **cfg.kwargs)  # per-output sums
    s_v = ref.conv(np.abs(u), np.abs(w), None, **conv_kw)[
        (slice(None), slice(None), *(slice(0, i) for i in x.shape[2:]))]
    if cfg.integer_valued and is_exact(target, y, s_y) and is_exact(target, v, s_v):
        bound = 0.0  # integer results, and their float64 inner products below 2**53
    else:
        n_y = w.shape[0] // cfg.groups * math.prod(cfg.kernel)
        n_v = int(np.prod(w.shape[1:]))
        bound = (error_factor(target, y, n_y) * float(np.sum(np.abs(u) * s_y))
                 + error_factor(target, v, n_v) * float(np.sum(np.abs(x) * s_v))) * (1 + 1e-12)
    if not abs(lhs - rhs) <= bound:
        fail(f"<conv_transpose(x), u>={lhs!r}, but should be <x, conv(u)>={rhs!r}", rule,
             f"{cfg.call()}; {conv_call}",
             f"  |difference| = {abs(lhs - rhs):.3g} > bound {bound:.3g}; u from "
             f"default_rng({cfg.seed + 1}), integers in [-4, 4]")


def zero_stuffed(cfg) -> tuple[np.ndarray, tuple[tuple[int, int], ...], np.ndarray]:
    """(z, padding, w') with conv(z, w', b, stride=1, padding, dilation, groups) equal to
    conv_transpose of cfg: x with s-1 zeros between neighbours, cropped where
    d(k-1) - p < 0, and the flipped, channel-swapped kernel.  [conv-transpose.zero-stuffed]"""
    x, w, g, r = cfg.x, cfg.w, cfg.groups, cfg.rank
    n, c_in, *spatial = x.shape
    stuffed = [(i - 1) * s + 1 for i, s in zip(spatial, cfg.stride)]
    z = np.zeros((n, c_in, *stuffed))  # (N, C_in, *stuffed)
    z[(slice(None), slice(None), *(slice(None, None, s) for s in cfg.stride))] = x
    crop, padding = [], []
    for length, k, d, (pb, pa), op in zip(stuffed, cfg.kernel, cfg.dilation, cfg.padding,
                                          cfg.output_padding):
        before, after = d * (k - 1) - pb, d * (k - 1) - pa + op
        cb, ca = max(0, -before), max(0, -after)
        pad = [max(0, before), max(0, after)]
        if length - cb - ca < 1:  # everything cropped: one zero cell stands for the rest
            short = 1 - (length - cb - ca)
            take = min(pad[1], short)
            pad[1] -= take
            pad[0] -= short - take
            cb, ca = 0, length - 1
            z = z * 0  # every stuffed cell is cropped away: what is left is zeros
        crop.append(slice(cb, length - ca))
        padding.append(tuple(pad))
    z = np.ascontiguousarray(z[(slice(None), slice(None), *crop)])
    c_g, o_g = c_in // g, w.shape[1]
    wt = np.swapaxes(w.reshape(g, c_g, o_g, *cfg.kernel), 1, 2)  # (g, Og, Cg, *K)
    wt = np.flip(wt.reshape(g * o_g, c_g, *cfg.kernel), axis=tuple(range(2, 2 + r)))
    return z, tuple(padding), np.ascontiguousarray(wt)  # wt: (C_out, Cg, *K)


@check("conv-transpose.zero-stuffed", ops=("conv", OP), cases=_configs)
def check_equals_a_conv_of_the_zero_stuffed_input(target, cfg):
    from .. import ref

    rule = "conv-transpose.zero-stuffed"
    z, padding, wt = zero_stuffed(cfg)
    conv_kw = dict(stride=(1,) * cfg.rank, padding=padding, dilation=cfg.dilation,
                   groups=cfg.groups)
    call = f"{cfg.call()} vs {Call('conv', (z, wt, cfg.b), conv_kw).call()}"
    y = invoke(target, OP, *args_of(cfg), rule=rule, call=call, **cfg.kwargs)
    yc = invoke(target, "conv", z, wt, cfg.b, rule=rule, call=call, **conv_kw)
    b = None if cfg.b is None else np.abs(cfg.b)
    abs_sum = ref.conv_transpose(np.abs(cfg.x), np.abs(cfg.w), b, **cfg.kwargs)
    terms = cfg.w.shape[0] // cfg.groups * math.prod(cfg.kernel) + (cfg.b is not None)
    expect_close(target, y, yc, rule=rule, call=call, abs_sum=2 * abs_sum, terms=terms,
                 integer_valued=cfg.integer_valued)


# ---------------------------------------------------------------- requested output sizes


def _o_min(cfg, axis: int) -> int:
    """The output size at output_padding 0, by the out-size formula written out here."""
    i, k, s, d = cfg.x.shape[2 + axis], cfg.kernel[axis], cfg.stride[axis], cfg.dilation[axis]
    pb, pa = cfg.padding[axis]
    return (i - 1) * s - pb - pa + d * (k - 1) + 1


def _requested_sizes():
    """A valid config and, per axis, a requested size o in [max(o_min, 1), o_min + max(s, d) - 1],
    as the call that asks for it: output_padding = o - o_min
    (formulas.conv_transpose_output_padding_for); ``expected`` holds the sizes.  A Call, so
    that conventions and root causes see the output_padding it passes."""
    from hypothesis import strategies as st

    @st.composite
    def strategy(draw):
        cfg = draw(_configs(), label="config")
        caps = (strategies().current_capabilities() or {}).get("conv_transpose") or {}
        spread = caps.get("output_padding", True)  # a target without it: o = o_min only
        sizes = tuple(draw(st.integers(max(_o_min(cfg, a), 1),
                                       max(_o_min(cfg, a) + (max(s, d) - 1 if spread else 0), 1)),
                           label=f"o[{a}]")
                      for a, (s, d) in enumerate(zip(cfg.stride, cfg.dilation)))
        op = tuple(formulas.conv_transpose_output_padding_for(
            i, k, o, stride=s, padding=p, dilation=d)
            for i, k, o, s, p, d in zip(cfg.x.shape[2:], cfg.kernel, sizes, cfg.stride,
                                        cfg.padding, cfg.dilation))
        return Call(OP, args_of(cfg), {**cfg.kwargs, "output_padding": op},
                    change=f"output size {sizes} requested", base=cfg, expected=sizes)

    return strategy()


@check("conv-transpose.output-size", ops=OP, cases=_requested_sizes)
def check_requested_size_via_output_padding(target, case):
    """output_padding = o - o_min gives an output of exactly the requested size o, with the
    reference's values."""
    rule = "conv-transpose.output-size"
    y = expect_reference(target, OP, case.args, case.kwargs, rule=rule, call=case.call())
    assert_shape(y.shape[2:], case.expected, rule=rule, call=case.call(), name="y.shape[2:]")


def _same_configs():
    from hypothesis import strategies as st

    @st.composite
    def strategy(draw):
        cfg = draw(_configs(max_pad=0), label="config")
        pads, ops = zip(*(formulas.conv_transpose_same_padding(k, stride=s, dilation=d)
                          for k, s, d in zip(cfg.kernel, cfg.stride, cfg.dilation)))
        kwargs = {**cfg.kwargs, "padding": pads, "output_padding": ops}
        return Call(OP, args_of(cfg), kwargs, change="padding 'same'", base=cfg)

    return strategy()


@check("conv-transpose.output-size", ops=OP, cases=_same_configs)
def check_same_gives_i_times_s(target, call):
    """'same' (formulas.conv_transpose_same_padding): the crop is the padding of the SAME_UPPER
    conv of i*s cells (pad.same's formula), and the output is i*s on every axis, with the
    reference's values."""
    rule = "conv-transpose.output-size"
    x, kw = call.args[0], call.kwargs
    want = tuple(i * s for i, s in zip(x.shape[2:], kw["stride"]))
    for a, (n, k, s, d) in enumerate(zip(want, call.args[1].shape[2:], kw["stride"],
                                         kw["dilation"])):
        upper = formulas.same_padding(n, k, stride=s, dilation=d)  # the SAME_UPPER conv of n
        if kw["padding"][a] != upper:
            fail(f"padding[{a}]={kw['padding'][a]}, but should be {upper}: the crop of the "
                 f"adjoint of a SAME_UPPER conv of {n} = {n // s}*{s} cells", rule, call.call())
    y = expect_reference(target, OP, call.args, call.kwargs, rule=rule, call=call.call())
    assert_shape(y.shape[2:], want, rule=rule, call=call.call(), name="y.shape[2:]")


def _size_rows():
    """(i, k, s, p, d) per axis for the boundary pairs of the requested size."""
    from hypothesis import strategies as st

    return st.tuples(st.integers(1, 9), st.integers(1, 5), st.integers(1, 4),
                     st.integers(0, 3), st.integers(1, 4))


@check("conv-transpose.output-size", ops=(), kind="negative", cases=_size_rows)
def check_unreachable_sizes_are_refused(target, row):
    """Boundary pairs: o_min and o_min + max(s, d) - 1 are accepted (output_padding 0 and
    max(s, d) - 1); o_min - 1 and o_min + max(s, d) are refused, citing the rule."""
    from ..errors import InvalidConfig

    rule = "conv-transpose.output-size"
    i, k, s, p, d = row
    o_min = (i - 1) * s - 2 * p + d * (k - 1) + 1
    top = o_min + max(s, d) - 1
    kw = dict(stride=s, padding=p, dilation=d)
    call = f"conv_transpose_output_padding_for(i={i}, k={k}, o, stride={s}, padding={p}, dilation={d})"
    for o in range(max(o_min, 1), top + 1):
        got = formulas.conv_transpose_output_padding_for(i, k, o, **kw)
        if got != o - o_min:
            fail(f"output_padding={got} for o={o}, but should be o - o_min = {o - o_min}", rule,
                 call)
    for o in (o_min - 1, top + 1):
        try:
            formulas.conv_transpose_output_padding_for(i, k, o, **kw)
        except InvalidConfig as e:
            if e.rule != rule:
                fail(f"o={o} was refused citing [{e.rule}], but should cite [{rule}]", rule, call)
            continue
        fail(f"o={o} was accepted, but should be refused: reachable sizes are "
             f"[{max(o_min, 1)}, {top}]", rule, call)


def _output_size_point(draw, st) -> dict:
    """A transposed-conv axis and a size o in its reachable range (o_min + 0 .. max(s, d) - 1)."""
    from . import formula_checks as fc

    c = fc._ints(draw, st, i=(1, 30), k=(1, 6), s=(1, 5), d=(1, 3), p_b=(0, 4), p_a=(0, 4),
                 q=(0, 4))
    o_min = (c["i"] - 1) * c["s"] - c["p_b"] - c["p_a"] + c["d"] * (c["k"] - 1) + 1
    q = c.pop("q")
    return {**c, "o": o_min + q}


def _declare_rendered_output_size() -> None:
    """The rendered-formula check of conv-transpose.output-size, by formula_checks' machinery
    (the reading of its formula is this family's)."""
    from . import formula_checks as fc

    fc.READINGS["conv-transpose.output-size"] = fc.Reading(
        _output_size_point,
        lambda c: formulas.conv_transpose_output_padding_for(
            c["i"], c["k"], c["o"], stride=c["s"], padding=(c["p_b"], c["p_a"]), dilation=c["d"]),
        (("p_before", "p_b"), ("p_after", "p_a")))
    fc.rendered_formula_check("conv-transpose.output-size")


_declare_rendered_output_size()
