"""A target that compiles each new shape: the reference ops behind a 50 ms compile cache.

Frameworks that trace and compile (JAX's ``jit``, ``torch.compile``, XLA, TVM) pay a
compile on the first call of each new combination of op, array shapes, dtypes and static
parameters (stride, padding, ...), and then run from a cache.  This target imitates that
cost: each op sleeps COMPILE_SECONDS the first time its process sees a new (op, shapes,
dtypes, parameters) key, then computes with ``cnnspec.targets.reference``.  Its results
are the reference's, so a conformance run passes it; what it measures is how much a run
costs a target whose every new shape is slow (benchmarks/bench_conform.py --issue9): a
property-based run draws a new shape almost every example.

The cache lives in the process, as a JIT cache does: each worker of a run starts empty.
``COMPILES`` counts the compiles of this process; where the environment variable
CNNSPEC_COMPILE_LOG names a file, each compile also appends one line to it (the benchmark
counts them across worker processes).
"""

from __future__ import annotations

import os
import time
from typing import Any

import numpy as np

from cnnspec.targets import reference

__all__ = ["conv", "conv_transpose", "max_pool", "avg_pool", "COMPILE_SECONDS", "COMPILES"]

#: What one compile costs (seconds).
COMPILE_SECONDS = 0.05

_SEEN: set[Any] = set()
COMPILES = 0


def _signature(value: Any) -> Any:
    """What a compiler specializes on: an array's shape and dtype, a parameter's value."""
    if isinstance(value, np.ndarray):
        return ("array", value.shape, value.dtype.str)
    if value is None or isinstance(value, (bool, int, float, str, np.generic)):
        return (type(value).__name__, value)
    if isinstance(value, (tuple, list)):
        return tuple(_signature(v) for v in value)
    return ("object", type(value).__name__, repr(value))


def _compile(op: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    """Sleep COMPILE_SECONDS the first time this (op, shapes, parameters) is seen."""
    global COMPILES
    key = (op, _signature(args), tuple(sorted((k, _signature(v)) for k, v in kwargs.items())))
    if key not in _SEEN:
        _SEEN.add(key)
        COMPILES += 1
        time.sleep(COMPILE_SECONDS)
        log = os.environ.get("CNNSPEC_COMPILE_LOG")
        if log:
            with open(log, "a") as f:
                f.write(f"{op}\n")


def conv(x, w, b, *, stride, padding, dilation, groups):
    kw = dict(stride=stride, padding=padding, dilation=dilation, groups=groups)
    _compile("conv", (x, w, b), kw)
    return reference.conv(x, w, b, **kw)


def conv_transpose(x, w, b, *, stride, padding, output_padding, dilation, groups):
    kw = dict(stride=stride, padding=padding, output_padding=output_padding, dilation=dilation,
              groups=groups)
    _compile("conv_transpose", (x, w, b), kw)
    return reference.conv_transpose(x, w, b, **kw)


def max_pool(x, *, kernel, stride, padding, dilation, ceil_mode):
    kw = dict(kernel=kernel, stride=stride, padding=padding, dilation=dilation,
              ceil_mode=ceil_mode)
    _compile("max_pool", (x,), kw)
    return reference.max_pool(x, **kw)


def avg_pool(x, *, kernel, stride, padding, ceil_mode, count_include_pad):
    kw = dict(kernel=kernel, stride=stride, padding=padding, ceil_mode=ceil_mode,
              count_include_pad=count_include_pad)
    _compile("avg_pool", (x,), kw)
    return reference.avg_pool(x, **kw)
