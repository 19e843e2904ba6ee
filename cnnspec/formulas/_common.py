"""What every formula module shares: the Int type, min/max/product that also take SymPy
expressions, ceiling division, and the padding-pair and bool-flag arguments."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from .._check import as_int, is_symbolic, require

Int = Any  # an int or a SymPy integer expression


def _min(a: Int, b: Int) -> Int:
    if is_symbolic(a) or is_symbolic(b):
        import sympy

        return sympy.Min(a, b)
    return min(a, b)


def _max(a: Int, b: Int) -> Int:
    if is_symbolic(a) or is_symbolic(b):
        import sympy

        return sympy.Max(a, b)
    return max(a, b)


def _prod(values: Iterable[Int]) -> Int:
    out: Int = 1
    for v in values:
        out = out * v
    return out


def _pad_pair(padding: Any) -> tuple[Int, Int]:
    """An int (both sides) or a (before, after) pair, each >= 0.  [config.padding]"""
    if isinstance(padding, Sequence) and not isinstance(padding, str):
        items = tuple(padding)
        require(len(items) == 2, f"padding={items!r}, but should be a (before, after) pair",
                rule="config.rank")
        pb, pa = as_int("padding[0]", items[0]), as_int("padding[1]", items[1])
    else:
        pb = pa = as_int("padding", padding)
    for p in (pb, pa):
        if not is_symbolic(p):
            require(p >= 0, f"padding={padding!r}, but should be >= 0 before and after",
                    rule="config.padding")
    return pb, pa


def ceil_div(a: Int, b: Int) -> Int:
    """ceil(a / b) in integer arithmetic: ``-((-a) // b)``."""
    return -((-a) // b)


def _flag(name: str, v: Any) -> bool:
    require(isinstance(v, bool) or type(v).__name__ == "bool_",
            f"{name}={v!r}, but should be a bool", rule="config.int")
    return bool(v)
