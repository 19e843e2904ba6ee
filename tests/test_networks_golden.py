"""Golden networks: the seeds' volumes and published architectures, each number cited.

Every documented count is checked three ways: from layer specs written from the paper,
from a torch.nn.Module written after the framework's source (sum(p.numel()) and, for the
small ones, a forward pass), and, where feasible, by hand (the arithmetic sits beside it).

Sources of the documented numbers:
- torchvision model pages (pytorch.org/vision/stable/models/generated/torchvision.models.X):
  num_params, GFLOPS and min_size of vgg16, alexnet, resnet18, resnet50, mobilenet_v2.
  torchvision's "GFLOPS" are multiply-accumulates (conv + linear), the quantity cnnspec's
  total_macs counts: the two agree to the 2 decimals printed.
- Howard et al., "MobileNets", arXiv:1704.04861, Table 8: 1.0 MobileNet-224 has
  "569 Million" mult-adds and "4.2 Million" parameters.
- LeCun et al., "Gradient-Based Learning Applied to Document Recognition", Proc. IEEE 86(11),
  1998, section II.B: LeNet-5's per-layer trainable parameters and connections, 60,000
  trainable parameters and 340,908 connections in all.
- The seeds (/work/shared/seeds): 000 (32x32x3 -> 26x26x20 -> 22x22x30), 001 ((5*5*3+1)*6
  and the MLP comparison), 004 (the Keras model on 28x28x1, 25 3x3 filters, 2x2 pooling,
  11x11 maps).
"""

from __future__ import annotations

import pytest
import sympy
from helpers import cites
from networks import (
    alexnet_specs,
    assert_matches_torch,
    lenet5_modern_specs,
    mobilenet_v1_specs,
    mobilenet_v2_specs,
    resnet_specs,
    torch_nets,
    vgg16_specs,
)

from cnnspec import formulas
from cnnspec.layers import Conv, Dense, Flatten, MaxPool, ReLU
from cnnspec.summary import summarize

H, W = sympy.symbols("H W", integer=True, positive=True)
TV = "https://pytorch.org/vision/stable/models/generated/torchvision.models."


# ---------------------------------------------------------------------- the seeds


@cites("conv.out-size", "conv.channels", "params.conv")
def test_seed000_volumes_32x32x3_to_26x26x20_to_22x22x30():
    # 7x7 is the kernel that gives 26 with no padding at stride 1 (32 - 7 + 1 = 26; the
    # source does not state it); then 30 filters of 5x5x20: 26 - 5 + 1 = 22.
    s = summarize([Conv(20, 7), Conv(30, 5)], (3, 32, 32))
    assert [r.output_shape for r in s.rows] == [(20, 26, 26), (30, 22, 22)]
    assert [r.params for r in s.rows] == [2_960, 15_030]  # 20*(7*7*3) + 20; 30*(5*5*20) + 30


@pytest.mark.torch
@cites("conv.out-size")
def test_seed000_volumes_in_torch():
    nn = pytest.importorskip("torch").nn
    s = assert_matches_torch(nn.Sequential(nn.Conv2d(3, 20, 7), nn.Conv2d(20, 30, 5)),
                             (3, 32, 32))
    assert s.output_shape == (30, 22, 22)


KERAS_MODEL = [Conv(25, 3), ReLU(), MaxPool(2), Conv(50, 3), ReLU(), MaxPool(2), Flatten()]


@cites("conv.out-size", "pool.out-size", "params.conv", "params.pool", "net.flatten")
def test_seed004_keras_model_down_to_the_11x11_maps():
    # Convolution2D(25, 3, 3, input_shape=(28, 28, 1)), MaxPooling2D((2, 2)), twice; the
    # second conv's 50 filters are the lecture's (the seed gives only "11 x 11").
    s = summarize(KERAS_MODEL, (1, 28, 28))
    shapes = [r.output_shape for r in s.rows]
    assert shapes == [(25, 26, 26), (25, 26, 26), (25, 13, 13), (50, 11, 11), (50, 11, 11),
                      (50, 5, 5), (1250,)]  # 28-3+1; 26/2; 13-3+1 = 11; floor(11/2); 50*25
    assert [r.params for r in s.rows if r.params] == [250, 11_300]  # 25*9 + 25; 50*25*9 + 50


