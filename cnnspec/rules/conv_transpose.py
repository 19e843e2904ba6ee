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
                       "y[j] = x[j] + 10*x[j-1]"),
               Example("x = [1, 2], w = [1, 10, 100], s = 2", "y = [1, 10, 102, 20, 200]",
                       "1*[1, 10, 100] at 0 plus 2*[1, 10, 100] at 2")),
     sources=(S.DUMOULIN, S.TORCH_CONVT, S.ONNX_CONV),
     see_also=("conv-transpose.adjoint", "conv-transpose.zero-stuffed"))
rule("conv-transpose.out-size", "Transposed convolution output size",
     """Along each axis o = (i - 1)*s - p_before - p_after + d*(k - 1) + output_padding + 1,
     which inverts conv.out-size when output_padding = (i' + p_before + p_after - d*(k-1) - 1)
     mod s for the original size i'. The result must be >= 1.""",
     ops=("conv_transpose",), symbolic=_out_size,
     formula="o = (i-1)*s - p_before - p_after + d*(k-1) + output_padding + 1",
     preconditions=("o >= 1",),
     examples=(Example("i=4, k=3, s=2, p=(1, 1), output_padding=1", "o = 8",
                       "3*2 - 2 + 2 + 1 + 1 = 8"),
               Example("i=1, k=2, s=1, p=(1, 0)", "o = 1", "0 - 1 + 1 + 0 + 1"),
               Example("i=1, k=2, s=1, p=(1, 1)", "invalid: o = 0")),
     sources=(S.DUMOULIN, S.TORCH_CONVT))
rule("conv-transpose.output-padding", "output_padding is smaller than max(stride, dilation)",
     """output_padding adds cells at the end of each axis to pick one of the s input sizes that
     a strided conv maps to the same output size. It must satisfy 0 <= output_padding <
     max(stride, dilation) (PyTorch's bound; onnxruntime requires < stride, a framework limit).""",
     ops=("conv_transpose",), preconditions=("0 <= output_padding < max(s, d)",),
     examples=(Example("x = [1, 2], w = [1, 10], s = 2, output_padding = 1",
                       "y = [1, 10, 2, 20, 0]", "the scatter [1, 10, 2, 20] and one more cell"),
               Example("s = 2, d = 1, output_padding = 2", "invalid: 2 >= max(2, 1)"),
               Example("s = 1, d = 3, output_padding = 2", "valid: 2 < max(1, 3)")),
     sources=(S.TORCH_CONVT, S.ONNX_CONV))
rule("conv-transpose.channels", "Transposed weights are (C_in, C_out/groups, *K)",
     """The weight of a transposed convolution has the input channels first: w.shape[0] equals
     C_in and C_out = w.shape[1] * groups.""",
     ops=("conv_transpose",), preconditions=("w.shape[0] == C_in",),
     examples=(Example("x (1, 4, 5), w (4, 3, 2), groups = 2", "y (1, 6, 6)",
                       "C_out = 3*2; o = 4*1 + 1 + 1"),
               Example("x (1, 4, 5), w (3, 3, 2)", "invalid: w.shape[0] = 3 != 4")),
     sources=(S.TORCH_CONVT,))
rule("conv-transpose.groups", "Groups of a transposed convolution",
     "groups must divide C_in and C_out; each block of outputs comes from one block of inputs.",
     ops=("conv_transpose",), preconditions=("C_in % groups == 0", "C_out % groups == 0"),
     examples=(Example("C_in = 4, w (4, 3, k), groups = 2",
                       "inputs 0-1 feed outputs 0-2, inputs 2-3 feed outputs 3-5"),
               Example("C_in = 4, groups = 3", "invalid: 3 does not divide 4")),
     sources=(S.TORCH_CONVT,))
rule("conv-transpose.bias", "One bias per output channel",
     """The bias has shape (C_out,) and b[o] is added to every element of output channel o,
     after the crop.""", ops=("conv_transpose",),
     preconditions=("b.shape == (C_out,)",),
     examples=(Example("x = [0, 1, 2, 3, 4], w = [1, 10], p = (1, 1), b = [100]",
                       "y = [101, 112, 123, 134]",
                       "the scatter [0, 1, 12, 23, 34, 40] cropped to [1, 12, 23, 34], plus 100"),),
     sources=(S.TORCH_CONVT,))
rule("conv-transpose.adjoint", "Transposed convolution is the adjoint of convolution",
     """With the same weight w, stride, padding, dilation and groups, conv_transpose is the
     transpose (adjoint) of conv, as matrices acting on flattened arrays: for every x of
     conv_transpose's input shape and u of its output shape, <conv_transpose(x), u> =
     <x, conv(u)> (no bias: the identity is about the linear part). w of shape
     (C_in, C_out/groups, *K) is read by conv as (C_out', C_in'/groups, *K) with C_out' = C_in.
     When output_padding >= s (possible when d > s), conv(u) has floor(output_padding / s)
     extra positions per axis; the identity holds with its first i.""",
     ops=("conv", "conv_transpose"),
     formula="<conv_transpose(x, w), u> = <x, conv(u, w)[..., :i]>",
     examples=(Example("x = [1, 2], u = [1, 0, 3], w = [1, 10], s = 1",
                       "<[1, 12, 20], u> = 61 = <x, [1, 30]>",
                       "conv_transpose(x) = [1, 12, 20]; conv(u) = [1 + 0, 0 + 30]"),),
     sources=(S.DUMOULIN, S.TORCH_CONVT), see_also=("conv-transpose.def",))
