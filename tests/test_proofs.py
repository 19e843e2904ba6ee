"""Proofs with SymPy, the paper's worked numbers, and independent oracles from PyTorch.

A SymPy identity over integer symbols holds for every value of them; where a floor or a
ceiling blocks simplification, a case analysis over residues (i = s*q + r, q >= 0 a symbol,
r = 0 .. s-1 or 1 .. s) covers every i for that s.  Each test cites the rule it proves.
The registry checks (cnnspec/rules/arith_checks.py, count_checks.py, formula_checks.py)
state the same facts for `cnnspec explain` readers and draw beyond these sweeps.
"""

from __future__ import annotations

import itertools

import pytest
import sympy
from helpers import cites
from hypothesis import given, settings
from hypothesis import strategies as st

from cnnspec import formulas as F

POS = dict(integer=True, positive=True)
NONNEG = dict(integer=True, nonnegative=True)
i, k, s, d, i_ = (sympy.Symbol(n, **POS) for n in ("i", "k", "s", "d", "i'"))
p, n, a, q = (sympy.Symbol(n, **NONNEG) for n in ("p", "n", "a", "q"))
pb, pa = sympy.Symbol("p_b", **NONNEG), sympy.Symbol("p_a", **NONNEG)


def is_identity(expr) -> bool:
    return sympy.simplify(expr) == 0


# ------------------------------------------------------------------ Dumoulin & Visin
# The 15 relationships are written once (cnnspec/rules/_relationships.py) and proved by the
# arith checks (`cnnspec prove 'arith.*'`, run by tests/test_prove.py); the paper's figures
# are the arith rules' formula examples.  What follows goes beyond them.


@cites("arith.half-padding", "arith.transposed-half-padding", "pad.same")
def test_half_padding_is_same_padding_for_an_odd_kernel():
    assert F.same_padding(i, 2 * n + 1) == (n, n)
    assert F.torch_same_padding(2 * n + 1) == (n, n)
    assert is_identity(F.conv_transpose_out_size(i, 2 * n + 1, padding=n) - i)


# ------------------------------------------------------------------ 'same' padding: ceil(i/s)


@cites("pad.same")
@pytest.mark.parametrize("stride", range(1, 9))
def test_same_padding_gives_ceil_i_over_s_by_residues(stride):
    """i = s*q + r, r = 1 .. s, q >= 0: every i >= 1 exactly once; ceil(i/s) = q + 1."""
    for r, kk, dd, mode in itertools.product(range(1, stride + 1), range(1, 8), range(1, 5),
                                             ("upper", "lower")):
        size = stride * q + r
        assert sympy.ceiling(size / stride) == q + 1
        before, after = F.same_padding(size, kk, stride=stride, dilation=dd, mode=mode)
        assert not (before.free_symbols | after.free_symbols), "the padding depends only on r"
        o = F.conv_out_size(size, kk, stride=stride, padding=(before, after), dilation=dd)
        assert is_identity(o - (q + 1)), (stride, r, kk, dd, mode, o)
        room = size + before + after - F.effective_kernel(kk, dd)
        assert room.is_nonnegative, "the kernel fits for every q"


# ------------------------------------------------------------------ transposed inverts conv


@cites("arith.transposed-strided-remainder", "conv-transpose.out-size")
@pytest.mark.parametrize("stride", range(1, 9))
def test_transposed_size_inverts_conv_size_by_residues(stride):
    """Every valid (i, k, d, p_b, p_a) has i + p_b + p_a - k^ = s*q + a with q >= 0 and
    0 <= a < s; with a as output_padding the transpose returns i."""
    for a_ in range(stride):
        size = stride * q + a_ + d * (k - 1) + 1 - pb - pa
        o = F.conv_out_size(size, k, stride=stride, padding=(pb, pa), dilation=d)
        assert is_identity(o - (q + 1))
        assert sympy.Mod(size + pb + pa - F.effective_kernel(k, d), stride) == a_
        back = F.conv_transpose_out_size(o, k, stride=stride, padding=(pb, pa), output_padding=a_,
                                         dilation=d)
        assert is_identity(back - size)


@cites("arith.transposed-strided-remainder", "conv-transpose.out-size")
def test_transposed_size_inverts_conv_size_for_a_symbolic_stride():
    o = F.conv_out_size(i, k, stride=s, padding=(pb, pa), dilation=d)
    rem = sympy.Mod(i + pb + pa - F.effective_kernel(k, d), s)  # = N - s*floor(N/s)
    back = F.conv_transpose_out_size(o, k, stride=s, padding=(pb, pa), output_padding=rem,
                                     dilation=d)
    assert is_identity((back - i).rewrite(sympy.floor))


# ------------------------------------------------------------------ parameters, MACs


