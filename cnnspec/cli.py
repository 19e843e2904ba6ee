"""The cnnspec command: the arithmetic of one layer or a network, the spec's rules, conformance.

    cnnspec shape conv --input 3x224x224 --out-channels 64 -k 7 -s 2 -p 3
    cnnspec shape max-pool --input 64xHxW -k 3 -s 2 -p 1 --ceil-mode
    cnnspec summary --input 3x32x32 "conv(20, 7) relu maxpool(2)"
    cnnspec conform my_adapter --profile quick --report-md report.md

Sizes in --input may be symbols (H, W): the output is then a SymPy expression.
Exit codes: 0 success, 2 bad input (the message names the value and the rule), 141 when
the reader of the output went away (``cnnspec explain | head``: nothing more is printed).
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from collections.abc import Sequence
from typing import Any

from . import __version__, formulas
from ._check import at_least, is_symbolic
from .errors import InvalidConfig
from .targets import STYLES

OPS = ("conv", "conv-transpose", "max-pool", "avg-pool")

#: The exit code when stdout's reader went away (128 + SIGPIPE, as a shell reports it).
EXIT_BROKEN_PIPE = 141
#: The exit code after Ctrl-C (128 + SIGINT).
EXIT_INTERRUPTED = 130


class _Usage(ValueError):
    """A command line that asks for something no rule covers: printed as ``error: ...``, exit 2."""


_RST = re.compile(r":[a-z]+:`~?([^`<]+)(?:<[^`]*>)?`|``([^`]+)``")


def _plain(text: str) -> str:
    """Help text without reStructuredText markup: ``x`` and :func:`x` become x."""
    return _RST.sub(lambda m: m.group(1) or m.group(2), text)


class _HelpFormatter(argparse.HelpFormatter):
    """argparse's formatter, with the markup of docstrings removed and paragraphs kept."""

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        return "\n\n".join(super(_HelpFormatter, self)._fill_text(p, width, indent)
                            for p in _plain(text).split("\n\n"))

    def _expand_help(self, action: argparse.Action) -> str:
        return _plain(super()._expand_help(action))


class _ArgumentParser(argparse.ArgumentParser):
    """Every parser of the command (subcommands included) formats its help as above."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", _HelpFormatter)
        super().__init__(*args, **kwargs)


def _size(token: str) -> Any:
    token = token.strip()
    if re.fullmatch(r"-?[0-9]+", token):  # ASCII digits only: int() refuses '²'
        return int(token)
    if not token.isidentifier():
        raise InvalidConfig(f"size={token!r}, but should be an int or a symbol name like H",
                            rule="config.int")
    import sympy

    return sympy.Symbol(token, integer=True, positive=True)


def _image_pair(a: Any, b: Any) -> bool:
    """Two sizes that read as an image's height and width: equal ints above 4, or symbols."""
    if isinstance(a, int) and isinstance(b, int):
        return a == b > 4
    return not isinstance(a, int) and not isinstance(b, int)


INPUT_HELP = (
    "--input is channels first, without the batch: C x spatial sizes. Two sizes are a 1-D "
    "input (C x L). An input that looks like an image's shape misread is refused with the "
    "likely meaning: two sizes forming an image's height and width (equal ints above 4, as "
    "224x224, or two symbols, as HxW) have no channel count (did you mean 3x224x224?); three "
    "or four sizes starting with such a pair and ending in an int from 1 to 4 (224x224x3) are "
    "channels-last (did you mean 3x224x224?). --as-written reads them as written.")


LANGUAGE_HELP = (
    "The layer language: layers separated by spaces; conv(out, k, s, p, d, g), convt(out, k, "
    "s, p, op, d, g), maxpool(k, s, p, d), avgpool(k, s, p), aap(o), gap, gmp, bn, relu (also "
    "relu6, sigmoid, tanh, gelu, silu, act(name)), dropout(p), flatten, dense(n) (fc, linear); "
    "keywords k= s= p= d= g= op= ceil=true bias=false in=; values 3, 3x5 (per axis), 1:2 "
    "(before:after padding), same, valid; res[main | shortcut] (no |: identity), [...] groups, "
    "item*3 repeats.")


