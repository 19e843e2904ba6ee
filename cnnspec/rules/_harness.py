"""The one harness of a forward check: call a target's op, judge it against the reference.

Where to look: this module calls and judges (a check's cases and verdicts);
cnnspec.tolerance decides exact-vs-bound and computes the bounds; cnnspec.asserts holds the
assertion primitives (fail, assert_exact, assert_within, format_call) any test can use;
cnnspec.rules._grad_oracle is the backward ops' harness, built on this one;
cnnspec.rules._evidence holds the helpers of the spec's own proofs (checks with ops=()).

A check calls a target's op through :func:`invoke`, which passes copies of the inputs and
turns every way a target can misbehave into an AssertionError that names the rule:
an exception on a valid configuration, a mutated input, a result that is not a float
ndarray, or a result that is a view of an input.  NotImplementedError becomes
:class:`~cnnspec.targets.Unsupported` (reported, not a failure).  :func:`expect_raises`:
the target must refuse an invalid configuration.

The reference (cnnspec.targets.reference, the contract form) is the oracle:

- :func:`reference_call`: the reference op on the same arguments as the target;
- :func:`expect_close`: a result against the reference's, exact on integer-valued data whose
  sums the returned dtype (or the target's declared PRECISION) represents exactly
  [tolerance.exact-integers], otherwise within the K-aware bound [tolerance.k-aware];
- :func:`expect_reference`: invoke the target, then compare its result with the reference
  by the tolerance of the op (:func:`compare_reference`): exact for max pooling and integer
  sums, the K-aware bound otherwise (an average divides, so it is never compared exactly);
- :func:`refused_for`: whether the reference refuses the call for exactly one rule
  (negative checks keep those draws); :func:`accepted`: its result where it accepts
  (positive checks on boundary configurations keep those);
- :class:`Call`: a call that is not a strategy's config (a config with one argument
  changed), with the same ``call()`` / ``repr`` services as the configs; :func:`args_of`
  and :func:`op_of` read a strategy's config.

``fail`` is cnnspec.asserts.fail, exported for a check's own comparisons.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .. import asserts, tolerance
from ..asserts import assert_exact, assert_shape, assert_within, fail, format_call
from ..targets import Target, Unsupported

__all__ = ["invoke", "call_on_copies", "expect_raises", "expect_close", "expect_reference",
           "compare_reference", "reference_call", "refused_for", "refused_by_reference",
           "accepted", "abs_reference", "Call", "args_of", "op_of", "fail", "Refusal",
           "ConventionDifference", "target_frames", "integer_valued"]


class Refusal(AssertionError):
    """The target raised (not NotImplementedError) on a valid configuration.

    An AssertionError like every failure of a check, with the exception kept apart
    (``error``: "TypeName: message") so that a run can tell a refusal from a wrong answer,
    report all refusals of one kind once (a restriction of the target) and keep checking
    the rules on the configurations the target accepts."""

    def __init__(self, text: str, error: str) -> None:
        super().__init__(text)
        self.error = error


class ConventionDifference(AssertionError):
    """The target differs from the spec exactly as a named convention (``convention``, a key
    of cnnspec.conform.conventions.CONVENTIONS) says it would, on data the check built
    itself: the check recognised the alternative behaviour.  A failure unless the run
    accepts that convention."""

    def __init__(self, text: str, convention: str) -> None:
        super().__init__(text)
        self.convention = convention


@dataclass(frozen=True, eq=False)
class Call:
    """One call of a contract op: positional arrays, keywords, and where it came from."""

    op: str
    args: tuple[Any, ...]
    kwargs: dict[str, Any]
    change: str = ""
    base: Any = field(default=None, repr=False)
    expected: Any = field(default=None, repr=False)  # a worked example's known result

    def call(self, op: str | None = None) -> str:
        return format_call(op or self.op, *self.args, **self.kwargs)

    def __str__(self) -> str:
        return self.call()

    def _repr_pretty_(self, p: Any, cycle: bool) -> None:  # Hypothesis' falsifying examples
        p.text(repr(self))

    def __repr__(self) -> str:
        where = f"{self.base!r}, then " if self.base is not None else ""
        return f"<{where}{self.change or self.call()}: {self.call()}>"


def args_of(cfg: Any) -> tuple[Any, ...]:
    """The positional arguments of a strategy's config: (x, w, b) or (x,) for pooling."""
    return (cfg.x,) if hasattr(cfg, "kind") else (cfg.x, cfg.w, cfg.b)


def op_of(cfg: Any) -> str:
    """The contract op a strategy's config calls: conv, conv_transpose or <kind>_pool."""
    if hasattr(cfg, "kind"):
        return f"{cfg.kind}_pool"
    return "conv_transpose" if hasattr(cfg, "output_padding") else "conv"


