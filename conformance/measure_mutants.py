"""Run the conformance checks on every mutant and print the table of conformance/README.md.

    python -m conformance.measure_mutants [--all] [--max-examples 30] [MUTANT ...]

For each mutant, :func:`catch` runs the registry's checks of the op the mutant breaks (the op
it does not take from ``cnnspec.targets.reference``): those of its EXPECTED_RULES first, in the
order listed, then the others in registry order, each check under Hypothesis with a fixed budget, a
derandomized seed and no example database, so that a run is reproducible.  It stops at the
first failure (``--all``: it runs every check), and records each failing check with its
message, the minimal counterexample Hypothesis shrank, the counterexample's size (array
elements) and the time from the start of the run until the failure was reported, shrinking
included: the time to catch.

:func:`run_checks` is the one function that knows how checks are run (in-process, as
tests/test_catalog.py does); swapping it for ``cnnspec.conform.run`` changes nothing else.
"""

from __future__ import annotations

import argparse
import dataclasses
import importlib
import statistics
import sys
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

import numpy as np

from cnnspec import rules
from cnnspec.conform.checkrun import capped, run_check
from cnnspec.targets import OPS, Target, load_target
from cnnspec.targets import reference as _reference

from .mutants import MUTANTS, path

__all__ = ["Failure", "Catch", "load", "broken_ops", "checks_of", "ordered_checks", "run_checks",
           "catch", "kills_over_seeds", "conform_verdict", "case_size", "table", "main",
           "MAX_EXAMPLES"]

#: Examples per check: enough to catch every mutant, few enough for ~1 s per mutant.
MAX_EXAMPLES = 30


@dataclass
class Failure:
    """One failing check: its rule, message, minimal case and when it was reported."""

    check: str
    rule: str
    message: str
    case: Any
    size: int  # array elements in the minimal case
    seconds: float  # since the start of the run, shrinking included (wall clock)
    cpu_seconds: float  # the same, in CPU time of this process (what a busy machine does not inflate)


@dataclass
class Catch:
    """What the checks of a mutant's broken ops found."""

    mutant: str
    ops: tuple[str, ...]
    expected: tuple[str, ...]
    failures: list[Failure] = field(default_factory=list)
    examples: int = 0  # cases the passing checks ran
    seconds: float = 0.0  # the whole run (wall clock)
    cpu_seconds: float = 0.0  # the whole run (CPU time)

    @property
    def rules(self) -> tuple[str, ...]:
        """The rules that caught it, in registry order, each once."""
        return tuple(dict.fromkeys(f.rule for f in self.failures))

    @property
    def first(self) -> Failure | None:
        return self.failures[0] if self.failures else None


def load(name: str) -> ModuleType:
    """The mutant module ``conformance.mutants.<name>``."""
    return importlib.import_module(f"{__package__ or 'conformance'}.mutants.{name}")


def broken_ops(module: ModuleType) -> tuple[str, ...]:
    """The contract ops a mutant defines itself instead of taking them from the reference."""
    return tuple(op for op in OPS if getattr(module, op, None) is not getattr(_reference, op))


def checks_of(ops: Iterable[str]) -> list[rules.Check]:
    """The registry's checks that call one of ``ops``, in registry order."""
    wanted = set(ops)
    return [c for c in rules.all_checks() if wanted & set(c.ops)]


def case_size(case: Any) -> int:
    """Array elements in a case: the sum of the sizes of its NumPy arrays."""
    if dataclasses.is_dataclass(case) and not isinstance(case, type):
        values: Iterable[Any] = (getattr(case, f.name) for f in dataclasses.fields(case))
    elif isinstance(case, dict):
        values = case.values()
    elif isinstance(case, (tuple, list)):
        values = case
    else:
        values = (case,)
    return sum(v.size if isinstance(v, np.ndarray) else case_size(v) if isinstance(v, (tuple, list, dict))
               else 0 for v in values)


def _run_one(target: Target, check: rules.Check, max_examples: int, seed: int | None = None
             ) -> tuple[tuple[Any, BaseException] | None, int]:
    """One check under Hypothesis (cnnspec's own :func:`run_check`, shrinking on): (the
    minimal failing case and its error, or None; cases passed).  ``seed`` None: derandomized."""
    out = run_check(target, check, max_examples=capped(check, max_examples), seed=seed,
                    target_spec="(a mutant)", with_error=True)
    if out.status != "fail":  # pass, or nothing drawn / every case unsupported
        return None, out.examples
    if out.case is None:  # the strategy or Hypothesis broke, not the target
        raise out.error
    return (out.case, out.error), out.examples


