"""onnx.reference's MaxPool misreads pads when every stride and dilation is 1.

Rules pool.max-def and pool.out-size (with -inf padding): pads = [b_1, .., b_n, a_1, .., a_n].
With strides and dilations all 1, onnx.reference takes another code path, which ignores pads
in 1-D and 3-D (then indexes past the input) and in 2-D reads them as
[top, bottom, left, right], i.e. [b_1, a_1, b_2, a_2].

Smallest cases:
 1-D: x = [-3, -1], kernel_shape=[2], pads=[1, 1]: padded [-inf, -3, -1, -inf]
      rule: [max(-inf, -3), max(-3, -1), max(-1, -inf)] = [-3, -1, -1]
 2-D: x = [[-100, -99], [-90, -89]], kernel_shape=[2, 2], pads=[0, 1, 0, 0] (one column
      before axis 1), padded rows [-inf, -100, -99], [-inf, -90, -89]; output (2-2+1, 3-2+1)
      rule: [[max(-100, -90), max(-100, -99, -90, -89)]] = [[-90, -89]], shape (1, 1, 1, 2)
      (onnx.reference pads one row after axis 0 instead: shape (1, 1, 2, 1))
"""

import numpy as np
import onnx
from onnx import TensorProto, helper
from onnx.reference import ReferenceEvaluator


def max_pool(x, **attrs):
    node = helper.make_node("MaxPool", ["x"], ["y"], **attrs)
    graph = helper.make_graph([node], "g", [helper.make_tensor_value_info("x", TensorProto.DOUBLE, None)],
                              [helper.make_tensor_value_info("y", TensorProto.DOUBLE, None)])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 22)])
    try:
        return ReferenceEvaluator(model).run(None, {"x": x})[0]
    except Exception as e:  # noqa: BLE001 - the deviation is this exception
        return f"raised {type(e).__name__}: {e}"


print("onnx", onnx.__version__)
x1 = np.array([[[-3.0, -1.0]]])
print("1-D onnx.reference:", max_pool(x1, kernel_shape=[2], pads=[1, 1]))
print("1-D rule: [-3, -1, -1];  with strides=[2] (the other path):",
      max_pool(x1, kernel_shape=[2], pads=[1, 1], strides=[2]).ravel(), "rule: [-3, -1]")
x2 = np.array([[[[-100.0, -99.0], [-90.0, -89.0]]]])
y2 = max_pool(x2, kernel_shape=[2, 2], pads=[0, 1, 0, 0])
print("2-D onnx.reference:", y2 if isinstance(y2, str) else f"shape {y2.shape}: {y2.tolist()}")
print("2-D rule: shape (1, 1, 1, 2): [[[[-90, -89]]]]")
