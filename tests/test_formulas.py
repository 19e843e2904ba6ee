"""formulas.py against brute-force counting, hand-checked published numbers and SymPy.

The brute-force side (cnnspec/rules/_counting.py) never calls the formula it checks: it
enumerates windows and taps.
"""

from __future__ import annotations

import ast
import itertools
from pathlib import Path

import numpy as np
import pytest
import sympy
from helpers import cites
from hypothesis import given
from hypothesis import strategies as st

from cnnspec import formulas
from cnnspec.errors import InvalidConfig
from cnnspec.rules._counting import pool_windows

H = sympy.Symbol("H", integer=True, positive=True)

# ------------------------------------------------------------------ integer arithmetic only


def test_formulas_use_no_float_division():
    """No '/' operator anywhere in the formulas package: sizes are integer arithmetic (`//`)."""
    files = sorted(Path(formulas.__file__).parent.glob("*.py"))
    assert len(files) >= 4  # __init__, _common, sizes, counts, fields
    divs = [f"{f.name}:{n.lineno}" for f in files for n in ast.walk(ast.parse(f.read_text()))
            if isinstance(n, ast.BinOp) and isinstance(n.op, ast.Div)]
    assert divs == [], f"float division at {divs} of cnnspec/formulas/"


def test_the_package_docstring_examples_hold():
    """The doctest of cnnspec/formulas/__init__.py (an int, and the SymPy expression)."""
    import doctest

    result = doctest.testmod(formulas, verbose=False)
    assert result.attempted >= 3 and result.failed == 0


# ------------------------------------------------------------------ the integer path's refusals

# The window counts themselves (conv, pool floor and ceil, transposed, 'same', 'full') are
# checked against brute force on a larger domain in tests/test_exhaustive.py (and the
# transpose's inversion of conv, with the remainder as output_padding, proved in
# tests/test_proofs.py); here, on every configuration of a smaller domain, what only the
# integer path does: pool.window-has-input, naming the first window of padding only.
DOMAIN = [(i, k, s, pb, pa, d) for i in range(1, 25) for k in range(1, 6) for s in range(1, 5)
          for pb in range(0, 4) for pa in range(0, 4) for d in range(1, 4)]


@cites("pool.out-size", "pool.ceil-mode", "pool.window-has-input")
def test_pool_out_size_refuses_exactly_the_windows_of_padding_only():
    for (i, k, s, pb, pa, d), ceil in itertools.product(DOMAIN, (False, True)):
        n, first_empty = pool_windows(i, k, s, pb, pa, d, ceil)  # the brute-force counter
        if n is None:  # the kernel does not fit: pool.kernel-fits, in test_exhaustive.py
            continue
        call = dict(stride=s, padding=(pb, pa), dilation=d, ceil_mode=ceil)
        assert formulas.pool_window_has_input(i, k, **call) == first_empty, (i, k, s, pb, pa, d, ceil)
        if first_empty is not None:
            with pytest.raises(InvalidConfig, match=r"\[pool\.window-has-input\]"):
                formulas.pool_out_size(i, k, **call)
        else:
            assert formulas.pool_out_size(i, k, **call) == n, (i, k, s, pb, pa, d, ceil)


@cites("pool.ceil-mode")
def test_ceil_mode_drops_a_window_starting_in_the_right_padding():
    # i=5, k=2, s=2, p=(1, 1): padded length 7; ceil((7-2)/2)+1 = 4 windows would start at
    # 0, 2, 4, 6; the one at 6 starts in the right padding (input is [1, 6)) and is dropped.
    assert formulas.pool_out_size(5, 2, stride=2, padding=1, ceil_mode=True) == 3
    # i=6 instead: padded length 8, starts 0, 2, 4, 6; 6 < 1+6 is on the input: kept.
    assert formulas.pool_out_size(6, 2, stride=2, padding=1, ceil_mode=True) == 4


@cites("pad.same")
def test_torch_same_padding_matches_same_upper_at_stride_1():
    for i, k, d in itertools.product(range(1, 20), range(1, 8), range(1, 4)):
        assert formulas.torch_same_padding(k, dilation=d) == formulas.same_padding(i, k, dilation=d)


# ------------------------------------------------------------------ ints and SymPy alike


@cites("conv.out-size", "pool.out-size", "conv-transpose.out-size")
@given(k=st.integers(1, 5), s=st.integers(1, 4), pb=st.integers(0, 3), pa=st.integers(0, 3),
       d=st.integers(1, 3), ceil=st.booleans())