def integer_valued(args: tuple[Any, ...]) -> bool:
    """Whether every array among ``args`` holds integers only (NaN allowed): then sums the
    target's precision holds are compared exactly [tolerance.exact-integers]."""
    return all(np.array_equal(a, np.round(a), equal_nan=True) for a in _arrays(args))


def _arrays(args: tuple[Any, ...]) -> list[np.ndarray]:
    return [a for a in args if isinstance(a, np.ndarray)]


def target_frames(exc: BaseException, most: int = 3) -> str:
    """The last frames of ``exc``'s traceback in the target's own code (not cnnspec's, not
    installed libraries', not Python's), formatted as a traceback excerpt; the last frames
    outside cnnspec when none are the target's; '' when there are none."""
    import os
    import sysconfig
    import traceback

    here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))  # the cnnspec package
    outside = [f for f in traceback.extract_tb(exc.__traceback__)
               if not os.path.abspath(f.filename).startswith(here + os.sep)]
    libraries = {os.path.abspath(sysconfig.get_path(k)) + os.sep
                 for k in ("stdlib", "platstdlib", "purelib", "platlib")}
    own = [f for f in outside if f.filename[:1] != "<" and not any(
        os.path.abspath(f.filename).startswith(lib) for lib in libraries)]
    frames = own or outside
    if not frames:
        return ""
    lines = traceback.format_list(frames[-most:])
    return "  the target's traceback (last frames):\n" + "".join(
        "    " + line.rstrip().replace("\n", "\n    ") + "\n" for line in lines).rstrip()


def call_on_copies(target: Target, op: str, args: tuple[Any, ...], kwargs: dict[str, Any], *,
                   rule: str, call: str = "", names: Any = "xwb") -> tuple[Any, tuple[Any, ...]]:
    """(what ``target.op(*copies, **kwargs)`` returned, the copies): the call on copies of
    the arrays, its exceptions classed (NotImplementedError -> Unsupported; MemoryError,
    RecursionError -> a failure; any other -> Refusal), and a changed input a failure
    (``names``: the arguments' names, in order).  The one call of a target's op that
    :func:`invoke` and the backward ops' invoke_grads (rules._grad_oracle) share."""
    fn = target.op(op)
    copies = tuple(a.copy() if isinstance(a, np.ndarray) else a for a in args)
    try:
        out = fn(*copies, **kwargs)
    except NotImplementedError as e:
        raise Unsupported(f"{op}: {e}") from None
    except (MemoryError, RecursionError) as e:  # runaway resources: a failure, not a limit
        fail(f"{op} raised {type(e).__name__}: {e}, but should compute: the configuration is "
             f"valid", rule, call, target_frames(e))
    except Exception as e:  # noqa: BLE001 - any exception on valid input is the failure
        error = f"{type(e).__name__}: {e}"
        text = f"{op} raised {error}, but should compute: the configuration is valid [{rule}]"
        frames = target_frames(e)
        if frames:
            text += "\n" + frames
        if call:
            text += f"\n  [{call}]"
        raise Refusal(text, error) from None
    for name, original, passed in zip(names, args, copies):
        if isinstance(original, np.ndarray) and not np.array_equal(original, passed,
                                                                   equal_nan=True):
            fail(f"{op} changed its input {name}, but should leave its inputs alone", rule, call)
    return out, copies


def invoke(target: Target, op: str, *args: Any, rule: str, call: str = "",
           **kwargs: Any) -> np.ndarray:
    """``target.op(*args, **kwargs)`` on copies of the arrays, checked as described above."""
    y, copies = call_on_copies(target, op, args, kwargs, rule=rule, call=call)
    if not isinstance(y, np.ndarray):
        fail(f"{op} returned {type(y).__name__}, but should return a numpy.ndarray", rule, call)
    if y.dtype.kind != "f":
        fail(f"y.dtype={y.dtype}, but should be a floating dtype", rule, call)
    if np.isnan(y).any() and all(np.isfinite(a).all() for a in _arrays(args)):
        n = int(np.isnan(y).sum())
        fail(f"{op} returned NaN in {n} of {y.size} outputs, but should be finite: every input "
             f"is finite", rule, call)
    if any(np.shares_memory(y, a) for a in _arrays(copies)):
        fail(f"{op} returned a view of its input, but should return a new array", rule, call)
    return y


def expect_raises(target: Target, op: str, *args: Any, rule: str, why: str, call: str = "",
                  **kwargs: Any) -> None:
    """The target must raise (any exception) on this invalid configuration."""
    fn = target.op(op)
    copies = tuple(a.copy() if isinstance(a, np.ndarray) else a for a in args)
    try:
        y = fn(*copies, **kwargs)
    except Exception:  # noqa: BLE001 - which exception is the target's choice
        return
    shape = getattr(y, "shape", None)
    fail(f"{op} returned {'y.shape=' + str(tuple(shape)) if shape is not None else repr(y)}, "
         f"but should raise: {why}", rule, call)


