"""What every cnnspec command shares: the parser classes, the usage error, and the parsing
of --input, per-axis ints and padding (the messages name the value and the rule)."""

from __future__ import annotations

import argparse
import re
from typing import Any

from . import formulas
from .errors import InvalidConfig

__all__ = ["OPS", "BadUsage", "HelpFormatter", "ArgumentParser", "INPUT_HELP", "LANGUAGE_HELP",
           "parse_input", "parse_ints", "parse_padding", "csv_list"]

OPS = ("conv", "conv-transpose", "max-pool", "avg-pool")


class BadUsage(ValueError):
    """A command line that asks for something no rule covers: printed as ``error: ...``, exit 2."""


_RST = re.compile(r":[a-z]+:`~?([^`<]+)(?:<[^`]*>)?`|``([^`]+)``")


def _plain(text: str) -> str:
    """Help text without reStructuredText markup: ``x`` and :func:`x` become x."""
    return _RST.sub(lambda m: m.group(1) or m.group(2), text)


class HelpFormatter(argparse.HelpFormatter):
    """argparse's formatter, with the markup of docstrings removed and paragraphs kept."""

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        return "\n\n".join(super(HelpFormatter, self)._fill_text(p, width, indent)
                            for p in _plain(text).split("\n\n"))

    def _expand_help(self, action: argparse.Action) -> str:
        return _plain(super()._expand_help(action))


class ArgumentParser(argparse.ArgumentParser):
    """Every parser of the command (subcommands included) formats its help as above."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", HelpFormatter)
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


def parse_input(text: str, *, as_written: bool, min_sizes: int) -> tuple:
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
        raise BadUsage(f"--input={text!r} is C={dims[0]} channels of length {dims[1]} (1-D), but "
                     f"looks like an image without its channel count: did you mean 1x{text} or "
                     f"3x{text}? (--as-written reads it as 1-D)")
    last = dims[-1]
    if len(dims) >= 3 and _image_pair(*dims[:2]) and isinstance(last, int) and 1 <= last <= 4:
        first = "x".join(str(d) for d in dims[:-1])
        raise BadUsage(f"--input={text!r} is C={dims[0]} channels, but looks like an image "
                     f"written channels-last: did you mean {last}x{first}? (--as-written "
                     f"reads it with C={dims[0]})")
    return dims


def parse_ints(text: str, rank: int, name: str) -> tuple[int, ...]:
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


def parse_padding(text: str, rank: int) -> Any:
    if text in formulas.PADDING_WORDS:
        return text
    values = parse_ints(text, 2 * rank if text.count(",") + 1 == 2 * rank else rank, "padding")
    if len(values) == 2 * rank:
        return tuple((values[2 * a], values[2 * a + 1]) for a in range(rank))
    return tuple((v, v) for v in values)


def csv_list(values: list[str] | None) -> list[str] | None:
    """Repeatable options that also take comma-separated lists: --ops conv,max_pool."""
    if not values:
        return None
    return [v.strip() for value in values for v in value.split(",") if v.strip()]


def add_input_arguments(p: Any, spatial: str, examples: str) -> None:
    """--input (channels, then ``spatial`` spatial sizes, e.g. ``examples``) and --as-written,
    the two options by which `cnnspec shape` and `cnnspec summary` read an input shape."""
    p.add_argument("--input", required=True, metavar="CxSIZES",
                   help=f"channels, then {spatial} spatial sizes, e.g. {examples}; see below")
    p.add_argument("--as-written", action="store_true",
                   help="read --input as written even when it looks like an image without "
                        "its channel count (224x224) or channels-last (224x224x3)")