def run_checks(target: Target, checks: Sequence[rules.Check], *, max_examples: int = MAX_EXAMPLES,
               stop_at_first: bool = False, seed: int | None = None) -> tuple[list[Failure], int]:
    """Run ``checks`` on ``target`` in-process; (failures in check order, examples passed).

    A case the target does not support (NotImplementedError, a missing op) is skipped, as a
    conformance run reports it, and, as there, the checks draw only inside what the target
    supports (its capabilities, probed once).  After the first failure the remaining checks
    still run, unless ``stop_at_first``.  ``seed``: None for derandomized draws, else
    Hypothesis' seed.
    """
    from cnnspec import strategies
    from cnnspec.conform import capabilities

    failures: list[Failure] = []
    passed = 0
    start, cpu_start = time.perf_counter(), time.process_time()
    caps = capabilities.probe(target)
    for check in checks:
        with strategies.capabilities(caps):
            found, n = _run_one(target, check, max_examples, seed)
        passed += n
        if found is not None:
            case, exc = found
            failures.append(Failure(check.id, check.rule, f"{type(exc).__name__}: {exc}", case,
                                    case_size(case), time.perf_counter() - start,
                                    time.process_time() - cpu_start))
            if stop_at_first:
                break
    return failures, passed


def ordered_checks(ops: Iterable[str], expected: Sequence[str]) -> list[rules.Check]:
    """The checks of ``ops``: those of the ``expected`` rules first, rule by rule in the order
    given (the most specific rule first), then the others in registry order."""
    checks = checks_of(ops)
    return ([c for rule_id in expected for c in checks if c.rule == rule_id]
            + [c for c in checks if c.rule not in expected])


def catch(name: str, *, max_examples: int = MAX_EXAMPLES, every_check: bool = False,
          only_expected: bool = False, seed: int | None = None) -> Catch:
    """Run the checks of the op mutant ``name`` breaks on it, those of its EXPECTED_RULES first,
    until the first failure (``every_check``: all of them; ``only_expected``: only those of
    EXPECTED_RULES)."""
    module = load(name)
    ops = broken_ops(module)
    result = Catch(name, ops, tuple(getattr(module, "EXPECTED_RULES", ())))
    checks = ordered_checks(ops, result.expected)
    if only_expected:
        checks = [c for c in checks if c.rule in result.expected]
    start, cpu_start = time.perf_counter(), time.process_time()
    result.failures, result.examples = run_checks(load_target(module), checks,
                                                  max_examples=max_examples,
                                                  stop_at_first=not every_check, seed=seed)
    result.seconds = time.perf_counter() - start
    result.cpu_seconds = time.process_time() - cpu_start
    return result


def kills_over_seeds(name: str, seeds: int, *, max_examples: int = MAX_EXAMPLES) -> int:
    """In how many of ``seeds`` random Hypothesis runs (seeds 1..seeds) the checks of the
    expected rules catch mutant ``name``: how much a catch depends on the draw."""
    return sum(catch(name, max_examples=max_examples, only_expected=True, seed=k).first is not None
               for k in range(1, seeds + 1))


def conform_verdict(name: str, *, max_examples: int = MAX_EXAMPLES, seed: int = 0) -> tuple[int, str]:
    """What ``cnnspec conform`` says about mutant ``name`` on its expected rules: (exit code,
    ``rule: status`` of each rule that does not pass, with the convention it follows)."""
    from cnnspec.conform import run

    module = load(name)
    ops = broken_ops(module)
    with_checks = {c.rule for c in checks_of(ops)}
    selected = [r for r in getattr(module, "EXPECTED_RULES", ()) if r in with_checks]
    report = run(str(path(name)), ops=list(ops), rules=selected, max_examples=max_examples, seed=seed)
    verdicts = [f"{r.rule}: {r.status}" + (f" ({', '.join(r.convention)})" if r.convention else "")
                for r in report.results if r.status not in ("pass", "not-implemented")]
    return report.exit_code, "; ".join(verdicts) or "every rule passes"


# ---------------------------------------------------------------- the table


def _summary(module: ModuleType) -> str:
    return (module.__doc__ or "").strip().splitlines()[0].rstrip(".") if module.__doc__ else ""


def _codes(ids: Iterable[str]) -> str:
    return ", ".join(f"`{i}`" for i in ids) or "-"


def _families(ids: Iterable[str]) -> str:
    """``config x7, pad x3``: rule IDs counted by family."""
    counts: dict[str, int] = {}
    for i in ids:
        family = i.split(".", 1)[0]
        counts[family] = counts.get(family, 0) + 1
    return ", ".join(f"{f} x{n}" if n > 1 else f for f, n in counts.items()) or "-"


