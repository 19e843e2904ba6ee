"""What ``cnnspec conform`` prints: one line per (op, rule) as it completes, then a summary.

    [ 3/41] pass        conv            conv.def                 100 examples   0.4s
    [ 4/41] FAIL        conv            conv.out-size            y.shape=(1, 1, 3), but should ...

On a terminal the lines are coloured and a live line shows the check in progress (its
cases, its time, the results done and an estimate of the time left), rewritten about once a
second; in a log the same line is printed every 10 s of a long check; ``--quiet`` prints the
summary only.  The summary is a table of statuses per op, the conventions the target
follows, and the findings (one per root cause) with their data and repro.
"""

from __future__ import annotations

import sys
import time
from typing import IO, Any

from .results import LEVELS, STATUSES, Finding, Report, Result, signature

__all__ = ["Progress", "summary"]

_COLOURS = {"pass": "32", "fail": "31;1", "xpass": "31;1", "xfail": "33", "convention": "35",
            "restriction": "31;1", "unsupported": "36", "not-implemented": "36", "beyond": "2"}
_SHORT = {"not-implemented": "not impl", "unsupported": "unsupp", "convention": "conv'n",
          "restriction": "restrict"}
MAX_DETAILED = 10


def _paint(text: str, status: str, on: bool) -> str:
    return f"\x1b[{_COLOURS.get(status, '0')}m{text}\x1b[0m" if on else text


class Progress:
    """The live display: call :meth:`start`, then :meth:`result` per Result."""

    def __init__(self, stream: IO[str] | None = None, total: int = 0,
                 is_failing: Any = None, level: str = "compute") -> None:
        self.level = level
        self.stream = stream or sys.stdout
        self.is_failing = is_failing or (lambda r: r.status in ("fail", "xpass"))
        self.tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self.total, self.count = total, 0
        self.live = 0  # length of the live line on the screen (a terminal), 0: none
        self.started = time.monotonic()
        self.logged: dict[str, int] = {}

    def write(self, text: str = "") -> None:
        if self.live:  # a live line is on the screen: overwrite it
            self.stream.write("\r" + " " * self.live + "\r")
            self.live = 0
        self.stream.write(text + "\n")
        self.stream.flush()

    def tick(self, activity: list[tuple[str, int, float]]) -> None:
        """The checks in progress, about once a second: on a terminal one line rewritten in
        place; elsewhere (a CI log) a line every 10 seconds of a check's run."""
        if not activity:
            return
        check, cases, seconds = max(activity, key=lambda a: a[2])
        elapsed = time.monotonic() - self.started
        eta = ""
        if self.count:
            left = elapsed / self.count * (self.total - self.count)
            eta = f", about {left:.0f}s left"
        text = (f"  ... {check}: {cases} case(s) in {seconds:.0f}s "
                f"[{self.count}/{self.total} results, {elapsed:.0f}s{eta}]")
        if self.tty:
            text = text[:150]
            self.stream.write("\r" + text + " " * max(0, self.live - len(text)))
            self.live = len(text)
            self.stream.flush()
        elif seconds >= 10 and int(seconds) // 10 != self.logged.get(check, -1):
            self.logged[check] = int(seconds) // 10
            self.write(text)

    def start(self, target: str, profile: str, examples: Any, seed: int, jobs: int,
              conventions: dict[str, dict[str, Any]]) -> None:
        self.write(f"cnnspec conform {target}: {self.total} (op, rule) results, profile "
                   f"{profile} ({examples} examples per check), seed {seed}, {jobs} job(s)")
        differ = {k: c for k, c in conventions.items() if c.get("deviates")}
        for key, c in differ.items():
            self.write(_paint(f"  convention {key} = {c['value']!r} (spec: {c['spec']!r})",
                              "convention", self.tty))

    def result(self, r: Result) -> None:
        self.count += 1
        width = len(str(self.total))
        beyond = LEVELS.index(r.level) > LEVELS.index(self.level)
        label = r.status.upper() if self.is_failing(r) else r.status
        if beyond:
            label = f"{r.status} ({r.level})"
        colour = "fail" if self.is_failing(r) else "beyond" if beyond else r.status
        status = _paint(f"{label:<15}", colour, self.tty)
        if r.status in ("fail", "xpass", "convention", "restriction"):
            detail = r.message.split("\n", 1)[0]
            if r.cause and r.cause != r.rule:
                detail = f"(root cause: {r.cause}) " + detail
        elif r.status == "pass":
            detail = f"{r.coverage()}  {r.seconds:.1f}s"
            if r.worst_error is not None:
                detail += f"  worst error {r.worst_error:.2g} of the bound"
        else:
            detail = r.message.split("\n", 1)[0]
        self.write(f"[{self.count:>{width}}/{self.total}] {status} {r.op:<23} {r.rule:<30} "
                   f"{detail[:110]}")


