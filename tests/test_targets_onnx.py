"""The ONNX targets (onnxruntime, onnx-reference): the contract's arguments reach ONNX right.

These test the mapping, not the libraries: hand-worked cases (values ``10*i + j``, so each
output says which cells it read) whose answers are derived in the comments, on features
where ONNX documents the spec's behaviour.  Where a library deviates from the spec
(conformance/repros/onnx_reference/), the case for that library is left out here: the
conformance run reports it.  Also: the mapping and the cache with a stand-in runtime (no
library run), the ImportError naming the pip extra, LIBRARY, and one conform run end to end.
"""

from __future__ import annotations

import importlib
import re
import sys

import numpy as np
import pytest
from helpers import cites

onnx = pytest.importorskip("onnx", reason="the ONNX targets need onnx: pip install 'cnnspec[onnx]'")

from cnnspec.targets import _onnx, load_target  # noqa: E402 - after the skip

TARGETS = ["onnxruntime", "onnx-reference"]


@pytest.fixture(params=TARGETS)
def target(request):
    if request.param == "onnxruntime":
        pytest.importorskip("onnxruntime", reason="pip install 'cnnspec[onnxruntime]'")
    return load_target(request.param)


def grid(*shape: int) -> np.ndarray:
    """x[..., i, j] = 10*i + j (2-D) or x[..., j] = j (1-D), in float64."""
    idx = np.indices(shape[2:])
    value = sum(10 ** (len(shape) - 3 - a) * idx[a] for a in range(len(shape) - 2))
    return np.broadcast_to(value, shape).astype(np.float64)


def call(target, op, *args, **kwargs):
    y = target.op(op)(*args, **kwargs)
    assert isinstance(y, np.ndarray) and y.dtype.kind == "f", f"{op} returned {y!r}"
    return y.astype(np.float64)


# ---------------------------------------------------------------- conv


@cites("conv.def", "conv.out-size", "conv.dilation", "conv.bias")
def test_conv_asymmetric_padding_per_axis_stride_and_dilation(target):
    # x: (1, 1, 3, 4), x[i, j] = 10i + j; padding rows (0, 1), columns (0, 2) -> xpad (4, 6)
    # (pads [0, 0, 1, 2]; read as [b1, a1, b2, a2] it would pad columns (1, 2) instead)
    # w taps (0, 0) = 1 and (1, 1) = 100; stride (1, 2), dilation (2, 1):
    #   y[p, q] = 7 + xpad[p, 2q] + 100 * xpad[p + 2, 2q + 1],  y: (2, 3)
    #   y[0] = 7 + [x[0,0] + 100*x[2,1], x[0,2] + 100*x[2,3], 0] = [2107, 2309, 7]
    #   y[1] = 7 + [x[1,0] + 0, x[1,2] + 0, 0] = [17, 19, 7]      (row 3 is padding)
    w = np.array([[[[1.0, 0.0], [0.0, 100.0]]]])  # (1, 1, 2, 2)
    y = call(target, "conv", grid(1, 1, 3, 4), w, np.array([7.0]), stride=(1, 2),
             padding=((0, 1), (0, 2)), dilation=(2, 1), groups=1)
    np.testing.assert_array_equal(y, [[[[2107, 2309, 7], [17, 19, 7]]]])


@cites("conv.groups", "conv.bias")
def test_conv_groups_without_bias(target):
    # groups=2: outputs 0, 1 read input channel 0; outputs 2, 3 read channel 1; K = 1
    x = np.array([[[1.0, 2.0], [10.0, 20.0]]])  # (1, 2, 2)
    w = np.array([1.0, 2.0, 3.0, 4.0]).reshape(4, 1, 1)  # (C_out=4, C_in/groups=1, K=1)
    y = call(target, "conv", x, w, None, stride=(1,), padding=((0, 0),), dilation=(1,),
             groups=2)
    np.testing.assert_array_equal(y, [[[1, 2], [2, 4], [30, 60], [40, 80]]])


# ---------------------------------------------------------------- conv_transpose


@cites("conv-transpose.def", "conv-transpose.out-size", "conv-transpose.output-padding")
def test_conv_transpose_stride_dilation_padding_and_output_padding(target):
    # x = [1, 10], w = [1, 100], stride 3, dilation 2: y_full[3i + 2k] += x[i] w[k]
    #   -> positions 0: 1, 2: 100, 3: 10, 5: 1000; output_padding 2 appends [0, 0]
    #   y_full = [1, 0, 100, 10, 0, 1000, 0, 0]; padding (1, 0) crops one cell before; b = 5
    y = call(target, "conv_transpose", np.array([[[1.0, 10.0]]]), np.array([[[1.0, 100.0]]]),
             np.array([5.0]), stride=(3,), padding=((1, 0),), output_padding=(2,),
             dilation=(2,), groups=1)
    np.testing.assert_array_equal(y, [[[5, 105, 15, 5, 1005, 5, 5]]])


