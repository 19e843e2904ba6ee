"""Rules for comparing floating-point results with the float64 reference."""

from . import Example, rule
from . import _sources as S

rule("tolerance.exact-integers", "Integer-valued data gives exact results",
     """When inputs are small integers stored as floats, every correct implementation returns
     exactly the reference value, whatever its summation order. Exactly: every partial sum's magnitude is
     at most 2**24 (float32) or 2**53 (float64).""",
     examples=(Example("x, w integers in [-4, 4], 3x3 kernel, 1 channel",
                       "exact in float32",
                       "every partial sum is at most 9*16 = 144 <= 2**24"),), sources=(S.HIGHAM,))
rule("tolerance.k-aware", "The error bound grows with the reduction length K",
     """For real-valued data each output may differ from the exact value by at most
     ((1 + gamma_K(u)) * (1 + u_in)**2 - 1) * sum(|x| |w|) (+|b|), where gamma_K = K*u / (1 - K*u),
     K = C_in/groups * prod(kernel) (+1 with a bias), u the unit roundoff of the accumulation
     (2**-24 float32, 2**-11 float16 and TF32, 2**-8 bfloat16) and u_in that of the precision
     the inputs were rounded to: rounding the inputs costs about 2u more, whatever K. A fixed
     relative tolerance on |y| is not a valid test (outputs near zero).""",
     examples=(Example("float32, K = 9, sum(|x| |w|) = 10",
                       "bound about 5.4e-6",
                       "gamma_9 = 9*2**-24 / (1 - 9*2**-24), about 5.36e-7; times 10"),),
     formula="|y - y_ref| <= ((1 + gamma_K(u)) (1 + u_in)^2 - 1) * sum(|x| |w|)",
     sources=(S.HIGHAM,))
rule("tolerance.max-exact", "Max pooling is exact",
     """A comparison never rounds and rounding is monotone, so max pooling of inputs rounded to
     a dtype equals the rounded reference maximum: exact on representable inputs, within
     u*|y| of the float64 reference otherwise.""",
     examples=(Example("x = [0.1, 0.7] in float64, max pooled in float32",
                       "float32(0.7) exactly",
                       "max of the rounded inputs = the rounded max"),), sources=(S.HIGHAM,))


from . import tolerance_checks as _checks  # noqa: E402,F401  (the checks of these rules)
