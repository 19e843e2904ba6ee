"""Convolution (cross-correlation) rules.

The rules are declared here; their checks live in :mod:`cnnspec.rules.conv_checks` (the
table in cnnspec/rules/__init__.py pairs the two) and
:mod:`cnnspec.rules.conv_property_checks` (linearity, locality, equivariance, composition,
gradients).
"""

from .. import formulas
from . import _sources as S
from . import call_example, formula_example, rule
from ._symbols import symbols

GOODFELLOW = ("Goodfellow, Bengio & Courville, 'Deep Learning', MIT Press 2016, chapter 9 "
              "(9.1: flipping, commutativity, the matrix form; 9.2: sparse interactions, "
              "parameter sharing, equivariance to translation)")
ERHAN = ("Erhan, Bengio, Courville & Vincent, 'Visualizing Higher-Layer Features of a Deep "
         "Network', Univ. de Montreal TR 1341, 2009 (activation maximization under a norm constraint)")
NIN = "Lin, Chen & Yan, 'Network In Network', arXiv:1312.4400 (1x1 convolution as cross-channel pooling)"
MOBILENETS = "Howard et al., 'MobileNets', arXiv:1704.04861 (depthwise and pointwise convolutions)"
YU_KOLTUN = "Yu & Koltun, 'Multi-Scale Context Aggregation by Dilated Convolutions', arXiv:1511.07122"
AZULAY = ("Azulay & Weiss, 'Why do deep convolutional networks generalize so poorly to small "
          "image transformations?', JMLR 2019, arXiv:1805.12177 (subsampling breaks equivariance)")
ZHANG = "Zhang, 'Making Convolutional Networks Shift-Invariant Again', ICML 2019, arXiv:1904.11486"
SCIPY_CONVOLVE = "SciPy docs: scipy.signal.convolve and scipy.signal.correlate (modes 'full', 'valid')"


def _out_size():
    i, k, s, pb, pa, d = symbols("i k s p_b p_a d")
    return formulas.conv_out_size(i, k, stride=s, padding=(pb, pa), dilation=d)


def _eff():
    k, d = symbols("k d")
    return formulas.effective_kernel(k, d)


# ---------------------------------------------------------------- what conv computes

rule("conv.def", "Convolution is cross-correlation",
     """Each output element is the dot product of a kernel with the input window under it:
     the elementwise products of the window and the kernel, summed, plus the bias. The kernel
     is not flipped: what deep-learning frameworks call convolution is cross-correlation.
     NaN follows IEEE arithmetic: a NaN in the input makes NaN exactly the outputs whose
     windows read it, even under a zero weight, and no other output. Where a NaN meets only
     zero weights, BLAS-backed sums (NumPy's tensordot) skip the product and give the finite
     sum: the convention nan_times_zero, reported and allowed (both are correct arithmetic).""",
     ops=("conv",),
     formula="y[n, o, *p] = b[o] + sum_{c, *t} xpad[n, g(o)*Cg + c, *(p*s + t*d)] * w[o, c, *t]",
     examples=(call_example("conv", x=[[0, 1, 2], [10, 11, 12], [20, 21, 22]], w=[[1, 0], [0, 2]],
                            y=[[22, 25], [52, 55]],
                            why="y[0,0] = 1*0 + 0*1 + 0*10 + 2*11 = 22; y[1,1] = 1*11 + 2*22 = 55"),),
     sources=(S.SEED_CNN, S.SEED_DS, S.SEED_HYLEE, S.TORCH_CONV, S.ONNX_CONV))
rule("conv.convolve", "True convolution flips the kernel",
     """Mathematical convolution equals cross-correlation with the kernel flipped along every
     spatial axis. Only true convolution is commutative; cross-correlation is not.""",
     ops=("conv",), formula="convolve(x, w) = conv(x, flip(w, spatial axes))",
     examples=(call_example("conv", x=[1, 2, 3], w=[1, 10], y=[21, 32],
                            why="1*1 + 10*2 = 21: the kernel is not flipped"),
               formula_example("ref.convolve", [[[1, 2, 3]]], [[[1, 10]]], gives=[[[12, 23]]],
                               why="true convolution uses [10, 1]: 10*1 + 1*2 = 12"),
               call_example("conv", x=[1, 2, 3], w=[10, 1], y=[12, 23],
                            why="conv with the flipped kernel: convolve(x, [1, 10])")),
     sources=(S.SEED_CNN, S.DUMOULIN, GOODFELLOW, SCIPY_CONVOLVE), see_also=("conv.commutes",))
