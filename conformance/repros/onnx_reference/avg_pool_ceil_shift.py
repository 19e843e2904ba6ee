"""onnx.reference's AveragePool reads ceil-mode windows at the wrong place when padding comes
before the input.

Rule pool.avg-def (pool.ceil-mode): window p covers padded cells p*stride .. p*stride + k - 1;
with count_include_pad=0 its divisor is the number of input cells in it.

Smallest case: x = [3, 1] (N=1, C=1, L=2), kernel_shape=[3], strides=[3], pads=[2, 0],
ceil_mode=1, count_include_pad=0:
    padded [pad, pad, 3, 1]; output size ceil((2 + 2 - 3) / 3) + 1 = 2; the second window
    starts at cell 3 (x[1]), inside the input, so it is kept
    y[0] = (3) / 1 = 3     (cells 0, 1, 2: pad, pad, x[0])
    y[1] = (1) / 1 = 1     (cells 3, 4, 5: x[1], then past the padded input)
    rule: [3, 1]
"""

import numpy as np
import onnx
from onnx import TensorProto, helper
from onnx.reference import ReferenceEvaluator

node = helper.make_node("AveragePool", ["x"], ["y"], kernel_shape=[3], strides=[3], pads=[2, 0],
                        ceil_mode=1, count_include_pad=0)
graph = helper.make_graph([node], "g", [helper.make_tensor_value_info("x", TensorProto.DOUBLE, None)],
                          [helper.make_tensor_value_info("y", TensorProto.DOUBLE, None)])
model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 22)])

x = np.array([[[3.0, 1.0]]])
xpad = [None, None, 3.0, 1.0]  # None: padding; cells past the end are not there at all
rule = []
for p in range(2):
    cells = [xpad[c] for c in range(3 * p, 3 * p + 3) if c < len(xpad) and xpad[c] is not None]
    rule.append(sum(cells) / len(cells))
print("onnx", onnx.__version__)
print("onnx.reference:", ReferenceEvaluator(model).run(None, {"x": x})[0].ravel())
print("rule:", rule)
