"""The cnnspec command: the arithmetic of one layer or a network, the spec's rules, conformance.

    cnnspec shape conv --input 3x224x224 --out-channels 64 -k 7 -s 2 -p 3
    cnnspec shape max-pool --input 64xHxW -k 3 -s 2 -p 1 --ceil-mode
    cnnspec summary --input 3x32x32 "conv(20, 7) relu maxpool(2)"
    cnnspec conform my_adapter --profile quick --report-md report.md
    cnnspec prove 'arith.*' --max-examples 20

Sizes in --input may be symbols (H, W): the output is then a SymPy expression.
Exit codes: 0 success, 2 bad input (the message names the value and the rule), 141 when
the reader of the output went away (``cnnspec explain | head``: nothing more is printed).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from . import __version__, cli_conform, cli_rules, cli_shape, cli_summary
from .cli_args import ArgumentParser, BadUsage
from .errors import InvalidConfig

#: The exit code when stdout's reader went away (128 + SIGPIPE, as a shell reports it).
EXIT_BROKEN_PIPE = 141
#: The exit code after Ctrl-C (128 + SIGINT).
EXIT_INTERRUPTED = 130

#: The commands' functions, one module per command group (cli_shape: shape and draw,
#: cli_summary, cli_rules: explain, spec and prove, cli_conform; cli_args: the parsing they
#: share).
#: build_parser binds them by these names each time it runs.
_shape, _draw, _summary = cli_shape.shape, cli_shape.draw, cli_summary.summary
_explain, _spec, _prove = cli_rules.explain, cli_rules.spec, cli_rules.prove
_conform = cli_conform.conform


def build_parser() -> argparse.ArgumentParser:
    parser = ArgumentParser(prog="cnnspec", description=__doc__.split("\n\n")[0],
                            epilog="exit codes: 0 success, 2 bad input, 130 interrupted, "
                                   "141 the output's reader went away (cnnspec explain | "
                                   "head); each command's --help lists its others")
    parser.add_argument("--version", action="version", version=f"cnnspec {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=ArgumentParser)
    cli_shape.add_shape_parser(sub).set_defaults(func=_shape)
    cli_shape.add_draw_parser(sub).set_defaults(func=_draw)
    cli_summary.add_summary_parser(sub).set_defaults(func=_summary)
    cli_rules.add_explain_parser(sub).set_defaults(func=_explain)
    cli_rules.add_spec_parser(sub).set_defaults(func=_spec)
    cli_rules.add_prove_parser(sub).set_defaults(func=_prove)
    cli_conform.add_conform_parser(sub).set_defaults(func=_conform)
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
    except (InvalidConfig, BadUsage) as exc:
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
