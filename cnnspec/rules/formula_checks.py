"""Checks of the general size formulas against brute-force counting, beyond the bounded
domain that tests/test_exhaustive.py covers exhaustively: checks of the spec itself
(``ops=()``), each citing the rule whose formula it checks.

The rules live in their families' modules (pool, pad, conv-transpose); the Dumoulin &
Visin relationships that specialise them, and their checks, are in rules/arith.py and
rules/arith_checks.py.  The rendered-formula checks below read formula text with
rules/_formula_text.py; an arith rule's reading is made from its relationship
(rules/_relationships.py), where its special case is written once.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .. import formulas
from ..errors import InvalidConfig
from . import check
from ._counting import full_overlaps, pool_windows, same_padding_by_search, scatter_length, tap_span
from ._evidence import call_text, composite, expect_equal, expect_refusal, expect_zero, int_symbols
from ._formula_text import hand_segments, latex_expr, text_expr
from ._harness import fail
from ._relationships import RELATIONSHIPS, special_case

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


# ---------------------------------------------------------------- rendered formulas
#
# A rule with a ``symbolic`` formula shows it three ways: the hand-written line, the SymPy
# plain text and the LaTeX of spec/*.md.  Each is parsed back and evaluated at integer
# points of the rule's domain, against the function of cnnspec.formulas that computes the
# rule with ints: a display that reads wrong (a hidden substitution, a special case shown as
# the rule) fails here.  A reader knows the symbols only by their printed names, so a point
# names its values as printed ("C_in", "p_b", "i'").

RENDERED = "rendered_formula_evaluates_like_formulas_py"


@dataclass(frozen=True)
class Reading:
    """How a rule's rendered formula reads: ``point(draw, st)`` draws values for the printed
    names, inside the rule's domain; ``value(point)`` is what cnnspec.formulas computes there
    with ints (InvalidConfig: outside the domain, drawn again); ``aliases`` turn names of the
    hand-written line into printed ones (``p_before`` -> ``p_b``, ``prod(K)`` -> ``k_h*k_w``)."""

    point: Callable[[Any, Any], dict]
    value: Callable[[dict], Any]
    aliases: tuple[tuple[str, str], ...] = ()


def _ints(draw: Any, st: Any, **ranges: tuple[int, int]) -> dict:
    return {name.replace("_prime", "'"): draw(st.integers(lo, hi), label=name)
            for name, (lo, hi) in ranges.items()}


@functools.cache
def rendered_forms(r: Any) -> list[tuple[str, str, Any]]:
    """(where, text, expression) for each form of ``r``'s rendered formula that is evaluated:
    the hand-written line's segments, the SymPy plain text, the LaTeX (parsed with ANTLR
    when installed; else required to be the LaTeX of the parsed plain text, so that the
    evaluation of the text covers it)."""
    from .render import formula_latex, latex_of

    reading = READINGS[r.id]
    symbols = {s.name: s for s in r.symbolic().free_symbols}
    lines = r.formula_text().splitlines()
    text = lines[-1].strip().removeprefix("= ") if r.formula else lines[0]
    forms = [("hand-written", seg, text_expr(seg, symbols))
             for seg in (hand_segments(r.formula, reading.aliases) if r.formula else ())]
    plain = text_expr(text, symbols)
    forms.append(("plain text", text, plain))
    latex = formula_latex(r)
    try:
        forms.append(("LaTeX", latex, latex_expr(latex, symbols)))
    except ImportError:
        if latex != latex_of(plain):
            forms.append(("LaTeX (not the plain text's)", latex, None))
    return forms


def rendered_mismatches(r: Any, point: dict) -> list[str]:
    """The forms of ``r``'s formula that do not evaluate to formulas.py's value at ``point``."""
    want = READINGS[r.id].value(point)
    at = ", ".join(f"{k}={v}" for k, v in point.items())
    out = []
    for where, text, expr in rendered_forms(r):
        if expr is None:
            out.append(f"{where} `{text}`, but should be the LaTeX of the plain text")
            continue
        got = expr.subs({s: point[s.name] for s in expr.free_symbols if s.name in point}).doit()
        if getattr(got, "free_symbols", None):
            out.append(f"{where} `{text}` has names the reading does not give: "
                       f"{sorted(map(str, got.free_symbols))}")
        elif got != (tuple(want) if isinstance(want, tuple) else want):
            out.append(f"{where} `{text}` = {got} at {at}, but should be {want}")
    return out


def rendered_formula_check(rule_id: str) -> None:
    """Declare the check that ``rule_id``'s rendered formula evaluates like formulas.py."""
    reading = READINGS[rule_id]

    def draw_point(draw: Any, st: Any) -> dict:
        from hypothesis import assume

        point = reading.point(draw, st)
        try:
            reading.value(point)
        except InvalidConfig:
            assume(False)
        return point

    def check_rendered_formula_evaluates_like_formulas_py(target, point):
        from . import get

        bad = rendered_mismatches(get(rule_id), point)
        if bad:
            fail("the rendered formula disagrees with cnnspec.formulas:\n  " + "\n  ".join(bad),
                 rule_id, f"{rule_id} at " + ", ".join(f"{k}={v}" for k, v in point.items()))

    check(rule_id, ops=(), cases=composite(draw_point), max_examples=40)(
        check_rendered_formula_evaluates_like_formulas_py)


