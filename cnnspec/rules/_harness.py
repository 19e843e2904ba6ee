"""What every check does with a target: call it safely, compare, expect a refusal.

A check calls a target's op through :func:`invoke`, which passes copies of the inputs and
turns every way a target can misbehave into an AssertionError that names the rule:
an exception on a valid configuration, a mutated input, a result that is not a float
ndarray, or a result that is a view of an input.  NotImplementedError becomes
:class:`~cnnspec.targets.Unsupported` (reported, not a failure).

:func:`expect_close` compares with the reference: exact on integer-valued data whose sums
the returned dtype (or the target's declared PRECISION) represents exactly
[tolerance.exact-integers], otherwise within the K-aware bound [tolerance.k-aware].
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import asserts
from ..asserts import assert_exact, assert_shape, assert_within, fail
from ..targets import Target, Unsupported

__all__ = ["invoke", "expect_raises", "expect_close", "is_exact", "error_factor", "fail",
           "refused_by_reference", "Refusal", "ConventionDifference", "target_frames"]


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


def _precision_name(target: Target, y: np.ndarray) -> str:
    """The precision the target's result was computed in: its declared PRECISION, else the
    dtype it returned."""
    return target.precision or str(y.dtype)


def is_exact(target: Target, y: np.ndarray, abs_sum: Any) -> bool:
    """Whether integer-valued data with these sums is exact in the target's precision
    (TF32 accumulates in float32).  [tolerance.exact-integers]"""
    from .. import tolerance

    name = _precision_name(target, y)
    return tolerance.exact_in("float32" if name == "tf32" else name, float(np.max(abs_sum, initial=0.0)))


def precision_bound(name: str, returned: Any, abs_sum: Any, terms: int,
                    statistical: bool = False) -> Any:
    """Per-element bound on |y - y_ref| for ``terms`` products summed in precision ``name``
    and rounded to ``returned``, plus the float64 reference's own rounding, plus underflow
    (each product and the result may land among subnormals: terms * 2 * eta + eta_out; the
    inputs are assumed normal, as every strategy draws them).  [tolerance.k-aware]

    ``statistical``: the sharper, empirical bound with min(gamma_n, 2*sqrt(n)*u) for the
    accumulation (tolerance.conv_bound's mode="sqrt"): rounding errors of a long sum mostly
    cancel.  Not a proof: exceeding it is reported as a warning, never as a failure."""
    from .. import tolerance

    _, eta = tolerance.precision("float32" if name == "tf32" else name)
    _, eta_out = tolerance.precision(returned)
    underflow = terms * 2 * eta + eta_out
    factor = precision_factor(name, returned, terms, statistical)
    return factor * abs_sum + tolerance.gamma(terms, 2.0**-53) * abs_sum + underflow


def error_factor(target: Target, y: np.ndarray, terms: int) -> float:
    """Relative error factor of one output summing ``terms`` products: gamma_terms in the
    accumulator, the inputs rounded to the precision, the result to its dtype.
    [tolerance.k-aware]"""
    return precision_factor(_precision_name(target, y), y.dtype, terms)


def precision_factor(name: str, returned: Any, terms: int, statistical: bool = False) -> float:
    """error_factor for a precision named ``name`` (TF32 accumulates in float32) and a result
    rounded to the dtype ``returned``; ``statistical``: sqrt(n)-scaled accumulation."""
    import math

    from .. import tolerance

    u, _ = tolerance.precision("float32" if name == "tf32" else name)  # the accumulation
    u_in, _ = tolerance.precision(name)  # the inputs, rounded to the precision first
    u_out, _ = tolerance.precision(returned)  # the result, rounded to the dtype returned
    acc = tolerance.gamma(terms, u)
    if statistical:
        acc = min(acc, 2.0 * math.sqrt(terms) * u)
    return tolerance.product_factor(acc, u_in, u_out)


def expect_close(target: Target, y: np.ndarray, expected: np.ndarray, *, rule: str,
                 call: str = "", abs_sum: np.ndarray | None = None, terms: int = 1,
                 integer_valued: bool = True) -> None:
    """y equals the float64 reference ``expected``: exactly, or within the K-aware bound.

    abs_sum: the reference run on |inputs| (sum |x||w| + |b| per output); terms: the number
    of terms summed into one output (K, +1 with a bias).  Without abs_sum the comparison is
    exact (max pooling, shapes, integer sums the caller knows fit).
    """
    assert_shape(y.shape, expected.shape, rule=rule, call=call)
    if abs_sum is None or (integer_valued and is_exact(target, y, abs_sum)):
        assert_exact(y, expected, rule=rule, call=call)
        return
    name = _precision_name(target, y)
    bound = precision_bound(name, y.dtype, abs_sum, terms)
    sharp = precision_bound(name, y.dtype, abs_sum, terms, statistical=True) \
        if asserts.OBSERVERS else None  # only a conformance run records it
    assert_within(y, expected, bound, rule=rule, call=call, statistical=sharp)


def refused_by_reference(call_reference: Any, rule: str) -> bool:
    """Whether the reference refuses this call for ``rule`` (negative checks draw boundary
    configurations and keep those the reference rejects for the rule under test)."""
    from ..errors import InvalidConfig

    try:
        call_reference()
    except InvalidConfig as e:
        return e.rule == rule
    return False
