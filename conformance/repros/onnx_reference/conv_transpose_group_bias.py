"""onnx.reference's grouped ConvTranspose adds the first group's bias to every group.

Rule conv-transpose.bias: y[n, o, ...] += B[o] for every output channel o.  onnx.reference
computes each group with the whole B and indexes it by the channel within the group, so
group g gets B[0 .. C_out/group - 1] instead of its own slice.

Smallest case: groups=2, x = [[1], [2]] (N=1, C_in=2, L=1), W = [[[1]], [[1]]]
(C_in=2, C_out/group=1, K=1), B = [10, 20]:
    y[0, 0] = x[0]*W[0] + B[0] = 1 + 10 = 11
    y[0, 1] = x[1]*W[1] + B[1] = 2 + 20 = 22          rule: [11, 22]
"""

import numpy as np
import onnx
from onnx import TensorProto, helper
from onnx.reference import ReferenceEvaluator

node = helper.make_node("ConvTranspose", ["x", "w", "b"], ["y"], kernel_shape=[1], group=2)
graph = helper.make_graph([node], "g", [helper.make_tensor_value_info(n, TensorProto.DOUBLE, None) for n in "xwb"],
                          [helper.make_tensor_value_info("y", TensorProto.DOUBLE, None)])
model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 22)])

x = np.array([[[1.0], [2.0]]])
w = np.array([[[1.0]], [[1.0]]])
b = np.array([10.0, 20.0])
rule = [float(x[0, c, 0] * w[c, 0, 0] + b[c]) for c in range(2)]
print("onnx", onnx.__version__)
print("onnx.reference:", ReferenceEvaluator(model).run(None, {"x": x, "w": w, "b": b})[0].ravel())
print("rule:", rule)
