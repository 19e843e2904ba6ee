"""The engine behind both front doors (``cnnspec conform`` and the pytest plugin).

:func:`run` checks a target against the selected rules and returns a :class:`Report`;
:class:`Runner` is the same engine driven one (op, rule) at a time (the pytest plugin).

1. Plan (no target needed): the selected checks that call a target, grouped by (op, rule).
   A check is reported under every op it calls.  The checks of the spec itself (``ops=()``,
   proofs) call no target and are not planned: ``cnnspec prove`` runs them.
2. Start the workers (the target is imported there, never here) and probe the target's
   capabilities (what it declares unsupported: :mod:`cnnspec.conform.capabilities`; every
   check then draws only cases the target takes) and its conventions
   (:mod:`cnnspec.conform.conventions`).
3. Run each check once in a worker, Hypothesis seeded with ``seed``; a (op, rule) result is
   complete when its checks are, then the xfail file applies and it is reported (callback,
   report files rewritten atomically, so an interrupted run leaves a valid partial report).

Speed (benchmarks/bench_conform.py; 2-core machine shared with other sessions, 1 job):
quick profile 7 s on the reference, 7 s on torch_cpu; default profile 26 s and 22 s.  A
worker costs ~1 s to start (NumPy, Hypothesis, the registry, the target; torch +1.4 s).
Scaling: checks are independent, so ``jobs=N`` (``--jobs``, or pytest-xdist ``-n N`` with
the plugin, one cnnspec worker per xdist worker) divides the checks' time by up to N when N
cores are free, and adds one worker start-up each; each worker is single-threaded, so do
not go beyond the cores.  On the shared machine above --jobs 2 gained only 1.0-1.1x (the
other sessions kept one core busy); checks are dispatched op-family first (conv.* for conv)
so the first failure usually names the rule a bug breaks.
"""

from __future__ import annotations

import fnmatch
import os
import platform
import time
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

from .. import __version__
from .. import rules as registry
from ..targets import ALL_OPS, FORWARD_OF, STYLES
from . import conventions as conv
from .options import PROFILES, RunOptions, UsageError
from .results import CheckOutcome, Report, Result, aggregate, apply_xfail
from .tasks import PROBE, Outcome, Task
from .workers import Pool

__all__ = ["run", "Runner", "plan", "PROFILES", "RunOptions", "UsageError", "read_xfail",
           "examples_for"]

_OP_ORDER = {op: i for i, op in enumerate(ALL_OPS)}


def plan(ops: Any = None, rules: Any = None) -> dict[tuple[str, str], list[registry.Check]]:
    """{(op, rule): [checks]} of the selection, ordered by op, then the registry's order.
    Only checks that call a target op: a proof (``ops=()``) is ``cnnspec prove``'s."""
    ops = None if ops is None else [o for o in ([ops] if isinstance(ops, str) else ops)]
    for op in ops or ():
        if op not in _OP_ORDER:
            raise UsageError(f"op={op!r}, but should be one of {', '.join(_OP_ORDER)}")
    patterns = None if rules is None else list([rules] if isinstance(rules, str) else rules)
    checks = [c for c in registry.all_checks() if not c.is_proof]
    for pat in patterns or ():
        if not any(_selects(pat, c) for c in checks):
            proof = any(_selects(pat, c) for c in registry.proofs())
            raise UsageError(f"--rules={pat!r} matches no rule with a check that calls a target"
                             + (" (only proofs of the spec: `cnnspec prove` runs them)" if proof
                                else " (`cnnspec explain` lists the rules)"))
    groups: dict[tuple[str, str], list[registry.Check]] = {}
    for c in checks:
        if patterns is not None and not any(_selects(p, c) for p in patterns):
            continue
        for op in c.ops:
            if ops is None or op in ops:
                groups.setdefault((op, c.rule), []).append(c)
    order = {r.id: i for i, r in enumerate(registry.all_rules())}
    return dict(sorted(groups.items(), key=lambda kv: (_OP_ORDER[kv[0][0]], order[kv[0][1]])))