@cites("conv-transpose.groups")
@pytest.mark.parametrize("target", ["onnxruntime"], indirect=True)
def test_conv_transpose_groups_without_bias(target):
    # groups=2, w: (C_in=2, C_out/groups=2, K=1): output channels 0, 1 come from input 0,
    # 2, 3 from input 1; y[2g + o'] = x[g] * w[g, o'].  onnx.reference raises here (it
    # slices W by output channel): conformance/repros/onnx_reference/
    x = np.array([[[1.0, 2.0], [3.0, 4.0]]])  # (1, 2, 2)
    w = np.array([[[1.0], [2.0]], [[10.0], [100.0]]])  # (2, 2, 1)
    y = call(target, "conv_transpose", x, w, None, stride=(1,), padding=((0, 0),),
             output_padding=(0,), dilation=(1,), groups=2)
    np.testing.assert_array_equal(y, [[[1, 2], [2, 4], [30, 40], [300, 400]]])


# ---------------------------------------------------------------- pooling


@cites("pool.max-def", "pool.out-size")
def test_max_pool_asymmetric_padding_per_axis_stride_and_dilation(target):
    # x: (1, 1, 4, 5), x[i, j] = 10i + j - 100 (all negative: padding must be -inf, not 0)
    # padding rows (1, 0) -> 5 rows, kernel 2 dilation 2 stride 2 -> windows rows {-1, 1}, {1, 3}
    # padding columns (1, 1) -> 7 columns, kernel 2 stride 3 -> windows columns {-1, 0}, {2, 3}
    #   y = [[x[1,0], x[1,3]], [x[3,0], x[3,3]]] = [[-90, -87], [-70, -67]]
    y = call(target, "max_pool", grid(1, 1, 4, 5) - 100, kernel=(2, 2), stride=(2, 3),
             padding=((1, 0), (1, 1)), dilation=(2, 1), ceil_mode=False)
    np.testing.assert_array_equal(y, [[[[-90, -87], [-70, -67]]]])


@cites("pool.avg-def", "pool.avg-divisor")
@pytest.mark.parametrize("count_include_pad, expected", [
    (True, [[0.25, 1.75], [8, 18.5]]),   # divisor 4 everywhere
    (False, [[1, 3.5], [16, 18.5]]),     # divisor = input cells in the window: 1, 2, 2, 4
])
def test_avg_pool_asymmetric_padding_and_count_include_pad(target, count_include_pad, expected):
    # x: (1, 1, 4, 5), x[i, j] = 10i + j + 1; kernel 2, stride (2, 3), padding ((1, 0), (1, 1))
    # windows rows {-1, 0}, {1, 2}; columns {-1, 0}, {2, 3}; window sums over the input:
    #   [[x[0,0], x[0,2] + x[0,3]], [x[1,0] + x[2,0], x[1,2] + x[1,3] + x[2,2] + x[2,3]]]
    #   = [[1, 7], [32, 74]]
    y = call(target, "avg_pool", grid(1, 1, 4, 5) + 1, kernel=(2, 2), stride=(2, 3),
             padding=((1, 0), (1, 1)), ceil_mode=False, count_include_pad=count_include_pad)
    np.testing.assert_array_equal(y, [[expected]])


@cites("pool.ceil-mode", "pool.max-def")
def test_max_pool_ceil_mode_keeps_a_window_starting_in_the_input(target):
    # x = [1..6] padded (1, 1) -> 8 cells, kernel 3 stride 3: floor 2 windows, ceil 3;
    # the third starts at cell 6 (x[5]) inside the input, so it is kept: {x[5], pad, overhang}
    x = grid(1, 1, 6) + 1
    kw = dict(kernel=(3,), stride=(3,), padding=((1, 1),), dilation=(1,))
    np.testing.assert_array_equal(call(target, "max_pool", x, ceil_mode=True, **kw),
                                  [[[2, 5, 6]]])
    np.testing.assert_array_equal(call(target, "max_pool", x, ceil_mode=False, **kw),
                                  [[[2, 5]]])


@cites("pool.ceil-mode", "pool.avg-divisor")
def test_avg_pool_ceil_mode_divisor(target):
    # windows as above: {pad, 1, 2}, {3, 4, 5}, {6, pad, overhang}; the overhang cell is
    # never counted, the padding cell only with count_include_pad
    x = grid(1, 1, 6) + 1
    kw = dict(kernel=(3,), stride=(3,), padding=((1, 1),), ceil_mode=True)
    np.testing.assert_array_equal(call(target, "avg_pool", x, count_include_pad=True, **kw),
                                  [[[1, 4, 3]]])  # (0+1+2)/3, (3+4+5)/3, (6+0)/2
    np.testing.assert_array_equal(call(target, "avg_pool", x, count_include_pad=False, **kw),
                                  [[[1.5, 4, 6]]])  # (1+2)/2, 12/3, 6/1


# ---------------------------------------------------------------- the mapping, no library


class Recorder:
    """A stand-in runtime: records each model it is asked to open; returns zeros."""

    def __init__(self):
        self.models = []

    def open(self, model):
        self.models.append(model)
        return lambda feeds: np.zeros((1,))


