"""cnnspec.summarize: shapes, params, MACs, receptive fields, symbolic sizes, errors.

Expected literals are computed by hand (the arithmetic sits beside them); the torch checks
compare with a real forward pass (hooks), sum(p.numel()) and autograd dependency masks.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
import sympy
from helpers import cites
from hypothesis import assume, given
from hypothesis import strategies as st
from networks import assert_matches_torch

import cnnspec
from cnnspec import formulas
from cnnspec.errors import InvalidConfig
from cnnspec.layers import (
    Activation,
    AdaptiveAvgPool,
    BatchNorm,
    Conv,
    ConvTranspose,
    Dense,
    Dropout,
    Flatten,
    GlobalAvgPool,
    MaxPool,
    ReLU,
    Residual,
)
from cnnspec.summary import summarize

H, W = sympy.symbols("H W", integer=True, positive=True)


# ---------------------------------------------------------------------- concrete sizes


@cites("conv.out-size", "params.conv", "macs.conv", "rf.size", "rf.jump", "rf.start")
def test_rows_of_a_small_stack():
    s = summarize([Conv(8, 3, stride=2, padding=1), ReLU(), MaxPool(2)], (3, 32, 32))
    conv, relu, pool = s.rows
    assert conv.output_shape == (8, 16, 16)  # floor((32 + 2 - 3)/2) + 1 = 16
    assert conv.params == 224  # 8*3*9 + 8
    assert conv.macs == 55_296  # 8*16*16 * 3*9
    assert conv.receptive_field == (formulas.RF(3, 2, -1),) * 2
    assert relu.output_shape == (8, 16, 16) and relu.params == 0
    assert pool.output_shape == (8, 8, 8)
    assert pool.receptive_field == (formulas.RF(5, 4, -1),) * 2  # 3 + (2-1)*2; jump 2*2
    assert (s.total_params, s.total_macs, s.output_shape) == (224, 55_296, (8, 8, 8))


@cites("params.batch-norm", "params.dense", "macs.dense", "net.flatten")
def test_batch_norm_buffers_and_dense_after_flatten():
    s = summarize([Conv(4, 3, bias=False), BatchNorm(), Flatten(), Dense(10)], (2, 5, 5))
    conv, bn, flat, dense = s.rows
    assert conv.params == 72 and bn.params == 8 and bn.buffers == 8  # 4*2*9; 2*4; 2*4
    assert flat.output_shape == (36,)  # 4*3*3
    assert dense.params == 370 and dense.macs == 360  # 36*10 + 10
    assert s.total_buffers == 8


@cites("conv-transpose.out-size", "params.conv-transpose", "macs.conv-transpose")
def test_conv_transpose_row_and_undefined_receptive_field():
    row = summarize([ConvTranspose(4, 3, stride=2, padding=1, output_padding=1)], (8, 4, 4)).rows[0]
    assert row.output_shape == (4, 8, 8)  # (4-1)*2 - 2 + 2 + 1 + 1 = 8
    assert row.params == 292 and row.macs == 4_608  # 8*4*9 + 4; 8*16 * 4*9
    assert row.receptive_field is None


@cites("net.adaptive-pool", "pool.global")
def test_adaptive_and_global_pooling():
    s = summarize([AdaptiveAvgPool((2, None)), GlobalAvgPool()], (3, 8, 5))
    assert s.rows[0].output_shape == (3, 2, 5)
    assert s.rows[0].receptive_field == (formulas.RF(4, 4, 0), formulas.RF(1, 1, 0))
    assert s.rows[1].output_shape == (3,)
    assert summarize([GlobalAvgPool(keepdims=True)], (3, 8, 5)).output_shape == (3, 1, 1)
    # 10 -> 3 windows [0,4), [3,7), [6,10): not uniform, no single receptive field
    assert summarize([AdaptiveAvgPool(3)], (1, 10)).rows[0].receptive_field == (None,)


@cites("net.residual-shape", "net.rf-union")
def test_residual_block_rows_and_receptive_field_union():
    block = Residual([Conv(4, 3, stride=2, padding=1), ReLU(), Conv(4, 3, padding=1)],
                     [Conv(4, 1, stride=2)])
    s = summarize([block], (2, 8, 8))
    assert [r.index for r in s.rows] == ["0.main.0", "0.main.1", "0.main.2", "0.shortcut.0", "0"]
    assert s.rows[-1].kind == "Add" and s.output_shape == (4, 4, 4)
    # main: 3/2/-1 then 3 + 2*2 = 7, start -1 - 2 = -3; shortcut 1/2/0: union [-3, 4)
    assert s.rows[-1].receptive_field == (formulas.RF(7, 2, -3),) * 2
    assert s.total_params == 76 + 148 + 12  # 4*2*9+4, 4*4*9+4, 4*2+4


def test_input_shape_and_model_forms():
    assert summarize(Conv(2, 1), (1, 3)).output_shape == (2, 3)  # one spec
    assert summarize([[Conv(2, 1)], ReLU()], (1, 3)).rows[0].index == "0.0"  # nested list
    assert summarize([Dense(3)], (5,)).output_shape == (3,)  # a flat input
    with pytest.raises(TypeError):
        summarize(42, (1, 3))


# ---------------------------------------------------------------------- symbolic sizes


@cites("conv.out-size", "pool.ceil-mode")
@pytest.mark.parametrize("layers, expected", [
    ([Conv(1, 3, stride=2, padding=1)], sympy.ceiling(H / 2)),  # floor((H-1)/2) + 1
    ([Conv(1, 3, stride=2, padding=1)] * 2, sympy.ceiling(H / 4)),  # nested floors fold
    ([MaxPool(3, stride=2, padding=1, ceil_mode=True)], sympy.floor(H / 2) + 1),  # Min(...) folds
    ([MaxPool(2)], sympy.floor(H / 2)),
    ([Conv(1, 3, stride=2, padding="same")], sympy.ceiling(H / 2)),
    ([Conv(1, 3)], H - 2),
], ids=["conv-s2", "conv-s2-twice", "ceil-pool", "pool", "same-s2", "valid"])
def test_symbolic_sizes_come_back_simplified(layers, expected):
    out = summarize(layers, (1, "H")).output_shape[1]
    assert out == expected, f"out={out}, but should be {expected} [conv.out-size]"


def _stacks():
    conv = st.builds(lambda k, s, p, d: Conv(1, k, stride=s, padding=p, dilation=d),
                     st.integers(1, 4), st.integers(1, 3), st.integers(0, 2), st.integers(1, 2))
    pool = st.builds(lambda k, s, p, c: MaxPool(k, stride=s, padding=min(p, (k - 1) // 2),
                                                ceil_mode=c),
                     st.integers(1, 3), st.integers(1, 3), st.integers(0, 1), st.booleans())
    up = st.builds(lambda k, s, p: ConvTranspose(1, k, stride=s, padding=p),
                   st.integers(1, 3), st.integers(1, 2), st.integers(0, 1))
    return st.lists(st.one_of(conv, pool, up), min_size=1, max_size=4)


@cites("conv.out-size", "pool.out-size", "pool.ceil-mode", "conv.kernel-fits")
@given(layers=_stacks())
def test_symbolic_summary_agrees_with_every_integer_size(layers):
    """The simplified expression equals the integer summary, and the constraint H >= n is
    exact: n is valid, n - 1 is not."""
    try:
        sym = summarize(layers, (1, "H"))
    except InvalidConfig:
        assume(False)  # no size at all: drawn again (Hypothesis fails if that is every draw)
    expr, cons = sym.output_shape[1], sym.constraints
    n_min = int(cons[0].rhs) if cons else 1
    assert all(isinstance(c, sympy.GreaterThan) for c in cons), cons
    if not any(isinstance(x, ConvTranspose) or isinstance(x, MaxPool) and x.ceil_mode
               for x in layers):
        assert len(expr.atoms(sympy.floor, sympy.ceiling)) <= 1, f"{expr} is not simplified"
        assert not expr.atoms(sympy.Min, sympy.Max), f"{expr} is not simplified"
    for n in range(1, n_min + 25):
        try:
            concrete = summarize(layers, (1, n)).output_shape[1]
        except InvalidConfig as exc:
            assert n < n_min, f"H={n} >= {n_min} but: {exc}"
            continue
        assert n >= n_min, f"H={n} is valid, but the constraint says H >= {n_min}"
        assert expr.subs(H, n) == concrete, f"{expr} at H={n} != {concrete} [conv.out-size]"


@cites("conv.kernel-fits")
def test_symbolic_constraint_and_its_boundary_pair():
    s = summarize([Conv(4, 5), MaxPool(2)], (1, "H", "W"))
    assert s.constraints == (sympy.Ge(H, 6), sympy.Ge(W, 6))  # H - 4 >= 2
    summarize([Conv(4, 5), MaxPool(2)], (1, 6, 6))
    with pytest.raises(InvalidConfig, match=r"layer 1 .*\[pool\.kernel-fits\]"):
        summarize([Conv(4, 5), MaxPool(2)], (1, 5, 6))


@cites("params.dense", "net.flatten")
def test_symbolic_params_of_a_dense_layer_on_an_image():
    s = summarize([Flatten(), Dense(300)], (3, "H", "W"))
    assert sympy.expand(s.total_params - (900 * H * W + 300)) == 0  # 3HW*300 + 300


@cites("net.residual-shape")
def test_symbolic_branches_that_agree_for_even_sizes_only():
    s = summarize([Residual([MaxPool(2, ceil_mode=True)], [MaxPool(2)])], (1, "H"))
    assert sympy.Eq(sympy.Mod(H, 2), 0) in s.constraints  # ceil(H/2) = floor(H/2) iff H even
    with pytest.raises(InvalidConfig, match=r"for every size \[net\.residual-shape\]"):
        summarize([Residual([Conv(1, 3)], [Conv(1, 1)])], (1, "H"))  # H - 2 != H


# ---------------------------------------------------------------------- invalid networks


@pytest.mark.parametrize("layers, shape, rule, where", [
    ([Conv(4, 3), Conv(4, 3, in_channels=3)], (3, 8, 8), "conv.channels", "layer 1"),
    ([Conv(4, 3), BatchNorm(8)], (3, 8, 8), "net.channels", "layer 1"),
    ([Conv(4, 3), Dense(10)], (3, 8, 8), "net.flatten", "layer 1"),
    ([Flatten(), Dense(10, in_features=7)], (3, 2, 2), "net.channels", "layer 1"),
    ([Conv(4, 3), Conv(4, 3), Conv(4, 5)], (1, 8, 8), "conv.kernel-fits", "layer 2"),
    ([MaxPool(2), MaxPool(2), MaxPool(2)], (1, 4, 4), "pool.kernel-fits", "layer 2"),
    ([Conv(4, 3, groups=2)], (3, 8, 8), "conv.groups", "layer 0"),
    ([ReLU(), Residual([Conv(4, 3)])], (3, 8, 8), "net.residual-shape", "layer 1"),
    ([Residual([ReLU(), Conv(4, 9)])], (3, 8, 8), "conv.kernel-fits", "layer 0.main.1"),
    ([ConvTranspose(2, 3, padding=2)], (1, 1), "conv-transpose.out-size", "layer 0"),
    ([Conv(4, 3, padding="bogus")], (1, 8), "config.padding", "layer 0"),
    ([ReLU(), "conv"], (1, 8), "net.layer", "layer 1"),
    ([ReLU(), MaxPool(2, padding=2)], (1, 8), "pool.window-has-input", "layer 1"),
], ids=["conv-in_channels", "bn-num_features", "dense-not-flat", "dense-in_features",
        "size-reaches-0", "pool-size-reaches-0", "groups", "residual-shape", "nested-index",
        "transpose-size-0", "padding-word", "not-a-spec", "padding-only-window"])
def test_rejects(layers, shape, rule, where):
    with pytest.raises(InvalidConfig) as info:
        summarize(layers, shape)
    assert info.value.rule == rule
    assert str(info.value).startswith(where + " ("), str(info.value)
    assert f"[{rule}]" in str(info.value)


def test_rejects_a_bad_input_shape():
    with pytest.raises(InvalidConfig, match=r"\[config\.rank\]"):
        summarize([ReLU()], (1, 2, 3, 4, 5))
    with pytest.raises(InvalidConfig, match=r"\[config\.nonempty\]"):
        summarize([ReLU()], (1, 0))


# ---------------------------------------------------------------------- rendering


def test_table_markdown_and_json():
    s = summarize([Conv(20, 7), Conv(30, 5)], (3, 32, 32))
    text = str(s)
    assert text.splitlines()[0].split()[:3] == ["#", "Layer", "Type"]
    assert "Total params: 17,990" in text  # 2,960 + 15,030
    md = s.to_markdown()
    assert md.startswith("| # | Layer |") and "| 15,030 |" in md
    data = json.loads(s.to_json())
    assert data["total_params"] == 17_990 and data["rows"][1]["output_shape"] == [30, 22, 22]
    assert data["rows"][0]["receptive_field"][0] == {"size": 7, "jump": 1, "start": 0}
    sym = json.loads(summarize([Conv(4, 5)], (1, "H")).to_json())
    assert sym["output_shape"] == [4, "H - 4"] and sym["constraints"] == ["H >= 5"]


def test_import_cnnspec_stays_light():
    code = ("import sys, cnnspec, cnnspec.summary, cnnspec.layers, cnnspec.inverse; "
            "print(sorted(m for m in ('torch', 'sympy', 'scipy') if m in sys.modules))")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert r.stdout.strip() == "[]"


def test_summarize_is_exported_from_the_package():
    from cnnspec.summary import summarize as direct

    assert cnnspec.summarize is direct


# ---------------------------------------------------------------------- against torch


@pytest.mark.torch
@cites("conv.out-size", "pool.out-size", "params.conv", "params.dense")
def test_sequential_module_matches_a_forward_pass():
    torch = pytest.importorskip("torch")
    nn = torch.nn
    model = nn.Sequential(
        nn.Conv2d(3, 8, 3, stride=2, padding=(1, 2), dilation=(1, 2)), nn.BatchNorm2d(8),
        nn.ReLU(), nn.MaxPool2d(3, stride=2, padding=1, ceil_mode=True),
        nn.Conv2d(8, 8, 3, padding="same", groups=4), nn.AvgPool2d(2, ceil_mode=True),
        nn.ConvTranspose2d(8, 4, 3, stride=2, padding=1, output_padding=1),
        nn.AdaptiveAvgPool2d((3, 2)), nn.Flatten(), nn.Dropout(), nn.Linear(24, 5))
    assert_matches_torch(model, (3, 29, 23))


@pytest.mark.torch
@cites("net.residual-shape", "net.flatten", "conv.out-size")
def test_functional_and_residual_module_matches_a_forward_pass():
    torch = pytest.importorskip("torch")
    nn, F = torch.nn, torch.nn.functional

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.a = nn.Conv1d(2, 6, 5, padding=2)
            self.b = nn.Conv1d(6, 6, 3, stride=2, padding=1)
            self.skip = nn.Conv1d(2, 6, 1, stride=2)
            self.c = nn.Conv1d(6, 6, 3, padding=1)
            self.fc = nn.Linear(6, 3)

        def forward(self, x):
            y = self.b(F.relu(self.a(x))) + self.skip(x)
            y = y + self.c(y)  # identity shortcut
            y = F.max_pool1d(y, 2, ceil_mode=True)
            return self.fc(torch.flatten(F.adaptive_avg_pool1d(y, 1), 1))

    model = Net()
    assert_matches_torch(model, (2, 37))
    s = summarize(model, (2, "L"))
    assert s.rows[-1].output_shape == (3,)
    assert sum(r.kind == "Add" for r in s.rows) == 2


@pytest.mark.torch
def test_unsupported_torch_operation_is_named():
    torch = pytest.importorskip("torch")

    class Cat(torch.nn.Module):
        def forward(self, x):
            return torch.cat([x, x], 1)

    with pytest.raises(InvalidConfig, match=r"node 'cat'.*\[net\.layer\]"):
        summarize(Cat(), (1, 4))


def _dependency_span(model, shape, axis, unit):
    """Input positions (along axis) that output unit `unit` (index 0 elsewhere) depends on."""
    import torch

    x = torch.ones(1, *shape, dtype=torch.float64, requires_grad=True)
    y = model(x)
    index = [0, 0] + [0] * (len(shape) - 1)
    index[2 + axis] = unit
    y[tuple(index)].backward()
    other = tuple(d for d in range(x.grad.ndim) if d != 2 + axis)
    hit = (x.grad != 0).any(dim=other) if other else x.grad != 0
    where = torch.nonzero(hit).flatten().tolist()
    return min(where), max(where)


def _positive_conv(nn, *args, **kwargs):
    conv = nn.Conv2d(*args, **kwargs, bias=False)
    nn.init.constant_(conv.weight, 1.0)
    return conv.double()


@pytest.mark.torch
@cites("rf.size", "rf.jump", "rf.start", "conv.dilation")
@given(layers=st.lists(st.tuples(st.sampled_from(["conv", "avg"]), st.integers(1, 3),
                                 st.integers(1, 2), st.integers(0, 1), st.integers(1, 3)),
                       min_size=1, max_size=4))
def test_receptive_field_matches_autograd_dependencies(layers):
    """Units whose span lies inside the input depend on exactly [start + u*jump, +size)."""
    torch = pytest.importorskip("torch")
    nn = torch.nn
    mods = []
    for op, k, s, p, d in layers:
        if op == "conv":
            mods.append(_positive_conv(nn, 1, 1, (k, 1), stride=(s, 1), padding=(p, 0),
                                       dilation=(d, 1)))
        else:
            mods.append(nn.AvgPool2d((k, 1), stride=(s, 1), padding=(min(p, k // 2), 0)))
    model = nn.Sequential(*mods)
    shape = (1, 40, 3)
    try:
        s = summarize(model, shape)
    except InvalidConfig:
        assume(False)
    rf = s.rows[-1].receptive_field[0]
    for unit in range(s.output_shape[1]):
        lo, hi = rf.start + unit * rf.jump, rf.start + unit * rf.jump + rf.size - 1
        if lo >= 0 and hi < shape[1]:
            assert _dependency_span(model, shape, 0, unit) == (lo, hi), \
                f"unit {unit}: RF {rf} [rf.size]"


@pytest.mark.torch
@cites("rf.size", "rf.jump", "rf.start", "conv.dilation")
def test_receptive_field_per_axis_matches_autograd_in_2d():
    torch = pytest.importorskip("torch")
    nn = torch.nn
    model = nn.Sequential(_positive_conv(nn, 1, 1, (3, 5), stride=(2, 1), dilation=(1, 2),
                                         padding=(1, 0)),
                          nn.AvgPool2d((2, 3), stride=(2, 1)),
                          _positive_conv(nn, 1, 1, 3, dilation=(2, 1)))
    s = summarize(model, (1, 40, 40))
    rf_h, rf_w = s.rows[-1].receptive_field
    # H: 3/2/-1; pool k2 s2: 3 + 1*2 = 5, jump 4; conv k3 d2: 5 + 2*2*4 = 21, start -1
    # W: d2 k5: 9/1/0; pool k3: 11; conv k3 d1: 13
    assert (rf_h, rf_w) == (formulas.RF(21, 4, -1), formulas.RF(13, 1, 0))
    assert _dependency_span(model, (1, 40, 40), 0, 2) == (7, 27)  # -1 + 2*4 = 7, 7 + 21 - 1
    assert _dependency_span(model, (1, 40, 40), 1, 5) == (5, 17)  # 0 + 5, 5 + 13 - 1


@cites("conv.out-size", "pool.ceil-mode", "conv.kernel-fits")
def test_readme_examples():
    s = summarize([Conv(25, 3), ReLU(), MaxPool(2), Conv(50, 3), ReLU(), MaxPool(2),
                   Flatten(), Dense(10)], (1, 28, 28))
    assert (s.rows[3].output_shape, s.total_params) == ((50, 11, 11), 24_060)  # 250+11300+12510
    s = summarize([Conv(64, 7, stride=2, padding=3),
                   MaxPool(3, stride=2, padding=1, ceil_mode=True), Conv(8, 5)], (3, "H", "W"))
    # ceiling(H/2), then floor(ceiling(H/2)/2) + 1, then - 4: floor((H + 1)/4) - 3
    assert s.output_shape == (8, sympy.floor((H - 11) / 4), sympy.floor((W - 11) / 4))
    assert s.constraints == (sympy.Ge(H, 15), sympy.Ge(W, 15))  # ceiling(H/2) >= 8


# ---------------------------------------------------------------------- spec values


@cites("net.layer")
@pytest.mark.parametrize("p", [0, 0.0, 0.5, 0.999])
def test_dropout_takes_a_probability_below_one(p):
    s = summarize([Dropout(p)], (3, 4))
    assert s.output_shape == (3, 4) and s.total_params == 0


@cites("net.layer")
@pytest.mark.parametrize("p, message", [
    (1, r"p=1, but should be 0 <= p < 1 \[net\.layer\]"),      # the first value past 0.999
    (1.5, r"p=1\.5, but should be 0 <= p < 1 \[net\.layer\]"),
    (-0.1, r"p=-0\.1, but should be 0 <= p < 1 \[net\.layer\]"),
    (float("nan"), r"p=nan, but should be 0 <= p < 1 \[net\.layer\]"),
    ("0.5", r"p='0\.5' \(str\), but should be a number with 0 <= p < 1 \[net\.layer\]"),
    (True, r"p=True \(bool\), but should be a number"),
], ids=["Dropout(1)", "Dropout(1.5)", "Dropout(-0.1)", "Dropout(nan)", "Dropout('0.5')",
        "Dropout(True)"])
def test_dropout_rejects_what_is_not_a_probability_below_one(p, message):
    # before: Dropout(1.5) was accepted
    with pytest.raises(InvalidConfig, match=message):
        Dropout(p)


@pytest.mark.parametrize("make, message", [
    (lambda: Conv(4, 3, name=3), r"name=3 \(int\), but should be a str or None"),
    (lambda: Activation(3), r"fn=3 \(int\), but should be the function's name"),
], ids=["Conv(name=3)", "Activation(3)"])
def test_names_are_strings(make, message):
    # before: accepted, then str(summary) failed with TypeError on the non-str cell
    with pytest.raises(TypeError, match=message):
        make()