def _selects(pattern: str, check: registry.Check) -> bool:
    return fnmatch.fnmatchcase(check.id if "::" in pattern else check.rule, pattern)


def read_xfail(path: str | os.PathLike[str] | None) -> list[tuple[int, str]]:
    """(line number, entry) of an xfail file: a rule-ID glob or ``op:rule-glob`` per line,
    ``#`` starts a comment."""
    if path is None:
        return []
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as e:
        raise UsageError(f"--xfail-file={str(path)!r} cannot be read ({e.strerror})") from None
    out = []
    for n, line in enumerate(text.splitlines(), 1):
        entry = line.split("#", 1)[0].strip()
        if entry:
            out.append((n, entry))
    return out


def _spec(target: str | os.PathLike[str] | ModuleType) -> str:
    if isinstance(target, ModuleType):
        f = getattr(target, "__file__", None)
        return target.__name__ if target.__name__ != "__main__" or not f else f
    spec = os.fspath(target)
    style, sep, inner = spec.partition(":")
    if sep and style in STYLES:  # a file in a course assignment's style: cs231n:layers.py
        return f"{style}:{_spec(inner)}"
    return os.path.abspath(spec) if spec.endswith(".py") else spec


def examples_for(c: registry.Check, profile: str, max_examples: int | None = None) -> int:
    """The example budget of check ``c`` in a run: an exhaustive check's every case (its
    worked examples, whatever the profile); else --max-examples when given; else the
    check's own budget scaled by the profile; else the profile's."""
    if c.exhaustive:
        return c.max_examples or 1
    if max_examples is not None:
        return max_examples
    if c.max_examples is not None:
        return max(1, round(c.max_examples * PROFILES[profile] / PROFILES["default"]))
    return PROFILES[profile]