rule("conv.commutes", "Only true convolution commutes",
     """In 'full' mode (every partial overlap), true convolution of two signals does not care
     which one slides: output n sums a[i]*b[j] over all index pairs with i + j = n, a condition
     symmetric in a and b. Cross-correlation pairs indices with j - i fixed instead, so
     swapping its two arguments reverses its output. This is why the argument order (input,
     kernel) is part of the conv contract, and why 'convolution' in deep learning is a
     convolution only up to a kernel flip.""",
     formula=("convolve_full(a, b)[n] = sum_{i+j=n} a[i]*b[j] = convolve_full(b, a)[n]\n"
              "correlate_full(a, b)[n] = correlate_full(b, a)[len(a) + len(b) - 2 - n]"),
     examples=(formula_example("ref.convolve", [[[1, 2, 3]]], [[[1, 10]]], padding=1,
                               gives=[[[1, 12, 23, 30]]],
                               why="convolve_full(a, b), a = [1, 2, 3], b = [1, 10], 'full' "
                                   "being padding len(b) - 1: n=1: 1*10 + 2*1 = 12; n=2: 2*10 + "
                                   "3*1 = 23"),
               formula_example("ref.convolve", [[[1, 10]]], [[[1, 2, 3]]], padding=2,
                               gives=[[[1, 12, 23, 30]]],
                               why="convolve_full(b, a): the same output"),
               call_example("conv", x=[1, 2, 3], w=[1, 10], padding=1, y=[10, 21, 32, 3],
                            why="correlate_full(a, b), the counterexample: b over the zero-padded "
                                "[0, 1, 2, 3, 0]: 10*1 = 10, 1 + 20 = 21, ..."),
               call_example("conv", x=[1, 10], w=[1, 2, 3], padding=2, y=[3, 32, 21, 10],
                            why="correlate_full(b, a): the same numbers reversed, not the same "
                                "output")),
     sources=(GOODFELLOW, SCIPY_CONVOLVE), see_also=("conv.convolve",))

# ---------------------------------------------------------------- sizes and geometry

rule("conv.out-size", "Output size: the floor formula",
     """Along each axis the output has floor((i + p_before + p_after - d*(k-1) - 1) / s) + 1
     elements: the number of positions, s apart, at which the dilated kernel fits inside the
     padded input.""",
     ops=("conv",), symbolic=_out_size,
     formula="o = floor((i + p_before + p_after - d*(k-1) - 1) / s) + 1",
     preconditions=("d*(k-1) + 1 <= i + p_before + p_after",),
     examples=(formula_example("formulas.conv_out_size", 7, 3, stride=2, padding=(1, 1), gives=4,
                               why="floor((7 + 2 - 2 - 1)/2) + 1 = 3 + 1"),
               formula_example("formulas.conv_out_size", 32, 5, gives=28,
                               why="32 - 5 + 1: the CS231n example of 'Convolution Neural "
                                   "Network : intuition'")),
     sources=(S.SEED_INTUITION, S.DUMOULIN, S.TORCH_CONV, S.ONNX_CONV), see_also=("conv.kernel-fits",))
rule("conv.kernel-fits", "The dilated kernel fits the padded input",
     """A convolution is defined only when the dilated kernel, d*(k-1) + 1 cells, fits inside the
     padded input on every axis; otherwise there is no output position and the call is invalid
     (never an empty result).""",
     ops=("conv",), preconditions=("d*(k-1) + 1 <= i + p_before + p_after",),
     examples=(formula_example("formulas.conv_out_size", 3, 5, padding=(1, 1), gives=1,
                               why="valid: 5 <= 3 + 2"),
               formula_example("formulas.conv_out_size", 3, 6, padding=(1, 1), raises=True,
                               why="invalid: 6 > 3 + 2, and never an empty result")),
     sources=(S.DUMOULIN, S.TORCH_CONV))
