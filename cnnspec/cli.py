"""The ``cnnspec`` command.

    cnnspec shape conv --input 3x224x224 --out-channels 64 -k 7 -s 2 -p 3
    cnnspec shape max-pool --input 64xHxW -k 3 -s 2 -p 1 --ceil-mode
    cnnspec conform my_adapter --profile quick --report-md report.md

Sizes in --input may be symbols (``H``, ``W``): the output is then a SymPy expression.
Exit codes: 0 success, 2 bad input (the message names the value and the rule).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import Any

from . import __version__, formulas
from .errors import InvalidConfig

OPS = ("conv", "conv-transpose", "max-pool", "avg-pool")


def _size(token: str) -> Any:
    token = token.strip()
    if token.lstrip("-").isdigit():
        return int(token)
    if not token.isidentifier():
        raise InvalidConfig(f"size={token!r}, but should be an int or a symbol name like H",
                            rule="config.int")
    import sympy

    return sympy.Symbol(token, integer=True, positive=True)


def _ints(text: str, rank: int, name: str) -> tuple[int, ...]:
    parts = [p for p in text.replace("x", ",").split(",") if p.strip()]
    try:
        values = tuple(int(p) for p in parts)
    except ValueError:
        raise InvalidConfig(f"{name}={text!r}, but should be ints like 3 or 3,3",
                            rule="config.int") from None
    if len(values) == 1:
        return values * rank
    if len(values) != rank:
        raise InvalidConfig(f"{name}={text!r} has {len(values)} entries, but should have 1 or "
                            f"{rank} (one per spatial axis)", rule="config.rank")
    return values


def _padding(text: str, rank: int) -> Any:
    if text in formulas.PADDING_WORDS:
        return text
    values = _ints(text, 2 * rank if text.count(",") + 1 == 2 * rank else rank, "padding")
    if len(values) == 2 * rank:
        return tuple((values[2 * a], values[2 * a + 1]) for a in range(rank))
    return tuple((v, v) for v in values)


def _shape(args: argparse.Namespace) -> int:
    dims = [_size(t) for t in args.input.split("x")]
    if len(dims) < 2 or len(dims) > 4:
        raise InvalidConfig(f"--input={args.input!r} has {len(dims)} sizes, but should be "
                            f"C x 1 to 3 spatial sizes, like 3x224x224", rule="config.rank")
    c_in, spatial = dims[0], tuple(dims[1:])
    r = len(spatial)
    k = _ints(args.kernel, r, "kernel")
    s = _ints(args.stride, r, "stride") if args.stride else (k if "pool" in args.op else (1,) * r)
    d = _ints(args.dilation, r, "dilation")
    pad = _padding(args.padding, r)
    if isinstance(pad, str):
        pad = formulas.named_padding(pad, spatial, k, s, d)
    lines = []
    if args.op == "conv":
        if args.out_channels is None:
            raise InvalidConfig("--out-channels=None, but should be given for conv",
                                rule="conv.channels")
        out = formulas.conv_out_shape(spatial, k, stride=s, padding=pad, dilation=d)
        c_out = args.out_channels
        params = formulas.conv_params(c_in, c_out, k, groups=args.groups, bias=not args.no_bias)
        macs = formulas.conv_macs(c_in, c_out, k, out, groups=args.groups, batch=args.batch)
        rule = "conv.out-size"
    elif args.op == "conv-transpose":
        if args.out_channels is None:
            raise InvalidConfig("--out-channels=None, but should be given for conv-transpose",
                                rule="conv-transpose.channels")
        op = _ints(args.output_padding, r, "output_padding")
        out = formulas.conv_transpose_out_shape(spatial, k, stride=s, padding=pad,
                                                output_padding=op, dilation=d)
        c_out = args.out_channels
        params = formulas.conv_transpose_params(c_in, c_out, k, groups=args.groups,
                                                bias=not args.no_bias)
        macs = formulas.conv_transpose_macs(c_in, c_out, k, spatial, groups=args.groups,
                                            batch=args.batch)
        rule = "conv-transpose.out-size"
    else:
        out = formulas.pool_out_shape(spatial, k, stride=s, padding=pad, dilation=d,
                                      ceil_mode=args.ceil_mode)
        c_out, params, macs, rule = c_in, formulas.pool_params(), None, "pool.out-size"
    lines.append(f"{args.op}: input {(args.batch, c_in, *spatial)} -> output "
                 f"{(args.batch, c_out, *out)}   [{rule}]")
    pads = pad if not isinstance(pad, str) else ()
    for a, (i, o) in enumerate(zip(spatial, out)):
        lines.append(f"  axis {a}: in={i} kernel={k[a]} stride={s[a]} padding={tuple(pads[a])} "
                     f"dilation={d[a]} -> out={o}")
    lines.append(f"  params: {params}")
    if macs is not None:
        lines.append(f"  MACs: {macs}")
    print("\n".join(lines))
    return 0


def _explain(args: argparse.Namespace) -> int:
    from . import rules
    from .rules.render import FAMILY_TITLES, rule_text

    if not args.rule_id:
        for fam, members in rules.families().items():
            print(f"{fam}: {FAMILY_TITLES.get(fam, fam)}")
            for r in members:
                print(f"  {r.id:<34} {r.title}")
        return 0
    try:
        print(rule_text(rules.get(args.rule_id)))
    except KeyError:
        near = rules.suggest(args.rule_id)
        hint = f"; closest: {', '.join(near)}" if near else "; `cnnspec explain` lists them all"
        print(f"error: unknown rule id={args.rule_id!r}{hint}", file=sys.stderr)
        return 2
    return 0


def _spec(args: argparse.Namespace) -> int:
    from pathlib import Path

    from .rules.render import spec_files

    out = Path(args.dir)
    stale = [name for name, text in spec_files().items()
             if not (out / name).exists() or (out / name).read_text(encoding="utf-8") != text]
    if args.write:
        out.mkdir(parents=True, exist_ok=True)
        for name, text in spec_files().items():
            (out / name).write_text(text, encoding="utf-8")
        print(f"wrote {len(spec_files())} files to {out}/")
        return 0
    if stale:
        print(f"out of date in {out}/: {', '.join(stale)} (run `cnnspec spec --write`)",
              file=sys.stderr)
        return 1
    print(f"{out}/ is up to date")
    return 0


def _load_model(path: str, attr: str | None) -> Any:
    """The model a Python file defines: ``attr`` (default ``model``), else its one candidate."""
    import runpy

    from . import layers

    try:
        space = runpy.run_path(path, run_name="cnnspec_model")
    except (OSError, SyntaxError) as exc:
        raise ValueError(f"--file={path!r} cannot be run ({type(exc).__name__}: {exc})") from None

    def is_model(v: Any) -> bool:
        if isinstance(v, (list, tuple)):
            return bool(v) and all(isinstance(x, (layers.Layer, list, tuple)) for x in v)
        return hasattr(v, "named_modules") and hasattr(v, "forward") and not isinstance(v, type)

    if attr is not None or "model" in space:
        name = attr or "model"
        if name not in space:
            raise ValueError(f"--attr={name!r}, but {path} defines no such name")
        value = space[name]
        if not is_model(value) and callable(value):
            value = value()
        if not is_model(value):
            raise ValueError(f"{name}={type(value).__name__} in {path}, but should be a list of "
                             f"layer specs or a torch.nn.Module")
        return value
    found = [k for k, v in space.items() if not k.startswith("_") and is_model(v)]
    if len(found) != 1:
        raise ValueError(f"{path} defines {len(found)} models ({', '.join(found) or 'none'}), "
                         f"but should define one, named model (or pass --attr)")
    return space[found[0]]


def _summary(args: argparse.Namespace) -> int:
    """cnnspec summary: the table of a network given in the layer language or a Python file."""
    from . import layers
    from .summary import summarize

    try:
        if (args.layers is None) == (args.file is None):
            raise ValueError("give the layers as text, or --file, but not both")
        model = layers.parse(args.layers) if args.layers is not None else \
            _load_model(args.file, args.attr)
    except ValueError as exc:  # LayerSyntaxError, a file without a model
        if isinstance(exc, InvalidConfig):
            raise
        print(f"error: {exc}", file=sys.stderr)
        return 2
    result = summarize(model, tuple(args.input.split("x")))
    print(result.to_json() if args.json else result.to_markdown() if args.markdown
          else str(result))
    return 0


def _csv(values: list[str] | None) -> list[str] | None:
    """Repeatable options that also take comma-separated lists: --ops conv,max_pool."""
    if not values:
        return None
    return [v.strip() for value in values for v in value.split(",") if v.strip()]


def _conform(args: argparse.Namespace) -> int:
    """cnnspec conform TARGET: run the spec's checks on a target, each in a worker process.

    Exit codes: 0 every applicable rule passes (xfails and --allow-convention allowed);
    1 a failure, an unexpected pass or a named convention not allowed; 2 a usage error or a
    target that cannot be imported; 130 interrupted (Ctrl-C or SIGTERM: the report files
    hold the results so far).
    """
    import signal

    from .conform import PROFILES, Runner, TargetImportError, UsageError
    from .conform.progress import Progress, summary
    from .conform.reports import write_reports

    def interrupt(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    paths = {"json": args.report_json, "junit": args.junit_xml, "md": args.report_md}
    try:
        jobs = 0 if args.jobs == "auto" else int(args.jobs)
        runner = Runner(args.target, ops=_csv(args.ops), rules=_csv(args.rules),
                        profile=args.profile, max_examples=args.max_examples, seed=args.seed,
                        timeout=args.timeout, xfail_file=args.xfail_file, jobs=jobs,
                        memory_limit=args.memory_limit or None,
                        allow_conventions=_csv(args.allow_convention))
    except (UsageError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    previous = signal.signal(signal.SIGTERM, interrupt)
    progress = Progress(total=len(runner.groups), is_failing=runner.report.is_failing)
    report = runner.report
    try:
        runner.start()
        if not args.quiet:
            progress.start(report.target, args.profile,
                           args.max_examples or PROFILES[args.profile], args.seed, runner.jobs,
                           report.conventions)
        report = runner.run_all(None if args.quiet else progress.result,
                                lambda rep: write_reports(rep, paths))
    except TargetImportError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:  # before the checks ran: an empty, valid, interrupted report
        report.interrupted = True
        runner.close()
        write_reports(report, paths)
    finally:
        runner.close()
        signal.signal(signal.SIGTERM, previous)
    print(summary(report, colour=progress.tty))
    return 130 if report.interrupted else report.exit_code


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="cnnspec", description=__doc__.split("\n\n")[0])
    parser.add_argument("--version", action="version", version=f"cnnspec {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    sh = sub.add_parser("shape", help="output shape, parameters and MACs of one layer")
    sh.add_argument("op", choices=OPS)
    sh.add_argument("--input", required=True, help="C x spatial sizes, e.g. 3x224x224 or 3xHxW")
    sh.add_argument("--batch", type=int, default=1)
    sh.add_argument("--out-channels", type=int)
    sh.add_argument("-k", "--kernel", required=True, help="3 or 3,5")
    sh.add_argument("-s", "--stride", default=None, help="default 1 (pooling: the kernel)")
    sh.add_argument("-p", "--padding", default="0",
                    help="1 | 1,2 (per axis) | 0,1,2,3 (before,after per axis) | valid | same | "
                         "same_lower | full")
    sh.add_argument("-d", "--dilation", default="1")
    sh.add_argument("-g", "--groups", type=int, default=1)
    sh.add_argument("--output-padding", default="0")
    sh.add_argument("--ceil-mode", action="store_true")
    sh.add_argument("--no-bias", action="store_true")
    sh.set_defaults(func=_shape)
    sm = sub.add_parser("summary", help="shapes, params, MACs and receptive fields of a network",
                        description="Summarize a network written in the layer language, e.g. "
                                    "'conv(20, 7) relu maxpool(2) flatten dense(10)', or defined "
                                    "in a Python file (a list of cnnspec.layers specs or a "
                                    "torch.nn.Module named model).")
    sm.add_argument("layers", nargs="?", help="the network in the layer language (see README)")
    sm.add_argument("--input", required=True, help="C x spatial sizes, e.g. 3x224x224 or 3xHxW")
    sm.add_argument("--file", help="a Python file that defines the model")
    sm.add_argument("--attr", help="the name of the model in --file (default: model)")
    out = sm.add_mutually_exclusive_group()
    out.add_argument("--json", action="store_true", help="print JSON")
    out.add_argument("--markdown", action="store_true", help="print a Markdown table")
    sm.set_defaults(func=_summary)
    ex = sub.add_parser("explain", help="print a rule of the spec, or list them all")
    ex.add_argument("rule_id", nargs="?", help="e.g. conv.out-size")
    ex.set_defaults(func=_explain)
    sp = sub.add_parser("spec", help="check (default) or --write the Markdown in spec/")
    sp.add_argument("--dir", default="spec")
    sp.add_argument("--write", action="store_true")
    sp.set_defaults(func=_spec)
    co = sub.add_parser("conform", help="check a target (your conv/pool implementation) against "
                                        "the spec",
                        description=(_conform.__doc__ or "").split("\n\n")[0],
                        epilog="exit codes: 0 pass (xfails and allowed conventions too), "
                               "1 failure, unexpected pass or convention not allowed, 2 usage "
                               "or import error, 130 interrupted")
    co.add_argument("target", help="a dotted module path (my_pkg.adapter) or a .py file")
    co.add_argument("--ops", action="append", help="ops to check, e.g. conv,max_pool "
                                                  "(default: all the target defines)")
    co.add_argument("--rules", action="append", help="rule-ID globs, e.g. 'conv.*' or "
                                                    "pool.ceil-mode (repeatable)")
    co.add_argument("--profile", choices=("quick", "default", "thorough"), default="default",
                    help="examples per check: 10, 50 or 500 (default: default)")
    co.add_argument("--max-examples", type=int, help="examples per check (overrides --profile)")
    co.add_argument("--seed", type=int, default=0, help="Hypothesis seed (default 0): the same "
                                                        "seed gives the same report")
    co.add_argument("--timeout", type=float, default=10.0,
                    help="seconds one target call may take (default 10)")
    co.add_argument("--memory-limit", type=float, default=4096,
                    help="MiB a worker may allocate beyond its size after importing the target "
                         "(default 4096; 0: no limit)")
    co.add_argument("--xfail-file", help="expected failures: a rule-ID glob or op:rule per line")
    co.add_argument("--jobs", default="1", help="worker processes, or 'auto' (one per core)")
    co.add_argument("--report-json", help="write the JSON report here")
    co.add_argument("--junit-xml", help="write a JUnit XML report here")
    co.add_argument("--report-md", help="write a Markdown report here")
    co.add_argument("--allow-convention", action="append", metavar="KEY",
                    help="do not fail on the named non-default convention KEY (e.g. ceil_mode; "
                         "'all': any); its results are still reported as 'convention'")
    co.add_argument("-q", "--quiet", action="store_true", help="print the summary only")
    co.set_defaults(func=_conform)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except InvalidConfig as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