class Runner:
    """One target, one selection: start(), then result(key) or run_all(), then close()."""

    def __init__(self, target: str | os.PathLike[str] | ModuleType, *,
                 options: RunOptions | None = None, **kwargs: Any) -> None:
        """``options`` and/or its fields as keywords (``profile="quick"``): :class:`RunOptions`
        holds each option's default and meaning; UsageError for a bad value."""
        opts = self.options = RunOptions.of(options, **kwargs)
        profile, max_examples, level = opts.profile, opts.max_examples, opts.level
        self.spec, self.profile, self.max_examples = _spec(target), profile, max_examples
        style, sep, inner = self.spec.partition(":")
        path = inner if sep and style in STYLES else self.spec
        if path.endswith(".py") and not os.path.isfile(path):
            raise UsageError(f"target={os.fspath(target)!r}, but no such file exists")
        self.seed, self.timeout, self.memory_limit = opts.seed, opts.timeout, opts.memory_limit
        self.jobs = int(opts.jobs) or (os.cpu_count() or 1)  # 0: one per core
        self.groups = plan(opts.ops, opts.rules)
        self.requested_ops = None if opts.ops is None else list(opts.ops)
        self.xfail = read_xfail(opts.xfail_file)
        self.xfail_used: set[str] = set()
        self.outcomes: dict[str, CheckOutcome] = {}
        self.done: dict[tuple[str, str], Result] = {}
        self.pool: Pool | None = None
        self.info: dict[str, Any] = {}
        self.deviations: dict[str, str] = {}
        self.capabilities: dict[str, Any] | None = None
        self.few_shapes: str | None = None
        self.started = time.perf_counter()
        allowed = list(opts.allow_conventions)
        self.report = Report(__version__, self.spec, self.seed, profile, max_examples,
                             allowed_conventions=allowed, level=level,
                             requested_ops=self.requested_ops)

    # ------------------------------------------------------------ setup

    def start(self) -> None:
        """Import the target in the workers and probe its conventions (TargetImportError)."""
        checks = {c.id: c for cs in self.groups.values() for c in cs}
        self.pool = Pool(self.spec, jobs=min(self.jobs, max(1, len(checks))),
                         timeout=self.timeout, memory_limit=self.memory_limit)
        self.info = self.pool.start()
        self.report.target = self.info.get("name", self.spec)
        self.report.target_ops = list(self.info.get("ops", ()))
        self.report.environment = _environment(self)
        for c in checks.values():
            static = self._static(c)
            if static is not None:
                static.level = c.level
                self.outcomes[c.id] = static
        if self.info.get("unavailable"):
            return
        for _, outcome in self.pool.run([PROBE]):
            if outcome.probe is not None:
                self.report.conventions = outcome.probe.conventions
                self.capabilities = outcome.probe.capabilities
                self.report.restrictions = list(outcome.probe.restrictions or ())
                self.few_shapes = outcome.probe.few_shapes
                self.report.environment["few_shapes"] = self.few_shapes
            else:
                why = outcome.message.split("\n", 1)[0].removesuffix(" [conventions]")
                self.report.conventions = {k: {"value": f"unknown (the probe failed: {why})"}
                                           for k in conv.CONVENTIONS}
        self.deviations = conv.deviations(self.report.conventions)

    def _static(self, c: registry.Check) -> CheckOutcome | None:
        """The outcome known without running: unavailable, op missing."""
        if self.info.get("unavailable"):
            return CheckOutcome(c.id, "unsupported", f"{self.spec}: {self.info['unavailable']}")
        missing = [op for op in c.ops if op not in self.info.get("ops", ())]
        if missing:
            return CheckOutcome(c.id, "not-implemented",
                                f"the target does not define {', '.join(m + '()' for m in missing)}")
        return None

    def _task(self, c: registry.Check) -> Task:
        n = examples_for(c, self.profile, self.max_examples)
        return Task("check", c.id, ops=tuple(c.ops), max_examples=n, seed=self.seed,
                    deviations=self.deviations, level=c.level, capabilities=self.capabilities,
                    large=c.large, few_shapes=bool(self.few_shapes))

    # ------------------------------------------------------------ running

    def _record(self, task: Task, outcome: Outcome) -> None:
        if outcome.status == "none":  # no case drawn at all: nothing was checked
            outcome.status = "unsupported"
        self.outcomes[task.check] = CheckOutcome.of(outcome, task.level)
        for key in outcome.convention or ():  # seen by a check rather than the probe
            found = self.report.conventions.get(key)
            if found is not None and not found.get("deviates"):
                value = conv.alternative(key)
                found.update(value=f"{value} (seen by {task.check}; the probe saw "
                                   f"{found.get('value')!r})", deviates=True,
                             follows_spec=False, who=conv.CONVENTIONS[key].alternatives.get(value, ""))

    def _finish(self, key: tuple[str, str]) -> Result:
        op, rule = key
        result = aggregate(op, rule, registry.get(rule).title,
                           [self.outcomes[c.id] for c in self.groups[key]], self.seed,
                           self.report.level)
        hit = apply_xfail(result, [e for _, e in self.xfail])
        if hit is not None:
            self.xfail_used.add(hit)
        self.done[key] = result
        self.report.results = [self.done[k] for k in self.groups if k in self.done]
        return result

    def result(self, key: tuple[str, str]) -> Result:
        """The (op, rule) result, running its checks that have not run yet (pytest items)."""
        if key not in self.done:
            assert self.pool is not None, "call start() first"
            todo = [self._task(c) for c in self.groups[key] if c.id not in self.outcomes]
            for task, outcome in self.pool.run(todo):
                self._record(task, outcome)
            self._finish(key)
        return self.done[key]

    def run_all(self, on_result: Callable[[Result], None] | None = None,
                on_update: Callable[[Report], None] | None = None,
                on_tick: Callable[[list[tuple[str, int, float]]], None] | None = None
                ) -> Report:
        """Run every check (``jobs`` at a time); report each (op, rule) as it completes.
        ``on_tick``: about once a second, the checks in progress (check, cases, seconds)."""
        assert self.pool is not None, "call start() first"
        pending = {k: {c.id for c in cs} - set(self.outcomes) for k, cs in self.groups.items()}

        def complete(keys: list[tuple[str, str]]) -> None:
            for k in keys:
                result = self._finish(k)
                if on_result is not None:
                    on_result(result)
            if keys and on_update is not None:
                on_update(self.report)

        checks = {c.id: c for cs in self.groups.values() for c in cs}
        todo = [self._task(c) for c in sorted(checks.values(), key=_dispatch_order)
                if c.id not in self.outcomes]
        try:
            complete([k for k, ids in pending.items() if not ids])
            for task, outcome in self.pool.run(todo, on_tick):
                self._record(task, outcome)
                ready = []
                for k, ids in pending.items():
                    if task.check in ids:
                        ids.discard(task.check)
                        if not ids:
                            ready.append(k)
                complete(ready)
            self.report.complete = True
        except KeyboardInterrupt:
            self.report.interrupted = True
        self.close()
        if on_update is not None:
            on_update(self.report)
        return self.report

    def close(self) -> None:
        if self.pool is not None:
            self.pool.close()
            self.pool = None
        self.report.seconds = time.perf_counter() - self.started
        self.report.warnings = [
            f"xfail entry {entry!r} (line {n}) matches no result of this run"
            for n, entry in self.xfail if entry not in self.xfail_used
            and not any(_entry_matches(entry, k) for k in self.groups)]


