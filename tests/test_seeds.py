"""Golden tests: every worked example of the five source documents in /work/shared/seeds/.

Each expected literal was computed BY HAND (the arithmetic sits beside it), never with
cnnspec; the test then checks cnnspec.ref / cnnspec.formulas against it.  Where a source's
own arithmetic or claim is wrong, the test keeps the claim, the correct value and the reason
(an ``Erratum``) and asserts that the library gives the correct value AND differs from the
claim; spec/errata.md lists every such erratum with the name of its test.

Seeds (cited by file name):
    000_0bd12b75b4604037.txt  Japanese notes on filters and volumes (ml4a)
    001_df455ca08c0ac178.txt  blog post "Convolution Neural Network: intuition"
    002_21a349d7ec12c161.txt  cross-correlation vs convolution, vertical line detector
    003_a2e43ff67ed3d0d6.txt  worked 3x3 kernel on a 4x4 image (datascience.SE 89461)
    004_7bfe62b65b3700b1.txt  Hung-yi Lee's CNN slides (6x6 image, Filter 1/2, Keras)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest
from helpers import cites, ones

from cnnspec import formulas, ref
from cnnspec.asserts import assert_exact, assert_shape
from cnnspec.errors import InvalidConfig

S000 = "000_0bd12b75b4604037.txt"
S001 = "001_df455ca08c0ac178.txt"
S002 = "002_21a349d7ec12c161.txt"
S003 = "003_a2e43ff67ed3d0d6.txt"
S004 = "004_7bfe62b65b3700b1.txt"


@dataclass(frozen=True)
class Erratum:
    """A source's claim, the correct value, and why they differ (listed in spec/errata.md)."""

    seed: str
    claim: Any
    correct: Any
    why: str


def assert_erratum(actual: Any, e: Erratum, *, rule: str) -> None:
    """The library gives e.correct, and e.correct is not e.claim."""
    a, c, k = np.asarray(actual), np.asarray(e.correct), np.asarray(e.claim)
    assert not (c.shape == k.shape and np.array_equal(c, k)), \
        f"erratum of {e.seed} has claim == correct={e.correct!r} [{rule}]"
    assert a.shape == c.shape and np.array_equal(a, c), \
        f"value={actual!r}, but should be {e.correct!r} (the source claims {e.claim!r}: " \
        f"{e.why}) [{rule}]  source: {e.seed}"


def img(rows: list[list[float]]) -> np.ndarray:
    """A 2-D literal as a (1, 1, H, W) batch: one image, one channel."""
    return np.asarray(rows, dtype=np.float64)[None, None]


def coverage(shape: tuple[int, ...], kernel: tuple[int, ...], pixel: tuple[int, ...],
             stride: int = 1) -> int:
    """How many conv windows read ``pixel``: conv a one-hot with an all-ones kernel, sum y."""
    x = np.zeros((1, 1, *shape))
    x[(0, 0, *pixel)] = 1.0
    return int(ref.conv(x, ones(1, 1, *kernel), stride=stride).sum())


# ============================================================================ seed 003
# K = [[1,2,3],[4,5,6],[7,8,9]] slid over I (4x4), no padding, stride 1: 2x2 output.

K003 = [[1, 2, 3],
        [4, 5, 6],
        [7, 8, 9]]
I003 = [[9, 8, 7, 6],
        [5, 4, 3, 2],
        [1, 2, 3, 4],
        [5, 6, 7, 8]]

# The source writes the top-left sum as
#   1·9 + 2·8 + 3·7 + 4·5 + 5·4 + 6·3 + 7·1 + 8·1 + 9·3 = 146,
# but the patch's bottom row is [1, 2, 3], so the 8th term is 8·2, not 8·1:
#   9 + 16 + 21 + 20 + 20 + 18 + 7 + 16 + 27 = 154   (the source's 8·1 gives 146).
E003_TOP_LEFT = Erratum(
    seed=S003, claim=146, correct=154,
    why="the 8th term is written 8·1, but the patch entry under kernel 8 is I[2][1] = 2: "
        "8·2 = 16, so the sum is 154, not 146")
