"""Counting rules: parameters, multiply-accumulates, receptive fields, and the uneven
overlap of a transposed convolution.

The checks (cnnspec/rules/count_checks.py: params.*; macs_rf_checks.py: macs.*, rf.*,
conv-transpose.overlap) are checks of the spec itself (``ops=()``): the
formulas against naive loops, brute-force counts and dependency masks, SymPy proofs; one
(conv-transpose.overlap) also runs a target's conv_transpose on all-ones inputs.
"""

from .. import formulas
from ..layers import Conv, Dense, Flatten
from . import Example, call_example, formula_example, rule
from . import _sources as S
from ._symbols import symbols

# ---------------------------------------------------------------- parameter counts


def _conv_params():
    c_in, c_out, kh, kw, g = symbols("C_in C_out k_h k_w g")
    return formulas.conv_params(c_in, c_out, (kh, kw), groups=g)


def _sep_params():
    c_in, c_out, kh, kw, m = symbols("C_in C_out k_h k_w m")
    return formulas.depthwise_separable_params(c_in, c_out, (kh, kw), depth_multiplier=m)


def _mlp_vs_conv():
    import sympy

    c, h, w, n, f, k = symbols("C H W n F k")
    dense = formulas.dense_params(h * w * c, n)
    conv = formulas.conv_params(c, f, (k, k))
    return sympy.Tuple(sympy.diff(dense, h), sympy.diff(conv, h))


rule("params.conv", "Parameters of a convolution",
     """A convolution has C_out filters of C_in/groups x prod(kernel) weights, plus one bias per
     output channel: C_out * (C_in/groups) * prod(K) + C_out. The count does not depend on the
     input's spatial size (parameter sharing). Rendered for a 2-D kernel K = (k_h, k_w) and
     groups = g, with a bias; the floor is exact because g divides C_in, and without a bias
     the last term C_out is absent.""",
     symbolic=_conv_params,
     formula="C_out * (C_in/groups) * prod(K) + C_out   (K = (k_h, k_w), groups = g)",
     preconditions=("C_in % groups == 0", "C_out % groups == 0"),
     examples=(formula_example("formulas.conv_params", 3, 6, (5, 5), gives=456,
                               why="6 filters of 5x5x3 with a bias: (5*5*3 + 1)*6, cs231n's "
                               "example, as the intuition notes quote it"),
               formula_example("formulas.conv_params", 6, 4, (3, 3), groups=2, gives=112,
                               why="4 * (6/2) * 9 + 4 = 108 + 4")),
     sources=(S.SEED_INTUITION, S.TORCH_CONV))
rule("params.conv-transpose", "Parameters of a transposed convolution",
     "C_in * (C_out/groups) * prod(K) weights plus C_out biases.",
     examples=(formula_example("formulas.conv_transpose_params", 16, 8, (4, 4), groups=2,
                               gives=1032, why="ConvTranspose2d(16, 8, 4, groups=2): "
                               "16 * (8/2) * 4*4 + 8 = 1024 + 8"),),
     formula="C_in * (C_out/groups) * prod(K) + C_out",
     preconditions=("C_in % groups == 0", "C_out % groups == 0"), sources=(S.TORCH_CONVT,))
rule("params.dense", "Parameters of a dense layer",
     """A dense layer from n_in to n_out units has n_in * n_out weights plus n_out biases; on an
     image every pixel of every channel is an input, which is why dense layers on images are
     large.""",
     formula="n_in * n_out + n_out",
     examples=(formula_example("formulas.dense_params", 1000 * 1000, 300, bias=False,
                               gives=3 * 10**8, why="a 1000x1000 grayscale image (10^6 inputs) "
                               "-> 300 units: 3*10^8 weights, the intuition notes"),),
     sources=(S.SEED_INTUITION,))
