"""Checks of the parameter-count rules (rules/count.py, params.*).  Checks of the spec itself
(``ops=()``), run once, on the reference: the count equals the number of values in the
arrays the reference ops accept for that layer, and SymPy identities (a grouped conv is g
independent convs; a separable conv is a depthwise plus a pointwise one; a dense layer is a
conv whose kernel is the whole input; a conv's count has no term in the image size, a dense
layer's has).  The other counts (multiply-accumulates, FLOPs, receptive fields, transposed
overlap) are checked in rules/macs_rf_checks.py.
"""

from __future__ import annotations

import inspect
from typing import Any

import numpy as np

from .. import formulas
from . import check
from ._evidence import call_text, composite, expect_equal, expect_refusal, expect_zero, int_symbols, once

# ---------------------------------------------------------------- parameters


def _layers(draw: Any, st: Any) -> dict:
    """groups g, channels per group (a in, b out), a kernel of rank 1-3, bias or not."""
    rank = draw(st.integers(1, 3))
    return dict(g=draw(st.integers(1, 4)), a=draw(st.integers(1, 4)), b=draw(st.integers(1, 4)),
                kernel=tuple(draw(st.integers(1, 4)) for _ in range(rank)),
                bias=draw(st.booleans()))


def _indivisible(draw: Any, st: Any) -> dict:
    g = draw(st.integers(2, 8))
    return dict(g=g, c_in=g * draw(st.integers(1, 4)) + draw(st.integers(1, g - 1)),
                c_out=g * draw(st.integers(1, 4)))


def _contract_count(op: str, c: dict) -> tuple[int, str]:
    """Values in the (w, b) that the reference op accepts for the layer, and the call."""
    from .. import ref

    g, a, b, kernel = c["g"], c["a"], c["b"], c["kernel"]
    c_in, c_out = g * a, g * b
    w_shape = (c_out, a, *kernel) if op == "conv" else (c_in, b, *kernel)
    w, bias = np.ones(w_shape), (np.ones(c_out) if c["bias"] else None)
    getattr(ref, op)(np.ones((1, c_in, *kernel)), w, bias, groups=g)  # the contract's shapes
    return w.size + (0 if bias is None else bias.size), f"{op}(w: {w_shape}, b: " \
        f"{None if bias is None else (c_out,)}, groups={g})"


def _count_checks(rule: str, op: str, fn: str, family: str) -> None:
    @check(rule, ops=(), cases=composite(_layers))
    def check_counts_the_weights_the_reference_takes(target, c):
        count, call = _contract_count(op, c)
        got = getattr(formulas, fn)(c["g"] * c["a"], c["g"] * c["b"], c["kernel"], groups=c["g"],
                                    bias=c["bias"])
        expect_equal(f"{fn}(...)", got, count, rule=rule, call=call,
                     detail="  the number of values in w and b")

    @check(rule, ops=(), kind="negative", cases=composite(_indivisible))
    def check_groups_must_divide_the_channels(target, c):
        args = (c["c_in"], c["c_out"], (3, 3))
        expect_refusal(lambda: getattr(formulas, fn)(*args, groups=c["g"]),
                       raises=f"{family}.groups", rule=rule,
                       call=call_text(fn, *args, groups=c["g"]), why="groups does not divide C_in")


_count_checks("params.conv", "conv", "conv_params", "conv")
_count_checks("params.conv-transpose", "conv_transpose", "conv_transpose_params", "conv-transpose")


@check("params.conv", ops=(), cases=once, max_examples=1)
def check_proof_groups_are_independent_convolutions(target, _):
    a, b, g, kh, kw = int_symbols("a b g k_h k_w")
    for bias in (True, False):
        grouped = formulas.conv_params(g * a, g * b, (kh, kw), groups=g, bias=bias)
        expect_zero("conv_params(g*a, g*b, groups=g) - g*conv_params(a, b)",
                    grouped - g * formulas.conv_params(a, b, (kh, kw), bias=bias),
                    rule="params.conv", call=f"bias={bias}")


@check("params.dense", ops=(), cases=composite(lambda draw, st: dict(
    n_in=draw(st.integers(1, 64)), n_out=draw(st.integers(1, 64)), bias=draw(st.booleans()))))