E003_FEATURE_MAP = Erratum(
    seed=S003,
    claim=[[146, 157], [200, 233]],
    # top-right    patch [[8,7,6],[4,3,2],[2,3,4]]:
    #   1·8 + 2·7 + 3·6 + 4·4 + 5·3 + 6·2 + 7·2 + 8·3 + 9·4
    #   = 8 + 14 + 18 + 16 + 15 + 12 + 14 + 24 + 36 = 157   (source: 157, right)
    # bottom-left  patch [[5,4,3],[1,2,3],[5,6,7]]:
    #   1·5 + 2·4 + 3·3 + 4·1 + 5·2 + 6·3 + 7·5 + 8·6 + 9·7
    #   = 5 + 8 + 9 + 4 + 10 + 18 + 35 + 48 + 63 = 200      (source: 200, right)
    # bottom-right patch [[4,3,2],[2,3,4],[6,7,8]]:
    #   1·4 + 2·3 + 3·2 + 4·2 + 5·3 + 6·4 + 7·6 + 8·7 + 9·8
    #   = 4 + 6 + 6 + 8 + 15 + 24 + 42 + 56 + 72 = 233      (source: 233, right)
    correct=[[154, 157], [200, 233]],                       # (2, 2)
    why="only the top-left entry is wrong (the 8·1 slip); the other three are right")


@cites("conv.def")
def test_seed003_top_left_window_sum_erratum():
    y = ref.conv(img(I003), img(K003))  # (1, 1, 2, 2)
    assert_erratum(int(y[0, 0, 0, 0]), E003_TOP_LEFT, rule="conv.def")
    # The source's own term list, evaluated as written, is what produced 146:
    as_written = 1*9 + 2*8 + 3*7 + 4*5 + 5*4 + 6*3 + 7*1 + 8*1 + 9*3
    assert as_written == E003_TOP_LEFT.claim


@cites("conv.def", "conv.out-size")
def test_seed003_feature_map_erratum():
    # "no padding ... the output will be a 2 by 2 matrix": 4 - 3 + 1 = 2.
    assert formulas.conv_out_size(4, 3) == 2
    y = ref.conv(img(I003), img(K003))  # (1, 1, 2, 2)
    assert_shape(y.shape, (1, 1, 2, 2), rule="conv.out-size")
    assert_erratum(y[0, 0].astype(int), E003_FEATURE_MAP, rule="conv.def")


@cites("conv.convolve")
def test_seed003_true_convolution_flips_the_kernel():
    # The source "convolves" by multiplying element-wise without flipping, i.e. it computes
    # cross-correlation (seed 002: DL libraries call cross-correlation "convolution").
    # True convolution uses the flipped kernel [[9,8,7],[6,5,4],[3,2,1]]:
    #   top-left     9·9 + 8·8 + 7·7 + 6·5 + 5·4 + 4·3 + 3·1 + 2·2 + 1·3
    #                = 81 + 64 + 49 + 30 + 20 + 12 + 3 + 4 + 3 = 266
    #   top-right    9·8 + 8·7 + 7·6 + 6·4 + 5·3 + 4·2 + 3·2 + 2·3 + 1·4
    #                = 72 + 56 + 42 + 24 + 15 + 8 + 6 + 6 + 4 = 233
    #   bottom-left  9·5 + 8·4 + 7·3 + 6·1 + 5·2 + 4·3 + 3·5 + 2·6 + 1·7
    #                = 45 + 32 + 21 + 6 + 10 + 12 + 15 + 12 + 7 = 160
    #   bottom-right 9·4 + 8·3 + 7·2 + 6·2 + 5·3 + 4·4 + 3·6 + 2·7 + 1·8
    #                = 36 + 24 + 14 + 12 + 15 + 16 + 18 + 14 + 8 = 157
    expected = [[266, 233],
                [160, 157]]  # (2, 2)
    y = ref.convolve(img(I003), img(K003))  # (1, 1, 2, 2)
    assert_exact(y, img(expected), rule="conv.convolve")
    assert not np.array_equal(y, ref.conv(img(I003), img(K003)))


# ============================================================================ seed 002


VERTICAL_LINE_DETECTOR = [[0.0, 1.0, 0.0],
                          [0.0, 1.0, 0.0],
                          [0.0, 1.0, 0.0]]


@cites("conv.def", "conv.convolve")
def test_seed002_vertical_line_detector_is_flip_symmetric():
    # Flipping [[0,1,0]]*3 on both axes gives the same kernel, so for this filter
    # cross-correlation and convolution agree; the 003 kernel shows where they differ.
    w = img(VERTICAL_LINE_DETECTOR)
    x = img([[10 * i + j for j in range(5)] for i in range(5)])  # value 10*i + j
    assert_exact(ref.convolve(x, w), ref.conv(x, w), rule="conv.convolve")


# "Applying this filter to an image will result in a feature map that only contains
# vertical lines."  On a 5x5 image, y[i, j] = x[i, j+1] + x[i+1, j+1] + x[i+2, j+1]
# (the middle column of each 3x3 window).
#   vertical line (ones in column 2):   y[i, j] = 3 if j+1 == 2 else 0  -> column 1 is 3
#   horizontal line (ones in row 2):    every window's rows i..i+2 (i = 0..2) hold row 2,
#                                       so y[i, j] = 1 everywhere
E002_ONLY_VERTICAL = Erratum(
    seed=S002, claim=[[0, 0, 0], [0, 0, 0], [0, 0, 0]],
    correct=[[1, 1, 1], [1, 1, 1], [1, 1, 1]],
    why="the filter sums a 3-pixel vertical strip, so a horizontal line still gives 1 at "
        "every position (a third of a vertical line's peak of 3), not 0: the map is not "
        "'only vertical lines' (the source itself hedges 'not quite obvious')")


