"""The JAX and TensorFlow targets: how each maps the contract onto its library.

Hand-worked cases with known answers (values like 10*i + j show where each output came
from): asymmetric padding, per-axis stride and dilation, groups, output_padding, the
padding value of max pooling and the average divisor; then each target's own limits
(NotImplementedError naming the library limit), a library refusal passed on unchanged,
LIBRARY, and the ImportError naming the pip extra.  Skipped, with the reason, where the
library is not installed.
"""

from __future__ import annotations

import importlib
import sys

import numpy as np
import pytest
from helpers import arange, cites

from cnnspec.targets import load_target

LIBS = {"jax": "jax", "tensorflow": "tensorflow"}  # short name -> the library it needs


@pytest.fixture(scope="module", params=sorted(LIBS))
def target(request):
    pytest.importorskip(LIBS[request.param])
    return load_target(request.param).module


def row(*values: float) -> np.ndarray:
    """A (1, 1, W) array: one sample, one channel."""
    return np.array(values, dtype=np.float64).reshape(1, 1, -1)


UNIT1 = dict(stride=(1,), dilation=(1,), groups=1)


# ---------------------------------------------------------------- conv


@cites("conv.padding")
def test_conv_asymmetric_padding(target):
    # xpad = [0, 0, 0, 1, 2, 3, 0]; y[j] = xpad[j] + 10 * xpad[j + 1]
    y = target.conv(arange(1, 1, 4), row(1, 10), None, padding=((2, 1),), **UNIT1)
    np.testing.assert_array_equal(y, row(0, 0, 10, 21, 32, 3))


@cites("conv.stride", "conv.dilation")
def test_conv_per_axis_stride_and_dilation(target):
    x = (10.0 * np.arange(3)[:, None] + np.arange(5)).reshape(1, 1, 3, 5)  # x[i, j] = 10i + j
    w = np.ones((1, 1, 1, 2))                                            # taps 2 apart on axis 1
    y = target.conv(x, w, None, stride=(1, 2), padding=((0, 0), (0, 0)), dilation=(1, 2),
                    groups=1)
    # y[i, p] = x[i, 2p] + x[i, 2p + 2]
    np.testing.assert_array_equal(y, np.array([[2, 6], [22, 26], [42, 46]]).reshape(1, 1, 3, 2))


@cites("conv.groups", "conv.bias")
def test_conv_groups_and_bias(target):
    x = np.array([1.0, 2, 3, 4]).reshape(1, 4, 1)                 # channels 1, 2 | 3, 4
    w = np.array([[1.0, 10], [100, 1000]]).reshape(2, 2, 1)       # (C_out, C_in / 2, K)
    y = target.conv(x, w, np.array([0.5, -1.0]), stride=(1,), padding=((0, 0),),
                    dilation=(1,), groups=2)
    # group 0: 1*1 + 2*10 + 0.5; group 1: 3*100 + 4*1000 - 1
    np.testing.assert_array_equal(y, np.array([21.5, 4299.0]).reshape(1, 2, 1))


# ---------------------------------------------------------------- conv_transpose


@cites("conv-transpose.def", "conv-transpose.output-padding", "conv-transpose.bias")
def test_conv_transpose_stride_output_padding_and_crop(target):
    # full: x0*w at 0 + x1*w at 2 = [1, 10, 102, 20, 200]; output_padding appends one cell
    # (bias only), padding (1, 0) crops the first: [10, 102, 20, 200, 0] + 1
    y = target.conv_transpose(row(1, 2), row(1, 10, 100), np.array([1.0]), stride=(2,),
                              padding=((1, 0),), output_padding=(1,), dilation=(1,), groups=1)
    np.testing.assert_array_equal(y, row(11, 103, 21, 201, 1))


# ---------------------------------------------------------------- pooling


@cites("pool.max-def")
def test_max_pool_pads_with_minus_infinity(target):
    # padded [-inf, -1, -2, -3, -inf]: a zero padding would give 0 at both ends
    y = target.max_pool(row(-1, -2, -3), kernel=(2,), stride=(1,), padding=((1, 1),),
                        dilation=(1,), ceil_mode=False)
    np.testing.assert_array_equal(y, row(-1, -1, -2, -3))


