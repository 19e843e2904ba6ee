"""Targets: modules in the target contract (docs/contract.md), and how to load one.

A target is an importable module (``pkg.mod``) or a ``.py`` path defining any subset of
``conv``, ``conv_transpose``, ``max_pool``, ``avg_pool`` (:data:`OPS`) and of their
backward ops ``conv_backward``, ``conv_transpose_backward``, ``max_pool_backward``,
``avg_pool_backward`` (:data:`BACKWARD_OPS`; contract 1.2).  Optional module attributes:
``PRECISION`` (``"float32"``, ``"tf32"``, ``"float16"``, ``"bfloat16"``: the precision it
computes in when that is not the dtype it returns) and ``UNAVAILABLE`` (a string: the whole
target cannot run here, e.g. no CUDA device; every op is then unsupported with that reason).

``LIBRARY`` (a string such as ``"onnxruntime 1.32.0"``: the library and version the target
runs, shown in every report).

Built-in targets have short names (``cnnspec conform onnxruntime``), listed in
:data:`BUILTIN`; each lives in ``cnnspec.targets.<module>`` and needs its pip extra
(``pip install "cnnspec[onnxruntime]"``).  A built-in target only moves data between
layouts and maps parameters: it never validates a call with cnnspec's own formulas or
validator, so what the library refuses or computes is what a run measures.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any, NamedTuple

__all__ = ["OPS", "BACKWARD_OPS", "ALL_OPS", "FORWARD_OF", "BUILTIN", "Builtin", "STYLES",
           "Target", "load_target", "OpMissing", "Unsupported"]

#: The forward ops of the target contract.
OPS = ("conv", "conv_transpose", "max_pool", "avg_pool")
#: The backward ops (contract 1.2): the gradients of sum(y * dy) for a forward op's y,
#: ``conv_backward(x, w, b, dy, **conv's keywords) -> (dx, dw, db)`` (db None when b is),
#: ``max_pool_backward(x, dy, **max_pool's keywords) -> dx``, and so on.
BACKWARD_OPS = ("conv_backward", "conv_transpose_backward", "max_pool_backward",
                "avg_pool_backward")
#: Every op a target may define, in the order a report lists them.
ALL_OPS = OPS + BACKWARD_OPS
#: backward op -> its forward op (whose keywords, validity rules and output shape it shares).
FORWARD_OF = {op: op.removesuffix("_backward") for op in BACKWARD_OPS}

#: style name -> "module:function" under cnnspec.targets; ``function(module) -> module`` maps a file of
#: functions in that style (a course assignment's signatures) onto the contract;
#: ``load_target("cs231n:layers.py")`` loads layers.py and adapts it
STYLES: dict[str, str] = {"cs231n": "cs231n:adapt", "cs231n-fast": "cs231n:adapt_fast"}

class Builtin(NamedTuple):
    """A built-in target: its module under cnnspec.targets, the pip extra that installs its
    library (None: a dependency), and the modules that library is imported as."""

    module: str
    extra: str | None
    imports: tuple[str, ...]


#: short name -> the built-in target
BUILTIN: dict[str, Builtin] = {
    "reference": Builtin("reference", None, ("numpy",)),
    "scipy": Builtin("scipy", None, ("scipy",)),
    "torch": Builtin("torch_cpu", "torch", ("torch",)),
    "torch-cpu": Builtin("torch_cpu", "torch", ("torch",)),
    "torch-cuda": Builtin("torch_cuda", "torch", ("torch",)),
    "torch-cuda-tf32": Builtin("torch_cuda_tf32", "torch", ("torch",)),
    "onnxruntime": Builtin("onnxruntime", "onnxruntime", ("onnxruntime", "onnx")),
    "onnx-reference": Builtin("onnx_reference", "onnx", ("onnx",)),
    "jax": Builtin("jax", "jax", ("jax",)),
    "tensorflow": Builtin("tensorflow", "tensorflow", ("tensorflow",)),
    "keras-jax": Builtin("keras_jax", "keras", ("keras", "jax")),
    "keras-tensorflow": Builtin("keras_tensorflow", "keras", ("keras", "tensorflow")),
    "keras-torch": Builtin("keras_torch", "keras", ("keras", "torch")),
    "tinygrad": Builtin("tinygrad", "tinygrad", ("tinygrad",)),
    "mlx": Builtin("mlx", "mlx", ("mlx",)),
}


class OpMissing(Exception):
    """The target does not define this op: 'not implemented', reported, not a failure."""


class Unsupported(Exception):
    """The target raised NotImplementedError for this configuration, or cannot run here."""


@dataclass
class Target:
    """A loaded target: its name, its module, and its declared precision."""

    name: str
    module: ModuleType

    @property
    def precision(self) -> str | None:
        return getattr(self.module, "PRECISION", None)

    @property
    def library(self) -> str | None:
        return getattr(self.module, "LIBRARY", None)

    @property
    def unavailable(self) -> str | None:
        return getattr(self.module, "UNAVAILABLE", None)

    def has(self, op: str) -> bool:
        return callable(getattr(self.module, op, None))

    def op(self, op: str) -> Callable[..., Any]:
        """The target's function for ``op``; OpMissing / Unsupported when it cannot run."""
        if self.unavailable:
            raise Unsupported(f"{self.name}: {self.unavailable}")
        fn = getattr(self.module, op, None)
        if not callable(fn):
            raise OpMissing(f"{self.name} does not define {op}()")
        return fn


def load_target(spec: str | ModuleType) -> Target:
    """Import a target by dotted name or ``.py`` path (ImportError with the cause otherwise)."""
    if isinstance(spec, ModuleType):
        return Target(spec.__name__, spec)
    style, sep, inner = spec.partition(":")
    if sep and style in STYLES:
        module_name, _, function = STYLES[style].partition(":")
        adapter = getattr(importlib.import_module(f"{__name__}.{module_name}"), function)
        return Target(spec, adapter(load_target(inner).module))
    if spec.endswith(".py"):
        path = Path(spec).resolve()
        if not path.is_file():
            raise ImportError(f"target file {spec!r} does not exist")
        name = f"cnnspec_target_{path.stem}"
        module_spec = importlib.util.spec_from_file_location(name, path)
        if module_spec is None or module_spec.loader is None:
            raise ImportError(f"cannot import target file {spec!r}")
        module = importlib.util.module_from_spec(module_spec)
        sys.modules[name] = module
        module_spec.loader.exec_module(module)
        return Target(str(path), module)
    if spec in BUILTIN:
        module_name, extra, _ = BUILTIN[spec]
        try:
            return Target(spec, importlib.import_module(f"{__name__}.{module_name}"))
        except ImportError as e:
            hint = f': pip install "cnnspec[{extra}]"' if extra else ""
            raise ImportError(f"built-in target {spec!r} cannot be imported ({e}){hint}") from e
    return Target(spec, importlib.import_module(spec))
