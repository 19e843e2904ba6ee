"""onnx.reference's ConvTranspose refuses a batch of 0.

Rule config.nonempty: a batch of 0 is valid and gives a batch of 0 (Conv takes it).

Smallest case: x of shape (0, 1, 1), W = [[[1]]] (C_in=1, C_out=1, K=1):
    rule: y of shape (0, 1, 1)
"""

import numpy as np
import onnx
from onnx import TensorProto, helper
from onnx.reference import ReferenceEvaluator


def run(op):
    node = helper.make_node(op, ["x", "w"], ["y"], kernel_shape=[1])
    graph = helper.make_graph([node], "g", [helper.make_tensor_value_info(n, TensorProto.DOUBLE, None) for n in "xw"],
                              [helper.make_tensor_value_info("y", TensorProto.DOUBLE, None)])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 22)])
    try:
        y = ReferenceEvaluator(model).run(None, {"x": np.zeros((0, 1, 1)), "w": np.ones((1, 1, 1))})[0]
        return f"shape {y.shape}"
    except Exception as e:  # noqa: BLE001 - the deviation is this exception
        return f"raised {type(e).__name__}: {str(e)[:160]}"


print("onnx", onnx.__version__)
print("Conv:", run("Conv"))
print("ConvTranspose:", run("ConvTranspose"))
print("rule: shape (0, 1, 1) for both")