@cites("conv.def")
def test_seed002_vertical_line_detector_on_lines():
    w = img(VERTICAL_LINE_DETECTOR)
    vertical = np.zeros((5, 5))
    vertical[:, 2] = 1
    assert_exact(ref.conv(img(vertical), w),
                 img([[0, 3, 0],
                      [0, 3, 0],
                      [0, 3, 0]]), rule="conv.def")  # (1, 1, 3, 3)
    horizontal = np.zeros((5, 5))
    horizontal[2, :] = 1
    assert_erratum(ref.conv(img(horizontal), w)[0, 0].astype(int), E002_ONLY_VERTICAL,
                   rule="conv.def")


# ============================================================================ seed 000
# 32x32x3 input -> conv -> 26x26x20; then 30 filters of 5x5x20, no padding -> 22x22x30.


@cites("conv.out-size")
def test_seed000_kernel_sizes_that_make_32_into_26():
    # The source never states the first layer's kernel.  Hand: with stride 1 and padding p,
    # 32 + 2p - k + 1 = 26  <=>  k = 7 + 2p, so p = 0..3 gives k = 7, 9, 11, 13.
    # With p = 0 and stride s >= 2: floor((32 - k)/s) + 1 = 26 needs 32 - k >= 25*s >= 50,
    # impossible; so without padding the kernel is 7x7 and the stride 1.
    found = {(k, p) for p in range(4) for k in range(1, 33 + 2 * p)
             if formulas.conv_out_size(32, k, padding=p) == 26}
    assert found == {(7, 0), (9, 1), (11, 2), (13, 3)}
    unpadded = {(k, s) for s in range(1, 5) for k in range(1, 33)
                if formulas.conv_out_size(32, k, stride=s) == 26}
    assert unpadded == {(7, 1)}


@cites("conv.out-size", "conv.channels")
def test_seed000_first_volume_32x32x3_to_26x26x20():
    # Assumed (not in the text): 20 filters of 7x7x3, stride 1, no padding (see above).
    y = ref.conv(ones(1, 3, 32, 32), ones(20, 3, 7, 7))  # (N, C, H, W)
    assert_shape(y.shape, (1, 20, 26, 26), rule="conv.out-size")  # 32 - 7 + 1 = 26


@cites("conv.out-size", "conv.channels")
def test_seed000_second_volume_26x26x20_to_22x22x30():
    # "5×5×20 のサイズを持つ新しい特徴検知器30個 ... パディングなし ... 22×22×30":
    # 26 - 5 + 1 = 22; one 22x22 map per filter, 30 filters.
    assert formulas.conv_out_size(26, 5) == 22
    y = ref.conv(ones(1, 20, 26, 26), ones(30, 20, 5, 5))  # (1, 30, 22, 22)
    assert_shape(y.shape, (1, 30, 22, 22), rule="conv.out-size")
    # All-ones data: each output sums 5*5*20 = 500 products of 1.
    assert_exact(y, np.full((1, 30, 22, 22), 500.0), rule="conv.channels")


@cites("conv.channels")
def test_seed000_filter_depth_must_equal_input_channels():
    # "深度はなぜ20なのでしょう。... 特徴マップと同じ数のチャンネルが必要になるから":
    # a 5x5x20 filter fits the 26x26x20 volume; a 5x5x3 filter (depth 3 != 20) is rejected.
    ref.conv(ones(1, 20, 26, 26), ones(1, 20, 5, 5))
    with pytest.raises(InvalidConfig, match=r"\[conv\.channels\]"):
        ref.conv(ones(1, 20, 26, 26), ones(1, 3, 5, 5))


@cites("params.conv")
def test_seed000_second_layer_parameter_count():
    # Derived, not claimed by the source: 30 filters of 5x5x20 plus one bias each:
    # 5*5*20 = 500 weights per filter; 30*500 = 15000; + 30 biases = 15030.
    assert formulas.conv_params(20, 30, (5, 5)) == 15030
    assert formulas.conv_params(20, 30, (5, 5), bias=False) == 15000


# ============================================================================ seed 001


