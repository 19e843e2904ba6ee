"""What a conformance run says: one Result per (op, rule), built from check outcomes.

Statuses of a Result (and of the checks it gathers):

    pass             every check of the rule held on every case the target computed (the
                     share of the example budget it computed is shown: ``4 of 50 examples``)
    fail             a check found a counterexample (or the target crashed, hung, ran out of
                     memory, returned a non-array, mutated its input, ...)
    restriction      the target raised (not NotImplementedError) on valid configurations
                     and every configuration it did take passed: a restriction it does not
                     declare.  All restrictions with the same exception are one finding; it
                     fails the run (NotImplementedError is how a target declares a limit)
    xfail            failed, and the user's xfail file expects it
    xpass            passed, but the xfail file expects a failure (fails the run)
    convention       failed only on cases a named convention explains, and the target follows
                     that (non-default) convention: see cnnspec.conform.conventions.  It fails
                     the run unless the convention is allowed (--allow-convention KEY)
    unsupported      the target raised NotImplementedError on every case (or cannot run here)
    not-implemented  the target does not define the op
(A check of the spec itself, which calls no op, is a proof: ``cnnspec prove`` runs it, never
a conformance run.)

Each check has a level (compute, refuse, strict: cnnspec.rules.LEVELS); a run checks one
level and the ones below it.  Results of checks above that level are run and shown, marked
with their level, and never change the exit code.

Exit code of a run (:attr:`Report.exit_code`): 130 if interrupted; 1 if any result at the
level checked is fail, restriction, xpass or a convention not allowed; 3 if nothing was
checked (the target defines none of the ops asked for, or no check of an op reached the
target: every case unsupported); 2 if the target could not be imported; else 0.

Failing results are grouped into findings (:meth:`Report.findings`): one per root cause,
named by the most basic rule its counterexample breaks (cnnspec.conform.diagnose), or by the
exception of a restriction, or by the convention followed.
"""

from __future__ import annotations

import fnmatch
import re
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .tasks import Outcome

__all__ = ["STATUSES", "FAILING", "LEVELS", "EXIT_NOTHING_CHECKED", "EXIT_INTERRUPTED",
           "CheckOutcome", "Result", "Report", "Finding", "aggregate"]

STATUSES = ("pass", "fail", "restriction", "xfail", "xpass", "convention", "unsupported",
            "not-implemented")
FAILING = ("fail", "restriction", "xpass")
LEVELS = ("compute", "refuse", "strict")
EXIT_NOTHING_CHECKED = 3
EXIT_INTERRUPTED = 130


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
    level: str = "compute"
    requested: int = 0
    refused: int = 0
    refusal: str | None = None
    also_refused: str | None = None
    cause: str | None = None
    cause_message: str | None = None
    worst_statistical: float | None = None

    @classmethod
    def of(cls, outcome: Outcome, level: str) -> CheckOutcome:
        """The part of a worker's outcome the report shows, at the check's level."""
        return cls(level=level, **{k: getattr(outcome, k) for k in cls.__dataclass_fields__
                                   if k != "level"})

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
    level: str = "compute"
    cause: str | None = None
    refusal: str | None = None
    beyond: list[str] = field(default_factory=list)
    worst_statistical: float | None = None

    @property
    def key(self) -> str:
        return f"{self.op}:{self.rule}"

    def judged(self) -> list[CheckOutcome]:
        """The checks at the result's level or below (those its status is made of)."""
        return [c for c in self.checks if LEVELS.index(c.level) <= LEVELS.index(self.level)]

    @property
    def examples(self) -> int:
        return sum(c.examples for c in self.judged())

    @property
    def requested(self) -> int:
        return sum(c.requested for c in self.judged())

    @property
    def unsupported(self) -> int:
        return sum(c.unsupported for c in self.judged())

    @property
    def refused(self) -> int:
        return sum(c.refused for c in self.judged())

    def coverage(self) -> str:
        """``4 of 50 examples; 46 unsupported``: how much of the budget reached the target."""
        text = f"{self.examples} of {self.requested} examples"
        extra = [f"{n} {what}" for n, what in ((self.unsupported, "unsupported"),
                                                (self.refused, "refused")) if n]
        return text + ("; " + ", ".join(extra) if extra else "")

    @property
    def reached(self) -> bool:
        """Whether a check of this result called the target on a case it computed (or
        failed on)."""
        return self.status in ("fail", "restriction", "xfail", "xpass", "convention") or \
            self.examples > 0

    @property
    def seconds(self) -> float:
        return sum(c.seconds for c in self.checks)

    def to_json(self) -> dict[str, Any]:
        return {"op": self.op, "rule": self.rule, "title": self.title, "status": self.status,
                "level": self.level, "cause": self.cause, "refusal": self.refusal,
                "message": self.message, "example": self.example, "repro": self.repro,
                "seed": self.seed, "convention": self.convention,
                "worst_error": self.worst_error, "worst_statistical": self.worst_statistical,
                "examples": self.examples,
                "requested": self.requested, "unsupported": self.unsupported,
                "refused": self.refused, "coverage": self.coverage(),
                "beyond_level": self.beyond, "checks": [c.to_json() for c in self.checks]}


