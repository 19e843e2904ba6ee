"""cnnspec.inverse: paddings for a wanted size, kernel/stride pairs, sizes without remainder.

Expected literals are computed by hand; the properties compare with the brute-force count
of window positions (cnnspec/rules/_counting.py, independent of cnnspec.formulas).
"""

from __future__ import annotations

import pytest
import sympy
from helpers import cites, within
from hypothesis import given
from hypothesis import strategies as st
from networks import alexnet_specs, resnet_specs, vgg16_specs

from cnnspec import formulas
from cnnspec.errors import InvalidConfig
from cnnspec.inverse import KernelStride, Padding, kernel_strides, paddings, sizes_without_remainder
from cnnspec.layers import Conv, MaxPool
from cnnspec.rules._counting import windows_in

H = sympy.Symbol("H", integer=True, positive=True)


# ---------------------------------------------------------------------- paddings


@cites("pad.same", "conv.out-size")
def test_padding_for_56_from_56_with_a_3x3_kernel():
    # 56 + P - 3 + 1 = 56  <=>  P = 2: (1, 1) first (symmetric, and TF/ONNX 'same')
    assert paddings(56, 56, 3) == [Padding(1, 1, ("symmetric", "same_upper", "same_lower")),
                                   Padding(0, 2), Padding(2, 0)]


@cites("pad.same", "conv.out-size")
def test_padding_for_a_stride_2_halving_names_same_upper_and_lower():
    # floor((224 + P - 3)/2) + 1 = 112  <=>  P in {1, 2}; TF 'same': total 1, extra after
    assert paddings(224, 112, 3, stride=2) == [
        Padding(1, 1, ("symmetric",)), Padding(0, 1, ("same_upper",)),
        Padding(1, 0, ("same_lower",)), Padding(0, 2), Padding(2, 0)]


@cites("pool.ceil-mode", "pool.window-has-input")
def test_padding_for_pooling_keeps_windows_on_the_input():
    # i=5, k=2, s=2, ceil_mode: (0, 0) gives ceil(3/2) + 1 = 3; (1, 1): min(4, 3) = 3
    got = paddings(5, 3, 2, stride=2, op="pool", ceil_mode=True)
    assert [p[:2] for p in got] == [(0, 0), (1, 1), (0, 1), (1, 0)]
    # floor mode, k=2: a side of 2 would make a window of padding only; none gives 1
    assert paddings(1, 2, 2, stride=2, op="pool") == []


@cites("conv.out-size")
def test_symbolic_paddings_hold_for_every_size():
    assert [p[:2] for p in paddings(H, H, 3)] == [(1, 1), (0, 2), (2, 0)]
    # floor((H + P - 3)/2) + 1 = ceiling(H/2) for every H  <=>  P = 2 (P = 1 fails odd H)
    assert [p[:2] for p in paddings(H, sympy.ceiling(H / 2), 3, stride=2)] == \
        [(1, 1), (0, 2), (2, 0)]
    assert [p[:2] for p in paddings(H, H, 4)] == [(1, 2), (2, 1), (0, 3), (3, 0)]


@cites("conv.out-size")
@given(i=st.integers(1, 30), k=st.integers(1, 5), s=st.integers(1, 3), d=st.integers(1, 2),
       o=st.integers(1, 20))
def test_paddings_are_exactly_the_naive_solutions(i, k, s, d, o):
    got = {p[:2] for p in paddings(i, o, k, stride=s, dilation=d)}
    top = (o + 1) * s + d * (k - 1)  # beyond this total the naive count exceeds o
    want = {(pb, total - pb) for total in range(top + 1) for pb in range(total + 1)
            if windows_in(i + total, k, s, d) == o}
    assert got == want


@pytest.mark.parametrize("args, kwargs, message", [
    ((0, 5, 3), {}, r"i=0, but should be >= 1 \[config\.nonempty\]"),
    ((-1, 5, 3), {}, r"i=-1, but should be >= 1 \[config\.nonempty\]"),
    (("5", 5, 3), {}, r"i='5' \(str\), but should be an int \[config\.int\]"),
    ((5, 0, 3), {}, r"o=0, but should be >= 1 \[config\.nonempty\]"),
    ((5, 5, 0), {}, r"kernel_size=0, but should be >= 1 \[config\.kernel\]"),
    ((5, 5, 3), {"stride": 0}, r"stride=0, but should be >= 1 \[config\.stride\]"),
    ((5, 5, 3), {"dilation": 0}, r"dilation=0, but should be >= 1 \[config\.dilation\]"),
    ((5, 5, 3), {"max_total": -1}, r"max_total=-1, but should be >= 0 \[config\.padding\]"),
    ((5, 3, 2), {"op": "pool", "ceil_mode": 1}, r"ceil_mode=1, but should be a bool"),
], ids=["paddings(i=0)", "paddings(i=-1)", "paddings(i='5')", "paddings(o=0)",
        "paddings(kernel_size=0)", "paddings(stride=0)", "paddings(dilation=0)",
        "paddings(max_total=-1)", "paddings(ceil_mode=1)"])
