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

``--issue9`` prints only the figures of issue 9's done-when, measured in one run (each a
``cnnspec.conform.run`` or an in-process zoo run; times are wall clock and vary with the
machine's load, so they are printed, never asserted):

1. coverage on a restricted target (conformance/targets/realworld/cs231n_correct.py: 2-D
   only, one stride, one symmetric padding, no dilation or groups; conv and max_pool): the
   share of each applicable (op, rule) result's example budget that reached the target
   (``examples / requested``, results at level compute with requested > 0 and a pass or
   fail status), min and median, and every result below 90 %;
2. that every pool value rule runs on it: the pool.* results at level compute and their
   examples (those with none are listed);
3. the default and quick profile wall time on cnnspec.targets.torch_cpu;
4. the default profile wall time on conformance/targets/shape_compiling.py (the reference
   behind a 50 ms compile per new (op, shapes, parameters) key), next to the reference's;
5. the mutant zoo: caught share (by an expected rule) and median time to catch, in-process
   as conformance/test_mutants.py runs it (30 derandomized examples per check, stopping at
   the first failure), drawn as unrestricted and inside the capabilities the target
   declares (what ``cnnspec conform`` draws).  Part 2 above (one ``cnnspec conform`` run
   per mutant) gives the same figures through the runner, in many minutes.

