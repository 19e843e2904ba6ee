"""Rules every call shares: parameter types, ranks, and the ranges of stride, dilation,
kernel and padding."""

from . import Example, rule
from . import _sources as S

CHOICE = "cnnspec's choice, stated in README.md ('Choices the spec makes')"

rule("config.int", "Size parameters are integers",
     """Every size parameter (kernel, stride, padding, dilation, output_padding, groups) is an
     integer: a Python or NumPy int. bool, float (even 2.0), NaN, inf and strings are rejected,
     never rounded. The flags ceil_mode and count_include_pad are bools (Python or NumPy), not
     0 and 1.""",
     ops=("conv", "conv_transpose", "max_pool", "avg_pool"),
     examples=(Example("stride=(2,) or (numpy.int64(2),)", "accepted"),
               Example("stride=(2.0,), (2.5,) or (True,)", "rejected, never rounded to 2 or 1"),
               Example("ceil_mode=1", "rejected: ceil_mode=True")),
     sources=(S.TORCH_CONV, CHOICE))
rule("config.rank", "One value per spatial axis",
     """x is (N, C, *spatial) with 1 to 3 spatial axes; w has the same rank as x; stride,
     dilation, kernel, output_padding have one entry per spatial axis and padding one
     (before, after) pair per axis (an int is shorthand for the same value everywhere).""",
     ops=("conv", "conv_transpose", "max_pool", "avg_pool"),
     examples=(Example("x (1, 1, 5) and (1, 1, 2, 2, 2)", "accepted: 1 and 3 spatial axes"),
               Example("x (1, 1) or (1, 1, 2, 2, 2, 2)", "rejected: 0 or 4 spatial axes"),
               Example("x (1, 1, 5, 5), stride=(1, 1, 1)", "rejected: 3 entries for 2 axes")),
     sources=(S.TORCH_CONV, S.ONNX_CONV))
rule("config.nonempty", "No empty arrays",
     """Every axis of x and w, the batch included, has size >= 1. The spec does not define
     ops on empty arrays (PyTorch accepts a batch of 0; this spec rejects it rather than
     return an empty answer). A kernel of size 0 is an empty w, rejected by this rule.""",
     ops=("conv", "conv_transpose", "max_pool", "avg_pool"),
     examples=(Example("x (1, 1, 5)", "accepted"),
               Example("x (0, 1, 5), (1, 0, 5) or (1, 1, 0)", "rejected")),
     sources=(CHOICE,))
rule("config.dtype", "Real numeric arrays",
     """Arrays hold real integers or floats. Complex (even with zero imaginary parts: max
     pooling has no order to use), bool, object and string arrays are rejected.""",
     ops=("conv", "conv_transpose", "max_pool", "avg_pool"),
     examples=(Example("x = [1.0, 2.0] (float64)", "accepted"),
               Example("x = [1+0j, 2+0j] (complex128) or [True, False]", "rejected")),
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
     """Padding is a (before, after) pair per axis with both entries >= 0, or one of the
     strings 'valid', 'same' ('same_upper'), 'same_lower', 'full'. Negative padding (cropping)
     is not part of the spec.""", preconditions=("p_before >= 0", "p_after >= 0"),
     ops=("conv", "conv_transpose", "max_pool", "avg_pool"),
     examples=(Example("padding=((0, 1),)", "accepted"),
               Example("padding=((-1, 1),)", "rejected: crop the input instead")),
     sources=(S.DUMOULIN, S.ONNX_CONV))

from . import config_checks  # noqa: E402,F401  (the checks, declared once the rules are)