def test_symbolic_formulas_agree_with_integer_ones(k, s, pb, pa, d, ceil):
    eff = d * (k - 1) + 1
    conv = formulas.conv_out_size(H, k, stride=s, padding=(pb, pa), dilation=d)
    pool = formulas.pool_out_size(H, k, stride=s, padding=(pb, pa), dilation=d, ceil_mode=ceil)
    tconv = formulas.conv_transpose_out_size(H, k, stride=s, padding=(pb, pa), dilation=d)
    assert all(isinstance(e, sympy.Basic) for e in (conv, pool, tconv))
    for h in range(max(1, eff - pb - pa), max(1, eff - pb - pa) + 12):
        assert conv.subs(H, h) == formulas.conv_out_size(h, k, stride=s, padding=(pb, pa), dilation=d)
        if formulas.pool_window_has_input(h, k, stride=s, padding=(pb, pa), dilation=d,
                                          ceil_mode=ceil) is None:
            assert pool.subs(H, h) == formulas.pool_out_size(h, k, stride=s, padding=(pb, pa),
                                                             dilation=d, ceil_mode=ceil)
        if (h - 1) * s - pb - pa + eff >= 1:
            assert tconv.subs(H, h) == formulas.conv_transpose_out_size(
                h, k, stride=s, padding=(pb, pa), dilation=d)


def test_integer_inputs_give_python_ints():
    for v in (formulas.conv_out_size(np.int64(7), 3), formulas.conv_params(3, 64, (3, 3)),
              formulas.pool_out_size(7, 2, ceil_mode=True)):
        assert type(v) is int


@cites("conv.out-size")
def test_symbolic_conv_out_size_with_unit_stride_simplifies():
    # floor((H + 2 - 3)/1) + 1 = H: the 'same' shape of a 3x3 conv with padding 1.
    assert sympy.simplify(formulas.conv_out_size(H, 3, padding=1) - H) == 0


