"""Rules every call shares: parameter types, ranks, and the ranges of stride, dilation,
kernel and padding."""

import numpy as np

from . import _sources as S
from . import call_example, formula_example, rule

CHOICE = "cnnspec's choice, stated in README.md ('Choices the spec makes')"

rule("config.int", "Size parameters are integers",
     """Every size parameter (kernel, stride, padding, dilation, output_padding, groups) is an
     integer: a Python int or a NumPy integer, which every implementation must accept. bool,
     float (even 2.0), NaN, inf and strings are not sizes; the flags ceil_mode and
     count_include_pad are bools (Python or NumPy), not 0 and 1. Refusing a float or bool
     parameter is input hygiene, checked at the ``strict`` level only: NumPy code that
     indexes with the value already raises on 2.5, and a correct computation need not police
     2.0 or an integer flag (ONNX's ceil_mode attribute is an int). Never round.""",
     ops=("conv", "conv_transpose", "max_pool", "avg_pool"),
     examples=(call_example("conv", x=[1, 2, 3, 4, 5], w=[1, 10], stride=2, y=[21, 43],
                            why="o = floor((5 - 2)/2) + 1 = 2: 1 + 2*10, 3 + 4*10"),
               call_example("conv", x=[1, 2, 3, 4, 5], w=[1, 10], stride=np.int64(2),
                            y=[21, 43], why="stride=numpy.int64(2): a NumPy integer is an int too"),
               call_example("conv", x=[1, 2, 3, 4, 5], w=[1, 10], stride=2.0, refused=True,
                            level="strict", why="stride=2.0, the float: not a size "
                            "though integral, never rounded to 2"),
               call_example("conv", x=[1, 2, 3, 4, 5], w=[1, 10], stride=2.5, refused=True,
                            level="strict", why="never rounded to 2"),
               call_example("conv", x=[1, 2, 3, 4, 5], w=[1, 10], stride=True, refused=True,
                            level="strict", why="a bool is not a size, never taken as 1"),
               call_example("max_pool", x=[1, 5, 2, 0], kernel=2, stride=2, ceil_mode=1,
                            refused=True, level="strict", why="a flag is a bool: ceil_mode=True")),
     sources=(S.TORCH_CONV, CHOICE))
rule("config.rank", "One value per spatial axis",
     """x is (N, C, *spatial) with at least 1 spatial axis; w has the same rank as x; stride,
     dilation, kernel, output_padding have one entry per spatial axis and padding one
     (before, after) pair per axis (an int is shorthand for the same value everywhere).
     Every formula of the spec is per axis, so 4 or more spatial axes are defined the same
     way (ONNX's Conv and pooling take any number; the harness draws 1 to 3, and a target
     that stops at 3 raises NotImplementedError beyond). Refused (level refuse): x with no
     spatial axis, w of another rank than x, a per-axis parameter with too many or too few
     entries.""",
     ops=("conv", "conv_transpose", "max_pool", "avg_pool"),
     examples=(call_example("max_pool", x=[1, 5, 2, 0, 3], kernel=2, stride=2, y=[5, 2],
                            why="x of shape (1, 1, 5): 1 spatial axis; 3 is in no window"),
               call_example("max_pool", x=[[[1, 2], [3, 4]], [[5, 6], [7, 8]]], kernel=2,
                            stride=2, y=[[[8]]],
                            why="x of shape (1, 1, 2, 2, 2): 3 spatial axes, one window"),
               formula_example("ref.max_pool", [[[[[[1, 2], [3, 4]], [[5, 6], [7, 8]]],
                                                  [[[9, 10], [11, 12]], [[13, 14], [15, 16]]]]]],
                               kernel=2, stride=2, gives=[[[[[[16]]]]]],
                               why="x of shape (1, 1, 2, 2, 2, 2): 4 spatial axes, each by "
                                   "the same formulas; proved on the reference only (the "
                                   "contract passes targets 1 to 3 spatial axes)"),
               call_example("conv", x=3, w=2, refused=True,
                            why="x of shape (1, 1): a batch and a channel, no spatial axis"),
               call_example("conv", x=[1, 2, 3], w=[[1]], refused=True,
                            why="w of shape (1, 1, 1, 1) has 2 spatial axes, x (1, 1, 3) one"),
               call_example("conv", x=[[1, 2], [3, 4]], w=[[1]], stride=(1, 1, 1), refused=True,
                            why="3 stride entries for 2 spatial axes")),
     sources=(S.TORCH_CONV, S.ONNX_CONV))
