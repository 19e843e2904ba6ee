"""Transposed convolution rules."""

from .. import formulas
from . import _sources as S
from . import call_example, formula_example, rule
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
     examples=(call_example("conv_transpose", x=[0, 1, 2, 3, 4], w=[1, 10],
                            y=[0, 1, 12, 23, 34, 40], why="y[j] = x[j] + 10*x[j-1]"),
               call_example("conv_transpose", x=[1, 2], w=[1, 10, 100], stride=2,
                            y=[1, 10, 102, 20, 200],
                            why="1*[1, 10, 100] at 0 plus 2*[1, 10, 100] at 2")),
     sources=(S.DUMOULIN, S.TORCH_CONVT, S.ONNX_CONV),
     see_also=("conv-transpose.adjoint", "conv-transpose.zero-stuffed"))
rule("conv-transpose.out-size", "Transposed convolution output size",
     """Along each axis o = (i - 1)*s - p_before - p_after + d*(k - 1) + output_padding + 1,
     which inverts conv.out-size when output_padding = (i' + p_before + p_after - d*(k-1) - 1)
     mod s for the original size i'. The result must be >= 1.""",
     ops=("conv_transpose",), symbolic=_out_size,
     formula="o = (i-1)*s - p_before - p_after + d*(k-1) + output_padding + 1",
     preconditions=("o >= 1",),
     examples=(formula_example("formulas.conv_transpose_out_size", 4, 3, stride=2, padding=(1, 1),
                               output_padding=1, gives=8, why="3*2 - 2 + 2 + 1 + 1 = 8"),
               formula_example("formulas.conv_transpose_out_size", 1, 2, padding=(1, 0), gives=1,
                               why="0 - 1 + 1 + 0 + 1"),
               formula_example("formulas.conv_transpose_out_size", 1, 2, padding=(1, 1),
                               raises=True, why="o = 0 - 2 + 1 + 0 + 1 = 0"),
               call_example("conv_transpose", x=[7], w=[1, 10], padding=(1, 0), y=[70],
                            why="the scatter [7, 70] with its first cell cropped"),
               call_example("conv_transpose", x=[7], w=[1, 10], padding=1, refused=True,
                            why="the scatter [7, 70] cropped by 2 cells leaves o = 0")),
     sources=(S.DUMOULIN, S.TORCH_CONVT))
rule("conv-transpose.output-padding", "output_padding is smaller than max(stride, dilation)",
     """output_padding adds cells at the end of each axis to pick one of the s input sizes that
     a strided conv maps to the same output size. It must satisfy 0 <= output_padding <
     max(stride, dilation) (PyTorch's bound; onnxruntime requires < stride, a framework limit).""",
     ops=("conv_transpose",), preconditions=("0 <= output_padding < max(s, d)",),
     examples=(call_example("conv_transpose", x=[1, 2], w=[1, 10], stride=2, output_padding=1,
                            y=[1, 10, 2, 20, 0], why="the scatter [1, 10, 2, 20] and one more cell"),
               call_example("conv_transpose", x=[1, 2], w=[1, 10], stride=2, output_padding=2,
                            refused=True, why="2 >= max(stride 2, dilation 1)"),
               call_example("conv_transpose", x=[1, 2], w=[1, 10], dilation=3, output_padding=2,
                            y=[1, 2, 0, 10, 20, 0, 0],
                            why="valid: 2 < max(1, 3); the taps 3 apart scatter "
                                "[1, 2, 0, 10, 20], then two more cells")),
     sources=(S.TORCH_CONVT, S.ONNX_CONV))
rule("conv-transpose.channels", "Transposed weights are (C_in, C_out/groups, *K)",
     """The weight of a transposed convolution has the input channels first: w.shape[0] equals
     C_in and C_out = w.shape[1] * groups.""",
     ops=("conv_transpose",), preconditions=("w.shape[0] == C_in",),
     examples=(call_example("conv_transpose", x=[[[1, 2]]], w=[[[1, 10], [100, 1000]]],
                            channels=True, y=[[[1, 12, 20], [100, 1200, 2000]]],
                            why="w (1, 2, 2): C_in = 1 input channel, C_out = 2 output channels "
                                "(conv would read this w as 1 output of 2 inputs); "
                                "o = 1*1 + 1 + 1 = 3"),
               call_example("conv_transpose", x=[[[1, 2], [3, 4]]], w=[[[1]]], channels=True,
                            refused=True, why="w.shape[0] = 1 != C_in = 2")),
     sources=(S.TORCH_CONVT,))