rule("conv.padding", "Zero padding is padding the input first",
     """Padding p_before and p_after on an axis means the kernel slides over the input with
     that many zeros added before and after it on that axis. A conv with padding gives exactly
     the conv, without padding, of the explicitly zero-padded input; the padding holds no
     parameters and adds only zero terms to a sum.""",
     ops=("conv",), formula="conv(x, w, padding=P) = conv(pad(x, P, zeros), w, padding=0)",
     examples=(call_example("conv", x=[1, 2, 3], w=[1, 1, 1], padding=(1, 2), y=[3, 6, 5, 3],
                            why="xpad = [0, 1, 2, 3, 0, 0]: 0+1+2, 1+2+3, 2+3+0, 3+0+0"),
               call_example("conv", x=[0, 1, 2, 3, 0, 0], w=[1, 1, 1], y=[3, 6, 5, 3],
                            why="the same output from the zero-padded input, without padding")),
     sources=(S.SEED_INTUITION, S.DUMOULIN, S.TORCH_CONV), see_also=("pad.modes",))
rule("conv.stride", "Stride subsamples the stride-1 output",
     """Stride s moves the kernel s cells between consecutive outputs, so a strided conv
     computes exactly every s-th output of the same conv at stride 1, starting with the
     first: y_s[p] = y_1[p*s]. It computes fewer outputs; it does not compute different ones.""",
     ops=("conv",), formula="conv(x, w, stride=s)[..., *p] = conv(x, w, stride=1)[..., *(p*s)]",
     examples=(call_example("conv", x=[0, 10, 20, 30, 40], w=[1, 1], y=[10, 30, 50, 70],
                            why="stride 1"),
               call_example("conv", x=[0, 10, 20, 30, 40], w=[1, 1], stride=2, y=[10, 50],
                            why="every 2nd output of stride 1, from the first")),
     sources=(S.SEED_INTUITION, S.DUMOULIN, S.TORCH_CONV))
rule("conv.dilation", "Dilation spaces the kernel taps",
     """With dilation d the kernel taps are d cells apart, so a kernel of size k spans
     d*(k-1) + 1 cells; this equals a convolution with the kernel zero-stuffed by d-1 zeros
     between taps.""",
     ops=("conv", "conv_transpose", "max_pool"), symbolic=_eff, formula="k_eff = d*(k-1) + 1",
     examples=(formula_example("formulas.effective_kernel", 3, dilation=2, gives=5,
                               why="taps at 0, 2, 4"),
               call_example("conv", x=[0, 10, 20, 30, 40, 50], w=[1, 2], dilation=2,
                            y=[40, 70, 100, 130], why="y[p] = x[p] + 2*x[p+2]"),
               call_example("conv", x=[0, 10, 20, 30, 40, 50], w=[1, 0, 2], y=[40, 70, 100, 130],
                            why="the same from the zero-stuffed kernel at dilation 1")),
     sources=(S.DUMOULIN, S.TORCH_CONV, YU_KOLTUN))

# ---------------------------------------------------------------- channels

rule("conv.channels", "Kernel depth equals input channels (the volume rule)",
     """Each filter spans all input channels of its group: w has shape (C_out, C_in/groups,
     *K), so the kernel depth is C_in/groups and the number of output channels is the number
     of filters. Output channel o is the sum, over the input channels of its group, of
     single-channel cross-correlations of channel c with the slice w[o, c], plus b[o].""",
     ops=("conv",), preconditions=("w.shape[1] * groups == C_in",),
     formula="y[:, o] = b[o] + sum_{c < Cg} conv(x[:, g(o)*Cg + c], w[o, c])",
     examples=(formula_example("formulas.conv_out_shape", (26, 26), (5, 5), gives=(22, 22),
                               why="the ml4a notes: x 20 x 26 x 26 and 30 filters of 20 x 5 x 5, "
                                   "kernel depth 20 = input channels, give y 30 x 22 x 22: 30 "
                                   "filters, 30 channels"),
               call_example("conv", channels=True, x=[[[1, 2, 3], [10, 20, 30]]],
                            w=[[[1, 0], [0, 1]], [[1, 1], [1, 1]]], y=[[[21, 32], [33, 55]]],
                            why="2 filters of depth 2: filter 0 gives [1, 2] + [20, 30], filter 1 "
                                "[3, 5] + [30, 50]"),
               call_example("conv", channels=True, x=[[[1, 2, 3], [10, 20, 30]]],
                            w=[[[1, 0]], [[1, 1]]], refused=True,
                            why="filters of depth 1 on 2 input channels")),
     sources=(S.SEED_ML4A, S.SEED_INTUITION, S.TORCH_CONV))
