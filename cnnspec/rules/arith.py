"""Arithmetic rules: the size relationships of Dumoulin & Visin (parameter counts,
multiply-accumulates and receptive fields are in rules/count.py).

The ``arith`` family names each numbered relationship of Dumoulin & Visin, 'A guide to
convolution arithmetic for deep learning' (arXiv:1603.07285), by a semantic ID; the paper's
number is in the statement.  Each is a special case of a general rule (conv.out-size,
pool.out-size, conv-transpose.out-size, pad.same, pad.full, conv.dilation).  Each is written
once, in rules/_relationships.py: the paper's closed form in its notation, and the call of
cnnspec.formulas that is the general rule in the special case.  A rule's title, formula line
and rendered formula are made from it, and the checks (rules/arith_checks.py) read it: they
parse the closed form and prove it equal to the call (SymPy), count windows against both,
and refuse just past each precondition.  The worked examples are the paper's own figures,
recomputed by hand.
"""

from __future__ import annotations

from typing import Any

from . import _sources as S
from . import formula_example, rule
from ._relationships import RELATIONSHIPS

F = "formulas.conv_out_size"
T = "formulas.conv_transpose_out_size"

_CONV = ("conv.out-size",)
_TCONV = ("conv-transpose.out-size",)


def _shown(rule_id: str, heading: str) -> dict[str, Any]:
    """The rule's title (the heading, then the closed form), formula line and rendered
    formula, from its relationship."""
    rel = RELATIONSHIPS[rule_id]
    return dict(title=rel.title(heading), formula=rel.formula_line(), symbolic=rel.symbolic)


rule("arith.unit-stride-no-padding",
     **_shown("arith.unit-stride-no-padding", "No padding, unit stride"),
     statement="""Relationship 1 of Dumoulin & Visin. With stride 1 and no padding the kernel takes
     every position at which it lies wholly inside the input, one cell apart: o = (i - k) + 1
     positions, the steps it makes to reach the right edge plus the position it starts from.""",
     preconditions=("k <= i",),
     examples=(formula_example(F, 4, 3, stride=1, padding=0, gives=2,
                               why="(4 - 3) + 1: the paper's first figure"),),
     sources=(S.DUMOULIN,), see_also=_CONV)
rule("arith.unit-stride-padding",
     **_shown("arith.unit-stride-padding", "Zero padding, unit stride"),
     statement="""Relationship 2 of Dumoulin & Visin. Padding p zeros on each side makes the input
     i + 2p long; Relationship 1 on that length gives o = (i - k) + 2p + 1.""",
     preconditions=("k <= i + 2p",),
     examples=(formula_example(F, 5, 4, stride=1, padding=2, gives=6, why="(5 - 4) + 4 + 1"),),
     sources=(S.DUMOULIN, S.SEED_INTUITION), see_also=_CONV)
rule("arith.half-padding",
     **_shown("arith.half-padding", "Half (same) padding, an odd kernel k = 2n + 1 with p = n"),
     statement="""Relationship 3 of Dumoulin & Visin. For an odd kernel k = 2n + 1, stride 1 and
     p = floor(k/2) = n on both sides, o = i + 2n - 2n = i: the output has the input's size.
     The kernel must be odd: an even kernel with p = k/2 gives i + 1, and no symmetric padding
     gives i (pad.same then pads one cell more on one side).""",
     preconditions=("k odd",),
     examples=(formula_example(F, 5, 3, stride=1, padding=1, gives=5, why="5 + 2 - 2"),
               formula_example(F, 5, 4, stride=1, padding=2, gives=6,
                               why="an even kernel, p = k/2: 5 + 4 - 3, one more than i")),
     sources=(S.DUMOULIN,), see_also=("pad.same", *_CONV))
rule("arith.full-padding",
     **_shown("arith.full-padding", "Full padding, p = k - 1"),
     statement="""Relationship 4 of Dumoulin & Visin. With p = k - 1 on both sides and stride 1 every
     placement of the kernel that overlaps the input, partly or wholly, is an output:
     o = i + 2(k - 1) - (k - 1) = i + (k - 1).""",
     examples=(formula_example(F, 5, 3, stride=1, padding=2, gives=7, why="5 + 2"),),
     sources=(S.DUMOULIN,), see_also=("pad.full", *_CONV))
rule("arith.strided-no-padding",
     **_shown("arith.strided-no-padding", "No padding, stride s"),
     statement="""Relationship 5 of Dumoulin & Visin. With stride s and no padding the kernel moves s
     cells at a time while it still fits: o = floor((i - k)/s) + 1. The floor drops a last
     step that would overshoot the input, so the input cells after the last window are not
     read.""",
     preconditions=("k <= i",),
     examples=(formula_example(F, 5, 3, stride=2, padding=0, gives=2, why="floor(2/2) + 1"),),
     sources=(S.DUMOULIN,), see_also=_CONV)
