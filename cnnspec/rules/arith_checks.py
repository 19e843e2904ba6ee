"""Checks of the Dumoulin & Visin relationships (rules/arith.py), each failure citing its
rule: checks of the spec itself (``ops=()``), run once, on the reference.  They read each
relationship where it is written once (rules/_relationships.py):

- proofs: every part of the closed form, parsed from the rule's formula line, equals the
  general formula in the special case as a SymPy identity;
- counting: that formula, the closed form and brute-force enumeration (rules/_counting.py)
  agree on integers drawn far beyond the domain tests/test_exhaustive.py covers;
- refusals: just past a precondition the formula raises InvalidConfig naming the rule that
  is broken, or (past a hypothesis, such as an odd kernel) the conclusion fails as the
  statement says it does.
"""

from __future__ import annotations

from typing import Any

from .. import formulas
from . import _relationships as dv
from . import check
from ._counting import full_overlaps, scatter_length, tap_span, windows_in
from ._evidence import call_text, composite, expect_equal, expect_refusal, expect_zero, int_symbols, once
from ._relationships import RELATIONSHIPS

BIG_I = 100_000  # input sizes drawn up to here: far past the exhaustive domain (i <= 64)

R1, R2, R3, R4 = ("arith.unit-stride-no-padding", "arith.unit-stride-padding",
                  "arith.half-padding", "arith.full-padding")
R5, R6, R7 = "arith.strided-no-padding", "arith.strided-padding", "arith.pooling"
R8, R9, R10, R11 = ("arith.transposed-unit-stride-no-padding", "arith.transposed-unit-stride-padding",
                    "arith.transposed-half-padding", "arith.transposed-full-padding")
R12, R13, R14 = ("arith.transposed-strided-no-padding", "arith.transposed-strided-padding",
                 "arith.transposed-strided-remainder")
R15 = "arith.dilated"


def _proof(rule: str) -> None:
    def check_proof_closed_form_is_the_formula(target, _):
        rel = RELATIONSHIPS[rule]
        formula = rel.symbolic()
        name, args, kwargs = rel.case(rel.symbols())
        for text, expr in dv.closed_forms(rule):
            expect_zero(f"({text}) - {call_text(name, *args, **kwargs)}", expr - formula,
                        rule=rule, call=rel.formula_line())

    check(rule, ops=(), cases=once, max_examples=1,
          name="proof_closed_form_is_the_formula")(check_proof_closed_form_is_the_formula)


for _r in (R1, R2, R3, R4, R5, R6, R7, R8, R9, R10, R11, R12, R13, R14, R15):
    _proof(_r)

# ---------------------------------------------------------------- Relationships 1-7: conv, pool


def _counting_check(rule: str, cases: Any, *, counted: Any) -> None:
    """The formula in the special case, the closed form and counted(c), at each drawn c."""

    def check_counts_windows(target, c):
        call, o = dv.special_case(rule, c)
        dv.agree(rule, call, o, c, ("windows counted one by one", counted(c)))

    check(rule, ops=(), cases=cases, name="counts_windows")(check_counts_windows)


def _refusal_check(rule: str, cases: Any, *, raises: str, why: str,
                   name: str = "kernel_past_the_input_is_refused") -> None:
    """The rule's formula call at each drawn c (values past a precondition) raises [raises]."""

    def refused(target, c):
        fname, args, kwargs = RELATIONSHIPS[rule].case(c)
        expect_refusal(lambda: getattr(formulas, fname)(*args, **kwargs), raises=raises,
                       rule=rule, call=call_text(fname, *args, **kwargs), why=why)

    check(rule, ops=(), kind="negative", cases=cases, name=name)(refused)


def _fitting(stride: bool, pad: bool) -> Any:
    """i, p and a kernel that fits the padded input (k <= i + 2p), optionally a stride."""
    def values(draw: Any, st: Any) -> dict:
        i, p = draw(st.integers(1, BIG_I)), (draw(st.integers(0, 300)) if pad else 0)
        k = draw(st.integers(1, min(i + 2 * p, 400)))
        return dict(i=i, k=k, s=draw(st.integers(1, 200)) if stride else 1, p=p)
    return composite(values)


def _too_long(pad: bool) -> Any:
    """A kernel one cell longer than the padded input."""
    def values(draw: Any, st: Any) -> dict:
        i, p = draw(st.integers(1, 400)), (draw(st.integers(0, 100)) if pad else 0)
        return dict(i=i, k=i + 2 * p + 1, p=p, s=draw(st.integers(1, 50)))
    return composite(values)