@cites("conv.out-size")
def test_seed001_cs231n_32x32x3_with_5x5_filter_gives_28():
    # "You can see that the output image size is as small as 28": N - F + 1 = 32 - 5 + 1.
    assert formulas.conv_out_size(32, 5) == 28
    # six 5x5x3 filters ("(5 * 5 * 3 + 1) * 6"): one 28x28 map per filter.
    y = ref.conv(ones(1, 3, 32, 32), ones(6, 3, 5, 5))  # (1, 6, 28, 28)
    assert_shape(y.shape, (1, 6, 28, 28), rule="conv.out-size")


@cites("conv.out-size")
def test_seed001_size_formulas_agree_with_conv_out_size():
    import sympy

    n, f, p = sympy.symbols("N F p", integer=True, positive=True)
    # "(N-F+1) * (N-F+1)" and, padded, "(N-F+1+2p) * (N-F+1+2p)" (stride 1):
    assert sympy.simplify(formulas.conv_out_size(n, f) - (n - f + 1)) == 0
    assert sympy.simplify(formulas.conv_out_size(n, f, padding=p) - (n - f + 1 + 2 * p)) == 0
    # Hand points: 6x6 image, 3x3 filter -> 6-3+1 = 4; 32, F=5, p=2 -> 32-5+1+4 = 32.
    assert formulas.conv_out_size(6, 3) == 4
    assert formulas.conv_out_size(32, 5, padding=2) == 32
    # "floor((N+2p-f)/S) + 1", transcribed from the source (every valid N, f, p, S below):
    for N in range(1, 12):
        for ff in range(1, 6):
            for pp in range(3):
                for s in range(1, 4):
                    if N + 2 * pp >= ff:
                        blog = (N + 2 * pp - ff) // s + 1
                        assert formulas.conv_out_size(N, ff, stride=s, padding=pp) == blog
    # Hand points: 7, f=3, p=0, S=2 -> floor(4/2)+1 = 3; S=3 -> floor(4/3)+1 = 2.
    assert formulas.conv_out_size(7, 3, stride=2) == 3
    assert formulas.conv_out_size(7, 3, stride=3) == 2


@cites("conv.out-size")
def test_seed001_layer_l_size_formula():
    # "n_h,w[l] = floor((n_h,w[l-1+2p[l]-f[l]) / s[l]) + 1" has a misplaced bracket
    # (erratum, typographic); the intended n[l] = floor((n[l-1] + 2p[l] - f[l]) / s[l]) + 1.
    # Hand: n[l-1] = 32, p = 2, f = 5, s = 1 -> (32 + 4 - 5)/1 + 1 = 32;
    #       n[l-1] = 32, p = 0, f = 5, s = 2 -> floor(27/2) + 1 = 13 + 1 = 14.
    assert formulas.conv_out_size(32, 5, padding=2) == 32
    assert formulas.conv_out_size(32, 5, stride=2) == 14


@cites("params.conv")
def test_seed001_conv_layer_parameter_count():
    # "(5 * 5 * 3 + 1) * 6": (75 + 1) * 6 = 456; weights only: 75 * 6 = 450.
    assert formulas.conv_params(3, 6, (5, 5)) == 456
    assert formulas.conv_params(3, 6, (5, 5), bias=False) == 450


@cites("params.conv")
def test_seed001_layer_l_filter_and_bias_counts():
    # "filter size: f*f*n_c[l-1]*n_c[l]", "bias: 1*1*1*n_c[l]" at f=5, n_c[l-1]=3, n_c[l]=6:
    # 5*5*3*6 = 450 weights and 6 biases, 456 in all (the same count as above).
    with_bias = formulas.conv_params(3, 6, (5, 5))
    without = formulas.conv_params(3, 6, (5, 5), bias=False)
    assert (without, with_bias - without) == (450, 6)


# "If the size of the cat image is 128 * 128 and the number of units in the next hidden
# layer is about 300, then about 3 million parameters will be needed."  Hand:
#   128*128 = 16384 inputs (grayscale)      16384 * 300 = 4,915,200; + 300 biases = 4,915,500
#   128*128*3 = 49152 inputs (RGB)          49152 * 300 = 14,745,600; + 300 = 14,745,900
# No reading is "about 3 million" (nearest: 4.9 million).  3 million = 10,000 * 300, i.e. a
# 100*100 grayscale image.
E001_MLP_128 = Erratum(
    seed=S001, claim=3_000_000, correct=4_915_200,
    why="128*128 = 16384 inputs, 16384*300 = 4,915,200 (4,915,500 with biases; 14,745,600 / "
        "14,745,900 for RGB); 3 million is 100*100*300")


