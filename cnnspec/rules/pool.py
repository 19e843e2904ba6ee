"""Pooling rules."""

from math import nan

from .. import formulas
from . import _sources as S
from . import call_example, formula_example, rule
from ._symbols import symbols

TEN = [0, 10, 20, 30, 40]  # x[i] = 10*i: a value names its position


def _ceil_size():
    i, k, s, pb, pa, d = symbols("i k s p_b p_a d")
    return formulas.pool_out_size(i, k, stride=s, padding=(pb, pa), dilation=d, ceil_mode=True)


def _floor_size():
    i, k, s, pb, pa, d = symbols("i k s p_b p_a d")
    return formulas.pool_out_size(i, k, stride=s, padding=(pb, pa), dilation=d)


rule("pool.out-size", "Pooling output size (floor mode)",
     """Without ceil_mode, pooling has the output size of a convolution with the same kernel,
     stride, padding and dilation: the number of window positions, s apart, at which the
     dilated window fits inside the padded input. Input cells past the last window are not
     read. The stride defaults to the kernel size.""",
     ops=("max_pool", "avg_pool"), symbolic=_floor_size,
     formula="o = floor((i + p_b + p_a - d(k-1) - 1)/s) + 1",
     examples=(formula_example("formulas.pool_out_size", 28, 2, gives=14,
                               why="floor((28 - 2)/2) + 1 = 14; the stride defaults to the "
                                   "kernel size, 2"),
               call_example("max_pool", x=TEN, kernel=2, stride=2, y=[10, 30],
                            why="floor((5 - 2)/2) + 1 = 2 windows, [0, 10] and [20, 30]; 40 "
                                "is in no window")),
     sources=(S.TORCH_POOL, S.ONNX_POOL), see_also=("conv.out-size", "pool.ceil-mode"))
rule("pool.ceil-mode", "ceil_mode keeps a partial last window, unless it starts in the right padding",
     """With ceil_mode the division rounds up, so a last window that overhangs the padded input
     is kept. The spec then drops every window that would start at or after the end of the
     input (in the right padding or past it): such a window reads no input cell. So o is the
     smaller of the rounded-up count and floor((i + p_b - 1)/s) + 1, the number of window
     starts before the input's end. PyTorch and ONNX drop at most one window (the last, when
     it starts in the right padding); the two counts are equal whenever the right padding is
     at most d*(k-1), i.e. below the dilated window d*(k-1) + 1, which covers every
     configuration those frameworks accept (PyTorch requires padding <= k/2). Beyond that the
     spec's rule is its own choice and no framework accepts those configurations: e.g. i=1,
     k=1, p=(0, 1) is refused in floor mode (its second window is all padding) while ceil mode
     drops that window and returns 1 value.""",
     ops=("max_pool", "avg_pool"), symbolic=_ceil_size,
     formula="o = min(ceil((i + p_b + p_a - d(k-1) - 1)/s) + 1, floor((i + p_b - 1)/s) + 1)",
     examples=(call_example("max_pool", x=TEN, kernel=2, stride=2, ceil_mode=True,
                            y=[10, 30, 40],
                            why="ceil((5 - 2)/2) + 1 = 3; the last window is [40, overhang]"),
               call_example("max_pool", x=TEN, kernel=2, stride=2, padding=1, ceil_mode=True,
                            y=[0, 20, 40],
                            why="ceil((7 - 2)/2) + 1 = 4 windows would start at 0, 2, 4, 6; 6 "
                                "is the right padding cell: dropped, floor((5 + 1 - 1)/2) + 1 "
                                "= 3"),
               call_example("max_pool", x=[7], kernel=1, stride=1, padding=(0, 2),
                            ceil_mode=True, y=[7],
                            why="ceil(2/1) + 1 = 3 starts 0, 1, 2; 1 and 2 are right padding: "
                                "the spec drops both, o = 1; dropping one, as PyTorch and ONNX "
                                "do, would leave 2; p_a = 2 > d*(k-1) = 0")),
     sources=(S.TORCH_POOL, S.ONNX_POOL), see_also=("pool.out-size", "pool.window-has-input"))
