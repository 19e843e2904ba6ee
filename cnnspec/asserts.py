"""Assertion primitives any test or check can use, whose messages read
`name=value, but should be <relation> [rule]`:

    AssertionError: y.shape[2:]=(4, 3), but should be (4, 2) [conv.out-size]
      [conv(x: (1, 1, 7, 5), w: (1, 1, 3, 3), stride=(2, 2), ...)]

Where to look: a check calls and judges a target through cnnspec.rules._harness (forward
ops) and cnnspec.rules._grad_oracle (backward ops), which raise with these; the bounds they
pass come from cnnspec.tolerance; the spec's own proofs use cnnspec.rules._evidence.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np

__all__ = ["format_call", "fail", "assert_shape", "assert_exact", "assert_within",
           "observing"]


def _describe(v: Any) -> str:
    if isinstance(v, np.ndarray):
        return f"{tuple(v.shape)}"
    return repr(v)


def format_call(op: str, *args: Any, names: tuple[str, ...] = ("x", "w", "b"),
                **kwargs: Any) -> str:
    """``conv(x: (1, 1, 7, 5), w: (1, 1, 3, 3), stride=(2, 2))``: a call of a contract op,
    arrays shown by shape, each positional argument by its name in ``names`` ('arg' past
    them).  The spec's own functions of ints are shown as pasteable Python instead
    (rules._evidence.call_text)."""
    parts = [f"{names[i] if i < len(names) else 'arg'}: {_describe(a)}"
             for i, a in enumerate(args)]
    parts += [f"{k}={_describe(v)}" for k, v in kwargs.items()]
    return f"{op}({', '.join(parts)})"


def fail(message: str, rule: str, call: str = "", detail: str = "") -> None:
    """Raise AssertionError: ``message [rule]``, the detail lines, then ``[call]``."""
    text = f"{message} [{rule}]"
    if detail:
        text += "\n" + detail
    if call:
        text += f"\n  [{call}]"
    raise AssertionError(text)


def assert_shape(actual: Any, expected: Any, *, rule: str, call: str = "", name: str = "y.shape",
                 detail: str = "") -> None:
    """Shapes equal as tuples of ints."""
    a, e = tuple(int(v) for v in actual), tuple(int(v) for v in expected)
    if a != e:
        fail(f"{name}={a}, but should be {e}", rule, call, detail)


def _cell_name(name: str) -> str:
    """How the differing cells are labelled: the array's name (dx[0, 0, 4]) when it is one
    word, else y."""
    return name if name.isidentifier() else "y"


def _diff_report(actual: np.ndarray, expected: np.ndarray, bad: np.ndarray, most: int = 5,
                 bound: np.ndarray | None = None, name: str = "y") -> str:
    idx = np.argwhere(bad)
    lines = [f"  {len(idx)} of {bad.size} elements differ; first {min(most, len(idx))}:"]
    for i in idx[:most]:
        t = tuple(int(v) for v in i)
        line = f"    {name}{list(t)} = {actual[t]!r}, expected {expected[t]!r}"
        if bound is not None:
            line += f" (|diff|={abs(actual[t] - expected[t]):.3g} > bound {bound[t]:.3g})"
        lines.append(line)
    return "\n".join(lines)


def assert_exact(actual: Any, expected: Any, *, rule: str, call: str = "", name: str = "y") -> None:
    """Same shape and the same values, NaN where expected has NaN (integer-valued data)."""
    a, e = np.asarray(actual), np.asarray(expected)
    assert_shape(a.shape, e.shape, rule=rule, call=call, name=f"{name}.shape")
    bad = ~((a == e) | (np.isnan(a) & np.isnan(e)))
    if bad.any():
        fail(f"{name} differs from the expected values", rule, call,
             _diff_report(a, e, bad, name=_cell_name(name)))


#: Callbacks told of every bounded comparison, ``fn(actual, expected, bound, statistical)``
#: (statistical: a sharper, empirical sqrt(K)-based bound, or None): the conformance worker
#: records the worst error relative to each for its report.  They never change the verdict.
#: Add one with :func:`observing`, for the comparisons made inside the ``with`` block.
OBSERVERS: list[Any] = []


@contextmanager
def observing(fn: Any) -> Iterator[None]:
    """Tell ``fn`` of every bounded comparison made inside the block (see OBSERVERS)."""
    OBSERVERS.append(fn)
    try:
        yield
    finally:
        OBSERVERS.remove(fn)


def assert_within(actual: Any, expected: Any, bound: Any, *, rule: str, call: str = "",
                  name: str = "y", statistical: Any = None) -> None:
    """|actual - expected| <= bound per element (bound broadcast); NaN only where expected.
    ``statistical`` is only passed on to the OBSERVERS."""
    for observe in OBSERVERS:
        observe(actual, expected, bound, statistical)
    a, e = np.asarray(actual, dtype=np.float64), np.asarray(expected, dtype=np.float64)
    assert_shape(a.shape, e.shape, rule=rule, call=call, name=f"{name}.shape")
    bnd = np.broadcast_to(np.asarray(bound, dtype=np.float64), e.shape)
    both_nan = np.isnan(a) & np.isnan(e)
    with np.errstate(invalid="ignore"):
        ok = both_nan | (np.abs(a - e) <= bnd) | ((a == e) & np.isinf(e))
    if not ok.all():
        fail(f"{name} is outside the error bound", rule, call,
             _diff_report(a, e, ~ok, bound=bnd, name=_cell_name(name)))