_counting_check(R1, _fitting(False, False), counted=lambda c: windows_in(c["i"], c["k"], 1))
_refusal_check(R1, _too_long(False), raises="conv.kernel-fits", why="k = i + 1 > i")
_counting_check(R2, _fitting(False, True),
                counted=lambda c: windows_in(c["i"] + 2 * c["p"], c["k"], 1))
_refusal_check(R2, _too_long(True), raises="conv.kernel-fits", why="k = i + 2p + 1 > i + 2p")
_counting_check(R5, _fitting(True, False), counted=lambda c: windows_in(c["i"], c["k"], c["s"]))
_refusal_check(R5, _too_long(False), raises="conv.kernel-fits", why="k = i + 1 > i")
_counting_check(R6, _fitting(True, True),
                counted=lambda c: windows_in(c["i"] + 2 * c["p"], c["k"], c["s"]))
_refusal_check(R6, _too_long(True), raises="conv.kernel-fits", why="k = i + 2p + 1 > i + 2p")


@check(R6, ops=(), cases=_fitting(True, True))
def check_s_input_sizes_share_an_output_size(target, c):
    """i0 = the largest size <= i with i0 + 2p - k a multiple of s: i0 .. i0 + s - 1 (those
    >= 1) all give o, and i0 + s gives o + 1."""
    i, k, s, p = c["i"], c["k"], c["s"], c["p"]
    call, o = dv.special_case(R6, c)
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
    k = 2 * n + 1
    call, o = dv.special_case(R3, c)
    dv.agree(R3, call, o, c, ("windows counted one by one", windows_in(i + 2 * n, k, 1)))
    expect_equal("same_padding(i, k)", formulas.same_padding(i, k), (n, n), rule=R3,
                 call=call_text("same_padding", i, k), detail="  at stride 1 pad.same is half padding")


@check(R3, ops=(), kind="negative", cases=composite(_half))
def check_even_kernel_gives_one_more(target, c):
    """Past the hypothesis 'k odd': k = 2n + 2 with p = floor(k/2) = n + 1 gives i + 1."""
    i, n = c["i"], c["n"]
    k, p = 2 * n + 2, n + 1
    call = call_text("conv_out_size", i, k, padding=p)
    o = formulas.conv_out_size(i, k, padding=p)
    expect_equal("o", o, i + 1, rule=R3, call=call,
                 detail=f"  an even kernel: {i} + 2*{p} - ({k} - 1)")
    expect_equal("o", o, windows_in(i + 2 * p, k, 1), rule=R3, call=call,
                 detail="  windows counted one by one")


@check(R4, ops=(), cases=composite(lambda draw, st: dict(i=draw(st.integers(1, BIG_I)),
                                                          k=draw(st.integers(1, 400)))))
def check_counts_overlapping_placements(target, c):
    i, k = c["i"], c["k"]
    expect_equal("full_padding(k)", formulas.full_padding(k), (k - 1, k - 1), rule=R4,
                 call=call_text("full_padding", k))
    call, o = dv.special_case(R4, c)
    dv.agree(R4, call, o, c, ("placements overlapping the input", full_overlaps(i, k, 1)[0]))


def _pool_cases(draw: Any, st: Any) -> dict:
    i = draw(st.integers(1, 20_000))
    return dict(i=i, k=draw(st.integers(1, min(i, 60))), s=draw(st.integers(1, 60)))


@check(R7, ops=(), cases=composite(_pool_cases))
def check_counts_windows_for_max_and_average(target, c):
    import numpy as np

    from .. import ref

    i, k, s = c["i"], c["k"], c["s"]
    call, o = dv.special_case(R7, c)
    dv.agree(R7, call, o, c, ("windows counted one by one", windows_in(i, k, s)))
    x = np.zeros((1, 1, i))  # (N, C, i)
    for op in (ref.max_pool, ref.avg_pool):
        expect_equal(f"{op.__name__}(...).shape[-1]", op(x, kernel=k, stride=s).shape[-1], o,
                     rule=R7, call=call, detail="  any pooling function: the same windows")


_refusal_check(R7, _too_long(False), raises="pool.kernel-fits", why="k = i + 1 > i")


# ---------------------------------------------------------------- Relationships 8-14: transposed


@check(R8, ops=(), cases=composite(lambda draw, st: {"i'": draw(st.integers(1, 20_000)),
                                                     "k": draw(st.integers(1, 200))}))
def check_inverts_the_unit_stride_convolution(target, c):
    o = dv.transposed_agree(R8, c)
    expect_equal("conv_out_size(o', k)", formulas.conv_out_size(o, c["k"]), c["i'"], rule=R8,
                 call=dv.special_case(R8, c)[0],
                 detail="  the convolution it transposes maps o' back to i'")