@cites("params.dense")
def test_seed001_mlp_128x128_parameter_count_erratum():
    gray = formulas.dense_params(128 * 128, 300, bias=False)
    assert_erratum(gray, E001_MLP_128, rule="params.dense")
    readings = {
        "gray, no bias": (gray, 4_915_200),
        "gray, bias": (formulas.dense_params(128 * 128, 300), 4_915_500),
        "RGB, no bias": (formulas.dense_params(128 * 128 * 3, 300, bias=False), 14_745_600),
        "RGB, bias": (formulas.dense_params(128 * 128 * 3, 300), 14_745_900),
    }
    for name, (got, hand) in readings.items():
        assert got == hand, f"{name}: {got=}, but should be {hand} [params.dense]"
        assert round(got / 1e6) != 3, f"{name}: {got} rounds to 3 million [params.dense]"
    assert formulas.dense_params(100 * 100, 300, bias=False) == 3_000_000  # 10^4 * 300


@cites("params.dense")
def test_seed001_mlp_1000x1000_parameter_count():
    # "If the size of the cat image is 1000*1000, about 300 million parameters are needed."
    # Right for grayscale: 10^6 * 300 = 300,000,000 (+300 biases = 300,000,300);
    # RGB would be 3*10^6 * 300 = 900,000,000.
    assert formulas.dense_params(1000 * 1000, 300, bias=False) == 300_000_000
    assert formulas.dense_params(1000 * 1000, 300) == 300_000_300
    assert formulas.dense_params(1000 * 1000 * 3, 300, bias=False) == 900_000_000


# "Pixels on the corner or edge side are reflected only once in the output."  Hand, 6x6
# image, 3x3 filter, stride 1: window rows start at 0..3, so row r is read by
# [1, 2, 3, 3, 2, 1][r] window rows; a pixel by rows[r] * rows[c] windows.
#   corner (0, 0): 1*1 = 1     edge (0, 2): 1*3 = 3     centre (2, 2): 3*3 = 9
E001_EDGE_ONCE = Erratum(
    seed=S001, claim=1, correct=3,
    why="only the 4 corner pixels are read once; edge pixel (0, 2) of a 6x6 image is read by "
        "3 windows of a 3x3 filter (1*3), the centre (2, 2) by 9")


@cites("conv.def", "conv.out-size")
def test_seed001_corner_and_edge_pixel_use_erratum():
    assert coverage((6, 6), (3, 3), (0, 0)) == 1
    assert_erratum(coverage((6, 6), (3, 3), (0, 2)), E001_EDGE_ONCE, rule="conv.def")
    assert coverage((6, 6), (3, 3), (2, 2)) == 9


# "If the stride value is set to 1 or more, there may be parts that are not reflected."
# Hand, N = 7, f = 3: stride 1 -> windows [0-2] .. [4-6], per-pixel counts [1,2,3,3,3,2,1];
# stride 2 -> [0-2], [2-4], [4-6]: [1,1,2,1,2,1,1]; stride 3 -> floor(4/3)+1 = 2 windows
# [0-2], [3-5]: [1,1,1,1,1,1,0], pixel 6 is never read.  So only strides > 1 can skip pixels.
E001_STRIDE_ONE = Erratum(
    seed=S001, claim=0, correct=1,
    why="'stride 1 or more ... may leave parts not reflected': the fewest windows reading a "
        "pixel is 1 at stride 1 (every pixel is read), 0 only from stride 3 on here; the "
        "source means 'stride more than 1'")


@cites("conv.def", "conv.out-size")
def test_seed001_stride_one_reads_every_pixel_erratum():
    counts = {s: [coverage((7,), (3,), (r,), stride=s) for r in range(7)] for s in (1, 2, 3)}
    assert counts == {1: [1, 2, 3, 3, 3, 2, 1],
                      2: [1, 1, 2, 1, 2, 1, 1],
                      3: [1, 1, 1, 1, 1, 1, 0]}
    assert_erratum(min(counts[1]), E001_STRIDE_ONE, rule="conv.def")


# Andrew Ng's edge examples: the text only says "6 * 6" and "falls from 30 to 10"; the
# image values (10 bright, 0 dark) and filters are those of his lecture (assumed).
EDGE_IMAGE = [[10, 10, 10, 0, 0, 0]] * 6                    # (6, 6) bright left, dark right
VERTICAL_EDGE = [[1, 0, -1]] * 3                             # (3, 3)
HORIZONTAL_EDGE = [[1, 1, 1], [0, 0, 0], [-1, -1, -1]]       # (3, 3) the vertical one rotated


@cites("conv.def")
def test_seed001_vertical_edge_detector():
    # y[i, j] = 3 * (x[j] - x[j+2]) along a row: j=0: 3*(10-10) = 0; j=1: 3*(10-0) = 30;
    # j=2: 3*(10-0) = 30; j=3: 3*(0-0) = 0 -> "0 ... increases at the boundary ... 0".
    assert_exact(ref.conv(img(EDGE_IMAGE), img(VERTICAL_EDGE)),
                 img([[0, 30, 30, 0]] * 4), rule="conv.def")  # (1, 1, 4, 4)
    # Dark to bright (mirrored image): 3*(0-10) = -30 in the middle; |.| gives 30 again.
    dark_to_bright = [row[::-1] for row in EDGE_IMAGE]
    y = ref.conv(img(dark_to_bright), img(VERTICAL_EDGE))
    assert_exact(y, img([[0, -30, -30, 0]] * 4), rule="conv.def")
    assert_exact(np.abs(y), img([[0, 30, 30, 0]] * 4), rule="conv.def")