def _input(text: str, *, as_written: bool, min_sizes: int) -> tuple:
    """--input: C x spatial sizes, refusing the two ways an image's shape is misread.

    ``224x224`` (or ``HxW``) would be C=224 channels of length 224: an image without its
    channel count. ``224x224x3`` (also ``HxWx3``, ``16x16x16x3``: the first two sizes as
    above, the last 1 to 4) would be C=224: an image written channels-last. Both are
    refused with the likely meaning, unless ``as_written``.
    """
    dims = tuple(_size(t) for t in text.split("x"))
    if not min_sizes <= len(dims) <= 4:
        raise InvalidConfig(f"--input={text!r} has {len(dims)} sizes, but should be C and "
                            f"{min_sizes - 1} to 3 spatial sizes, like 3x224x224",
                            rule="config.rank")
    if as_written:
        return dims
    if len(dims) == 2 and _image_pair(*dims):
        raise _Usage(f"--input={text!r} is C={dims[0]} channels of length {dims[1]} (1-D), but "
                     f"looks like an image without its channel count: did you mean 1x{text} or "
                     f"3x{text}? (--as-written reads it as 1-D)")
    last = dims[-1]
    if len(dims) >= 3 and _image_pair(*dims[:2]) and isinstance(last, int) and 1 <= last <= 4:
        first = "x".join(str(d) for d in dims[:-1])
        raise _Usage(f"--input={text!r} is C={dims[0]} channels, but looks like an image "
                     f"written channels-last: did you mean {last}x{first}? (--as-written "
                     f"reads it with C={dims[0]})")
    return dims


def _ints(text: str, rank: int, name: str) -> tuple[int, ...]:
    parts = [p.strip() for p in text.replace("x", ",").split(",") if p.strip()]
    if not all(re.fullmatch(r"-?[0-9]+", p) for p in parts):  # int() takes '1_0' and '٣'
        raise InvalidConfig(f"{name}={text!r}, but should be ints like 3 or 3,3",
                            rule="config.int")
    values = tuple(int(p) for p in parts)
    if len(values) == 1:
        return values * rank
    if len(values) != rank:
        allowed = "1" if rank == 1 else f"1 or {rank}"
        raise InvalidConfig(f"{name}={text!r} has {len(values)} entries, but should have "
                            f"{allowed} (one per spatial axis)", rule="config.rank")
    return values


def _padding(text: str, rank: int) -> Any:
    if text in formulas.PADDING_WORDS:
        return text
    values = _ints(text, 2 * rank if text.count(",") + 1 == 2 * rank else rank, "padding")
    if len(values) == 2 * rank:
        return tuple((values[2 * a], values[2 * a + 1]) for a in range(rank))
    return tuple((v, v) for v in values)


#: The options of `shape` that only some ops take: dest -> (the flag, the ops, a rule or None).
_ONLY_FOR = {
    "out_channels": ("--out-channels", ("conv", "conv-transpose"), "pool.channelwise"),
    "groups": ("-g/--groups", ("conv", "conv-transpose"), None),
    "no_bias": ("--no-bias", ("conv", "conv-transpose"), None),
    "output_padding": ("--output-padding", ("conv-transpose",), None),
    "dilation": ("-d/--dilation", ("conv", "conv-transpose", "max-pool"), "config.dilation"),
    "ceil_mode": ("--ceil-mode", ("max-pool", "avg-pool"), None),
    "exclude_pad": ("--exclude-pad", ("avg-pool",), None),
}