_PRECEDENCE = ("fail", "restriction", "convention", "pass", "unsupported", "not-implemented")


def aggregate(op: str, rule: str, title: str, outcomes: list[CheckOutcome], seed: int,
              level: str = "strict") -> Result:
    """One Result from the outcomes of the rule's checks that call ``op``, judged at
    ``level``: its status is made of the checks at that level or below (when it has none,
    of its lowest-level checks, and the result is marked with that level).

    The status is the most telling of those checks' (fail > restriction > convention >
    pass > unsupported > not-implemented); the evidence is the first
    check's with that status.  Failing checks above the level are listed in ``beyond``.
    """
    rank = LEVELS.index(level)
    inside = [o for o in outcomes if LEVELS.index(o.level) <= rank]
    if not inside:
        low = min(LEVELS.index(o.level) for o in outcomes)
        inside, level = [o for o in outcomes if LEVELS.index(o.level) == low], LEVELS[low]
    else:
        level = LEVELS[max(LEVELS.index(o.level) for o in inside)]
    status = next(s for s in _PRECEDENCE if any(o.status == s for o in inside))
    lead = next(o for o in inside if o.status == status)
    message = lead.message
    same = [o for o in inside if o.status == status]
    if status in ("fail", "restriction") and len(same) > 1:
        message += f"\n  (and {len(same) - 1} more {status} check(s): " \
                   f"{', '.join(o.check.split('::', 1)[1] for o in same[1:])})"
    elif status == "pass":
        message = f"{len(same)} check(s) passed"
    beyond = [f"{o.check} ({o.level}): {o.status}" for o in outcomes
              if o not in inside and o.status in ("fail", "restriction", "convention")]
    errors = [o.worst_error for o in inside if o.worst_error is not None]
    sharp = [o.worst_statistical for o in inside if o.worst_statistical is not None]
    cause = lead.cause or (rule if status == "fail" else None)
    result = Result(op, rule, title, status, message, lead.example, lead.repro, seed,
                    lead.convention, max(errors) if errors else None, list(outcomes), level,
                    cause, lead.refusal or lead.also_refused, beyond,
                    max(sharp) if sharp else None)
    if status == "pass":
        result.message = f"{len(same)} check(s), {result.coverage()}"
    return result


_NUMBERS = re.compile(r"[-+]?\d+(\.\d+)?(e[-+]?\d+)?")


def signature(text: str) -> str:
    """A message with its numbers and rule tags blanked: the same failure on other data."""
    first = re.sub(r"\s*\[[a-z0-9.-]+\]", "", text.split("\n", 1)[0])
    return _NUMBERS.sub("#", first).strip()