@pytest.mark.torch
def test_seed004_keras_model_in_torch():
    nn = pytest.importorskip("torch").nn
    model = nn.Sequential(nn.Conv2d(1, 25, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(25, 50, 3),
                          nn.ReLU(), nn.MaxPool2d(2), nn.Flatten())
    assert assert_matches_torch(model, (1, 28, 28)).output_shape == (1250,)


@cites("params.conv")
def test_seed001_six_5x5x3_filters():
    # "the number of parameters will be (5 * 5 * 3 + 1) * 6": 76 * 6 = 456
    assert summarize([Conv(6, 5)], (3, 32, 32)).total_params == 456
    assert summarize([Conv(6, 5)], (3, "H", "W")).total_params == 456  # any image size


@cites("params.dense", "params.conv", "net.flatten")
def test_seed001_mlp_versus_cnn_parameters():
    # An MLP's first layer grows with the image: 128*128 inputs * 300 units + 300 biases
    # (the seed's "about 3 million" is erratum E3 in spec/errata.md); 10^6 * 300 + 300.
    mlp = [Flatten(), Dense(300)]
    assert summarize(mlp, (1, 128, 128)).total_params == 4_915_500
    assert summarize(mlp, (1, 1000, 1000)).total_params == 300_000_300
    assert sympy.expand(summarize(mlp, (1, "H", "W")).total_params - (300 * H * W + 300)) == 0
    # ... a conv layer's does not: 6 filters of 5x5x1 share their 156 parameters everywhere
    assert summarize([Conv(6, 5)], (1, 1000, 1000)).total_params == 156  # (25 + 1) * 6


# ---------------------------------------------------------------------- LeNet-5


@cites("params.conv", "macs.conv", "params.dense")
def test_lenet5_paper_counts():
    """LeCun et al. 1998, II.B: C1 156 params / 122,304 connections, S2 12 / 5,880,
    C3 1,516 / 151,600, S4 32 / 2,000, C5 48,120, F6 10,164; 60,000 and 340,908 in all."""
    def connections(c_in, c_out, k, out, groups=1):  # every product, plus one bias input
        macs = formulas.conv_macs(c_in, c_out, (k, k), (out, out), groups=groups)
        return macs + c_out * out * out

    assert formulas.conv_out_size(32, 5) == 28 and formulas.conv_out_size(14, 5) == 10
    c1 = formulas.conv_params(1, 6, (5, 5))  # (25 + 1) * 6
    # S2/S4: each map sums a 2x2 window, times one trained coefficient, plus one bias: the
    # 2C of a per-channel scale and shift
    s2, s4 = formulas.batch_norm_params(6), formulas.batch_norm_params(16)
    # C3's connection table (Table I): 6 maps see 3 S2 maps, 9 see 4, 1 sees all 6
    c3 = (6 * formulas.conv_params(3, 1, (5, 5)) + 9 * formulas.conv_params(4, 1, (5, 5))
          + formulas.conv_params(6, 1, (5, 5)))  # 6*76 + 9*101 + 151
    c5 = formulas.conv_params(16, 120, (5, 5))  # on a 5x5 input: one position
    f6 = formulas.dense_params(120, 84)
    assert (c1, s2, c3, s4, c5, f6) == (156, 12, 1_516, 32, 48_120, 10_164)
    assert c1 + s2 + c3 + s4 + c5 + f6 == 60_000
    # C1: 28*28*6*(25 + 1); S2: 14*14*6*(4 + 1); C3: 10*10 positions * 1,516; S4: 5*5*16*5;
    # C5 and F6: one position; the output layer: 84*10 (RBF, not trained)
    conns = (connections(1, 6, 5, 28), connections(6, 6, 2, 14, groups=6), c3 * 10 * 10,
             connections(16, 16, 2, 5, groups=16), c5, f6, formulas.dense_macs(84, 10))
    assert conns == (122_304, 5_880, 151_600, 2_000, 48_120, 10_164, 840)
    assert sum(conns) == 340_908


@cites("params.conv", "params.dense", "pool.out-size")
def test_lenet5_modern_variant_specs_and_torch():
    # 156 + (5*5*6 + 1)*16 + (400 + 1)*120 + (120 + 1)*84 + (84 + 1)*10
    s = summarize(lenet5_modern_specs(), (1, 28, 28))
    assert s.total_params == 156 + 2_416 + 48_120 + 10_164 + 850 == 61_706
    assert s.rows[6].output_shape == (400,)  # 16 * 5 * 5
    torch = pytest.importorskip("torch")
    torch.manual_seed(0)
    assert assert_matches_torch(torch_nets()["lenet5"](), (1, 28, 28)).total_params == 61_706


# ---------------------------------------------------------------------- published networks

PUBLISHED = {
    # name: (specs, documented params, documented GFLOPS, min_size, source)
    "vgg16": (vgg16_specs, 138_357_544, 15.47, 32, TV + "vgg16.html"),
    "alexnet": (alexnet_specs, 61_100_840, 0.71, 63, TV + "alexnet.html"),
    "resnet18": (resnet_specs, 11_689_512, 1.81, 1, TV + "resnet18.html"),
    "resnet50": (lambda: resnet_specs((3, 4, 6, 3), bottleneck=True), 25_557_032, 4.09, 1,
                 TV + "resnet50.html"),
    "mobilenet_v2": (mobilenet_v2_specs, 3_504_872, 0.30, 1, TV + "mobilenet_v2.html"),
}


@cites("params.conv", "params.dense", "params.batch-norm", "macs.conv", "macs.dense")
@pytest.mark.parametrize("name", list(PUBLISHED))
def test_published_counts_from_specs(name):
    specs, params, gflops, _, source = PUBLISHED[name]
    s = summarize(specs(), (3, 224, 224))
    assert s.total_params == params, f"{name}: {s.total_params} != {params} ({source})"
    assert round(s.total_macs / 1e9, 2) == gflops, f"{name}: {s.total_macs} MACs ({source})"
    assert s.output_shape == (1000,)


@pytest.mark.torch
@cites("params.conv", "params.dense", "params.batch-norm")
@pytest.mark.parametrize("name", list(PUBLISHED))
def test_published_counts_from_torch_modules(name):
    torch = pytest.importorskip("torch")
    _, params, _, _, source = PUBLISHED[name]
    with torch.device("meta"):  # count without allocating
        model = torch_nets()[name]()
    assert sum(p.numel() for p in model.parameters()) == params, source
    assert summarize(model, (3, 224, 224)).total_params == params, source


@cites("conv.kernel-fits", "pool.kernel-fits")
@pytest.mark.parametrize("name", ["vgg16", "alexnet", "resnet18", "mobilenet_v2"])
def test_published_min_size_from_symbolic_constraints(name):
    specs, _, _, min_size, source = PUBLISHED[name]
    s = summarize(specs(), (3, "H", "W"))
    expected = () if min_size == 1 else (sympy.Ge(H, min_size), sympy.Ge(W, min_size))
    assert s.constraints == expected, f"{name}: {s.constraints}, documented {min_size} ({source})"


@pytest.mark.torch
@cites("conv.out-size", "net.residual-shape")
@pytest.mark.parametrize("name", ["resnet18", "mobilenet_v2"])
def test_published_shapes_match_a_forward_pass(name):
    torch = pytest.importorskip("torch")
    torch.manual_seed(0)
    assert_matches_torch(torch_nets()[name](), (3, 64, 48))


@cites("params.separable", "macs.conv")
def test_mobilenet_v1_paper_table():
    # 1.0 MobileNet-224: "569 Million" mult-adds, "4.2 Million" parameters (BN included)
    s = summarize(mobilenet_v1_specs(), (3, 224, 224))
    assert round(s.total_macs / 1e6) == 569 and round(s.total_params / 1e5) == 42
    assert s.rows[-3].output_shape == (1024, 7, 7)


def test_hand_arithmetic_of_the_documented_counts():
    """VGG-16, AlexNet, ResNet-18: the documented totals, layer by layer, by hand."""
    vgg_convs = [1_792, 36_928, 73_856, 147_584, 295_168, 590_080, 590_080, 1_180_160,
                 2_359_808, 2_359_808, 2_359_808, 2_359_808, 2_359_808]  # (9*c_in + 1)*c_out
    vgg_fcs = [102_764_544, 16_781_312, 4_097_000]  # 25088*4096 + 4096, ...
    assert sum(vgg_convs) + sum(vgg_fcs) == 138_357_544
    s = summarize(vgg16_specs(), (3, 224, 224))
    assert [r.params for r in s.rows if r.params] == vgg_convs + vgg_fcs
    alex = [23_296, 307_392, 663_936, 884_992, 590_080, 37_752_832, 16_781_312, 4_097_000]
    assert sum(alex) == 61_100_840  # 64*3*121 + 64, 192*64*25 + 192, ..., 4096*1000 + 1000
    assert [r.params for r in summarize(alexnet_specs(), (3, 224, 224)).rows if r.params] == alex
    # ResNet-18: stem 9,408 + BN 128; stages (convs + shortcut + BNs); fc 512*1000 + 1000
    stages = [4 * 36_864 + 4 * 128,
              73_728 + 3 * 147_456 + 8_192 + 5 * 256,
              294_912 + 3 * 589_824 + 32_768 + 5 * 512,
              1_179_648 + 3 * 2_359_296 + 131_072 + 5 * 1_024]
    assert 9_408 + 128 + sum(stages) + 513_000 == 11_689_512


@cites("rf.size", "rf.jump")
def test_vgg16_receptive_field_by_hand():
    # jumps 1, 2, 4, 8, 16 per block: 1 + 2*2 + 1 + 2*2*2 + 2 + 3*2*4 + 4 + 3*2*8 + 8
    # + 3*2*16 = 196 at conv5_3, + 16 = 212 at pool5
    rows = summarize(vgg16_specs(), (3, 224, 224)).rows
    assert rows[28].receptive_field[0].size == 196 and rows[30].receptive_field[0].size == 212
    assert rows[30].receptive_field[0].jump == 32


@cites("net.rf-union")
def test_resnet18_receptive_field():
    # stem 7 (jump 2) + pool 2*2 = 11 (jump 4); stage 1: 4 convs * 2*4 = 43; stages 2-4:
    # first conv 2*jump, then 3 convs * 2*(2*jump): 43 + 8 + 48 = 99, + 16 + 96 = 211,
    # + 32 + 192 = 435; the 1x1 shortcuts never widen it
    rows = summarize(resnet_specs(), (3, 224, 224)).rows
    assert rows[-3].receptive_field[0] == formulas.RF(435, 32, -217)