def check_counts_the_matrix(target, c):
    n_in, n_out, bias = c["n_in"], c["n_out"], c["bias"]
    weights, b = np.ones((n_out, n_in)), (np.ones(n_out) if bias else np.zeros(0))  # y = W x + b
    expect_equal("dense_params(n_in, n_out)", formulas.dense_params(n_in, n_out, bias=bias),
                 weights.size + b.size, rule="params.dense",
                 call=call_text("dense_params", n_in, n_out, bias=bias))


@check("params.dense", ops=(), cases=composite(lambda draw, st: dict(
    c=draw(st.integers(1, 3)), h=draw(st.integers(1, 5)), w=draw(st.integers(1, 5)),
    n=draw(st.integers(1, 4)), seed=draw(st.integers(0, 2**16)))))
def check_a_dense_layer_is_a_whole_input_convolution(target, c):
    """dense(x.ravel()) = conv(x, kernel = the whole input): same values, same count."""
    from .. import ref
    from ..asserts import assert_exact

    rng = np.random.default_rng(c["seed"])
    x = rng.integers(-3, 4, (1, c["c"], c["h"], c["w"])).astype(float)  # (1, C, H, W)
    w = rng.integers(-3, 4, (c["n"], c["c"], c["h"], c["w"])).astype(float)  # (n, C, H, W)
    dense = w.reshape(c["n"], -1) @ x.ravel()  # (n,)
    assert_exact(ref.conv(x, w).reshape(-1), dense, rule="params.dense", name="conv(x, w)",
                 call="a conv whose kernel is the whole input, against W @ x.ravel()")
    ch, h, wd, n = int_symbols("C H W n")
    expect_zero("dense_params(C*H*W, n) - conv_params(C, n, (H, W))",
                formulas.dense_params(ch * h * wd, n) - formulas.conv_params(ch, n, (h, wd)),
                rule="params.dense")


MLP = "params.mlp-vs-conv"


@check(MLP, ops=(), cases=once, max_examples=1)
def check_proof_only_the_dense_count_grows_with_the_image(target, _):
    import sympy

    c, h, w, n, f, kh, kw = int_symbols("C H W n F k_h k_w")
    conv = formulas.conv_params(c, f, (kh, kw))
    dense = formulas.dense_params(h * w * c, n)
    for size in (h, w):
        expect_zero(f"d conv_params / d{size}", sympy.diff(conv, size), rule=MLP)
    expect_zero("d dense_params / dH - W*C*n", sympy.diff(dense, h) - w * c * n, rule=MLP)
    expect_equal("(d dense_params / dH) != 0", sympy.diff(dense, h) != 0, True, rule=MLP)


@check(MLP, ops=(), cases=composite(lambda draw, st: dict(
    c=draw(st.integers(1, 3)), h=draw(st.integers(3, 8)), w=draw(st.integers(3, 8)),
    f=draw(st.integers(1, 4)), k=draw(st.integers(1, 3)), n=draw(st.integers(1, 300)))))
def check_one_filter_bank_serves_every_image_size(target, c):
    """The same (w, b) runs on an H x W and a 2H x 2W image: one count; the dense layer's
    count for the bigger image is larger by 3*H*W*C*n."""
    from .. import ref

    ch, h, wd, f, k, n = c["c"], c["h"], c["w"], c["f"], c["k"], c["n"]
    w, b = np.ones((f, ch, k, k)), np.ones(f)
    for side in (1, 2):
        ref.conv(np.ones((1, ch, side * h, side * wd)), w, b)  # accepted at both sizes
    expect_equal("conv_params(C, F, (k, k))", formulas.conv_params(ch, f, (k, k)),
                 w.size + b.size, rule=MLP, call=f"conv on {h}x{wd} and {2 * h}x{2 * wd}")
    grow = formulas.dense_params(4 * h * wd * ch, n) - formulas.dense_params(h * wd * ch, n)
    expect_equal("dense_params(4HWC, n) - dense_params(HWC, n)", grow, 3 * h * wd * ch * n,
                 rule=MLP, call=f"dense on {h}x{wd}x{ch} and {2 * h}x{2 * wd}x{ch} -> {n}")


SEP = "params.separable"


@check(SEP, ops=(), cases=composite(lambda draw, st: dict(
    c=draw(st.integers(1, 4)), o=draw(st.integers(1, 4)), m=draw(st.integers(1, 3)),
    kernel=(draw(st.integers(1, 4)), draw(st.integers(1, 4))), bias=draw(st.booleans()))))