@cites("conv.def")
def test_seed001_horizontal_edge_detector_on_check_pattern():
    # Rows 0-2 T = [10,10,10,0,0,0], rows 3-5 B = [0,0,0,10,10,10]; 3-wide row sums at
    # j = 0..3: T -> [30, 20, 10, 0], B -> [0, 10, 20, 30].  y[i] = sums(row i) - sums(row i+2):
    # i=0: T-T = 0; i=1: T-B = [30, 10, -10, -30]; i=2: T-B; i=3: B-B = 0.
    checks = [[10, 10, 10, 0, 0, 0]] * 3 + [[0, 0, 0, 10, 10, 10]] * 3
    expected = [[0, 0, 0, 0],
                [30, 10, -10, -30],
                [30, 10, -10, -30],
                [0, 0, 0, 0]]  # (4, 4) "a part that falls from 30 to 10"
    assert_exact(ref.conv(img(checks), img(HORIZONTAL_EDGE)), img(expected), rule="conv.def")
    assert np.array_equal(np.rot90(np.asarray(VERTICAL_EDGE), -1), HORIZONTAL_EDGE)


@cites("pool.max-def", "pool.channelwise", "pool.out-size")
def test_seed001_max_pooling_is_per_channel():
    # "this pooling operation is performed independently of each channel".
    # ch0[i, j] = 4i + j (0..15); 2x2 blocks {0,1,4,5} {2,3,6,7} {8,9,12,13} {10,11,14,15}
    #   -> maxima [[5, 7], [13, 15]]
    # ch1 = 15 - ch0; block maxima = 15 - block minima (0, 2, 8, 10) -> [[15, 13], [7, 5]]
    ch0 = np.arange(16.0).reshape(4, 4)
    x = np.stack([ch0, 15 - ch0])[None]  # (1, 2, 4, 4)
    y = ref.max_pool(x, kernel=(2, 2), stride=(2, 2))
    assert_exact(y, np.array([[[[5, 7], [13, 15]], [[15, 13], [7, 5]]]]),
                 rule="pool.channelwise")  # (1, 2, 2, 2)
    assert formulas.pool_out_size(4, 2, stride=2) == 2  # floor((4-2)/2) + 1


@cites("params.pool")
def test_seed001_pooling_has_no_parameters():
    # "The important thing here is that pooling has no parameters."
    assert formulas.pool_params() == 0


# ============================================================================ seed 004

X004 = [[1, 0, 0, 0, 0, 1],
        [0, 1, 0, 0, 1, 0],
        [0, 0, 1, 1, 0, 0],
        [1, 0, 0, 0, 1, 0],
        [0, 1, 0, 0, 1, 0],
        [0, 0, 1, 0, 1, 0]]  # (6, 6) "6 x 6 image"
FILTER1 = [[1, -1, -1],
           [-1, 1, -1],
           [-1, -1, 1]]      # (3, 3)
FILTER2 = [[-1, 1, -1],
           [-1, 1, -1],
           [-1, 1, -1]]      # (3, 3)
KERAS_SLIDE_FILTER = [[1, -1, -1],
                      [-1, 1, -1],
                      [-1, -1, -1]]  # (3, 3) drawn on the "CNN in Keras" slide

# Filter 1 on a binary patch: (ones on the main diagonal) - (other ones).  Per window
# (row i, col j): diagonal ones D, total ones T -> D - (T - D) = 2D - T.
#   (0,0) D3 T3 ->  3   (0,1) D1 T3 -> -1   (0,2) D0 T3 -> -3   (0,3) D1 T3 -> -1
#   (1,0) D0 T3 -> -3   (1,1) D2 T3 ->  1   (1,2) D2 T4 ->  0   (1,3) D0 T3 -> -3
#   (2,0) D0 T3 -> -3   (2,1) D0 T3 -> -3   (2,2) D2 T4 ->  0   (2,3) D2 T3 ->  1
#   (3,0) D3 T3 ->  3   (3,1) D0 T2 -> -2   (3,2) D1 T4 -> -2   (3,3) D1 T3 -> -1
MAP1 = [[3, -1, -3, -1],
        [-3, 1, 0, -3],
        [-3, -3, 0, 1],
        [3, -2, -2, -1]]  # (4, 4) the slide's map: every entry agrees