def _check_flags(args: argparse.Namespace) -> None:
    """A flag the op does not take is an error naming both, never silently ignored."""
    for dest, (flag, ops, rule) in _ONLY_FOR.items():
        value = getattr(args, dest, None)
        if value is None or value is False or args.op in ops:
            continue
        shown = flag if value is True else f"{flag}={value}"
        either = " or ".join(ops) if len(ops) < 3 else f"{', '.join(ops[:-1])} or {ops[-1]}"
        message = f"{shown} was given for {args.op}, but should be given only for {either}"
        if rule is None:
            raise _Usage(message)
        raise InvalidConfig(message, rule=rule)


def _dropped(i: Any, o: Any, k: int, s: int, pad: tuple, d: int) -> Any:
    """Input cells at the end of an axis that no window reads because of the floor."""
    n = formulas.floor_dropped(i, o, k, stride=s, padding=pad, dilation=d)
    if is_symbolic(n):
        from ._quasi import simplify

        n = simplify(n)
    return n


def _geometry(args: argparse.Namespace, spatial: tuple) -> tuple[tuple, tuple, tuple, Any]:
    """kernel, stride, dilation and padding of `shape` and `draw`, one entry per axis; a
    padding word becomes (before, after) pairs (refused where the op has no such size)."""
    r = len(spatial)
    k = _ints(args.kernel, r, "kernel")
    s = _ints(args.stride, r, "stride") if args.stride is not None else \
        k if "pool" in args.op else (1,) * r
    d = _ints("1" if args.dilation is None else args.dilation, r, "dilation")
    pad = _padding(args.padding, r)
    if isinstance(pad, str):
        if args.op == "conv-transpose" and pad != "valid":
            raise InvalidConfig(f"padding={pad!r}, but should be ints or 'valid' for "
                                f"conv-transpose (its output size has no 'same' or 'full')",
                                rule="config.padding")
        if "pool" in args.op and pad == "full":  # as summarize: its edge windows see padding
            raise InvalidConfig(f"padding={pad!r}, but should be ints, 'valid', 'same' or "
                                f"'same_lower' for {args.op}", rule="config.padding")
        pad = formulas.named_padding(pad, spatial, k, s, d)
    return k, s, d, pad


def _shape(args: argparse.Namespace) -> int:
    dims = _input(args.input, as_written=args.as_written, min_sizes=2)
    c_in, spatial = dims[0], tuple(dims[1:])
    r = len(spatial)
    _check_flags(args)
    batch = at_least("--batch", args.batch, 1, rule="config.nonempty")
    k, s, d, pad = _geometry(args, spatial)
    groups = 1 if args.groups is None else args.groups
    lines = []
    dropped: tuple = (0,) * r
    if args.op == "conv":
        if args.out_channels is None:
            raise InvalidConfig("--out-channels=None, but should be given for conv",
                                rule="conv.channels")
        out = formulas.conv_out_shape(spatial, k, stride=s, padding=pad, dilation=d)
        c_out = args.out_channels
        params = formulas.conv_params(c_in, c_out, k, groups=groups, bias=not args.no_bias)
        macs = formulas.conv_macs(c_in, c_out, k, out, groups=groups)
        dropped = tuple(map(_dropped, spatial, out, k, s, pad, d))
        rule = "conv.out-size"
    elif args.op == "conv-transpose":
        if args.out_channels is None:
            raise InvalidConfig("--out-channels=None, but should be given for conv-transpose",
                                rule="conv-transpose.channels")
        op = _ints("0" if args.output_padding is None else args.output_padding, r,
                   "output_padding")
        out = formulas.conv_transpose_out_shape(spatial, k, stride=s, padding=pad,
                                                output_padding=op, dilation=d)
        c_out = args.out_channels
        params = formulas.conv_transpose_params(c_in, c_out, k, groups=groups,
                                                bias=not args.no_bias)
        macs = formulas.conv_transpose_macs(c_in, c_out, k, spatial, groups=groups)
        rule = "conv-transpose.out-size"
    else:
        out = formulas.pool_out_shape(spatial, k, stride=s, padding=pad, dilation=d,
                                      ceil_mode=args.ceil_mode)
        c_out, params, macs, rule = c_in, formulas.pool_params(), None, "pool.out-size"
        dropped = tuple(map(_dropped, spatial, out, k, s, pad, d))
    lines.append(f"{args.op}: input {(batch, c_in, *spatial)} -> output "
                 f"{(batch, c_out, *out)}   [{rule}]")
    pads = pad if not isinstance(pad, str) else ()
    for a, (i, o) in enumerate(zip(spatial, out)):
        line = (f"  axis {a}: in={i} kernel={k[a]} stride={s[a]} padding={tuple(pads[a])} "
                f"dilation={d[a]} -> out={o}")
        if dropped[a] != 0:
            cells = "cell" if dropped[a] == 1 else "cells"
            line += f"; {dropped[a]} input {cells} at the end unread (the floor) [net.remainder]"
        lines.append(line)
    lines.append(f"  params: {params}")
    if macs is not None:
        lines.append(f"  MACs: {macs} (per sample)")
        if batch != 1:
            lines.append(f"  MACs (batch of {batch}): {macs * batch}")
    print("\n".join(lines))
    return 0


