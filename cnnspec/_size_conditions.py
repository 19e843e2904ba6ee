"""Conditions on symbolic sizes for cnnspec.summarize's walker (cnnspec/_network.py): the
sizes for which a relation holds (every pooling window has an input cell, the two branches
of an add have one shape), as SymPy relations on the size's symbol; InvalidConfig naming the
rule when no size satisfies it.
"""

from __future__ import annotations

from typing import Any

from . import formulas
from ._check import is_symbolic, require
from .errors import InvalidConfig


def _s(x: Any) -> Any:
    """Simplify a symbolic size exactly (ints pass through)."""
    if not is_symbolic(x):
        return x
    from ._symbolic_sizes import simplify

    return simplify(x)


def _condition(expr: Any, what: str, rule: str) -> list:
    """[relation] for expr >= 0 on a symbol; [] if it always holds; raise if it never does."""
    import sympy

    from ._symbolic_sizes import solve_at_least

    rel = solve_at_least(expr)
    if rel is sympy.true:
        return []
    if rel is sympy.false:
        raise InvalidConfig(f"{what}: {expr} >= 0 holds for no size, but should hold for some",
                            rule=rule)
    return [rel]


def _windows_have_input(spatial: tuple, pad: tuple, k: tuple, s: tuple, d: tuple,
                        ceil_mode: bool) -> tuple:
    """Symbolic axes with int padding: the sizes for which every pooling window has an input
    cell [pool.window-has-input], as a condition on the axis' size; InvalidConfig when no
    size satisfies it."""
    out = []
    for a, (i, (pb, pa), ki, si, di) in enumerate(zip(spatial, pad, k, s, d)):
        if is_symbolic(i) and not any(is_symbolic(v) for v in (pb, pa, ki, si, di)):
            out.extend(_window_condition(i, ki, si, pb, pa, di, bool(ceil_mode), a))
    return tuple(out)


def _window_condition(i: Any, k: int, s: int, pb: int, pa: int, d: int, ceil_mode: bool,
                      axis: int) -> list:
    """Whether every window reads an input cell, as a condition on the size i.

    For sizes n >= top the answer depends on n mod s only: past the kernel's span and the
    paddings a window misses the input only by starting at or after its end, and the last
    window's start moves with n in steps of s.  So n = 1 .. top + s - 1 are tried one by
    one (sizes where the kernel does not fit are left to [pool.kernel-fits])."""
    import sympy

    eff = formulas.effective_kernel(k, d)
    top = eff + pb + pa + d + 2 * s

    def ok(n: int) -> bool | None:
        if n + pb + pa < eff:
            return None
        return formulas.pool_window_has_input(n, k, stride=s, padding=(pb, pa), dilation=d,
                                              ceil_mode=ceil_mode) is None

    sizes = {n: ok(n) for n in range(1, top + s)}
    if all(v is not False for v in sizes.values()):
        return []
    good = [n for n, v in sizes.items() if v]
    what = f"every pooling window has an input cell on axis {axis}"
    if not good:
        raise InvalidConfig(f"{what}: holds for no size {i}, but should hold for some",
                            rule="pool.window-has-input",
                            detail=f"  kernel={k}, stride={s}, padding=({pb}, {pa}), dilation={d}, "
                                   f"ceil_mode={ceil_mode}: for every size, some window reads "
                                   f"only padding")
    residues = sorted({n % s for n in range(top, top + s) if sizes[n]})
    if len(residues) == s:
        m = min(n for n in range(1, top + s)
                if all(sizes[q] is not False for q in range(n, top + s)))
        small = [n for n in good if n < m]
        if not small:
            return _condition(_s(i - m), what, "pool.window-has-input")
        tail: Any = sympy.Ge(i, m)
    else:
        m = min(n for n in range(1, top + s)
                if all(sizes[q] is not (q % s not in residues) for q in range(n, top + s)))
        small = [n for n in good if n < m]
        tail = sympy.Or(*(sympy.Eq(sympy.Mod(i, s), r) for r in residues))
        tail = tail if m <= 1 else sympy.And(sympy.Ge(i, m), tail)
    return [sympy.Or(tail, *(sympy.Eq(i, n) for n in small))]


def _same_shape(a: tuple, b: tuple) -> tuple:
    """Shapes of the two branches of an add: equal, or the condition on the symbol."""
    import itertools

    msg = f"main output shape={a}, but should equal shortcut output shape={b}"
    require(len(a) == len(b), msg, rule="net.residual-shape")
    cons = []
    for x, y in zip(a, b):
        if not (is_symbolic(x) or is_symbolic(y)):
            require(x == y, msg, rule="net.residual-shape")
            continue
        import sympy

        from ._symbolic_sizes import zero_set

        z = zero_set(_s(x - y))
        if z is None:
            cons.append(sympy.Eq(x, y))
            continue
        sym, period, classes, points = z
        if len(classes) == period:
            continue
        if not classes and not points:
            raise InvalidConfig(msg + " for every size", rule="net.residual-shape")
        cons.append(sympy.Or(*itertools.chain(
            (sympy.Eq(sympy.Mod(sym, period), r) for r in sorted(classes)),
            (sympy.Eq(sym, p) for p in points))))
    return tuple(cons)
