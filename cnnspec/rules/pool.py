"""Pooling rules."""

from .. import formulas
from . import Example, rule
from . import _sources as S
from ._symbols import symbols


def _ceil_size():
    i, k, s, pb, pa, d = symbols("i k s p_b p_a d")
    return formulas.pool_out_size(i, k, stride=s, padding=(pb, pa), dilation=d, ceil_mode=True)


def _floor_size():
    i, k, s, pb, pa, d = symbols("i k s p_b p_a d")
    return formulas.pool_out_size(i, k, stride=s, padding=(pb, pa), dilation=d)


rule("pool.out-size", "Pooling output size (floor mode)",
     """Without ceil_mode, pooling has the output size of a convolution with the same kernel,
     stride, padding and dilation. The stride defaults to the kernel size.""",
     ops=("max_pool", "avg_pool"), symbolic=_floor_size,
     examples=(Example("i=28, k=2 (s=2)", "o = 14"),), sources=(S.TORCH_POOL, S.ONNX_POOL),
     see_also=("conv.out-size",))
rule("pool.ceil-mode", "ceil_mode keeps a partial last window, unless it starts in the right padding",
     """With ceil_mode the division rounds up, so a last window that overhangs the padded input
     is kept; but a window that would start in the right padding (or past it) is dropped
     (PyTorch, ONNX).""",
     ops=("max_pool", "avg_pool"), symbolic=_ceil_size,
     formula="o = min(ceil((i + p_b + p_a - d(k-1) - 1)/s) + 1, floor((i + p_b - 1)/s) + 1)",
     examples=(Example("i=5, k=2, s=2, p=(1, 1)", "o = 3",
                       "ceil(5/2)+1 = 4 windows start at 0, 2, 4, 6; 6 is in the right padding"),),
     sources=(S.TORCH_POOL, S.ONNX_POOL))
rule("pool.kernel-fits", "The pooling window fits the padded input",
     """As for convolution, the dilated window must fit inside the padded input on every axis,
     in ceil_mode too. (PyTorch in ceil_mode accepts a first window that overhangs the padded
     input by up to s-1 cells, e.g. kernel 2, stride 2 on one element: a framework
     convention, not this rule.)""",
     ops=("max_pool", "avg_pool"), preconditions=("d*(k-1) + 1 <= i + p_before + p_after",),
     sources=(S.TORCH_POOL,))
rule("pool.window-has-input", "Every window has at least one tap on the input",
     """A pooling window made only of padding has no defined value (max of nothing, average of
     nothing). Exactly: window j, with taps at padded positions j*s + t*d, must have one tap in
     [p_before, p_before + i). With d = 1 and floor mode this means p_before < k and
     p_after < k (TOSA and onnxruntime require pad < kernel; PyTorch's stricter pad <= k/2 is
     a framework limit, not this rule, and with dilation PyTorch returns -inf for such a
     window).""",
     ops=("max_pool", "avg_pool"),
     preconditions=("for every window j: exists t, p_before <= j*s + t*d < p_before + i",),
     sources=(S.ONNX_POOL, S.TORCH_POOL))
rule("pool.max-def", "Max pooling takes the window maximum, padding with -inf",
     """Each output is the maximum over its window; padding cells hold -inf, so they never win
     (max pooling commutes with increasing maps).""",
     ops=("max_pool",), formula="y[n, c, *p] = max_t xpad[n, c, *(p*s + t*d)], pad value -inf",
     examples=(Example("x = [1, 5, 2, 0], k=2", "y = [5, 2]"),),
     sources=(S.SEED_INTUITION, S.SEED_HYLEE, S.TORCH_POOL))
rule("pool.max-nan", "Max pooling propagates NaN",
     "A window that contains a NaN gives NaN (as torch.max and numpy.maximum do).",
     ops=("max_pool",), sources=(S.TORCH_POOL,))
rule("pool.avg-def", "Average pooling: window sum over a divisor",
     "Each output is the sum over its window (padding cells count 0) divided by the divisor.",
     ops=("avg_pool",), formula="y[n, c, *p] = sum_t xpad[n, c, *(p*s + t)] / divisor[*p]",
     sources=(S.TORCH_POOL, S.ONNX_POOL), see_also=("pool.avg-divisor",))
rule("pool.avg-divisor", "The average divisor",
     """The divisor is the number of window cells inside the padded input if
     count_include_pad, else inside the input itself. Cells of the ceil_mode overhang past the
     padded input never count.""",
     ops=("avg_pool",),
     examples=(Example("x = [0, 1, 2, 3, 4], k=2, s=2, p=(0, 1)", "y = [0.5, 2.5, 4.0]",
                       "last window [4, pad]: divisor 1 without count_include_pad, 2 with"),),
     sources=(S.TORCH_POOL, S.ONNX_POOL))
rule("pool.channelwise", "Pooling acts on each channel on its own",
     """Pooling never mixes channels: output channel c depends only on input channel c, so a
     permutation of channels commutes with pooling.""",
     ops=("max_pool", "avg_pool"), sources=(S.SEED_INTUITION, S.TORCH_POOL))
rule("pool.global", "Global pooling",
     """Global max/average pooling reduces every spatial axis to size 1: the maximum or mean
     over all positions of each channel; shape (N, C, 1, ..., 1).""",
     ops=("max_pool", "avg_pool"), sources=(S.TORCH_POOL,))
