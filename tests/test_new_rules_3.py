"""The third batch of issue 10's rules (net.layouts, pool.max-indices): their checks run on the
reference, round trips, refusals, and the same numbers from PyTorch where it is installed.
(Their worked examples are records in cnnspec/rules/net.py, run by example_checks.)"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings

from cnnspec import layouts as L
from cnnspec import ref, rules
from cnnspec.errors import InvalidConfig

# ------------------------------------------------------------ net.layouts


@pytest.mark.parametrize("shape", [(2, 3, 7), (1, 3, 4, 5), (2, 2, 3, 4, 5), (1, 1, 1, 1, 1, 1)])
def test_layouts_are_rank_generic_round_trips(shape):  # [net.layouts]
    a = np.random.default_rng(len(shape)).integers(-9, 10, shape)
    r = len(shape) - 2
    assert L.to_channels_last(a).shape == (shape[0], *shape[2:], shape[1])
    assert L.weights_to_hwio(a).shape == (*shape[2:], shape[1], shape[0])
    assert np.array_equal(L.to_channels_first(L.to_channels_last(a)), a)
    assert np.array_equal(L.weights_from_hwio(L.weights_to_hwio(a)), a)
    assert np.array_equal(L.conv_transpose_weights_from_tf(L.conv_transpose_weights_to_tf(a)), a)
    b = np.moveaxis(a, 1, -1)  # a channels-last array
    assert np.array_equal(L.to_channels_last(L.to_channels_first(b)), b)
    hwio = np.moveaxis(a, (0, 1), (r + 1, r))  # (*K, I, O)
    assert np.array_equal(L.weights_to_hwio(L.weights_from_hwio(hwio)), hwio)


def test_layouts_refuse_arrays_without_a_spatial_axis():  # [net.layouts]
    with pytest.raises(InvalidConfig, match=r"x\.ndim=2, but should be >= 3.*\[net\.layouts\]"):
        L.to_channels_last(np.zeros((2, 3)))


@pytest.mark.parametrize("name", ["conversions_move_axes_only",
                                  "channels_last_conv_equals_channels_first"])
def test_layouts_checks_pass_on_the_reference(name):  # [net.layouts]
    check = next(c for c in rules.checks_for("net.layouts") if c.name == name)

    @settings(max_examples=60, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    @given(case=check.cases())
    def run(case):
        check.fn(None, case)

    run()


def test_layouts_check_catches_swapped_hwio(monkeypatch):  # [net.layouts]
    """weights_to_hwio giving (*K, C_out, C_in/groups) (I and O swapped) fails, citing the rule."""
    check = next(c for c in rules.checks_for("net.layouts") if c.name == "conversions_move_axes_only")
    monkeypatch.setattr(L, "weights_to_hwio", lambda w: np.moveaxis(w, (0, 1), (-2, -1)))
    x = np.zeros((1, 2, 3))
    w = np.arange(2 * 1 * 2).reshape(2, 1, 2).astype(float)  # (C_out=2, C_in=1, k=2)
    with pytest.raises(AssertionError, match=r"\[net\.layouts\]"):
        check.fn(None, (x, w, (1,), ((0, 0),), (1,), 1))


# --- against PyTorch


TORCH_CONV_ROWS = [((2, 4, 5, 6), (6, 2, 3, 2), 2, (1, 2)), ((1, 3, 7, 4), (3, 1, 2, 3), 3, (2, 1)),
                   ((2, 2, 4, 5), (4, 2, 3, 3), 1, (1, 1))]


@pytest.mark.parametrize("x_shape, w_shape, groups, stride", TORCH_CONV_ROWS)
def test_layouts_match_torch_permute_and_channels_last(x_shape, w_shape, groups, stride):  # [net.layouts]
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(sum(x_shape) + groups)
    x = rng.integers(-9, 10, x_shape).astype(float)  # (N, C_in, H, W)
    w = rng.integers(-9, 10, w_shape).astype(float)  # (C_out, C_in/groups, kH, kW)
    tx, tw = torch.from_numpy(x), torch.from_numpy(w)
    assert np.array_equal(tx.permute(0, 2, 3, 1).numpy(), L.to_channels_last(x))
    assert np.array_equal(tw.permute(2, 3, 1, 0).numpy(), L.weights_to_hwio(w))
    # channels_last is a memory format: same shape, same indices, other strides
    cl = tx.contiguous(memory_format=torch.channels_last)
    assert cl.shape == tx.shape and cl.stride() != tx.stride()
    assert np.array_equal(cl.numpy(), x)
    y = torch.nn.functional.conv2d(cl, tw.contiguous(memory_format=torch.channels_last),
                                   stride=stride, groups=groups)
    expected = ref.conv(x, w, stride=stride, groups=groups)
    assert np.array_equal(y.numpy(), expected)
    # the NHWC array torch's strides describe is ours
    assert np.array_equal(y.permute(0, 2, 3, 1).contiguous().numpy(), L.to_channels_last(expected))


def test_conv_transpose_tf_kernel_matches_torch_weight_layout():  # [net.layouts]
    torch = pytest.importorskip("torch")
    m = torch.nn.ConvTranspose2d(2, 3, (3, 4), bias=False)
    w = m.weight.detach().numpy()
    assert w.shape == (2, 3, 3, 4)  # (C_in, C_out, kH, kW)
    tf_kernel = L.conv_transpose_weights_to_tf(w)
    assert tf_kernel.shape == (3, 4, 3, 2)  # (h, w, out, in)
    assert np.array_equal(m.weight.detach().permute(2, 3, 1, 0).numpy(), tf_kernel)


# ------------------------------------------------------------ pool.max-indices

from cnnspec.ref.pool_indices import max_pool_with_indices, onnx_indices  # noqa: E402


def test_max_indices_check_passes_on_the_reference():  # [pool.max-indices]
    check = rules.checks_for("pool.max-indices")[0]

    @settings(max_examples=100, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    @given(case=check.cases())
    def run(case):
        check.fn(None, case)

    run()


INDICES_ROWS = [((2, 3, 9), dict(kernel=3, stride=2, padding=1, dilation=1)),
                ((1, 2, 7), dict(kernel=2, stride=1, padding=1, dilation=3, ceil_mode=True)),
                ((2, 2, 5, 6), dict(kernel=(2, 3), stride=(2, 1), padding=(1, 1), dilation=1)),
                ((1, 3, 6, 5), dict(kernel=3, stride=2, padding=0, dilation=(2, 1), ceil_mode=True)),
                ((2, 1, 4, 5, 3), dict(kernel=2, stride=1, padding=1, dilation=1)),
                ((1, 2, 5, 4, 6), dict(kernel=(3, 2, 2), stride=(2, 2, 3), padding=(1, 0, 1),
                                       dilation=(1, 2, 1), ceil_mode=True))]


@pytest.mark.parametrize("shape, kw", INDICES_ROWS,
                         ids=[f"max_pool(x: {s}, {kw})" for s, kw in INDICES_ROWS])
def test_max_indices_match_torch(shape, kw):  # [pool.max-indices]
    torch = pytest.importorskip("torch")
    r = len(shape) - 2
    x = np.random.default_rng(sum(shape)).integers(-2, 3, shape).astype(float)  # many ties
    f = getattr(torch.nn.functional, f"max_pool{r}d")
    ty, ti = f(torch.from_numpy(x), kw["kernel"], kw["stride"], kw["padding"], kw["dilation"],
               ceil_mode=kw.get("ceil_mode", False), return_indices=True)
    pads = kw["padding"] if isinstance(kw["padding"], tuple) else (kw["padding"],) * r
    y, i = max_pool_with_indices(x, **{**kw, "padding": tuple((p, p) for p in pads)})
    assert np.array_equal(y, ty.numpy())
    assert np.array_equal(i, ti.numpy())
    if kw["dilation"] != 1 or kw.get("ceil_mode"):
        return  # max_unpool has no dilation: it checks output_size against the undilated size
    # MaxUnpool scatters each value back to its index in a zero array of x's shape
    u = getattr(torch.nn.functional, f"max_unpool{r}d")(ty, ti, kw["kernel"], kw["stride"],
                                                           kw["padding"], output_size=shape[2:])
    back = np.zeros(x.size)
    back[onnx_indices(i, x.shape).ravel()] = y.ravel()
    assert np.array_equal(u.numpy(), back.reshape(shape))
