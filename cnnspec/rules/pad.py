"""Padding rules: modes, and the named paddings 'valid', 'same', 'full'."""

from .. import formulas
from . import Example, rule
from . import _sources as S
from ._symbols import symbols


def _same_total():
    i, k, s, d = symbols("i k s d")
    return sum(formulas.same_padding(i, k, stride=s, dilation=d))


rule("pad.modes", "Padding modes",
     """Conv padding fills with zeros ('zeros'), mirrors without repeating the edge ('reflect'),
     repeats the edge ('replicate') or wraps around ('circular'), as PyTorch's padding_mode.""",
     ops=("conv",),
     examples=(Example("x = [1, 2, 3], pad (2, 1)",
                       "zeros [0,0,1,2,3,0]; reflect [3,2,1,2,3,2]; replicate [1,1,1,2,3,3]; "
                       "circular [2,3,1,2,3,1]"),),
     sources=(S.TORCH_CONV,))
rule("pad.reflect-size", "Reflect padding is smaller than the input",
     "Reflection without repeating the edge needs pad < input size on that axis.",
     ops=("conv",), preconditions=("max(p_before, p_after) < i",), sources=(S.TORCH_CONV,))
rule("pad.circular-size", "Circular padding is at most the input size",
     "Wrapping around takes at most the whole input once: pad <= input size.",
     ops=("conv",), preconditions=("max(p_before, p_after) <= i",), sources=(S.TORCH_CONV,))
rule("pad.valid", "'valid' padding is no padding",
     "'valid' means p_before = p_after = 0: only windows entirely inside the input.",
     ops=("conv", "max_pool", "avg_pool"), sources=(S.TF_SAME, S.DUMOULIN))
rule("pad.same", "'same' padding gives ceil(i / s) outputs",
     """'same' pads a total of max((ceil(i/s) - 1)*s + d*(k-1) + 1 - i, 0) cells so that the
     output has ceil(i/s) elements (i at stride 1). An odd total puts the extra cell after
     (SAME_UPPER: TensorFlow 'SAME', ONNX SAME_UPPER, PyTorch 'same') or before (SAME_LOWER).""",
     ops=("conv", "max_pool", "avg_pool"), symbolic=_same_total,
     examples=(Example("i=5, k=4, s=1", "total 3: SAME_UPPER (1, 2), SAME_LOWER (2, 1)"),
               Example("i=7, k=3, s=2", "o = 4, total max(3*2 + 3 - 7, 0) = 2: (1, 1)")),
     sources=(S.TF_SAME, S.ONNX_CONV, S.TORCH_CONV, S.DUMOULIN))
rule("pad.full", "'full' padding gives every partial overlap",
     """'full' pads d*(k-1) on both sides, so that o = i + d*(k-1): every position where kernel
     and input overlap by at least one cell.""",
     ops=("conv",), examples=(Example("i=5, k=3", "p = (2, 2), o = 7"),),
     sources=(S.DUMOULIN,))