def test_paddings_rejects_invalid_questions_instead_of_searching_forever(args, kwargs, message):
    # before: an i below 1 made every candidate invalid and the search never ended
    with within(5), pytest.raises(InvalidConfig, match=message):
        paddings(*args, **kwargs)


@cites("conv.out-size")
def test_paddings_for_a_large_output_start_at_the_first_total_that_can_give_it():
    # 10 + P - 3 + 1 = 5000  <=>  P = 4992: the splits (0, 4992) ... (4992, 0), 4993 of them;
    # the search used to try every total below 4992 with all its splits (~12 million)
    with within(10):
        got = paddings(10, 5000, 3)
    assert len(got) == 4993 and got[0] == Padding(2496, 2496, ("symmetric",))
    assert {p.before + p.after for p in got} == {4992}


# ---------------------------------------------------------------------- kernel and stride


@cites("conv.out-size")
def test_seed000_the_kernel_that_maps_32_to_26():
    # 32 - k + 1 = 26 at stride 1 gives k = 7; stride >= 2 needs 32 - k >= 25*2: impossible
    assert kernel_strides(32, 26) == [KernelStride(7, 1)]


@cites("conv.out-size")
def test_resnet_stem_kernel_strides():
    # floor((230 - k)/s) + 1 = 112: s = 2 gives 222 <= 230 - k <= 223, k in {7, 8};
    # s = 1 gives k = 119; s >= 3 needs 230 - k >= 333
    assert kernel_strides(224, 112, padding=3) == [KernelStride(7, 2), KernelStride(8, 2),
                                                   KernelStride(119, 1)]
    assert kernel_strides(224, 112, padding=3, max_kernel=11) == [KernelStride(7, 2),
                                                                  KernelStride(8, 2)]


@cites("conv.out-size")
@given(i=st.integers(1, 25), o=st.integers(1, 25), p=st.integers(0, 2))
def test_kernel_strides_are_exactly_the_naive_solutions(i, o, p):
    got = set(kernel_strides(i, o, padding=p))
    want = {(k, s) for k in range(1, i + 2 * p + 1) for s in range(1, i + 2 * p + 1)
            if windows_in(i + 2 * p, k, s) == o}
    assert got == want


@pytest.mark.parametrize("args, kwargs, message", [
    ((0, 5), {}, r"i=0, but should be >= 1 \[config\.nonempty\]"),
    ((5, 0), {}, r"o=0, but should be >= 1 \[config\.nonempty\]"),
    (("5", 3), {}, r"i='5' \(str\), but should be an int \[config\.int\]"),
    ((5, 3), {"padding": -1}, r"padding=-1, but should be >= 0 .*\[config\.padding\]"),
    ((5, 3), {"dilation": 0}, r"dilation=0, but should be >= 1 \[config\.dilation\]"),
    ((5, 3), {"max_kernel": 0}, r"max_kernel=0, but should be >= 1 \[config\.kernel\]"),
    ((5, 3), {"max_stride": 0}, r"max_stride=0, but should be >= 1 \[config\.stride\]"),
    ((H, 3), {}, r"i=H, but should be an int .*\[config\.int\]"),
], ids=["kernel_strides(i=0)", "kernel_strides(o=0)", "kernel_strides(i='5')",
        "kernel_strides(padding=-1)", "kernel_strides(dilation=0)",
        "kernel_strides(max_kernel=0)", "kernel_strides(max_stride=0)", "kernel_strides(i=H)"])
def test_kernel_strides_rejects_invalid_questions(args, kwargs, message):
    # before: [] for i=0, o=0 or a negative padding, ZeroDivisionError for dilation=0,
    # TypeError for a symbol
    with within(5), pytest.raises(InvalidConfig, match=message):
        kernel_strides(*args, **kwargs)


