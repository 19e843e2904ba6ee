"""Report files: JSON (for tools), JUnit XML (for CI systems), Markdown (for an issue).

Each file is rewritten whole, atomically (written next to the target path, then renamed
over it), every time a result arrives: whenever a run stops (Ctrl-C, kill -9, a crash of
the parent), each report file is a complete, valid document of the results so far, with
``"complete": false`` in the JSON until the run finishes.
"""

from __future__ import annotations

import json
import os
import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

from .results import Report, Result

__all__ = ["to_json", "to_junit", "to_markdown", "write_reports", "write_atomic"]


def to_json(report: Report) -> str:
    return json.dumps(report.to_json(), indent=1, allow_nan=False) + "\n"


def write_atomic(path: str | os.PathLike[str], text: str) -> None:
    """Write ``text`` to ``path`` so that a reader never sees a partial file."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_reports(report: Report, paths: dict[str, Any]) -> None:
    """Write the formats whose path is given: keys 'json', 'junit', 'md'."""
    render = {"json": to_json, "junit": to_junit, "md": to_markdown}
    for kind, path in paths.items():
        if path:
            write_atomic(path, render[kind](report))


def _first_line(text: str) -> str:
    return text.split("\n", 1)[0]


def _detail(r: Result) -> str:
    parts = [r.message]
    if r.example:
        parts.append(f"minimal example: {r.example.get('repr')}")
    if r.repro:
        parts.append("repro:\n" + r.repro)
    return "\n\n".join(parts)


def to_junit(report: Report) -> str:
    """One testsuite; one testcase per (op, rule), classname ``cnnspec.<op>``."""
    failing = report.failed
    skipped = sum(r.status != "pass" and r not in failing for r in report.results)
    suite = ET.Element("testsuite", name=f"cnnspec conform {report.target}",
                       tests=str(len(report.results)), failures=str(len(failing)), errors="0",
                       skipped=str(skipped), time=f"{report.seconds:.3f}")
    props = ET.SubElement(suite, "properties")
    for name, value in (("cnnspec_version", report.cnnspec_version), ("seed", report.seed),
                        ("profile", report.profile), ("complete", report.complete)):
        ET.SubElement(props, "property", name=name, value=str(value))
    for key, c in report.conventions.items():
        ET.SubElement(props, "property", name=f"convention.{key}", value=str(c.get("value")))
    for r in report.results:
        case = ET.SubElement(suite, "testcase", classname=f"cnnspec.{r.op}", name=r.rule,
                             time=f"{r.seconds:.3f}")
        if r in failing:
            el = ET.SubElement(case, "failure", message=_first_line(r.message), type=r.status)
            el.text = _detail(r)
        elif r.status != "pass":
            ET.SubElement(case, "skipped", message=f"{r.status}: {_first_line(r.message)}")
    root = ET.Element("testsuites")
    root.append(suite)
    ET.indent(root)
    return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"


def _md_cell(text: Any) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _worst(r: Result) -> str:
    return "" if r.worst_error is None else f"{r.worst_error:.3g}"


def to_markdown(report: Report) -> str:
    """A report a person can paste into an issue: summary, conventions, failures, results."""
    counts = report.counts()
    state = "complete" if report.complete else "interrupted" if report.interrupted else \
        "in progress"
    out = [f"# cnnspec conform: `{report.target}`", "",
           f"cnnspec {report.cnnspec_version}, profile `{report.profile}`, seed "
           f"{report.seed}, {report.seconds:.1f} s, run {state}; exit code {report.exit_code}.",
           "", "| status | results |", "|---|---:|"]
    out += [f"| {s} | {n} |" for s, n in counts.items() if n]
    if report.conventions:
        out += ["", "## Conventions", "", "| convention | the target | the spec |", "|---|---|---|"]
        for key, c in report.conventions.items():
            mark = " **(differs)**" if c.get("deviates") else ""
            out.append(f"| `{key}` | {_md_cell(c.get('value'))}{mark} | "
                       f"{_md_cell(c.get('spec', ''))} |")
    shown = [r for r in report.results if r.status in ("fail", "xpass", "convention")]
    if shown:
        out += ["", "## Failures and conventions"]
    for r in shown:
        out += ["", f"### `{r.rule}` on `{r.op}`: {r.title} ({r.status})", "", "```text",
                r.message, "```"]
        if r.example:
            out += ["", f"Minimal example: `{r.example.get('repr')}`"]
            if r.example.get("arrays"):
                out += ["", "<details><summary>its arrays</summary>", "", "```json",
                        json.dumps(r.example["arrays"]), "```", "", "</details>"]
        if r.repro:
            out += ["", "Repro:", "", "```python", r.repro.rstrip(), "```"]
    if report.warnings:
        out += ["", "## Warnings", ""] + [f"- {w}" for w in report.warnings]
    out += ["", "## All results", "", "| op | rule | status | examples | worst error / bound |",
            "|---|---|---|---:|---:|"]
    out += [f"| {r.op} | `{r.rule}` | {r.status} | {r.examples} | {_worst(r)} |"
            for r in report.results]
    return "\n".join(out) + "\n"