def expect_close(target: Target, y: np.ndarray, expected: np.ndarray, *, rule: str,
                 call: str = "", abs_sum: np.ndarray | None = None, terms: int = 1,
                 integer_valued: bool = True) -> None:
    """y equals the float64 reference ``expected``: exactly, or within the K-aware bound.

    abs_sum: the reference run on |inputs| (sum |x||w| + |b| per output); terms: the number
    of terms summed into one output (K, +1 with a bias).  Without abs_sum the comparison is
    exact (max pooling, shapes, integer sums the caller knows fit).
    """
    assert_shape(y.shape, expected.shape, rule=rule, call=call)
    if abs_sum is None or (integer_valued and tolerance.is_exact(target, y, abs_sum)):
        assert_exact(y, expected, rule=rule, call=call)
        return
    name = tolerance.result_precision(target, y)
    bound = tolerance.precision_bound(name, y.dtype, abs_sum, terms)
    sharp = tolerance.precision_bound(name, y.dtype, abs_sum, terms, statistical=True) \
        if asserts.OBSERVERS else None  # only a conformance run records it
    assert_within(y, expected, bound, rule=rule, call=call, statistical=sharp)


def reference_call(op: str, *args: Any, **kwargs: Any) -> np.ndarray:
    """The reference op in the contract form (raises InvalidConfig on invalid calls)."""
    from ..targets import reference

    return getattr(reference, op)(*args, **kwargs)


def refused_by_reference(call_reference: Any, rule: str) -> bool:
    """Whether the reference refuses this call for ``rule`` (negative checks draw boundary
    configurations and keep those the reference rejects for the rule under test)."""
    from ..errors import InvalidConfig

    try:
        call_reference()
    except InvalidConfig as e:
        return e.rule == rule
    return False


def refused_for(op: str, args: tuple[Any, ...], kwargs: dict[str, Any], rule: str) -> bool:
    """Whether the reference refuses ``op(*args, **kwargs)`` for ``rule`` (and no other)."""
    return refused_by_reference(lambda: reference_call(op, *args, **kwargs), rule)


def abs_reference(op: str, args: tuple[Any, ...], kwargs: dict[str, Any]
                  ) -> tuple[np.ndarray | None, int]:
    """The reference on |inputs| (per output, the sum the error bound scales with) and the
    number of terms summed into one output; (None, 1) for max pooling (exact)."""
    if op == "max_pool":
        return None, 1
    absd = tuple(None if a is None else np.abs(a) for a in args)
    if op == "avg_pool":  # K - 1 additions and a division (or a rounded 1/D): K + 1
        return reference_call(op, *absd, **kwargs), math.prod(kwargs["kernel"]) + 1
    x, w, b = args
    per_output = int(np.prod(w.shape[1:])) if op == "conv" else \
        w.shape[0] // kwargs["groups"] * int(np.prod(w.shape[2:]))
    return reference_call(op, *absd, **kwargs), per_output + (b is not None)


def accepted(op: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> np.ndarray | None:
    """The reference's result, or None where it refuses the call (positive checks on
    boundary configurations keep the accepted side)."""
    from ..errors import InvalidConfig

    try:
        return reference_call(op, *args, **kwargs)
    except InvalidConfig:
        return None


def expect_reference(target: Any, op: str, args: tuple[Any, ...], kwargs: dict[str, Any], *,
                     rule: str, call: str, integer_valued: bool = True,
                     expected: np.ndarray | None = None) -> np.ndarray:
    """The target's ``op`` equals the reference on this valid call (``expected``: the
    reference's result, when the caller has it); returns the target's result."""
    y = invoke(target, op, *args, rule=rule, call=call, **kwargs)
    if expected is None:
        expected = reference_call(op, *args, **kwargs)
    compare_reference(target, op, y, expected, args, kwargs, rule=rule, call=call,
                      integer_valued=integer_valued)
    return y


def compare_reference(target: Any, op: str, y: np.ndarray, expected: np.ndarray,
                      args: tuple[Any, ...], kwargs: dict[str, Any], *, rule: str, call: str,
                      integer_valued: bool = True) -> None:
    """y (the target's op on args) equals the reference's ``expected``, by the op's
    tolerance: max pooling exactly (rounded once on real data), sums exactly on integer data
    that fits, the K-aware bound otherwise."""
    if op == "max_pool" and not integer_valued:  # a max is exact; a rounded input is not
        bound = tolerance.max_pool_bound(args[0], input_u=tolerance.result_precision(target, y),
                                         **kwargs)
        assert_within(y, expected, bound, rule=rule, call=call)
        return
    abs_sum, terms = abs_reference(op, args, kwargs)
    expect_close(target, y, expected, rule=rule, call=call, abs_sum=abs_sum, terms=terms,
                 integer_valued=integer_valued and op != "avg_pool")