# ---------------------------------------------------------------------- sizes without remainder


@cites("net.remainder")
@pytest.mark.parametrize("i, k, s, p, d, dropped", [
    (225, 2, 2, 0, 1, 1),   # 112 windows cover 224 cells; cell 224 is dropped
    (224, 2, 2, 0, 1, 0),
    (7, 3, 2, 0, 1, 0),     # windows at 0, 2, 4 end at 6
    (8, 3, 2, 0, 1, 1),     # the discarded window would start at 6 = 3*2; cell 7 is unread
    (56, 1, 2, 0, 1, 0),    # a 1x1 stride-2 conv skips odd cells: gaps, not the floor
    (224, 7, 2, 3, 1, 0),   # ResNet stem: last window ends at 3 + 224 - 1 + 2 = 228
    (10, 3, 3, 0, 2, 2),    # dilated: windows at 0, 3 cover [0, 8); cells 8 and 9 unread
])
def test_floor_dropped_by_hand(i, k, s, p, d, dropped):
    o = formulas.conv_out_size(i, k, stride=s, padding=p, dilation=d)
    assert formulas.floor_dropped(i, o, k, stride=s, padding=p, dilation=d) == dropped


@cites("net.remainder")
def test_vgg16_takes_multiples_of_32():
    # five 2x2 stride-2 poolings drop a cell whenever their input is odd: 32 | H
    found = sizes_without_remainder(vgg16_specs(), (3, "H", "H"))
    assert (found.period, found.residues, found.minimum) == (32, frozenset({0}), 32)
    assert str(found) == "H mod 32 in {0}, H >= 32"
    assert sizes_without_remainder(vgg16_specs(), (3, "H", "H"), sizes=range(1, 257)) == \
        list(range(32, 257, 32))


@cites("net.remainder")
def test_alexnet_224_or_227_depends_on_the_first_padding():
    # torchvision (pad 2): floor((224 + 4 - 11)/4) + 1 = 55 windows, the last ending at
    # 54*4 + 11 = 227 >= 2 + 224: nothing dropped. Krizhevsky et al. (no padding): 227 gives
    # (227 - 11)/4 + 1 = 55 exactly; 224 gives floor(213/4) + 1 = 54 windows ending at
    # 53*4 + 11 = 223 < 224: cell 223 is dropped. The paper's "224x224" needs 227.
    tv = sizes_without_remainder(alexnet_specs(), (3, "H", "H"))
    orig = sizes_without_remainder(alexnet_specs(torchvision=False), (3, "H", "H"))
    assert 224 in tv and 227 not in tv
    assert 227 in orig and 224 not in orig
    assert tv.minimum == 63  # torchvision documents min_size 63 for AlexNet


@cites("net.remainder", "net.residual-shape")
def test_resnet18_takes_every_size():
    # every strided layer pads as 'same' (k=7/p=3, k=3/p=1 at stride 2; 1x1 stride-2 gaps)
    found = sizes_without_remainder(resnet_specs(), (3, "H", "H"))
    assert (found.period, found.residues, found.minimum) == (1, frozenset({0}), 1)


@cites("net.remainder")
@given(layers=st.lists(st.builds(lambda k, s, p: Conv(1, k, stride=s, padding=p),
                                 st.integers(1, 4), st.integers(1, 3), st.integers(0, 1))
                       | st.builds(lambda k, s, c: MaxPool(k, stride=s, ceil_mode=c),
                                   st.integers(1, 3), st.integers(1, 3), st.booleans()),
                       min_size=1, max_size=3))
def test_symbolic_sizes_without_remainder_agree_with_the_exhaustive_search(layers):
    sizes = range(1, 60)
    exhaustive = sizes_without_remainder(layers, (1, "H"), sizes=sizes)
    exact = sizes_without_remainder(layers, (1, "H"))
    assert exhaustive == [n for n in sizes if n in exact], str(exact)


@cites("net.remainder")
def test_sizes_without_remainder_rejects_a_size_that_is_not_an_int():
    # before: "8" was substituted into the symbol as text
    with pytest.raises(InvalidConfig, match=r"size='8' \(str\), but should be an int"):
        sizes_without_remainder([MaxPool(2)], (1, "H"), sizes=[2, "8"])


def test_sizes_without_remainder_needs_one_symbol():
    with pytest.raises(ValueError, match="one symbol"):
        sizes_without_remainder([Conv(1, 3)], (1, "H", "W"))