rule("params.mlp-vs-conv", "A convolution's parameters do not grow with the image; a dense layer's do",
     """On a C x H x W image, a dense layer to n units has H*W*C*n + n parameters, which grow
     with the image, while a convolution with F filters of C x k x k has F*(C*k*k + 1) whatever
     H and W are: the same filter is applied at every position (parameter sharing). As
     functions of the image height, d(params)/dH = W*C*n for the dense layer and 0 for the
     convolution.""",
     symbolic=_mlp_vs_conv, formula="d(params)/dH: (dense, conv) = (W*C*n, 0)",
     examples=(formula_example("summary.summarize", [Flatten(), Dense(300)], (1, 1000, 1000),
                               then=".total_params", gives=300_000_300,
                               why="dense: 1000*1000*300 = 300,000,000 weights + 300 biases, "
                               "the intuition notes"),
               formula_example("summary.summarize", [Flatten(), Dense(300, bias=False)],
                               (1, 128, 128), then=".total_params", gives=4_915_200,
                               why="dense: 128*128*300 weights; the intuition notes say "
                               "'about 3 million': errata E3"),
               formula_example("summary.summarize", [Conv(6, 5)], (3, 32, 32),
                               then=".total_params", gives=456,
                               why="conv: 6 filters of 5x5x3, (5*5*3 + 1)*6, the intuition notes"),
               formula_example("summary.summarize", [Conv(6, 5)], (3, 1000, 1000),
                               then=".total_params", gives=456,
                               why="the same filters on a 1000x1000 image: the same 456")),
     sources=(S.SEED_INTUITION,), see_also=("params.conv", "params.dense"))
rule("params.separable", "Parameters of a depthwise-separable convolution",
     """A depthwise convolution (groups = C_in, m filters per input channel: the depth
     multiplier) followed by a 1x1 pointwise convolution from C_in*m to C_out channels:
     C_in*m*prod(K) + C_in*m*C_out weights, plus C_in*m + C_out biases when both layers have
     them (rendered with both biases, K = (k_h, k_w)). Without biases and with m = 1 it has
     1/C_out + 1/prod(K) times the weights of the standard convolution it replaces
     (MobileNets).""",
     formula="C_in*m*prod(K) + C_in*m + C_in*m*C_out + C_out   (K = (k_h, k_w))",
     examples=(formula_example("formulas.depthwise_separable_params", 32, 64, (3, 3),
                               bias=False, gives=2336,
                               why="32 -> 64 channels, m = 1, no bias (MobileNet v1, first "
                               "separable block): depthwise 32*9 = 288, pointwise 32*64 = 2048"),
               formula_example("formulas.depthwise_separable_params", 32, 64, (3, 3),
                               depth_multiplier=2, gives=4800,
                               why="m = 2, with biases: depthwise 64*9 + 64 = 640, pointwise "
                               "64*64 + 64 = 4160")),
     symbolic=_sep_params, preconditions=("depth_multiplier >= 1",),
     sources=("Howard et al., 'MobileNets', arXiv:1704.04861",))
rule("params.pool", "Pooling has no parameters",
     "Max and average pooling compute fixed functions of their windows: zero parameters.",
     examples=(formula_example("formulas.pool_params", gives=0,
                               why="MaxPool2d(2) or AvgPool2d(3, 2): no weights, whatever the "
                               "window"),),
     sources=(S.SEED_INTUITION,))
rule("params.batch-norm", "Parameters of batch normalization",
     """Batch norm learns a scale and a shift per channel (2C, when affine) and keeps a running
     mean and variance per channel (2C values that training updates but no gradient does);
     the spec counts the 2C learned values as parameters and the 2C statistics as buffers.
     Frameworks count differently: PyTorch's buffers also hold num_batches_tracked, one
     integer, so state_dict has 2C + 1 buffer values; Keras's model summary counts all four
     vectors as parameters, 4C in all, 2C trainable and 2C non-trainable.""",
     examples=(formula_example("formulas.batch_norm_params", 64, gives=128,
                               why="BatchNorm2d(64): a weight and a bias of 64 each"),
               formula_example("formulas.batch_norm_buffers", 64, gives=128,
                               why="BatchNorm2d(64): a running mean and variance of 64 each"),
               Example("BatchNorm2d(64) in PyTorch; BatchNormalization() on 64 channels in Keras",
                       "PyTorch: 128 parameters, 129 buffer values; Keras: 256 parameters "
                       "(128 trainable, 128 non-trainable)",
                       "num_batches_tracked is one more buffer value; Keras lists moving "
                       "mean and variance as non-trainable weights")),
     sources=("PyTorch docs: torch.nn.BatchNorm2d, https://pytorch.org/docs/stable/generated/torch.nn.BatchNorm2d.html",
              "Keras docs: BatchNormalization layer, https://keras.io/api/layers/normalization_layers/batch_normalization/"))
