"""Rules for comparing floating-point results with the float64 reference."""

from . import rule
from . import _sources as S

rule("tolerance.exact-integers", "Integer-valued data gives exact results",
     """When inputs are small integers stored as floats and every partial sum stays below
     2**24 (float32) or 2**53 (float64), every correct implementation returns exactly the
     reference value, whatever its summation order.""", sources=(S.HIGHAM,))
rule("tolerance.k-aware", "The error bound grows with the reduction length K",
     """For real-valued data each output may differ from the exact value by at most
     gamma_K * sum(|x| |w|), gamma_K = K*u / (1 - K*u), K = C_in/groups * prod(kernel) and u
     the unit roundoff of the precision used (2**-24 float32, 2**-11 float16 and TF32, 2**-8
     bfloat16). A fixed relative tolerance on |y| is not a valid test (outputs near zero).""",
     formula="|y - y_ref| <= gamma_K * sum(|x| |w|)", sources=(S.HIGHAM,))