def table(catches: Sequence[Catch], *, every_check: bool = False,
          verdicts: dict[str, tuple[int, str]] | None = None,
          seeded: dict[str, int] | None = None, seeds: int = 0) -> str:
    """The Markdown table of the zoo and its summary lines (``every_check``: the catches ran
    every check, and a column counts the other rules that fail too; ``verdicts``: what
    ``cnnspec conform`` said, by mutant; ``seeded``: kills over ``seeds`` random runs)."""
    head = ["mutant", "op", "the bug", "expected rules", "caught by (first failing check)",
            "time to catch: s (CPU s)", "counterexample (elements)"]
    align = ["---"] * 5 + ["---:"] * 2
    if every_check:
        head.append("other rules failing")
        align.append("---")
    if seeded is not None:
        head.append(f"caught in {seeds} random runs")
        align.append("---:")
    if verdicts is not None:
        head.append("`cnnspec conform` (expected rules)")
        align.append("---")
    lines = ["| " + " | ".join(head) + " |", "|" + "|".join(align) + "|"]
    for c in catches:
        first = c.first
        row = [f"`{c.mutant}`", ", ".join(c.ops), _summary(load(c.mutant)), _codes(c.expected),
               f"`{first.check}`" if first else "**not caught**",
               f"{first.seconds:.2f} ({first.cpu_seconds:.2f})" if first else "-",
               str(first.size) if first else "-"]
        if every_check:
            row.append(_families(r for r in c.rules if r not in c.expected))
        if seeded is not None:
            row.append(f"{seeded.get(c.mutant, 0)}/{seeds}")
        if verdicts is not None:
            code, text = verdicts.get(c.mutant, (0, "-"))
            row.append(f"exit {code}: {text}")
        lines.append("| " + " | ".join(row) + " |")
    killed = [c for c in catches if c.first is not None]
    firsts = [c.first for c in killed if c.first]
    by_expected = [c for c in killed if c.first and c.first.rule in c.expected]
    lines.append("")
    lines.append(f"Kill rate: {len(killed)}/{len(catches)} "
                 f"({100 * len(killed) / max(1, len(catches)):.0f} %); caught by an expected rule: "
                 f"{len(by_expected)}/{len(catches)}.")
    if firsts:
        worst = max(killed, key=lambda c: c.first.seconds if c.first else 0.0)
        wall = [f.seconds for f in firsts]
        cpu = [f.cpu_seconds for f in firsts]
        sizes = [f.size for f in firsts]
        lines.append(f"Time to catch: median {statistics.median(wall):.2f} s "
                     f"({statistics.median(cpu):.2f} s CPU), worst {max(wall):.2f} s "
                     f"({max(cpu):.2f} s CPU, `{worst.mutant}`).")
        lines.append(f"Counterexample size: median {statistics.median(sizes):g} array elements, "
                     f"largest {max(sizes)}.")
    if seeded is not None and seeds:
        always = sum(1 for c in catches if seeded.get(c.mutant, 0) == seeds)
        lines.append(f"Caught in all {seeds} random runs (seeds 1-{seeds}, expected rules only): "
                     f"{always}/{len(catches)}; kills over all runs: "
                     f"{sum(seeded.values())}/{seeds * len(catches)}.")
    lines.append(f"Whole run: {sum(c.seconds for c in catches):.1f} s "
                 f"({sum(c.cpu_seconds for c in catches):.1f} s CPU), "
                 f"{sum(c.examples for c in catches)} passing examples, "
                 f"{sum(len(c.failures) for c in catches)} failing checks"
                 f"{' (every check of the op)' if every_check else ' (stopping at the first)'}.")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m conformance.measure_mutants",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("mutants", nargs="*", help="mutant names (default: the whole zoo)")
    parser.add_argument("--all", action="store_true", dest="every_check",
                        help="run every check of the op, not only until the first failure")
    parser.add_argument("--max-examples", type=int, default=MAX_EXAMPLES,
                        help=f"examples per check (default {MAX_EXAMPLES})")
    parser.add_argument("--conform", action="store_true",
                        help="also run `cnnspec conform` on each mutant's expected rules (slower: "
                             "a worker process per run)")
    parser.add_argument("--seeds", type=int, default=0, metavar="N",
                        help="also count the catches in N random runs (Hypothesis seeds 1..N) "
                             "of the expected rules' checks")
    parser.add_argument("--messages", action="store_true",
                        help="also print each mutant's first failure message and minimal case")
    args = parser.parse_args(argv)
    names = args.mutants or list(MUTANTS)
    unknown = [n for n in names if n not in MUTANTS]
    if unknown:
        parser.error(f"unknown mutant(s) {unknown}; the zoo: {', '.join(MUTANTS)}")
    catches = []
    verdicts: dict[str, tuple[int, str]] | None = {} if args.conform else None
    seeded: dict[str, int] | None = {} if args.seeds else None
    for name in names:
        c = catch(name, max_examples=args.max_examples, every_check=args.every_check)
        catches.append(c)
        if verdicts is not None:
            verdicts[name] = conform_verdict(name, max_examples=args.max_examples)
        if seeded is not None:
            seeded[name] = kills_over_seeds(name, args.seeds, max_examples=args.max_examples)
        print(f"{name}: {'caught by ' + ', '.join(c.rules) if c.first else 'NOT CAUGHT'} "
              f"({c.seconds:.2f} s)", file=sys.stderr)
        if args.messages and c.first:
            print(f"  {c.first.check}\n  {c.first.message}\n  {c.first.case!r}\n", file=sys.stderr)
    print(table(catches, every_check=args.every_check, verdicts=verdicts, seeded=seeded,
                seeds=args.seeds))
    return 0 if all(c.first and c.first.rule in c.expected for c in catches) else 1


if __name__ == "__main__":
    sys.exit(main())