rule("macs.conv", "Multiply-accumulates of a convolution",
     "Every output element takes (C_in/groups) * prod(K) multiply-accumulates.",
     formula="N * C_out * prod(O) * (C_in/groups) * prod(K)",
     preconditions=("C_in % groups == 0", "C_out % groups == 0"),
     examples=(formula_example("formulas.conv_macs", 3, 64, (7, 7), (112, 112),
                               gives=118_013_952,
                               why="the ResNet stem, 3 -> 64 channels, 7x7, stride 2 on 224x224: "
                               "64 * 112*112 outputs of 3 * 7*7 = 147 each"),))
rule("macs.conv-transpose", "Multiply-accumulates of a transposed convolution",
     """Every input element scatters (C_out/groups) * prod(K) products: as many as the
     convolution it is the transpose of (C_out -> C_in channels, output size I) computes.""",
     examples=(formula_example("formulas.conv_transpose_macs", 2, 3, (4,), (5,), gives=120,
                               why="ConvTranspose1d(2, 3, 4) on length 5: each of 2*5 inputs "
                               "scatters 3*4 products"),),
     formula="N * C_in * prod(I) * (C_out/groups) * prod(K)",
     preconditions=("C_in % groups == 0", "C_out % groups == 0"))
rule("macs.dense", "Multiply-accumulates of a dense layer", "n_in * n_out per sample.",
     examples=(formula_example("formulas.dense_macs", 4096, 1000, gives=4_096_000,
                               why="4096 -> 1000 units, one sample"),),
     formula="N * n_in * n_out")
rule("macs.flops", "Floating-point operations of a convolution: FLOPs = 2 * MACs",
     """A multiply-accumulate is two floating-point operations, a multiply and an add, so a
     convolution whose accumulator starts at 0 takes FLOPs = 2 * MACs (macs.conv); adding a
     bias afterwards costs one more add per output element, N * C_out * prod(O). The two
     words are often mixed up, so read what a counter reports: fvcore's flop count and
     ptflops' 'MACs' count one per multiply-accumulate (ptflops adds one per output element
     for a bias), while torch.utils.flop_counter and TensorFlow's profiler (what Keras
     models are usually measured with: Keras has no counter of its own) count two, without
     the bias.""",
     formula="FLOPs = 2 * N * C_out * prod(O) * (C_in/groups) * prod(K)  (+ N * C_out * prod(O) with a bias)",
     preconditions=("C_in % groups == 0", "C_out % groups == 0"),
     examples=(formula_example("formulas.conv_flops", 3, 64, (7, 7), (112, 112),
                               gives=236_027_904,
                               why="the ResNet stem, one sample: 2 * 118,013,952 MACs"),
               formula_example("formulas.conv_flops", 3, 64, (7, 7), (112, 112), bias=True,
                               gives=236_830_720,
                               why="with the bias adds: + 64 * 112 * 112 = 802,816"),
               formula_example("formulas.conv_flops", 1, 1, (3,), (3,), gives=18,
                               why="Conv1d(1, 1, 3) on length 5, no bias: 3 outputs of 3 "
                               "multiplies and 3 adds each")),
     sources=("PyTorch docs: torch.utils.flop_counter.FlopCounterMode",
              "fvcore docs: fvcore.nn.FlopCountAnalysis, https://detectron2.readthedocs.io/en/latest/modules/fvcore.html",
              "ptflops, https://github.com/sovrasov/flops-counter.pytorch"),
     see_also=("macs.conv",))