_FAMILY_OF_OP = {"conv": "conv", "conv_transpose": "conv-transpose", "max_pool": "pool",
                 "avg_pool": "pool"}


def _dispatch_order(c: registry.Check) -> int:
    """Checks of an op's own family first (conv.* for conv ...), then the cross-cutting ones
    (config.*, pad.*, tolerance.*): the first failure of a buggy op is then usually the rule
    its bug breaks.  Stable: registry order within each."""
    return 0 if any(_FAMILY_OF_OP[FORWARD_OF.get(op, op)] == c.rule.split(".", 1)[0]
                    for op in c.ops) else 1


def _entry_matches(entry: str, key: tuple[str, str]) -> bool:
    from .results import _matches

    return _matches(entry, *key)


def _environment(runner: Runner) -> dict[str, Any]:
    from importlib.metadata import PackageNotFoundError, version

    try:
        hypothesis = version("hypothesis")
    except PackageNotFoundError:  # pragma: no cover - a dependency
        hypothesis = "unknown"
    return {"python": platform.python_version(), "platform": platform.platform(),
            "hypothesis": hypothesis, "jobs": runner.jobs,
            "timeout": runner.timeout, "memory_limit": runner.info.get("memory_limit"),
            "target_ops": runner.info.get("ops"), "declared_precision": runner.info.get("precision"),
            "library": runner.info.get("library"), "functions": runner.info.get("functions")}


def run(target: str | os.PathLike[str] | ModuleType, *, options: RunOptions | None = None,
        on_result: Callable[[Result], None] | None = None, report_json: Any = None,
        junit_xml: Any = None, report_md: Any = None, **kwargs: Any) -> Report:
    """Check ``target`` (a dotted module name, a .py path, or a module) against the spec.

    options: a :class:`RunOptions`, and/or its fields as keywords (``profile="quick"``,
    ``rules="conv.*"``, ``seed=1``): what is checked and how, each option's default and
    meaning declared once there; on_result: called with each (op, rule) Result as it
    completes; report_json / junit_xml / report_md: paths, rewritten atomically as results
    arrive.

    Returns the Report (``report.exit_code``: 0, 1, 3 when nothing was checked, 130 after
    Ctrl-C with the results completed so far; see cnnspec.conform.results).  Raises UsageError for bad arguments and
    TargetImportError (an ImportError) when the target cannot be imported.
    """
    from .reports import write_reports

    paths = {"json": report_json, "junit": junit_xml, "md": report_md}
    runner = Runner(target, options=options, **kwargs)
    try:
        runner.start()
    except BaseException:
        runner.close()
        raise
    return runner.run_all(on_result, lambda report: write_reports(report, paths))