@cites("pad.same")
def test_same_padding_symbolically_gives_ceil_over_a_residue_sweep():
    for s, k in itertools.product(range(1, 4), range(1, 5)):
        pb, pa = formulas.same_padding(H, k, stride=s)
        o = formulas.conv_out_size(H, k, stride=s, padding=(pb, pa))
        for h in range(1, 3 * s + 8):
            assert o.subs(H, h) == -(-h // s)


# ------------------------------------------------------------------ counts, hand-checked


@cites("params.conv")
def test_conv_params_published_layers():
    # VGG-16 conv1_1 (Simonyan & Zisserman 2014): 64 filters 3x3x3 + bias = (27 + 1) * 64
    assert formulas.conv_params(3, 64, (3, 3)) == 1792
    # ResNet-18/50 conv1 (He et al. 2015; torchvision, bias=False): 64 * 3 * 7 * 7 = 9408
    assert formulas.conv_params(3, 64, (7, 7), bias=False) == 9408
    # AlexNet (torchvision) features[0]: Conv2d(3, 64, 11): 64*3*121 + 64 = 23232 + 64
    assert formulas.conv_params(3, 64, (11, 11)) == 23296


@cites("params.conv")
def test_grouped_conv_params_divide_by_groups():
    # ResNeXt-50 32x4d conv2 of stage 1: Conv2d(128, 128, 3, groups=32, bias=False):
    # 128 * (128/32) * 9 = 128 * 4 * 9 = 4608
    assert formulas.conv_params(128, 128, (3, 3), groups=32, bias=False) == 4608
    # depthwise: groups = C_in = C_out = 32, 3x3: 32 * 1 * 9 + 32 = 320
    assert formulas.conv_params(32, 32, (3, 3), groups=32) == 320


@cites("params.separable")
def test_depthwise_separable_params():
    # MobileNet v1 (Howard et al. 2017) first separable block, 32 -> 64, 3x3, no bias:
    # depthwise 32*9 = 288, pointwise 32*64 = 2048: 2336
    assert formulas.depthwise_separable_params(32, 64, (3, 3), bias=False) == 2336
    # with biases on both: 288 + 32 + 2048 + 64 = 2432
    assert formulas.depthwise_separable_params(32, 64, (3, 3)) == 2432


@cites("params.conv-transpose", "params.dense", "params.pool", "params.batch-norm")
def test_other_parameter_counts():
    # ConvTranspose2d(16, 8, 4, groups=2): weight (16, 4, 4, 4) = 1024 values, + 8 bias
    assert formulas.conv_transpose_params(16, 8, (4, 4), groups=2) == 1032
    # VGG-16 fc6: 7*7*512 = 25088 inputs -> 4096: 25088*4096 + 4096 = 102764544
    assert formulas.dense_params(25088, 4096) == 102_764_544
    assert formulas.pool_params() == 0
    # BatchNorm2d(64): weight and bias 64 each; running mean/var 64 each
    assert formulas.batch_norm_params(64) == 128 and formulas.batch_norm_buffers(64) == 128
    assert formulas.batch_norm_params(64, affine=False) == 0


@cites("macs.conv", "macs.dense", "macs.conv-transpose")
def test_macs_hand_checked():
    # ResNet conv1: 112*112 outputs * 64 channels * 3*7*7 taps = 12544*64*147 = 118013952
    assert formulas.conv_macs(3, 64, (7, 7), (112, 112)) == 118_013_952
    # depthwise 3x3 on 8x128x56x56, stride 1: 8*128*3136*9 = 28901376
    assert formulas.conv_macs(128, 128, (3, 3), (56, 56), groups=128, batch=8) == 28_901_376
    assert formulas.dense_macs(25088, 4096, batch=2) == 2 * 102_760_448
    # ConvTranspose1d(2, 3, 4) on length 5: each of 2*5 inputs scatters 3*4 products = 120
    assert formulas.conv_transpose_macs(2, 3, (4,), (5,)) == 120


@cites("params.conv")
def test_parameter_counts_are_symbolic_too():
    c = sympy.Symbol("C", integer=True, positive=True)
    assert sympy.expand(formulas.conv_params(c, 2 * c, (3, 3)) - (18 * c**2 + 2 * c)) == 0


# ------------------------------------------------------------------ receptive fields


@cites("rf.size", "rf.jump", "rf.start")
def test_receptive_field_published_examples():
    # Three stacked 3x3 convs see 7x7 (Simonyan & Zisserman 2014, section 2.3).
    assert formulas.receptive_fields([(3,), (3,), (3,)])[-1].size == 7
    # 3x3 convs with dilation 1, 2, 4 see 3, 7, 15 (Yu & Koltun 2016: (2^(i+2) - 1)).
    rfs = formulas.receptive_fields([(3, 1, 1, 1), (3, 1, 2, 2), (3, 1, 4, 4)])
    assert [r.size for r in rfs] == [3, 7, 15]
    assert [r.start for r in rfs] == [-1, -3, -7]  # padded 'same': centred on unit 0
    # conv 7x7 s2 p3 then maxpool 3x3 s2 p1 (ResNet stem): 7, then 7 + 2*2 = 11; jump 4
    stem = formulas.receptive_fields([(7, 2, 3), (3, 2, 1)])
    assert (stem[-1].size, stem[-1].jump, stem[-1].start) == (11, 4, -5)


def _dependency(layers, unit=0):
    """Input indices unit `unit` of the last layer reads, by walking indices back."""
    reads = {unit}
    for k, s, p, d in reversed(layers):
        reads = {j * s + t * d - p for j in reads for t in range(k)}
    return reads


@cites("rf.size", "rf.jump", "rf.start")
@given(layers=st.lists(st.tuples(st.integers(1, 4), st.integers(1, 3), st.integers(0, 2),
                                 st.integers(1, 3)), min_size=1, max_size=4),
       unit=st.integers(0, 3))
def test_receptive_field_matches_index_walk(layers, unit):
    rf = formulas.receptive_fields(layers)[-1]
    reads = _dependency(layers, unit)
    assert min(reads) == rf.start + unit * rf.jump
    assert max(reads) - min(reads) + 1 == rf.size


def test_the_first_padding_only_window_takes_two_checks_when_taps_cannot_skip_the_input():
    import itertools
    import time

    from cnnspec.formulas import _first_padding_only_window

    def brute(i, k, s, pb, d, o):  # every window, tap by tap
        for j in range(o):
            if not any(pb <= j * s + t * d < pb + i for t in range(k)):
                return j
        return None

    for i, k, s, pb, d, o in itertools.product(range(1, 7), range(1, 5), range(1, 4),
                                               range(0, 6), range(1, 5), range(0, 9)):
        assert _first_padding_only_window(i, k, s, pb, d, o) == brute(i, k, s, pb, d, o), \
            (i, k, s, pb, d, o)
    start = time.perf_counter()
    assert _first_padding_only_window(10**9, 1, 1, 0, 1, 10**9) is None
    assert time.perf_counter() - start < 5.0  # a hang guard: two checks, not 10**9