rule("conv-transpose.overlap", "Uneven overlap of a transposed convolution: the checkerboard",
     """With dilation 1, each input cell of a transposed convolution writes k consecutive
     output cells, and consecutive input cells start s apart. An output cell q far enough
     from the ends (k - 1 <= q <= (i - 1)*s) therefore receives ceil((k - q mod s)/s)
     products per axis: ceil(k/s) for k mod s of every s cells, floor(k/s) for the rest. The
     counts are even exactly when s divides k; otherwise they alternate along the axis (in
     2-D, per axis, a checkerboard), which is the checkerboard artifact of strided
     deconvolutions. Declared here, with the counting rules; it is the conv-transpose
     family's (spec/conv-transpose.md).""",
     ops=("conv_transpose",),
     formula="contributions(q) = ceil((k - (q mod s))/s)  in {floor(k/s), ceil(k/s)},  k - 1 <= q <= (i-1)*s",
     examples=(call_example("conv_transpose", x=[1, 1, 1, 1], w=[1, 1, 1], stride=2,
                            y=[1, 1, 2, 1, 2, 1, 2, 1, 1],
                            why="input p writes cells 2p..2p+2; interior cells 2..6 alternate "
                            "2, 1: 2 does not divide 3"),
               call_example("conv_transpose", x=[1, 1, 1, 1], w=[1, 1, 1, 1], stride=2,
                            y=[1, 1, 2, 2, 2, 2, 2, 2, 1, 1],
                            why="2 divides 4: every interior cell gets 2"),
               formula_example("formulas.conv_transpose_contributions", 3, 2, 4, gives=2,
                               why="k=3, s=2, q=4: ceil((3 - 0)/2) = ceil(3/2), inputs 1 and 2"),
               formula_example("formulas.conv_transpose_contributions", 3, 2, 5, gives=1,
                               why="q=5: ceil((3 - 1)/2) = floor(3/2), input 2 only")),
     sources=("Odena, Dumoulin & Olah, 'Deconvolution and Checkerboard Artifacts', Distill 2016, "
              "https://distill.pub/2016/deconv-checkerboard/", S.DUMOULIN),
     see_also=("conv-transpose.def",))
rule("rf.size", "Receptive field size",
     """The receptive field of a unit is the span of input positions it depends on. Through a
     layer with kernel k, dilation d: r_out = r_in + d*(k-1) * j_in.""",
     formula="r_l = r_{l-1} + d_l*(k_l - 1) * j_{l-1},  r_0 = 1",
     examples=(formula_example("formulas.receptive_fields", [{"kernel": 3}] * 3,
                               then="[-1].size", gives=7,
                               why="three 3x3 convs, stride 1: 1 + 2 + 2 + 2"),),
     sources=(S.ARAUJO, "Simonyan & Zisserman, arXiv:1409.1556"))
rule("rf.jump", "Receptive field jump",
     "Neighbouring units of layer l are j_l = j_{l-1} * s_l input cells apart.",
     examples=(formula_example("formulas.receptive_fields", [{"kernel": 3, "stride": 2}] * 2,
                               then="[0].jump", gives=2, why="j_1 = 1*2"),
               formula_example("formulas.receptive_fields", [{"kernel": 3, "stride": 2}] * 2,
                               then="[1].jump", gives=4, why="j_2 = 2*2")),
     formula="j_l = j_{l-1} * s_l,  j_0 = 1", sources=(S.ARAUJO,))
rule("rf.start", "Receptive field start",
     """The first input position seen by unit 0 moves left by the padding: start_l =
     start_{l-1} - p_before,l * j_{l-1}; unit u sees [start + u*j, start + u*j + r).""",
     examples=(formula_example("formulas.receptive_fields", [{"kernel": 3, "padding": 1}] * 2,
                               then="[0].start", gives=-1, why="start_1 = 0 - 1*1"),
               formula_example("formulas.receptive_fields", [{"kernel": 3, "padding": 1}] * 2,
                               then="[1].start", gives=-2, why="start_2 = -1 - 1*1")),
     formula="start_l = start_{l-1} - p_l * j_{l-1},  start_0 = 0", sources=(S.ARAUJO,))

# The checks of the rules above (and of the general size formulas they specialise).

