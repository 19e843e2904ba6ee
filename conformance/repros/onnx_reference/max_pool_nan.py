"""onnx.reference's MaxPool skips NaN, and raises on a window holding only NaN.

Rule pool.max-nan: a window holding a NaN gives NaN (spec/conventions.md, max_pool_nan:
'propagate'; 'ignore' and 'order-dependent' are the named alternatives).

Smallest cases (kernel_shape=[2], then [1]):
    x = [3, nan] -> rule: [nan];   x = [nan] with kernel [1] -> rule: [nan]
"""

import numpy as np
import onnx
from onnx import TensorProto, helper
from onnx.reference import ReferenceEvaluator


def max_pool(x, k):
    node = helper.make_node("MaxPool", ["x"], ["y"], kernel_shape=[k])
    graph = helper.make_graph([node], "g", [helper.make_tensor_value_info("x", TensorProto.DOUBLE, None)],
                              [helper.make_tensor_value_info("y", TensorProto.DOUBLE, None)])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 22)])
    try:
        return ReferenceEvaluator(model).run(None, {"x": np.array([[x]])})[0].ravel()
    except Exception as e:  # noqa: BLE001 - the deviation is this exception
        return f"raised {type(e).__name__}: {e}"


print("onnx", onnx.__version__)
print("x=[3, nan], k=2:", max_pool([3.0, np.nan], 2), " rule: [nan]")
print("x=[nan, 3], k=2:", max_pool([np.nan, 3.0], 2), " rule: [nan]")
print("x=[nan],    k=1:", max_pool([np.nan], 1), " rule: [nan]")
