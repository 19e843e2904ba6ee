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

__all__ = ["to_json", "to_junit", "to_markdown", "write_reports", "write_atomic",
           "check_report_path"]


def to_json(report: Report) -> str:
    return json.dumps(report.to_json(), indent=1, allow_nan=False) + "\n"


def check_report_path(option: str, path: str | os.PathLike[str] | None) -> None:
    """ValueError naming the option when ``path``'s directory is missing or not writable
    (checked before a run starts, so a typo costs no run; directories are never made)."""
    if not path:
        return
    parent = Path(path).parent
    if not parent.is_dir():
        raise ValueError(f"{option}={str(path)!r}, but its directory {str(parent)!r} does not "
                         f"exist")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise ValueError(f"{option}={str(path)!r}, but its directory {str(parent)!r} is not "
                         f"writable")
    if Path(path).is_dir():
        raise ValueError(f"{option}={str(path)!r}, but should be a file, not a directory")


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_atomic(path: str | os.PathLike[str], text: str) -> None:
    """Write ``text`` to ``path`` so that a reader never sees a partial file; the file gets
    the usual mode (0666 less the umask), like any file the user writes."""
    target = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.chmod(tmp, 0o666 & ~_umask())
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
    """One testsuite; one testcase per (op, rule), classname ``cnnspec.<op>``; results above
    the level checked are skipped with their status; an interrupted run and a run that
    checked nothing get one more testcase, ``cnnspec.run``, with an error."""
    failing = report.failed
    problems = []
    if report.interrupted:
        problems.append(("interrupted", "the run was interrupted: partial results"))
    problems += [("nothing-checked", why) for why in report.unchecked()]
    skipped = sum(r.status != "pass" and r not in failing for r in report.results)
    suite = ET.Element("testsuite", name=f"cnnspec conform {report.target}",
                       tests=str(len(report.results) + len(problems)),
                       failures=str(len(failing)), errors=str(len(problems)),
                       skipped=str(skipped), time=f"{report.seconds:.3f}")
    props = ET.SubElement(suite, "properties")
    for name, value in (("cnnspec_version", report.cnnspec_version), ("seed", report.seed),
                        ("profile", report.profile), ("level", report.level),
                        ("complete", report.complete), ("interrupted", report.interrupted),
                        ("exit_code", report.exit_code)):
        ET.SubElement(props, "property", name=name, value=str(value))
    for key, c in report.conventions.items():
        ET.SubElement(props, "property", name=f"convention.{key}", value=str(c.get("value")))
    for name, why in problems:
        case = ET.SubElement(suite, "testcase", classname="cnnspec.run", name=name)
        ET.SubElement(case, "error", message=why, type=name)
    for r in report.results:
        case = ET.SubElement(suite, "testcase", classname=f"cnnspec.{r.op}", name=r.rule,
                             time=f"{r.seconds:.3f}")
        if r in failing:
            el = ET.SubElement(case, "failure", message=_first_line(r.message), type=r.status)
            el.text = _detail(r)
        elif not report.counted(r):
            ET.SubElement(case, "skipped", message=f"beyond level {report.level}: {r.status} "
                                                   f"at level {r.level}: "
                                                   f"{_first_line(r.message)}")
        elif r.status != "pass":
            ET.SubElement(case, "skipped", message=f"{r.status}: {_first_line(r.message)}")
        else:
            ET.SubElement(case, "system-out").text = f"pass ({r.coverage()})"
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
           f"cnnspec {report.cnnspec_version}, level `{report.level}`, profile "
           f"`{report.profile}`, seed {report.seed}, {report.seconds:.1f} s, run {state}; "
           f"exit code {report.exit_code}.", ""]
    if report.environment.get("library"):
        out += [f"Library: {report.environment['library']}.", ""]
    out += ["| status | results |", "|---|---:|"]
    out += [f"| {s} | {n} |" for s, n in counts.items() if n]
    for why in report.unchecked():
        out += ["", f"**Nothing checked:** {why}"]
    found = report.findings()
    if found:
        out += ["", "## Findings (one per root cause)", ""]
        out += [f"{n}. **{f.kind}** `{f.rule}` on `{f.op}`: "
                f"{_md_cell(_first_line(f.lead.message))}"
                + (f" (also: {', '.join(f'`{x}`' for x in f.rules if x != f.rule)})"
                   if len(f.rules) > 1 else "") for n, f in enumerate(found, 1)]
    if report.restrictions:
        out += ["", "## Declared unsupported", "",
                "What the target raises NotImplementedError for; every check drew around it:", ""]
        out += [f"- {_md_cell(line)}" for line in report.restrictions]
    if report.conventions:
        out += ["", "## Conventions", "", "| convention | the target | the spec |", "|---|---|---|"]
        for key, c in report.conventions.items():
            mark = " **(differs)**" if c.get("deviates") else ""
            out.append(f"| `{key}` | {_md_cell(c.get('value'))}{mark} | "
                       f"{_md_cell(c.get('spec', ''))} |")
    shown = [r for r in report.results
             if r.status in ("fail", "xpass", "convention", "restriction")]
    if shown:
        out += ["", "## Failures, restrictions and conventions"]
    for r in shown:
        level = "" if report.counted(r) else f", level {r.level}: not counted"
        out += ["", f"### `{r.rule}` on `{r.op}`: {r.title} ({r.status}{level})", "",
                "```text", r.message, "```"]
        if r.example:
            out += ["", f"Minimal example: `{r.example.get('repr')}`"]
            if r.example.get("arrays"):
                out += ["", "<details><summary>its arrays</summary>", "", "```json",
                        json.dumps(r.example["arrays"]), "```", "", "</details>"]
        if r.repro:
            out += ["", "Repro:", "", "```python", r.repro.rstrip(), "```"]
    if report.warnings:
        out += ["", "## Warnings", ""] + [f"- {w}" for w in report.warnings]
    out += ["", "## All results", "",
            "| op | rule | level | status | examples reaching the target | worst error / bound |",
            "|---|---|---|---|---|---:|"]
    out += [f"| {r.op} | `{r.rule}` | {r.level} | {r.status} | {r.coverage()} | {_worst(r)} |"
            for r in report.results]
    return "\n".join(out) + "\n"
