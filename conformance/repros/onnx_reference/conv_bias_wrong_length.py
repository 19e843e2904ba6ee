"""onnx.reference's Conv adds a bias of length 1 to every output channel.

Rule conv.bias: B has shape (C_out,); any other length is refused (level refuse).
onnx.reference broadcasts a one-element B over all C_out channels.

Smallest case: x = [[1]] (N=1, C_in=1, L=1), W = [[[1]], [[2]]] (C_out=2, K=1), B = [5]:
    rule: refused, B.shape=(1,) is not (C_out,) = (2,)
"""

import numpy as np
import onnx
from onnx import TensorProto, helper
from onnx.reference import ReferenceEvaluator

node = helper.make_node("Conv", ["x", "w", "b"], ["y"], kernel_shape=[1])
graph = helper.make_graph([node], "g", [helper.make_tensor_value_info(n, TensorProto.DOUBLE, None) for n in "xwb"],
                          [helper.make_tensor_value_info("y", TensorProto.DOUBLE, None)])
model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 22)])
feeds = {"x": np.array([[[1.0]]]), "w": np.array([[[1.0]], [[2.0]]]), "b": np.array([5.0])}
print("onnx", onnx.__version__)
try:
    print("onnx.reference:", ReferenceEvaluator(model).run(None, feeds)[0].ravel())
except Exception as e:  # noqa: BLE001
    print("onnx.reference: raised", type(e).__name__, e)
print("rule: an error naming B.shape=(1,) and C_out=2")