def check_counts_the_two_layers_weights(target, c):
    from .. import ref

    ch, o, m, kernel, bias = c["c"], c["o"], c["m"], c["kernel"], c["bias"]
    dw, pw = np.ones((ch * m, 1, *kernel)), np.ones((o, ch * m, 1, 1))
    b1, b2 = (np.ones(ch * m), np.ones(o)) if bias else (None, None)
    y = ref.conv(np.ones((1, ch, *kernel)), dw, b1, groups=ch)  # depthwise
    ref.conv(y, pw, b2)  # pointwise
    count = dw.size + pw.size + (ch * m + o if bias else 0)
    expect_equal("depthwise_separable_params(...)",
                 formulas.depthwise_separable_params(ch, o, kernel, depth_multiplier=m, bias=bias),
                 count, rule=SEP, detail="  the values of the two layers' w and b",
                 call=call_text("depthwise_separable_params", ch, o, kernel, depth_multiplier=m,
                                bias=bias))


@check(SEP, ops=(), cases=once, max_examples=1)
def check_proof_depthwise_plus_pointwise(target, _):
    c, o, m, kh, kw = int_symbols("C_in C_out m k_h k_w")
    sep = formulas.depthwise_separable_params(c, o, (kh, kw), depth_multiplier=m)
    expect_zero("separable - (C m k_h k_w + C m + C m C_out + C_out)",
                sep - (c * m * kh * kw + c * m + c * m * o + o), rule=SEP)
    ratio = (formulas.depthwise_separable_params(c, o, (kh, kw), bias=False)
             / formulas.conv_params(c, o, (kh, kw), bias=False))
    expect_zero("separable / standard - (1/C_out + 1/(k_h k_w))", ratio - (1 / o + 1 / (kh * kw)),
                rule=SEP, call="bias=False, m=1 (MobileNets, section 3.1)")


@check(SEP, ops=(), kind="negative", cases=composite(lambda draw, st: dict(
    c=draw(st.integers(1, 64)), o=draw(st.integers(1, 64)))))
def check_zero_depth_multiplier_is_refused(target, c):
    expect_refusal(lambda: formulas.depthwise_separable_params(c["c"], c["o"], 3,
                                                               depth_multiplier=0),
                   raises="config.nonempty", rule=SEP, why="depth_multiplier = 0 < 1",
                   call=call_text("depthwise_separable_params", c["c"], c["o"], 3,
                                  depth_multiplier=0))


@check("params.pool", ops=(), cases=once, max_examples=1)
def check_pooling_takes_no_weights(target, _):
    from .. import ref

    expect_equal("pool_params()", formulas.pool_params(), 0, rule="params.pool")
    for op in (ref.max_pool, ref.avg_pool):
        arrays = [p.name for p in inspect.signature(op).parameters.values()
                  if p.kind is not inspect.Parameter.KEYWORD_ONLY]
        expect_equal(f"the arrays {op.__name__} takes", arrays, ["x"], rule="params.pool",
                     call=f"{op.__name__}{inspect.signature(op)}")


@check("params.batch-norm", ops=(), cases=composite(lambda draw, st: dict(
    c=draw(st.integers(1, 64)), rank=draw(st.integers(1, 3)))))
def check_counts_the_per_channel_vectors(target, c):
    """Normalizing an (N, C, *S) batch takes a scale, shift, mean and variance per channel:
    vectors that broadcast as (1, C, 1, ...), i.e. C values each."""
    ch, rank = c["c"], c["rank"]
    x = np.ones((2, ch) + (3,) * rank)  # (N, C, *S)
    scale, shift, mean, var = (np.ones(ch) for _ in range(4))
    per_channel = (1, ch) + (1,) * rank
    y = (x - mean.reshape(per_channel)) / np.sqrt(var.reshape(per_channel) + 1e-5) \
        * scale.reshape(per_channel) + shift.reshape(per_channel)
    expect_equal("y.shape", y.shape, x.shape, rule="params.batch-norm")
    expect_equal("batch_norm_params(C)", formulas.batch_norm_params(ch), scale.size + shift.size,
                 rule="params.batch-norm", call=call_text("batch_norm_params", ch))
    expect_equal("batch_norm_buffers(C)", formulas.batch_norm_buffers(ch), mean.size + var.size,
                 rule="params.batch-norm", call=call_text("batch_norm_buffers", ch))
    expect_equal("batch_norm_params(C, affine=False)", formulas.batch_norm_params(ch, affine=False),
                 0, rule="params.batch-norm")
