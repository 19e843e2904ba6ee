"""Padding rules: modes, and the named paddings 'valid', 'same', 'full'."""

from .. import formulas
from . import Example, rule
from . import _sources as S
from ._symbols import symbols


def _same_total():
    i, k, s, d = symbols("i k s d")
    return sum(formulas.same_padding(i, k, stride=s, dilation=d))


NUMPY_PAD = "NumPy docs: numpy.pad (modes 'constant', 'reflect', 'edge', 'wrap')"

rule("pad.modes", "Padding modes",
     """Conv padding fills with zeros ('zeros'), mirrors without repeating the edge ('reflect'),
     repeats the edge ('replicate') or wraps around ('circular'), as PyTorch's padding_mode.
     Each mode is an index map: padded cell j (counted from the first input cell, so the
     before-padding has j < 0) copies input cell m(j), or is 0. A conv with a padding mode
     is the conv, without padding, of the input padded that way. The target contract has
     zero padding only; the modes are the reference's (ref.pad, ref.conv(padding_mode=...)).""",
     ops=("conv",),
     formula=("zeros: 0 outside [0, i); replicate: m(j) = min(max(j, 0), i - 1); "
              "circular: m(j) = j mod i; reflect: r = j mod 2(i-1), m(j) = r if r < i else 2(i-1) - r"),
     examples=(Example("x = [1, 2, 3], pad (2, 1)",
                       "zeros [0,0,1,2,3,0]; reflect [3,2,1,2,3,2]; replicate [1,1,1,2,3,3]; "
                       "circular [2,3,1,2,3,1]",
                       "reflect: j = -2 -> 2, j = 3 -> 4 - 3 = 1; circular: j = -2 -> 1"),),
     sources=(S.TORCH_CONV, NUMPY_PAD))
rule("pad.reflect-size", "Reflect padding is smaller than the input",
     """Reflection without repeating the edge mirrors at most i - 1 cells on each side, so it
     needs pad < i on that axis (and so cannot pad an axis of size 1).""",
     ops=("conv",), preconditions=("max(p_before, p_after) < i",),
     examples=(Example("x = [1, 2, 3], pad (2, 2), reflect", "[3, 2, 1, 2, 3, 2, 1]"),
               Example("x = [1, 2, 3], pad (3, 0), reflect", "invalid: 3 >= 3")),
     sources=(S.TORCH_CONV, NUMPY_PAD))
rule("pad.circular-size", "Circular padding is at most the input size",
     "Wrapping around takes at most the whole input once: pad <= input size.",
     ops=("conv",), preconditions=("max(p_before, p_after) <= i",),
     examples=(Example("x = [1, 2, 3], pad (3, 0), circular", "[1, 2, 3, 1, 2, 3]"),
               Example("x = [1, 2, 3], pad (4, 0), circular", "invalid: 4 > 3")),
     sources=(S.TORCH_CONV,))
rule("pad.valid", "'valid' padding is no padding",
     """'valid' means p_before = p_after = 0: only windows entirely inside the input, so
     o = floor((i - d*(k-1) - 1)/s) + 1 and the kernel must fit the input itself.""",
     ops=("conv", "max_pool", "avg_pool"),
     examples=(Example("x = [0, 10, 20, 30, 40], w = [1, 1, 1]", "y = [30, 60, 90]",
                       "5 - 3 + 1 = 3 windows: 0 + 10 + 20, 10 + 20 + 30, 20 + 30 + 40"),),
     sources=(S.TF_SAME, S.DUMOULIN))
rule("pad.same", "'same' padding gives ceil(i / s) outputs",
     """'same' pads a total of max((ceil(i/s) - 1)*s + d*(k-1) + 1 - i, 0) cells so that the
     output has ceil(i/s) elements (i at stride 1). An odd total puts the extra cell after
     (SAME_UPPER: TensorFlow 'SAME', ONNX SAME_UPPER, PyTorch 'same') or before (SAME_LOWER).
     For average pooling the padding is the same but the divisor is not: the spec's default
     (count_include_pad=True, pool.avg-divisor) counts the padding cells, while TensorFlow,
     Keras and ONNX (auto_pad SAME_*, count_include_pad=0 by default) divide by the input
     cells of the window only, so their averages differ at the edges.""",
     ops=("conv", "max_pool", "avg_pool"), symbolic=_same_total,
     examples=(Example("i=5, k=4, s=1", "total 3: SAME_UPPER (1, 2), SAME_LOWER (2, 1)"),
               Example("x = [0, 10, 20, 30, 40], w = [1, 1, 1, 1]",
                       "SAME_UPPER y = [30, 60, 100, 90, 70]; SAME_LOWER y = [10, 30, 60, 100, 90]",
                       "upper pads [0 | x | 0, 0]: y[0] = 0 + 0 + 10 + 20"),
               Example("i=7, k=3, s=2", "o = 4, total max(3*2 + 3 - 7, 0) = 2: (1, 1)"),
               Example("x = [0, 10, 20, 30, 40], avg_pool k=4, s=1, SAME_UPPER (1, 2)",
                       "spec default y = [7.5, 15, 25, 22.5, 17.5]; TensorFlow, Keras, ONNX "
                       "y = [10, 15, 25, 30, 35]",
                       "first window [pad, 0, 10, 20]: 30/4 counting the padding, 30/3 not")),
     sources=(S.TF_SAME, S.ONNX_CONV, S.ONNX_POOL, S.TORCH_CONV, S.DUMOULIN),
     see_also=("pool.avg-divisor",))
rule("pad.full", "'full' padding gives every partial overlap",
     """'full' pads d*(k-1) on both sides, so that o = i + d*(k-1) at stride 1: every position
     where kernel and input overlap by at least one cell.""",
     ops=("conv",),
     examples=(Example("i=5, k=3", "p = (2, 2), o = 7"),
               Example("x = [1, 2, 3], w = [1, 10]", "p = (1, 1), y = [10, 21, 32, 3]",
                       "[0, 1, 2, 3, 0]: 0 + 10*1, 1 + 10*2, 2 + 10*3, 3 + 10*0")),
     sources=(S.DUMOULIN, "SciPy docs: scipy.signal.correlate (mode 'full')"))
rule("pad.causal", "'causal' padding: all of it before, so no output reads the future",
     """'causal' (Keras Conv1D, for sequences) pads d*(k-1) cells before the input and none
     after. At stride 1 the output then has the input's length i, and output t reads input
     cells t - d*(k-1), ..., t only: never a later one. It is 'full' padding with the after
     side removed, and differs from 'same' whenever k > 1 (same splits the padding).""",
     ops=("conv",), formula="(p_before, p_after) = (d*(k-1), 0);  o = i at s = 1",
     examples=(Example("x = [1, 2, 3, 4], w = [1, 10], causal", "p = (1, 0), y = [10, 21, 32, 43]",
                       "[0, 1, 2, 3, 4]: 0 + 10*1, 1 + 10*2, 2 + 10*3, 3 + 10*4"),
               Example("x = [1, 2, 3, 4], w = [1, 10], d=2, causal", "p = (2, 0), y = [10, 20, 31, 42]",
                       "[0, 0, 1, 2, 3, 4]: y[t] = xpad[t] + 10*xpad[t+2]")),
     sources=("Keras docs: Conv1D layer, padding 'causal', https://keras.io/api/layers/convolution_layers/convolution1d/",
              "van den Oord et al., 'WaveNet: A Generative Model for Raw Audio', arXiv:1609.03499"),
     see_also=("pad.full", "pad.same"))

