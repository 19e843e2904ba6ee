"""The conformance matrix: every installed built-in target, run and tabulated.

    python -m conformance.matrix                     # every built-in target whose library imports
    python -m conformance.matrix --targets onnxruntime,jax --profile quick --parallel 2
    python -m conformance.matrix --table-only        # rebuild the tables from results/*.json

Each target runs as its own ``cnnspec conform NAME --level strict`` process (so every check
counts and its level is shown), several at a time (``--parallel``, default: one per core),
writing ``results/MODULE.json`` and ``results/MODULE.md`` (MODULE: the target's module under
``cnnspec.targets``, e.g. ``torch_cpu`` for ``torch``).  Then ``results/matrix.md`` (a table a
reader takes in at a glance: library and version, exit code, counts, and one row per op and
rule with each library's status) and ``results/matrix.json`` (the same for tools) are built
from every ``results/*.json`` present.  A CI matrix can run one target per machine with
``--targets NAME`` and join the JSON files with ``--table-only``.

A target whose library is not installed is listed as such, not run.  The CUDA targets exit 3
(nothing checked) on a machine without a device.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import importlib.util
import json
import os
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from cnnspec.conform.conventions import CONVENTIONS
from cnnspec.targets import BUILTIN

RESULTS = Path(__file__).resolve().parent / "results"

#: conventions a default run allows (docs/contract.md, "Conventions")
DEFAULT_ALLOWED = {key for key, c in CONVENTIONS.items() if c.allowed}

#: how a status is written in a cell
_CELL = {"pass": "pass", "fail": "**FAIL**", "restriction": "restricts", "convention": "convention",
         "xfail": "xfail", "xpass": "XPASS", "unsupported": "unsupported",
         "not-implemented": "-", "error": "**ERROR**"}


def builtin_names() -> list[str]:
    """One short name per built-in module (aliases such as torch-cpu dropped)."""
    seen: dict[str, str] = {}
    for name, entry in BUILTIN.items():
        seen.setdefault(entry.module, name)
    return list(seen.values())


def installed(name: str) -> str | None:
    """None when the target's libraries (a Keras backend's too) can be imported, else why not
    (found without importing them: TensorFlow takes seconds)."""
    entry = BUILTIN[name]
    for lib in entry.imports:
        if importlib.util.find_spec(lib) is None:
            return f"{lib} is not installed (pip install \"cnnspec[{entry.extra}]\")"
    return None


def run_one(name: str, profile: str, seed: int, timeout: float) -> dict[str, Any]:
    """``cnnspec conform NAME`` in its own process; its exit code and wall time."""
    stem = BUILTIN[name].module
    cmd = [sys.executable, "-m", "cnnspec.cli", "conform", name, "--level", "strict",
           "--profile", profile, "--seed", str(seed), "--jobs", "1", "--quiet",
           "--timeout", str(timeout),
           "--report-json", str(RESULTS / f"{stem}.json"),
           "--report-md", str(RESULTS / f"{stem}.md")]
    start = time.monotonic()
    proc = subprocess.run(cmd, capture_output=True, text=True)
    took = time.monotonic() - start
    print(f"{name}: exit {proc.returncode} in {took:.0f} s", flush=True)
    if proc.returncode == 2:
        print(proc.stdout[-2000:] + proc.stderr[-2000:], file=sys.stderr)
    return {"target": name, "exit_code": proc.returncode, "seconds": round(took, 1)}


def _lowest(result: dict[str, Any]) -> tuple[str, str] | None:
    """(level, status) of the lowest-level check of a result that did not pass (compute <
    refuse < strict; at one level a failure before a restriction before a convention), or
    None when every check passed.  A result mixes levels: config.int's strict refusal check
    can fail while its compute check (numpy ints accepted) is a restriction."""
    order = ("compute", "refuse", "strict")
    rank = {"fail": 0, "error": 0, "xpass": 1, "restriction": 2, "convention": 3}
    found = [(order.index(c.get("level", "compute")), rank[c["status"]], c["status"])
             for c in result.get("checks", ()) if c.get("status") in rank]
    if not found:
        return None
    level, _, status = min(found)
    return order[level], status


def _cell(result: dict[str, Any] | None) -> str:
    if result is None:
        return ""
    lowest = _lowest(result) if result["status"] in ("fail", "restriction", "convention",
                                                     "error", "xpass") else None
    if lowest is None:
        return _CELL.get(result["status"], result["status"])
    level, status = lowest
    text = _CELL.get(status, status)
    return text if level == "compute" else f"{text} ({level})"


def build_tables(names: list[str], missing: dict[str, str]) -> tuple[str, dict[str, Any]]:
    """matrix.md and matrix.json from results/NAME.json for every name that has one."""
    reports: dict[str, dict[str, Any]] = {}
    for name in names:
        path = RESULTS / f"{BUILTIN[name].module}.json"
        if path.is_file():
            reports[name] = json.loads(path.read_text())
    today = _dt.date.today().isoformat()
    md = ["# Conformance matrix", "",
          f"Built by `python -m conformance.matrix` on {today}: every built-in target at level "
          "`strict` (every check counts; a cell says the lowest level its failing checks belong "
          "to: `compute` failures are wrong answers on valid input, `(refuse)` an invalid "
          "configuration computed instead of refused, `(strict)` input hygiene). `restricts`: "
          "the library refuses configurations the spec defines; `convention`: a documented "
          "difference (spec/conventions.md); `unsupported`: the adapter cannot express the "
          "case in the library's API; `-`: the op is not defined. Details, counterexamples "
          "and repros: `MODULE.md`; confirmed deviations: `../findings.md`.", "",
          "Columns: each result that did not pass is counted at the lowest level of its "
          "failing checks: `compute` (wrong answers on valid input: `fail`; valid "
          "configurations refused: `restricts`; a documented convention that differs from "
          "the spec: `convention`), `refuse` (an invalid configuration computed instead of "
          "refused) and `strict` (input hygiene). `exit` is what a default run "
          "(`--level compute`) exits with, derived from the same results.", "",
          "| target | library | profile | exit | pass | fail | restricts | convention | "
          "refuse | strict | unsupported | s |",
          "|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    summary: dict[str, Any] = {}
    for name, rep in reports.items():
        counts = rep.get("counts", {})
        allowed = set(rep.get("allowed_conventions") or ()) | DEFAULT_ALLOWED
        tally = dict.fromkeys(("fail", "restriction", "convention", "refuse", "strict"), 0)
        for r in rep.get("results", ()):
            status = r["status"]
            if status not in ("fail", "restriction", "convention", "xpass"):
                continue
            if status == "convention" and set(r.get("convention") or ()) <= allowed:
                continue  # allowed by default (nan_times_zero) or by the run
            level, status = _lowest(r) or (r.get("level") or "compute", status)
            if status == "convention" and set(r.get("convention") or ()) <= allowed:
                continue
            tally[(status if status in tally else "fail") if level == "compute" else level] += 1
        failing = tally["fail"] + tally["restriction"] + tally["convention"]
        checked = counts.get("pass", 0) + sum(tally.values())
        exit_compute = 3 if rep.get("unchecked") or not checked else 1 if failing else 0
        lib = (rep.get("environment") or {}).get("library") or name
        secs = (rep.get("timings") or {}).get("seconds")
        summary[name] = {"library": lib, "exit_code_strict": rep.get("exit_code"),
                         "exit_code_compute": exit_compute, "counts": counts, "by_level": tally,
                         "profile": rep.get("profile"), "unchecked": rep.get("unchecked")}
        md.append(f"| `{name}` | {lib} | {rep.get('profile')} | {exit_compute} | "
                  f"{counts.get('pass', 0)} | {tally['fail']} | {tally['restriction']} | "
                  f"{tally['convention']} | {tally['refuse']} | {tally['strict']} | "
                  f"{counts.get('unsupported', 0)} | {'' if secs is None else round(secs)} |")
    for name, why in missing.items():
        md.append(f"| `{name}` | not run: {why} |" + "  |" * 10)
    cells: dict[str, dict[str, dict[str, str]]] = {}
    for name, rep in reports.items():
        for r in rep.get("results", ()):
            cells.setdefault(r["op"], {}).setdefault(r["rule"], {})[name] = _cell(r)
    cols = list(reports)
    for op, rules in cells.items():
        md += ["", f"## {op}", "", "| rule | " + " | ".join(f"`{c}`" for c in cols) + " |",
               "|---|" + "---|" * len(cols)]
        for rule_id in sorted(rules):
            md.append(f"| `{rule_id}` | " + " | ".join(rules[rule_id].get(c, "") for c in cols) + " |")
    data = {"date": today, "targets": summary, "missing": missing, "cells": cells}
    return "\n".join(md) + "\n", data


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m conformance.matrix", description=__doc__.split("\n\n")[0])
    parser.add_argument("--targets", help="comma-separated short names (default: every built-in)")
    parser.add_argument("--profile", default="default", choices=("quick", "default", "thorough"))
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--timeout", type=float, default=10.0, help="seconds per target call")
    parser.add_argument("--parallel", type=int, default=os.cpu_count() or 1,
                        help="targets run at once (default: one per core)")
    parser.add_argument("--table-only", action="store_true",
                        help="only rebuild matrix.md / matrix.json from results/*.json")
    args = parser.parse_args(argv)
    names = builtin_names() if not args.targets else [t.strip() for t in args.targets.split(",")]
    unknown = [n for n in names if n not in BUILTIN]
    if unknown:
        parser.error(f"unknown target(s) {unknown}; built-in: {', '.join(builtin_names())}")
    missing = {n: why for n in builtin_names() if (why := installed(n))}
    runnable = [n for n in names if n not in missing]
    if not args.table_only:
        with ThreadPoolExecutor(max_workers=max(1, args.parallel)) as pool:
            list(pool.map(lambda n: run_one(n, args.profile, args.seed, args.timeout), runnable))
    md, data = build_tables(builtin_names(), missing)
    (RESULTS / "matrix.md").write_text(md)
    (RESULTS / "matrix.json").write_text(json.dumps(data, indent=1, sort_keys=True) + "\n")
    print(f"wrote {RESULTS / 'matrix.md'} and matrix.json")
    return 0


if __name__ == "__main__":
    sys.exit(main())