@cites("params.conv")
def test_grouped_conv_params_are_g_independent_convs():
    c_a, c_b, g, kh, kw = (sympy.Symbol(x, **POS) for x in ("a", "b", "g", "k_h", "k_w"))
    for bias in (True, False):
        grouped = F.conv_params(g * c_a, g * c_b, (kh, kw), groups=g, bias=bias)
        assert sympy.expand(grouped - g * F.conv_params(c_a, c_b, (kh, kw), bias=bias)) == 0
    # depthwise (groups = C_in = C_out = C): C*k_h*k_w weights + C biases
    c = sympy.Symbol("C", **POS)
    assert sympy.expand(F.conv_params(c, c, (kh, kw), groups=c) - (c * kh * kw + c)) == 0


@cites("params.separable")
def test_separable_params_expand_to_depthwise_plus_pointwise():
    c, o, m, kh, kw = (sympy.Symbol(x, **POS) for x in ("C_in", "C_out", "m", "k_h", "k_w"))
    sep = F.depthwise_separable_params(c, o, (kh, kw), depth_multiplier=m)
    assert sympy.expand(sep - (c * m * kh * kw + c * m + c * m * o + o)) == 0
    # MobileNets (Howard et al. 2017, section 3.1): the cost ratio 1/C_out + 1/k^2
    ratio = (F.depthwise_separable_params(c, o, (kh, kw), bias=False)
             / F.conv_params(c, o, (kh, kw), bias=False))
    assert is_identity(ratio - (1 / o + 1 / (kh * kw)))
    # MobileNet v1, 32 -> 64 channels, 3x3, no bias: 288 + 2048 = 2336 vs 18432 (1/64 + 1/9)
    assert F.depthwise_separable_params(32, 64, (3, 3), bias=False) == 2336
    assert sympy.Rational(2336, F.conv_params(32, 64, (3, 3), bias=False)) \
        == sympy.Rational(1, 64) + sympy.Rational(1, 9)


@cites("params.mlp-vs-conv", "params.dense", "params.conv")
def test_conv_params_do_not_grow_with_the_image_but_dense_params_do():
    c, h, w, units, filters, kk = (sympy.Symbol(x, **POS) for x in ("C", "H", "W", "n", "F", "k"))
    conv = F.conv_params(c, filters, (kk, kk))
    dense = F.dense_params(h * w * c, units)
    assert sympy.diff(conv, h) == 0 and sympy.diff(conv, w) == 0
    assert sympy.expand(sympy.diff(dense, h) - w * c * units) == 0
    # seed 001: 1000x1000 -> 300 units: 3*10^8 weights; 6 filters 5x5x3: 456 for any size
    assert F.dense_params(1000 * 1000, 300, bias=False) == 300_000_000
    assert conv.subs({c: 3, filters: 6, kk: 5}) == 456
    # seed 001's '128 * 128 ... about 3 million' is 4,915,200 (errata E3)
    assert F.dense_params(128 * 128, 300, bias=False) == 4_915_200


@cites("params.dense", "macs.dense")
def test_a_dense_layer_is_a_conv_whose_kernel_is_the_whole_input():
    c, h, w, units = (sympy.Symbol(x, **POS) for x in ("C", "H", "W", "n"))
    assert sympy.expand(F.dense_params(c * h * w, units) - F.conv_params(c, units, (h, w))) == 0
    assert sympy.expand(F.dense_macs(c * h * w, units) - F.conv_macs(c, units, (h, w), (1, 1))) == 0
    assert F.conv_out_shape((h, w), (h, w)) == (1, 1)


@cites("macs.conv-transpose", "macs.conv")
def test_transposed_conv_macs_equal_those_of_the_conv_it_transposes():
    c_a, c_b, g, batch, kh, kw, ih, iw = (sympy.Symbol(x, **POS) for x in
                                          ("a", "b", "g", "N", "k_h", "k_w", "I_h", "I_w"))
    t = F.conv_transpose_macs(g * c_a, g * c_b, (kh, kw), (ih, iw), groups=g, batch=batch)
    assert sympy.expand(t - F.conv_macs(g * c_b, g * c_a, (kh, kw), (ih, iw), groups=g,
                                        batch=batch)) == 0


@cites("macs.conv")
def test_macs_are_outputs_times_the_window():
    c_in, c_out, g, batch, kh, kw = (sympy.Symbol(x, **POS) for x in
                                     ("a", "b", "g", "N", "k_h", "k_w"))
    ih, iw = sympy.Symbol("H", **POS), sympy.Symbol("W", **POS)
    out = F.conv_out_shape((ih, iw), (kh, kw), padding=1)
    outputs = batch * g * c_out * out[0] * out[1]
    window = c_in * kh * kw  # (C_in/groups) * prod(K)
    assert sympy.expand(F.conv_macs(g * c_in, g * c_out, (kh, kw), out, groups=g, batch=batch)
                        - outputs * window) == 0


# ------------------------------------------------------------------ independent oracle: PyTorch


@cites("params.conv", "params.conv-transpose", "params.dense", "params.separable",
       "params.batch-norm")