rule("arith.strided-padding",
     **_shown("arith.strided-padding", "Zero padding, stride s"),
     statement="""Relationship 6 of Dumoulin & Visin, the general case without dilation: Relationship 5
     on the padded length i + 2p. Because of the floor, s input sizes share one output size
     when s > 1: if i + 2p - k is a multiple of s, every j = i + a with 0 <= a < s gives the
     same o (which is why a transposed convolution needs output_padding).""",
     preconditions=("k <= i + 2p",),
     examples=(formula_example(F, 5, 3, stride=2, padding=1, gives=3, why="floor(4/2) + 1"),
               formula_example(F, 6, 3, stride=2, padding=1, gives=3,
                               why="floor(5/2) + 1: the bottom row and right column of the padded input "
                                   "are read by no window")),
     sources=(S.DUMOULIN, S.SEED_INTUITION), see_also=_CONV)
rule("arith.pooling",
     **_shown("arith.pooling", "Pooling without padding"),
     statement="""Relationship 7 of Dumoulin & Visin. Pooling slides a window over the input as a
     convolution slides its kernel, only the function applied to the window differs, so for
     any pooling function (max, average, ...) without padding o = floor((i - k)/s) + 1.""",
     preconditions=("k <= i",),
     examples=(formula_example("formulas.pool_out_size", 5, 3, stride=1, gives=3,
                               why="3x3 max or average pooling on a 5x5 input: floor(2/1) + 1 = 3 on "
                                   "each axis, a 3x3 output"),),
     sources=(S.DUMOULIN,), see_also=("pool.out-size",))
rule("arith.transposed-unit-stride-no-padding",
     **_shown("arith.transposed-unit-stride-no-padding", "Transpose of a unit-stride unpadded convolution"),
     statement="""Relationship 8 of Dumoulin & Visin. The transpose of a convolution with kernel k,
     s = 1, p = 0 takes its output size i' back to o' = i' + (k - 1), the size the
     convolution started from. It equals a direct convolution with k' = k, s' = 1 and full
     padding p' = k - 1 (Relationship 4) on the i' input.""",
     examples=(formula_example(F, 4, 3, gives=2, why="the convolution it transposes: (4 - 3) + 1"),
               formula_example(T, 2, 3, stride=1, padding=0, gives=4,
                               why="2 + 2: a 3x3 kernel over the 2x2 input padded by 2")),
     sources=(S.DUMOULIN,), see_also=_TCONV)
rule("arith.transposed-unit-stride-padding",
     **_shown("arith.transposed-unit-stride-padding", "Transpose of a unit-stride padded convolution"),
     statement="""Relationship 9 of Dumoulin & Visin. The transpose of a convolution with kernel k,
     s = 1 and padding p has o' = i' + (k - 1) - 2p and equals a direct convolution with
     k' = k, s' = 1 and the smaller padding p' = k - p - 1 (so p <= k - 1 for the equivalent
     convolution to exist; the size formula needs only o' >= 1).""",
     preconditions=("i' + (k - 1) - 2p >= 1",),
     examples=(formula_example(F, 5, 4, padding=2, gives=6, why="the convolution it transposes"),
               formula_example(T, 6, 4, padding=2, gives=5,
                               why="6 + 3 - 4: a 4x4 kernel over the 6x6 input padded by p' = 1")),
     sources=(S.DUMOULIN,), see_also=_TCONV)
rule("arith.transposed-half-padding",
     **_shown("arith.transposed-half-padding", "Transpose of a half-padded convolution"),
     statement="""Relationship 10 of Dumoulin & Visin. The transpose of a half-padded convolution
     (k = 2n + 1, s = 1, p = n) is itself half padded: k' = k, s' = 1, p' = p, and
     o' = i' + 2n - 2n = i'.""",
     preconditions=("k odd",),
     examples=(formula_example(F, 5, 3, padding=1, gives=5, why="the convolution it transposes"),
               formula_example(T, 5, 3, padding=1, gives=5, why="5 + 2 - 2")),
     sources=(S.DUMOULIN,), see_also=("arith.half-padding", *_TCONV))
