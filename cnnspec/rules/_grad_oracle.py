"""The backward ops' harness: build a backward call, call the target, compare with the reference.

Where to look: built on the forward harness (cnnspec.rules._harness: call_on_copies, Refusal,
Call); exact-vs-bound and the bounds are cnnspec.tolerance's; failures are raised with
cnnspec.asserts; the spec's own proofs use cnnspec.rules._evidence.

Shared by the checks of the gradient rules (rules/grad_checks.py) and the root-cause
diagnosis (cnnspec.conform.diagnose):

- :func:`grad_call`: a backward call (x, w, b, dy or x, dy) from a strategies config, dy
  drawn from the config's seed with the forward output's shape;
- :func:`invoke_grads`: the target's backward op on copies, its result checked for form
  (a tuple (dx, dw, db) for conv ops, db None exactly when b is; float arrays, no views,
  inputs unchanged) and always returned as a tuple;
- :func:`compare_grads`: each gradient against the reference's, under the rule of that
  gradient (:data:`GRAD_RULES`): exact on integer data whose sums the target's precision
  holds [tolerance.exact-integers], else within the K-aware bound [tolerance.k-aware]
  (average pooling divides: never exact); :func:`grad_bounds` gives those bounds.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .. import tolerance
from ..asserts import assert_exact, assert_within, fail, format_call
from ..targets import FORWARD_OF, Unsupported
from ._harness import Call, Refusal, args_of, call_on_copies, integer_valued, reference_call

__all__ = ["GRADS", "GRAD_RULES", "ARG_NAMES", "grad_call", "call_text", "reference_grads",
           "invoke_grads", "grad_bounds", "compare_grads", "wrong_grads"]

#: backward op -> the names of the gradients it returns, in order
GRADS = {"conv_backward": ("dx", "dw", "db"), "conv_transpose_backward": ("dx", "dw", "db"),
         "max_pool_backward": ("dx",), "avg_pool_backward": ("dx",)}
#: backward op -> the rule of each gradient it returns
GRAD_RULES = {"conv_backward": ("conv.grad-input", "conv.grad-weight", "conv.grad-bias"),
              "conv_transpose_backward": ("conv-transpose.grad-input",
                                          "conv-transpose.grad-weight",
                                          "conv-transpose.grad-bias"),
              "max_pool_backward": ("pool.max-grad",), "avg_pool_backward": ("pool.avg-grad",)}
#: backward op -> the names of its positional arguments
ARG_NAMES = {op: ("x", "dy") if op.endswith("pool_backward") else ("x", "w", "b", "dy")
             for op in GRADS}


def call_text(op: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> str:
    """``conv_backward(x: (1, 2, 5), w: ..., dy: (1, 3, 4), stride=(1,), ...)``:
    asserts.format_call with the backward op's argument names (:data:`ARG_NAMES`)."""
    return format_call(op, *args, names=ARG_NAMES[op], **kwargs)


class GradCall(Call):
    """A backward call; its str is the call with dy named."""

    def call(self, op: str | None = None) -> str:
        return call_text(op or self.op, self.args, self.kwargs)


def grad_call(op: str, cfg: Any, *, salt: int = 0, x: np.ndarray | None = None,
              dy: np.ndarray | None = None, change: str = "") -> GradCall:
    """The backward call of ``cfg``'s forward call: dy drawn from cfg.seed + salt with the
    forward output's shape (small integers, or standard normal for non-integer configs);
    ``x`` / ``dy`` replace the drawn ones."""
    args = args_of(cfg) if x is None else (x, *args_of(cfg)[1:])
    if dy is None:
        shape = reference_call(FORWARD_OF[op], *args, **cfg.kwargs).shape
        rng = np.random.default_rng(cfg.seed + salt)
        dy = (rng.integers(-4, 5, size=shape).astype(np.float64) if cfg.integer_valued
              else rng.standard_normal(shape))
    return GradCall(op, (*args, dy), dict(cfg.kwargs), change=change or "dy drawn",
                    base=cfg)


