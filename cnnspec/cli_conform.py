"""cnnspec conform: run the spec's checks on a target."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from .conform.options import add_options
from .targets import STYLES

__all__ = ["conform", "add_conform_parser"]

def conform(args: argparse.Namespace) -> int:
    """cnnspec conform TARGET: run the spec's checks on a target, each in a worker process.

    Levels (--level): compute (default: every valid configuration computed right), refuse
    (also every invalid configuration refused), strict (also input hygiene: complex or bool
    arrays, float or bool parameters refused).  Checks above the level run and are shown,
    marked, and never change the exit code.

    Exit codes: 0 every rule at the level passes (xfails and --allow-convention allowed);
    1 a failure, a restriction (a valid configuration refused without NotImplementedError),
    an unexpected pass or a named convention not allowed; 2 a usage error or a target that
    cannot be imported; 3 nothing was checked (the target defines none of the ops asked
    for, or no check reached an op: every case unsupported); 130 interrupted (Ctrl-C or
    SIGTERM: the report files hold the results so far and say so).
    """
    import signal

    from .conform import Runner, TargetImportError, UsageError
    from .conform.options import from_options
    from .conform.progress import Progress, summary
    from .conform.reports import check_report_path, write_reports

    def interrupt(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    paths = {"json": args.report_json, "junit": args.junit_xml, "md": args.report_md}
    try:
        for option, path in (("--report-json", args.report_json), ("--junit-xml", args.junit_xml),
                             ("--report-md", args.report_md)):
            check_report_path(option, path)
        if not (args.jobs == "auto" or (str(args.jobs).isdigit() and int(args.jobs) >= 1)):
            raise UsageError(f"--jobs={args.jobs!r}, but should be an integer >= 1 or 'auto'")
        if args.memory_limit < 0:
            raise UsageError(f"--memory-limit={args.memory_limit:g}, but should be >= 0 MiB "
                             f"(0: no limit)")
        target = f"{args.style}:{args.target}" if args.style else args.target
        runner = Runner(target, options=from_options(lambda name: getattr(args, name)))
    except (UsageError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    previous = signal.signal(signal.SIGTERM, interrupt)
    progress = Progress(total=len(runner.groups), is_failing=runner.report.is_failing,
                        level=args.level)
    report = runner.report
    try:
        if not args.quiet:
            progress.write(f"cnnspec conform: importing {args.target} in a worker process and "
                           f"probing what it supports ...")
        runner.start()
        progress.total = len(runner.groups)
        if not args.quiet:
            progress.start(report.target, args.profile, runner.options.examples, args.seed,
                           runner.jobs,
                           report.conventions)
        report = runner.run_all(None if args.quiet else progress.result,
                                lambda rep: write_reports(rep, paths),
                                None if args.quiet else progress.tick)
    except TargetImportError as exc:
        print(f"error: {exc}", file=sys.stderr)
        report.error = f"the target could not be imported: {str(exc).splitlines()[0]}"
        write_reports(report, paths)
        return 2
    except KeyboardInterrupt:  # before the checks ran: an empty, valid, interrupted report
        report.interrupted = True
        runner.close()
        write_reports(report, paths)
    finally:
        runner.close()
        signal.signal(signal.SIGTERM, previous)
    print(summary(report, colour=progress.tty))
    return report.exit_code


def add_conform_parser(sub: Any) -> argparse.ArgumentParser:
    co = sub.add_parser("conform", help="check a target (your conv/pool implementation) against "
                                        "the spec",
                        description=(conform.__doc__ or "").split("\n\n")[0],
                        epilog="exit codes: 0 pass (xfails and allowed conventions too), "
                               "1 failure, restriction, unexpected pass or convention not "
                               "allowed, 2 usage or import error, 3 nothing checked, "
                               "130 interrupted")
    co.add_argument("target", help="a built-in target by short name (torch, onnxruntime, jax, ...: see "
                    "docs/contract.md), a dotted module path (my_pkg.adapter) or a .py file")
    co.add_argument("--style", choices=sorted(STYLES),
                    help="the target is a file of functions in this style (a course "
                         "assignment's signatures), adapted to the contract: --style cs231n "
                         "layers.py is the target cs231n:layers.py")
    add_options(co.add_argument)  # --ops ... --allow-convention: cnnspec.conform.options
    co.add_argument("--report-json", help="write the JSON report here")
    co.add_argument("--junit-xml", help="write a JUnit XML report here")
    co.add_argument("--report-md", help="write a Markdown report here")
    co.add_argument("-q", "--quiet", action="store_true", help="print the summary only")
    return co
