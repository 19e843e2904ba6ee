"""Targets: modules in the target contract (docs/contract.md), and how to load one.

A target is an importable module (``pkg.mod``) or a ``.py`` path defining any subset of
``conv``, ``conv_transpose``, ``max_pool``, ``avg_pool``.  Optional module attributes:
``PRECISION`` (``"float32"``, ``"tf32"``, ``"float16"``, ``"bfloat16"``: the precision it
computes in when that is not the dtype it returns) and ``UNAVAILABLE`` (a string: the whole
target cannot run here, e.g. no CUDA device; every op is then unsupported with that reason).

Built-in targets: ``cnnspec.targets.reference``, ``cnnspec.targets.scipy``,
``cnnspec.targets.torch_cpu``, ``cnnspec.targets.torch_cuda`` (float64) and
``cnnspec.targets.torch_cuda_tf32`` (float32 with TF32 allowed, PRECISION = "tf32").
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

__all__ = ["OPS", "Target", "load_target", "OpMissing", "Unsupported"]

OPS = ("conv", "conv_transpose", "max_pool", "avg_pool")


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
    return Target(spec, importlib.import_module(spec))
