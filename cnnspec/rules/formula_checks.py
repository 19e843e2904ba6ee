"""Checks of the general size formulas against brute-force counting, beyond the bounded
domain that tests/test_exhaustive.py covers exhaustively: checks of the spec itself
(``ops=()``), each citing the rule whose formula it checks.

The rules live in their families' modules (pool, pad, conv-transpose); the Dumoulin &
Visin relationships that specialise them, and their checks, are in rules/arith.py and
rules/arith_checks.py.
"""

from __future__ import annotations

import importlib
from typing import Any

from .. import formulas
from . import check
from ._counting import full_overlaps, pool_windows, same_padding_by_search, scatter_length, tap_span
from ._evidence import call_text, composite, expect_equal, expect_refusal, expect_zero, int_symbols

for _family in ("pool", "conv_transpose", "pad"):  # they declare the rules checked here
    importlib.import_module(f"{__package__}.{_family}")

# ---------------------------------------------------------------- pooling, floor and ceil mode


def _pool_axes(draw: Any, st: Any, *, ceil: bool, valid: bool) -> dict:
    """A pooling axis whose window fits the padded input.  valid: every window touches the
    input; else one window is all padding, by construction: the left padding holds window 0
    ('before'), the right padding holds the last window ('after', floor mode: ceil mode drops
    such a window), or the taps of window 0 step over an input shorter than d ('gaps')."""
    from hypothesis import assume

    i, k, s = draw(st.integers(1, 5_000)), draw(st.integers(1, 40)), draw(st.integers(1, 40))
    d = 1 if k == 1 else draw(st.integers(1, 8))
    span = tap_span(k, d)
    if valid:
        pb, pa = draw(st.integers(0, k)), draw(st.integers(0, k))
    else:
        sides = ("before", "gaps") if ceil else ("before", "after", "gaps")
        side = draw(st.sampled_from(sides if d > 1 and k > 1 else sides[:-1]))
        extra = draw(st.integers(0, 40))
        if side == "before":
            pb, pa = span + extra, draw(st.integers(0, k))
        elif side == "after":
            pb, pa = draw(st.integers(0, k)), span + s - 1 + extra
        else:
            i = draw(st.integers(1, d - 1))
            pb, pa = 1 + draw(st.integers(0, d - 1 - i)), span + extra
    assume(span <= i + pb + pa)
    n, bad = pool_windows(i, k, s, pb, pa, d, ceil)
    assume((bad is None) == valid)
    return dict(i=i, k=k, s=s, pb=pb, pa=pa, d=d, ceil_mode=ceil, count=n, bad=bad)


def _pool_call(c: dict) -> tuple[tuple, dict]:
    return ((c["i"], c["k"]), dict(stride=c["s"], padding=(c["pb"], c["pa"]), dilation=c["d"],
                                   ceil_mode=c["ceil_mode"]))


def _pool_checks(rule: str, *, ceil: bool) -> None:
    @check(rule, ops=(), cases=composite(lambda draw, st: _pool_axes(draw, st, ceil=ceil,
                                                                     valid=True)))
    def check_formula_counts_windows(target, c):
        args, kwargs = _pool_call(c)
        expect_equal("o", formulas.pool_out_size(*args, **kwargs), c["count"], rule=rule,
                     call=call_text("pool_out_size", *args, **kwargs),
                     detail="  windows counted one by one")

    @check(rule, ops=(), kind="negative",
           cases=composite(lambda draw, st: _pool_axes(draw, st, ceil=ceil, valid=False)))
    def check_formula_refuses_a_window_of_padding(target, c):
        args, kwargs = _pool_call(c)
        expect_refusal(lambda: formulas.pool_out_size(*args, **kwargs),
                       raises="pool.window-has-input", rule=rule,
                       call=call_text("pool_out_size", *args, **kwargs),
                       why=f"window {c['bad']} has no tap on the input (counted)")


_pool_checks("pool.out-size", ceil=False)
_pool_checks("pool.ceil-mode", ceil=True)

# ---------------------------------------------------------------- transposed convolution

TCONV = "conv-transpose.out-size"


def _tconv_axes(draw: Any, st: Any) -> dict:
    i, k, s = draw(st.integers(1, 10_000)), draw(st.integers(1, 60)), draw(st.integers(1, 60))
    d = draw(st.integers(1, 20))
    return dict(i=i, k=k, s=s, d=d, pb=draw(st.integers(0, 300)), pa=draw(st.integers(0, 300)),
                op=draw(st.integers(0, max(s, d) - 1)))