def summary(report: Report, colour: bool = False) -> str:
    """The table of statuses per op, the conventions, and the failures in detail."""
    ops = list(dict.fromkeys(r.op for r in report.results))
    shown = [s for s in STATUSES if any(r.status == s for r in report.results)]
    wide = max([16] + [len(op) + 1 for op in ops])  # conv_transpose_backward
    head = f"{'op':<{wide}}" + "".join(f"{_SHORT.get(s, s):>10}" for s in shown)
    lines = ["", head, "-" * len(head)]
    if report.environment.get("library"):
        lines.insert(1, f"library: {report.environment['library']}")
    for op in ops + ["total"]:
        row = [r for r in report.results if op == "total" or r.op == op]
        lines.append(f"{op:<{wide}}" + "".join(f"{sum(r.status == s for r in row):>10}"
                                           for s in shown))
    if report.environment.get("few_shapes"):
        lines += ["", f"shapes: {report.environment['few_shapes']}"]
    if report.restrictions:
        lines += ["", "declared unsupported (NotImplementedError; the checks drew around it):"]
        lines += [f"  {line}" for line in report.restrictions]
    if report.conventions:
        lines += ["", "conventions:"]
        for key, c in report.conventions.items():
            mark = "  <- differs from the spec" if c.get("deviates") else ""
            lines.append(f"  {key:<26} {c.get('value')}{mark}")
    allowed: dict[tuple[str, ...], list[Result]] = {}
    for r in report.results:
        if r.status == "convention" and report.counted(r) and not report.is_failing(r):
            allowed.setdefault(tuple(r.convention or ()), []).append(r)
    for keys, rs in allowed.items():
        named = "; ".join(f"{k}={report.conventions.get(k, {}).get('value')!r} (spec: "
                          f"{report.conventions.get(k, {}).get('spec')!r})" for k in keys)
        lines += ["", _paint(f"convention (allowed): {named} explains {len(rs)} result(s)",
                             "convention", colour),
                  "  " + ", ".join(f"{r.rule} on {r.op}" for r in rs)]
    found = report.findings()
    for n, f in enumerate(found[:MAX_DETAILED], 1):
        lines += [""] + _finding_lines(n, f, report, colour)
    if len(found) > MAX_DETAILED:
        lines.append(f"\n... and {len(found) - MAX_DETAILED} more finding(s) (see --report-md)")
    beyond = [f"{r.status} ({r.level}) {r.rule} on {r.op}: {r.message.splitlines()[0][:100]}"
              for r in report.results if not report.counted(r)
              and r.status in ("fail", "restriction", "convention")]
    beyond += [f"{b} on {r.op}" for r in report.results if report.counted(r) for b in r.beyond]
    if beyond:
        lines += ["", f"beyond level {report.level} (shown, not counted; --level refuse or "
                      f"--level strict to require them):"]
        lines += [f"  {line}" for line in beyond]
    worst = [r for r in report.results if r.worst_error is not None]
    if worst:
        top = max(worst, key=lambda r: r.worst_error or 0.0)
        lines.append(f"\nworst error on real-valued data: {top.worst_error:.3g} of the K-aware "
                     f"bound ({top.rule} on {top.op})")
    beyond_sharp = [r for r in report.results if (r.worst_statistical or 0) > 1]
    for r in beyond_sharp:
        lines.append(_paint(
            f"warning: {r.rule} on {r.op}: errors up to {r.worst_statistical:.3g}x the "
            f"statistical bound (2*sqrt(K)*u), within the rigorous one: typical of a lower "
            f"precision or a less accurate summation than the dtype returned (TF32, bfloat16 "
            f"inputs, Winograd); declare PRECISION if that is meant", "xfail", colour))
    for w in report.warnings:
        lines.append(f"warning: {w}")
    for why in report.unchecked():
        lines.append(_paint(f"NOTHING CHECKED: {why}", "fail", colour))
    state = "" if report.complete else " (interrupted: partial results)"
    counts = {s: 0 for s in STATUSES}
    for r in report.results:
        if report.counted(r):
            counts[r.status] += 1
    above = sum(not report.counted(r) for r in report.results)
    above_text = f"; {above} above level {report.level} (shown, not counted)" if above else ""
    lines += ["", f"{report.target} at level {report.level}: "
              + ", ".join(f"{n} {s}" for s, n in counts.items() if n) + above_text
              + f"; {len(found)} finding(s) in {report.seconds:.1f}s{state}; "
                f"exit code {report.exit_code}"]
    return "\n".join(lines)


