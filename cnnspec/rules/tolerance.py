"""Rules for comparing floating-point results with the float64 reference."""

import numpy as np

from . import _sources as S
from . import formula_example, rule

#: x (1, 1, 3, 3) of ones and w with sum(|w|) = 10: one output, K = 9, sum(|x| |w|) = 10
_ONES = [[[[1, 1, 1], [1, 1, 1], [1, 1, 1]]]]
_W10 = [[[[1, 1, 1], [1, 2, 1], [1, 1, 1]]]]

rule("tolerance.exact-integers", "Integer-valued data gives exact results under direct summation",
     """Scope: implementations that form each output as a sum of the products x*w themselves
     (direct summation: loops, im2col plus a matrix product, blocked or pairwise, in any
     order, with or without FMA). For them, when the inputs are small integers stored as
     floats and every partial sum's magnitude is at most 2**24 (float32) or 2**53 (float64),
     every rounding is exact and the result equals the reference exactly. Fast algorithms
     that transform the data first (Winograd, FFT: NNPACK on CPUs, and what cuDNN may pick
     on GPUs) multiply by non-integer constants and round the transforms, so they are
     outside this rule: on integers in [-4, 4] they can be off by about 1e-3. Under TF32 an
     integer input of magnitude above 2**11 is itself rounded (10-bit mantissa).""",
     examples=(formula_example("tolerance.exact_in", "float32", 144, gives=True,
                               why="x, w integers in [-4, 4], a 3x3 kernel, 1 channel: every "
                               "partial sum is at most 9*16 = 144 <= 2**24, so float32 direct "
                               "summation is exact"),
               formula_example("tolerance.exact_in", "float32", 2**24 + 1, gives=False,
                               why="2**24 + 1 is the first integer float32 cannot hold"),),
     sources=(S.HIGHAM,), see_also=("tolerance.k-aware",))
rule("tolerance.k-aware", "Under direct summation the error bound grows with the reduction length K",
     """Scope: direct summation, as for tolerance.exact-integers (each product x*w rounded
     once, then added to a running or blocked sum in any order); the bound is Higham's for
     sums of products and does not hold for Winograd or FFT convolution, whose errors can be
     over a hundred times larger. Within that scope, each output may differ from the exact
     value by at most ((1 + gamma_K(u)) * (1 + u_in)**2 - 1) * sum(|x| |w|) (+|b|), where
     gamma_K = K*u / (1 - K*u), K = C_in/groups * prod(kernel) (+1 with a bias). Two
     precisions enter: u, the unit roundoff of the arithmetic that forms and adds the
     products (2**-24 float32, 2**-11 float16, 2**-8 bfloat16), and u_in, that of the format
     the inputs x, w, b are rounded to before it (0 when they are already representable).
     TF32 is an input format, not an accumulation: it keeps float32's exponent, rounds each
     input to a 10-bit mantissa (u_in = 2**-11) and accumulates in float32 (u = 2**-24).
     Rounding the inputs costs about 2*u_in more, whatever K. A fixed relative tolerance on
     |y| is not a valid test (outputs near zero).""",
     examples=(formula_example("tolerance.conv_bound", _ONES, _W10, u="float32", input_u=0,
                               then="[0][0][0][0]", gives=5.4e-6, digits=2,
                               why="one output, K = 9, sum(|x| |w|) = 10, float32 arithmetic on "
                               "inputs already float32 (u_in = 0): gamma_9 = 9*2**-24 / (1 - "
                               "9*2**-24), about 5.36e-7; times 10"),
               formula_example("tolerance.conv_bound", _ONES, _W10, u="float32",
                               input_u="float32", then="[0][0][0][0]", gives=6.6e-6, digits=2,
                               why="the same on float64 inputs rounded to float32 (u_in = "
                               "2**-24): (1 + 5.36e-7)(1 + 5.96e-8)**2 - 1, about 6.56e-7; "
                               "times 10"),
               formula_example("tolerance.conv_bound", _ONES, _W10, u="float32", input_u="tf32",
                               then="[0][0][0][0]", gives=9.8e-3, digits=2,
                               why="TF32: inputs rounded to 10-bit mantissas (u_in = 2**-11), "
                               "float32 accumulation: (1 + 5.36e-7)(1 + 2**-11)**2 - 1, about "
                               "9.77e-4; times 10: the input rounding dominates")),
     formula="|y - y_ref| <= ((1 + gamma_K(u)) (1 + u_in)^2 - 1) * sum(|x| |w|)",
     sources=(S.HIGHAM, "NVIDIA, 'TensorFloat-32 in the A100 GPU accelerates AI training, HPC up "
              "to 20x', NVIDIA blog, 2020, https://blogs.nvidia.com/blog/tensorfloat-32-precision-format/"),
     see_also=("tolerance.exact-integers",))
rule("tolerance.max-exact", "Max pooling is exact",
     """A comparison never rounds and rounding is monotone, so max pooling of inputs rounded to
     a dtype equals the rounded reference maximum: exact on representable inputs, within
     u*|y| of the float64 reference otherwise.""",
     examples=(formula_example("ref.max_pool", [[[0.1, 0.7]]], kernel=2, dtype="float32",
                               gives=[[[float(np.float32(0.7))]]],
                               why="float64 inputs max pooled in float32: float32(0.7) exactly, "
                               "the max of the rounded inputs = the rounded max"),),
     sources=(S.HIGHAM,))

