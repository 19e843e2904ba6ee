"""Padding rules: modes, and the named paddings 'valid', 'same', 'full'."""

from .. import formulas
from . import _sources as S
from . import call_example, formula_example, rule
from ._symbols import symbols


def _same_total():
    i, k, s, d = symbols("i k s d")
    return sum(formulas.same_padding(i, k, stride=s, dilation=d))


NUMPY_PAD = "NumPy docs: numpy.pad (modes 'constant', 'reflect', 'edge', 'wrap')"
X3 = [[[1, 2, 3]]]  # x = [1, 2, 3]: (N, C, i) = (1, 1, 3)


def _pad(padding: tuple[int, int], mode: str, gives: list[int] | None = None, why: str = "") -> object:
    """ref.pad of x = [1, 2, 3] by one (before, after) pair: the padded row, or refused."""
    if gives is None:
        return formula_example("ref.pad", X3, (padding,), mode=mode, raises=True, why=why)
    return formula_example("ref.pad", X3, (padding,), mode=mode, gives=[[gives]], why=why)

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
     examples=(_pad((2, 1), "zeros", [0, 0, 1, 2, 3, 0]),
               _pad((2, 1), "reflect", [3, 2, 1, 2, 3, 2], "j = -2 -> 2, j = 3 -> 4 - 3 = 1"),
               _pad((2, 1), "replicate", [1, 1, 1, 2, 3, 3]),
               _pad((2, 1), "circular", [2, 3, 1, 2, 3, 1], "j = -2 -> -2 mod 3 = 1"),
               formula_example("ref.conv", X3, [[[1, 10]]], padding=1, padding_mode="reflect",
                               gives=[[[12, 21, 32, 23]]],
                               why="the conv of the reflected [2, 1, 2, 3, 2]: 2 + 10*1, "
                                   "1 + 10*2, 2 + 10*3, 3 + 10*2")),
     sources=(S.TORCH_CONV, NUMPY_PAD))
rule("pad.reflect-size", "Reflect padding is smaller than the input",
     """Reflection without repeating the edge mirrors at most i - 1 cells on each side, so it
     needs pad < i on that axis (and so cannot pad an axis of size 1).""",
     ops=("conv",), preconditions=("max(p_before, p_after) < i",),
     examples=(_pad((2, 2), "reflect", [3, 2, 1, 2, 3, 2, 1], "pad 2 < 3: the last valid"),
               _pad((3, 0), "reflect", why="pad 3 >= i = 3")),
     sources=(S.TORCH_CONV, NUMPY_PAD))
rule("pad.circular-size", "Circular padding is at most the input size",
     "Wrapping around takes at most the whole input once: pad <= input size.",
     ops=("conv",), preconditions=("max(p_before, p_after) <= i",),
     examples=(_pad((3, 0), "circular", [1, 2, 3, 1, 2, 3], "pad 3 <= 3: the last valid"),
               _pad((4, 0), "circular", why="pad 4 > i = 3")),
     sources=(S.TORCH_CONV,))
