"""Arithmetic rules: the size relationships of Dumoulin & Visin (parameter counts,
multiply-accumulates and receptive fields are in rules/count.py).

The ``arith`` family names each numbered relationship of Dumoulin & Visin, 'A guide to
convolution arithmetic for deep learning' (arXiv:1603.07285), by a semantic ID; the paper's
number is in the statement.  Each is a special case of a general rule (conv.out-size,
pool.out-size, conv-transpose.out-size, pad.same, pad.full, conv.dilation), and its formula
is that rule's formula from cnnspec.formulas evaluated in the special case, so the two
cannot drift apart.  The worked examples are the paper's own figures, recomputed by hand.

The checks (cnnspec/rules/arith_checks.py) are checks of the spec itself (``ops=()``): the
formulas against brute-force window counting, SymPy proofs, refusals past a precondition.
"""

from .. import formulas
from . import Example, rule
from . import _sources as S
from ._symbols import symbols

# ---------------------------------------------------------------- Dumoulin & Visin


def _sym(names: str):
    """Positive integer symbols, except p, n and a, which may be 0."""
    import sympy

    out = [sympy.Symbol(n, integer=True, nonnegative=True) if n in ("p", "n", "a")
           else symbols(n) for n in names.split()]
    return out[0] if len(out) == 1 else tuple(out)


def _rel1():
    i, k = _sym("i k")
    return formulas.conv_out_size(i, k)


def _rel2():
    i, k, p = _sym("i k p")
    return formulas.conv_out_size(i, k, padding=p)


def _rel3():
    i, n = _sym("i n")
    return formulas.conv_out_size(i, 2 * n + 1, padding=n)


def _rel4():
    i, k = _sym("i k")
    return formulas.conv_out_size(i, k, padding=formulas.full_padding(k))


def _rel5():
    i, k, s = _sym("i k s")
    return formulas.conv_out_size(i, k, stride=s)


def _rel6():
    i, k, s, p = _sym("i k s p")
    return formulas.conv_out_size(i, k, stride=s, padding=p)


def _rel7():
    i, k, s = _sym("i k s")
    return formulas.pool_out_size(i, k, stride=s)


def _rel8():
    i_, k = _sym("i' k")
    return formulas.conv_transpose_out_size(i_, k)


def _rel9():
    i_, k, p = _sym("i' k p")
    return formulas.conv_transpose_out_size(i_, k, padding=p)


def _rel10():
    i_, n = _sym("i' n")
    return formulas.conv_transpose_out_size(i_, 2 * n + 1, padding=n)


def _rel11():
    i_, k = _sym("i' k")
    return formulas.conv_transpose_out_size(i_, k, padding=formulas.full_padding(k))


def _rel12():
    i_, k, s = _sym("i' k s")
    return formulas.conv_transpose_out_size(i_, k, stride=s)


def _rel13():
    i_, k, s, p = _sym("i' k s p")
    return formulas.conv_transpose_out_size(i_, k, stride=s, padding=p)


def _rel14():
    i_, k, s, p, a = _sym("i' k s p a")
    return formulas.conv_transpose_out_size(i_, k, stride=s, padding=p, output_padding=a)


def _rel15():
    i, k, s, p, d = _sym("i k s p d")
    return formulas.conv_out_size(i, k, stride=s, padding=p, dilation=d)


_CONV = ("conv.out-size",)
_TCONV = ("conv-transpose.out-size",)

rule("arith.unit-stride-no-padding", "No padding, unit stride: o = i - k + 1",
     """Relationship 1 of Dumoulin & Visin. With stride 1 and no padding the kernel takes every
     position at which it lies wholly inside the input, one cell apart: o = (i - k) + 1
     positions, the steps it makes to reach the right edge plus the position it starts from.""",
     symbolic=_rel1, formula="o = (i - k) + 1   (s = 1, p = 0)",
     preconditions=("k <= i",),
     examples=(Example("i=4, k=3, s=1, p=0", "o = 2", "(4 - 3) + 1: the paper's first figure"),),
     sources=(S.DUMOULIN,), see_also=_CONV)
