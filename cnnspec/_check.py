"""Small validators shared by cnnspec.formulas and the reference ops.

Each one raises :class:`InvalidConfig` with ``name=value, but should be <relation> [rule]``.
Values may be Python / NumPy integers (0-d arrays included) or SymPy expressions; a
symbolic value passes the integer check unless SymPy knows it is not an integer, and a
comparison on it fails only when SymPy can decide it is False (``negative=True`` symbols);
its other conditions are the caller's business.
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


def _is_ndarray(v: Any) -> bool:
    """True for a NumPy array (checked without importing NumPy)."""
    return type(v).__name__ == "ndarray" and hasattr(v, "ndim")


def _is_numpy_bool(v: Any) -> bool:
    """True for ``np.True_`` / ``np.False_`` (type ``numpy.bool_``, named ``bool`` in NumPy 2)."""
    return type(v).__module__ == "numpy" and type(v).__name__ in ("bool_", "bool")


def as_int(name: str, v: Any, *, rule: str = "config.int") -> Any:
    """Return ``v`` as a Python int (or unchanged if symbolic); reject bool, float, NaN, inf.

    A 0-d integer array counts as its value.  A SymPy *number* must be an Integer (so
    ``nan``, ``oo``, ``Float(2.0)`` and ``Rational(1, 2)`` are rejected, as their Python
    counterparts are); other SymPy expressions pass unless known not to be integers.
    """
    if _is_ndarray(v) and v.ndim == 0:
        v = v[()]  # the NumPy scalar: np.int64, np.float64, np.bool_, ...
    if is_symbolic(v):
        if getattr(v, "is_Integer", False):
            return int(v)
        if (getattr(v, "is_Boolean", False) or getattr(v, "is_number", False)
                or getattr(v, "is_integer", None) is False):
            raise InvalidConfig(f"{name}={v}, but should be an integer expression", rule=rule)
        return v
    if isinstance(v, bool) or _is_numpy_bool(v):
        raise InvalidConfig(f"{name}={v!r}, but should be an int, not a bool", rule=rule)
    if isinstance(v, numbers.Integral):
        return int(v)
    if isinstance(v, numbers.Real) and not math.isfinite(float(v)):
        raise InvalidConfig(f"{name}={v!r}, but should be a finite int", rule=rule)
    raise InvalidConfig(f"{name}={v!r} ({type(v).__name__}), but should be an int", rule=rule)


def require(ok: Any, message: str, *, rule: str, detail: str = "") -> None:
    """Raise InvalidConfig(message, rule) unless ``ok``.

    A symbolic relation passes unless SymPy evaluates it to ``false``.
    """
    if ok is True:
        return
    if is_symbolic(ok):  # a relation SymPy cannot decide passes; one it decides False fails
        if type(ok).__name__ != "BooleanFalse":
            return
        raise InvalidConfig(message, rule=rule, detail=detail)
    if not ok:
        raise InvalidConfig(message, rule=rule, detail=detail)


def at_least(name: str, v: Any, low: int, *, rule: str) -> Any:
    """``v`` as an int, required to be >= low.

    For a symbol the relation is checked only when SymPy can decide it: ``H >= 1`` passes
    for any H it cannot prove < 1, and a symbol declared ``negative=True`` is rejected.
    """
    v = as_int(name, v)
    try:
        ok = v >= low
    except TypeError:  # a SymPy expression that is not real
        raise InvalidConfig(f"{name}={v}, but should be a real integer expression",
                            rule="config.int") from None
    require(ok, f"{name}={v}, but should be >= {low}", rule=rule)
    return v


def _entries(n: int) -> str:
    return f"{n} entry" if n == 1 else f"{n} entries"


def _is_sequence(v: Any) -> bool:
    """A tuple, list or non-0-d array: something with one item per axis (not a str)."""
    if isinstance(v, (str, bytes)):
        return False
    return isinstance(v, Sequence) or (_is_ndarray(v) and v.ndim > 0)


def per_axis(name: str, v: Any, rank: int, *, rule: str = "config.rank") -> tuple[Any, ...]:
    """One value per spatial axis: an int is broadcast, a sequence must have ``rank`` items."""
    if isinstance(v, (str, bytes)):
        raise InvalidConfig(f"{name}={v!r}, but should be an int or a tuple of {rank} ints",
                            rule="config.int")
    if _is_sequence(v):
        items = tuple(v)
        require(len(items) == rank,
                f"{name}={items!r} has {_entries(len(items))}, but should have one per spatial "
                f"axis ({rank})", rule=rule)
        return tuple(as_int(f"{name}[{a}]", item) for a, item in enumerate(items))
    return (as_int(name, v),) * rank


def pairs(name: str, v: Any, rank: int, *,
          rule: str = "config.rank") -> tuple[tuple[Any, Any], ...]:
    """Padding as ``rank`` (before, after) pairs.

    Accepted: an int (same on both sides of every axis), ``rank`` ints (symmetric per
    axis), or ``rank`` pairs.
    """
    if not _is_sequence(v):
        p = as_int(name, v)
        return ((p, p),) * rank
    items = tuple(v)
    require(len(items) == rank,
            f"{name}={items!r} has {_entries(len(items))}, but should have one per spatial axis "
            f"({rank})", rule=rule)
    out = []
    for a, item in enumerate(items):
        if _is_sequence(item):
            pair = tuple(item)
            require(len(pair) == 2,
                    f"{name}[{a}]={pair!r}, but should be a (before, after) pair", rule=rule)
            out.append((as_int(f"{name}[{a}][0]", pair[0]), as_int(f"{name}[{a}][1]", pair[1])))
        else:
            p = as_int(f"{name}[{a}]", item)
            out.append((p, p))
    return tuple(out)
