"""The tinygrad and MLX built-in targets map the contract onto their libraries right.

Hand-worked small cases with known answers (each expected value is worked out in the
comment beside it), one mapped parameter each: asymmetric padding, values that differ
between axes, groups, dilation, output_padding, ceil_mode, count_include_pad; then the
limits MLX's API cannot express (NotImplementedError naming it), LIBRARY, and the ImportError
that names the pip extra.  Skipped, with the reason, where the library is not installed.

tinygrad's CPU device needs clang; where it is missing the tinygrad cases run on tinygrad's
PYTHON device (an emulator, same ops, no compiler), which tests the same mapping.
"""

from __future__ import annotations

import importlib
import importlib.metadata
import sys

import numpy as np
import pytest

from cnnspec.targets import load_target


@pytest.fixture(scope="module")
def tg():
    pytest.importorskip("tinygrad", reason="tinygrad is not installed (cnnspec[tinygrad])")
    from cnnspec.targets import tinygrad as t
    saved = t.DEVICE
    if t.UNAVAILABLE:
        t.DEVICE = "PYTHON"
    yield t
    t.DEVICE = saved


@pytest.fixture(scope="module")
def mlx():
    pytest.importorskip("mlx.core", reason="mlx is not installed (cnnspec[mlx])")
    from cnnspec.targets import mlx as m
    return m


@pytest.fixture(params=["tinygrad", "mlx"])
def target(request):
    return request.getfixturevalue({"tinygrad": "tg", "mlx": "mlx"}[request.param])


def a(*values, shape):
    return np.array(values, dtype=np.float64).reshape(shape)


def same(y, expected):
    """y equals expected exactly, shape included (all values here are exact in float32)."""
    expected = np.asarray(expected, dtype=np.float64)
    assert y.shape == expected.shape, f"y.shape={y.shape}, but should be {expected.shape}"
    assert np.array_equal(y.astype(np.float64), expected), f"y={y.tolist()}, but should be " \
        f"{expected.tolist()}"


CONV1 = dict(stride=(1,), dilation=(1,), groups=1)


# ---------------------------------------------------------------- conv


def test_conv_asymmetric_padding(target):
    # xpad = [0, 0, 1, 2, 3, 4, 0], w = [1, 10]: 0, 10, 21, 32, 43, 4
    y = target.conv(a(1, 2, 3, 4, shape=(1, 1, 4)), a(1, 10, shape=(1, 1, 2)), None,
                    padding=((2, 1),), **CONV1)
    same(y, [[[0, 10, 21, 32, 43, 4]]])


def test_conv_per_axis_stride_dilation_groups_bias(target):
    x0 = np.array([[10 * i + j for j in range(4)] for i in range(3)], dtype=float)
    x = np.stack([x0, x0 + 100])[None]                                 # (1, 2, 3, 4)
    w = a(1, 1, 1, -1, shape=(2, 1, 1, 2))                             # groups=2
    # rows 0 and 2 (stride 2), taps at columns q and q + 2 (dilation 2):
    # channel 0: x0[r, q] + x0[r, q + 2] + 1000; channel 1: x1[r, q] - x1[r, q + 2] = -2
    y = target.conv(x, w, a(1000, 0, shape=(2,)), stride=(2, 1), padding=((0, 0), (0, 0)),
                    dilation=(1, 2), groups=2)
    same(y, [[[[1002, 1004], [1042, 1044]], [[-2, -2], [-2, -2]]]])


def test_conv_accepts_numpy_integers(target):
    i1 = np.int64(1)
    y = target.conv(a(1, 2, 3, shape=(1, 1, 3)), a(1, 1, shape=(1, 1, 2)), None,
                    stride=(i1,), padding=((np.int64(0), np.int64(0)),), dilation=(i1,),
                    groups=np.int64(1))
    same(y, [[[3, 5]]])


def test_conv_returns_a_new_array_and_keeps_inputs(target):
    x, w = a(1, 2, 3, shape=(1, 1, 3)), a(1, shape=(1, 1, 1))
    y = target.conv(x, w, None, padding=((0, 0),), **CONV1)
    same(y, [[[1, 2, 3]]])
    assert not np.shares_memory(y, x)
    same(x, [[[1, 2, 3]]])


# ---------------------------------------------------------------- conv_transpose


def test_conv_transpose_stride_padding_output_padding(target):
    # full output t = 2i + k: 1, 10, 100+2, 20, 200+3, 30, 300, then 1 output_padding cell 0;
    # padding (1, 1) crops one cell each side
    y = target.conv_transpose(a(1, 2, 3, shape=(1, 1, 3)), a(1, 10, 100, shape=(1, 1, 3)),
                              None, stride=(2,), padding=((1, 1),), output_padding=(1,),
                              dilation=(1,), groups=1)
    same(y, [[[10, 102, 20, 203, 30, 300]]])


