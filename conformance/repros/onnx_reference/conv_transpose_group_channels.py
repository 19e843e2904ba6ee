"""onnx.reference's grouped ConvTranspose fails when a group has more than one output channel.

Rule conv-transpose.groups: W is (C_in, C_out/group, *K); output channels
g*C_out/group .. (g+1)*C_out/group - 1 come from input channels of group g.  onnx.reference
slices W by output-channel counts along its input-channel axis and writes one output channel
per group, so C_out/group > 1 raises (or, where the reshape happens to fit, misplaces).

Smallest case: groups=2, x = [[1], [2]] (N=1, C_in=2, L=1), W = [[[1], [2]], [[10], [100]]]
(C_in=2, C_out/group=2, K=1):
    y[0, 2g + o] = x[g] * W[g, o]          rule: [1, 2, 20, 200]
"""

import numpy as np
import onnx
from onnx import TensorProto, helper
from onnx.reference import ReferenceEvaluator

node = helper.make_node("ConvTranspose", ["x", "w"], ["y"], kernel_shape=[1], group=2)
graph = helper.make_graph([node], "g", [helper.make_tensor_value_info(n, TensorProto.DOUBLE, None) for n in "xw"],
                          [helper.make_tensor_value_info("y", TensorProto.DOUBLE, None)])
model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 22)])

x = np.array([[[1.0], [2.0]]])
w = np.array([[[1.0], [2.0]], [[10.0], [100.0]]])
rule = [float(x[0, g, 0] * w[g, o, 0]) for g in range(2) for o in range(2)]
print("onnx", onnx.__version__)
try:
    print("onnx.reference:", ReferenceEvaluator(model).run(None, {"x": x, "w": w})[0].ravel())
except Exception as e:  # noqa: BLE001 - the deviation is this exception
    print("onnx.reference: raised", type(e).__name__, e)
print("rule:", rule)