def test_parameter_counts_match_torch():
    torch = pytest.importorskip("torch")
    nn = torch.nn

    def count(m):
        return sum(t.numel() for t in m.parameters())

    assert count(nn.Conv2d(8, 16, (3, 5), groups=4)) == F.conv_params(8, 16, (3, 5), groups=4)
    assert count(nn.Conv3d(6, 9, 2, groups=3, bias=False)) == F.conv_params(6, 9, (2, 2, 2), groups=3,
                                                                         bias=False)
    assert count(nn.ConvTranspose2d(16, 8, 4, groups=2)) == F.conv_transpose_params(16, 8, (4, 4),
                                                                                  groups=2)
    assert count(nn.Linear(300, 10)) == F.dense_params(300, 10)
    separable = nn.Sequential(nn.Conv2d(32, 64, 3, groups=32), nn.Conv2d(64, 128, 1))
    assert count(separable) == F.depthwise_separable_params(32, 128, (3, 3), depth_multiplier=2)
    bn = nn.BatchNorm2d(64)
    assert count(bn) == F.batch_norm_params(64)
    # torch also keeps num_batches_tracked (one integer): the 2C statistics are the rest
    stats = sum(b.numel() for name, b in bn.named_buffers() if name.startswith("running_"))
    assert stats == F.batch_norm_buffers(64)


def _torch_dependencies(layers, size):
    """mask[u, m]: unit u of a torch Conv1d stack (all-ones kernels) depends on input m, from
    the autograd Jacobian."""
    torch = pytest.importorskip("torch")
    convs = []
    for kk, ss, pp, dd in layers:
        conv = torch.nn.Conv1d(1, 1, kk, stride=ss, padding=pp, dilation=dd, bias=False).double()
        torch.nn.init.ones_(conv.weight)
        convs.append(conv)
    stack = torch.nn.Sequential(*convs)
    jac = torch.autograd.functional.jacobian(lambda x: stack(x)[0, 0],
                                             torch.zeros(1, 1, size, dtype=torch.float64))
    return (jac[:, 0, 0, :] != 0).numpy()  # (o, size)


def _check_fields(mask, rf, size):
    inside = [u for u in range(mask.shape[0])
              if rf.start + u * rf.jump >= 0 and rf.start + u * rf.jump + rf.size <= size]
    assert len(inside) >= 2
    for u in inside:
        deps = mask[u].nonzero()[0]
        lo = rf.start + u * rf.jump
        assert (deps.min(), deps.max()) == (lo, lo + rf.size - 1), (u, rf)  # rf.start, rf.size
    for u in range(mask.shape[0]):
        deps = mask[u].nonzero()[0]  # every unit: inside its field, clipped to the input
        lo = rf.start + u * rf.jump
        assert deps.size == 0 or (deps.min() >= lo and deps.max() <= lo + rf.size - 1)


LAYER = st.tuples(st.integers(1, 4), st.integers(1, 3), st.integers(0, 3), st.integers(1, 3))


@cites("rf.size", "rf.jump", "rf.start")
@settings(max_examples=25)
@given(layers=st.lists(LAYER, min_size=1, max_size=3))
def test_receptive_fields_match_torch_autograd(layers):
    rf = F.receptive_fields(layers)[-1]
    size = 2 * rf.size + 3 * rf.jump + 2 * sum(pp for _, _, pp, _ in layers) * rf.jump + 4
    _check_fields(_torch_dependencies(layers, size), rf, size)


@cites("rf.size", "rf.jump", "rf.start")
def test_receptive_fields_match_torch_autograd_in_2d():
    """Different kernel, stride, padding and dilation per axis: each axis its own field."""
    torch = pytest.importorskip("torch")
    rows, cols = [(3, 2, 1, 2), (3, 1, 2, 1)], [(2, 1, 0, 3), (3, 3, 1, 1)]
    convs = []
    for (kh, sh, ph, dh), (kw, sw, pw, dw) in zip(rows, cols):
        conv = torch.nn.Conv2d(1, 1, (kh, kw), stride=(sh, sw), padding=(ph, pw),
                               dilation=(dh, dw), bias=False).double()
        torch.nn.init.ones_(conv.weight)
        convs.append(conv)
    stack = torch.nn.Sequential(*convs)
    h, w = 40, 44
    jac = torch.autograd.functional.jacobian(lambda x: stack(x)[0, 0],
                                             torch.zeros(1, 1, h, w, dtype=torch.float64))
    mask = (jac[:, :, 0, 0] != 0).numpy()  # (o_h, o_w, h, w)
    rf_h, rf_w = F.receptive_fields(rows)[-1], F.receptive_fields(cols)[-1]
    _check_fields(mask.any(axis=(1, 3)), rf_h, h)  # rows: any column of output and input
    _check_fields(mask.any(axis=(0, 2)), rf_w, w)