def test_conv_transpose_weight_is_c_in_by_c_out(target):
    # y[o] = sum_c x[c] w[c, o] = 1 * w[0, o] + 2 * w[1, o]
    y = target.conv_transpose(a(1, 2, shape=(1, 2, 1)), a(1, 2, 3, 10, 20, 30, shape=(2, 3, 1)),
                              a(0, 0, 1000, shape=(3,)), stride=(1,), padding=((0, 0),),
                              output_padding=(0,), dilation=(1,), groups=1)
    same(y, [[[21], [42], [1063]]])


def test_conv_transpose_groups(target):
    # group 0: channels 0, 1 -> outputs 0, 1; group 1: channels 2, 3 -> outputs 2, 3
    # y0 = 1*1 + 2*100, y1 = 1*10 + 2*1000, y2 = 3*2 + 4*200, y3 = 3*20 + 4*2000
    w = a(1, 10, 100, 1000, 2, 20, 200, 2000, shape=(4, 2, 1))
    y = target.conv_transpose(a(1, 2, 3, 4, shape=(1, 4, 1)), w, None, stride=(1,),
                              padding=((0, 0),), output_padding=(0,), dilation=(1,), groups=2)
    same(y, [[[201], [2010], [806], [8060]]])


def test_conv_transpose_dilation_per_axis(target):
    # axis 0: K=1, stride 3 -> rows 0 and 3 (rows 1, 2 zero); axis 1: taps 2 apart, t = i + 2k
    x = a(1, 2, 3, 4, shape=(1, 1, 2, 2))
    y = target.conv_transpose(x, a(1, 10, shape=(1, 1, 1, 2)), None, stride=(3, 1),
                              padding=((0, 0), (0, 0)), output_padding=(0, 0),
                              dilation=(1, 2), groups=1)
    same(y, [[[[1, 2, 10, 20], [0, 0, 0, 0], [0, 0, 0, 0], [3, 4, 30, 40]]]])


def test_tinygrad_conv_transpose_asymmetric_padding(tg):
    # the full output of the stride-padding case above, 0 cropped before and 2 after
    y = tg.conv_transpose(a(1, 2, 3, shape=(1, 1, 3)), a(1, 10, 100, shape=(1, 1, 3)), None,
                          stride=(2,), padding=((0, 2),), output_padding=(1,), dilation=(1,),
                          groups=1)
    same(y, [[[1, 10, 102, 20, 203, 30]]])


# ---------------------------------------------------------------- pooling


POOL1 = dict(kernel=(2,), stride=(2,), padding=((0, 0),), dilation=(1,))


def test_max_pool_per_axis_padding_and_stride(target):
    x = np.array([[10 * i + j for j in range(4)] for i in range(3)], dtype=float)[None, None]
    # rows padded by -inf both sides, windows of 2 rows every 2 (rows -1..0, 1..2);
    # columns windows of 3 every 1: the max is the bottom-right cell
    y = target.max_pool(x, kernel=(2, 3), stride=(2, 1), padding=((1, 1), (0, 0)),
                        dilation=(1, 1), ceil_mode=False)
    same(y, [[[[2, 3], [22, 23]]]])


def test_avg_pool_counts_padding(target):
    # xpad = [0, 2, 4, 6, 0]: (0+2)/2, (2+4)/2, (4+6)/2, (6+0)/2
    y = target.avg_pool(a(2, 4, 6, shape=(1, 1, 3)), kernel=(2,), stride=(1,),
                        padding=((1, 1),), ceil_mode=False, count_include_pad=True)
    same(y, [[[1, 3, 5, 3]]])


def test_tinygrad_max_pool_asymmetric_padding_and_dilation(tg):
    # xpad = [-inf, 1, 5, 2]: max of 2 neighbours: 1, 5, 5
    same(tg.max_pool(a(1, 5, 2, shape=(1, 1, 3)), kernel=(2,), stride=(1,),
                     padding=((1, 0),), dilation=(1,), ceil_mode=False), [[[1, 5, 5]]])
    # taps 2 apart: max(1, 2), max(5, 4), max(2, 3)
    same(tg.max_pool(a(1, 5, 2, 4, 3, shape=(1, 1, 5)), kernel=(2,), stride=(1,),
                     padding=((0, 0),), dilation=(2,), ceil_mode=False), [[[2, 5, 3]]])