def _conv_point(draw: Any, st: Any, **extra: tuple[int, int]) -> dict:
    return _ints(draw, st, i=(1, 40), k=(1, 7), s=(1, 5), d=(1, 3), p_b=(0, 6), p_a=(0, 6),
                 **extra)


def _pad(c: dict) -> dict:
    return dict(stride=c["s"], padding=(c["p_b"], c["p_a"]), dilation=c["d"])


def _arith(**ranges: tuple[int, int]) -> Callable[[Any, Any], dict]:
    return lambda draw, st: _ints(draw, st, **ranges)


_I, _K, _S, _P = (1, 40), (1, 9), (1, 6), (0, 8)
#: The values drawn for each variable of a Dumoulin & Visin relationship.
_RELATIONSHIP_RANGES = {"i": _I, "i'": _I, "k": _K, "s": _S, "p": _P, "d": (1, 4), "a": (0, 5),
                        "n": (0, 6)}


@functools.cache
def _special_values(rule_id: str) -> tuple[tuple[str, Any], ...]:
    """(name, expression) of each name the relationship's special case fixes (k = 2n + 1)."""
    rel = RELATIONSHIPS[rule_id]
    return tuple((name, text_expr(expr, rel.symbols())) for name, expr in rel.at)


def _relationship_reading(rule_id: str) -> Reading:
    """An arith rule's reading, from its relationship (rules/_relationships.py): its
    variables drawn, the names its special case fixes computed from them (the formula line
    shows k and p of 'k = 2n + 1, p = n'), its value the formulas call of the special case."""
    def point(draw: Any, st: Any) -> dict:
        c = {n: draw(st.integers(*_RELATIONSHIP_RANGES[n]), label=n)
             for n in RELATIONSHIPS[rule_id].names.split()}
        return {**c, **{name: int(e.subs({s: c[s.name] for s in e.free_symbols}))
                        for name, e in _special_values(rule_id)}}

    return Reading(point, lambda c: special_case(rule_id, c)[1])


_SIDES = (("p_before", "p_b"), ("p_after", "p_a"))
F = formulas
READINGS: dict[str, Reading] = {
    "conv.out-size": Reading(_conv_point, lambda c: F.conv_out_size(c["i"], c["k"], **_pad(c)),
                             _SIDES),
    "conv.dilation": Reading(_arith(k=_K, d=(1, 6)),
                             lambda c: F.effective_kernel(c["k"], c["d"])),
    "conv-transpose.out-size": Reading(
        lambda draw, st: _conv_point(draw, st, op=(0, 4)),
        lambda c: F.conv_transpose_out_size(c["i"], c["k"], output_padding=c["op"], **_pad(c)),
        (*_SIDES, ("output_padding", "op"))),
    "pool.out-size": Reading(_conv_point, lambda c: F.pool_out_size(c["i"], c["k"], **_pad(c))),
    "pool.ceil-mode": Reading(_conv_point, lambda c: F.pool_out_size(c["i"], c["k"], **_pad(c),
                                                                      ceil_mode=True)),
    "pad.same": Reading(_arith(i=_I, k=_K, s=_S, d=(1, 4)),
                        lambda c: sum(F.same_padding(c["i"], c["k"], stride=c["s"],
                                                     dilation=c["d"]))),
    **{rule_id: _relationship_reading(rule_id) for rule_id in RELATIONSHIPS},
    "params.conv": Reading(
        lambda draw, st: (lambda c: {**c, "C_in": c["C_in"] * c["g"],
                                     "C_out": c["C_out"] * c["g"]})(
            _ints(draw, st, C_in=(1, 8), C_out=(1, 8), k_h=(1, 5), k_w=(1, 5), g=(1, 4))),
        lambda c: F.conv_params(c["C_in"], c["C_out"], (c["k_h"], c["k_w"]), groups=c["g"]),
        (("groups", "g"), ("prod(K)", "(k_h*k_w)"))),
    "params.mlp-vs-conv": Reading(
        _arith(C=(1, 8), H=(1, 30), W=(1, 30), n=(1, 50), F=(1, 8), k=(1, 5)),
        lambda c: (F.dense_params((c["H"] + 1) * c["W"] * c["C"], c["n"])
                   - F.dense_params(c["H"] * c["W"] * c["C"], c["n"]),
                   F.conv_params(c["C"], c["F"], (c["k"], c["k"]))
                   - F.conv_params(c["C"], c["F"], (c["k"], c["k"])))),
    "params.separable": Reading(
        _arith(C_in=(1, 16), C_out=(1, 16), k_h=(1, 5), k_w=(1, 5), m=(1, 4)),
        lambda c: F.depthwise_separable_params(c["C_in"], c["C_out"], (c["k_h"], c["k_w"]),
                                               depth_multiplier=c["m"]),
        (("prod(K)", "(k_h*k_w)"),)),
}


for _rule in [r for r in READINGS if not r.startswith("net.")]:
    rendered_formula_check(_rule)