rule("arith.unit-stride-padding", "Zero padding, unit stride: o = i - k + 2p + 1",
     """Relationship 2 of Dumoulin & Visin. Padding p zeros on each side makes the input
     i + 2p long; Relationship 1 on that length gives o = (i - k) + 2p + 1.""",
     symbolic=_rel2, formula="o = (i - k) + 2p + 1   (s = 1)",
     preconditions=("k <= i + 2p",),
     examples=(Example("i=5, k=4, s=1, p=2", "o = 6", "(5 - 4) + 4 + 1"),),
     sources=(S.DUMOULIN, S.SEED_INTUITION), see_also=_CONV)
rule("arith.half-padding", "Half (same) padding: an odd kernel with p = floor(k/2) keeps o = i",
     """Relationship 3 of Dumoulin & Visin. For an odd kernel k = 2n + 1, stride 1 and
     p = floor(k/2) = n on both sides, o = i + 2n - 2n = i: the output has the input's size.
     The kernel must be odd: an even kernel with p = k/2 gives i + 1, and no symmetric padding
     gives i (pad.same then pads one cell more on one side).""",
     symbolic=_rel3, formula="o = i + 2*floor(k/2) - (k - 1) = i   (k = 2n + 1, s = 1, p = n)",
     preconditions=("k odd",),
     examples=(Example("i=5, k=3, s=1, p=1", "o = 5", "5 + 2 - 2"),),
     sources=(S.DUMOULIN,), see_also=("pad.same", *_CONV))
rule("arith.full-padding", "Full padding: p = k - 1 gives o = i + k - 1",
     """Relationship 4 of Dumoulin & Visin. With p = k - 1 on both sides and stride 1 every
     placement of the kernel that overlaps the input, partly or wholly, is an output:
     o = i + 2(k - 1) - (k - 1) = i + (k - 1).""",
     symbolic=_rel4, formula="o = i + (k - 1)   (s = 1, p = k - 1)",
     examples=(Example("i=5, k=3, s=1, p=2", "o = 7", "5 + 2"),),
     sources=(S.DUMOULIN,), see_also=("pad.full", *_CONV))
rule("arith.strided-no-padding", "No padding, stride s: o = floor((i - k)/s) + 1",
     """Relationship 5 of Dumoulin & Visin. With stride s and no padding the kernel moves s
     cells at a time while it still fits: o = floor((i - k)/s) + 1. The floor drops a last
     step that would overshoot the input, so the input cells after the last window are not
     read.""",
     symbolic=_rel5, formula="o = floor((i - k)/s) + 1   (p = 0)",
     preconditions=("k <= i",),
     examples=(Example("i=5, k=3, s=2, p=0", "o = 2", "floor(2/2) + 1"),),
     sources=(S.DUMOULIN,), see_also=_CONV)
rule("arith.strided-padding", "Zero padding, stride s: o = floor((i + 2p - k)/s) + 1",
     """Relationship 6 of Dumoulin & Visin, the general case without dilation: Relationship 5
     on the padded length i + 2p. Because of the floor, s input sizes share one output size
     when s > 1: if i + 2p - k is a multiple of s, every j = i + a with 0 <= a < s gives the
     same o (which is why a transposed convolution needs output_padding).""",
     symbolic=_rel6, formula="o = floor((i + 2p - k)/s) + 1",
     preconditions=("k <= i + 2p",),
     examples=(Example("i=5, k=3, s=2, p=1", "o = 3", "floor(4/2) + 1"),
               Example("i=6, k=3, s=2, p=1", "o = 3",
                       "floor(5/2) + 1: the bottom row and right column of the padded input "
                       "are read by no window")),
     sources=(S.DUMOULIN, S.SEED_INTUITION), see_also=_CONV)
rule("arith.pooling", "Pooling without padding: o = floor((i - k)/s) + 1",
     """Relationship 7 of Dumoulin & Visin. Pooling slides a window over the input as a
     convolution slides its kernel, only the function applied to the window differs, so for
     any pooling function (max, average, ...) without padding o = floor((i - k)/s) + 1.""",
     symbolic=_rel7, formula="o = floor((i - k)/s) + 1   (p = 0)",
     preconditions=("k <= i",),
     examples=(Example("3x3 max or average pooling on a 5x5 input, s=1", "o = 3 (3x3)",
                       "floor(2/1) + 1"),),
     sources=(S.DUMOULIN,), see_also=("pool.out-size",))