rule("pool.kernel-fits", "The pooling window fits the padded input",
     """As for convolution, the dilated window must fit inside the padded input on every axis,
     in ceil_mode too. (PyTorch in ceil_mode accepts a first window that overhangs the padded
     input by up to s-1 cells, e.g. kernel 2, stride 2 on one element: a framework
     convention, not this rule.)""",
     ops=("max_pool", "avg_pool"), preconditions=("d*(k-1) + 1 <= i + p_before + p_after",),
     examples=(call_example("max_pool", x=[0, 10], kernel=3, stride=3, padding=(1, 0),
                            y=[10], why="valid: 3 <= 2 + 1, the window is [pad, 0, 10]"),
               call_example("max_pool", x=[0, 10], kernel=3, stride=3, refused=True,
                            why="no padding: the window, 3, is larger than the input, 2"),
               call_example("max_pool", x=[0, 10], kernel=3, stride=3, ceil_mode=True,
                            refused=True, why="3 > 2, in ceil_mode too")),
     sources=(S.TORCH_POOL,), see_also=("conv.kernel-fits",))
rule("pool.window-has-input", "Every window has at least one tap on the input",
     """A pooling window made only of padding has no defined value (max of nothing, average of
     nothing). Exactly: window j, with taps at padded positions j*s + t*d, must have one tap in
     [p_before, p_before + i). With d = 1 and floor mode, p_before < k is necessary and
     sufficient for the first window; p_after < k is sufficient for the last window but not
     necessary, since the stride may skip the positions where a window would start in the
     right padding (i=1, k=2, s=3, p=(0, 2) is valid: its one window reads the input cell).
     TOSA and onnxruntime require pad < kernel; PyTorch's stricter pad <= k/2 is a framework
     limit, not this rule, and with dilation PyTorch returns -inf for such a window.""",
     ops=("max_pool", "avg_pool"),
     preconditions=("for every window j: exists t, p_before <= j*s + t*d < p_before + i",),
     examples=(call_example("max_pool", x=[0, 10, 20], kernel=2, stride=2, padding=(1, 0),
                            y=[0, 20], why="window 0 is [pad, 0]: one tap on the input"),
               call_example("max_pool", x=[0, 10, 20], kernel=2, stride=2, padding=(2, 0),
                            refused=True, why="window 0 is [pad, pad]"),
               call_example("max_pool", x=[7], kernel=2, stride=1, dilation=2, padding=1,
                            refused=True,
                            why="the one window taps padded positions 0 and 2; the input is at "
                                "1. p = 1 < k and PyTorch computes it: -inf"),
               call_example("max_pool", x=[7], kernel=2, stride=3, padding=(0, 2), y=[7],
                            why="o = floor((3 - 2)/3) + 1 = 1; p_after = 2 = k, yet no window "
                                "is all padding")),
     sources=(S.ONNX_POOL, S.TORCH_POOL))
rule("pool.max-def", "Max pooling takes the window maximum, padding with -inf",
     """Each output is the maximum over its window; padding cells hold -inf, so they never win,
     even over negative inputs (zero padding would).""",
     ops=("max_pool",), formula="y[n, c, *p] = max_t xpad[n, c, *(p*s + t*d)], pad value -inf",
     examples=(call_example("max_pool", x=[1, 5, 2, 0], kernel=2, stride=2, y=[5, 2]),
               call_example("max_pool", x=[[0, 1, 2], [10, 11, 12], [20, 21, 22]], kernel=2,
                            stride=1, y=[[11, 12], [21, 22]], why="window (0, 0) is {0, 1, 10, 11}"),
               call_example("max_pool", x=[-3, -1], kernel=2, stride=1, padding=1,
                            y=[-3, -1, -1], why="zero padding would give [0, -1, 0]")),
     sources=(S.SEED_INTUITION, S.SEED_HYLEE, S.TORCH_POOL))