#: The most frames an animation may have (one per output cell).
MAX_FRAMES = 100


def _draw(args: argparse.Namespace) -> int:
    """cnnspec draw OP: a figure of one layer, every cell derived from the reference."""
    path = args.output
    suffix = os.path.splitext(path)[1].lower()
    if suffix not in (".svg", ".png", ".gif"):
        raise _Usage(f"-o={path!r}, but should end in .svg, .png or .gif (an animation)")
    parts = [p for p in args.input.replace("x", ",").split(",") if p.strip()]
    rank = args.rank or (len(parts) if len(parts) > 1 else 2)
    if not 1 <= rank <= 3:
        raise InvalidConfig(f"--input={args.input!r} has {rank} sizes, but should have 1 to 3 "
                            f"(spatial sizes only, no channels)", rule="config.rank")
    spatial = _ints(args.input, rank, "input")
    _check_flags(args)
    k, s, d, pad = _geometry(args, spatial)
    output_padding = _ints(args.output_padding or "0", rank, "output_padding")
    cell = None if args.cell is None else _ints(args.cell, rank, "cell")
    from .draw.model import Layer, TooLarge, build
    from .draw.render import require_matplotlib, save

    try:
        require_matplotlib()
    except ImportError as exc:
        raise _Usage(str(exc)) from None
    layer = Layer(args.op, spatial, k, s, tuple(tuple(p) for p in pad), d,
                  ceil_mode=args.ceil_mode, count_include_pad=not args.exclude_pad,
                  output_padding=output_padding if args.op == "conv-transpose" else ())
    try:
        fig = build(layer, cell, numbers=args.numbers or args.seed is not None,
                    seed=args.seed or 0)
    except TooLarge as exc:
        raise _Usage(str(exc)) from None
    frames = 1
    for o in fig.out:
        frames *= o
    if suffix == ".gif" and frames > MAX_FRAMES:
        raise _Usage(f"-o={path!r} animates {frames} output cells, but should animate at most "
                     f"{MAX_FRAMES}: draw a smaller layer, or a still (.svg, .png)")
    try:
        save(fig, path)
    except OSError as exc:
        raise _Usage(f"-o={path!r} cannot be written ({type(exc).__name__}: {exc})") from None
    what = f"{frames} frames" if suffix == ".gif" else f"output cell {fig.cell}"
    print(f"wrote {path}: {layer.describe()} -> o={'x'.join(map(str, fig.out))} ({what})")
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
    try:
        files = spec_files()
    except ImportError as exc:  # the figures need matplotlib
        raise _Usage(str(exc)) from None
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
        raise _Usage(f"--dir={args.dir!r} cannot be {'written' if args.write else 'read'} "
                     f"({type(exc).__name__}: {exc})") from None
    if stale:
        print(f"out of date in {out}/: {', '.join(stale)} (run `cnnspec spec --write`)",
              file=sys.stderr)
        return 1
    print(f"{out}/ is up to date")
    return 0


