"""onnxruntime bounds ConvTranspose output_padding by the stride alone (a documented convention).

Rule conv-transpose.output-padding: output_padding must be < max(stride, dilation) (the spec,
PyTorch); spec/conventions.md lists onnxruntime's `< stride` as a convention.  The ONNX
operator's text says output_padding must be less than "the corresponding stride/dilation
dimension".

Smallest case: x = [3] (N=1, C=1, L=1), W = [1, 10] (C_in=1, C_out=1, K=2), strides=[1],
dilations=[2], output_padding=[1], pads=[0, 0].
    output size = 1*(1 - 1) + 1 + (2 - 1)*2 + 1 - 0 = 4
    y_full[i*1 + k*2] += x[i] * W[k]: y[0] = 3, y[2] = 30; output_padding appends one 0
    rule: y = [3, 0, 30, 0]
"""

import numpy as np
import onnxruntime as ort
from onnx import TensorProto, helper

ort.set_default_logger_severity(4)  # the exception below says it; no second copy on stderr

node = helper.make_node("ConvTranspose", ["x", "w"], ["y"], kernel_shape=[2], strides=[1],
                        dilations=[2], output_padding=[1], pads=[0, 0])
graph = helper.make_graph([node], "g", [helper.make_tensor_value_info(n, TensorProto.FLOAT, None) for n in "xw"],
                          [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)])
model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 22)])
session = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])

x = np.array([[[3.0]]], np.float32)
w = np.array([[[1.0, 10.0]]], np.float32)
y = np.zeros(4)  # the rule by hand
for i in range(1):
    for k in range(2):
        y[i * 1 + k * 2] += x[0, 0, i] * w[0, 0, k]
print("onnxruntime", ort.__version__)
try:
    print("onnxruntime:", session.run(None, {"x": x, "w": w})[0].ravel())
except Exception as e:  # noqa: BLE001 - the deviation is this exception
    print("onnxruntime: raised", type(e).__name__, str(e).split("Status Message: ")[-1])
print("rule:", y)