rule("arith.transposed-full-padding",
     **_shown("arith.transposed-full-padding", "Transpose of a fully padded convolution"),
     statement="""Relationship 11 of Dumoulin & Visin. The transpose of a fully padded convolution
     (s = 1, p = k - 1) is an unpadded one: k' = k, s' = 1, p' = 0, and
     o' = i' + (k - 1) - 2(k - 1) = i' - (k - 1).""",
     preconditions=("k <= i'",),
     examples=(formula_example(F, 5, 3, padding=2, gives=7, why="the convolution it transposes"),
               formula_example(T, 7, 3, padding=2, gives=5,
                               why="7 - 2: a 3x3 kernel over the unpadded 7x7 input")),
     sources=(S.DUMOULIN,), see_also=("arith.full-padding", *_TCONV))
rule("arith.transposed-strided-no-padding",
     **_shown("arith.transposed-strided-no-padding", "Transpose of a strided unpadded convolution"),
     statement="""Relationship 12 of Dumoulin & Visin. If i - k is a multiple of s, the transpose of a
     convolution with kernel k, stride s and no padding has o' = s(i' - 1) + k = i. It equals
     a direct convolution with k' = k, s' = 1 and p' = k - 1 over the stretched input: s - 1
     zeros inserted between the i' input cells, s(i' - 1) + 1 cells in all (a 'fractionally
     strided' convolution). When i - k is not a multiple of s, the remainder is lost
     (Relationship 14 restores it).""",
     preconditions=("(i - k) mod s = 0",),
     examples=(formula_example(F, 5, 3, stride=2, gives=2, why="the convolution it transposes"),
               formula_example(T, 2, 3, stride=2, gives=5,
                               why="2*1 + 3: stretched input 3 cells, padded by p' = 2")),
     sources=(S.DUMOULIN,), see_also=_TCONV)
rule("arith.transposed-strided-padding",
     **_shown("arith.transposed-strided-padding", "Transpose of a strided padded convolution"),
     statement="""Relationship 13 of Dumoulin & Visin. If i + 2p - k is a multiple of s, the transpose
     of a convolution with kernel k, stride s and padding p has o' = s(i' - 1) + k - 2p = i and
     equals a direct convolution with k' = k, s' = 1 and p' = k - p - 1 over the stretched
     input (s - 1 zeros between input cells).""",
     preconditions=("(i + 2p - k) mod s = 0", "s(i' - 1) + k - 2p >= 1"),
     examples=(formula_example(F, 5, 3, stride=2, padding=1, gives=3,
                               why="the convolution it transposes"),
               formula_example(T, 3, 3, stride=2, padding=1, gives=5,
                               why="2*2 + 3 - 2: stretched input 5 cells, padded by p' = 1")),
     sources=(S.DUMOULIN,), see_also=_TCONV)
rule("arith.transposed-strided-remainder",
     **_shown("arith.transposed-strided-remainder",
              "Transpose of any strided convolution, a = (i + 2p - k) mod s"),
     statement="""Relationship 14 of Dumoulin & Visin, the general transposed case without dilation.
     The s input sizes a strided convolution maps to one output size are told apart by
     a = (i + 2p - k) mod s, the cells the convolution's last step left unread; with a added
     cells at the end (PyTorch's output_padding), o' = s(i' - 1) + a + k - 2p recovers i
     exactly. It equals a direct convolution with k' = k, s' = 1 over the stretched input,
     padded by p' = k - p - 1 before and k - p - 1 + a after.""",
     preconditions=("0 <= a < s",),
     examples=(formula_example(F, 6, 3, stride=2, padding=1, gives=3,
                               why="the convolution it transposes; a = (6 + 2 - 3) mod 2 = 1"),
               formula_example(T, 3, 3, stride=2, padding=1, output_padding=1, gives=6,
                               why="2*2 + 1 + 3 - 2: stretched input 5 cells, padded by 1 and "
                                   "1 + a = 2")),
     sources=(S.DUMOULIN, S.TORCH_CONVT), see_also=_TCONV)
rule("arith.dilated",
     **_shown("arith.dilated", "Dilated convolution"),
     statement="""Relationship 15 of Dumoulin & Visin. Dilation d inserts d - 1 gaps between kernel
     taps, so the kernel spans k^ = k + (k - 1)(d - 1) = d(k - 1) + 1 cells; Relationship 6
     with k^ for k gives o = floor((i + 2p - k - (k - 1)(d - 1))/s) + 1. At d = 1 it is
     Relationship 6. With unequal padding, 2p becomes p_before + p_after (conv.out-size).""",
     preconditions=("k + (k - 1)(d - 1) <= i + 2p", "d >= 1"),
     examples=(formula_example("formulas.effective_kernel", 3, 2, gives=5, why="k^ = 3 + 2*1"),
               formula_example(F, 7, 3, stride=1, padding=0, dilation=2, gives=3,
                               why="floor((7 - 5)/1) + 1")),
     sources=(S.DUMOULIN,), see_also=("conv.dilation", *_CONV))
