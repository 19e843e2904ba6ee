"""cnnspec explain, cnnspec spec and cnnspec prove: the rules of the registry, in the
terminal and as the Markdown in spec/, and the proofs of the spec's own formulas."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from .cli_args import BadUsage

__all__ = ["explain", "spec", "prove", "add_explain_parser", "add_spec_parser",
           "add_prove_parser"]


def explain(args: argparse.Namespace) -> int:
    """The rule's prose, then where it lives in the code (cnnspec/cli_rule_map.py); without
    an ID, every family and rule."""
    from . import rules
    from .cli_rule_map import where_lines
    from .rules.render import FAMILY_TITLES, rule_text

    if not args.rule_id:
        for fam, members in rules.families().items():
            print(f"{fam}: {FAMILY_TITLES.get(fam, fam)}")
            for r in members:
                print(f"  {r.id:<34} {r.title}")
        return 0
    try:
        r = rules.get(args.rule_id)
    except KeyError:
        near = rules.suggest(args.rule_id)
        hint = f"; closest: {', '.join(near)}" if near else "; `cnnspec explain` lists them all"
        print(f"error: unknown rule id={args.rule_id!r}{hint}", file=sys.stderr)
        return 2
    print(rule_text(r))
    print("\n" + "\n".join(where_lines(r)))
    return 0


def spec(args: argparse.Namespace) -> int:
    from pathlib import Path

    from .rules.render import spec_files

    out = Path(args.dir)
    try:
        files = spec_files()
    except ImportError as exc:  # the figures need matplotlib
        raise BadUsage(str(exc)) from None
    try:
        if args.write:
            out.mkdir(parents=True, exist_ok=True)
            for name, text in files.items():
                (out / name).parent.mkdir(parents=True, exist_ok=True)  # spec/figures/
                (out / name).write_text(text, encoding="utf-8")
            print(f"wrote {len(files)} files to {out}/")
            return 0
        stale = [name for name, text in files.items()
                 if not (out / name).is_file() or (out / name).read_text(encoding="utf-8") != text]
    except (OSError, ValueError) as exc:  # ValueError: a NUL in the name, or not UTF-8
        raise BadUsage(f"--dir={args.dir!r} cannot be {'written' if args.write else 'read'} "
                     f"({type(exc).__name__}: {exc})") from None
    if stale:
        print(f"out of date in {out}/: {', '.join(stale)} (run `cnnspec spec --write`)",
              file=sys.stderr)
        return 1
    print(f"{out}/ is up to date")
    return 0


def prove(args: argparse.Namespace) -> int:
    """Run the proofs selected by the rule globs: one line each, the failures' messages, a
    summary.  0 every proof held, 1 one failed, 2 bad arguments."""
    import time

    from .rules import prove as proving

    if args.max_examples is not None and args.max_examples < 1:
        raise BadUsage(f"--max-examples={args.max_examples}, but should be >= 1")
    try:
        selected = proving.select(args.rules or None)
    except ValueError as exc:
        raise BadUsage(str(exc)) from None
    started, failed = time.perf_counter(), []
    for c in selected:
        out = proving.run_proof(c, max_examples=args.max_examples, seed=args.seed)
        n = proving.examples_for(c, args.max_examples)
        mark = "pass" if out.status == "pass" else "FAIL"
        print(f"{mark}  {c.id}  ({out.examples} of {n} examples, {out.seconds:.2f} s)",
              flush=True)
        if mark == "FAIL":
            failed.append(c)
            message = out.message.replace("\n", "\n      ")
            print(f"      {message}\n      replay: cnnspec prove '{c.id}' --seed {args.seed}"
                  + (f" --max-examples {args.max_examples}" if args.max_examples else ""))
    print(f"{len(selected)} proofs: {len(selected) - len(failed)} passed, {len(failed)} failed "
          f"({time.perf_counter() - started:.1f} s, seed {args.seed})")
    return 1 if failed else 0


def add_explain_parser(sub: Any) -> argparse.ArgumentParser:
    ex = sub.add_parser("explain", help="print a rule of the spec, or list them all",
                        description="Print a rule: statement, formula, worked examples and "
                                    "sources, then where it lives in the code: file:line of "
                                    "its declaration, its checks, its formula, the reference "
                                    "it is checked against and its section of the spec. "
                                    "Without a rule ID, list every family and rule.",
                        epilog="exit codes: 0 success, 2 unknown rule ID (the closest are "
                               "named)")
    ex.add_argument("rule_id", nargs="?", help="a rule ID, e.g. conv.out-size")
    return ex


def add_spec_parser(sub: Any) -> argparse.ArgumentParser:
    sp = sub.add_parser("spec", help="check (default) or --write the Markdown in spec/",
                        description="Check that the Markdown spec in --dir is the one the rule "
                                    "registry renders, or write it.",
                        epilog="exit codes: 0 up to date (or written), 1 out of date, 2 the "
                               "folder cannot be read or written")
    sp.add_argument("--dir", default="spec", help="the folder of the Markdown files (default "
                                                  "spec)")
    sp.add_argument("--write", action="store_true", help="write the files instead of checking")
    return sp


def add_prove_parser(sub: Any) -> argparse.ArgumentParser:
    pr = sub.add_parser("prove", help="run the proofs of the spec's own formulas",
                        description="Run the checks of the spec itself, those that call no "
                                    "target (SymPy identities, brute-force counts, naive loops, "
                                    "refusals past a precondition), each under Hypothesis as "
                                    "cnnspec conform runs a check. cnnspec conform never runs "
                                    "them: they say nothing about a target.",
                        epilog="exit codes: 0 every proof held, 1 a proof failed (its message "
                               "names the rule), 2 bad arguments (a glob that matches no proof)")
    pr.add_argument("rules", nargs="*", metavar="RULE-GLOB",
                    help="rule-ID globs, e.g. 'arith.*' (rule::check selects one proof); "
                         "default every proof")
    pr.add_argument("--max-examples", type=int,
                    help="examples per proof (default: the proof's own, else 50)")
    pr.add_argument("--seed", type=int, default=0, help="Hypothesis seed (default 0): the same "
                                                        "seed gives the same result")
    return pr