def test_tinygrad_max_pool_ceil_mode(tg):
    x = a(1, 5, 2, 4, 3, shape=(1, 1, 5))
    same(tg.max_pool(x, **POOL1, ceil_mode=False), [[[5, 4]]])
    same(tg.max_pool(x, **POOL1, ceil_mode=True), [[[5, 4, 3]]])      # last window [3]


def test_tinygrad_avg_pool_count_include_pad_and_ceil_mode(tg):
    # xpad = [0, 2, 4, 6, 0], padding not counted: 2/1, 6/2, 10/2, 6/1
    same(tg.avg_pool(a(2, 4, 6, shape=(1, 1, 3)), kernel=(2,), stride=(1,), padding=((1, 1),),
                     ceil_mode=False, count_include_pad=False), [[[2, 3, 5, 6]]])
    # ceil mode: windows [2, 4] and [6]; the overhang is not counted
    same(tg.avg_pool(a(2, 4, 6, shape=(1, 1, 3)), kernel=(2,), stride=(2,), padding=((0, 0),),
                     ceil_mode=True, count_include_pad=True), [[[3, 6]]])


def test_mlx_pool_without_padding_takes_count_include_pad_false(mlx):
    same(mlx.avg_pool(a(2, 4, 6, 8, shape=(1, 1, 4)), kernel=(2,), stride=(2,),
                      padding=((0, 0),), ceil_mode=False, count_include_pad=False),
         [[[3, 7]]])


# ---------------------------------------------------------------- MLX's API limits


@pytest.mark.parametrize("op, kwargs, names", [
    ("conv_transpose", dict(padding=((0, 1),), output_padding=(0,), stride=(1,),
                            dilation=(1,), groups=1), "padding[0]=(0, 1)"),
    ("max_pool", dict(POOL1, ceil_mode=True), "ceil_mode=True"),
    ("max_pool", dict(POOL1, dilation=(2,), ceil_mode=False), "dilation=(2,)"),
    ("max_pool", dict(POOL1, padding=((1, 0),), ceil_mode=False), "padding[0]=(1, 0)"),
    ("avg_pool", dict(kernel=(2,), stride=(2,), padding=((1, 1),), ceil_mode=False,
                      count_include_pad=False), "count_include_pad=False"),
    ("avg_pool", dict(kernel=(2,), stride=(2,), padding=((0, 0),), ceil_mode=True,
                      count_include_pad=True), "ceil_mode=True"),
], ids=["conv_transpose-asymmetric-padding", "max_pool-ceil_mode", "max_pool-dilation",
        "max_pool-asymmetric-padding", "avg_pool-count_include_pad", "avg_pool-ceil_mode"])
def test_mlx_refuses_what_its_api_cannot_express(mlx, op, kwargs, names):
    x = a(1, 2, 3, 4, shape=(1, 1, 4))
    args = (x, a(1, shape=(1, 1, 1)), None) if op == "conv_transpose" else (x,)
    with pytest.raises(NotImplementedError, match=r"MLX API limit") as info:
        getattr(mlx, op)(*args, **kwargs)
    assert names in str(info.value)


def test_mlx_returns_float32(mlx):
    y = mlx.conv(a(1, 2, shape=(1, 1, 2)), a(1, shape=(1, 1, 1)), None, padding=((0, 0),),
                 **CONV1)
    assert y.dtype == np.float32


def test_tinygrad_names_a_missing_compiler(tg, monkeypatch):
    monkeypatch.setattr(tg, "DEVICE", "CPU")
    monkeypatch.setenv("CC", "no-such-compiler-cnnspec")
    reason = tg._unavailable()
    assert reason is not None and "'no-such-compiler-cnnspec'" in reason


# ---------------------------------------------------------------- LIBRARY, import errors


def test_library_names_the_installed_version(tg, mlx):
    assert load_target("tinygrad").library == f"tinygrad {importlib.metadata.version('tinygrad')}"
    assert load_target("mlx").library == f"mlx {importlib.metadata.version('mlx')}"


@pytest.mark.parametrize("name, hidden", [("tinygrad", ("tinygrad",)),
                                          ("mlx", ("mlx", "mlx.core", "mlx.nn"))])
def test_import_error_names_the_pip_extra(monkeypatch, name, hidden):
    for mod in hidden:
        monkeypatch.setitem(sys.modules, mod, None)   # import of mod raises ImportError
    monkeypatch.delitem(sys.modules, f"cnnspec.targets.{name}", raising=False)
    with pytest.raises(ImportError, match=rf"cnnspec\[{name}\]"):
        importlib.import_module(f"cnnspec.targets.{name}")
    with pytest.raises(ImportError, match=rf"built-in target '{name}'.*cnnspec\[{name}\]"):
        load_target(name)