rule("conv.groups", "Groups split the channels into independent convolutions",
     """With g groups, input and output channels are split into g consecutive blocks; output
     block j sees only input block j. groups must divide both C_in and C_out. groups = C_in
     is a depthwise convolution.""",
     ops=("conv",), preconditions=("C_in % groups == 0", "C_out % groups == 0", "groups >= 1"),
     formula="conv(x, w, groups=g) = concat_j conv(x[:, block j of C_in], w[block j of C_out], groups=1)",
     examples=(call_example("conv", channels=True, x=[[[1], [10], [100], [1000]]],
                            w=[[[1], [1]]] * 6, groups=2,
                            y=[[[11], [11], [11], [1100], [1100], [1100]]],
                            why="C_in = 4, C_out = 6: outputs 0-2 read inputs 0-1 (1 + 10), "
                                "outputs 3-5 read inputs 2-3 (100 + 1000)"),
               call_example("conv", channels=True, x=[[[1], [10], [100], [1000]]],
                            w=[[[1]]] * 6, groups=3, refused=True,
                            why="3 does not divide C_in = 4")),
     sources=(S.TORCH_CONV, S.ONNX_CONV), see_also=("conv.depthwise",))
rule("conv.depthwise", "groups = C_in filters each channel on its own",
     """When groups equals C_in, every group holds one input channel, so each output channel
     filters exactly one input channel with its own single-channel kernel and nothing mixes
     channels. C_out = M * C_in for a channel multiplier M (groups must divide C_out), and
     output channel o filters input channel o // M with w[o, 0]. Followed by a 1x1 conv it
     makes a depthwise-separable convolution.""",
     ops=("conv",), formula="y[n, o] = b[o] + conv(x[n, o // M], w[o, 0]),  M = C_out / C_in",
     examples=(call_example("conv", channels=True, x=[[[1, 2, 3], [10, 20, 30]]],
                            w=[[[1, 0]], [[0, 1]], [[1, 1]], [[2, 0]]], groups=2,
                            y=[[[1, 2], [2, 3], [30, 50], [20, 40]]],
                            why="M = 2: outputs 0 and 1 filter channel 0, outputs 2 and 3 channel "
                                "1: 10+20 = 30, 2*10 = 20"),),
     sources=(S.TORCH_CONV, MOBILENETS), see_also=("conv.groups", "params.separable"))
rule("conv.pointwise", "A 1x1 conv is a dense layer at every pixel",
     """With a kernel of size 1 on every axis, each output pixel mixes the C_in values of one
     input pixel with the (C_out, C_in) matrix W = w[:, :, 0, ..., 0]: the same dense layer
     applied at every position of the (padded, strided) input. Dilation has no effect on a
     1x1 kernel.""",
     ops=("conv",), formula="y[n, :, *p] = W @ xpad[n, :, *(p*s)] + b",
     examples=(call_example("conv", channels=True, x=[[[1, 2], [10, 20]]],
                            w=[[[1], [0]], [[0], [1]], [[1], [1]]], y=[[[1, 2], [10, 20], [11, 22]]],
                            why="pixels (1, 10) and (2, 20) times W = [[1, 0], [0, 1], [1, 1]] give "
                                "(1, 10, 11) and (2, 20, 22): row 3 of W adds the two channels"),),
     sources=(NIN, MOBILENETS, S.SEED_DS), see_also=("conv.channels",))
rule("conv.bias", "One bias per output channel",
     """The bias b has shape (C_out,) and b[o] is added to every element of output channel o:
     conv(x, w, b) - conv(x, w, None) is b[o] at every position of channel o.""",
     ops=("conv",), preconditions=("b.shape == (C_out,)",),
     examples=(call_example("conv", x=[1, 2, 3], w=[1, 2], y=[5, 8], why="without bias"),
               call_example("conv", x=[1, 2, 3], w=[1, 2], b=[100], y=[105, 108],
                            why="the difference is 100 everywhere")),
     sources=(S.SEED_INTUITION, S.TORCH_CONV))

# ---------------------------------------------------------------- conv is linear