@cites("pool.max-def")
def test_max_pool_dilation(target):
    # windows (0, 2), (1, 3), (2, 4) of [5, 1, 4, 2, 3]
    y = target.max_pool(row(5, 1, 4, 2, 3), kernel=(2,), stride=(1,), padding=((0, 0),),
                        dilation=(2,), ceil_mode=False)
    np.testing.assert_array_equal(y, row(5, 2, 4))


@cites("pool.out-size", "pool.max-def")
def test_pool_stride_above_the_window(target):
    # windows [0, 1] and [3, 4] of 0..6: the cells between them are skipped
    y = target.max_pool(arange(1, 1, 7), kernel=(2,), stride=(3,), padding=((0, 0),),
                        dilation=(1,), ceil_mode=False)
    np.testing.assert_array_equal(y, row(1, 4))


@cites("pool.avg-divisor")
def test_avg_pool_counts_padding_when_asked(target):
    # padded [0, 1, 2, 3, 4, 0], windows of 3 at 0 and 2: 3/3, 9/3
    y = target.avg_pool(row(1, 2, 3, 4), kernel=(3,), stride=(2,), padding=((1, 1),),
                        ceil_mode=False, count_include_pad=True)
    np.testing.assert_array_equal(y, row(1, 3))


@cites("pool.avg-divisor")
def test_avg_pool_excludes_padding_when_asked(target):
    # padded [1, 2, 3, 4, 0] (TF's 'SAME' padding for i=4, k=3, s=2): 6/3, 7/2
    y = target.avg_pool(row(1, 2, 3, 4), kernel=(3,), stride=(2,), padding=((0, 1),),
                        ceil_mode=False, count_include_pad=False)
    np.testing.assert_array_equal(y, row(2, 3.5))


@cites("pool.ceil-mode")
@pytest.mark.parametrize("op", ["max_pool", "avg_pool"])
def test_ceil_mode_is_not_expressible(target, op):
    extra = {"dilation": (1,)} if op == "max_pool" else {"count_include_pad": True}
    with pytest.raises(NotImplementedError, match=r"ceil_mode=True: .* no ceil mode .*limit"):
        getattr(target, op)(row(1, 2, 3), kernel=(2,), stride=(2,), padding=((0, 0),),
                            ceil_mode=True, **extra)


def test_result_is_a_new_array(target):
    x = row(1, 2, 3)
    y = target.max_pool(x, kernel=(1,), stride=(1,), padding=((0, 0),), dilation=(1,),
                        ceil_mode=False)
    y[...] = 0  # writable, and not the input's memory
    np.testing.assert_array_equal(x, row(1, 2, 3))


# ---------------------------------------------------------------- JAX only


@pytest.fixture(scope="module")
def jax_target():
    pytest.importorskip("jax")
    return load_target("jax").module


@cites("conv-transpose.groups", "conv-transpose.def")
def test_jax_conv_transpose_groups_and_dilation(jax_target):
    # group 0: 1 * [1, 0, 10] (w dilated by 2); group 1: 2 * [100, 0, 1000]
    x = np.array([1.0, 2.0]).reshape(1, 2, 1)
    w = np.array([[1.0, 10], [100, 1000]]).reshape(2, 1, 2)       # (C_in, C_out / 2, K)
    y = jax_target.conv_transpose(x, w, None, stride=(1,), padding=((0, 0),),
                                  output_padding=(0,), dilation=(2,), groups=2)
    np.testing.assert_array_equal(y, np.array([[1.0, 0, 10], [200, 0, 2000]]).reshape(1, 2, 3))


@cites("pool.avg-divisor")
def test_jax_avg_pool_excludes_any_padding(jax_target):
    # padded [0, 1, 2, 3, 4, 0]: windows [0, 1, 2] -> 3/2 (two input cells), [2, 3, 4] -> 9/3
    y = jax_target.avg_pool(row(1, 2, 3, 4), kernel=(3,), stride=(2,), padding=((1, 1),),
                            ceil_mode=False, count_include_pad=False)
    np.testing.assert_array_equal(y, row(1.5, 3))