The script runs from a checkout without installing (it puts the checkout first on sys.path).
Workers run single-threaded (OMP/OPENBLAS/MKL = 1); ``--jobs N`` runs N of them.
"""

from __future__ import annotations

import argparse
import datetime
import importlib.util
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cnnspec import rules  # noqa: E402
from cnnspec.conform import Result, run  # noqa: E402
from cnnspec.targets import OPS  # noqa: E402

MUTANTS = ROOT / "conformance" / "mutants"
CS231N = ROOT / "conformance" / "targets" / "realworld" / "cs231n_correct.py"
SHAPE_COMPILING = ROOT / "conformance" / "targets" / "shape_compiling.py"


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


# ---------------------------------------------------------------- issue 9's figures


def _load_avg() -> str:
    try:
        return f"load {os.getloadavg()[0]:.1f}"
    except OSError:  # not on every platform
        return "load unknown"


def _timed_run(target: str, **kw: Any) -> tuple[Any, float]:
    start = time.perf_counter()
    report = run(target, **kw)
    return report, time.perf_counter() - start


def _share(r: Result) -> float:
    return r.examples / r.requested


def issue9_coverage(jobs: int) -> None:
    """Figures 1 and 2: the example budget that reaches a restricted, cs231n-shaped target,
    and the pool value rules that run on it."""
    report, wall = _timed_run(str(CS231N), profile="default", jobs=jobs)
    print(f"\n## 1. coverage on {CS231N.relative_to(ROOT)} (default profile, "
          f"{wall:.1f} s, exit code {report.exit_code}, {_load_avg()})\n")
    for line in report.restrictions:
        print(f"declared unsupported: {line}")
    compute = [r for r in report.results if r.level == "compute" and r.requested > 0]
    applicable = [r for r in compute if r.status in ("pass", "fail", "convention", "xfail", "xpass")]
    other = [r for r in compute if r not in applicable]
    shares = sorted(_share(r) for r in applicable)
    if shares:
        print(f"share of examples reaching the target, per applicable (op, rule) at level "
              f"compute: min {100 * shares[0]:.0f} %, median {100 * statistics.median(shares):.0f} %"
              f" over {len(shares)} results")
    checks = [c for r in applicable for c in r.judged() if c.requested > 0]
    drawn = [c for c in checks if c.status != "unsupported"]  # a check with a case the target takes
    per_check = sorted(c.examples / c.requested for c in drawn)
    if per_check:
        print(f"the same per applicable check (one that drew a case the target takes): min "
              f"{100 * per_check[0]:.0f} %, median {100 * statistics.median(per_check):.0f} % over "
              f"{len(per_check)} checks; below 90 %: "
              + (", ".join(f"{c.check} ({c.examples} of {c.requested})" for c in drawn
                           if c.examples < 0.9 * c.requested) or "none"))
    empty = [c for c in checks if c.status == "unsupported"]
    if empty:
        print(f"checks of those results that drew no case: {len(empty)} ("
              + ", ".join(f"{c.check}: {c.unsupported} unsupported" for c in empty) + ")")
    low = sorted((r for r in applicable if _share(r) < 0.9), key=_share)
    print(f"(op, rule) results below 90 %: {len(low)}")
    for r in low:
        print(f"  {r.op:<15}{r.rule:<32}{100 * _share(r):>4.0f} %  {r.coverage()}")
        for c in r.judged():  # which of its checks lost the budget
            if c.requested and c.examples < 0.9 * c.requested:
                print(f"      {c.check:<58}{c.status:<12}{c.examples} of {c.requested}, "
                      f"{c.unsupported} unsupported")
    if other:
        print("not applicable here (status, no case the target takes): "
              + ", ".join(f"{r.op}:{r.rule} ({r.status})" for r in other))
    pool = [r for r in report.results if r.rule.startswith("pool.") and r.level == "compute"
            and r.status != "not-implemented"]
    applicable_pool = [r for r in pool if r.status != "unsupported"]
    ran = [r for r in applicable_pool if r.examples > 0]
    print("\n## 2. pool value rules on the same target\n")
    print(f"pool.* results at level compute with examples > 0: {len(ran)} of "
          f"{len(applicable_pool)} applicable ({len(pool) - len(applicable_pool)} on a feature "
          f"the target declares unsupported)")
    for r in pool:
        print(f"  {r.op:<15}{r.rule:<32}{r.status:<14}{r.coverage()}")


def issue9_walls(jobs: int) -> None:
    """Figures 3 and 4: run times on torch CPU, and on a target that compiles each new shape."""
    print(f"\n## 3. cnnspec.targets.torch_cpu, {jobs} job(s)\n")
    for profile in ("default", "quick"):
        try:
            report, wall = _timed_run("cnnspec.targets.torch_cpu", profile=profile, jobs=jobs)
        except ImportError as exc:
            print(f"{profile}: skipped: {str(exc).splitlines()[0]}")
            continue
        print(f"{profile:<8} profile: {wall:6.1f} s wall, exit code {report.exit_code}, "
              f"{sum(r.examples for r in report.results)} examples ({_load_avg()})")
    print(f"\n## 4. {SHAPE_COMPILING.relative_to(ROOT)}: 50 ms per new (op, shapes, "
          f"parameters), default profile, {jobs} job(s)\n")
    log = Path(tempfile.mkdtemp()) / "compiles.log"
    os.environ["CNNSPEC_COMPILE_LOG"] = str(log)  # the workers inherit it
    try:
        for name, target in (("reference", "cnnspec.targets.reference"),
                             ("shape_compiling", str(SHAPE_COMPILING))):
            report, wall = _timed_run(target, profile="default", jobs=jobs)
            print(f"{name:<16} {wall:6.1f} s wall, exit code {report.exit_code}, "
                  f"{sum(r.examples for r in report.results)} of "
                  f"{sum(r.requested for r in report.results)} examples ({_load_avg()})")
            if report.environment.get("few_shapes"):
                print(f"  shapes: {report.environment['few_shapes']}")
    finally:
        del os.environ["CNNSPEC_COMPILE_LOG"]
    compiles = len(log.read_text().splitlines()) if log.exists() else 0
    print(f"compiles: {compiles} of 50 ms = {compiles * 0.05:.1f} s of the shape_compiling run "
          f"({jobs} worker(s), each with its own cache)")


def _zoo_catch(name: str, probed: bool) -> tuple[bool, float | None]:
    """In-process catch of one mutant (conformance.measure_mutants' way): whether a check of
    an expected rule failed first, and the seconds until then (the capability probe
    included when ``probed``)."""
    from cnnspec import strategies
    from cnnspec.conform.capabilities import probe
    from cnnspec.targets import load_target
    from conformance import measure_mutants as mm

    module = mm.load(name)
    ops = mm.broken_ops(module)
    expected = tuple(getattr(module, "EXPECTED_RULES", ()))
    checks = mm.ordered_checks(ops, expected)
    target = load_target(module)
    start = time.perf_counter()
    caps = probe(target) if probed else None
    before = time.perf_counter() - start
    with strategies.capabilities(caps):
        failures, _ = mm.run_checks(target, checks, max_examples=mm.MAX_EXAMPLES,
                                    stop_at_first=True)
    if not failures:
        return False, None
    return failures[0].rule in expected, before + failures[0].seconds


def issue9_zoo() -> None:
    """Figure 5: the mutant zoo's caught share and median time to catch, in-process."""
    from conformance.mutants import MUTANTS as NAMES

    print("\n## 5. mutant zoo, in-process (30 derandomized examples per check, expected "
          "rules first, stop at the first failure)\n")
    for probed, how in ((False, "unrestricted draws (conformance/test_mutants.py)"),
                        (True, "inside the probed capabilities (as cnnspec conform draws)")):
        start = time.perf_counter()
        results = {name: _zoo_catch(name, probed) for name in NAMES}
        wall = time.perf_counter() - start
        caught = [t for ok, t in results.values() if ok and t is not None]
        missed = [n for n, (ok, _) in results.items() if not ok]
        median = f"{statistics.median(caught):.2f} s" if caught else "-"
        print(f"{how}: caught by an expected rule {len(caught)}/{len(NAMES)} "
              f"({100 * len(caught) / len(NAMES):.0f} %), median time to catch {median}, "
              f"max {max(caught):.2f} s; whole zoo {wall:.1f} s ({_load_avg()})")
        if missed:
            print(f"  not caught by an expected rule: {', '.join(missed)}")


def issue9(jobs: int) -> None:
    print(f"# issue 9 figures: {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC, "
          f"{os.cpu_count()} CPUs, Python {platform.python_version()}, {_load_avg()} at start")
    start = time.perf_counter()
    issue9_coverage(jobs)
    issue9_walls(jobs)
    issue9_zoo()
    print(f"\nall figures: {time.perf_counter() - start:.0f} s ({_load_avg()} at the end)")


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
    p.add_argument("--issue9", action="store_true",
                   help="print only the figures of issue 9's done-when (--jobs applies)")
    args = p.parse_args(argv)
    rules.all_checks()
    if args.issue9:
        issue9(args.jobs)
        return 0
    if not args.mutants_only:
        bench_targets([t for t in args.targets.split(",") if t], args.profile, args.jobs)
    if not args.no_mutants and MUTANTS.is_dir():
        bench_mutants(args.mutant_profile or args.profile, args.jobs, args.mutant)
    return 0


if __name__ == "__main__":
    sys.exit(main())
