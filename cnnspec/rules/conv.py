"""Convolution (cross-correlation) rules."""

from .. import formulas
from . import Example, check, rule, strategies
from . import _sources as S
from ._harness import expect_close, expect_raises, invoke, refused_by_reference
from ._symbols import symbols


def _out_size():
    i, k, s, pb, pa, d = symbols("i k s p_b p_a d")
    return formulas.conv_out_size(i, k, stride=s, padding=(pb, pa), dilation=d)


def _eff():
    k, d = symbols("k d")
    return formulas.effective_kernel(k, d)


rule("conv.def", "Convolution is cross-correlation",
     """Each output element is the dot product of a kernel with the input window under it:
     the elementwise products of the window and the kernel, summed, plus the bias. The kernel
     is not flipped: what deep-learning frameworks call convolution is cross-correlation.""",
     ops=("conv",),
     formula="y[n, o, *p] = b[o] + sum_{c, *t} xpad[n, g(o)*Cg + c, *(p*s + t*d)] * w[o, c, *t]",
     examples=(Example("x = [[0, 1, 2], [10, 11, 12], [20, 21, 22]] (3x3), w = [[1, 0], [0, 2]]",
                       "y = [[22, 25], [52, 55]]",
                       "y[0,0] = 1*0 + 0*1 + 0*10 + 2*11 = 22; y[1,1] = 1*11 + 2*22 = 55"),),
     sources=(S.SEED_CNN, S.SEED_DS, S.SEED_HYLEE, S.TORCH_CONV, S.ONNX_CONV))
rule("conv.convolve", "True convolution flips the kernel",
     """Mathematical convolution equals cross-correlation with the kernel flipped along every
     spatial axis. Only true convolution is commutative; cross-correlation is not.""",
     ops=("conv",), formula="convolve(x, w) = conv(x, flip(w, spatial axes))",
     examples=(Example("x = [1, 2, 3], w = [1, 10]", "conv: [21, 32]; convolve: [12, 23]",
                       "conv: 1*1 + 10*2 = 21; convolve uses [10, 1]: 10*1 + 1*2 = 12"),),
     sources=(S.SEED_CNN, S.DUMOULIN))
rule("conv.out-size", "Output size: the floor formula",
     """Along each axis the output has floor((i + p_before + p_after - d*(k-1) - 1) / s) + 1
     elements: the number of positions, s apart, at which the dilated kernel fits inside the
     padded input.""",
     ops=("conv",), symbolic=_out_size,
     formula="o = floor((i + p_before + p_after - d*(k-1) - 1) / s) + 1",
     preconditions=("d*(k-1) + 1 <= i + p_before + p_after",),
     examples=(Example("i=7, k=3, s=2, p=(1, 1), d=1", "o = 4", "floor((7 + 2 - 2 - 1)/2) + 1 = 3 + 1"),
               Example("i=32, k=5, s=1, p=0", "o = 28", "32 - 5 + 1 (cs231n, seed 001)")),
     sources=(S.SEED_INTUITION, S.DUMOULIN, S.TORCH_CONV, S.ONNX_CONV), see_also=("conv.kernel-fits",))
rule("conv.kernel-fits", "The dilated kernel fits the padded input",
     """A convolution is defined only when the dilated kernel, d*(k-1) + 1 cells, fits inside the
     padded input on every axis; otherwise there is no output position and the call is invalid
     (never an empty result).""",
     ops=("conv",), preconditions=("d*(k-1) + 1 <= i + p_before + p_after",),
     examples=(Example("i=3, k=5, p=(1, 1)", "valid: 5 <= 3 + 2, o = 1"),
               Example("i=3, k=6, p=(1, 1)", "invalid: 6 > 5")),
     sources=(S.DUMOULIN, S.TORCH_CONV))
rule("conv.dilation", "Dilation spaces the kernel taps",
     """With dilation d the kernel taps are d cells apart, so a kernel of size k spans
     d*(k-1) + 1 cells; this equals a convolution with the kernel zero-stuffed by d-1 zeros
     between taps.""",
     ops=("conv", "conv_transpose", "max_pool"), symbolic=_eff, formula="k_eff = d*(k-1) + 1",
     examples=(Example("k=3, d=2", "k_eff = 5", "taps at 0, 2, 4"),),
     sources=(S.DUMOULIN, S.TORCH_CONV))
