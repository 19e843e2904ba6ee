"""Rules every call shares: parameter types, ranks, and the ranges of stride, dilation,
kernel and padding."""

from . import Example, rule
from . import _sources as S

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
     examples=(Example("stride=(2,) or (numpy.int64(2),)", "accepted (level compute)"),
               Example("stride=(2.0,), (2.5,) or (True,)",
                       "refused at level strict, never rounded to 2 or 1"),
               Example("ceil_mode=1", "refused at level strict: ceil_mode=True")),
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
     examples=(Example("x (1, 1, 5) and (1, 1, 2, 2, 2)", "accepted: 1 and 3 spatial axes"),
               Example("x (1, 1, 2, 2, 2, 2)", "defined: 4 spatial axes, each by the same formulas"),
               Example("x (1, 1)", "refused: no spatial axis"),
               Example("x (1, 1, 5, 5), stride=(1, 1, 1)", "refused: 3 entries for 2 axes")),
     sources=(S.TORCH_CONV, S.ONNX_CONV))
rule("config.nonempty", "Empty arrays: a batch of 0 is defined, other empty axes are not",
     """A batch of 0 is valid and gives a batch of 0: y has shape (0, C_out, *S_out) with
     the output sizes of the other rules (PyTorch documents and computes this; ONNX and JAX
     agree). Every other axis of x and w (channels, spatial sizes, C_out, kernel sizes) has
     size >= 1: an empty channel or spatial axis has no output the spec defines (level
     refuse). A kernel of size 0 is an empty w, refused by this rule.""",
     ops=("conv", "conv_transpose", "max_pool", "avg_pool"),
     examples=(Example("x (1, 1, 5)", "accepted"),
               Example("conv x (0, 2, 5), w (3, 2, 2)", "y (0, 3, 4)"),
               Example("x (1, 0, 5) or (1, 1, 0)", "refused")),
     sources=(S.TORCH_CONV, CHOICE))
rule("config.dtype", "Real numeric arrays",
     """Arrays hold real integers or floats; the harness passes float64. Complex (even with
     zero imaginary parts: max pooling has no order to use), bool, object and string arrays
     are not part of the spec. Refusing them is input hygiene, checked at the ``strict``
     level only: plain NumPy arithmetic computes on them, and a correct computation need not
     police its dtypes.""",
     ops=("conv", "conv_transpose", "max_pool", "avg_pool"),
     examples=(Example("x = [1.0, 2.0] (float64)", "accepted"),
               Example("x = [1+0j, 2+0j] (complex128) or [True, False]",
                       "refused at level strict")),
     sources=(CHOICE,))
rule("config.kernel", "Kernel sizes are >= 1",
     """Every kernel size is at least 1. For pooling the kernel is a parameter; for conv it
     is w.shape[2:], where a size of 0 is an empty array [config.nonempty].""",
     preconditions=("k >= 1",), ops=("conv", "conv_transpose", "max_pool", "avg_pool"),
     examples=(Example("max_pool kernel=(1,)", "accepted: y = x"),
               Example("max_pool kernel=(0,)", "rejected")),
     sources=(S.DUMOULIN,))
rule("config.stride", "Strides are >= 1",
     "Every stride is at least 1: a stride of 0 would place every window at the same spot.",
     preconditions=("s >= 1",), ops=("conv", "conv_transpose", "max_pool", "avg_pool"),
     examples=(Example("stride=(1,)", "accepted"), Example("stride=(0,) or (-1,)", "rejected")),
     sources=(S.DUMOULIN, S.TORCH_CONV))
rule("config.dilation", "Dilations are >= 1",
     "Every dilation is at least 1 (1 means no gaps between kernel taps).",
     preconditions=("d >= 1",), ops=("conv", "conv_transpose", "max_pool"),
     examples=(Example("dilation=(1,)", "accepted"), Example("dilation=(0,)", "rejected")),
     sources=(S.DUMOULIN, S.TORCH_CONV))
rule("config.padding", "Padding is >= 0 on both sides",
     """Padding is a (before, after) pair per axis with both entries >= 0. For conv,
     max_pool and avg_pool it may also be one of the strings 'valid', 'same' ('same_upper'),
     'same_lower', 'full'; conv_transpose takes numbers only and refuses strings. Negative
     padding (cropping) is not part of the spec.""", preconditions=("p_before >= 0", "p_after >= 0"),
     ops=("conv", "conv_transpose", "max_pool", "avg_pool"),
     examples=(Example("padding=((0, 1),)", "accepted"),
               Example("padding=((-1, 1),)", "rejected: crop the input instead")),
     sources=(S.DUMOULIN, S.ONNX_CONV))