def attributes(model):
    node = model.graph.node[0]
    return node.op_type, list(node.input), {a.name: onnx.helper.get_attribute_value(a)
                                            for a in node.attribute}


def test_pads_lists_every_before_then_every_after():
    assert _onnx.pads(((1, 2), (3, 4), (5, 6))) == [1, 3, 5, 2, 4, 6]


def test_conv_transpose_node_carries_every_parameter():
    rec = Recorder()
    _, conv_transpose, _, _ = _onnx.ops(rec.open, dict.fromkeys(
        ("conv", "conv_transpose", "max_pool", "avg_pool"), "float64"))
    conv_transpose(np.ones((1, 4, 3, 3)), np.ones((4, 1, 2, 3)), None, stride=(2, 3),
                   padding=((0, 1), (2, 0)), output_padding=(1, 2), dilation=(1, 2), groups=2)
    op, inputs, attrs = attributes(rec.models[0])
    assert (op, inputs) == ("ConvTranspose", ["x", "w"])  # no bias input for b=None
    assert attrs == {"auto_pad": b"NOTSET", "kernel_shape": [2, 3], "strides": [2, 3],
                     "pads": [0, 2, 1, 0], "output_padding": [1, 2], "dilations": [1, 2],
                     "group": 2}
    assert rec.models[0].opset_import[0].version == _onnx.OPSET


def test_pool_nodes_carry_the_flags_and_no_validation_happens():
    rec = Recorder()
    _, _, max_pool, avg_pool = _onnx.ops(rec.open, dict.fromkeys(
        ("conv", "conv_transpose", "max_pool", "avg_pool"), "float32"))
    max_pool(np.ones((1, 1, 5)), kernel=(9,), stride=(2.0,), padding=((-1, 0),),
             dilation=(1,), ceil_mode=True)  # kernel > input, float stride: the runtime's call
    avg_pool(np.ones((1, 1, 5)), kernel=(3,), stride=(1,), padding=((1, 0),),
             ceil_mode=False, count_include_pad=True)
    (_, _, max_attrs), (_, _, avg_attrs) = map(attributes, rec.models)
    assert max_attrs["strides"] == [2.0] and isinstance(max_attrs["strides"][0], float)
    assert (max_attrs["kernel_shape"], max_attrs["pads"], max_attrs["ceil_mode"]) == ([9], [-1, 0], 1)
    assert (avg_attrs["pads"], avg_attrs["ceil_mode"], avg_attrs["count_include_pad"]) == ([1, 0], 0, 1)
    assert rec.models[0].graph.input[0].type.tensor_type.elem_type == onnx.TensorProto.FLOAT


def test_sessions_are_cached_by_op_and_attributes_not_by_shape():
    rec = Recorder()
    conv, _, _, _ = _onnx.ops(rec.open, dict.fromkeys(
        ("conv", "conv_transpose", "max_pool", "avg_pool"), "float64"))
    kw = dict(padding=((0, 0),), dilation=(1,), groups=1)
    conv(np.ones((1, 1, 5)), np.ones((1, 1, 2)), None, stride=(1,), **kw)
    conv(np.ones((3, 1, 9)), np.ones((2, 1, 2)), None, stride=(1,), **kw)  # same model
    conv(np.ones((1, 1, 5)), np.ones((1, 1, 2)), None, stride=(2,), **kw)  # new stride
    conv(np.ones((1, 1, 5)), np.ones((1, 1, 2)), np.ones(1), stride=(1,), **kw)  # bias input
    assert len(rec.models) == 3


# ---------------------------------------------------------------- loading


@pytest.mark.parametrize("module, hidden, extra", [
    ("onnxruntime", "onnxruntime", "onnxruntime"), ("onnx_reference", "onnx", "onnx")])
def test_import_without_the_library_names_the_extra(monkeypatch, module, hidden, extra):
    import cnnspec.targets

    monkeypatch.setitem(sys.modules, hidden, None)  # import <hidden> -> ImportError
    monkeypatch.delitem(sys.modules, f"cnnspec.targets.{module}", raising=False)
    monkeypatch.delattr(cnnspec.targets, module, raising=False)
    with pytest.raises(ImportError, match=re.escape(f'pip install "cnnspec[{extra}]"')):
        importlib.import_module(f"cnnspec.targets.{module}")


def test_library_names_the_version(target):
    if target.name == "onnxruntime":
        import onnxruntime

        assert target.library == f"onnxruntime {onnxruntime.__version__}"
    else:
        assert target.library == f"onnx {onnx.__version__} (onnx.reference)"


def test_conform_onnxruntime_conv_def_end_to_end(tmp_path):
    pytest.importorskip("onnxruntime", reason="pip install 'cnnspec[onnxruntime]'")
    from cnnspec.cli import main

    report = tmp_path / "report.md"
    assert main(["conform", "onnxruntime", "--profile", "quick", "--rules", "conv.def",
                 "--jobs", "1", "--report-md", str(report)]) == 0
    assert "onnxruntime" in report.read_text()