rule("arith.transposed-unit-stride-no-padding",
     "Transpose of a unit-stride unpadded convolution: o' = i' + (k - 1)",
     """Relationship 8 of Dumoulin & Visin. The transpose of a convolution with kernel k,
     s = 1, p = 0 takes its output size i' back to o' = i' + (k - 1), the size the convolution
     started from. It equals a direct convolution with k' = k, s' = 1 and full padding
     p' = k - 1 (Relationship 4) on the i' input.""",
     symbolic=_rel8, formula="o' = i' + (k - 1)   (s = 1, p = 0; equivalent: k' = k, s' = 1, p' = k - 1)",
     examples=(Example("conv i=4, k=3 (o = 2); transposed i'=2, k=3", "o' = 4",
                       "2 + 2: a 3x3 kernel over the 2x2 input padded by 2"),),
     sources=(S.DUMOULIN,), see_also=_TCONV)
rule("arith.transposed-unit-stride-padding",
     "Transpose of a unit-stride padded convolution: o' = i' + (k - 1) - 2p",
     """Relationship 9 of Dumoulin & Visin. The transpose of a convolution with kernel k,
     s = 1 and padding p has o' = i' + (k - 1) - 2p and equals a direct convolution with
     k' = k, s' = 1 and the smaller padding p' = k - p - 1 (so p <= k - 1 for the equivalent
     convolution to exist; the size formula needs only o' >= 1).""",
     symbolic=_rel9, formula="o' = i' + (k - 1) - 2p   (s = 1; equivalent: k' = k, s' = 1, p' = k - p - 1)",
     preconditions=("i' + (k - 1) - 2p >= 1",),
     examples=(Example("conv i=5, k=4, p=2 (o = 6); transposed i'=6", "o' = 5",
                       "6 + 3 - 4: a 4x4 kernel over the 6x6 input padded by p' = 1"),),
     sources=(S.DUMOULIN,), see_also=_TCONV)
rule("arith.transposed-half-padding", "Transpose of a half-padded convolution: o' = i'",
     """Relationship 10 of Dumoulin & Visin. The transpose of a half-padded convolution
     (k = 2n + 1, s = 1, p = n) is itself half padded: k' = k, s' = 1, p' = p, and
     o' = i' + 2n - 2n = i'.""",
     symbolic=_rel10, formula="o' = i' + (k - 1) - 2p = i'   (k = 2n + 1, s = 1, p = n)",
     preconditions=("k odd",),
     examples=(Example("conv i=5, k=3, p=1 (o = 5); transposed i'=5", "o' = 5", "5 + 2 - 2"),),
     sources=(S.DUMOULIN,), see_also=("arith.half-padding", *_TCONV))
rule("arith.transposed-full-padding", "Transpose of a fully padded convolution: o' = i' - (k - 1)",
     """Relationship 11 of Dumoulin & Visin. The transpose of a fully padded convolution
     (s = 1, p = k - 1) is an unpadded one: k' = k, s' = 1, p' = 0, and
     o' = i' + (k - 1) - 2(k - 1) = i' - (k - 1).""",
     symbolic=_rel11, formula="o' = i' - (k - 1)   (s = 1, p = k - 1; equivalent: p' = 0)",
     preconditions=("k <= i'",),
     examples=(Example("conv i=5, k=3, p=2 (o = 7); transposed i'=7", "o' = 5",
                       "7 - 2: a 3x3 kernel over the unpadded 7x7 input"),),
     sources=(S.DUMOULIN,), see_also=("arith.full-padding", *_TCONV))