rule("pool.max-nan", "Max pooling propagates NaN",
     """A window that contains a NaN gives NaN (as torch.max and numpy.maximum do); windows
     without one are unaffected.""",
     ops=("max_pool",),
     examples=(call_example("max_pool", x=[1, nan, 2, 3], kernel=2, stride=2, y=[nan, 3]),),
     sources=(S.TORCH_POOL,))
rule("pool.avg-def", "Average pooling: window sum over a divisor",
     "Each output is the sum over its window (padding cells count 0) divided by the divisor.",
     ops=("avg_pool",), formula="y[n, c, *p] = sum_t xpad[n, c, *(p*s + t)] / divisor[*p]",
     examples=(call_example("avg_pool", x=[[0, 1, 2], [10, 11, 12], [20, 21, 22]], kernel=2,
                            stride=1, count_include_pad=True, y=[[5.5, 6.5], [15.5, 16.5]],
                            why="x[i, j] = 10*i + j; (0 + 1 + 10 + 11)/4 = 5.5"),),
     sources=(S.TORCH_POOL, S.ONNX_POOL), see_also=("pool.avg-divisor",))
rule("pool.avg-divisor", "The average divisor",
     """The divisor is the number of window cells inside the padded input if
     count_include_pad, else inside the input itself. Cells of the ceil_mode overhang past the
     padded input never count.""",
     ops=("avg_pool",),
     examples=(call_example("avg_pool", x=[0, 1, 2, 3, 4], kernel=2, stride=2, padding=(0, 1),
                            count_include_pad=False, y=[0.5, 2.5, 4],
                            why="last window [4, pad]: divisor 1, the cells on the input"),
               call_example("avg_pool", x=[0, 1, 2, 3, 4], kernel=2, stride=2, padding=(0, 1),
                            count_include_pad=True, y=[0.5, 2.5, 2],
                            why="last window [4, pad]: divisor 2, the pad cell counts"),
               call_example("avg_pool", x=TEN, kernel=2, stride=2, ceil_mode=True,
                            count_include_pad=False, y=[5, 25, 40],
                            why="last window [40, overhang]: divisor 1"),
               call_example("avg_pool", x=TEN, kernel=2, stride=2, ceil_mode=True,
                            count_include_pad=True, y=[5, 25, 40],
                            why="last window [40, overhang]: divisor 1 with count_include_pad "
                                "too, the overhang is no padding")),
     sources=(S.TORCH_POOL, S.ONNX_POOL))
rule("pool.channelwise", "Pooling acts on each channel on its own",
     """Pooling never mixes channels: output channel c depends only on input channel c, so a
     permutation of channels commutes with pooling.""",
     ops=("max_pool", "avg_pool"),
     examples=(call_example("max_pool", x=[[[0, 1, 2, 3], [10, 11, 12, 13]]], kernel=2,
                            stride=2, channels=True, y=[[[1, 3], [11, 13]]],
                            why="x of shape (1, 2, 4): two channels, each pooled on its own"),
               call_example("max_pool", x=[[[10, 11, 12, 13], [0, 1, 2, 3]]], kernel=2,
                            stride=2, channels=True, y=[[[11, 13], [1, 3]]],
                            why="the channels swapped: the outputs swapped")),
     sources=(S.SEED_INTUITION, S.TORCH_POOL))
