"""Small validators shared by formulas.py and the reference ops.

Each one raises :class:`InvalidConfig` with ``name=value, but should be <relation> [rule]``.
Values may be Python / NumPy integers or SymPy expressions; a symbolic value passes the
integer check and skips the numeric comparisons (its conditions are the caller's business).
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence
from typing import Any

from .errors import InvalidConfig

__all__ = ["is_symbolic", "as_int", "require", "per_axis", "pairs"]


def is_symbolic(v: Any) -> bool:
    """True for a SymPy object (checked without importing SymPy)."""
    return type(v).__module__.startswith("sympy")


def as_int(name: str, v: Any, *, rule: str = "config.int") -> Any:
    """Return ``v`` as a Python int (or unchanged if symbolic); reject bool, float, NaN, inf."""
    if is_symbolic(v):
        if getattr(v, "is_integer", None) is False:
            raise InvalidConfig(f"{name}={v}, but should be an integer expression", rule=rule)
        return int(v) if getattr(v, "is_Integer", False) else v
    if isinstance(v, bool) or type(v).__name__ == "bool_":
        raise InvalidConfig(f"{name}={v!r}, but should be an int, not a bool", rule=rule)
    if isinstance(v, numbers.Integral):
        return int(v)
    if isinstance(v, numbers.Real) and not math.isfinite(float(v)):
        raise InvalidConfig(f"{name}={v!r}, but should be a finite int", rule=rule)
    raise InvalidConfig(f"{name}={v!r} ({type(v).__name__}), but should be an int", rule=rule)


def require(ok: Any, message: str, *, rule: str, detail: str = "") -> None:
    """Raise InvalidConfig(message, rule) unless ``ok``; a symbolic relation passes."""
    if ok is True or (ok is not False and is_symbolic(ok)):
        return
    if not ok:
        raise InvalidConfig(message, rule=rule, detail=detail)


def at_least(name: str, v: Any, low: int, *, rule: str) -> Any:
    """``v`` as an int, required to be >= low (skipped for symbols)."""
    v = as_int(name, v)
    if not is_symbolic(v):
        require(v >= low, f"{name}={v}, but should be >= {low}", rule=rule)
    return v


def per_axis(name: str, v: Any, rank: int, *, rule: str = "config.rank") -> tuple[Any, ...]:
    """One value per spatial axis: an int is broadcast, a sequence must have ``rank`` items."""
    if isinstance(v, (str, bytes)):
        raise InvalidConfig(f"{name}={v!r}, but should be an int or a tuple of {rank} ints",
                            rule="config.int")
    if isinstance(v, Sequence) or type(v).__name__ == "ndarray":
        items = tuple(v)
        require(len(items) == rank,
                f"{name}={items!r} has {len(items)} entries, but should have one per spatial "
                f"axis ({rank})", rule=rule)
        return tuple(as_int(f"{name}[{a}]", item) for a, item in enumerate(items))
    return (as_int(name, v),) * rank


def pairs(name: str, v: Any, rank: int, *, rule: str = "config.rank") -> tuple[tuple[Any, Any], ...]:
    """Padding as ``rank`` (before, after) pairs.

    Accepted: an int (same on both sides of every axis), ``rank`` ints (symmetric per
    axis), or ``rank`` pairs.
    """
    if isinstance(v, (str, bytes)) or not (isinstance(v, Sequence) or type(v).__name__ == "ndarray"):
        p = as_int(name, v)
        return ((p, p),) * rank
    items = tuple(v)
    require(len(items) == rank,
            f"{name}={items!r} has {len(items)} entries, but should have one per spatial axis "
            f"({rank})", rule=rule)
    out = []
    for a, item in enumerate(items):
        if isinstance(item, Sequence) and not isinstance(item, (str, bytes)):
            pair = tuple(item)
            require(len(pair) == 2,
                    f"{name}[{a}]={pair!r}, but should be a (before, after) pair", rule=rule)
            out.append((as_int(f"{name}[{a}][0]", pair[0]), as_int(f"{name}[{a}][1]", pair[1])))
        else:
            p = as_int(f"{name}[{a}]", item)
            out.append((p, p))
    return tuple(out)
