"""Run one check under Hypothesis (inside the worker) and describe what it found.

A check's ``fn(target, case)`` raises AssertionError citing its rule when the target breaks
it.  :func:`run_check` draws cases from ``check.cases()`` with a fixed Hypothesis seed and no
example database, so the same seed gives the same outcome.  When a check fails, Hypothesis
shrinks the counterexample and replays the minimal one last: the last failing call seen is
the minimal case, and its AssertionError is the message reported.

The minimal case is reported three ways: its ``repr`` (configs print as a paste-able
``ConvConfig.build(...)`` call), its fields (shapes, parameters, and the arrays themselves
when small), and a repro script (:mod:`cnnspec.conform.repro`).
"""

from __future__ import annotations

import dataclasses
import math
import time
from collections.abc import Callable
from contextlib import nullcontext
from typing import Any

import numpy as np

from .. import asserts
from ..targets import OpMissing, Target, Unsupported
from .repro import case_tag, repro_script
from .tasks import Outcome

__all__ = ["run_check", "capped", "describe_case", "MAX_ARRAY_SIZE"]

#: Arrays up to this many elements are copied into the report (the minimal ones are tiny).
MAX_ARRAY_SIZE = 256
#: An unsupported or refused case is replaced by a new draw, up to REDRAW * max_examples
#: such cases per check; beyond, they use up the budget (a target that supports almost
#: nothing must not make a run last for ever).
REDRAW = 3


class _State:
    """What the check saw across the Hypothesis run."""

    def __init__(self) -> None:
        self.passed = 0
        self.unsupported = 0
        self.refused = 0
        self.reason = ""
        self.failing: tuple[Any, BaseException] | None = None
        self.worst: float | None = None
        self.worst_statistical: float | None = None

    def observe(self, actual: Any, expected: Any, bound: Any, statistical: Any = None) -> None:
        """Record max |actual - expected| / bound of a K-aware comparison (worst error), and
        the same against the statistical sqrt(K) bound when given (an asserts observer)."""
        with np.errstate(all="ignore"):
            a = np.asarray(actual, dtype=np.float64)
            e = np.asarray(expected, dtype=np.float64)
            if a.shape != e.shape or a.size == 0:
                return
            ratio = _worst_ratio(a, e, bound)
            sharp = None if statistical is None else _worst_ratio(a, e, statistical)
        if ratio is not None:
            self.worst = ratio if self.worst is None else max(self.worst, ratio)
        if sharp is not None:
            self.worst_statistical = sharp if self.worst_statistical is None else \
                max(self.worst_statistical, sharp)


def _worst_ratio(a: np.ndarray, e: np.ndarray, bound: Any) -> float | None:
    b = np.broadcast_to(np.asarray(bound, dtype=np.float64), e.shape)
    ok = np.isfinite(a) & np.isfinite(e) & (b > 0)
    if not ok.any():
        return None
    ratio = float(np.max(np.abs(a[ok] - e[ok]) / b[ok]))
    return min(ratio, 1e300)  # finite for the JSON report (a tiny bound, a large error)


def capped(check: Any, max_examples: int) -> int:
    """Examples of ``check`` under a budget of ``max_examples``: a check's own
    ``max_examples`` (a costly one asks for fewer) caps the budget, never raises it; an
    exhaustive check (a finite list of cases: the worked examples) runs all of them."""
    if getattr(check, "exhaustive", False):
        return check.max_examples
    return min(max_examples, check.max_examples or max_examples)