rule("conv.linear-input", "Without bias, conv is linear in the input",
     """For fixed weights and no bias, conv of a linear combination of inputs is the same
     combination of their convs. With a bias the map is affine: the bias is added once, not
     once per term.""",
     ops=("conv",), formula="conv(a*x1 + b*x2, w) = a*conv(x1, w) + b*conv(x2, w)",
     examples=(call_example("conv", x=[1, 2, 3], w=[1, 2], y=[5, 8], why="x1"),
               call_example("conv", x=[0, 10, 0], w=[1, 2], y=[20, 10], why="x2"),
               call_example("conv", x=[2, 14, 6], w=[1, 2], y=[30, 26],
                            why="2*x1 + x2: 2*[5, 8] + [20, 10] = [30, 26]")),
     sources=(S.SEED_CNN, S.SEED_DS, GOODFELLOW), see_also=("conv.toeplitz",))
rule("conv.linear-weight", "Without bias, conv is linear in the weights",
     """For a fixed input and no bias, conv with a linear combination of kernels is the same
     combination of the convs with each kernel.""",
     ops=("conv",), formula="conv(x, a*w1 + b*w2) = a*conv(x, w1) + b*conv(x, w2)",
     examples=(call_example("conv", x=[1, 2, 3], w=[1, 0], y=[1, 2], why="w1"),
               call_example("conv", x=[1, 2, 3], w=[0, 1], y=[2, 3], why="w2"),
               call_example("conv", x=[1, 2, 3], w=[10, 1], y=[12, 23],
                            why="10*w1 + w2: 10*[1, 2] + [2, 3] = [12, 23]")),
     sources=(S.SEED_CNN, S.SEED_DS))
rule("conv.toeplitz", "Conv is a sparse matrix with shared weights",
     """For fixed w and geometry, conv without bias is multiplication of the flattened input by
     a matrix T with one row per output element and one column per input element. Row (o, p)
     holds w[o, c, t] in column (g(o)*Cg + c, p*s + t*d - p_before) wherever that position is
     inside the input, and zeros elsewhere. So every row of output channel o holds the same
     weights, shifted (parameter sharing), and a row has at most C_in/groups * prod(K)
     non-zeros out of C_in * prod(S) (sparse connections). In 1-D at stride 1 each channel
     block is a Toeplitz matrix; in 2-D it is doubly block Toeplitz.""",
     ops=("conv",), formula="vec(conv(x, w)) = T(w) @ vec(x),  T[(o, p), (g(o)*Cg + c, p*s + t*d - p_b)] = w[o, c, t]",
     examples=(call_example("conv", channels=True,
                            x=[[[1, 0, 0, 0]], [[0, 1, 0, 0]], [[0, 0, 1, 0]], [[0, 0, 0, 1]]],
                            w=[[[1, 2]]], y=[[[1, 0, 0]], [[2, 1, 0]], [[0, 2, 1]], [[0, 0, 2]]],
                            why="a batch of the basis inputs e_0..e_3: y[j] is column j of T = "
                                "[[1, 2, 0, 0], [0, 1, 2, 0], [0, 0, 1, 2]]; row p holds w at "
                                "columns p and p+1"),
               call_example("conv", channels=True,
                            x=[[[1, 0, 0, 0]], [[0, 1, 0, 0]], [[0, 0, 1, 0]], [[0, 0, 0, 1]]],
                            w=[[[1, 2]]], stride=2, y=[[[1, 0]], [[2, 0]], [[0, 1]], [[0, 2]]],
                            why="stride 2: T = [[1, 2, 0, 0], [0, 0, 1, 2]], rows 0 and 2 of the "
                                "stride-1 matrix")),
     sources=(S.SEED_INTUITION, GOODFELLOW, S.DUMOULIN), see_also=("conv.locality",))
rule("conv.locality", "An output depends only on its receptive field",
     """Output position p reads the input only at its taps p*s + t*d - p_before (inside the
     input), in the channels of its group. Changing the input anywhere else, including the
     cells between dilated taps, leaves y[..., p] unchanged.""",
     ops=("conv",), formula="x' = x on taps(p)  =>  conv(x')[..., p] = conv(x)[..., p]",
     examples=(call_example("conv", x=[0, 10, 20, 30, 40], w=[1, 1, 1], y=[30, 60, 90]),
               call_example("conv", x=[0, 10, 20, 30, 99], w=[1, 1, 1], y=[30, 60, 149],
                            why="x[4] changed to 99: y[0] reads x[0..2], y[1] x[1..3]: unchanged")),
     sources=(S.SEED_INTUITION, GOODFELLOW), see_also=("rf.size",))

# ---------------------------------------------------------------- equivariance