# Filter 2: (ones in the middle column M) - (other ones) = 2M - T (T as above):
#   (0,0) M1 T3 -> -1   (0,1) M1 T3 -> -1   (0,2) M1 T3 -> -1   (0,3) M1 T3 -> -1
#   (1,0) M1 T3 -> -1   (1,1) M1 T3 -> -1   (1,2) M1 T4 -> -2   (1,3) M2 T3 ->  1
#   (2,0) M1 T3 -> -1   (2,1) M1 T3 -> -1   (2,2) M1 T4 -> -2   (2,3) M2 T3 ->  1
#   (3,0) M1 T3 -> -1   (3,1) M1 T2 ->  0   (3,2) M0 T4 -> -4   (3,3) M3 T3 ->  3
MAP2 = [[-1, -1, -1, -1],
        [-1, -1, -2, 1],
        [-1, -1, -2, 1],
        [-1, 0, -4, 3]]   # (4, 4) not printed in this text (the slide's image)

# 2x2 max pooling, stride 2, of each map:
#   MAP1 blocks {3,-1,-3,1} {-3,-1,0,-3} {-3,-3,3,-2} {0,1,-2,-1} -> [[3, 0], [3, 1]]
#   MAP2 blocks {-1,-1,-1,-1} {-1,-1,-2,1} {-1,-1,-1,0} {-2,1,-4,3} -> [[-1, 1], [0, 3]]
POOL1 = [[3, 0], [3, 1]]
POOL2 = [[-1, 1], [0, 3]]


@cites("conv.def", "conv.out-size")
def test_seed004_filter1_feature_map():
    y = ref.conv(img(X004), img(FILTER1))  # stride=1, no padding: 6 - 3 + 1 = 4
    assert_exact(y, img(MAP1), rule="conv.def")


@cites("conv.def", "conv.out-size")
def test_seed004_filter2_feature_map():
    y = ref.conv(img(X004), img(FILTER2))
    assert_exact(y, img(MAP2), rule="conv.def")


@cites("conv.def", "conv.channels")
def test_seed004_every_filter_makes_one_channel():
    # "Do the same process for every filter" / "The number of the channel is the number of
    # filters": both filters at once, w (2, 1, 3, 3) -> a 2x4x4 "image".
    w = np.stack([FILTER1, FILTER2]).astype(float)[:, None]  # (2, 1, 3, 3)
    y = ref.conv(img(X004), w)  # (1, 2, 4, 4)
    assert_exact(y, np.array([[MAP1, MAP2]]), rule="conv.def")


@cites("pool.max-def", "pool.out-size", "pool.channelwise")
def test_seed004_max_pooling_of_both_maps():
    y = ref.max_pool(np.array([[MAP1, MAP2]], dtype=float), kernel=(2, 2), stride=(2, 2))
    assert_exact(y, np.array([[POOL1, POOL2]]), rule="pool.max-def")  # (1, 2, 2, 2)
    # "Smaller than the original image": 6x6 -> conv 4x4 -> pool floor((4-2)/2)+1 = 2.
    assert formulas.pool_out_size(4, 2, stride=2) == 2


# The "CNN in Keras" slide draws Filter 1 with its bottom-right entry -1 instead of 1.
# Changing w[2][2] from 1 to -1 subtracts 2 * x[i+2][j+2]; x[2:6, 2:6] =
# [[1,1,0,0],[0,0,1,0],[0,0,1,0],[1,0,1,0]], so the drawn filter's map is MAP1 minus twice
# that: [[3-2, -1-2, -3, -1], [-3, 1, 0-2, -3], [-3, -3, 0-2, 1], [3-2, -2, -2-2, -1]].
E004_KERAS_FILTER = Erratum(
    seed=S004, claim=MAP1,
    correct=[[1, -3, -3, -1],
             [-3, 1, -2, -3],
             [-3, -3, -2, 1],
             [1, -2, -4, -1]],  # (4, 4)
    why="the Keras slide's first filter has -1 at (row 3, col 3) where Filter 1 has 1, so it "
        "is not Filter 1 and does not give Filter 1's map")
KERAS_SLIDE_FILTER2 = [[-1, 1, -1],
                       [-1, 1, -1],
                       [-1, 1, -1]]  # (3, 3) the second filter drawn on the Keras slide


@cites("conv.def")
def test_seed004_keras_slide_filter_differs_from_filter1():
    diff = np.argwhere(np.asarray(FILTER1) != np.asarray(KERAS_SLIDE_FILTER))
    assert diff.tolist() == [[2, 2]]
    y = ref.conv(img(X004), img(KERAS_SLIDE_FILTER))  # (1, 1, 4, 4)
    assert_erratum(y[0, 0].astype(int), E004_KERAS_FILTER, rule="conv.def")
    assert KERAS_SLIDE_FILTER2 == FILTER2  # the second drawn filter is Filter 2 exactly