def _finding_lines(n: int, f: Finding, report: Report, colour: bool) -> list[str]:
    """One root cause: the rule, what went wrong with the data, the other rules it broke,
    the repro."""
    lead = f.lead
    if f.kind == "restriction":
        head = (f"FINDING {n}: {f.op} raises {(lead.refusal or '').split(':', 1)[0]} on valid "
                f"configurations (a bug, or a limit not declared with NotImplementedError)")
    elif f.kind == "convention":
        keys = tuple(lead.convention or ())
        named = "; ".join(f"{k}={report.conventions.get(k, {}).get('value')!r} (spec: "
                          f"{report.conventions.get(k, {}).get('spec')!r})" for k in keys)
        head = f"FINDING {n}: CONVENTION on {f.op}: {named}"
    else:
        title = _title(f.rule)
        head = f"FINDING {n}: {f.rule} on {f.op}: {title}"
    functions = (report.environment.get("functions") or {}).get(f.op)
    if functions:  # a style adapter (cs231n) names the student's functions behind the op
        head = head.replace(f" on {f.op}", f" on {f.op} (your {functions})", 1)
    lines = [_paint(head, "fail", colour)]
    if f.kind == "restriction":
        said = list({signature(r.refusal): r.refusal for r in f.results if r.refusal}.values())
        lines += [f"  it says: {m}" for m in said[:4]]
        if len(said) > 4:
            lines.append(f"  ... and {len(said) - 4} more message(s)")
    lines += ["  " + line for line in f.message().splitlines()[:24]]
    others = [r for r in f.rules if r != f.rule]
    if others:
        lines.append(f"  the same root cause fails {len(others)} more rule(s): "
                     + ", ".join(others))
    if f.kind == "restriction":
        lines.append("  (every rule was still checked on the configurations it accepts; a "
                     "deliberate limit raises NotImplementedError and is then 'unsupported')")
    if f.kind == "convention":
        lines.append(f"  (--allow-convention {','.join(lead.convention or ())} if the target "
                     f"follows it on purpose)")
    if lead.example and lead.example.get("shrunk") is False:
        lines.append(f"  example (the case it died on, not shrunk): {lead.example.get('repr')}")
    elif lead.example:
        lines.append(f"  minimal example: {lead.example.get('repr')}")
    if lead.repro:
        lines += ["  repro:"] + ["    " + line for line in lead.repro.splitlines()]
    return lines


def _title(rule: str) -> str:
    from .. import rules

    try:
        return rules.get(rule).title
    except KeyError:
        return ""