rule("config.nonempty", "Empty arrays: a batch of 0 is defined, other empty axes are not",
     """A batch of 0 is valid and gives a batch of 0: y has shape (0, C_out, *S_out) with
     the output sizes of the other rules (PyTorch documents and computes this; ONNX and JAX
     agree). Every other axis of x and w (channels, spatial sizes, C_out, kernel sizes) has
     size >= 1: an empty channel or spatial axis has no output the spec defines (level
     refuse). A kernel of size 0 is an empty w, refused by this rule.""",
     ops=("conv", "conv_transpose", "max_pool", "avg_pool"),
     examples=(call_example("max_pool", x=[7], kernel=1, stride=1, y=[7],
                            why="size 1, the smallest spatial axis"),
               call_example("conv", x=np.zeros((0, 2, 5)),
                            w=[[[1, 2], [3, 4]], [[5, 6], [7, 8]], [[9, 10], [11, 12]]],
                            channels=True, y=np.zeros((0, 3, 4)),
                            why="x of shape (0, 2, 5), a batch of 0, and w (3, 2, 2) give y of "
                            "shape (0, 3, 4): C_out = 3, o = 5 - 2 + 1 = 4"),
               call_example("max_pool", x=np.zeros((1, 0, 5)), channels=True, kernel=1,
                            stride=1, refused=True, why="x of shape (1, 0, 5): no channel"),
               call_example("max_pool", x=[], kernel=1, stride=1, refused=True,
                            why="x of shape (1, 1, 0): an empty spatial axis")),
     sources=(S.TORCH_CONV, CHOICE))
rule("config.dtype", "Real numeric arrays",
     """Arrays hold real integers or floats; the harness passes float64. Complex (even with
     zero imaginary parts: max pooling has no order to use), bool, object and string arrays
     are not part of the spec. Refusing them is input hygiene, checked at the ``strict``
     level only: plain NumPy arithmetic computes on them, and a correct computation need not
     police its dtypes.""",
     ops=("conv", "conv_transpose", "max_pool", "avg_pool"),
     examples=(call_example("max_pool", x=[1.5, 2.5], kernel=2, stride=2, y=[2.5],
                            why="float64, the harness's dtype"),
               call_example("max_pool", x=[1 + 0j, 2 + 0j], dtype="complex128", kernel=2,
                            stride=2, refused=True, level="strict",
                            why="zero imaginary parts, yet complex numbers have no order"),
               call_example("max_pool", x=[True, False], dtype="bool", kernel=2, stride=2,
                            refused=True, level="strict")),
     sources=(CHOICE,))
rule("config.kernel", "Kernel sizes are >= 1",
     """Every kernel size is at least 1. For pooling the kernel is a parameter; for conv it
     is w.shape[2:], where a size of 0 is an empty array [config.nonempty].""",
     preconditions=("k >= 1",), ops=("conv", "conv_transpose", "max_pool", "avg_pool"),
     examples=(call_example("max_pool", x=[3, 1, 2], kernel=1, stride=1, y=[3, 1, 2],
                            why="a window of one cell: y = x"),
               call_example("max_pool", x=[3, 1, 2], kernel=0, stride=1, refused=True)),
     sources=(S.DUMOULIN,))
rule("config.stride", "Strides are >= 1",
     "Every stride is at least 1: a stride of 0 would place every window at the same spot.",
     preconditions=("s >= 1",), ops=("conv", "conv_transpose", "max_pool", "avg_pool"),
     examples=(call_example("conv", x=[1, 2, 3], w=[1, 10], stride=1, y=[21, 32],
                            why="1 + 2*10, 2 + 3*10"),
               call_example("conv", x=[1, 2, 3], w=[1, 10], stride=0, refused=True),
               call_example("conv", x=[1, 2, 3], w=[1, 10], stride=-1, refused=True)),
     sources=(S.DUMOULIN, S.TORCH_CONV))
rule("config.dilation", "Dilations are >= 1",
     "Every dilation is at least 1 (1 means no gaps between kernel taps).",
     preconditions=("d >= 1",), ops=("conv", "conv_transpose", "max_pool"),
     examples=(call_example("max_pool", x=[1, 5, 2, 0], kernel=2, stride=1, dilation=1,
                            y=[5, 5, 2], why="windows of neighbours: [1, 5], [5, 2], [2, 0]"),
               call_example("max_pool", x=[1, 5, 2, 0], kernel=2, stride=1, dilation=0,
                            refused=True)),
     sources=(S.DUMOULIN, S.TORCH_CONV))
rule("config.padding", "Padding is >= 0 on both sides",
     """Padding is a (before, after) pair per axis with both entries >= 0. For conv,
     max_pool and avg_pool it may also be one of the strings 'valid', 'same' ('same_upper'),
     'same_lower', 'full'; conv_transpose takes numbers only and refuses strings. Negative
     padding (cropping) is not part of the spec.""", preconditions=("p_before >= 0", "p_after >= 0"),
     ops=("conv", "conv_transpose", "max_pool", "avg_pool"),
     examples=(call_example("conv", x=[1, 2, 3], w=[1, 10], padding=(0, 1), y=[21, 32, 3],
                            why="xpad = [1, 2, 3, 0]: the last output is 3 + 0*10"),
               call_example("conv", x=[1, 2, 3], w=[1, 10], padding=(-1, 1), refused=True,
                            why="crop the input instead: x = [2, 3] with padding (0, 1)")),
     sources=(S.DUMOULIN, S.ONNX_CONV))
