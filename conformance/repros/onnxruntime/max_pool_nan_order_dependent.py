"""onnxruntime's MaxPool drops a NaN depending on where it sits in the window (a convention).

Rule pool.max-nan: a window holding a NaN gives NaN (NumPy's maximum, PyTorch);
spec/conventions.md names 'order-dependent' (a comparison-based max) as another convention.

Smallest case: kernel_shape=[2] over x = [3, nan] and over x = [nan, 3]:
    rule: max(3, nan) = nan and max(nan, 3) = nan
"""

import numpy as np
import onnxruntime as ort
from onnx import TensorProto, helper

node = helper.make_node("MaxPool", ["x"], ["y"], kernel_shape=[2])
graph = helper.make_graph([node], "g", [helper.make_tensor_value_info("x", TensorProto.DOUBLE, None)],
                          [helper.make_tensor_value_info("y", TensorProto.DOUBLE, None)])
model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 22)])
session = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
print("onnxruntime", ort.__version__)
for values in ([3.0, np.nan], [np.nan, 3.0]):
    x = np.array([[values]])
    print(f"x={values}: onnxruntime:", session.run(None, {"x": x})[0].ravel(), " rule: [nan]")