@dataclass
class Finding:
    """One root cause: the failing results it explains, led by the most telling one."""

    kind: str  # "fail", "restriction" or "convention"
    op: str
    rule: str  # the rule the root cause breaks (a restriction: the first rule it hit)
    results: list[Result]

    @property
    def lead(self) -> Result:
        return next((r for r in self.results if r.rule == self.rule), self.results[0])

    @property
    def rules(self) -> list[str]:
        return list(dict.fromkeys(r.rule for r in self.results))

    def message(self) -> str:
        """The lead result's message, or its root-cause message when the root cause is
        another rule than the lead's (the plain call and its arrays)."""
        lead = self.lead
        if self.kind == "fail" and lead.cause and lead.cause != lead.rule:
            for c in lead.checks:
                if c.cause == self.rule and c.cause_message:
                    return c.cause_message
        return lead.message

    def to_json(self) -> dict[str, Any]:
        lead = self.lead
        return {"kind": self.kind, "op": self.op, "rule": self.rule, "rules": self.rules,
                "message": self.message(), "example": lead.example,
                "repro": lead.repro, "refusal": lead.refusal, "convention": lead.convention}


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
    level: str = "compute"
    #: the ops the run asked for (None: all the target defines) and those the target defines
    requested_ops: list[str] | None = None
    target_ops: list[str] | None = None
    error: str | None = None  # the run could not check anything: why (an import error, ...)
    #: what the target declares unsupported (NotImplementedError), one line per op
    restrictions: list[str] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        out = dict.fromkeys(STATUSES, 0)
        for r in self.results:
            out[r.status] += 1
        return out

    def counted(self, r: Result) -> bool:
        """Whether a result is at the level this run checks (else shown, never counted)."""
        return LEVELS.index(r.level) <= LEVELS.index(self.level)

    def is_failing(self, r: Result) -> bool:
        """fail, restriction and xpass at the run's level; convention unless every
        convention it names is allowed."""
        if not self.counted(r):
            return False
        if r.status == "convention":
            from .conventions import CONVENTIONS

            allowed = set(self.allowed_conventions) | {k for k, c in CONVENTIONS.items()
                                                       if c.allowed}
            return not ("all" in allowed or set(r.convention or ()) <= allowed)
        return r.status in FAILING

    @property
    def failed(self) -> list[Result]:
        return [r for r in self.results if self.is_failing(r)]

    def findings(self) -> list[Finding]:
        """The failing results grouped by root cause, most basic rule first (see the module
        docstring): what to fix, in the order to fix it."""
        from .. import rules as registry
        from ..targets import ALL_OPS, FORWARD_OF

        order = {r.id: i for i, r in enumerate(registry.all_rules())}
        groups: dict[tuple[Any, ...], Finding] = {}
        by_message: dict[tuple[str, str], tuple[Any, ...]] = {}
        for r in self.failed:
            if r.status == "restriction":  # one finding per op and exception type
                error = (r.refusal or "").split(":", 1)[0]
                key: tuple[Any, ...] = ("restriction", r.op, error)
                kind, rule = "restriction", r.rule
            elif r.status == "convention":
                key, kind, rule = ("convention", r.op, tuple(r.convention or ())), \
                    "convention", r.rule
            else:
                rule = r.cause or r.rule
                key, kind = ("fail", r.op, rule), "fail"
                msg = (r.op, signature(r.message))
                if key not in groups and msg in by_message:  # the same failure elsewhere
                    key = by_message[msg]
                by_message.setdefault(msg, key)
            if key not in groups:
                groups[key] = Finding(kind, r.op, rule, [])
            groups[key].results.append(r)
        family = {"conv": "conv.", "conv_transpose": "conv-transpose.", "max_pool": "pool.",
                  "avg_pool": "pool."}
        family.update({op: family[fwd] for op, fwd in FORWARD_OF.items()})
        for f in groups.values():  # a restriction or convention: led by the op's own rule
            if f.kind != "fail":
                own = [r.rule for r in f.results if r.rule.startswith(family.get(f.op, "-"))]
                f.rule = min(own or [f.results[0].rule], key=lambda x: order.get(x, 10**6))
        ops = {op: i for i, op in enumerate(ALL_OPS)}
        return sorted(groups.values(), key=lambda f: (ops.get(f.op, 9), order.get(f.rule, 10**6)))

    def unchecked(self) -> list[str]:
        """Why the run checked nothing of an op it should have: an op asked for that the
        target lacks, a target with no op at all, an op no check reached."""
        if self.error:
            return [self.error]
        out = []
        have = list(self.target_ops or [])
        for op in self.requested_ops or ():
            if op not in have:
                out.append(f"--ops {op}: the target does not define {op}()")
        if self.target_ops is not None and not have:
            out.append("the target defines none of conv, conv_transpose, max_pool, avg_pool")
        # the ops asked for with --ops, else those the run has results for (--rules may
        # select rules of some ops only)
        planned = {r.op for r in self.results}
        wanted = [op for op in (self.requested_ops or [o for o in have if o in planned])
                  if op in have]
        if self.complete and have and not wanted:
            out.append("no selected rule has a check of an op the target defines")
        for op in wanted:
            mine = [r for r in self.results if r.op == op and self.counted(r)]
            if self.complete and not any(r.reached for r in mine):
                why = next((r.message.split("\n", 1)[0] for r in mine
                            if r.status == "unsupported"), "no selected rule has a check of it")
                out.append(f"{op}: no check reached the target ({why})")
        return out

    @property
    def exit_code(self) -> int:
        if self.interrupted:
            return EXIT_INTERRUPTED
        if self.error:
            return 2  # the target could not be imported: a usage error
        if self.failed:
            return 1
        if self.unchecked():
            return EXIT_NOTHING_CHECKED
        return 0

    def to_json(self) -> dict[str, Any]:
        return {"cnnspec_version": self.cnnspec_version, "target": self.target,
                "seed": self.seed, "profile": self.profile, "max_examples": self.max_examples,
                "level": self.level, "complete": self.complete,
                "interrupted": self.interrupted, "error": self.error,
                "allowed_conventions": self.allowed_conventions,
                "exit_code": self.exit_code, "unchecked": self.unchecked(),
                "counts": self.counts(),
                "findings": [f.to_json() for f in self.findings()],
                "capabilities": self.restrictions,
                "conventions": self.conventions, "warnings": self.warnings,
                "results": [r.to_json() for r in self.results],
                "timings": {"seconds": round(self.seconds, 3),
                            "results": {r.key: round(r.seconds, 3) for r in self.results}},
                "environment": self.environment}
