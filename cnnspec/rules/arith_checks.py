"""Checks of the Dumoulin & Visin relationships (rules/arith.py) and of the size formulas
they specialise: checks of the spec itself (``ops=()``), run once, on the reference.

Three kinds of evidence, each failure citing its rule:

- counting: a formula of cnnspec.formulas, in the rule's special case, against the paper's
  closed form and against brute-force enumeration (rules/_counting.py), on integers drawn
  far beyond the bounded domain that tests/test_exhaustive.py covers exhaustively;
- proofs: SymPy identities over symbolic sizes (residue case analysis where a floor or a
  ceiling needs it: i = s*q + r with q a nonnegative integer symbol covers every i);
- refusals: just past a rule's precondition the formula raises InvalidConfig naming the
  rule that is broken, or (for a hypothesis of the relationship, such as an odd kernel)
  the relationship's conclusion fails as the statement says it does.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import formulas
from . import check
from ._counting import full_overlaps, scatter_length, stretched_conv_length, tap_span, windows_in
from ._evidence import call_text, composite, expect_equal, expect_refusal, expect_zero, int_symbols, once

BIG_I = 100_000  # input sizes drawn up to here: far past the exhaustive domain (i <= 64)


def _agree(rule: str, call: str, got: int, paper: int, counted: int, paper_text: str,
           what: str = "windows counted one by one") -> None:
    expect_equal("o", got, paper, rule=rule, call=call, detail=f"  paper: {paper_text} = {paper}")
    expect_equal("o", got, counted, rule=rule, call=call, detail=f"  {what}: {counted}")


# ---------------------------------------------------------------- Relationships 1-7: conv, pool

R1, R2, R3, R4 = ("arith.unit-stride-no-padding", "arith.unit-stride-padding",
                  "arith.half-padding", "arith.full-padding")
R5, R6, R7 = "arith.strided-no-padding", "arith.strided-padding", "arith.pooling"


def _formula(name: str, *args: Any, **kwargs: Any) -> tuple[str, Any]:
    """(the call as text, its value): cnnspec.formulas looked up when the check runs."""
    return call_text(name, *args, **kwargs), getattr(formulas, name)(*args, **kwargs)


def _counting_check(rule: str, cases: Any, *, formula: Any, paper: Any, counted: Any,
                    what: str = "windows counted one by one") -> None:
    """formula(c) -> (call, o); paper(c) -> (value, text); counted(c) -> the brute count."""

    @check(rule, ops=(), cases=cases)
    def check_counts_windows(target, c):
        call, o = formula(c)
        value, text = paper(c)
        _agree(rule, call, o, value, counted(c), text, what)


def _refusal_check(rule: str, cases: Any, *, call: Any, raises: str, why: str,
                   name: str = "kernel_past_the_input_is_refused") -> None:
    """call(c) -> (name, args, kwargs) of a formula call that must raise [raises]."""

    def refused(target, c):
        fname, args, kwargs = call(c)
        expect_refusal(lambda: getattr(formulas, fname)(*args, **kwargs), raises=raises,
                       rule=rule, call=call_text(fname, *args, **kwargs), why=why)

    check(rule, ops=(), kind="negative", cases=cases, name=name)(refused)


def _fits(draw: Any, st: Any, *, stride: bool, pad: bool) -> dict:
    """i, p and a kernel that fits the padded input (k <= i + 2p), optionally a stride."""
    i = draw(st.integers(1, BIG_I))
    p = draw(st.integers(0, 300)) if pad else 0
    k = draw(st.integers(1, min(i + 2 * p, 400)))
    s = draw(st.integers(1, 200)) if stride else 1
    return dict(i=i, k=k, s=s, p=p)


def _past(draw: Any, st: Any, *, pad: bool) -> dict:
    """A kernel one cell longer than the padded input."""
    i, p = draw(st.integers(1, 400)), (draw(st.integers(0, 100)) if pad else 0)
    return dict(i=i, k=i + 2 * p + 1, p=p, s=draw(st.integers(1, 50)))


_counting_check(R1, composite(lambda draw, st: _fits(draw, st, stride=False, pad=False)),
                formula=lambda c: _formula("conv_out_size", c["i"], c["k"]),
                paper=lambda c: ((c["i"] - c["k"]) + 1, f"({c['i']} - {c['k']}) + 1"),
                counted=lambda c: windows_in(c["i"], c["k"], 1))
_refusal_check(R1, composite(lambda draw, st: _past(draw, st, pad=False)),
               call=lambda c: ("conv_out_size", (c["i"], c["k"]), {}),
               raises="conv.kernel-fits", why="k = i + 1 > i")
_counting_check(R2, composite(lambda draw, st: _fits(draw, st, stride=False, pad=True)),
                formula=lambda c: _formula("conv_out_size", c["i"], c["k"], padding=c["p"]),
                paper=lambda c: ((c["i"] - c["k"]) + 2 * c["p"] + 1,
                                 f"({c['i']} - {c['k']}) + 2*{c['p']} + 1"),
                counted=lambda c: windows_in(np.pad(np.ones(c["i"]), c["p"]).size, c["k"], 1))
_refusal_check(R2, composite(lambda draw, st: _past(draw, st, pad=True)),
               call=lambda c: ("conv_out_size", (c["i"], c["k"]), {"padding": c["p"]}),
               raises="conv.kernel-fits", why="k = i + 2p + 1 > i + 2p")
_counting_check(R5, composite(lambda draw, st: _fits(draw, st, stride=True, pad=False)),
                formula=lambda c: _formula("conv_out_size", c["i"], c["k"], stride=c["s"]),
                paper=lambda c: ((c["i"] - c["k"]) // c["s"] + 1,
                                 f"floor(({c['i']} - {c['k']})/{c['s']}) + 1"),
                counted=lambda c: windows_in(c["i"], c["k"], c["s"]))
_refusal_check(R5, composite(lambda draw, st: _past(draw, st, pad=False)),
               call=lambda c: ("conv_out_size", (c["i"], c["k"]), {"stride": c["s"]}),
               raises="conv.kernel-fits", why="k = i + 1 > i")
_counting_check(R6, composite(lambda draw, st: _fits(draw, st, stride=True, pad=True)),
                formula=lambda c: _formula("conv_out_size", c["i"], c["k"], stride=c["s"],
                                           padding=c["p"]),
                paper=lambda c: ((c["i"] + 2 * c["p"] - c["k"]) // c["s"] + 1,
                                 f"floor(({c['i']} + 2*{c['p']} - {c['k']})/{c['s']}) + 1"),
                counted=lambda c: windows_in(c["i"] + 2 * c["p"], c["k"], c["s"]))
_refusal_check(R6, composite(lambda draw, st: _past(draw, st, pad=True)),
               call=lambda c: ("conv_out_size", (c["i"], c["k"]),
                               {"stride": c["s"], "padding": c["p"]}),
               raises="conv.kernel-fits", why="k = i + 2p + 1 > i + 2p")


@check(R6, ops=(), cases=composite(lambda draw, st: _fits(draw, st, stride=True, pad=True)))
def check_s_input_sizes_share_an_output_size(target, c):
    """i0 = the largest size <= i with i0 + 2p - k a multiple of s: i0 .. i0 + s - 1 (those
    >= 1) all give o, and i0 + s gives o + 1."""
    i, k, s, p = c["i"], c["k"], c["s"], c["p"]
    call, o = _formula("conv_out_size", i, k, stride=s, padding=p)
    i0 = i - (i + 2 * p - k) % s
    sizes = {j: formulas.conv_out_size(j, k, stride=s, padding=p) for j in range(max(i0, 1), i0 + s)}
    others = {j: v for j, v in sizes.items() if v != o}
    expect_equal("{conv_out_size(j) for j in i0 .. i0 + s - 1}", set(sizes.values()), {o},
                 rule=R6, call=call, detail=f"  i0 = {i0}; differing: {dict(list(others.items())[:5])}")
    expect_equal("conv_out_size(i0 + s)", formulas.conv_out_size(i0 + s, k, stride=s, padding=p),
                 o + 1, rule=R6, call=call)


def _half(draw: Any, st: Any) -> dict:
    return dict(i=draw(st.integers(1, BIG_I)), n=draw(st.integers(0, 300)))


@check(R3, ops=(), cases=composite(_half))
def check_odd_kernel_keeps_the_size(target, c):
    i, n = c["i"], c["n"]
    k, call = 2 * n + 1, call_text("conv_out_size", c["i"], 2 * n + 1, padding=n)
    _agree(R3, call, formulas.conv_out_size(i, k, padding=n), i, windows_in(i + 2 * n, k, 1),
           f"{i} + 2*{n} - 2*{n}")
    expect_equal("same_padding(i, k)", formulas.same_padding(i, k), (n, n), rule=R3,
                 call=call_text("same_padding", i, k), detail="  at stride 1 pad.same is half padding")


@check(R3, ops=(), cases=once, max_examples=1)
def check_proof_half_padding(target, _):
    i, n = int_symbols("i n", nonnegative="n")
    expect_zero("conv_out_size(i, 2n+1, padding=n) - i",
                formulas.conv_out_size(i, 2 * n + 1, padding=n) - i, rule=R3)


@check(R3, ops=(), kind="negative", cases=composite(_half))
def check_even_kernel_gives_one_more(target, c):
    """Past the hypothesis 'k odd': k = 2n + 2 with p = floor(k/2) = n + 1 gives i + 1."""
    i, n = c["i"], c["n"]
    k, p = 2 * n + 2, n + 1
    call = call_text("conv_out_size", i, k, padding=p)
    _agree(R3, call, formulas.conv_out_size(i, k, padding=p), i + 1, windows_in(i + 2 * p, k, 1),
           f"an even kernel: {i} + 2*{p} - ({k} - 1)")


@check(R4, ops=(), cases=composite(lambda draw, st: dict(i=draw(st.integers(1, BIG_I)),
                                                          k=draw(st.integers(1, 400)))))
def check_counts_overlapping_placements(target, c):
    i, k = c["i"], c["k"]
    p = formulas.full_padding(k)
    expect_equal("full_padding(k)", p, (k - 1, k - 1), rule=R4, call=call_text("full_padding", k))
    overlaps, _ = full_overlaps(i, k, 1)
    _agree(R4, call_text("conv_out_size", i, k, padding=p), formulas.conv_out_size(i, k, padding=p),
           i + (k - 1), overlaps, f"{i} + ({k} - 1)", "placements overlapping the input")


def _pool_cases(draw: Any, st: Any) -> dict:
    i = draw(st.integers(1, 20_000))
    return dict(i=i, k=draw(st.integers(1, min(i, 60))), s=draw(st.integers(1, 60)))


@check(R7, ops=(), cases=composite(_pool_cases))
def check_counts_windows_for_max_and_average(target, c):
    from .. import ref

    i, k, s = c["i"], c["k"], c["s"]
    call = call_text("pool_out_size", i, k, stride=s)
    o = formulas.pool_out_size(i, k, stride=s)
    _agree(R7, call, o, (i - k) // s + 1, windows_in(i, k, s), f"floor(({i} - {k})/{s}) + 1")
    x = np.zeros((1, 1, i))  # (N, C, i)
    for op in (ref.max_pool, ref.avg_pool):
        expect_equal(f"{op.__name__}(...).shape[-1]", op(x, kernel=k, stride=s).shape[-1], o,
                     rule=R7, call=call, detail="  any pooling function: the same windows")


_refusal_check(R7, composite(lambda draw, st: _past(draw, st, pad=False)),
               call=lambda c: ("pool_out_size", (c["i"], c["k"]), {"stride": c["s"]}),
               raises="pool.kernel-fits", why="k = i + 1 > i")


# ---------------------------------------------------------------- Relationships 8-14: transposed

R8, R9, R10, R11 = ("arith.transposed-unit-stride-no-padding", "arith.transposed-unit-stride-padding",
                    "arith.transposed-half-padding", "arith.transposed-full-padding")
R12, R13, R14 = ("arith.transposed-strided-no-padding", "arith.transposed-strided-padding",
                 "arith.transposed-strided-remainder")


def _transposed_agree(rule: str, call: str, got: int, paper: int, paper_text: str, *,
                      i: int, k: int, s: int, p: int, a: int = 0) -> None:
    """o' against the paper, the equivalent direct convolution and the scatter's footprint."""
    expect_equal("o'", got, paper, rule=rule, call=call, detail=f"  paper: {paper_text} = {paper}")
    if p <= k - 1:
        expect_equal("o'", got, stretched_conv_length(i, k, s, p, a), rule=rule, call=call,
                     detail=f"  the equivalent convolution: k' = {k}, s' = 1, "
                            f"p' = ({k - p - 1}, {k - p - 1 + a}) over the stretched input")
    expect_equal("o'", got, scatter_length(i, k, s, p, p, a, 1), rule=rule, call=call,
                 detail="  cells the scatter writes, cropped by the padding")


@check(R8, ops=(), cases=composite(lambda draw, st: dict(i=draw(st.integers(1, 20_000)),
                                                          k=draw(st.integers(1, 200)))))
def check_inverts_the_unit_stride_convolution(target, c):
    i, k = c["i"], c["k"]
    call = call_text("conv_transpose_out_size", i, k)
    o = formulas.conv_transpose_out_size(i, k)
    _transposed_agree(R8, call, o, i + (k - 1), f"{i} + ({k} - 1)", i=i, k=k, s=1, p=0)
    expect_equal("conv_out_size(o', k)", formulas.conv_out_size(o, k), i, rule=R8, call=call,
                 detail="  the convolution it transposes maps o' back to i'")


def _unit_padded(draw: Any, st: Any) -> dict:
    k = draw(st.integers(1, 200))
    p = draw(st.integers(0, k - 1))
    return dict(i=draw(st.integers(max(1, 2 * p - k + 2), 20_000)), k=k, p=p)


@check(R9, ops=(), cases=composite(_unit_padded))
def check_equals_the_less_padded_convolution(target, c):
    i, k, p = c["i"], c["k"], c["p"]
    call = call_text("conv_transpose_out_size", i, k, padding=p)
    _transposed_agree(R9, call, formulas.conv_transpose_out_size(i, k, padding=p),
                      i + (k - 1) - 2 * p, f"{i} + ({k} - 1) - 2*{p}", i=i, k=k, s=1, p=p)


def _empty_output(draw: Any, st: Any) -> dict:
    k = draw(st.integers(1, 200))
    p = draw(st.integers((k + 1) // 2, k + 50))  # 2p - k + 1 >= 1
    return dict(i=2 * p - k + 1, k=k, p=p)


_refusal_check(R9, composite(_empty_output), name="empty_output_is_refused",
               call=lambda c: ("conv_transpose_out_size", (c["i"], c["k"]), {"padding": c["p"]}),
               raises="conv-transpose.out-size", why="i' + (k - 1) - 2p = 0")


@check(R10, ops=(), cases=composite(lambda draw, st: dict(i=draw(st.integers(1, 20_000)),
                                                           n=draw(st.integers(0, 100)))))
def check_half_padding_is_its_own_transpose(target, c):
    i, n = c["i"], c["n"]
    call = call_text("conv_transpose_out_size", i, 2 * n + 1, padding=n)
    _transposed_agree(R10, call, formulas.conv_transpose_out_size(i, 2 * n + 1, padding=n), i,
                      f"{i} + 2*{n} - 2*{n}", i=i, k=2 * n + 1, s=1, p=n)


@check(R10, ops=(), kind="negative", cases=composite(lambda draw, st: dict(
    i=draw(st.integers(2, 20_000)), n=draw(st.integers(0, 100)))))
def check_even_kernel_gives_one_less(target, c):
    """Past the hypothesis 'k odd': k = 2n + 2, p = n + 1 gives i' - 1."""
    i, n = c["i"], c["n"]
    call = call_text("conv_transpose_out_size", i, 2 * n + 2, padding=n + 1)
    _transposed_agree(R10, call, formulas.conv_transpose_out_size(i, 2 * n + 2, padding=n + 1),
                      i - 1, f"an even kernel: {i} + {2 * n + 1} - 2*{n + 1}", i=i, k=2 * n + 2,
                      s=1, p=n + 1)


