"""Transposed convolution rules."""

from .. import formulas
from . import Example, rule
from . import _sources as S
from ._symbols import symbols


def _out_size():
    i, k, s, pb, pa, op, d = symbols("i k s p_b p_a op d")
    return formulas.conv_transpose_out_size(i, k, stride=s, padding=(pb, pa), output_padding=op,
                                            dilation=d)


rule("conv-transpose.def", "Transposed convolution scatters the kernel",
     """Each input element adds a copy of the kernel, scaled by the element, to the output,
     placed s cells apart; the result is then cropped by the padding. It is the adjoint of the
     convolution with the same parameters: <conv(x), y> = <x, conv_transpose(y)>.""",
     ops=("conv_transpose",),
     formula="full[n, g*Og + o, *(p*s + t*d)] += x[n, g*Cg + c, *p] * w[g*Cg + c, o, *t]; "
             "y = full[p_before : len - p_after]",
     examples=(Example("x = [0, 1, 2, 3, 4], w = [1, 10], s = 1", "y = [0, 1, 12, 23, 34, 40]",
                       "y[j] = x[j] + 10*x[j-1]"),),
     sources=(S.DUMOULIN, S.TORCH_CONVT, S.ONNX_CONV))
rule("conv-transpose.out-size", "Transposed convolution output size",
     """Along each axis o = (i - 1)*s - p_before - p_after + d*(k - 1) + output_padding + 1,
     which inverts conv.out-size when output_padding = (i' + p_before + p_after - d*(k-1) - 1)
     mod s for the original size i'. The result must be >= 1.""",
     ops=("conv_transpose",), symbolic=_out_size,
     formula="o = (i-1)*s - p_before - p_after + d*(k-1) + output_padding + 1",
     preconditions=("o >= 1",),
     examples=(Example("i=4, k=3, s=2, p=(1, 1), output_padding=1", "o = 8",
                       "3*2 - 2 + 2 + 1 + 1 = 8"),),
     sources=(S.DUMOULIN, S.TORCH_CONVT))
rule("conv-transpose.output-padding", "output_padding is smaller than max(stride, dilation)",
     """output_padding adds cells at the end of each axis to pick one of the s input sizes that
     a strided conv maps to the same output size. It must satisfy 0 <= output_padding <
     max(stride, dilation) (PyTorch's bound; onnxruntime requires < stride, a framework limit).""",
     ops=("conv_transpose",), preconditions=("0 <= output_padding < max(s, d)",),
     sources=(S.TORCH_CONVT, S.ONNX_CONV))
rule("conv-transpose.channels", "Transposed weights are (C_in, C_out/groups, *K)",
     """The weight of a transposed convolution has the input channels first: w.shape[0] equals
     C_in and C_out = w.shape[1] * groups.""",
     ops=("conv_transpose",), preconditions=("w.shape[0] == C_in",), sources=(S.TORCH_CONVT,))
rule("conv-transpose.groups", "Groups of a transposed convolution",
     "groups must divide C_in and C_out; each block of outputs comes from one block of inputs.",
     ops=("conv_transpose",), preconditions=("C_in % groups == 0", "C_out % groups == 0"),
     sources=(S.TORCH_CONVT,))
rule("conv-transpose.bias", "One bias per output channel",
     "The bias has shape (C_out,) and is added after the crop.", ops=("conv_transpose",),
     preconditions=("b.shape == (C_out,)",), sources=(S.TORCH_CONVT,))