def _unit_padded(draw: Any, st: Any) -> dict:
    k = draw(st.integers(1, 200))
    p = draw(st.integers(0, k - 1))
    return {"i'": draw(st.integers(max(1, 2 * p - k + 2), 20_000)), "k": k, "p": p}


def _empty_output(draw: Any, st: Any) -> dict:
    k = draw(st.integers(1, 200))
    p = draw(st.integers((k + 1) // 2, k + 50))  # 2p - k + 1 >= 1
    return {"i'": 2 * p - k + 1, "k": k, "p": p}


def _full_transposed(draw: Any, st: Any) -> dict:
    k = draw(st.integers(1, 200))
    return {"i'": draw(st.integers(k, 20_000)), "k": k}


def _transposed_check(rule: str, name: str, draw_values: Any) -> None:
    def agrees(target, c):
        dv.transposed_agree(rule, c)

    check(rule, ops=(), cases=composite(draw_values), name=name)(agrees)


_transposed_check(R9, "equals_the_less_padded_convolution", _unit_padded)
_refusal_check(R9, composite(_empty_output), name="empty_output_is_refused",
               raises="conv-transpose.out-size", why="i' + (k - 1) - 2p = 0")
_transposed_check(R10, "half_padding_is_its_own_transpose", lambda draw, st: {
    "i'": draw(st.integers(1, 20_000)), "n": draw(st.integers(0, 100))})
_transposed_check(R11, "equals_the_unpadded_convolution", _full_transposed)
_refusal_check(R11, composite(lambda draw, st: (lambda k: {"i'": k - 1, "k": k})(
    draw(st.integers(2, 200)))), name="input_shorter_than_the_kernel_is_refused",
               raises="conv-transpose.out-size", why="i' = k - 1: o' = 0")


@check(R10, ops=(), kind="negative", cases=composite(lambda draw, st: dict(
    i=draw(st.integers(2, 20_000)), n=draw(st.integers(0, 100)))))
def check_even_kernel_gives_one_less(target, c):
    """Past the hypothesis 'k odd': k = 2n + 2, p = n + 1 gives i' - 1."""
    i, n = c["i"], c["n"]
    call = call_text("conv_transpose_out_size", i, 2 * n + 2, padding=n + 1)
    o = formulas.conv_transpose_out_size(i, 2 * n + 2, padding=n + 1)
    expect_equal("o'", o, i - 1, rule=R10, call=call,
                 detail=f"  an even kernel: {i} + {2 * n + 1} - 2*{n + 1}")
    expect_equal("o'", o, scatter_length(i, 2 * n + 2, 1, n + 1, n + 1, 0, 1), rule=R10,
                 call=call, detail="  cells the scatter writes, cropped by the padding")


def _exact_strided(draw: Any, st: Any, *, pad: bool) -> dict:
    """A convolution whose i + 2p - k is a multiple of s: i = k - 2p + s*q >= 1."""
    k, s = draw(st.integers(1, 100)), draw(st.integers(1, 50))
    p = draw(st.integers(0, k - 1)) if pad else 0
    q = draw(st.integers(max(0, -((k - 2 * p - 1) // s)), 2_000))
    return dict(i=k - 2 * p + s * q, k=k, s=s, p=p)


def _with_remainder(draw: Any, st: Any, *, pad: bool) -> dict:
    from hypothesis import assume

    c = _exact_strided(draw, st, pad=pad)
    assume(c["s"] > 1)
    return {**c, "a": draw(st.integers(1, c["s"] - 1))}


def _strided_checks(rule: str, *, pad: bool) -> None:
    @check(rule, ops=(), cases=composite(lambda draw, st: _exact_strided(draw, st, pad=pad)))
    def check_recovers_the_input_size(target, c):
        dv.recovers_the_input(rule, c)

    @check(rule, ops=(), kind="negative",
           cases=composite(lambda draw, st: _with_remainder(draw, st, pad=pad)))
    def check_remainder_is_lost(target, c):
        dv.remainder_lost(rule, c)


_strided_checks(R12, pad=False)
_strided_checks(R13, pad=True)


def _empty_strided(draw: Any, st: Any) -> dict:
    k = draw(st.integers(1, 100))
    return {"i'": 1, "k": k, "s": draw(st.integers(1, 50)), "p": (k + 1) // 2}  # o' = k - 2p <= 0


_refusal_check(R13, composite(_empty_strided), name="empty_output_is_refused",
               raises="conv-transpose.out-size", why="s(i' - 1) + k - 2p <= 0")


def _any_strided(draw: Any, st: Any) -> dict:
    k, s = draw(st.integers(1, 100)), draw(st.integers(1, 50))
    p = draw(st.integers(0, k - 1))
    return dict(i=draw(st.integers(max(1, k - 2 * p), 20_000)), k=k, s=s, p=p)


@check(R14, ops=(), cases=composite(_any_strided))
def check_recovers_every_input_size(target, c):
    i, k, s, p = c["i"], c["k"], c["s"], c["p"]
    dv.recovers_the_input(R14, c, a=(i + 2 * p - k) % s)  # a, as the rule defines it


@check(R14, ops=(), cases=once, max_examples=1)
def check_proof_for_every_stride(target, _):
    """conv_transpose_out_size(conv_out_size(i), output_padding=a) = i for every valid
    configuration, s a symbol too: a = Mod(N, s) = N - s*floor(N/s), N = i + p_b + p_a - k^."""
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
    i = draw(st.integers(max(1, -((k - 2 * p - 1) // s) + 1), 6))  # o' >= 1 for every a
    return dict(i=i, k=k, s=s, p=p, a=draw(st.integers(0, s - 1)), c_in=draw(st.integers(1, 3)),
                c_out=draw(st.integers(1, 3)), seed=draw(st.integers(0, 2**16)))


@check(R14, ops=(), cases=composite(_small_transposed))
def check_equivalent_convolution_computes_the_same_values(target, c):
    """conv_transpose(x, w) = conv(stretched x, w flipped with its channel axes swapped,
    padding (k - p - 1, k - p - 1 + a)), exactly on integer-valued data."""
    import numpy as np

    from .. import ref
    from ..asserts import assert_exact

    i, k, s, p, a = c["i"], c["k"], c["s"], c["p"], c["a"]
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


def _dilated(draw: Any, st: Any) -> dict:
    i = draw(st.integers(1, BIG_I))
    pb, pa = draw(st.integers(0, 200)), draw(st.integers(0, 200))
    k = draw(st.integers(1, min(i + pb + pa, 100)))
    d = 1 if k == 1 else draw(st.integers(1, min(50, (i + pb + pa - 1) // (k - 1))))
    return dict(i=i, k=k, s=draw(st.integers(1, 200)), pb=pb, pa=pa, d=d)


@check(R15, ops=(), cases=composite(_dilated))
def check_counts_windows(target, c):
    """With 2p generalized to p_before + p_after (conv.out-size): the closed form at
    p = (p_before + p_after)/2."""
    import sympy

    i, k, s, pb, pa, d = (c[n] for n in ("i", "k", "s", "pb", "pa", "d"))
    call = call_text("conv_out_size", i, k, stride=s, padding=(pb, pa), dilation=d)
    o = formulas.conv_out_size(i, k, stride=s, padding=(pb, pa), dilation=d)
    dv.agree(R15, call, o, dict(i=i, k=k, s=s, p=sympy.Rational(pb + pa, 2), d=d),
          ("windows counted one by one", windows_in(i + pb + pa, k, s, d)))


@check(R15, ops=(), cases=composite(lambda draw, st: dict(k=draw(st.integers(1, 10_000)),
                                                           d=draw(st.integers(1, 10_000)))))
def check_effective_kernel_is_the_tap_span(target, c):
    k, d = c["k"], c["d"]
    call = call_text("effective_kernel", k, d)
    got = formulas.effective_kernel(k, d)
    name, span = RELATIONSHIPS[R15].defines.split(" = ")  # k^ = the paper's span of the taps
    paper_span = int(dv.parse(span).subs({"k": k, "d": d}))
    expect_equal(name, got, paper_span, rule=R15, call=call, detail=f"  paper: {span} at k={k}, d={d}")
    expect_equal(name, got, tap_span(k, d), rule=R15, call=call,
                 detail="  first to last of the taps 0, d, ..., (k-1)d")


@check(R15, ops=(), cases=once, max_examples=1)
def check_proof_reduces_to_relationship_6(target, _):
    """At d = 1 the dilated closed form is Relationship 6's (the formula is, by the proofs
    that each closed form is conv_out_size in its special case)."""
    (_, dilated), (_, undilated) = dv.closed_forms(R15)[0], dv.closed_forms(R6)[0]
    d = RELATIONSHIPS[R15].symbols()["d"]
    expect_zero("relationship 15 at d = 1 - relationship 6", dilated.subs(d, 1) - undilated,
                rule=R15)


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
