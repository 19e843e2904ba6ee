"""Small helpers for the project's tests (importable as ``helpers`` from tests/)."""

from __future__ import annotations

import pytest

#: ``@cites("conv.out-size")``: the rule IDs a test checks (a pytest marker).
cites = pytest.mark.cites


def ones(*shape: int):
    import numpy as np

    return np.ones(shape)


def arange(*shape: int):
    """Values 0, 1, 2, ... in the given shape (hand-checkable, ONNX node-test style)."""
    import numpy as np

    return np.arange(int(np.prod(shape)), dtype=np.float64).reshape(shape)