def _model_error(path: str, exc: BaseException) -> _Usage:
    """The model file's own exception, with its last frames in the user's code (not ours)."""
    import traceback

    folder = os.path.dirname(os.path.abspath(path)) + os.sep
    ours = os.path.dirname(os.path.abspath(__file__)) + os.sep
    frames = [f for f in traceback.extract_tb(exc.__traceback__)
              if not f.filename.startswith("<")  # <frozen runpy>, <string>
              and os.path.abspath(f.filename).startswith(folder)
              and not os.path.abspath(f.filename).startswith(ours)
              and "-packages" + os.sep not in f.filename]
    text = f"--file={path!r} raised {type(exc).__name__}: {exc}"
    if isinstance(exc, ModuleNotFoundError) and exc.name == "torch":
        text += ' (install it: pip install -c constraints.txt ".[torch]")'
    trace = "".join(traceback.format_list(frames[-5:])).rstrip()
    return _Usage(text + ("\n" + trace if trace else ""))


def _pick_model(space: dict, path: str, attr: str | None) -> Any:
    """The model the file's names hold: ``attr`` (default ``model``), else its one candidate."""
    from . import layers

    def is_model(v: Any) -> bool:
        if isinstance(v, (list, tuple)):
            return bool(v) and all(isinstance(x, (layers.Layer, list, tuple)) for x in v)
        return hasattr(v, "named_modules") and hasattr(v, "forward") and not isinstance(v, type)

    if attr is not None or "model" in space:
        name = attr or "model"
        if name not in space:
            raise _Usage(f"--attr={name!r}, but {path} defines no such name")
        value = space[name]
        if not is_model(value) and callable(value):
            value = value()
        if not is_model(value):
            raise _Usage(f"{name}={type(value).__name__} in {path}, but should be a list of "
                         f"layer specs or a torch.nn.Module")
        return value
    found = [k for k, v in space.items() if not k.startswith("_") and is_model(v)]
    if len(found) != 1:
        raise _Usage(f"{path} defines {len(found)} models ({', '.join(found) or 'none'}), "
                     f"but should define one, named model (or pass --attr)")
    return space[found[0]]


def _load_model(path: str, attr: str | None) -> Any:
    """The model a Python file defines, run with its own folder on sys.path (its neighbours
    import); whatever the file raises is reported as the file's error, with its frames."""
    import runpy

    if not os.path.isfile(path):
        raise _Usage(f"--file={path!r}, but should be an existing Python file")
    saved = list(sys.path)
    sys.path.insert(0, os.path.dirname(os.path.abspath(path)))
    try:
        return _pick_model(runpy.run_path(path, run_name="cnnspec_model"), path, attr)
    except _Usage:
        raise
    except SyntaxError as exc:
        raise _Usage(f"--file={path!r} cannot be run ({type(exc).__name__}: {exc})") from None
    except (Exception, SystemExit) as exc:  # noqa: BLE001 - the model's error, not ours
        raise _model_error(path, exc) from None
    finally:
        sys.path[:] = saved


def _dropped_lines(result: Any) -> list[str]:
    """The rows whose floor leaves input cells unread, one line each.  [net.remainder]"""
    lines = []
    for r in result.rows:
        axes = [f"{n} on axis {a}" for a, n in enumerate(r.dropped) if n != 0]
        if axes:
            lines.append(f"layer {r.index} ({r.name}): {', '.join(axes)}")
    if not lines:
        return []
    return ["Input cells no window reads (dropped by the floor) [net.remainder]:",
            *(f"  {x}" for x in lines)]


