"""What a conformance run says: one Result per (op, rule), built from check outcomes.

Statuses of a Result (and of the checks it gathers):

    pass             every check of the rule held on every case the target computed
    fail             a check found a counterexample (or the target crashed, hung, ran out of
                     memory, returned a non-array, mutated its input, ...)
    xfail            failed, and the user's xfail file expects it
    xpass            passed, but the xfail file expects a failure (fails the run)
    convention       failed only on cases a named convention explains, and the target follows
                     that (non-default) convention: see cnnspec.conform.conventions.  It fails
                     the run unless the convention is allowed (--allow-convention KEY)
    unsupported      the target raised NotImplementedError on every case (or cannot run here)
    not-implemented  the target does not define the op
    not-applicable   a check of the spec itself (no op called): run on the reference only

Exit code of a run: 1 if any fail, xpass, or convention not allowed, else 0.
"""

from __future__ import annotations

import fnmatch
from dataclasses import asdict, dataclass, field
from typing import Any

__all__ = ["STATUSES", "FAILING", "CheckOutcome", "Result", "Report", "aggregate", "SPEC_OP"]

STATUSES = ("pass", "fail", "xfail", "xpass", "convention", "unsupported", "not-implemented",
            "not-applicable")
FAILING = ("fail", "xpass")
#: The op under which checks of the spec itself (Check.ops == ()) are reported.
SPEC_OP = "spec"


@dataclass
class CheckOutcome:
    """The outcome of one check (rule::name) on the target, as the worker reports it."""

    check: str
    status: str
    message: str = ""
    example: dict[str, Any] | None = None
    repro: str | None = None
    examples: int = 0
    unsupported: int = 0
    worst_error: float | None = None
    convention: list[str] | None = None
    seconds: float = 0.0

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> CheckOutcome:
        return cls(**{k: v for k, v in d.items() if k in cls.__dataclass_fields__})

    def to_json(self) -> dict[str, Any]:
        out = asdict(self)
        del out["seconds"]  # timings live in Report.timings, so results replay identically
        return out


@dataclass
class Result:
    """The verdict for one (op, rule): its status and, for a failure, the evidence."""

    op: str
    rule: str
    title: str
    status: str
    message: str = ""
    example: dict[str, Any] | None = None
    repro: str | None = None
    seed: int = 0
    convention: list[str] | None = None
    worst_error: float | None = None
    checks: list[CheckOutcome] = field(default_factory=list)

    @property
    def key(self) -> str:
        return f"{self.op}:{self.rule}"

    @property
    def examples(self) -> int:
        return sum(c.examples for c in self.checks)

    @property
    def seconds(self) -> float:
        return sum(c.seconds for c in self.checks)

    def to_json(self) -> dict[str, Any]:
        return {"op": self.op, "rule": self.rule, "title": self.title, "status": self.status,
                "message": self.message, "example": self.example, "repro": self.repro,
                "seed": self.seed, "convention": self.convention,
                "worst_error": self.worst_error, "examples": self.examples,
                "checks": [c.to_json() for c in self.checks]}


_PRECEDENCE = ("fail", "convention", "pass", "unsupported", "not-implemented", "not-applicable")


def aggregate(op: str, rule: str, title: str, outcomes: list[CheckOutcome], seed: int) -> Result:
    """One Result from the outcomes of the rule's checks that call ``op``.

    The status is the most telling of the checks' (fail > convention > pass > unsupported >
    not-implemented > not-applicable); the evidence is the first failing check's.
    """
    status = next(s for s in _PRECEDENCE if any(o.status == s for o in outcomes))
    lead = next(o for o in outcomes if o.status == status)
    message = lead.message
    same = [o for o in outcomes if o.status == status]
    if status == "fail" and len(same) > 1:
        message += f"\n  (and {len(same) - 1} more failing check(s): " \
                   f"{', '.join(o.check.split('::', 1)[1] for o in same[1:])})"
    elif status == "pass":
        n = sum(o.examples for o in outcomes)
        message = f"{len(same)} check(s), {n} example(s) passed"
        unsup = sum(o.unsupported for o in outcomes)
        if unsup:
            message += f"; {unsup} case(s) unsupported by the target"
    errors = [o.worst_error for o in outcomes if o.worst_error is not None]
    return Result(op, rule, title, status, message, lead.example, lead.repro, seed,
                  lead.convention, max(errors) if errors else None, list(outcomes))


def _matches(entry: str, op: str, rule: str) -> bool:
    if ":" in entry and "::" not in entry:
        pat_op, pat_rule = entry.split(":", 1)
        return fnmatch.fnmatchcase(op, pat_op) and fnmatch.fnmatchcase(rule, pat_rule)
    return fnmatch.fnmatchcase(rule, entry)


def apply_xfail(result: Result, entries: list[str]) -> str | None:
    """Turn fail into xfail and pass into xpass when an entry matches; the matching entry."""
    hit = next((e for e in entries if _matches(e, result.op, result.rule)), None)
    if hit is None:
        return None
    if result.status in ("fail", "convention"):
        result.status = "xfail"
        result.message = f"expected failure ({hit!r} in the xfail file):\n{result.message}"
    elif result.status == "pass":
        result.status = "xpass"
        result.message = (f"passed, but the xfail file expects a failure ({hit!r}): remove the "
                          f"entry [{result.rule}]")
    return hit


@dataclass
class Report:
    """A whole run: the header of the JSON report and its results, in a fixed order."""

    cnnspec_version: str
    target: str
    seed: int
    profile: str
    max_examples: int | None
    conventions: dict[str, Any] = field(default_factory=dict)
    results: list[Result] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    complete: bool = False
    interrupted: bool = False
    allowed_conventions: list[str] = field(default_factory=list)
    seconds: float = 0.0
    environment: dict[str, Any] = field(default_factory=dict)

    def counts(self) -> dict[str, int]:
        out = dict.fromkeys(STATUSES, 0)
        for r in self.results:
            out[r.status] += 1
        return out

    def is_failing(self, r: Result) -> bool:
        """fail and xpass; convention unless every convention it names is allowed."""
        if r.status == "convention":
            allowed = set(self.allowed_conventions)
            return not ("all" in allowed or set(r.convention or ()) <= allowed)
        return r.status in FAILING

    @property
    def failed(self) -> list[Result]:
        return [r for r in self.results if self.is_failing(r)]

    @property
    def exit_code(self) -> int:
        return 1 if self.failed else 0

    def to_json(self) -> dict[str, Any]:
        return {"cnnspec_version": self.cnnspec_version, "target": self.target,
                "seed": self.seed, "profile": self.profile, "max_examples": self.max_examples,
                "complete": self.complete, "interrupted": self.interrupted,
                "allowed_conventions": self.allowed_conventions,
                "exit_code": self.exit_code, "counts": self.counts(),
                "conventions": self.conventions, "warnings": self.warnings,
                "results": [r.to_json() for r in self.results],
                "timings": {"seconds": round(self.seconds, 3),
                            "results": {r.key: round(r.seconds, 3) for r in self.results}},
                "environment": self.environment}
