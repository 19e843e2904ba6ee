"""Small helpers for the project's tests (importable as ``helpers`` from tests/)."""

from __future__ import annotations

import contextlib
import signal

import pytest

#: ``@cites("conv.out-size")``: the rule IDs a test checks (a pytest marker).
cites = pytest.mark.cites


@contextlib.contextmanager
def within(seconds: float, what: str = "the block"):
    """Fail (instead of hanging the run) when the block takes longer than ``seconds``."""
    def alarm(signum, frame):
        raise TimeoutError(f"{what} took more than {seconds} s, but should end well before")

    previous = signal.signal(signal.SIGALRM, alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def ones(*shape: int):
    import numpy as np

    return np.ones(shape)


def arange(*shape: int):
    """Values 0, 1, 2, ... in the given shape (hand-checkable, ONNX node-test style)."""
    import numpy as np

    return np.arange(int(np.prod(shape)), dtype=np.float64).reshape(shape)