def _summary(args: argparse.Namespace) -> int:
    """cnnspec summary: the table of a network given in the layer language or a Python file."""
    from . import layers
    from .summary import summarize

    try:
        if (args.layers is None) == (args.file is None):
            raise _Usage("give the layers as text, or --file, but not both")
        shape = _input(args.input, as_written=args.as_written, min_sizes=1)
        model = layers.parse(args.layers) if args.layers is not None else \
            _load_model(args.file, args.attr)
    except ValueError as exc:  # LayerSyntaxError, a file without a model or that raised
        if isinstance(exc, InvalidConfig):
            raise
        print(f"error: {exc}", file=sys.stderr)
        return 2
    result = summarize(model, shape)
    if args.json:
        print(result.to_json())
    elif args.markdown:
        dropped = _dropped_lines(result)
        print(result.to_markdown() + "".join(f"- {x.strip()}\n" for x in dropped[:1])
              + "".join(f"  - {x.strip()}\n" for x in dropped[1:]), end="")
    else:
        print("\n".join([str(result), *_dropped_lines(result)]))
    return 0


def _csv(values: list[str] | None) -> list[str] | None:
    """Repeatable options that also take comma-separated lists: --ops conv,max_pool."""
    if not values:
        return None
    return [v.strip() for value in values for v in value.split(",") if v.strip()]