rule("pad.valid", "'valid' padding is no padding",
     """'valid' means p_before = p_after = 0: only windows entirely inside the input, so
     o = floor((i - d*(k-1) - 1)/s) + 1 and the kernel must fit the input itself.""",
     ops=("conv", "max_pool", "avg_pool"),
     examples=(formula_example("formulas.valid_padding", gives=(0, 0)),
               call_example("conv", x=[0, 10, 20, 30, 40], w=[1, 1, 1], padding=0, y=[30, 60, 90],
                            why="5 - 3 + 1 = 3 windows: 0 + 10 + 20, 10 + 20 + 30, 20 + 30 + 40")),
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
     examples=(formula_example("formulas.same_padding", 5, 4, gives=(1, 2),
                               why="total (5 - 1)*1 + 4 - 5 = 3, the extra cell after (SAME_UPPER)"),
               formula_example("formulas.same_padding", 5, 4, mode="lower", gives=(2, 1),
                               why="the extra cell before (SAME_LOWER)"),
               call_example("conv", x=[0, 10, 20, 30, 40], w=[1, 1, 1, 1], padding=(1, 2),
                            y=[30, 60, 100, 90, 70],
                            why="SAME_UPPER pads [0 | x | 0, 0]: y[0] = 0 + 0 + 10 + 20"),
               call_example("conv", x=[0, 10, 20, 30, 40], w=[1, 1, 1, 1], padding=(2, 1),
                            y=[10, 30, 60, 100, 90],
                            why="SAME_LOWER pads [0, 0 | x | 0]: y[0] = 0 + 0 + 0 + 10"),
               formula_example("formulas.same_padding", 7, 3, stride=2, gives=(1, 1),
                               why="ceil(7/2) = 4 outputs: total max(3*2 + 3 - 7, 0) = 2"),
               formula_example("formulas.conv_out_size", 7, 3, stride=2, padding=(1, 1), gives=4,
                               why="floor((7 + 2 - 3)/2) + 1 = ceil(7/2)"),
               call_example("avg_pool", x=[0, 10, 20, 30, 40], kernel=4, stride=1, padding=(1, 2),
                            count_include_pad=True, y=[7.5, 15, 25, 22.5, 17.5],
                            why="SAME_UPPER, the spec's default divisor: the first window "
                                "[pad, 0, 10, 20] gives 30/4, counting the padding"),
               call_example("avg_pool", x=[0, 10, 20, 30, 40], kernel=4, stride=1, padding=(1, 2),
                            count_include_pad=False, y=[10, 15, 25, 30, 35],
                            why="SAME_UPPER as TensorFlow, Keras and ONNX divide: 30/3, the "
                                "input cells only")),
     sources=(S.TF_SAME, S.ONNX_CONV, S.ONNX_POOL, S.TORCH_CONV, S.DUMOULIN),
     see_also=("pool.avg-divisor",))
rule("pad.full", "'full' padding gives every partial overlap",
     """'full' pads d*(k-1) on both sides, so that o = i + d*(k-1) at stride 1: every position
     where kernel and input overlap by at least one cell.""",
     ops=("conv",),
     examples=(formula_example("formulas.full_padding", 3, gives=(2, 2)),
               formula_example("formulas.conv_out_size", 5, 3, padding=(2, 2), gives=7,
                               why="5 + 3 - 1"),
               call_example("conv", x=[1, 2, 3], w=[1, 10], padding=1, y=[10, 21, 32, 3],
                            why="full_padding(2) = (1, 1), [0, 1, 2, 3, 0]: 0 + 10*1, 1 + 10*2, "
                                "2 + 10*3, 3 + 10*0")),
     sources=(S.DUMOULIN, "SciPy docs: scipy.signal.correlate (mode 'full')"))
rule("pad.causal", "'causal' padding: all of it before, so no output reads the future",
     """'causal' (Keras Conv1D, for sequences) pads d*(k-1) cells before the input and none
     after. At stride 1 the output then has the input's length i, and output t reads input
     cells t - d*(k-1), ..., t only: never a later one. It is 'full' padding with the after
     side removed, and differs from 'same' whenever k > 1 (same splits the padding).""",
     ops=("conv",), formula="(p_before, p_after) = (d*(k-1), 0);  o = i at s = 1",
     examples=(formula_example("formulas.causal_padding", 2, gives=(1, 0)),
               call_example("conv", x=[1, 2, 3, 4], w=[1, 10], padding=(1, 0), y=[10, 21, 32, 43],
                            why="[0, 1, 2, 3, 4]: 0 + 10*1, 1 + 10*2, 2 + 10*3, 3 + 10*4"),
               formula_example("formulas.causal_padding", 2, dilation=2, gives=(2, 0)),
               call_example("conv", x=[1, 2, 3, 4], w=[1, 10], padding=(2, 0), dilation=2,
                            y=[10, 20, 31, 42],
                            why="[0, 0, 1, 2, 3, 4]: y[t] = xpad[t] + 10*xpad[t+2]")),
     sources=("Keras docs: Conv1D layer, padding 'causal', https://keras.io/api/layers/convolution_layers/convolution1d/",
              "van den Oord et al., 'WaveNet: A Generative Model for Raw Audio', arXiv:1609.03499"),
     see_also=("pad.full", "pad.same"))