def reference_grads(op: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> tuple[Any, ...]:
    """The reference gradients, always a tuple (dx,) or (dx, dw, db)."""
    out = reference_call(op, *args, **kwargs)
    return tuple(out) if isinstance(out, tuple) else (out,)


def invoke_grads(target: Any, op: str, args: tuple[Any, ...], kwargs: dict[str, Any], *,
                 rule: str, call: str) -> tuple[Any, ...]:
    """target's backward op on copies of the arrays (as _harness.invoke does for a forward
    op): Unsupported for NotImplementedError, Refusal for any other exception; its result
    checked for form; returned as a tuple."""
    out, copies = call_on_copies(target, op, args, kwargs, rule=rule, call=call,
                                 names=ARG_NAMES[op])
    names = GRADS[op]
    if len(names) == 1:
        out = (out,)
    elif not isinstance(out, (tuple, list)) or len(out) != len(names):
        fail(f"{op} returned {type(out).__name__}, but should return a tuple "
             f"({', '.join(names)})", rule, call)
    has_b = len(names) > 1 and args[2] is not None
    finite = all(np.isfinite(a).all() for a in args if isinstance(a, np.ndarray))
    for name, g in zip(names, out):
        if name == "db" and not has_b:
            if g is not None:
                fail(f"db={type(g).__name__}, but should be None: b is None", rule, call)
            continue
        if not isinstance(g, np.ndarray) or g.dtype.kind != "f":
            what = f"{g.dtype} array" if isinstance(g, np.ndarray) else type(g).__name__
            fail(f"{op} returned {name} as {what}, but should return a floating numpy.ndarray",
                 rule, call)
        if finite and np.isnan(g).any():
            fail(f"{name} holds NaN in {int(np.isnan(g).sum())} of {g.size} cells, but should "
                 f"be finite: every input is finite", rule, call)
        if any(isinstance(a, np.ndarray) and np.shares_memory(g, a) for a in copies):
            fail(f"{op} returned {name} as a view of an input, but should return a new array",
                 rule, call)
    return tuple(out)


def grad_bounds(op: str, args: tuple[Any, ...], kwargs: dict[str, Any]
                ) -> tuple[tuple[np.ndarray | None, int], ...]:
    """Per gradient (abs_sum, terms): the reference gradient on |arrays| (the sum the error
    bound scales with) and an upper bound on the terms summed into one cell; (None, 1) for
    max pooling on integer data (a sum of copies of dy: exact) is decided by the caller."""
    absd = tuple(None if a is None else np.abs(a) for a in args)
    if op.endswith("pool_backward"):
        x, dy = args
        taps = math.prod(kwargs["kernel"])  # windows that can hold one cell, at most
        abs_dx = reference_grads(op, (x, np.abs(dy)), kwargs)[0]
        return ((abs_dx, taps + (op == "avg_pool_backward")),)
    x, w, _, dy = args
    sums = reference_grads(op, absd, kwargs)
    taps, positions = int(np.prod(w.shape[2:])), int(np.prod(dy.shape[2:])) * dy.shape[0]
    fan = (w.shape[0] // kwargs["groups"] if op == "conv_backward" else w.shape[1]) * taps
    cells = dy.shape[0] * int(np.prod(x.shape[2:])) if op != "conv_backward" else positions
    return ((sums[0], fan), (sums[1], cells), (sums[2], positions))


def _compare_one(target: Any, name: str, got: np.ndarray, expected: np.ndarray,
                 abs_sum: Any, terms: int, exact: bool, rule: str, call: str) -> None:
    """_harness.expect_close for one gradient, on purpose apart: the failure names the
    gradient (dx, dw, db) and no statistical bound goes to the observers (the conformance
    report records it for forward results only)."""
    if abs_sum is None or (exact and tolerance.is_exact(target, got, abs_sum)):
        assert_exact(got, expected, rule=rule, call=call, name=name)
        return
    bound = tolerance.precision_bound(tolerance.result_precision(target, got), got.dtype,
                                      abs_sum, terms)
    assert_within(got, expected, bound, rule=rule, call=call, name=name)


def compare_grads(target: Any, op: str, got: tuple[Any, ...], expected: tuple[Any, ...],
                  args: tuple[Any, ...], kwargs: dict[str, Any], *, call: str,
                  only: tuple[str, ...] | None = None, rule: str | None = None) -> None:
    """Each gradient named in ``only`` (default all) equals the reference's, under its own
    rule, or under ``rule`` when given (a worked example of that rule) (AssertionError
    naming dx, dw or db)."""
    integer = integer_valued(args)
    bounds = grad_bounds(op, args, kwargs)
    for name, own, g, e, (abs_sum, terms) in zip(GRADS[op], GRAD_RULES[op], got, expected,
                                                  bounds):
        if (only is not None and name not in only) or e is None:
            continue
        if op == "max_pool_backward" and integer:
            abs_sum = None  # integers routed and added: exact
        _compare_one(target, name, g, e, abs_sum, terms,
                     integer and op != "avg_pool_backward", rule or own, call)


def wrong_grads(target: Any, op: str, args: tuple[Any, ...], kwargs: dict[str, Any]
                ) -> tuple[str, str, dict[str, Any]] | None:
    """(rule, message, arrays) for the first gradient of the target's plain backward call
    that differs from the reference (dx, then dw, then db): arrays holds the wrong one as
    returned and as expected.  None when all are right or the call cannot be judged
    (refused, invalid, unsupported)."""
    from ..errors import InvalidConfig

    call = call_text(op, args, kwargs)
    try:
        expected = reference_grads(op, args, kwargs)
    except InvalidConfig:
        return None
    try:
        got = invoke_grads(target, op, args, kwargs, rule=GRAD_RULES[op][0], call=call)
    except (Unsupported, Refusal):
        return None
    except AssertionError as e:  # the form of the result
        return GRAD_RULES[op][0], str(e), {}
    for name, rule, g, want in zip(GRADS[op], GRAD_RULES[op], got, expected):
        try:
            compare_grads(target, op, got, expected, args, kwargs, call=call, only=(name,))
        except AssertionError as err:
            right = [f"{n} is right" for n in GRADS[op] if n != name
                     and _right(target, op, got, expected, args, kwargs, call, n)]
            note = f"\n  ({name} is wrong" + "".join(f"; {r}" for r in right) + ")"
            return rule, f"{err}{note}", {name: g, f"expected {name}": want}
    return None


def _right(target: Any, op: str, got: Any, expected: Any, args: Any, kwargs: Any, call: str,
           name: str) -> bool:
    try:
        compare_grads(target, op, got, expected, args, kwargs, call=call, only=(name,))
    except AssertionError:
        return False
    return True