rule("arith.transposed-strided-no-padding",
     "Transpose of a strided unpadded convolution: o' = s(i' - 1) + k",
     """Relationship 12 of Dumoulin & Visin. If i - k is a multiple of s, the transpose of a
     convolution with kernel k, stride s and no padding has o' = s(i' - 1) + k = i. It equals
     a direct convolution with k' = k, s' = 1 and p' = k - 1 over the stretched input: s - 1
     zeros inserted between the i' input cells, s(i' - 1) + 1 cells in all (a 'fractionally
     strided' convolution). When i - k is not a multiple of s, the remainder is lost
     (Relationship 14 restores it).""",
     symbolic=_rel12, formula="o' = s(i' - 1) + k   (p = 0, (i - k) mod s = 0)",
     preconditions=("(i - k) mod s = 0",),
     examples=(Example("conv i=5, k=3, s=2 (o = 2); transposed i'=2", "o' = 5",
                       "2*1 + 3: stretched input 3 cells, padded by p' = 2"),),
     sources=(S.DUMOULIN,), see_also=_TCONV)
rule("arith.transposed-strided-padding",
     "Transpose of a strided padded convolution: o' = s(i' - 1) + k - 2p",
     """Relationship 13 of Dumoulin & Visin. If i + 2p - k is a multiple of s, the transpose
     of a convolution with kernel k, stride s and padding p has o' = s(i' - 1) + k - 2p = i and
     equals a direct convolution with k' = k, s' = 1 and p' = k - p - 1 over the stretched
     input (s - 1 zeros between input cells).""",
     symbolic=_rel13, formula="o' = s(i' - 1) + k - 2p   ((i + 2p - k) mod s = 0)",
     preconditions=("(i + 2p - k) mod s = 0", "s(i' - 1) + k - 2p >= 1"),
     examples=(Example("conv i=5, k=3, s=2, p=1 (o = 3); transposed i'=3", "o' = 5",
                       "2*2 + 3 - 2: stretched input 5 cells, padded by p' = 1"),),
     sources=(S.DUMOULIN,), see_also=_TCONV)
rule("arith.transposed-strided-remainder",
     "Transpose of any strided convolution: o' = s(i' - 1) + a + k - 2p, a = (i + 2p - k) mod s",
     """Relationship 14 of Dumoulin & Visin, the general transposed case without dilation.
     The s input sizes a strided convolution maps to one output size are told apart by
     a = (i + 2p - k) mod s, the cells the convolution's last step left unread; with a added
     cells at the end (PyTorch's output_padding), o' = s(i' - 1) + a + k - 2p recovers i
     exactly. It equals a direct convolution with k' = k, s' = 1 over the stretched input,
     padded by p' = k - p - 1 before and k - p - 1 + a after.""",
     symbolic=_rel14, formula="o' = s(i' - 1) + a + k - 2p,   a = (i + 2p - k) mod s < s",
     preconditions=("0 <= a < s",),
     examples=(Example("conv i=6, k=3, s=2, p=1 (o = 3, a = 5 mod 2 = 1); transposed i'=3",
                       "o' = 6", "2*2 + 1 + 3 - 2: stretched input 5 cells, padded by 1 and "
                       "1 + a = 2"),),
     sources=(S.DUMOULIN, S.TORCH_CONVT), see_also=_TCONV)
rule("arith.dilated", "Dilated convolution: o = floor((i + 2p - k - (k - 1)(d - 1))/s) + 1",
     """Relationship 15 of Dumoulin & Visin. Dilation d inserts d - 1 gaps between kernel taps,
     so the kernel spans k^ = k + (k - 1)(d - 1) = d(k - 1) + 1 cells; Relationship 6 with k^
     for k gives o = floor((i + 2p - k - (k - 1)(d - 1))/s) + 1. At d = 1 it is
     Relationship 6. With unequal padding, 2p becomes p_before + p_after (conv.out-size).""",
     symbolic=_rel15, formula="o = floor((i + 2p - k - (k - 1)(d - 1))/s) + 1,   k^ = k + (k - 1)(d - 1)",
     preconditions=("k + (k - 1)(d - 1) <= i + 2p", "d >= 1"),
     examples=(Example("i=7, k=3, d=2, s=1, p=0", "o = 3", "k^ = 3 + 2*1 = 5; floor((7 - 5)/1) + 1"),),
     sources=(S.DUMOULIN,), see_also=("conv.dilation", *_CONV))

