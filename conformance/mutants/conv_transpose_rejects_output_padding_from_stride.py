"""conv_transpose refuses output_padding >= stride, where the spec allows up to max(stride, dilation) - 1.

The bug: the check output_padding < stride, where the spec (and PyTorch) accept
output_padding < max(stride, dilation) [conv-transpose.output-padding]: a valid configuration
with stride <= output_padding < dilation raises ValueError.  onnxruntime has this stricter
limit; an adapter for it should raise NotImplementedError there (unsupported), not ValueError.
Caught by: the checks that compute valid configurations (conv-transpose.output-padding's
valid side, conv-transpose.def, conv-transpose.out-size), when dilation > stride.
"""

from __future__ import annotations

from cnnspec.targets import reference as correct
from cnnspec.targets.reference import avg_pool, conv, max_pool

__all__ = ["conv", "conv_transpose", "max_pool", "avg_pool", "EXPECTED_RULES"]

EXPECTED_RULES = ("conv-transpose.output-padding", "conv-transpose.def", "conv-transpose.out-size")


def conv_transpose(x, w, b, *, stride, padding, output_padding, dilation, groups):
    for a, (op, s) in enumerate(zip(output_padding, stride)):
        if op >= s:  # BUG: < max(stride, dilation) is the rule
            raise ValueError(f"output_padding[{a}]={op}, but should be < stride[{a}]={s}")
    return correct.conv_transpose(x, w, b, stride=stride, padding=padding,
                                  output_padding=output_padding, dilation=dilation, groups=groups)