rule("conv.equivariance-circular", "With circular padding, conv commutes with shifts",
     """Pad the input circularly (np.pad mode 'wrap') by d*(k-1) cells in total on each axis and
     convolve at stride 1 without further padding: shifting the input cyclically by t then
     shifts the output cyclically by t, exactly, at every position. Circular padding makes the
     input a torus, so no position is a border.""",
     ops=("conv",), formula="conv(wrap(roll(x, t)), w) = roll(conv(wrap(x), w), t)  (stride 1)",
     examples=(call_example("conv", x=[0, 10, 20, 30, 0], w=[1, 2], y=[20, 50, 80, 30],
                            why="x = [0, 10, 20, 30] wrapped by (0, 1): y[p] = x[p] + 2*x[(p+1) mod 4]"),
               call_example("conv", x=[30, 0, 10, 20, 30], w=[1, 2], y=[30, 20, 50, 80],
                            why="roll(x, 1) = [30, 0, 10, 20] wrapped by (0, 1): the output "
                                "rolled by 1")),
     sources=(GOODFELLOW, S.SEED_CNN), see_also=("pad.modes",))
rule("conv.equivariance-interior", "With zero padding, shifts commute on the interior",
     """At stride 1 with zero padding, shifting the input by t (zeros shifted in, cells shifted
     out lost) shifts the output by t on every output whose window lies inside the input: at
     such a p, y'[p] = y[p - t] (when p - t is an output). Outputs whose windows reach the
     padding differ: there the shifted input brings real values where zeros were, or zeros
     where values were.""",
     ops=("conv",), formula="y'[p] = y[p - t]  for 0 <= p - p_b, p - p_b + d*(k-1) < i, 0 <= p - t < o",
     examples=(call_example("conv", x=[10, 20, 30], w=[1, 1], padding=1, y=[10, 30, 50, 30]),
               call_example("conv", x=[0, 10, 20], w=[1, 1], padding=1, y=[0, 10, 30, 20],
                            why="x shifted by 1: y'[1] = y[0], y'[2] = y[1]; y'[3] = 20 != y[2] = "
                                "50: its window reaches the padding")),
     sources=(GOODFELLOW, AZULAY), see_also=("conv.equivariance-circular",))
rule("conv.equivariance-stride", "Strided conv commutes only with shifts by multiples of the stride",
     """At stride s, shifting the input by m*s cells shifts the output by m (on the outputs whose
     windows lie inside the input, as at stride 1). A shift that is not a multiple of s moves
     the input under a different subsampling grid: the output is in general no shift of the
     original at all. Subsampling (strided conv, pooling) is what breaks the translation
     equivariance of a CNN.""",
     ops=("conv",), formula="shift(x, m*s) -> y'[p] = y[p - m]  on interior outputs",
     examples=(call_example("conv", x=[0, 10, 20, 30, 40, 50], w=[1], stride=2, y=[0, 20, 40]),
               call_example("conv", x=[0, 0, 0, 10, 20, 30], w=[1], stride=2, y=[0, 0, 20],
                            why="x shifted by 2: y shifted by 1"),
               call_example("conv", x=[0, 0, 10, 20, 30, 40], w=[1], stride=2, y=[0, 10, 30],
                            why="x shifted by 1, the counterexample: 10 and 30 are not in y, no "
                                "shift of y")),
     sources=(AZULAY, ZHANG, GOODFELLOW), see_also=("conv.stride",))

# ---------------------------------------------------------------- stacks, visualization, gradients

rule("conv.composition", "Two linear convs are one conv with a larger kernel",
     """Two stride-1, unpadded, undilated convs without bias in a row equal one conv whose
     kernel, for each (output, input) channel pair, is the sum over the middle channels m of
     the full true convolution of the two kernels on the path through m: size K1 + K2 - 1
     per axis. A stack of convolutions without a nonlinearity between them is therefore no
     more expressive than one convolution; the activation applied to each feature map (a
     ReLU, as the Brownlee-based notes stress) is what makes depth add power.""",
     ops=("conv",),
     formula="conv(conv(x, w1), w2) = conv(x, w),  w[o, c] = sum_m convolve_full(w2[o, m], w1[m, c])",
     examples=(call_example("conv", x=[0, 1, 2, 3], w=[1, 2], y=[2, 5, 8], why="w1"),
               call_example("conv", x=[2, 5, 8], w=[1, 10], y=[52, 85],
                            why="then w2: 2 + 50, 5 + 80"),
               call_example("conv", x=[0, 1, 2, 3], w=[1, 12, 20], y=[52, 85],
                            why="one conv with w = convolve_full(w2, w1) = [1*1, 1*2 + 10*1, 10*2]")),
     sources=(S.SEED_CNN, S.SEED_DS, GOODFELLOW), see_also=("conv.commutes",))
