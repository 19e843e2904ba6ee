"""Rules every call shares: parameter types, ranks, and the ranges of stride, dilation,
kernel and padding."""

from . import _sources as S
from . import rule

CHOICE = "cnnspec's choice, stated in README.md ('Choices the spec makes')"

rule("config.int", "Size parameters are integers",
     """Every size parameter (kernel, stride, padding, dilation, output_padding, groups) is an
     integer: a Python or NumPy int. bool, float (even 2.0), NaN, inf and strings are rejected,
     never rounded.""",
     ops=("conv", "conv_transpose", "max_pool", "avg_pool"), sources=(S.TORCH_CONV,))
rule("config.rank", "One value per spatial axis",
     """x is (N, C, *spatial) with 1 to 3 spatial axes; w has the same rank as x; stride,
     dilation, kernel, output_padding have one entry per spatial axis and padding one
     (before, after) pair per axis (an int is shorthand for the same value everywhere).""",
     ops=("conv", "conv_transpose", "max_pool", "avg_pool"), sources=(S.TORCH_CONV, S.ONNX_CONV))
rule("config.nonempty", "No empty arrays",
     """Every axis of x and w, the batch included, has size >= 1. The spec does not define
     ops on empty arrays (PyTorch accepts a batch of 0; this spec rejects it rather than
     return an empty answer).""", ops=("conv", "conv_transpose", "max_pool", "avg_pool"),
     sources=(CHOICE,))
rule("config.dtype", "Real numeric arrays",
     """Arrays hold real integers or floats. Complex, bool, object and string arrays are
     rejected.""", ops=("conv", "conv_transpose", "max_pool", "avg_pool"), sources=(CHOICE,))
rule("config.kernel", "Kernel sizes are >= 1",
     "Every kernel size is at least 1.", preconditions=("k >= 1",),
     ops=("conv", "conv_transpose", "max_pool", "avg_pool"), sources=(S.DUMOULIN,))
rule("config.stride", "Strides are >= 1",
     "Every stride is at least 1: a stride of 0 would place every window at the same spot.",
     preconditions=("s >= 1",), ops=("conv", "conv_transpose", "max_pool", "avg_pool"),
     sources=(S.DUMOULIN, S.TORCH_CONV))
rule("config.dilation", "Dilations are >= 1",
     "Every dilation is at least 1 (1 means no gaps between kernel taps).",
     preconditions=("d >= 1",), ops=("conv", "conv_transpose", "max_pool"),
     sources=(S.DUMOULIN, S.TORCH_CONV))
rule("config.padding", "Padding is >= 0 on both sides",
     """Padding is a (before, after) pair per axis with both entries >= 0, or one of the
     strings 'valid', 'same' ('same_upper'), 'same_lower', 'full'. Negative padding (cropping)
     is not part of the spec.""", preconditions=("p_before >= 0", "p_after >= 0"),
     ops=("conv", "conv_transpose", "max_pool", "avg_pool"), sources=(S.DUMOULIN, S.ONNX_CONV))