def test_jax_computes_in_float64(jax_target):
    y = jax_target.conv(row(1 + 2.0 ** -40), row(1), None, padding=((0, 0),), **UNIT1)
    assert y.dtype == np.float64, f"y.dtype={y.dtype}, but should be float64"
    assert y[0, 0, 0] == 1 + 2.0 ** -40, f"y={y.ravel()}: float64 bits lost"


# ---------------------------------------------------------------- TensorFlow only


@pytest.fixture(scope="module")
def tf_target():
    pytest.importorskip("tensorflow")
    return load_target("tensorflow").module


@pytest.mark.parametrize("call", [
    pytest.param(lambda t: t.conv_transpose(np.ones((1, 2, 2)), np.ones((2, 1, 2)), None,
                                            stride=(1,), padding=((0, 0),), output_padding=(0,),
                                            dilation=(1,), groups=2), id="conv_transpose_groups"),
    pytest.param(lambda t: t.conv(np.ones((1, 2, 3, 3, 3)), np.ones((2, 1, 1, 1, 1)), None,
                                  stride=(1,) * 3, padding=((0, 0),) * 3, dilation=(1,) * 3,
                                  groups=2), id="conv3d_groups"),
    pytest.param(lambda t: t.max_pool(row(1, 2, 3, 4, 5), kernel=(2,), stride=(2,),
                                      padding=((0, 0),), dilation=(2,), ceil_mode=False),
                 id="pool_dilation_with_stride"),
    pytest.param(lambda t: t.avg_pool(row(1, 2, 3, 4), kernel=(3,), stride=(2,),
                                      padding=((1, 1),), ceil_mode=False,
                                      count_include_pad=False), id="avg_exclude_not_same"),
])
def test_tf_limits_are_unsupported(tf_target, call):
    with pytest.raises(NotImplementedError, match=r"TF limit"):
        call(tf_target)


def test_tf_refusal_passes_unchanged(tf_target):
    import tensorflow as tf

    # the CPU Conv3D kernel takes no dilation: TF's own error, not the adapter's
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"dilat"):
        tf_target.conv(np.ones((1, 1, 5, 5, 5)), np.ones((1, 1, 2, 2, 2)), None,
                       stride=(1,) * 3, padding=((0, 0),) * 3, dilation=(2,) * 3, groups=1)


def test_tf_3d_pooling_is_float32_the_rest_float64(tf_target):
    x = arange(1, 1, 2, 2, 2)                                     # 0..7
    y3 = tf_target.max_pool(x, kernel=(2, 2, 2), stride=(1,) * 3, padding=((0, 0),) * 3,
                            dilation=(1,) * 3, ceil_mode=False)
    assert y3.dtype == np.float32 and y3.ravel().tolist() == [7.0], f"y={y3!r}"
    y1 = tf_target.avg_pool(row(1, 2), kernel=(2,), stride=(1,), padding=((0, 0),),
                            ceil_mode=False, count_include_pad=True)
    assert y1.dtype == np.float64 and y1.ravel().tolist() == [1.5], f"y={y1!r}"


# ---------------------------------------------------------------- module attributes


@pytest.mark.parametrize("name", sorted(LIBS))
def test_library_names_the_installed_version(name):
    lib = pytest.importorskip(LIBS[name])
    assert load_target(name).library == f"{name} {lib.__version__}"


@pytest.mark.parametrize("name", sorted(LIBS))
def test_import_without_the_library_names_the_pip_extra(name, monkeypatch):
    monkeypatch.setitem(sys.modules, LIBS[name], None)            # `import <lib>` now fails
    monkeypatch.delitem(sys.modules, f"cnnspec.targets.{name}", raising=False)
    with pytest.raises(ImportError, match=rf"pip install 'cnnspec\[{name}\]'"):
        importlib.import_module(f"cnnspec.targets.{name}")
    monkeypatch.delitem(sys.modules, f"cnnspec.targets.{name}", raising=False)
    with pytest.raises(ImportError, match=rf'built-in target {name!r}.*cnnspec\[{name}\]'):
        load_target(name)
