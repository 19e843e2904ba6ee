"""onnxruntime computes three configurations the spec refuses (level refuse).

Rules pool.kernel-fits, pool.window-has-input and config.nonempty:
1. MaxPool / AveragePool with kernel_shape=[2] on an input of 1 cell: the window is larger
   than the (unpadded) input, so there is no output to compute; onnxruntime returns an empty
   output of shape (1, 1, 0) (with kernel_shape=[3] it refuses, as the rule does).
2. MaxPool of x=[5] with kernel_shape=[2], dilations=[2], pads=[1, 1]: the padded input is
   [pad, 5, pad] and the one window reads cells 0 and 2, both padding; the rule refuses a
   window with no input cell; onnxruntime returns the lowest float64 (not even -inf).
3. Conv of x (1, 1, 1) with W of shape (0, 1, 1): an empty output-channel axis, which the
   rule refuses; onnxruntime returns y of shape (1, 0, 1).
"""

import numpy as np
import onnxruntime as ort
from onnx import TensorProto, helper

ort.set_default_logger_severity(4)


def run(op, inputs, dtype, **attrs):
    names = [f"i{k}" for k in range(len(inputs))]
    elem = TensorProto.DOUBLE if dtype == np.float64 else TensorProto.FLOAT
    node = helper.make_node(op, names, ["y"], **attrs)
    graph = helper.make_graph([node], "g", [helper.make_tensor_value_info(n, elem, None) for n in names],
                              [helper.make_tensor_value_info("y", elem, None)])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 22)])
    session = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    try:
        y = session.run(None, {n: a.astype(dtype) for n, a in zip(names, inputs)})[0]
        return f"computes shape {y.shape}: {y.ravel().tolist()}"
    except Exception as e:  # noqa: BLE001 - a refusal is what the rule asks for
        return f"raises {type(e).__name__}"


x = np.array([[[5.0]]])
print("onnxruntime", ort.__version__)
print("1. MaxPool kernel 2 on 1 cell:     ", run("MaxPool", [x], np.float64, kernel_shape=[2]),
      "  rule: refuse [pool.kernel-fits]")
print("   AveragePool kernel 2 on 1 cell: ", run("AveragePool", [x], np.float32, kernel_shape=[2]),
      "  rule: refuse [pool.kernel-fits]")
print("   MaxPool kernel 3 on 1 cell:     ", run("MaxPool", [x], np.float64, kernel_shape=[3]),
      "  rule: refuse")
print("2. MaxPool taps only on padding:   ", run("MaxPool", [x], np.float64, kernel_shape=[2],
                                                  dilations=[2], pads=[1, 1]),
      "  rule: refuse [pool.window-has-input]")
print("3. Conv with 0 output channels:    ", run("Conv", [x, np.zeros((0, 1, 1))], np.float32),
      "  rule: refuse [config.nonempty]")