rule("pool.global", "Global pooling",
     """Global max/average pooling reduces every spatial axis to size 1: the maximum or mean
     over all positions of each channel; shape (N, C, 1, ..., 1). It is pooling with the
     kernel equal to the whole spatial shape (no padding; any stride).""",
     ops=("max_pool", "avg_pool"),
     formula="global_max_pool(x) = max_pool(x, kernel=x.shape[2:]); same for avg",
     examples=(call_example("max_pool", x=[[0, 1, 2], [10, 11, 12]], kernel=(2, 3), stride=1,
                            y=[[12]], why="x[i, j] = 10*i + j; the kernel is x's shape"),
               call_example("avg_pool", x=[[0, 1, 2], [10, 11, 12]], kernel=(2, 3), stride=1,
                            count_include_pad=True, y=[[6]],
                            why="(0 + 1 + 2 + 10 + 11 + 12)/6 = 36/6")),
     sources=(S.TORCH_POOL,))
rule("pool.max-monotone", "Max pooling commutes with increasing maps",
     """For every increasing function f applied elementwise, max_pool(f(x)) = f(max_pool(x)):
     the largest of f(a), f(b), ... is f of the largest. So max pooling may come before or
     after a ReLU, a positive scaling or a shift. Average pooling commutes only with
     affine maps, and with a shift only when padding does not count.""",
     ops=("max_pool",), formula="max_pool(f(x)) = f(max_pool(x)) for increasing f",
     examples=(call_example("max_pool", x=[1, 5, 2, 0], kernel=2, stride=2, y=[5, 2],
                            why="max_pool(x)"),
               call_example("max_pool", x=[1, 125, 8, 0], kernel=2, stride=2, y=[125, 8],
                            why="f(v) = v**3: max_pool(f(x)) = [125, 8] = f([5, 2]) = "
                                "f(max_pool(x))"),
               call_example("avg_pool", x=[1, 5], kernel=2, stride=2, count_include_pad=True,
                            y=[3], why="avg_pool(x) = (1 + 5)/2"),
               call_example("avg_pool", x=[1, 125], kernel=2, stride=2, count_include_pad=True,
                            y=[63], why="f(v) = v**3: avg_pool(f(x)) = 63, but f(avg_pool(x)) "
                                        "= f(3) = 27; average pooling does not commute with f")),
     sources=(S.SEED_INTUITION, S.TORCH_POOL), see_also=("pool.max-def",))
rule("pool.avg-as-conv", "Average pooling is a depthwise convolution",
     """Average pooling with count_include_pad (padding cells count in the divisor) and without
     a ceil_mode overhang is the depthwise convolution (groups = C, one filter per channel, no
     bias) with the constant kernel 1/prod(k), at the same stride and padding.""",
     ops=("avg_pool", "conv"),
     formula="avg_pool(x, k, s, p, count_include_pad) = conv(x, full((C, 1, *k), 1/prod(k)), "
             "stride=s, padding=p, groups=C)",
     examples=(call_example("avg_pool", x=[0, 10, 20, 30, 40, 50], kernel=2, stride=2,
                            count_include_pad=True, y=[5, 25, 45], why="(0 + 10)/2 = 5"),
               call_example("conv", x=[0, 10, 20, 30, 40, 50], w=[0.5, 0.5], stride=2,
                            y=[5, 25, 45],
                            why="the same: 0.5*0 + 0.5*10 = 5; one channel, so groups = C = 1")),
     sources=(S.DUMOULIN, S.TORCH_POOL), see_also=("pool.avg-divisor", "conv.groups"))
rule("pool.no-params", "Pooling has no parameters and no state",
     """Pooling learns nothing and remembers nothing: its output is a fixed function of the
     input and of the configuration (kernel, stride, padding, dilation, ceil_mode,
     count_include_pad). The parameter count is 0, and the same input gives the same output
     on every call, whatever was pooled in between.""",
     ops=("max_pool", "avg_pool"),
     examples=(call_example("max_pool", x=[1, 5, 2, 0], kernel=2, stride=2, y=[5, 2],
                            why="the same on every call, whatever was pooled in between"),
               formula_example("formulas.pool_params", gives=0, why="nothing is learned")),
     sources=(S.SEED_INTUITION, S.TORCH_POOL), see_also=("params.pool",))