rule("conv-transpose.zero-stuffed", "Transposed convolution is a conv of the zero-stuffed input",
     """A transposed convolution equals a stride-1 convolution, with the same dilation and
     groups, of the input with s - 1 zeros stuffed between neighbouring elements, padded by
     d*(k-1) - p_before before and d*(k-1) - p_after + output_padding after (a negative amount
     crops), with the kernel flipped on every spatial axis and its two channel axes swapped
     within each group. This is how the stride of a transposed conv 'upsamples'.""",
     ops=("conv", "conv_transpose"),
     formula=("conv_transpose(x, w) = conv(pad(stuff(x, s), (d(k-1) - p_b, d(k-1) - p_a + op)), "
              "w', stride=1, dilation=d, groups=g), w'[g*Og + o, c, *t] = w[g*Cg + c, o, *(K-1-t)]"),
     examples=(Example("x = [1, 2], w = [1, 10, 100], s = 2", "y = [1, 10, 102, 20, 200]",
                       "stuffed [1, 0, 2], padded [0, 0, 1, 0, 2, 0, 0], correlated with the "
                       "flipped [100, 10, 1]"),),
     sources=(S.DUMOULIN, S.TORCH_CONVT), see_also=("conv-transpose.def", "conv.convolve"))

def _output_padding_for():
    i, k, o, s, pb, pa, d = symbols("i k o s p_b p_a d")
    return formulas.conv_transpose_output_padding_for(i, k, o, stride=s, padding=(pb, pa),
                                                      dilation=d)


rule("conv-transpose.output-size", "A requested output size picks the output_padding",
     """Several output sizes of a transposed convolution undo the same strided convolution, so
     APIs let the caller ask for one (PyTorch's output_size= in forward, ONNX's and
     TensorFlow's output_shape). With o_min the size at output_padding 0, a requested size o
     can be produced iff max(o_min, 1) <= o <= o_min + max(s, d) - 1, by output_padding =
     o - o_min [conv-transpose.output-padding]; anything else is refused. PyTorch's
     output_size= accepts the narrower o <= o_min + s - 1 (for d > s the larger sizes need
     output_padding itself). 'same' for a transposed convolution means o = i*s: the adjoint of
     a SAME_UPPER convolution of an i*s input, it crops t = max(d(k-1) + 1 - s, 0) cells,
     floor(t/2) before and the odd cell after, and adds output_padding max(s - d(k-1) - 1, 0)
     (checked here against PyTorch's gradient of that convolution). Cited, not run here:
     tf.nn.conv2d_transpose is documented as the transpose (gradient) of conv2d, so with
     padding 'SAME' it is this operation, and Keras Conv2DTranspose's 'same' gives o = i*s
     when output_padding is unset; ONNX ConvTranspose with auto_pad SAME_UPPER / SAME_LOWER
     also gives i*s and derives its pads from the output shape, the side of the odd cell
     following its own text for each mode.""",
     ops=("conv_transpose",), symbolic=_output_padding_for,
     formula="output_padding = o - ((i-1)*s - p_before - p_after + d*(k-1) + 1)   (o - o_min)",
     preconditions=("max(o_min, 1) <= o <= o_min + max(s, d) - 1",),
     examples=(Example("i=3, k=3, s=2, p=(1, 1), o=6", "output_padding = 1",
                       "o_min = 2*2 - 2 + 2 + 1 = 5; sizes 5 and 6 reachable"),
               Example("i=3, k=3, s=2, p=(1, 1), o=7", "invalid: 7 > 5 + max(2, 1) - 1 = 6"),
               Example("i=3, k=2, s=2, d=3, p=(0, 0), o=10",
                       "output_padding = 2; PyTorch's output_size= refuses 10 (its range is 8 to 9)",
                       "o_min = 2*2 + 3*1 + 1 = 8; max(s, d) - 1 = 2"),
               Example("'same', i=4, k=3, s=2", "p = (0, 1), output_padding = 0, o = 8",
                       "t = 3 - 2 = 1: the odd cell is cropped after")),
     sources=("PyTorch docs: torch.nn.ConvTranspose1d/2d/3d, forward(input, output_size)",
              "ONNX operator spec: ConvTranspose (output_shape, auto_pad)",
              "TensorFlow docs: tf.nn.conv2d_transpose (output_shape, padding)",
              "Keras docs: Conv2DTranspose (padding 'same', output_padding)", S.DUMOULIN),
     see_also=("conv-transpose.out-size", "conv-transpose.output-padding",
               "conv-transpose.adjoint", "pad.same"))

