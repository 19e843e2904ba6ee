"""Which rule a counterexample breaks first: the root cause of a failing check.

A check fails on its own minimal case, but the bug behind it is often more basic than the
rule the check is about: a conv with H' and W' swapped fails ``config.int``'s check that
NumPy integers are accepted, because the output of that call has the wrong shape.  So the
minimal case of every failing check is judged again, as a plain call of its op against the
reference, in the order a reader would look for the bug:

1. the output shape  -> ``conv.out-size`` / ``conv-transpose.out-size`` / ``pool.out-size``;
2. the values, where the same call without its bias is right -> ``conv.bias`` /
   ``conv-transpose.bias`` (the bias is handled wrong, the sum is not);
3. the values -> the op's definition (``conv.def``, ``conv-transpose.def``,
   ``pool.max-def``, ``pool.avg-def``): the checks of more specific rules that failed on
   the same bug are listed with it;
4. a plain call that is right: the check's own rule (the bug shows only in a relation
   between calls, or in what the check does around the call).

:func:`cause` returns that rule and a message with the arrays of small cases; results of a
run are grouped by it into findings (:func:`cnnspec.conform.results.findings`).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..targets import Target

__all__ = ["cause", "basic_call", "BASIC_RULES", "show_arrays"]

#: op -> (shape rule, definition rule, bias rule)
BASIC_RULES = {"conv": ("conv.out-size", "conv.def", "conv.bias"),
               "conv_transpose": ("conv-transpose.out-size", "conv-transpose.def",
                                  "conv-transpose.bias"),
               "max_pool": ("pool.out-size", "pool.max-def", None),
               "avg_pool": ("pool.out-size", "pool.avg-def", None)}
#: Arrays up to this many elements are printed with a finding.
SHOW_MAX = 64


def basic_call(case: Any) -> tuple[str, tuple[Any, ...], dict[str, Any]] | None:
    """(op, args, kwargs) of the single call a case makes, or None when it makes no single
    plain call (pairs of configs, formula cases)."""
    if all(hasattr(case, a) for a in ("op", "args", "kwargs")):
        return case.op, tuple(case.args), dict(case.kwargs)
    kind = type(case).__name__
    if kind in ("ConvConfig", "ConvTransposeConfig"):
        return case.OP, (case.x, case.w, case.b), dict(case.kwargs)
    if kind == "PoolConfig":
        return f"{case.kind}_pool", (case.x,), dict(case.kwargs)
    return None


def _reference(op: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> np.ndarray | None:
    from ..errors import InvalidConfig
    from ..targets import reference

    try:
        return getattr(reference, op)(*args, **kwargs)
    except (InvalidConfig, TypeError, ValueError):
        return None  # an invalid call: no reference answer to judge by


def _abs_sum(op: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> tuple[Any, int] | None:
    """(sum of |terms| per output, number of terms) for the K-aware bound; None: exact."""
    from ..targets import reference

    if op == "max_pool":
        return None
    if op == "avg_pool":
        return reference.avg_pool(np.abs(args[0]), **kwargs), int(np.prod(kwargs["kernel"]))
    x, w, b = args
    absb = None if b is None else np.abs(b)
    terms = int(np.prod(w.shape[1:])) + (b is not None)
    return getattr(reference, op)(np.abs(x), np.abs(w), absb, **kwargs), terms


def show_arrays(args: tuple[Any, ...], y: Any = None, expected: Any = None) -> str:
    """x, w, b (and y, the expected y) as nested lists when each is small, else ''."""
    named = list(zip("xwb", args)) + [("y", y), ("expected y", expected)]
    arrays = [(n, a) for n, a in named if isinstance(a, np.ndarray)]
    if not arrays or any(a.size > SHOW_MAX for _, a in arrays):
        return ""
    def text(a: np.ndarray) -> str:
        return np.array2string(a, separator=", ", threshold=SHOW_MAX, max_line_width=100,
                               formatter={"float_kind": lambda v: f"{v:g}"})
    return "\n".join(f"  {n} = " + text(a).replace("\n", "\n" + " " * (len(n) + 5))
                     for n, a in arrays)


def _judge(target: Target, op: str, args: tuple[Any, ...], kwargs: dict[str, Any],
           rule: str) -> tuple[str, str] | None:
    """('shape' | 'values', message) when the target's plain call is wrong, None when it is
    right or cannot be judged (the call refused, not an array, no reference)."""
    from ..rules._harness import expect_close

    expected = _reference(op, args, kwargs)
    if expected is None:
        return None
    try:
        y = target.op(op)(*(a.copy() if isinstance(a, np.ndarray) else a for a in args),
                          **kwargs)
    except Exception:  # noqa: BLE001 - refusals are judged elsewhere (restrictions)
        return None
    if not isinstance(y, np.ndarray):
        return None
    call = _format(op, args, kwargs)
    arrays = show_arrays(args, y, expected)
    if y.shape != expected.shape:
        return "shape", (f"y.shape={tuple(y.shape)}, but should be {tuple(expected.shape)} "
                         f"[{rule}]\n  [{call}]" + ("\n" + arrays if arrays else ""))
    sums = _abs_sum(op, args, kwargs)
    try:
        if sums is None:
            expect_close(target, y, expected, rule=rule, call=call)
        else:
            expect_close(target, y, expected, rule=rule, call=call, abs_sum=sums[0],
                         terms=sums[1], integer_valued=_integer_valued(args))
    except AssertionError as e:
        return "values", str(e) + ("\n" + arrays if arrays else "")
    return None


def _integer_valued(args: tuple[Any, ...]) -> bool:
    return all(np.array_equal(a, np.round(a)) for a in args if isinstance(a, np.ndarray))


def _format(op: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> str:
    from ..asserts import format_call

    return format_call(op, *args, **kwargs)


def cause(target: Target, case: Any, rule: str) -> tuple[str, str] | None:
    """(rule, message) of the most basic rule the case's plain call breaks (see the module
    docstring), or None when the case makes no plain call or the call is right."""
    call = basic_call(case)
    if call is None:
        return None
    op, args, kwargs = call
    if op not in BASIC_RULES or not target.has(op):
        return None
    shape_rule, def_rule, bias_rule = BASIC_RULES[op]
    try:
        found = _judge(target, op, args, kwargs, shape_rule)
    except Exception:  # noqa: BLE001 - a case the reference cannot take: no diagnosis
        return None
    if found is None:
        return None
    what, message = found
    if what == "shape":
        return shape_rule, message
    if bias_rule is not None and args[2] is not None:
        without = _judge(target, op, (args[0], args[1], None), kwargs, def_rule)
        if without is None:
            return bias_rule, (message.replace(f"[{shape_rule}]", f"[{bias_rule}]")
                               + "\n  (the same call with b=None is right: the bias is "
                                 "handled wrong)")
    return def_rule, message.replace(f"[{shape_rule}]", f"[{def_rule}]")