def run_check(target: Target, check: Any, *, max_examples: int, seed: int | None,
              target_spec: str, exclude: Callable[[Any], bool] | None = None,
              on_case: Callable[[Any], None] | None = None,
              skip_refusals: bool = False, tolerate: tuple[str, ...] = (),
              shape_budget: Any = None, shrink: bool = True,
              with_error: bool = False, observe_bounds: bool = False) -> Outcome:
    """The outcome of ``check`` on ``target``.

    ``exclude``: cases for which it returns True are rejected (used to rerun a check outside
    the cases a target's convention explains).  ``on_case``: called with each case first
    (the worker records it, so a crash or a hang can name the case it died on).
    ``skip_refusals``: a refusal of a valid configuration (:class:`Refusal`) is counted and
    the case set aside, like an unsupported one, instead of failing (used to go on checking
    a rule on the configurations a restricted target accepts).  ``tolerate``: convention keys
    whose :class:`ConventionDifference` counts as a pass (the target follows them).
    ``shape_budget``: a :class:`cnnspec.conform.shapes.ShapeBudget` mapping each case onto a
    few shapes (a target that compiles per shape).  ``seed``: None draws derandomized
    (Hypothesis' fixed sequence).  ``shrink``: False reports the first failing case as
    drawn (a caller that needs only to know whether the check fails).  ``with_error``: the
    outcome of a failure also holds the exception itself (``error``; in-process callers:
    like ``case`` it is not for the worker's pipe).  ``observe_bounds``: record the worst
    error relative to the bound of every K-aware comparison the check makes
    (``worst_error``, ``worst_statistical``; an observer of cnnspec.asserts for this run
    only), else they are None.

    Cases the target does not support (NotImplementedError) are rejected, so Hypothesis
    draws others in their place: the example budget is spent on computed cases, and
    ``examples`` of ``requested`` says how much of it was.
    """
    from hypothesis import HealthCheck, Phase, Verbosity, given, reject, settings
    from hypothesis import seed as hypothesis_seed
    from hypothesis.errors import Unsatisfiable

    from ..rules._harness import ConventionDifference, Refusal

    state = _State()
    started = time.perf_counter()

    def set_aside() -> None:
        """Draw another case in its place (up to a bound on the cost); past the bound the
        case uses up the budget, never counted as passed."""
        if state.unsupported + state.refused <= REDRAW * max_examples:
            reject()

    def body(case: Any) -> None:
        if shape_budget is not None:
            case = shape_budget.map(case)
        if exclude is not None and exclude(case):
            reject()
        if on_case is not None:
            on_case(case)
        try:
            check.fn(target, case)
        except (Unsupported, OpMissing) as e:
            state.unsupported += 1
            state.reason = str(e)
            set_aside()
            return
        except ConventionDifference as e:
            if e.convention not in tolerate:
                state.failing = (case, e)
                raise
            state.passed += 1
            return
        except Refusal as e:
            if not skip_refusals:
                state.failing = (case, e)
                raise
            state.refused += 1
            set_aside()
            return
        except BaseException as e:  # noqa: BLE001 - whatever the check raised is the failure
            if type(e).__name__ in ("UnsatisfiedAssumption", "StopTest"):
                raise  # Hypothesis' own control flow (assume() inside the check)
            state.failing = (case, e)
            raise
        state.passed += 1

    test = given(case=check.cases())(body)
    phases = (Phase.explicit, Phase.reuse, Phase.generate) + ((Phase.shrink,) if shrink else ())
    test = settings(max_examples=max_examples, database=None, derandomize=seed is None,
                    deadline=None, report_multiple_bugs=False,
                    suppress_health_check=list(HealthCheck), phases=phases,
                    verbosity=Verbosity.quiet, print_blob=False)(test)
    if seed is not None:
        test = hypothesis_seed(seed)(test)
    out = Outcome(check.id)
    try:
        with asserts.observing(state.observe) if observe_bounds else nullcontext():
            test()
    except Unsatisfiable:
        out.status, out.message = "none", "no case could be drawn"
        if state.unsupported:
            out.status, out.message = "unsupported", f"every case unsupported: {state.reason}"
    except BaseException as e:  # noqa: BLE001 - AssertionError, Flaky, anything the target did
        if isinstance(e, (KeyboardInterrupt, SystemExit)):
            raise
        _failure(out, check, state, e, target_spec, seed)
        if with_error:
            out.error = e if state.failing is None else state.failing[1]
    else:
        if state.passed == 0 and state.unsupported:
            out.status, out.message = "unsupported", f"every case unsupported: {state.reason}"
    out.examples, out.unsupported, out.refused = state.passed, state.unsupported, state.refused
    out.requested, out.worst_error = max_examples, state.worst
    out.worst_statistical = state.worst_statistical
    out.seconds = time.perf_counter() - started
    return out


def _failure(out: Outcome, check: Any, state: _State, error: BaseException, target_spec: str,
             seed: int | None) -> None:
    """Make ``out`` the failure ``error`` ended the run with."""
    out.status = "fail"
    if state.failing is None:  # the strategy or Hypothesis itself broke: a cnnspec problem
        out.message = (f"cnnspec could not run the check ({type(error).__name__}: {error}) "
                       f"[{check.rule}]")
        return
    case, exc = state.failing
    if getattr(exc, "error", None) is not None:  # a Refusal: the target's exception
        out.refusal = exc.error  # type: ignore[attr-defined]
    if getattr(exc, "convention", None) is not None:  # recognised by the check itself
        out.convention_seen = exc.convention  # type: ignore[attr-defined]
    if isinstance(exc, AssertionError):
        message = str(exc)
    else:  # an exception escaping the check: the target did something the harness missed
        message = (f"check raised {type(exc).__name__}: {exc}, but should only raise "
                   f"AssertionError [{check.rule}]\n  [{getattr(case, 'call', lambda: case)()}]")
    if type(error).__name__.startswith("Flaky"):
        message += "\n  (flaky: the target did not fail again on the same input)"
    out.message, out.example, out.case = message, describe_case(case), case
    out.repro = None if seed is None else (  # derandomized: no --seed replays it
        repro_script(check.id, check.ops, case_tag(case), target_spec, seed))


# ---------------------------------------------------------------- describing a case


def _jsonable(v: Any) -> Any:
    """JSON-safe: tuples as lists, NaN and infinities as strings, NumPy scalars as Python."""
    if isinstance(v, np.ndarray):
        return _jsonable(v.tolist())
    if isinstance(v, (list, tuple)):
        return [_jsonable(x) for x in v]
    if isinstance(v, np.generic):
        v = v.item()
    if isinstance(v, float) and not math.isfinite(v):
        return str(v)
    if isinstance(v, float) and v.is_integer() and abs(v) < 2**53:
        return int(v)  # integer-valued data reads as ints
    if v is None or isinstance(v, (bool, int, float, str)):
        return v
    return repr(v)


def describe_case(case: Any) -> dict[str, Any]:
    """repr, shapes, parameters and (small) arrays of a case, JSON-ready."""
    out: dict[str, Any] = {"repr": repr(case), "type": type(case).__qualname__}
    if dataclasses.is_dataclass(case) and not isinstance(case, type):
        items = [(f.name, getattr(case, f.name)) for f in dataclasses.fields(case)]
    elif isinstance(case, (tuple, list)):
        items = [(str(i), v) for i, v in enumerate(case)]
    else:
        return out
    shapes, params, arrays = {}, {}, {}
    for name, v in items:
        if isinstance(v, np.ndarray):
            shapes[name] = list(v.shape)
            if v.size <= MAX_ARRAY_SIZE:
                arrays[name] = _jsonable(v)
        else:
            params[name] = _jsonable(v)
    out.update(shapes=shapes, params=params, arrays=arrays)
    return out
