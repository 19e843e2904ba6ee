"""Counting rules: parameters, multiply-accumulates, receptive fields."""

from .. import formulas
from . import Example, rule
from . import _sources as S
from ._symbols import symbols


def _conv_params():
    c_in, c_out, k, g = symbols("C_in C_out k g")
    return formulas.conv_params(c_in * g, c_out * g, (k, k), groups=g)


def _sep_params():
    c_in, c_out, k = symbols("C_in C_out k")
    return formulas.depthwise_separable_params(c_in, c_out, (k, k), bias=False)


rule("params.conv", "Parameters of a convolution",
     """A convolution has C_out filters of C_in/groups x prod(kernel) weights, plus one bias per
     output channel: C_out * (C_in/groups) * prod(K) + C_out. The count does not depend on the
     input's spatial size (parameter sharing).""",
     symbolic=_conv_params, formula="C_out * (C_in/groups) * prod(K) + C_out",
     examples=(Example("6 filters of 5x5x3 with bias", "(5*5*3 + 1)*6 = 456", "seed 001"),),
     sources=(S.SEED_INTUITION, S.TORCH_CONV))
rule("params.conv-transpose", "Parameters of a transposed convolution",
     "C_in * (C_out/groups) * prod(K) weights plus C_out biases.",
     formula="C_in * (C_out/groups) * prod(K) + C_out", sources=(S.TORCH_CONVT,))
rule("params.dense", "Parameters of a dense layer",
     """A dense layer from n_in to n_out units has n_in * n_out weights plus n_out biases; on an
     image every pixel of every channel is an input, which is why dense layers on images are
     large.""",
     formula="n_in * n_out + n_out",
     examples=(Example("1000x1000 grayscale image -> 300 units", "3*10^8 weights", "seed 001"),),
     sources=(S.SEED_INTUITION,))
rule("params.separable", "Parameters of a depthwise-separable convolution",
     """A depthwise convolution (groups = C_in, m filters per channel) followed by a 1x1
     pointwise convolution: C_in*m*prod(K) + C_in*m*C_out weights (+ C_in*m + C_out biases).""",
     symbolic=_sep_params, sources=("Howard et al., 'MobileNets', arXiv:1704.04861",))
rule("params.pool", "Pooling has no parameters",
     "Max and average pooling compute fixed functions of their windows: zero parameters.",
     sources=(S.SEED_INTUITION,))
rule("params.batch-norm", "Parameters of batch normalization",
     """Batch norm learns a scale and a shift per channel (2C, when affine) and keeps a running
     mean and variance per channel (2C non-trained buffers).""",
     sources=("PyTorch docs: torch.nn.BatchNorm2d",))
rule("macs.conv", "Multiply-accumulates of a convolution",
     "Every output element takes (C_in/groups) * prod(K) multiply-accumulates.",
     formula="N * C_out * prod(O) * (C_in/groups) * prod(K)",
     examples=(Example("ResNet stem 3->64, 7x7, 112x112 out", "118,013,952"),))
rule("macs.conv-transpose", "Multiply-accumulates of a transposed convolution",
     "Every input element scatters (C_out/groups) * prod(K) products.",
     formula="N * C_in * prod(I) * (C_out/groups) * prod(K)")
rule("macs.dense", "Multiply-accumulates of a dense layer", "n_in * n_out per sample.",
     formula="N * n_in * n_out")
rule("rf.size", "Receptive field size",
     """The receptive field of a unit is the span of input positions it depends on. Through a
     layer with kernel k, dilation d: r_out = r_in + d*(k-1) * j_in.""",
     formula="r_l = r_{l-1} + d_l*(k_l - 1) * j_{l-1},  r_0 = 1",
     examples=(Example("three 3x3 convs, stride 1", "r = 7"),),
     sources=(S.ARAUJO, "Simonyan & Zisserman, arXiv:1409.1556"))
rule("rf.jump", "Receptive field jump",
     "Neighbouring units of layer l are j_l = j_{l-1} * s_l input cells apart.",
     formula="j_l = j_{l-1} * s_l,  j_0 = 1", sources=(S.ARAUJO,))
rule("rf.start", "Receptive field start",
     """The first input position seen by unit 0 moves left by the padding: start_l =
     start_{l-1} - p_before,l * j_{l-1}; unit u sees [start + u*j, start + u*j + r).""",
     formula="start_l = start_{l-1} - p_l * j_{l-1},  start_0 = 0", sources=(S.ARAUJO,))
