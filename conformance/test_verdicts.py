"""Verdicts of a conformance run on real-world-style targets (conformance/targets/realworld/).

Each target file says what a run on it must conclude (EXPECTED, read without importing it):
None - correct code, exit 0 (no false alarm); a rule ID - exit 1, and the first finding (one
per root cause, most basic rule first: Report.findings) names that rule; ``convention:KEY`` -
exit 1, the first finding is a convention naming KEY; ``nothing-checked`` - a target with no
callable op exits 3 (nothing checked).
EXPECTED_OPS, where a file sets it, restricts the run to the ops EXPECTED is about.
Quick profile, seed 0, one worker per run.  ``python -m conformance.measure_verdicts`` prints
the same verdicts as a table (default profile).
"""

from __future__ import annotations

import pytest

from cnnspec.conform.engine import run

from .measure_verdicts import expectation, targets


def _summary(report) -> str:
    lines = [f"exit {report.exit_code}, counts {({k: v for k, v in report.counts().items() if v})}"]
    for f in report.findings()[:3]:
        lines.append(f"- {f.op}:{f.rule} [{f.kind}] {f.lead.message.splitlines()[0]} "
                     f"(rules: {', '.join(f.rules)})")
    return "\n".join(lines)


@pytest.mark.parametrize("path", targets(), ids=lambda p: p.stem)
def test_verdict(path):
    expected, ops = expectation(path)
    report = run(str(path), profile="quick", ops=list(ops) if ops else None)
    why = f"{path.name} (EXPECTED={expected!r}):\n{_summary(report)}"

    if expected is None:  # correct code: no false alarm
        assert report.exit_code == 0, why
    elif expected == "nothing-checked":
        assert report.exit_code == 3, why
    elif expected.startswith("convention:"):
        key = expected.split(":", 1)[1]
        assert report.exit_code == 1, why
        first = report.findings()[0]
        assert first.kind == "convention" and key in (first.lead.convention or ()), why
    else:  # a bug: caught, and by the rule it breaks
        assert report.exit_code == 1, why
        assert report.findings()[0].rule == expected, why