rule("conv-transpose.groups", "Groups of a transposed convolution",
     "groups must divide C_in and C_out; each block of outputs comes from one block of inputs.",
     ops=("conv_transpose",), preconditions=("C_in % groups == 0", "C_out % groups == 0"),
     examples=(call_example("conv_transpose", x=[[[1, 2], [3, 4]]],
                            w=[[[1], [10]], [[100], [1000]]], groups=2, channels=True,
                            y=[[[1, 2], [10, 20], [300, 400], [3000, 4000]]],
                            why="C_in = 2, w (2, 2, 1): C_out = 2*2; input 0 feeds outputs 0-1 "
                                "(times 1 and 10), input 1 feeds outputs 2-3 (times 100 and "
                                "1000)"),
               call_example("conv_transpose", x=[[[1], [2], [3], [4]]],
                            w=[[[1]], [[1]], [[1]], [[1]]], groups=3, channels=True,
                            refused=True, why="C_in = 4: 3 does not divide 4")),
     sources=(S.TORCH_CONVT,))
rule("conv-transpose.bias", "One bias per output channel",
     """The bias has shape (C_out,) and b[o] is added to every element of output channel o,
     after the crop.""", ops=("conv_transpose",),
     preconditions=("b.shape == (C_out,)",),
     examples=(call_example("conv_transpose", x=[0, 1, 2, 3, 4], w=[1, 10], b=[100], padding=1,
                            y=[101, 112, 123, 134],
                            why="the scatter [0, 1, 12, 23, 34, 40] cropped to [1, 12, 23, 34], "
                                "plus 100"),),
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
     examples=(call_example("conv_transpose", x=[1, 2], w=[1, 10], y=[1, 12, 20],
                            why="with u = [1, 0, 3]: <y, u> = 1 + 0 + 60 = 61"),
               call_example("conv", x=[1, 0, 3], w=[1, 10], y=[1, 30],
                            why="conv(u) = [1 + 0, 0 + 30]; <x, conv(u)> = <[1, 2], [1, 30]> = "
                                "61 = <conv_transpose(x), u>")),
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
     examples=(call_example("conv_transpose", x=[1, 2], w=[1, 10, 100], stride=2,
                            y=[1, 10, 102, 20, 200]),
               call_example("conv", x=[1, 0, 2], w=[100, 10, 1], padding=2,
                            y=[1, 10, 102, 20, 200],
                            why="the same y: x = [1, 2] with s - 1 = 1 zero stuffed between, "
                                "padded by d(k-1) - p = 2 on each side, correlated with the "
                                "flipped kernel [100, 10, 1]")),
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
     examples=(formula_example("formulas.conv_transpose_output_padding_for", 3, 3, 6, stride=2,
                               padding=(1, 1), gives=1,
                               why="o_min = 2*2 - 2 + 2 + 1 = 5; sizes 5 and 6 reachable"),
               formula_example("formulas.conv_transpose_output_padding_for", 3, 3, 7, stride=2,
                               padding=(1, 1), raises=True, why="7 > 5 + max(2, 1) - 1 = 6"),
               formula_example("formulas.conv_transpose_output_padding_for", 3, 2, 10, stride=2,
                               dilation=3, gives=2,
                               why="o_min = 2*2 + 3*1 + 1 = 8; max(s, d) - 1 = 2. PyTorch's "
                                   "output_size= refuses 10 (its range is 8 to 9)"),
               call_example("conv_transpose", x=[1, 2, 3], w=[1, 10], stride=2, dilation=3,
                            output_padding=2, y=[1, 0, 2, 10, 3, 20, 0, 30, 0, 0],
                            why="the 10 cells asked for: the scatter of 8 cells and 2 more"),
               formula_example("formulas.conv_transpose_same_padding", 3, stride=2,
                               gives=((0, 1), 0),
                               why="'same' for k=3, s=2: t = 3 - 2 = 1, the odd cell cropped "
                                   "after; output_padding max(2 - 3, 0) = 0"),
               call_example("conv_transpose", x=[1, 2, 3, 4], w=[1, 10, 100], stride=2,
                            padding=(0, 1), y=[1, 10, 102, 20, 203, 30, 304, 40],
                            why="'same' with i=4: the scatter of 9 cells with its odd last cell "
                                "cropped, o = 8 = i*s")),
     sources=("PyTorch docs: torch.nn.ConvTranspose1d/2d/3d, forward(input, output_size)",
              "ONNX operator spec: ConvTranspose (output_shape, auto_pad)",
              "TensorFlow docs: tf.nn.conv2d_transpose (output_shape, padding)",
              "Keras docs: Conv2DTranspose (padding 'same', output_padding)", S.DUMOULIN),
     see_also=("conv-transpose.out-size", "conv-transpose.output-padding",
               "conv-transpose.adjoint", "pad.same"))