def _conform(args: argparse.Namespace) -> int:
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

    from .conform import PROFILES, Runner, TargetImportError, UsageError
    from .conform.progress import Progress, summary
    from .conform.reports import check_report_path, write_reports

    def interrupt(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    paths = {"json": args.report_json, "junit": args.junit_xml, "md": args.report_md}
    try:
        for option, path in (("--report-json", args.report_json), ("--junit-xml", args.junit_xml),
                             ("--report-md", args.report_md)):
            check_report_path(option, path)
        if args.jobs != "auto" and not (args.jobs.isdigit() and int(args.jobs) >= 1):
            raise UsageError(f"--jobs={args.jobs!r}, but should be an integer >= 1 or 'auto'")
        if args.memory_limit < 0:
            raise UsageError(f"--memory-limit={args.memory_limit:g}, but should be >= 0 MiB "
                             f"(0: no limit)")
        jobs = 0 if args.jobs == "auto" else int(args.jobs)
        target = f"{args.style}:{args.target}" if args.style else args.target
        runner = Runner(target, ops=_csv(args.ops), rules=_csv(args.rules),
                        profile=args.profile, max_examples=args.max_examples, seed=args.seed,
                        timeout=args.timeout, xfail_file=args.xfail_file, jobs=jobs,
                        memory_limit=args.memory_limit or None,
                        allow_conventions=_csv(args.allow_convention), level=args.level)
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
            progress.start(report.target, args.profile,
                           args.max_examples or PROFILES[args.profile], args.seed, runner.jobs,
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


def _add_geometry_options(p: argparse.ArgumentParser) -> None:
    """The layer options `shape` and `draw` share (read back by :func:`_geometry`)."""
    p.add_argument("-k", "--kernel", required=True, metavar="K",
                   help="kernel size: one for every axis (3) or one per axis (3,5)")
    p.add_argument("-s", "--stride", default=None, metavar="S",
                   help="stride, as --kernel (default 1; pooling: the kernel)")
    p.add_argument("-p", "--padding", default="0", metavar="P",
                   help="1 | 1,2 (per axis) | 0,1,2,3 (before,after per axis) | valid | same | "
                        "same_lower | full (default 0); conv-transpose: ints or valid only")
    p.add_argument("-d", "--dilation", default=None, metavar="D",
                   help="dilation, as --kernel (default 1; conv, conv-transpose, max-pool)")
    p.add_argument("--output-padding", default=None, metavar="OP",
                   help="cells added at the end of each axis, as --kernel, below "
                        "max(stride, dilation) (default 0; conv-transpose only)")
    p.add_argument("--ceil-mode", action="store_true",
                   help="round the output size up, dropping a window that would start in the "
                        "right padding (max-pool, avg-pool)")


def build_parser() -> argparse.ArgumentParser:
    parser = _ArgumentParser(prog="cnnspec", description=__doc__.split("\n\n")[0],
                             epilog="exit codes: 0 success, 2 bad input, 130 interrupted, "
                                    "141 the output's reader went away (cnnspec explain | "
                                    "head); each command's --help lists its others")
    parser.add_argument("--version", action="version", version=f"cnnspec {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_ArgumentParser)
    sh = sub.add_parser("shape", help="output shape, parameters and MACs of one layer",
                        description="The output shape of one layer, its parameters and MACs, "
                                    "axis by axis with the rule each size follows.",
                        epilog=INPUT_HELP + "\n\nexit codes: 0 success, 2 bad input (the "
                               "message names the value and the rule)")
    sh.add_argument("op", choices=OPS, help="the layer: %(choices)s")
    sh.add_argument("--input", required=True, metavar="CxSIZES",
                    help="channels, then 1 to 3 spatial sizes, e.g. 3x224x224, 1x100 (1-D) or "
                         "3xHxW (symbols give formulas); see below")
    sh.add_argument("--as-written", action="store_true",
                    help="read --input as written even when it looks like an image without "
                         "its channel count (224x224) or channels-last (224x224x3)")
    sh.add_argument("--batch", type=int, default=1, metavar="N",
                    help="batch size shown in the shapes; MACs stay per sample, the batch "
                         "total is printed as 'MACs (batch of N)' (default 1)")
    sh.add_argument("--out-channels", type=int, metavar="C",
                    help="output channels (conv and conv-transpose: required; pooling keeps "
                         "the channels)")
    _add_geometry_options(sh)
    sh.add_argument("-g", "--groups", type=int, default=None, metavar="G",
                    help="groups, dividing both channel counts (default 1; conv, "
                         "conv-transpose)")
    sh.add_argument("--no-bias", action="store_true",
                    help="count no bias parameters (conv, conv-transpose)")
    sh.set_defaults(func=_shape)
    dr = sub.add_parser("draw", help="a figure of one layer: window, taps, padding, stride, "
                                     "the arithmetic of one output cell",
                        description="Draw one layer as a teacher would: the padded input, the "
                                    "kernel's taps, the window of one output cell, the stride "
                                    "and the output, with the output size written out. Which "
                                    "input cells feed the cell is computed by perturbing the "
                                    "reference, the sizes by cnnspec's formulas. .gif: an "
                                    "animation over every output cell.",
                        epilog="--input is spatial sizes only (no channels): 5 (a 5x5 image; "
                               "--rank 1 for length 5), 5x7, 4x5x5 (3-D, drawn as slices)."
                               "\n\nexit codes: 0 written, 2 bad input (the message names the "
                               "value and the rule) or matplotlib missing")
    dr.add_argument("op", choices=OPS, help="the layer: %(choices)s")
    dr.add_argument("-i", "--input", required=True, metavar="SIZES",
                    help="spatial sizes: 5, 5x7 or 4x5x5")
    dr.add_argument("--rank", type=int, choices=(1, 2, 3), default=None,
                    help="spatial axes when --input is one size (default 2)")
    _add_geometry_options(dr)
    dr.add_argument("--exclude-pad", action="store_true",
                    help="avg-pool: do not count padding in the divisor (count_include_pad="
                         "False)")
    dr.add_argument("--cell", metavar="I,J", help="the output cell to show (default: the first)")
    dr.add_argument("--numbers", action="store_true",
                    help="fill input and kernel with small integers and write out the cell's "
                         "sum (as computed by the reference)")
    dr.add_argument("--seed", type=int, default=None,
                    help="seed of the --numbers (implies --numbers; default 0)")
    dr.add_argument("-o", "--output", required=True, metavar="FILE",
                    help="FILE.svg, FILE.png, or FILE.gif (an animation over every output cell)")
    dr.set_defaults(func=_draw)
    sm = sub.add_parser("summary", help="shapes, params, MACs and receptive fields of a network",
                        description="Summarize a network written in the layer language, e.g. "
                                    "'conv(20, 7) relu maxpool(2) flatten dense(10)', or defined "
                                    "in a Python file (a list of cnnspec.layers specs or a "
                                    "torch.nn.Module named model). MACs are per sample.",
                        epilog=LANGUAGE_HELP + "\n\n" + INPUT_HELP + "\n\nexit codes: 0 "
                               "success, 2 bad input, a layer the spec rejects, or a --file "
                               "that cannot be run or raises")
    sm.add_argument("layers", nargs="?", help="the network in the layer language (see README)")
    sm.add_argument("--input", required=True, metavar="CxSIZES",
                    help="channels, then 0 to 3 spatial sizes, e.g. 3x224x224 or 3xHxW; see "
                         "below")
    sm.add_argument("--as-written", action="store_true",
                    help="read --input as written even when it looks like an image without "
                         "its channel count (224x224) or channels-last (224x224x3)")
    sm.add_argument("--file", help="a Python file that defines the model (run with its folder "
                                   "on sys.path)")
    sm.add_argument("--attr", help="the name of the model in --file (default: model)")
    out = sm.add_mutually_exclusive_group()
    out.add_argument("--json", action="store_true", help="print JSON")
    out.add_argument("--markdown", action="store_true", help="print a Markdown table")
    sm.set_defaults(func=_summary)
    ex = sub.add_parser("explain", help="print a rule of the spec, or list them all",
                        description="Print a rule: statement, formula, worked examples and "
                                    "sources. Without a rule ID, list every family and rule.",
                        epilog="exit codes: 0 success, 2 unknown rule ID (the closest are "
                               "named)")
    ex.add_argument("rule_id", nargs="?", help="a rule ID, e.g. conv.out-size")
    ex.set_defaults(func=_explain)
    sp = sub.add_parser("spec", help="check (default) or --write the Markdown in spec/",
                        description="Check that the Markdown spec in --dir is the one the rule "
                                    "registry renders, or write it.",
                        epilog="exit codes: 0 up to date (or written), 1 out of date, 2 the "
                               "folder cannot be read or written")
    sp.add_argument("--dir", default="spec", help="the folder of the Markdown files (default "
                                                  "spec)")
    sp.add_argument("--write", action="store_true", help="write the files instead of checking")
    sp.set_defaults(func=_spec)
    co = sub.add_parser("conform", help="check a target (your conv/pool implementation) against "
                                        "the spec",
                        description=(_conform.__doc__ or "").split("\n\n")[0],
                        epilog="exit codes: 0 pass (xfails and allowed conventions too), "
                               "1 failure, restriction, unexpected pass or convention not "
                               "allowed, 2 usage or import error, 3 nothing checked, "
                               "130 interrupted")
    co.add_argument("target", help="a dotted module path (my_pkg.adapter) or a .py file")
    co.add_argument("--style", choices=sorted(STYLES),
                    help="the target is a file of functions in this style (a course "
                         "assignment's signatures), adapted to the contract: --style cs231n "
                         "layers.py is the target cs231n:layers.py")
    co.add_argument("--ops", action="append", help="ops to check, e.g. conv,max_pool "
                                                  "(default: all the target defines)")
    co.add_argument("--rules", action="append", help="rule-ID globs, e.g. 'conv.*' or "
                                                    "pool.ceil-mode (repeatable)")
    co.add_argument("--level", choices=("compute", "refuse", "strict"), default="compute",
                    help="what is required: compute (default: valid configurations computed "
                         "right), refuse (also invalid ones refused), strict (also input "
                         "hygiene); results above the level are shown, not counted")
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


def _quiet_stdout() -> None:
    """After EPIPE: stdout goes to /dev/null, so that the final flush at exit prints nothing."""
    try:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):  # no file descriptor (a captured stream)
        pass


def main(argv: Sequence[str] | None = None) -> int:
    try:
        args = build_parser().parse_args(argv)
        code = int(args.func(args))
        sys.stdout.flush()  # a closed pipe shows up here, not in the interpreter's exit
        return code
    except (InvalidConfig, _Usage) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # `cnnspec explain | head`: the reader has what it wanted
        _quiet_stdout()
        return EXIT_BROKEN_PIPE
    except KeyboardInterrupt:  # Ctrl-C during a long summary: no traceback
        print("interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
