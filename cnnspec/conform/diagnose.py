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

A backward op's call (``conv_backward`` ...) is judged gradient by gradient, dx, then dw,
then db, against the reference's: the first wrong one names the rule (``conv.grad-input``,
``conv.grad-weight``, ``conv.grad-bias``, ``pool.max-grad`` ...), and the message says which
of dx, dw, db is wrong and which are right, with the arrays of small cases.

:func:`cause` returns that rule and a message with the arrays of small cases; results of a
run are grouped by it into findings (:func:`cnnspec.conform.results.findings`).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..targets import FORWARD_OF, Target

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
    from ..rules._harness import args_of, op_of

    if all(hasattr(case, a) for a in ("op", "args", "kwargs")):
        return case.op, tuple(case.args), dict(case.kwargs)
    if type(case).__name__ in ("ConvConfig", "ConvTransposeConfig", "PoolConfig"):
        return op_of(case), args_of(case), dict(case.kwargs)
    return None


def show_arrays(args: tuple[Any, ...], y: Any = None, expected: Any = None, *,
                names: tuple[str, ...] = ("x", "w", "b"),
                results: dict[str, Any] | None = None) -> str:
    """x, w, b (and y, the expected y; or the named ``results``) as nested lists when each
    is small, else ''."""
    named = list(zip(names, args)) + (list(results.items()) if results is not None
                                      else [("y", y), ("expected y", expected)])
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
    """('shape' | 'values', message) when the target's plain call is wrong, ('right', '')
    when it is right, None when it cannot be judged (the call refused, not an array, no
    reference).  The values are compared as every check compares them
    (rules._harness.compare_reference)."""
    from ..asserts import format_call
    from ..rules._harness import accepted, compare_reference

    expected = accepted(op, args, kwargs)
    if expected is None:
        return None  # an invalid call: no reference answer to judge by
    try:
        y = target.op(op)(*(a.copy() if isinstance(a, np.ndarray) else a for a in args),
                          **kwargs)
    except Exception:  # noqa: BLE001 - refusals are judged elsewhere (restrictions)
        return None
    if not isinstance(y, np.ndarray):
        return None
    call = format_call(op, *args, **kwargs)
    arrays = show_arrays(args, y, expected)
    if y.shape != expected.shape:
        return "shape", (f"y.shape={tuple(y.shape)}, but should be {tuple(expected.shape)} "
                         f"[{rule}]\n  [{call}]" + ("\n" + arrays if arrays else ""))
    integer_valued = all(np.array_equal(a, np.round(a)) for a in args
                         if isinstance(a, np.ndarray))
    try:
        compare_reference(target, op, y, expected, args, kwargs, rule=rule, call=call,
                          integer_valued=integer_valued)
    except AssertionError as e:
        return "values", str(e) + ("\n" + arrays if arrays else "")
    return "right", ""


def cause(target: Target, case: Any, rule: str) -> tuple[str, str] | None:
    """(rule, message) of the most basic rule the case's plain call breaks (see the module
    docstring), or None when the case makes no plain call or the call is right."""
    call = basic_call(case)
    if call is None:
        return None
    op, args, kwargs = call
    if op in FORWARD_OF and target.has(op):
        return _grad_cause(target, op, args, kwargs)
    if op not in BASIC_RULES or not target.has(op):
        return None
    shape_rule, def_rule, bias_rule = BASIC_RULES[op]
    try:
        found = _judge(target, op, args, kwargs, shape_rule)
    except Exception:  # noqa: BLE001 - a case the reference cannot take: no diagnosis
        return None
    if found is None or found[0] == "right":
        return None
    what, message = found
    if what == "shape":
        return shape_rule, message
    if bias_rule is not None and args[2] is not None:
        # the bias is to blame only when the same call without it ran and was right (a
        # target that refuses b=None tells nothing about its bias)
        without = _judge(target, op, (args[0], args[1], None), kwargs, def_rule)
        if without is not None and without[0] == "right":
            return bias_rule, (message.replace(f"[{shape_rule}]", f"[{bias_rule}]")
                               + "\n  (the same call with b=None is right: the bias is "
                                 "handled wrong)")
    return def_rule, message.replace(f"[{shape_rule}]", f"[{def_rule}]")


def _grad_cause(target: Target, op: str, args: tuple[Any, ...], kwargs: dict[str, Any]
                ) -> tuple[str, str] | None:
    """(rule, message) of a backward call's first wrong gradient (see the module docstring)."""
    from ..rules._grad_oracle import ARG_NAMES, wrong_grads

    try:
        found = wrong_grads(target, op, args, kwargs)
    except Exception:  # noqa: BLE001 - a case the reference cannot take: no diagnosis
        return None
    if found is None:
        return None
    rule, message, results = found
    arrays = show_arrays(args, names=ARG_NAMES[op], results=results)
    return rule, message + ("\n" + arrays if arrays else "")
