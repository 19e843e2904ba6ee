"""SymPy symbols for rendering formulas (imported lazily, only when a formula is shown)."""

from __future__ import annotations

from typing import Any


def symbols(names: str) -> Any:
    """Positive integer symbols; names starting with p_ or op are nonnegative."""
    import sympy

    out = []
    for name in names.split():
        if name.startswith(("p_", "op")):
            out.append(sympy.Symbol(name, integer=True, nonnegative=True))
        else:
            out.append(sympy.Symbol(name, integer=True, positive=True))
    return out[0] if len(out) == 1 else tuple(out)
