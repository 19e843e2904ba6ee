"""Checks of the network and size rules of rules/net.py: spec-internal (ops=()), on
cnnspec.summarize and the network formulas.  Each draws small layer stacks or axes and checks
the summary or the formula against counting done here.  The array-valued rules of net.py
(batch independence, adaptive pooling's values, layouts, the dilated average, max pooling's
indices) are checked in array_checks."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from .. import formulas
from ..asserts import assert_shape
from ..errors import InvalidConfig
from . import check
from . import formula_checks as _formula_checks
from ._harness import fail


def _maps() -> Any:
    """(C, H, W) inputs of 1-4 channels, sides 5-9."""
    return st.tuples(st.integers(1, 4), st.integers(5, 9), st.integers(5, 9))


def _refuses(rule: str, build: Any, why: str) -> None:
    """summarize(...) inside ``build`` must raise InvalidConfig citing ``rule``."""
    try:
        build()
    except InvalidConfig as e:
        if e.rule != rule:
            fail(f"summarize raised [{e.rule}], but should cite [{rule}]: {why}", rule)
        return
    fail(f"summarize accepted the network, but should refuse it: {why}", rule)


@check("net.channels", ops=(), cases=lambda: st.tuples(_maps(), st.integers(1, 5)))
def check_batch_norm_width_must_match(target, case):
    from ..layers import BatchNorm, Conv
    from ..summary import summarize

    (c, h, w), c_out = case
    s = summarize([Conv(c_out, 3), BatchNorm(num_features=c_out)], (c, h, w))
    assert_shape(s.output_shape, (c_out, h - 2, w - 2), rule="net.channels", name="output_shape")
    _refuses("net.channels", lambda: summarize([Conv(c_out, 3), BatchNorm(num_features=c_out + 1)],
                                               (c, h, w)),
             f"BatchNorm(num_features={c_out + 1}) after {c_out} channels")


@check("net.flatten", ops=(), cases=_maps)
def check_flatten_counts_every_cell(target, shape):
    from ..layers import Dense, Flatten
    from ..summary import summarize

    c, h, w = shape
    s = summarize([Flatten(), Dense(3)], shape)
    n = s.rows[0].output_shape[0]
    if n != c * h * w:
        fail(f"Flatten of {shape} gave {n} features, but should be C*H*W={c * h * w}", "net.flatten")
    if s.rows[1].params != c * h * w * 3 + 3:
        fail(f"Dense(3) params={s.rows[1].params}, but should be {c * h * w}*3 + 3", "net.flatten")
    _refuses("net.flatten", lambda: summarize([Dense(3)], shape), "a dense layer on a (C, H, W) map")


@check("net.residual-shape", ops=(), cases=lambda: st.tuples(_maps(), st.sampled_from([3, 5])))
def check_branches_must_add_up(target, case):
    from ..layers import Conv, Residual
    from ..summary import summarize

    (c, h, w), k = case
    same = Residual([Conv(c, k, padding=k // 2), Conv(c, k, padding=k // 2)])
    assert_shape(summarize([same], (c, h, w)).output_shape, (c, h, w), rule="net.residual-shape",
                 name="output_shape")
    _refuses("net.residual-shape", lambda: summarize([Residual([Conv(c, k)])], (c, h, w)),
             f"an unpadded {k}x{k} conv shrinks the main branch; the identity does not")


@check("net.layer", ops=(), cases=_maps)
def check_unknown_layers_are_refused_by_name(target, shape):
    from ..layers import ReLU
    from ..summary import summarize

    assert_shape(summarize([ReLU()], shape).output_shape, shape, rule="net.layer", name="output_shape")
    _refuses("net.layer", lambda: summarize([ReLU(), object()], shape), "object() is not a layer spec")


def adaptive_window_failures(window: Any, i: int, o: int) -> list[str]:
    """How ``window(i, o, j) -> (start, end)`` breaks net.adaptive-pool on (i, o): each window
    must be exactly [floor(j*i/o), ceil((j+1)*i/o)) (PyTorch's definition, computed here with
    exact fractions), so non-empty and in order, the windows cover [0, i), and when o divides
    i they are the uniform windows kernel = stride = i/o."""
    import math
    from fractions import Fraction

    out = []
    windows = [tuple(window(i, o, j)) for j in range(o)]
    for j, (lo, hi) in enumerate(windows):
        want = (math.floor(Fraction(j * i, o)), math.ceil(Fraction((j + 1) * i, o)))
        if (lo, hi) != want:
            out.append(f"window {j}=[{lo}, {hi}), but should be [floor({j}*{i}/{o}), "
                       f"ceil({j + 1}*{i}/{o})) = [{want[0]}, {want[1]}) (i={i}, o={o})")
        elif not 0 <= lo < hi <= i:
            out.append(f"window {j}=[{lo}, {hi}), but should be a non-empty part of [0, {i})")
    covered = {q for lo, hi in windows for q in range(lo, hi)}
    if covered != set(range(i)):
        out.append(f"windows cover {len(covered)} of {i} cells, but should cover all")
    if i % o == 0 and windows != [(j * (i // o), (j + 1) * (i // o)) for j in range(o)]:
        out.append(f"windows={windows}, but should be uniform with kernel = stride = {i // o}")
    return out


@check("net.adaptive-pool", ops=(), cases=lambda: st.tuples(st.integers(1, 40), st.integers(1, 12)))
def check_adaptive_windows_tile_the_input(target, case):
    """Every window is exactly [floor(j*i/o), ceil((j+1)*i/o)); hence they tile [0, i), and
    are uniform when o divides i.  (Tiling alone lets wrong formulas through: non-overlapping
    bins [floor(j*i/o), floor((j+1)*i/o)), or the whole input whenever o does not divide i.)"""
    i, o = case
    bad = adaptive_window_failures(formulas.adaptive_pool_window, i, o)
    if bad:
        fail("; ".join(bad), "net.adaptive-pool", f"adaptive_pool_window(i={i}, o={o}, j)")


@check("net.rf-union", ops=(), cases=lambda: st.tuples(*(st.integers(-6, 6) for _ in range(2)),
                                                       *(st.integers(1, 9) for _ in range(2)),
                                                       st.integers(1, 3)))
def check_union_spans_both_fields(target, case):
    start_a, start_b, size_a, size_b, jump = case
    u = formulas.receptive_field_union(formulas.RF(size_a, jump, start_a), formulas.RF(size_b, jump, start_b))
    cells = set(range(start_a, start_a + size_a)) | set(range(start_b, start_b + size_b))
    if (u.start, u.start + u.size) != (min(cells), max(cells) + 1):
        fail(f"union=[{u.start}, {u.start + u.size}), but should span [{min(cells)}, {max(cells) + 1})",
             "net.rf-union")
    try:
        formulas.receptive_field_union(formulas.RF(size_a, jump, 0), formulas.RF(size_b, jump + 1, 0))
    except InvalidConfig:
        return
    fail(f"jumps {jump} and {jump + 1} were united, but should be refused", "net.rf-union")


@check("net.remainder", ops=(), cases=lambda: st.tuples(st.integers(1, 30), st.integers(1, 5),
                                                        st.integers(1, 4), st.integers(0, 2)))
def check_dropped_cells_are_read_by_no_window(target, case):
    """floor_dropped counts the input cells at the end that no window reads, except those a
    stride larger than the kernel skips anyway (counted here by listing every window)."""
    i, k, s, p = case
    if k > i + 2 * p or p >= k:
        return
    o = formulas.conv_out_size(i, k, stride=s, padding=p)
    read = {j * s + t for j in range(o) for t in range(k)}  # padded positions some window reads
    last = max(read)
    tail_start = max(last + 1, o * s)  # past the last window and past the discarded one's start
    expected = sum(1 for q in range(tail_start, p + i) if q >= p)
    got = formulas.floor_dropped(i, o, k, stride=s, padding=p)
    if got != expected:
        fail(f"floor_dropped(i={i}, o={o}, k={k}, s={s}, p={p})={got}, but should be {expected}",
             "net.remainder")


def _remainder_value(c: dict) -> int:
    o = formulas.conv_out_size(c["i"], c["k"], stride=c["s"], padding=(c["p_b"], c["p_a"]),
                               dilation=c["d"])
    if o != c["o"]:
        raise InvalidConfig(f"o={c['o']}, but should be the layer's output size {o}",
                            rule="net.remainder")
    return formulas.floor_dropped(c["i"], o, c["k"], stride=c["s"], padding=c["p_b"],
                                  dilation=c["d"])


def _remainder_point(draw: Any, st: Any) -> dict:
    """A conv axis and its output size o (the formula's o is the layer's output size)."""
    c = _formula_checks._ints(draw, st, i=(1, 40), k=(1, 6), s=(1, 5), d=(1, 3), p_b=(0, 5),
                              p_a=(0, 5))
    try:
        o = formulas.conv_out_size(c["i"], c["k"], stride=c["s"], padding=(c["p_b"], c["p_a"]),
                                   dilation=c["d"])
    except InvalidConfig:
        o = 0
    return {**c, "o": o}


_formula_checks.READINGS["net.remainder"] = _formula_checks.Reading(_remainder_point,
                                                                    _remainder_value)
_formula_checks.rendered_formula_check("net.remainder")
