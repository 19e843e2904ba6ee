"""onnxruntime refuses MaxPool pads >= kernel_shape, a dilated window that still reads input.

Rule pool.out-size (and pool.max-def): with a dilated kernel a padding as large as the kernel
still leaves an input cell in every window, so the configuration is valid; the ONNX operator
takes any pads >= 0.  onnxruntime's CPU pooling refuses it when the session is created
("Pad should be smaller than kernel").

Smallest case: x = [1, 7] (N=1, C=1, L=2), kernel_shape=[2], dilations=[2], pads=[0, 2].
    padded x = [1, 7, -inf, -inf]; the dilated window reads cells {p, p + 2}:
    output size = floor((2 + 0 + 2 - 2*(2 - 1) - 1) / 1) + 1 = 2
    y[0] = max(x[0], pad) = 1,  y[1] = max(x[1], pad) = 7      -> [1, 7]
The boundary: pads=[0, 1] (smaller than the kernel) is accepted: one window, y = [1].
"""

import numpy as np
import onnxruntime as ort
from onnx import TensorProto, helper

ort.set_default_logger_severity(4)  # the exception below says it; no second copy on stderr


def max_pool(x, **attrs):
    node = helper.make_node("MaxPool", ["x"], ["y"], **attrs)
    graph = helper.make_graph([node], "g", [helper.make_tensor_value_info("x", TensorProto.DOUBLE, x.shape)],
                              [helper.make_tensor_value_info("y", TensorProto.DOUBLE, None)])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 22)])
    session = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    return session.run(None, {"x": x})[0]


def expected(x, kernel, dilation, pads):
    """The rule by hand: max over the taps p + k*dilation of the -inf padded input."""
    xpad = np.concatenate([np.full(pads[0], -np.inf), x, np.full(pads[1], -np.inf)])
    n = (len(xpad) - dilation * (kernel - 1) - 1) // 1 + 1
    return [float(max(xpad[p + k * dilation] for k in range(kernel))) for p in range(n)]


x = np.array([[[1.0, 7.0]]])
print("onnxruntime", ort.__version__)
print("pads=[0, 1]:", max_pool(x, kernel_shape=[2], dilations=[2], pads=[0, 1]).ravel(),
      " rule:", expected(x.ravel(), 2, 2, (0, 1)))
try:
    y = max_pool(x, kernel_shape=[2], dilations=[2], pads=[0, 2])
    print("pads=[0, 2]:", y.ravel())
except Exception as e:  # noqa: BLE001 - the deviation is this exception
    message = str(e).strip()
    print("pads=[0, 2]: raised", type(e).__name__, message[message.find("pads[dim]"):])
print("pads=[0, 2]: rule:", expected(x.ravel(), 2, 2, (0, 2)))