@check(TCONV, ops=(), cases=composite(_tconv_axes))
def check_formula_counts_the_cells_written(target, c):
    """The scatter's footprint, cropped and extended; an empty one must be refused."""
    i, k, s, pb, pa, op, d = (c[n] for n in ("i", "k", "s", "pb", "pa", "op", "d"))
    kwargs = dict(stride=s, padding=(pb, pa), output_padding=op, dilation=d)
    call = call_text("conv_transpose_out_size", i, k, **kwargs)
    counted = scatter_length(i, k, s, pb, pa, op, d)
    if counted < 1:
        expect_refusal(lambda: formulas.conv_transpose_out_size(i, k, **kwargs),
                       raises=TCONV, rule=TCONV, call=call,
                       why=f"the padding crops all {counted + pb + pa - op} written cells")
        return
    expect_equal("o'", formulas.conv_transpose_out_size(i, k, **kwargs), counted, rule=TCONV,
                 call=call, detail="  cells the scatter writes, cropped, plus output_padding")


# ---------------------------------------------------------------- 'same' and 'full' padding

SAME, FULL = "pad.same", "pad.full"


def _same_axes(draw: Any, st: Any) -> dict:
    return dict(i=draw(st.integers(1, 20_000)), k=draw(st.integers(1, 32)),
                s=draw(st.integers(1, 64)), d=draw(st.integers(1, 8)),
                mode=draw(st.sampled_from(("upper", "lower"))))


@check(SAME, ops=(), cases=composite(_same_axes))
def check_formula_is_the_least_padding_for_ceil_i_over_s(target, c):
    i, k, s, d, mode = c["i"], c["k"], c["s"], c["d"], c["mode"]
    call = call_text("same_padding", i, k, stride=s, dilation=d, mode=mode)
    pb, pa = formulas.same_padding(i, k, stride=s, dilation=d, mode=mode)
    total, want = same_padding_by_search(i, k, s, d)
    expect_equal("p_before + p_after", pb + pa, total, rule=SAME, call=call,
                 detail=f"  the least total padding giving {want} windows, searched")
    extra = pa - pb if mode == "upper" else pb - pa
    expect_equal("the extra cell's side", extra, total % 2, rule=SAME, call=call,
                 detail=f"  mode={mode!r}: an odd total puts it "
                        f"{'after' if mode == 'upper' else 'before'}")


@check(SAME, ops=(), cases=composite(lambda draw, st: dict(s=draw(st.integers(1, 6)),
                                                           k=draw(st.integers(1, 7)),
                                                           d=draw(st.integers(1, 4)))),
       max_examples=20)
def check_proof_by_residues(target, c):
    """For drawn s, k, d: every i is s*q + r with r in 1..s and q >= 0 a symbol; for each r
    the padded output is q + 1 = ceil(i/s), and the kernel fits for every q."""
    import sympy

    s, k, d = c["s"], c["k"], c["d"]
    q = int_symbols("q", nonnegative="q")
    for r in range(1, s + 1):
        i = s * q + r
        for mode in ("upper", "lower"):
            pb, pa = formulas.same_padding(i, k, stride=s, dilation=d, mode=mode)
            call = call_text("same_padding", i, k, stride=s, dilation=d, mode=mode)
            expect_zero("ceiling(i/s) - (q + 1)", sympy.ceiling(i / s) - (q + 1), rule=SAME,
                        call=call)
            o = formulas.conv_out_size(i, k, stride=s, padding=(pb, pa), dilation=d)
            expect_zero("conv_out_size(i, padding=same) - ceil(i/s)", o - (q + 1), rule=SAME,
                        call=call)
            room = i + pb + pa - formulas.effective_kernel(k, d)
            expect_equal("(i + p_b + p_a - k^ >= 0).is_nonnegative", room.is_nonnegative, True,
                         rule=SAME, call=call, detail=f"  i + p_b + p_a - k^ = {room}")


@check(FULL, ops=(), cases=composite(lambda draw, st: dict(
    i=draw(st.integers(1, 20_000)), k=draw(st.integers(1, 200)), d=draw(st.integers(1, 50)))))
def check_formula_counts_overlapping_placements(target, c):
    i, k, d = c["i"], c["k"], c["d"]
    call = call_text("full_padding", k, dilation=d)
    overlaps, first = full_overlaps(i, k, d)
    p = formulas.full_padding(k, dilation=d)
    expect_equal("full_padding(k, dilation=d)", p, (first, first), rule=FULL, call=call,
                 detail="  the first overlapping placement starts that many cells before the input")
    expect_equal("o", formulas.conv_out_size(i, k, padding=p, dilation=d), overlaps, rule=FULL,
                 call=call_text("conv_out_size", i, k, padding=p, dilation=d),
                 detail="  placements of the kernel's span overlapping the input")
