"""onnx.reference, the ONNX reference evaluator: each contract call as a one-node model.

How the contract maps onto ONNX (opset 22, ``pads``, attributes, the bias input, the cache):
see :mod:`cnnspec.targets._onnx`.  Models run through ``onnx.reference.ReferenceEvaluator``,
one evaluator cached per op and attribute set.

dtype: the evaluator computes with NumPy in the dtype of its inputs and has float64
implementations of all four ops, so every op runs in float64 and returns float64.

No configuration is refused here: every parameter of the contract is an ONNX attribute;
what the evaluator refuses (its exceptions propagate unchanged) or computes is what a run
measures.

Importing this module without onnx raises ImportError naming the ``onnx`` extra.
"""

from __future__ import annotations

from typing import Any

import numpy as np

try:
    import onnx
    from onnx.reference import ReferenceEvaluator
except ImportError as e:  # pragma: no cover - exercised by tests with the library hidden
    raise ImportError('the onnx-reference target needs onnx: pip install "cnnspec[onnx]" '
                      f"({e})") from None

from . import _onnx

__all__ = ["conv", "conv_transpose", "max_pool", "avg_pool", "LIBRARY"]

LIBRARY = f"onnx {onnx.__version__} (onnx.reference)"

DTYPES = {"conv": "float64", "conv_transpose": "float64", "max_pool": "float64",
          "avg_pool": "float64"}


def _open(model: onnx.ModelProto) -> Any:
    """A ReferenceEvaluator of ``model``; feeds -> its output."""
    evaluator = ReferenceEvaluator(model)

    def run(feeds: dict[str, np.ndarray]) -> np.ndarray:
        outputs: list[np.ndarray] = evaluator.run(None, feeds)  # type: ignore[assignment]
        return outputs[0]

    return run


conv, conv_transpose, max_pool, avg_pool = _onnx.ops(_open, DTYPES)
