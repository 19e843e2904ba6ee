"""onnx.reference's dilated Conv multiplies the cells between the taps by zero, so a NaN there
poisons the output.

Rule conv.def: y[p] = sum_k x[p + k*dilation] * W[k]; a dilated window reads only its taps.
onnx.reference builds a dilated kernel with zeros between the taps and sums over every cell
it spans, so a NaN (or inf) that no tap reads gives NaN (NaN * 0).

Smallest case: x = [5, nan, 7] (N=1, C=1, L=3), W = [1, 1], dilations=[2], pads=[0, 0].
    output size = (3 - 2*(2 - 1) - 1) + 1 = 1
    rule: y[0] = x[0]*W[0] + x[2]*W[1] = 5 + 7 = 12   (x[1] is not a tap)
"""

import numpy as np
import onnx
from onnx import TensorProto, helper
from onnx.reference import ReferenceEvaluator

node = helper.make_node("Conv", ["x", "w"], ["y"], kernel_shape=[2], dilations=[2], pads=[0, 0])
graph = helper.make_graph([node], "g", [helper.make_tensor_value_info(n, TensorProto.DOUBLE, None) for n in "xw"],
                          [helper.make_tensor_value_info("y", TensorProto.DOUBLE, None)])
model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 22)])

x = np.array([[[5.0, np.nan, 7.0]]])
w = np.array([[[1.0, 1.0]]])
rule = [float(sum(x[0, 0, p + k * 2] * w[0, 0, k] for k in range(2))) for p in range(1)]
print("onnx", onnx.__version__)
print("onnx.reference:", ReferenceEvaluator(model).run(None, {"x": x, "w": w})[0].ravel())
print("rule:", rule)