# Keras network.  Given by this text: Convolution2D(25, 3, 3, input_shape=(28, 28, 1)),
# MaxPooling2D((2, 2)), a second Convolution, Max Pooling, and "the output of the k-th
# filter is a 11 x 11 matrix".  ASSUMED from the well-known version of the lecture (not in
# this text): the second conv is Convolution2D(50, 3, 3), so 11x11x50 and then 5x5x50.
#   28 - 3 + 1 = 26                 -> 26x26x25
#   floor((26 - 2)/2) + 1 = 13      -> 13x13x25   (Keras pool stride defaults to the size)
#   13 - 3 + 1 = 11                 -> 11x11x50   (11 given; 50 assumed)
#   floor((11 - 2)/2) + 1 = 4 + 1 = 5 -> 5x5x50


@cites("conv.out-size", "pool.out-size")
def test_seed004_keras_shapes():
    assert formulas.conv_out_size(28, 3) == 26
    assert formulas.pool_out_size(26, 2) == 13
    assert formulas.conv_out_size(13, 3) == 11
    assert formulas.pool_out_size(11, 2) == 5
    # The kernel of the second conv is not in the text either; 13 -> 11 without padding
    # at stride 1 forces 13 - k + 1 = 11, k = 3.
    assert [k for k in range(1, 14) if formulas.conv_out_size(13, k) == 11] == [3]


@cites("conv.out-size", "pool.out-size", "conv.channels")
def test_seed004_keras_shapes_through_the_reference():
    x = ones(1, 1, 28, 28)                                  # Keras (28, 28, 1), channels-first
    y = ref.conv(x, ones(25, 1, 3, 3))                      # (1, 25, 26, 26)
    assert_shape(y.shape, (1, 25, 26, 26), rule="conv.out-size")
    y = ref.max_pool(y, kernel=(2, 2))                      # (1, 25, 13, 13)
    assert_shape(y.shape, (1, 25, 13, 13), rule="pool.out-size")
    y = ref.conv(y, ones(50, 25, 3, 3))                     # (1, 50, 11, 11), 50 assumed
    assert_shape(y.shape, (1, 50, 11, 11), rule="conv.out-size")
    y = ref.max_pool(y, kernel=(2, 2))                      # (1, 50, 5, 5)
    assert_shape(y.shape, (1, 50, 5, 5), rule="pool.out-size")


@cites("params.conv", "params.pool")
def test_seed004_keras_parameter_counts():
    # Layer 1: per filter 3*3*1 = 9 weights; 25 filters: 25*9 = 225, + 25 biases = 250.
    assert formulas.conv_params(1, 1, (3, 3), bias=False) == 9
    assert formulas.conv_params(1, 25, (3, 3), bias=False) == 225
    assert formulas.conv_params(1, 25, (3, 3)) == 250
    # Layer 2 (50 filters assumed): per filter 25*3*3 = 225 weights; 50*225 = 11250,
    # + 50 biases = 11300.
    assert formulas.conv_params(25, 1, (3, 3), bias=False) == 225
    assert formulas.conv_params(25, 50, (3, 3), bias=False) == 11250
    assert formulas.conv_params(25, 50, (3, 3)) == 11300
    assert formulas.pool_params() == 0  # MaxPooling2D learns nothing


@cites("conv.def", "conv.out-size")
def test_seed004_activation_of_kth_filter_sums_its_11x11_map():
    # a^k = sum_{i=1}^{11} sum_{j=1}^{11} a_ij^k over the k-th 11x11 map.
    # Input 13x13 with x[i, j] = i; filter k=0 all ones, filter k=1 all twos (3x3):
    #   y0[p, q] = sum_{a,b=0..2} (p + a) = 3*(3p + 3) = 9p + 9
    #   a^0 = 11 * sum_{p=0}^{10} (9p + 9) = 11 * 9 * (1 + ... + 11) = 11 * 9 * 66 = 6534
    #   a^1 = 2 * a^0 = 13068
    x = np.repeat(np.arange(13.0)[:, None], 13, axis=1)[None, None]  # (1, 1, 13, 13)
    w = np.stack([np.ones((3, 3)), 2 * np.ones((3, 3))])[:, None]     # (2, 1, 3, 3)
    y = ref.conv(x, w)                                                # (1, 2, 11, 11)
    assert_shape(y.shape, (1, 2, 11, 11), rule="conv.out-size")
    a = [sum(y[0, k, i - 1, j - 1] for i in range(1, 12) for j in range(1, 12))
         for k in range(2)]
    assert a == [6534, 13068]
    assert [y[0, k].sum() for k in range(2)] == a
