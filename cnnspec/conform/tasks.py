"""What the parent hands a worker (:class:`Task`) and what comes back (:class:`Outcome`).

Both cross the pipe between the parent (:mod:`cnnspec.conform.workers`) and a worker
process (:mod:`cnnspec.conform.worker`), so every field is picklable; the two in-process
fields of an Outcome (``case``, ``error``) are cleared before it is sent.  An Outcome is
made by :func:`cnnspec.conform.checkrun.run_check`, judged by the worker (convention,
restriction, root cause), or made by the parent for a task whose worker was lost (a crash,
a hang, runaway memory); :class:`cnnspec.conform.results.CheckOutcome` is its part that the
report shows.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

__all__ = ["Task", "Probe", "Outcome", "PROBE", "STOP"]


@dataclass(frozen=True)
class Task:
    """One job for a worker."""

    kind: str  # "check" (run a check), "probe" (conventions and capabilities), "stop"
    check: str = ""  # the check's ID, rule::name ("conventions::probe" for the probe)
    ops: tuple[str, ...] = ()  # the target ops the check calls (for a repro of a lost worker)
    max_examples: int = 0  # the example budget of the check's Hypothesis run
    seed: int = 0  # Hypothesis' seed (the same seed, the same cases)
    deviations: dict[str, str] = field(default_factory=dict)  # convention key: the target's
    level: str = "compute"  # the check's level (compute, refuse, strict)
    capabilities: dict[str, Any] | None = None  # what the target takes (None: draw anything)
    large: bool = False  # draws large cases: a call past --timeout is slow code, not a hang
    few_shapes: bool = False  # the target compiles per shape: map cases onto a few shapes


#: The probe of the target's conventions and capabilities, run once before the checks.
PROBE = Task("probe", "conventions::probe")
#: Tells a worker to exit.
STOP = Task("stop")


@dataclass
class Probe:
    """What the probe found out about the target."""

    conventions: dict[str, Any]  # convention key: what the target does (conventions.probe_all)
    capabilities: dict[str, Any] | None  # op: what it takes (None: the probe raised)
    restrictions: list[str]  # what it declares unsupported, one line per op
    few_shapes: str | None  # why it compiles per shape, or None


@dataclass
class Outcome:
    """What a task found: a check's verdict and evidence, or the probe's findings."""

    check: str  # the check's ID, rule::name (the task's)
    status: str = "pass"  # pass, fail, restriction, convention, unsupported, none (no case)
    message: str = ""  # the verdict in words: the failure's AssertionError, why unsupported
    example: dict[str, Any] | None = None  # the minimal failing case (describe_case)
    repro: str | None = None  # a script that reproduces the failure
    examples: int = 0  # cases the target computed and passed
    unsupported: int = 0  # cases the target declared unsupported (NotImplementedError)
    refused: int = 0  # valid cases it refused, set aside (a rerun that goes on past them)
    requested: int = 0  # the example budget
    worst_error: float | None = None  # max |error| / K-aware bound over the comparisons
    worst_statistical: float | None = None  # the same against the statistical sqrt(K) bound
    seconds: float = 0.0  # the Hypothesis run's duration
    convention: list[str] | None = None  # status convention: the conventions that explain it
    convention_seen: str | None = None  # a convention the check recognised on its own data
    refusal: str | None = None  # a valid case refused: the target's "TypeName: message"
    also_refused: str | None = None  # a refusal seen before the failure reported
    cause: str | None = None  # the most basic rule the failing case breaks (diagnose.cause)
    cause_message: str | None = None  # that rule's message on the plain call
    probe: Probe | None = None  # the probe's findings (a probe task that ran to its end)
    case: Any = field(default=None, repr=False)  # in-process only: the minimal failing case
    error: BaseException | None = field(default=None, repr=False)  # in-process only: its
    # exception (run_check(with_error=True))

    def for_pipe(self) -> Outcome:
        """This outcome without its in-process fields (the case and the exception), to send."""
        return replace(self, case=None, error=None)
