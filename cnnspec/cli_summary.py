"""cnnspec summary: the table of a network given in the layer language or a Python file."""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

from .cli_args import INPUT_HELP, LANGUAGE_HELP, BadUsage, add_input_arguments, parse_input
from .errors import InvalidConfig

__all__ = ["summary", "add_summary_parser"]

def _model_error(path: str, exc: BaseException) -> BadUsage:
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
    return BadUsage(text + ("\n" + trace if trace else ""))


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
            raise BadUsage(f"--attr={name!r}, but {path} defines no such name")
        value = space[name]
        if not is_model(value) and callable(value):
            value = value()
        if not is_model(value):
            raise BadUsage(f"{name}={type(value).__name__} in {path}, but should be a list of "
                         f"layer specs or a torch.nn.Module")
        return value
    found = [k for k, v in space.items() if not k.startswith("_") and is_model(v)]
    if len(found) != 1:
        raise BadUsage(f"{path} defines {len(found)} models ({', '.join(found) or 'none'}), "
                     f"but should define one, named model (or pass --attr)")
    return space[found[0]]


def _load_model(path: str, attr: str | None) -> Any:
    """The model a Python file defines, run with its own folder on sys.path (its neighbours
    import); whatever the file raises is reported as the file's error, with its frames."""
    import runpy

    if not os.path.isfile(path):
        raise BadUsage(f"--file={path!r}, but should be an existing Python file")
    saved = list(sys.path)
    sys.path.insert(0, os.path.dirname(os.path.abspath(path)))
    try:
        return _pick_model(runpy.run_path(path, run_name="cnnspec_model"), path, attr)
    except BadUsage:
        raise
    except SyntaxError as exc:
        raise BadUsage(f"--file={path!r} cannot be run ({type(exc).__name__}: {exc})") from None
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


def summary(args: argparse.Namespace) -> int:
    """cnnspec summary: the table of a network given in the layer language or a Python file."""
    from . import layers
    from .summary import summarize

    try:
        if (args.layers is None) == (args.file is None):
            raise BadUsage("give the layers as text, or --file, but not both")
        shape = parse_input(args.input, as_written=args.as_written, min_sizes=1)
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


def add_summary_parser(sub: Any) -> argparse.ArgumentParser:
    sm = sub.add_parser("summary", help="shapes, params, MACs and receptive fields of a network",
                        description="Summarize a network written in the layer language, e.g. "
                                    "'conv(20, 7) relu maxpool(2) flatten dense(10)', or defined "
                                    "in a Python file (a list of cnnspec.layers specs or a "
                                    "torch.nn.Module named model). MACs are per sample.",
                        epilog=LANGUAGE_HELP + "\n\n" + INPUT_HELP + "\n\nexit codes: 0 "
                               "success, 2 bad input, a layer the spec rejects, or a --file "
                               "that cannot be run or raises")
    sm.add_argument("layers", nargs="?", help="the network in the layer language (see README)")
    add_input_arguments(sm, "0 to 3", "3x224x224 or 3xHxW")
    sm.add_argument("--file", help="a Python file that defines the model (run with its folder "
                                   "on sys.path)")
    sm.add_argument("--attr", help="the name of the model in --file (default: model)")
    out = sm.add_mutually_exclusive_group()
    out.add_argument("--json", action="store_true", help="print JSON")
    out.add_argument("--markdown", action="store_true", help="print a Markdown table")
    return sm
