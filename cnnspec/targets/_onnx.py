"""The ONNX targets' shared half: each contract call as a one-node ONNX model.

``onnxruntime`` and ``onnx_reference`` bind :func:`ops` to a runtime (a function that turns
a ``ModelProto`` into a callable taking the input arrays) and to the dtype each op runs in.
Each call builds one node of opset :data:`OPSET` (22: the newest version of Conv,
ConvTranspose, MaxPool and AveragePool; every attribute the contract passes exists there,
and AveragePool's dilations, which the contract does not pass, since opset 19) and feeds it
the contract's arrays:

    conv            Conv(x, w[, b])           kernel_shape=w.shape[2:], strides, pads,
                                              dilations, group
    conv_transpose  ConvTranspose(x, w[, b])  kernel_shape=w.shape[2:], strides, pads,
                                              output_padding, dilations, group
    max_pool        MaxPool(x)                kernel_shape, strides, pads, dilations, ceil_mode
    avg_pool        AveragePool(x)            kernel_shape, strides, pads, ceil_mode,
                                              count_include_pad

with ``auto_pad="NOTSET"`` and ``pads = [b_1, ..., b_n, a_1, ..., a_n]`` from the contract's
``((b_1, a_1), ..., (b_n, a_n))``.  The bias is an input only when it is not None.  ONNX's
layouts are the contract's (channels first; Conv's W is ``(C_out, C_in / group, *K)``,
ConvTranspose's ``(C_in, C_out / group, *K)``), so the arrays pass unchanged.

Nothing is validated here: parameter values reach the node as given (a float stride becomes
a FLOATS attribute, which the runtime refuses; ``ceil_mode=True`` an INT attribute of 1), and
whatever the runtime refuses or computes is what a run measures; its exceptions propagate
unchanged.  Arrays of a real floating dtype are converted to the op's dtype; any other array
(complex, bool, integer) is passed as it is, for the runtime to judge.

Weights are graph inputs, not initializers, so one model serves every call with the same
attributes (the input shapes are left unknown): a runtime's paths for constant weights
(ONNX Runtime's pre-packed or NCHWc convolutions) are not what this measures.  Models and
the runtime's sessions are cached by the serialized model (op, attributes, dtype, ranks).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from onnx import ModelProto, TensorProto, helper

__all__ = ["OPSET", "ops", "pads"]

#: The opset of every model built here.
OPSET = 22

#: How many runtime sessions stay cached (least recently used dropped first).
CACHE_SIZE = 512

Pads = Sequence[tuple[int, int]]
Session = Callable[[dict[str, np.ndarray]], np.ndarray]

ELEM = {np.dtype("float64"): TensorProto.DOUBLE, np.dtype("float32"): TensorProto.FLOAT}


def pads(padding: Pads) -> list[Any]:
    """ONNX's ``pads``: every axis's cells before, then every axis's cells after."""
    return [before for before, _ in padding] + [after for _, after in padding]


def _model(op_type: str, ranks: dict[str, int], elem: int, attrs: dict[str, Any]
           ) -> ModelProto:
    """A model of one ``op_type`` node reading the inputs named in ``ranks`` (each of its
    rank, of unknown sizes, of element type ``elem``) and writing ``y``."""
    node = helper.make_node(op_type, list(ranks), ["y"], **attrs)
    inputs = [helper.make_tensor_value_info(n, elem, [None] * r) for n, r in ranks.items()]
    output = helper.make_tensor_value_info("y", elem, None)
    graph = helper.make_graph([node], f"cnnspec_{op_type}", inputs, [output])
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)])


class _Sessions:
    """``open(model) -> session`` behind a least-recently-used cache keyed by the model."""

    def __init__(self, open_session: Callable[[ModelProto], Session]) -> None:
        self.open = open_session
        self.cache: OrderedDict[bytes, Session] = OrderedDict()

    def get(self, model: ModelProto) -> Session:
        key = model.SerializeToString()
        session = self.cache.get(key)
        if session is None:
            session = self.cache[key] = self.open(model)
            if len(self.cache) > CACHE_SIZE:
                self.cache.popitem(last=False)
        else:
            self.cache.move_to_end(key)
        return session


def _as(a: Any, dtype: np.dtype) -> Any:
    """``a`` in ``dtype`` when it is a real floating array; anything else as it is."""
    a = np.asarray(a)
    return a.astype(dtype, copy=False) if a.dtype.kind == "f" else a


def ops(open_session: Callable[[ModelProto], Session], dtypes: dict[str, str]
        ) -> tuple[Callable[..., np.ndarray], ...]:
    """(conv, conv_transpose, max_pool, avg_pool) in the target contract, each running a
    one-node model through ``open_session(model)(feeds) -> y`` in ``dtypes[op]``
    ("float64" or "float32")."""
    sessions = _Sessions(open_session)

    def run(op: str, op_type: str, arrays: dict[str, Any], attrs: dict[str, Any]) -> np.ndarray:
        dtype = np.dtype(dtypes[op])
        feeds = {name: _as(a, dtype) for name, a in arrays.items() if a is not None}
        elem = ELEM.get(feeds["x"].dtype, ELEM[dtype])
        ranks = {name: a.ndim for name, a in feeds.items()}
        session = sessions.get(_model(op_type, ranks, elem, {"auto_pad": "NOTSET", **attrs}))
        y = session(feeds)
        if any(np.shares_memory(y, a) for a in arrays.values() if a is not None):
            y = y.copy()  # a result that is an input's memory goes back as a new array
        return y

    def conv(x: np.ndarray, w: np.ndarray, b: np.ndarray | None, *, stride: Sequence[int],
             padding: Pads, dilation: Sequence[int], groups: int) -> np.ndarray:
        """Conv(x, w[, b])."""
        return run("conv", "Conv", {"x": x, "w": w, "b": b},
                   {"kernel_shape": list(np.shape(w)[2:]), "strides": list(stride),
                    "pads": pads(padding), "dilations": list(dilation), "group": groups})

    def conv_transpose(x: np.ndarray, w: np.ndarray, b: np.ndarray | None, *,
                       stride: Sequence[int], padding: Pads, output_padding: Sequence[int],
                       dilation: Sequence[int], groups: int) -> np.ndarray:
        """ConvTranspose(x, w[, b])."""
        return run("conv_transpose", "ConvTranspose", {"x": x, "w": w, "b": b},
                   {"kernel_shape": list(np.shape(w)[2:]), "strides": list(stride),
                    "pads": pads(padding), "output_padding": list(output_padding),
                    "dilations": list(dilation), "group": groups})

    def max_pool(x: np.ndarray, *, kernel: Sequence[int], stride: Sequence[int],
                 padding: Pads, dilation: Sequence[int], ceil_mode: bool) -> np.ndarray:
        """MaxPool(x), its first output."""
        return run("max_pool", "MaxPool", {"x": x},
                   {"kernel_shape": list(kernel), "strides": list(stride),
                    "pads": pads(padding), "dilations": list(dilation),
                    "ceil_mode": ceil_mode})

    def avg_pool(x: np.ndarray, *, kernel: Sequence[int], stride: Sequence[int],
                 padding: Pads, ceil_mode: bool, count_include_pad: bool) -> np.ndarray:
        """AveragePool(x)."""
        return run("avg_pool", "AveragePool", {"x": x},
                   {"kernel_shape": list(kernel), "strides": list(stride),
                    "pads": pads(padding), "ceil_mode": ceil_mode,
                    "count_include_pad": count_include_pad})

    return conv, conv_transpose, max_pool, avg_pool