rule("conv.channels", "Kernel depth equals input channels (the volume rule)",
     """Each filter spans all input channels of its group: w has shape (C_out, C_in/groups,
     *K), so the kernel depth is C_in/groups and the number of output channels is the number
     of filters.""",
     ops=("conv",), preconditions=("w.shape[1] * groups == C_in",),
     examples=(Example("x 20 x 26 x 26, 30 filters of 20 x 5 x 5", "y 30 x 22 x 22",
                       "kernel depth 20 = input channels; 30 filters give 30 channels (seed 000)"),),
     sources=(S.SEED_ML4A, S.SEED_INTUITION, S.TORCH_CONV))
rule("conv.groups", "Groups split the channels into independent convolutions",
     """With g groups, input and output channels are split into g consecutive blocks; output
     block j sees only input block j. groups must divide both C_in and C_out. groups = C_in
     is a depthwise convolution.""",
     ops=("conv",), preconditions=("C_in % groups == 0", "C_out % groups == 0", "groups >= 1"),
     examples=(Example("C_in = 4, C_out = 6, groups = 2", "outputs 0-2 read inputs 0-1, 3-5 read 2-3"),),
     sources=(S.TORCH_CONV, S.ONNX_CONV))
rule("conv.bias", "One bias per output channel",
     "The bias b has shape (C_out,) and b[o] is added to every element of output channel o.",
     ops=("conv",), preconditions=("b.shape == (C_out,)",), sources=(S.SEED_INTUITION, S.TORCH_CONV))


# ---------------------------------------------------------------- checks

def _conv_args(cfg):
    return (cfg.x, cfg.w, cfg.b)


def _conv_reference(cfg):
    """ref.conv of the case, and the sum of |x||w| + |b| per output with its term count."""
    import numpy as np

    from .. import ref

    y = ref.conv(cfg.x, cfg.w, cfg.b, **cfg.kwargs)
    b = None if cfg.b is None else np.abs(cfg.b)
    abs_sum = ref.conv(np.abs(cfg.x), np.abs(cfg.w), b, **cfg.kwargs)
    terms = int(np.prod(cfg.w.shape[1:])) + (cfg.b is not None)
    return y, abs_sum, terms


@check("conv.def", ops="conv", cases=lambda: strategies().conv_configs())
def check_matches_the_reference(target, cfg):
    """Every output element equals b[o] + the window's dot product with the kernel."""
    y = invoke(target, "conv", *_conv_args(cfg), rule="conv.def", call=cfg.call(), **cfg.kwargs)
    expected, abs_sum, terms = _conv_reference(cfg)
    expect_close(target, y, expected, rule="conv.def", call=cfg.call(), abs_sum=abs_sum,
                 terms=terms, integer_valued=cfg.integer_valued)


@check("conv.def", ops="conv", cases=lambda: strategies().conv_configs(integer_valued=False))
def check_real_valued_data_within_the_bound(target, cfg):
    y = invoke(target, "conv", *_conv_args(cfg), rule="conv.def", call=cfg.call(), **cfg.kwargs)
    expected, abs_sum, terms = _conv_reference(cfg)
    expect_close(target, y, expected, rule="conv.def", call=cfg.call(), abs_sum=abs_sum,
                 terms=terms, integer_valued=False)


@check("conv.out-size", ops="conv", cases=lambda: strategies().conv_configs())
def check_output_shape(target, cfg):
    from ..asserts import assert_shape

    y = invoke(target, "conv", *_conv_args(cfg), rule="conv.out-size", call=cfg.call(),
               **cfg.kwargs)
    spatial = formulas.conv_out_shape(cfg.x.shape[2:], cfg.kernel, stride=cfg.stride,
                                      padding=cfg.padding, dilation=cfg.dilation)
    assert_shape(y.shape, (cfg.x.shape[0], cfg.w.shape[0], *spatial), rule="conv.out-size",
                 call=cfg.call())


def _refusal_check(rule_id: str, edge: str, why: str):
    """A negative check of conv: boundary configurations the reference refuses for rule_id."""

    @check(rule_id, ops="conv", kind="negative",
           cases=lambda: strategies().boundary_conv_configs(edges=(edge,)))
    def check_refuses(target, cfg):
        from hypothesis import assume

        from .. import ref

        assume(refused_by_reference(lambda: ref.conv(*_conv_args(cfg), **cfg.kwargs), rule_id))
        expect_raises(target, "conv", *_conv_args(cfg), rule=rule_id, why=why, call=cfg.call(),
                      **cfg.kwargs)


_refusal_check("conv.kernel-fits", "kernel-fits", "the dilated kernel is larger than the padded input")
_refusal_check("conv.groups", "groups", "groups does not divide the channel counts")
_refusal_check("conv.channels", "channels", "w.shape[1] * groups != C_in")
_refusal_check("conv.bias", "bias", "b.shape != (C_out,)")
