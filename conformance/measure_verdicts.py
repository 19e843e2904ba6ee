"""Verdicts of ``cnnspec conform`` on real-world-style targets: false alarms and wrong rules.

Runs ``cnnspec conform FILE --report-json ...`` (a subprocess each, two at a time) on every
target in conformance/targets/realworld/ and prints one row per target: what its module
expects (EXPECTED: None = correct, a rule ID, ``convention:KEY``, or ``nothing-checked``; read
with ast, the target is never imported here), the exit code, the first failing results in
report order, the counts by status, the seconds, and whether the verdict is the expected one.

    python -m conformance.measure_verdicts                     # default profile, all targets
    python -m conformance.measure_verdicts --profile quick --logs /tmp/logs cs231n_correct
    git archive HEAD cnnspec | tar -x -C /tmp/head && python -m conformance.measure_verdicts --cnnspec /tmp/head
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

DIR = Path(os.path.realpath(Path(__file__).parent / "targets" / "realworld"))
SHORT = {"pass": "pass", "fail": "fail", "convention": "conv", "unsupported": "unsup",
         "not-implemented": "n/i", "xfail": "xfail", "xpass": "xpass"}


def targets() -> list[Path]:
    return sorted(p for p in DIR.glob("*.py") if not p.name.startswith("_"))


def expectation(path: Path) -> tuple[str | None, tuple[str, ...] | None]:
    """EXPECTED and EXPECTED_OPS of a target file, read without importing it."""
    found: dict[str, object] = {}
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name):
            if node.targets[0].id in ("EXPECTED", "EXPECTED_OPS"):
                found[node.targets[0].id] = ast.literal_eval(node.value)
    ops = found.get("EXPECTED_OPS")
    return found.get("EXPECTED"), None if ops is None else tuple(ops)  # type: ignore[return-value]


def failing(report: dict, ops: tuple[str, ...] | None = None) -> list[dict]:
    """The findings (one per root cause, most basic rule first) of the ops asked for; for a
    report of a cnnspec without findings, the failing results in report order."""
    if "findings" in report:
        return [{**f, "status": f["kind"]} for f in report["findings"]
                if ops is None or f["op"] in ops]
    allowed = set(report.get("allowed_conventions") or ())
    out = []
    for r in report.get("results", []):
        if ops is not None and r["op"] not in ops:
            continue
        if r["status"] in ("fail", "xpass") or (r["status"] == "convention" and not (
                "all" in allowed or set(r.get("convention") or ()) <= allowed)):
            out.append(r)
    return out


def judge(expected: str | None, code: int, first: dict | None) -> str:
    """'ok' when the verdict is the expected one, else what went wrong."""
    if expected is None:
        return "ok" if code == 0 and first is None else "FALSE ALARM"
    if expected == "nothing-checked":
        return "ok" if code not in (0, 1) else "green on nothing" if code == 0 else "fails"
    if first is None:
        return "MISSED"
    if expected.startswith("convention:"):
        key = expected.split(":", 1)[1]
        hit = first["status"] == "convention" and key in (first.get("convention") or ())
    else:
        hit = first["rule"] == expected
    return "ok" if hit else "WRONG RULE"


def run_one(path: Path, profile: str, logs: Path | None, cnnspec: Path | None = None) -> dict:
    expected, ops = expectation(path)
    env = dict(os.environ, PYTHONPATH=os.path.realpath(cnnspec)) if cnnspec else None
    with tempfile.TemporaryDirectory() as tmp:  # also the cwd: the cnnspec imported is the
        # installed one, or the copy at `cnnspec` (e.g. `git archive HEAD cnnspec`)
        out = Path(tmp) / "report.json"
        start = time.perf_counter()
        only = ["--ops", ",".join(ops)] if ops else []
        proc = subprocess.run([sys.executable, "-m", "cnnspec.cli", "conform", str(path),
                               "--profile", profile, "--report-json", str(out), *only],
                              capture_output=True, text=True, cwd=tmp, env=env)
        seconds = time.perf_counter() - start
        report = json.loads(out.read_text()) if out.exists() else {}
    if logs is not None:
        logs.mkdir(parents=True, exist_ok=True)
        (logs / f"{path.stem}.txt").write_text(proc.stdout + proc.stderr)
    fails = failing(report)
    judged = failing(report, ops)
    return {"target": path.stem, "expected": expected if ops is None else f"{expected} {'/'.join(ops)}",
            "exit": proc.returncode, "first": fails[:3], "n_failing": len(fails),
            "counts": report.get("counts", {}), "seconds": seconds,
            "verdict": judge(expected, proc.returncode, judged[0] if judged else None),
            "stderr": "" if report else proc.stderr.strip().splitlines()[-1:]}


def row(r: dict) -> str:
    first = ", ".join(f"{f['op']}:{f['rule']}" + ("(conv)" if f["status"] == "convention" else "")
                      for f in r["first"])
    if r["n_failing"] > 3:
        first += f" +{r['n_failing'] - 3}"
    counts = " ".join(f"{SHORT.get(k, k)}={v}" for k, v in r["counts"].items() if v) or \
        str(r["stderr"])
    return (f"| {r['target']} | {r['expected']} | {r['exit']} | {first or '-'} | {counts} | "
            f"{r['seconds']:.0f} | {r['verdict']} |")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("names", nargs="*", help="target stems (default: every target)")
    parser.add_argument("--profile", default="default", choices=("quick", "default", "thorough"))
    parser.add_argument("--parallel", type=int, default=2, help="runs at a time (default 2)")
    parser.add_argument("--logs", type=Path, help="write each run's console output here")
    parser.add_argument("--cnnspec", type=Path, help="a folder holding the cnnspec package to measure "
                        "(default: the installed one)")
    args = parser.parse_args(argv)
    paths = [p for p in targets() if not args.names or p.stem in args.names]
    with ThreadPoolExecutor(args.parallel) as pool:
        rows = list(pool.map(lambda p: run_one(p, args.profile, args.logs, args.cnnspec), paths))
    print(f"cnnspec conform --profile {args.profile} on {DIR}\n")
    print("| target | expected | exit | first findings | counts | s | verdict |")
    print("|---|---|---|---|---|---|---|")
    for r in rows:
        print(row(r))
    ok = sum(r["verdict"] == "ok" for r in rows)
    print(f"\n{ok}/{len(rows)} verdicts as expected")
    return 0 if ok == len(rows) else 1


if __name__ == "__main__":
    sys.exit(main())
