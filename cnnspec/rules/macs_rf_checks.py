"""Checks of the counting rules (rules/count.py) of work and reach: multiply-accumulates,
floating-point operations, receptive fields, and the overlap of a transposed conv's
contributions.  Checks of the spec itself (``ops=()``), run once, on the reference, except
the overlap's, which calls the target.

- multiply-accumulates: the count equals the multiply-adds a naive scalar loop performs, the
  loop's result being checked against the reference first;
- receptive fields: one-hot inputs pushed through a stack of reference convs with all-ones
  kernels give the exact set of inputs every output unit depends on.

The parameter counts are checked in rules/count_checks.py.
"""

from __future__ import annotations

import itertools
from fractions import Fraction
from typing import Any

import numpy as np

from .. import formulas
from . import check, strategies
from ._counting import scatter_length, windows_in
from ._evidence import call_text, composite, expect_equal, expect_refusal, expect_zero, int_symbols, once
from ._harness import fail
from .count_checks import _indivisible

# ---------------------------------------------------------------- multiply-accumulates


def _naive_conv(x: np.ndarray, w: np.ndarray, *, stride, padding, dilation, groups):
    """(y, multiply-adds) by scalar loops; every kernel tap of every output is one multiply-add,
    padding taps included; output sizes by counting windows."""
    n_batch, _, *sizes = x.shape
    c_out, cg, *kernel = w.shape
    og = c_out // groups
    out = [windows_in(i + pb + pa, k, s, d)
           for i, k, s, (pb, pa), d in zip(sizes, kernel, stride, padding, dilation)]
    y, macs = np.zeros((n_batch, c_out, *out)), 0
    for n, o, p in itertools.product(range(n_batch), range(c_out), itertools.product(*map(range, out))):
        acc = 0.0
        for c, t in itertools.product(range(cg), itertools.product(*map(range, kernel))):
            idx = tuple(pi * s + ti * d - pb for pi, ti, s, d, (pb, _) in
                        zip(p, t, stride, dilation, padding))
            inside = all(0 <= j < size for j, size in zip(idx, sizes))
            acc += (x[(n, o // og * cg + c, *idx)] if inside else 0.0) * w[(o, c, *t)]
            macs += 1
        y[(n, o, *p)] = acc
    return y, macs


def _naive_conv_transpose(x: np.ndarray, w: np.ndarray, *, stride, padding, output_padding,
                          dilation, groups):
    """(y, multiply-adds) of the scatter by scalar loops: every (input, output channel, tap)
    product is one multiply-add, cropped ones included."""
    n_batch, c_in, *sizes = x.shape
    _, og, *kernel = w.shape
    cg = c_in // groups
    out = [scatter_length(i, k, s, pb, pa, op, d) for i, k, s, (pb, pa), op, d in
           zip(sizes, kernel, stride, padding, output_padding, dilation)]
    y, macs = np.zeros((n_batch, og * groups, *out)), 0
    for n, c, p in itertools.product(range(n_batch), range(c_in), itertools.product(*map(range, sizes))):
        for o, t in itertools.product(range(og), itertools.product(*map(range, kernel))):
            idx = tuple(pi * s + ti * d - pb for pi, ti, s, d, (pb, _) in
                        zip(p, t, stride, dilation, padding))
            if all(0 <= j < size for j, size in zip(idx, out)):
                y[(n, c // cg * og + o, *idx)] += x[(n, c, *p)] * w[(c, o, *t)]
            macs += 1
    return y, macs


def _small(kind: str) -> Any:
    bounds = dict(max_rank=2, max_side=5, max_volume=25, max_kernel=3, max_channels=4, max_batch=2)
    if kind == "conv":
        return strategies().conv_configs(**bounds)
    return strategies().conv_transpose_configs(**{**bounds, "max_side": 4, "max_volume": 16})


@check("macs.conv", ops=(), cases=lambda: _small("conv"), max_examples=25)
def check_counts_a_naive_loop(target, cfg):
    from .. import ref
    from ..asserts import assert_exact

    y, macs = _naive_conv(cfg.x, cfg.w, **cfg.kwargs)
    assert_exact(y, ref.conv(cfg.x, cfg.w, **cfg.kwargs), rule="macs.conv", name="loop y",
                 call=cfg.call())
    c_out, cg, *kernel = cfg.w.shape
    got = formulas.conv_macs(cfg.x.shape[1], c_out, kernel, y.shape[2:], groups=cfg.groups,
                             batch=cfg.x.shape[0])
    expect_equal("conv_macs(...)", got, macs, rule="macs.conv", call=cfg.call(),
                 detail="  multiply-adds of the naive loop")


@check("macs.conv-transpose", ops=(), cases=lambda: _small("conv_transpose"), max_examples=25)
def check_counts_a_naive_scatter(target, cfg):
    from .. import ref
    from ..asserts import assert_exact

    y, macs = _naive_conv_transpose(cfg.x, cfg.w, **cfg.kwargs)
    assert_exact(y, ref.conv_transpose(cfg.x, cfg.w, **cfg.kwargs), rule="macs.conv-transpose",
                 name="loop y", call=cfg.call())
    c_in, og, *kernel = cfg.w.shape
    got = formulas.conv_transpose_macs(c_in, og * cfg.groups, kernel, cfg.x.shape[2:],
                                       groups=cfg.groups, batch=cfg.x.shape[0])
    expect_equal("conv_transpose_macs(...)", got, macs, rule="macs.conv-transpose",
                 call=cfg.call(), detail="  multiply-adds of the naive scatter loop")


@check("macs.conv-transpose", ops=(), cases=once, max_examples=1)
def check_proof_as_many_as_the_convolution_it_transposes(target, _):
    a, b, g, n, kh, kw, ih, iw = int_symbols("a b g N k_h k_w I_h I_w")
    expect_zero("conv_transpose_macs(g*a -> g*b, I) - conv_macs(g*b -> g*a, out I)",
                formulas.conv_transpose_macs(g * a, g * b, (kh, kw), (ih, iw), groups=g, batch=n)
                - formulas.conv_macs(g * b, g * a, (kh, kw), (ih, iw), groups=g, batch=n),
                rule="macs.conv-transpose")


def _macs_refusal(rule: str, fn: str, family: str) -> None:
    @check(rule, ops=(), kind="negative", cases=composite(_indivisible))
    def check_groups_must_divide_the_channels(target, c):
        args = (c["c_in"], c["c_out"], (3, 3), (4, 4))
        expect_refusal(lambda: getattr(formulas, fn)(*args, groups=c["g"]),
                       raises=f"{family}.groups", rule=rule,
                       call=call_text(fn, *args, groups=c["g"]), why="groups does not divide C_in")


_macs_refusal("macs.conv", "conv_macs", "conv")
_macs_refusal("macs.conv-transpose", "conv_transpose_macs", "conv-transpose")


@check("macs.dense", ops=(), cases=composite(lambda draw, st: dict(
    n_in=draw(st.integers(1, 12)), n_out=draw(st.integers(1, 12)), batch=draw(st.integers(1, 3)))))
def check_counts_a_naive_matrix_product(target, c):
    n_in, n_out, batch = c["n_in"], c["n_out"], c["batch"]
    macs = 0
    for _, _, _ in itertools.product(range(batch), range(n_out), range(n_in)):
        macs += 1  # y[n, o] += W[o, i] * x[n, i]
    expect_equal("dense_macs(...)", formulas.dense_macs(n_in, n_out, batch=batch), macs,
                 rule="macs.dense", call=call_text("dense_macs", n_in, n_out, batch=batch))
    ch, h, w, n = int_symbols("C H W n")
    expect_zero("dense_macs(C*H*W, n) - conv_macs(C, n, (H, W), out (1, 1))",
                formulas.dense_macs(ch * h * w, n) - formulas.conv_macs(ch, n, (h, w), (1, 1)),
                rule="macs.dense")


# ---------------------------------------------------------------- receptive fields


def _stacks(draw: Any, st: Any) -> dict:
    """1-3 layers of (k, s, p_before, p_after, d); p_after cannot move a receptive field."""
    layer = st.tuples(st.integers(1, 3), st.integers(1, 3), st.integers(0, 2), st.integers(0, 2),
                      st.integers(1, 3))
    return dict(layers=draw(st.lists(layer, min_size=1, max_size=3)))


def dependency_mask(layers: list[tuple[int, int, int, int, int]], i: int) -> np.ndarray:
    """mask[m, u]: output unit u of the stack depends on input m.  Row m is the stack run on
    the one-hot input e_m with all-ones kernels: every path adds a positive count, so a unit
    is nonzero exactly when some path reaches it (no cancellation)."""
    from .. import ref

    y = np.eye(i).reshape(i, 1, i)  # (N = i one-hot inputs, C = 1, i)
    for k, s, pb, pa, d in layers:
        y = ref.conv(y, np.ones((1, 1, k)), stride=s, padding=((pb, pa),), dilation=d)
    return y[:, 0, :] != 0  # (i, o)


def _interior(layers: list) -> tuple[formulas.RF, np.ndarray, list[int]]:
    """The formulas' RF, the mask, and the units whose whole field lies inside the input."""
    rf = formulas.receptive_fields([(k, s, pb, d) for k, s, pb, _, d in layers])[-1]
    i = 2 * rf.size + 3 * rf.jump + 2 * sum(pb for _, _, pb, _, _ in layers) * rf.jump + 4
    mask = dependency_mask(layers, i)
    units = [u for u in range(mask.shape[1])
             if rf.start + u * rf.jump >= 0 and rf.start + u * rf.jump + rf.size <= i]
    return rf, mask, units


def _rf_check(rule: str, what: str, observed: Any, expected: Any) -> None:
    @check(rule, ops=(), cases=composite(_stacks))
    def check_matches_the_dependency_mask(target, c):
        rf, mask, units = _interior(c["layers"])
        call = f"layers (k, s, p_before, p_after, d) = {c['layers']}: {rf}"
        expect_equal("units with the whole field inside the input", len(units) >= 2, True,
                     rule=rule, call=call)
        for u in (u for u in units if u + 1 in units):
            deps, following = np.flatnonzero(mask[:, u]), np.flatnonzero(mask[:, u + 1])
            if not (deps.size and following.size):
                fail(f"unit {u} or {u + 1} depends on no input, but both fields lie inside the "
                     f"input", rule, call)
            expect_equal(f"{what} of unit {u}", observed(deps, following), expected(rf, u),
                         rule=rule, call=call, detail="  from the exact dependency mask")


_rf_check("rf.size", "span", lambda deps, _: int(deps.max() - deps.min()) + 1, lambda rf, u: rf.size)
_rf_check("rf.jump", "distance to the next unit", lambda deps, nxt: int(nxt.min() - deps.min()),
          lambda rf, u: rf.jump)
_rf_check("rf.start", "first input", lambda deps, _: int(deps.min()),
          lambda rf, u: rf.start + u * rf.jump)


# ---------------------------------------------------------------- floating-point operations


@check("macs.flops", ops=(), cases=lambda: _small("conv"), max_examples=25)
def check_counts_the_multiplies_and_adds_of_a_naive_loop(target, cfg):
    """Every output: acc = 0; acc = acc + x*w per tap (one multiply, one add); then + b (one
    add).  The loop's operations, counted one by one, against conv_flops."""
    x, w, b = cfg.x, cfg.w, cfg.b
    y, _ = _naive_conv(x, w, **cfg.kwargs)
    c_out, cg, *kernel = w.shape
    taps = cg * int(np.prod(kernel))
    mults = adds = 0
    for _ in range(y.size):  # every output element
        for _ in range(taps):
            mults += 1  # x * w
            adds += 1  # acc + x*w
        if b is not None:
            adds += 1  # acc + b
    got = formulas.conv_flops(x.shape[1], c_out, kernel, y.shape[2:], groups=cfg.groups,
                              batch=x.shape[0], bias=b is not None)
    expect_equal("conv_flops(...)", got, mults + adds, rule="macs.flops", call=cfg.call(),
                 detail=f"  {mults} multiplies + {adds} adds of the naive loop")
    expect_equal("conv_flops(bias=False) / conv_macs",
                 Fraction(formulas.conv_flops(x.shape[1], c_out, kernel, y.shape[2:],
                                              groups=cfg.groups, batch=x.shape[0]),
                          formulas.conv_macs(x.shape[1], c_out, kernel, y.shape[2:],
                                             groups=cfg.groups, batch=x.shape[0])),
                 2, rule="macs.flops", call=cfg.call())


_macs_refusal("macs.flops", "conv_flops", "conv")


# ---------------------------------------------------------------- transposed-conv overlap


@check("conv-transpose.overlap", ops="conv_transpose", cases=composite(lambda draw, st: dict(
    i=draw(st.integers(1, 8), label="i"), k=draw(st.integers(1, 6), label="k"),
    s=draw(st.integers(1, 5), label="s"))))
def check_ones_through_a_transposed_conv_count_the_contributions(target, c):
    """All-ones x and w, no padding, d = 1: output cell q holds the number of products added
    into it; its interior cells must hold conv_transpose_contributions(k, s, q)."""
    from ._harness import invoke

    i, k, s = c["i"], c["k"], c["s"]
    x, w = np.ones((1, 1, i)), np.ones((1, 1, k))  # (N, C_in, i), (C_in, C_out, k)
    kwargs = dict(stride=(s,), padding=((0, 0),), output_padding=(0,), dilation=(1,), groups=1)
    call = f"conv_transpose(x=ones(1, 1, {i}), w=ones(1, 1, {k}), stride=({s},))"
    y = invoke(target, "conv_transpose", x, w, None, rule="conv-transpose.overlap", call=call,
               **kwargs)
    for q in range(k - 1, (i - 1) * s + 1):
        want = formulas.conv_transpose_contributions(k, s, q)
        counted = sum(1 for p in range(i) if 0 <= q - p * s < k)  # inputs whose kernel covers q
        expect_equal(f"contributions to cell {q}", want, counted, rule="conv-transpose.overlap",
                     call=call, detail="  inputs p with 0 <= q - p*s < k, counted")
        expect_equal(f"y[0, 0, {q}]", float(y[0, 0, q]), float(want),
                     rule="conv-transpose.overlap", call=call)
    interior = [formulas.conv_transpose_contributions(k, s, q) for q in range(s)]
    expect_equal("uneven counts", len(set(interior)) > 1, k % s != 0,
                 rule="conv-transpose.overlap", call=call,
                 detail=f"  counts over one period of {s} cells: {interior}")
