"""ONNX Runtime on the CPU: each contract call as a one-node ONNX model (opset 22).

How the contract maps onto ONNX (``pads``, attributes, the bias input, the cache): see
:mod:`cnnspec.targets._onnx`.  Sessions run on the ``CPUExecutionProvider`` with one
intra-op and one inter-op thread, ONNX Runtime's default graph optimizations, and its log
at FATAL only (a refusal is the exception raised, which propagates unchanged).

dtype: ONNX Runtime's CPU provider has float64 kernels for MaxPool only; Conv,
ConvTranspose and AveragePool have float32 kernels only ("Could not find an implementation
for Conv(22)" in float64).  So ``max_pool`` runs and returns float64, and ``conv``,
``conv_transpose`` and ``avg_pool`` run in float32 and return the float32 result as it is:
the harness judges each result in the dtype returned (exactly while integer-valued sums fit
float32's 24 bits, else within float32's error bound), which is the precision computed in,
so no ``PRECISION`` is declared.

No configuration is refused here: every parameter of the contract is an ONNX attribute;
what ONNX Runtime refuses (its exceptions propagate unchanged) or computes is what a run
measures.

Importing this module without onnxruntime and onnx raises ImportError naming the
``onnxruntime`` extra.
"""

from __future__ import annotations

from typing import Any

import numpy as np

try:
    import onnx  # noqa: F401 - the models are built with it (cnnspec.targets._onnx)
    import onnxruntime as ort
except ImportError as e:  # pragma: no cover - exercised by tests with the library hidden
    raise ImportError("the onnxruntime target needs onnxruntime and onnx: "
                      f'pip install "cnnspec[onnxruntime]" ({e})') from None

from . import _onnx

__all__ = ["conv", "conv_transpose", "max_pool", "avg_pool", "LIBRARY"]

LIBRARY = f"onnxruntime {ort.__version__}"

#: The dtype each op runs in: the only one ONNX Runtime's CPU provider has, or float64.
DTYPES = {"conv": "float32", "conv_transpose": "float32", "max_pool": "float64",
          "avg_pool": "float32"}


def _open(model: onnx.ModelProto) -> Any:
    """An InferenceSession of ``model`` on the CPU with one thread; feeds -> its output."""
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    options.log_severity_level = 4  # a refusal is its exception, not also a line on stderr
    session = ort.InferenceSession(model.SerializeToString(), options,
                                   providers=["CPUExecutionProvider"])

    def run(feeds: dict[str, np.ndarray]) -> np.ndarray:
        return session.run(None, feeds)[0]

    return run


conv, conv_transpose, max_pool, avg_pool = _onnx.ops(_open, DTYPES)