rule("conv.activation-max", "The input that most activates a linear filter",
     """Hung-yi Lee's slides measure how much filter k is activated by summing its whole output
     map, a^k = sum_p y[k, p], and look for the input x* maximizing it. For one conv layer
     without bias, a^k(x) = <x, g> with g = conv_transpose(ones on channel k, w) (the adjoint
     of conv applied to an all-ones map of channel k). Over inputs of unit norm, a^k is largest
     at x* = g / ||g||, where it equals ||g||; any other unit-norm input gives at most ||g||
     (Cauchy-Schwarz), so for a linear layer no gradient ascent is needed.""",
     ops=("conv",), formula="a^k(x) = <x, g>,  g = conv^T(1_k),  max_{||x||=1} a^k = a^k(g/||g||) = ||g||",
     examples=(call_example("conv_transpose", x=[1, 1], w=[1, 2], y=[1, 3, 2],
                            why="x of size 3, w = [1, 2]: y = [x0 + 2*x1, x1 + 2*x2], so a = x0 + "
                                "3*x1 + 2*x2 = <x, g>, g = conv^T(ones) = [1, 3, 2]"),
               call_example("conv", x=[1, 3, 2], w=[1, 2], y=[7, 7],
                            why="a(g) = 14 = ||g||^2, so x* = g / sqrt(14) gives a(x*) = sqrt(14) "
                                "~ 3.74"),
               call_example("conv", x=[0, 1, 0], w=[1, 2], y=[2, 1],
                            why="another unit-norm input: a = 3 < sqrt(14)")),
     sources=(S.SEED_HYLEE, ERHAN), see_also=("conv.grad-input",))
rule("conv.grad-input", "The input gradient is a transposed convolution",
     """Backpropagating dL/dy through y = conv(x, w, b) gives dL/dx = conv_transpose(dL/dy, w)
     with the same stride, padding, dilation and groups, and output_padding equal to the input
     cells the floor left unread: (i + p_before + p_after - d*(k-1) - 1) mod s. conv's weight
     layout (C_out, C_in/groups, *K) is already the one conv_transpose takes. This is why a
     transposed convolution is also called the gradient of a convolution.""",
     ops=("conv",), formula="dL/dx = conv_transpose(dL/dy, w, stride, padding, output_padding=r, dilation, groups)",
     examples=(call_example("conv_backward", x=[1, 2, 3], w=[1, 2], dy=[10, 20], dx=[10, 40, 40],
                            why="y = [x0 + 2*x1, x1 + 2*x2]: x1 gets 2*10 + 1*20; the scatter of "
                                "10*w and 20*w, whatever x is"),
               call_example("conv_transpose", x=[10, 20], w=[1, 2], y=[10, 40, 40],
                            why="conv_transpose(dL/dy, w): the same")),
     sources=(S.DUMOULIN, S.TORCH_CONVT, GOODFELLOW), see_also=("conv-transpose.def", "conv.toeplitz"))
rule("conv.grad-weight", "The weight gradient is a correlation of the input with dL/dy",
     """dL/dw[o, c, t] sums, over the batch and every output position p, dL/dy[n, o, p] times
     the input value that tap t read for p. That is a cross-correlation of the padded input
     with dL/dy in which stride and dilation swap roles: the taps of dL/dy are s apart, and t
     steps d cells. The bias gradient is dL/dy summed over the batch and all positions.""",
     ops=("conv",), formula="dL/dw[o, c, *t] = sum_{n, *p} dL/dy[n, o, *p] * xpad[n, g(o)*Cg + c, *(p*s + t*d)]",
     examples=(call_example("conv_backward", x=[1, 2, 3], w=[1, 2], dy=[10, 20], dw=[50, 80],
                            why="t=0: 10*1 + 20*2; t=1: 10*2 + 20*3, whatever w is"),
               call_example("conv", x=[1, 2, 3], w=[10, 20], y=[50, 80],
                            why="conv(x, dL/dy): the same")),
     sources=(S.DUMOULIN, GOODFELLOW, S.TORCH_CONV), see_also=("conv.grad-input",))