def _full_transposed(draw: Any, st: Any) -> dict:
    k = draw(st.integers(1, 200))
    return dict(i=draw(st.integers(k, 20_000)), k=k)


@check(R11, ops=(), cases=composite(_full_transposed))
def check_equals_the_unpadded_convolution(target, c):
    i, k = c["i"], c["k"]
    call = call_text("conv_transpose_out_size", i, k, padding=k - 1)
    _transposed_agree(R11, call, formulas.conv_transpose_out_size(i, k, padding=k - 1),
                      i - (k - 1), f"{i} - ({k} - 1)", i=i, k=k, s=1, p=k - 1)


_refusal_check(R11, composite(lambda draw, st: dict(k=draw(st.integers(2, 200)))),
               name="input_shorter_than_the_kernel_is_refused",
               call=lambda c: ("conv_transpose_out_size", (c["k"] - 1, c["k"]),
                               {"padding": c["k"] - 1}),
               raises="conv-transpose.out-size", why="i' = k - 1: o' = 0")


def _exact_strided(draw: Any, st: Any, *, pad: bool) -> dict:
    """A convolution whose i + 2p - k is a multiple of s: i = k - 2p + s*q >= 1."""
    k, s = draw(st.integers(1, 100)), draw(st.integers(1, 50))
    p = draw(st.integers(0, k - 1)) if pad else 0
    q = draw(st.integers(max(0, -((k - 2 * p - 1) // s)), 2_000))
    return dict(i=k - 2 * p + s * q, k=k, s=s, p=p)


def _strided_inverse(rule: str, c: dict, a: int = 0) -> None:
    i, k, s, p = c["i"], c["k"], c["s"], c["p"]
    i_t = formulas.conv_out_size(i, k, stride=s, padding=p)
    call = call_text("conv_transpose_out_size", i_t, k, stride=s, padding=p, output_padding=a)
    o = formulas.conv_transpose_out_size(i_t, k, stride=s, padding=p, output_padding=a)
    _transposed_agree(rule, call, o, s * (i_t - 1) + a + k - 2 * p,
                      f"{s}*({i_t} - 1) + {a} + {k} - 2*{p}", i=i_t, k=k, s=s, p=p, a=a)
    expect_equal("o'", o, i, rule=rule, call=call,
                 detail=f"  the input size of conv_out_size({i}, {k}, stride={s}, padding={p}) "
                        f"= {i_t}")


def _remainder_lost(rule: str, c: dict) -> None:
    """Past the hypothesis: with a = (i + 2p - k) mod s > 0 and no output_padding the
    transpose gives i - a, not i."""
    i, k, s, p = c["i"] + c["a"], c["k"], c["s"], c["p"]
    i_t = formulas.conv_out_size(i, k, stride=s, padding=p)
    call = call_text("conv_transpose_out_size", i_t, k, stride=s, padding=p)
    expect_equal("o'", formulas.conv_transpose_out_size(i_t, k, stride=s, padding=p),
                 i - c["a"], rule=rule, call=call,
                 detail=f"  conv_out_size({i}, {k}, stride={s}, padding={p}) = {i_t}; "
                        f"a = {c['a']} cells are lost without output_padding")


def _with_remainder(draw: Any, st: Any, *, pad: bool) -> dict:
    c = _exact_strided(draw, st, pad=pad)
    from hypothesis import assume

    assume(c["s"] > 1)
    return {**c, "a": draw(st.integers(1, c["s"] - 1))}


def _strided_checks(rule: str, *, pad: bool) -> None:
    @check(rule, ops=(), cases=composite(lambda draw, st: _exact_strided(draw, st, pad=pad)))
    def check_recovers_the_input_size(target, c):
        _strided_inverse(rule, c)

    @check(rule, ops=(), kind="negative",
           cases=composite(lambda draw, st: _with_remainder(draw, st, pad=pad)))
    def check_remainder_is_lost(target, c):
        _remainder_lost(rule, c)


_strided_checks(R12, pad=False)
_strided_checks(R13, pad=True)


def _empty_strided(draw: Any, st: Any) -> dict:
    k = draw(st.integers(1, 100))
    return dict(k=k, s=draw(st.integers(1, 50)), p=(k + 1) // 2)  # i' = 1: o' = k - 2p <= 0


_refusal_check(R13, composite(_empty_strided), name="empty_output_is_refused",
               call=lambda c: ("conv_transpose_out_size", (1, c["k"]),
                               {"stride": c["s"], "padding": c["p"]}),
               raises="conv-transpose.out-size", why="s(i' - 1) + k - 2p <= 0")


def _any_strided(draw: Any, st: Any) -> dict:
    k, s = draw(st.integers(1, 100)), draw(st.integers(1, 50))
    p = draw(st.integers(0, k - 1))
    return dict(i=draw(st.integers(max(1, k - 2 * p), 20_000)), k=k, s=s, p=p)


@check(R14, ops=(), cases=composite(_any_strided))
def check_recovers_every_input_size(target, c):
    i, k, s, p = c["i"], c["k"], c["s"], c["p"]
    _strided_inverse(R14, c, a=(i + 2 * p - k) % s)


@check(R14, ops=(), cases=composite(lambda draw, st: dict(s=draw(st.integers(1, 12)))),
       max_examples=12)
def check_proof_by_residues(target, c):
    """For a drawn s, every remainder a < s: i = s*q + a + d(k-1) + 1 - p_b - p_a with q, k,
    d, p_b, p_a symbols covers every valid configuration (q >= 0 nonnegative); the
    convolution gives q + 1 and the transpose with output_padding = a gives i back."""
    import sympy

    s = c["s"]
    q, pb, pa = int_symbols("q p_b p_a", nonnegative="q p_b p_a")
    k, d = int_symbols("k d")
    for a in range(s):
        i = s * q + a + d * (k - 1) + 1 - pb - pa
        call = f"s={s}, a={a}, i = {i}"
        o = formulas.conv_out_size(i, k, stride=s, padding=(pb, pa), dilation=d)
        expect_zero("conv_out_size(i) - (q + 1)", o - (q + 1), rule=R14, call=call)
        expect_zero("(i + p_b + p_a - k^) mod s - a",
                    sympy.Mod(i + pb + pa - formulas.effective_kernel(k, d), s) - a,
                    rule=R14, call=call)
        back = formulas.conv_transpose_out_size(o, k, stride=s, padding=(pb, pa),
                                                output_padding=a, dilation=d)
        expect_zero("conv_transpose_out_size(conv_out_size(i), output_padding=a) - i",
                    back - i, rule=R14, call=call)


@check(R14, ops=(), cases=once, max_examples=1)
def check_proof_for_every_stride(target, _):
    """With s a symbol too: a = Mod(N, s) = N - s*floor(N/s), N = i + p_b + p_a - k^."""
    import sympy

    i, k, s, d = int_symbols("i k s d")
    pb, pa = int_symbols("p_b p_a", nonnegative="p_b p_a")
    o = formulas.conv_out_size(i, k, stride=s, padding=(pb, pa), dilation=d)
    a = sympy.Mod(i + pb + pa - formulas.effective_kernel(k, d), s)
    back = formulas.conv_transpose_out_size(o, k, stride=s, padding=(pb, pa), output_padding=a,
                                            dilation=d)
    expect_zero("conv_transpose_out_size(conv_out_size(i), output_padding=a) - i",
                (back - i).rewrite(sympy.floor), rule=R14)


def _small_transposed(draw: Any, st: Any) -> dict:
    k, s = draw(st.integers(1, 4)), draw(st.integers(1, 3))
    p = draw(st.integers(0, k - 1))
    i = draw(st.integers(1, 6))
    return dict(i=i, k=k, s=s, p=p, a=draw(st.integers(0, s - 1)), c_in=draw(st.integers(1, 3)),
                c_out=draw(st.integers(1, 3)), seed=draw(st.integers(0, 2**16)))


@check(R14, ops=(), cases=composite(_small_transposed))
def check_equivalent_convolution_computes_the_same_values(target, c):
    """conv_transpose(x, w) = conv(stretched x, w flipped with its channel axes swapped,
    padding (k - p - 1, k - p - 1 + a)), exactly on integer-valued data."""
    from .. import ref
    from ..asserts import assert_exact

    i, k, s, p, a = c["i"], c["k"], c["s"], c["p"], c["a"]
    if (i - 1) * s + k - 2 * p + a < 1:
        return  # no output: the other checks cover the refusal
    rng = np.random.default_rng(c["seed"])
    x = rng.integers(-3, 4, (1, c["c_in"], i)).astype(float)  # (N, C_in, i')
    w = rng.integers(-3, 4, (c["c_in"], c["c_out"], k)).astype(float)  # (C_in, C_out, k)
    y = ref.conv_transpose(x, w, stride=s, padding=p, output_padding=a)
    stretched = np.zeros((1, c["c_in"], (i - 1) * s + 1))  # s - 1 zeros between cells
    stretched[..., ::s] = x
    direct = ref.conv(stretched, np.flip(w, -1).swapaxes(0, 1), padding=((k - p - 1, k - p - 1 + a),))
    assert_exact(y, direct, rule=R14, name="conv_transpose(x, w)",
                 call=f"i'={i}, k={k}, s={s}, p={p}, a={a}: the equivalent direct convolution")


@check(R14, ops=(), kind="negative", cases=composite(lambda draw, st: dict(
    i=draw(st.integers(1, 1000)), k=draw(st.integers(1, 50)), s=draw(st.integers(1, 50)))))
def check_remainder_of_a_whole_stride_is_refused(target, c):
    i, k, s = c["i"], c["k"], c["s"]
    expect_refusal(lambda: formulas.conv_transpose_out_size(i, k, stride=s, output_padding=s),
                   raises="conv-transpose.output-padding", rule=R14,
                   call=call_text("conv_transpose_out_size", i, k, stride=s, output_padding=s),
                   why="a = s: a remainder is < s")


# ---------------------------------------------------------------- Relationship 15: dilation

R15 = "arith.dilated"


def _dilated(draw: Any, st: Any) -> dict:
    i = draw(st.integers(1, BIG_I))
    pb, pa = draw(st.integers(0, 200)), draw(st.integers(0, 200))
    k = draw(st.integers(1, min(i + pb + pa, 100)))
    d = 1 if k == 1 else draw(st.integers(1, min(50, (i + pb + pa - 1) // (k - 1))))
    return dict(i=i, k=k, s=draw(st.integers(1, 200)), pb=pb, pa=pa, d=d)


_counting_check(  # with 2p generalized to p_before + p_after (conv.out-size)
    R15, composite(_dilated),
    formula=lambda c: _formula("conv_out_size", c["i"], c["k"], stride=c["s"],
                               padding=(c["pb"], c["pa"]), dilation=c["d"]),
    paper=lambda c: ((c["i"] + c["pb"] + c["pa"] - c["k"] - (c["k"] - 1) * (c["d"] - 1)) // c["s"]
                     + 1, f"floor(({c['i']} + {c['pb']} + {c['pa']} - {c['k']} - ({c['k']} - 1)"
                          f"({c['d']} - 1))/{c['s']}) + 1"),
    counted=lambda c: windows_in(c["i"] + c["pb"] + c["pa"], c["k"], c["s"], c["d"]))


@check(R15, ops=(), cases=composite(lambda draw, st: dict(k=draw(st.integers(1, 10_000)),
                                                           d=draw(st.integers(1, 10_000)))))
def check_effective_kernel_is_the_tap_span(target, c):
    k, d = c["k"], c["d"]
    call = call_text("effective_kernel", k, d)
    got = formulas.effective_kernel(k, d)
    expect_equal("k^", got, k + (k - 1) * (d - 1), rule=R15, call=call,
                 detail=f"  paper: {k} + ({k} - 1)({d} - 1)")
    expect_equal("k^", got, tap_span(k, d), rule=R15, call=call,
                 detail="  first to last of the taps 0, d, ..., (k-1)d")


@check(R15, ops=(), cases=once, max_examples=1)
def check_proof_reduces_to_relationship_6(target, _):
    import sympy

    i, k, s, d = int_symbols("i k s d")
    p = int_symbols("p", nonnegative="p")
    dilated = formulas.conv_out_size(i, k, stride=s, padding=p, dilation=d)
    expect_zero("conv_out_size(dilation=d) - paper's relationship 15",
                dilated - (sympy.floor((i + 2 * p - k - (k - 1) * (d - 1)) / s) + 1), rule=R15)
    expect_zero("conv_out_size(dilation=1) - conv_out_size()",
                dilated.subs(d, 1) - formulas.conv_out_size(i, k, stride=s, padding=p), rule=R15)
    expect_zero("conv_out_size(dilation=1) - paper's relationship 6",
                dilated.subs(d, 1) - (sympy.floor((i + 2 * p - k) / s) + 1), rule=R15)


@check(R15, ops=(), kind="negative", cases=composite(lambda draw, st: dict(
    k=draw(st.integers(2, 100)), d=draw(st.integers(1, 50)), pb=draw(st.integers(0, 100)))))
def check_dilated_kernel_past_the_padded_input_is_refused(target, c):
    k, d, pb = c["k"], c["d"], c["pb"]
    i = d * (k - 1) + 1 - 1 - pb  # one cell short
    if i < 1:
        i, pb = d * (k - 1), 0
    call = call_text("conv_out_size", i, k, padding=(pb, 0), dilation=d)
    expect_refusal(lambda: formulas.conv_out_size(i, k, padding=(pb, 0), dilation=d),
                   raises="conv.kernel-fits", rule=R15, call=call, why="k^ = i + p_b + p_a + 1")
    expect_refusal(lambda: formulas.conv_out_size(i + k, k, dilation=0), raises="config.dilation",
                   rule=R15, call=call_text("conv_out_size", i + k, k, dilation=0), why="d = 0 < 1")

