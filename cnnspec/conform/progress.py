"""What ``cnnspec conform`` prints: one line per (op, rule) as it completes, then a summary.

    [ 3/41] pass        conv            conv.def                 100 examples   0.4s
    [ 4/41] FAIL        conv            conv.out-size            y.shape=(1, 1, 3), but should ...

On a terminal the lines are coloured; the summary is a table of statuses per op, the
conventions the target follows, and each failure with its message, minimal example and
repro.
"""

from __future__ import annotations

import sys
from typing import IO, Any

from .results import STATUSES, Report, Result

__all__ = ["Progress", "summary"]

_COLOURS = {"pass": "32", "fail": "31;1", "xpass": "31;1", "xfail": "33", "convention": "35",
            "unsupported": "36", "not-implemented": "36", "not-applicable": "2"}
_SHORT = {"not-implemented": "not impl", "not-applicable": "n/a", "unsupported": "unsupp",
          "convention": "conv'n"}
MAX_DETAILED = 10


def _paint(text: str, status: str, on: bool) -> str:
    return f"\x1b[{_COLOURS.get(status, '0')}m{text}\x1b[0m" if on else text


class Progress:
    """The live display: call :meth:`start`, then :meth:`result` per Result."""

    def __init__(self, stream: IO[str] | None = None, total: int = 0,
                 is_failing: Any = None) -> None:
        self.stream = stream or sys.stdout
        self.is_failing = is_failing or (lambda r: r.status in ("fail", "xpass"))
        self.tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self.total, self.count = total, 0

    def write(self, text: str = "") -> None:
        self.stream.write(text + "\n")
        self.stream.flush()

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
        if r.status == "not-applicable":  # the spec's own checks on another target: counted only
            return
        width = len(str(self.total))
        label = r.status.upper() if self.is_failing(r) else r.status
        status = _paint(f"{label:<15}", "fail" if self.is_failing(r) else r.status, self.tty)
        if r.status in ("fail", "xpass", "convention"):
            detail = r.message.split("\n", 1)[0]
        elif r.status == "pass":
            detail = f"{r.examples:>4} examples {r.seconds:6.1f}s"
            if r.worst_error is not None:
                detail += f"  worst error {r.worst_error:.2g} of the bound"
        else:
            detail = r.message.split("\n", 1)[0]
        self.write(f"[{self.count:>{width}}/{self.total}] {status} {r.op:<15} {r.rule:<30} "
                   f"{detail[:110]}")


def summary(report: Report, colour: bool = False) -> str:
    """The table of statuses per op, the conventions, and the failures in detail."""
    ops = list(dict.fromkeys(r.op for r in report.results))
    shown = [s for s in STATUSES if any(r.status == s for r in report.results)]
    head = f"{'op':<16}" + "".join(f"{_SHORT.get(s, s):>10}" for s in shown)
    lines = ["", head, "-" * len(head)]
    for op in ops + ["total"]:
        row = [r for r in report.results if op == "total" or r.op == op]
        lines.append(f"{op:<16}" + "".join(f"{sum(r.status == s for r in row):>10}"
                                           for s in shown))
    if report.conventions:
        lines += ["", "conventions:"]
        for key, c in report.conventions.items():
            mark = "  <- differs from the spec" if c.get("deviates") else ""
            lines.append(f"  {key:<26} {c.get('value')}{mark}")
    by_convention: dict[tuple[str, ...], list[Result]] = {}
    for r in report.results:
        if r.status == "convention":
            by_convention.setdefault(tuple(r.convention or ()), []).append(r)
    for keys, rs in by_convention.items():
        bad = report.is_failing(rs[0])
        named = "; ".join(f"{k}={report.conventions.get(k, {}).get('value')!r} (spec: "
                          f"{report.conventions.get(k, {}).get('spec')!r})" for k in keys)
        head = f"{'CONVENTION' if bad else 'convention (allowed)'}: {named} explains " \
               f"{len(rs)} result(s)"
        lines += ["", _paint(head, "fail" if bad else "convention", colour)]
        lines.append("  " + ", ".join(f"{r.rule} on {r.op}" for r in rs))
        lines += ["  e.g. " + line for line in rs[0].message.splitlines()[2:3]]
        if bad:
            lines.append(f"  (--allow-convention {','.join(keys)} if the target follows it on "
                         f"purpose)")
    failed = [r for r in report.results if r.status in ("fail", "xpass")]
    for r in failed[:MAX_DETAILED]:
        lines += ["", _paint(f"{r.status.upper()}: {r.rule} on {r.op}: {r.title}", "fail",
                             colour)]
        lines += ["  " + line for line in r.message.splitlines()[:14]]
        if r.example:
            lines.append(f"  minimal example: {r.example.get('repr')}")
        if r.repro:
            lines += ["  repro:"] + ["    " + line for line in r.repro.splitlines()]
    if len(failed) > MAX_DETAILED:
        lines.append(f"\n... and {len(failed) - MAX_DETAILED} more (see --report-md)")
    worst = [r for r in report.results if r.worst_error is not None]
    if worst:
        top = max(worst, key=lambda r: r.worst_error or 0.0)
        lines.append(f"\nworst error on real-valued data: {top.worst_error:.3g} of the K-aware "
                     f"bound ({top.rule} on {top.op})")
    for w in report.warnings:
        lines.append(f"warning: {w}")
    state = "" if report.complete else " (interrupted: partial results)"
    counts = {s: n for s, n in report.counts().items() if n}
    lines += ["", f"{report.target}: " + ", ".join(f"{n} {s}" for s, n in counts.items()) +
              f" in {report.seconds:.1f}s{state}; exit code {report.exit_code}"]
    return "\n".join(lines)
