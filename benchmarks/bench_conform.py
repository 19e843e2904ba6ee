"""How long a conformance run takes: per rule family, per target, and to catch each mutant.

    python benchmarks/bench_conform.py                        # default profile, reference + torch_cpu
    python benchmarks/bench_conform.py --profile quick --jobs 2
    python benchmarks/bench_conform.py --targets reference --no-mutants
    python benchmarks/bench_conform.py --mutants-only --mutant-profile default

Part 1, for each target: one ``cnnspec.conform.run`` with the profile, and a table per rule
family (the part of an ID before the dot): (op, rule) results, checks run, examples, and
the seconds the family's checks took in the worker.  ``wall`` is the whole run: worker
start-up (imports, the target, the convention probes) and the parent's bookkeeping
included; ``overhead`` = wall - the sum of the checks' seconds / jobs.

Part 2, if conformance/mutants/ exists: for each mutant, a run restricted to the op it
breaks (the one op it does not take from cnnspec.targets.reference), and the time from the
start of the run until the first failing (op, rule) result arrived (worker start-up
included): the time to catch.  Checks run in registry order, so a bug that an early rule
catches is caught early.  ``first`` is that rule; ``expected`` says whether it is one the
mutant's EXPECTED_RULES names.

The script runs from a checkout without installing (it puts the checkout first on sys.path).
Workers run single-threaded (OMP/OPENBLAS/MKL = 1); ``--jobs N`` runs N of them.
"""

from __future__ import annotations

import argparse
import importlib.util
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cnnspec import rules  # noqa: E402
from cnnspec.conform import Result, run  # noqa: E402
from cnnspec.targets import OPS  # noqa: E402

MUTANTS = ROOT / "conformance" / "mutants"


def family_table(report: Any, jobs: int) -> str:
    fams: dict[str, dict[str, float]] = {}
    for r in report.results:
        f = fams.setdefault(r.rule.split(".", 1)[0], {"results": 0, "checks": 0, "examples": 0,
                                                      "seconds": 0.0})
        f["results"] += 1
        f["checks"] += len(r.checks)
        f["examples"] += r.examples
        f["seconds"] += r.seconds
    lines = [f"{'family':<16}{'results':>8}{'checks':>8}{'examples':>10}{'seconds':>9}"]
    for name, f in sorted(fams.items(), key=lambda kv: -kv[1]["seconds"]):
        lines.append(f"{name:<16}{f['results']:>8}{f['checks']:>8}{f['examples']:>10}"
                     f"{f['seconds']:>9.2f}")
    total = sum(f["seconds"] for f in fams.values())
    lines.append(f"{'checks total':<42}{total:>9.2f}")
    lines.append(f"{'wall':<42}{report.seconds:>9.2f}   (overhead "
                 f"{report.seconds - total / jobs:.2f} s with {jobs} job(s))")
    counts = ", ".join(f"{n} {s}" for s, n in report.counts().items() if n)
    lines.append(f"statuses: {counts}; exit code {report.exit_code}")
    return "\n".join(lines)


def bench_targets(targets: list[str], profile: str, jobs: int) -> None:
    for name in targets:
        spec = name if "." in name or name.endswith(".py") else f"cnnspec.targets.{name}"
        print(f"\n## {spec}: profile {profile}, {jobs} job(s)\n")
        try:
            report = run(spec, profile=profile, jobs=jobs)
        except ImportError as exc:
            print(f"skipped: {str(exc).splitlines()[0]}")
            continue
        print(family_table(report, jobs))


def _load(path: Path) -> Any:
    spec = importlib.util.spec_from_file_location(f"bench_mutant_{path.stem}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def bench_mutants(profile: str, jobs: int, only: list[str]) -> None:
    from cnnspec.targets import reference

    paths = sorted(p for p in MUTANTS.glob("*.py") if not p.stem.startswith("_"))
    if only:
        paths = [p for p in paths if p.stem in only]
    print(f"\n## mutants: time to catch, profile {profile}, {jobs} job(s)\n")
    print(f"{'mutant':<52}{'op':<15}{'catch s':>8}{'total s':>8}  {'status':<11}{'first':<32}"
          f"expected")
    catches = []
    for path in paths:
        module = _load(path)
        ops = [op for op in OPS if getattr(module, op, None) is not getattr(reference, op)]
        first: list[tuple[float, Result]] = []
        start = time.perf_counter()

        def on_result(r: Result, start: float = start, first: list = first) -> None:
            if not first and r.status in ("fail", "xpass", "convention"):
                first.append((time.perf_counter() - start, r))

        report = run(str(path), ops=ops or None, profile=profile, jobs=jobs, on_result=on_result)
        total = time.perf_counter() - start
        expected = set(getattr(module, "EXPECTED_RULES", ()))
        if first:
            t, r = first[0]
            catches.append(t)
            print(f"{path.stem:<52}{','.join(ops):<15}{t:>8.2f}{total:>8.2f}  {r.status:<11}"
                  f"{r.rule:<32}{'yes' if r.rule in expected else 'NO: ' + ', '.join(expected)}")
        else:
            print(f"{path.stem:<52}{','.join(ops):<15}{'-':>8}{total:>8.2f}  NOT CAUGHT "
                  f"(exit code {report.exit_code})")
    if catches:
        print(f"\ncaught {len(catches)} of {len(paths)}; time to catch: median "
              f"{statistics.median(catches):.2f} s, max {max(catches):.2f} s")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--profile", default="default", choices=("quick", "default", "thorough"))
    p.add_argument("--jobs", type=int, default=1)
    p.add_argument("--targets", default="reference,torch_cpu",
                   help="comma-separated: built-in names or dotted modules")
    p.add_argument("--no-mutants", action="store_true")
    p.add_argument("--mutants-only", action="store_true")
    p.add_argument("--mutant-profile", default=None, help="default: --profile")
    p.add_argument("--mutant", action="append", default=[], help="only these mutants")
    args = p.parse_args(argv)
    rules.all_checks()
    if not args.mutants_only:
        bench_targets([t for t in args.targets.split(",") if t], args.profile, args.jobs)
    if not args.no_mutants and MUTANTS.is_dir():
        bench_mutants(args.mutant_profile or args.profile, args.jobs, args.mutant)
    return 0


if __name__ == "__main__":
    sys.exit(main())
