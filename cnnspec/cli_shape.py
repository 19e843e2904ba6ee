"""cnnspec shape and cnnspec draw: the arithmetic of one layer, as text or as a figure."""

from __future__ import annotations

import argparse
import os
from typing import Any

from . import formulas
from ._check import at_least, is_symbolic
from .cli_args import INPUT_HELP, OPS, BadUsage, add_input_arguments, parse_input, parse_ints, parse_padding
from .errors import InvalidConfig

__all__ = ["shape", "draw", "add_shape_parser", "add_draw_parser", "MAX_FRAMES"]

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
            raise BadUsage(message)
        raise InvalidConfig(message, rule=rule)


def _dropped(i: Any, o: Any, k: int, s: int, pad: tuple, d: int) -> Any:
    """Input cells at the end of an axis that no window reads because of the floor."""
    n = formulas.floor_dropped(i, o, k, stride=s, padding=pad, dilation=d)
    if is_symbolic(n):
        from ._symbolic_sizes import simplify

        n = simplify(n)
    return n


def _geometry(args: argparse.Namespace, spatial: tuple) -> tuple[tuple, tuple, tuple, Any]:
    """kernel, stride, dilation and padding of `shape` and `draw`, one entry per axis; a
    padding word becomes (before, after) pairs (refused where the op has no such size)."""
    r = len(spatial)
    k = parse_ints(args.kernel, r, "kernel")
    s = parse_ints(args.stride, r, "stride") if args.stride is not None else \
        k if "pool" in args.op else (1,) * r
    d = parse_ints("1" if args.dilation is None else args.dilation, r, "dilation")
    pad = parse_padding(args.padding, r)
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


def shape(args: argparse.Namespace) -> int:
    dims = parse_input(args.input, as_written=args.as_written, min_sizes=2)
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
        op = parse_ints("0" if args.output_padding is None else args.output_padding, r,
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


def draw(args: argparse.Namespace) -> int:
    """cnnspec draw OP: a figure of one layer, every cell derived from the reference."""
    path = args.output
    suffix = os.path.splitext(path)[1].lower()
    if suffix not in (".svg", ".png", ".gif"):
        raise BadUsage(f"-o={path!r}, but should end in .svg, .png or .gif (an animation)")
    parts = [p for p in args.input.replace("x", ",").split(",") if p.strip()]
    rank = args.rank or (len(parts) if len(parts) > 1 else 2)
    if not 1 <= rank <= 3:
        raise InvalidConfig(f"--input={args.input!r} has {rank} sizes, but should have 1 to 3 "
                            f"(spatial sizes only, no channels)", rule="config.rank")
    spatial = parse_ints(args.input, rank, "input")
    _check_flags(args)
    k, s, d, pad = _geometry(args, spatial)
    output_padding = parse_ints(args.output_padding or "0", rank, "output_padding")
    cell = None if args.cell is None else parse_ints(args.cell, rank, "cell")
    from .draw.model import Layer, TooLarge, build
    from .draw.render import require_matplotlib, save

    try:
        require_matplotlib()
    except ImportError as exc:
        raise BadUsage(str(exc)) from None
    layer = Layer(args.op, spatial, k, s, tuple(tuple(p) for p in pad), d,
                  ceil_mode=args.ceil_mode, count_include_pad=not args.exclude_pad,
                  output_padding=output_padding if args.op == "conv-transpose" else ())
    try:
        fig = build(layer, cell, numbers=args.numbers or args.seed is not None,
                    seed=args.seed or 0)
    except TooLarge as exc:
        raise BadUsage(str(exc)) from None
    frames = 1
    for o in fig.out:
        frames *= o
    if suffix == ".gif" and frames > MAX_FRAMES:
        raise BadUsage(f"-o={path!r} animates {frames} output cells, but should animate at most "
                     f"{MAX_FRAMES}: draw a smaller layer, or a still (.svg, .png)")
    try:
        save(fig, path)
    except OSError as exc:
        raise BadUsage(f"-o={path!r} cannot be written ({type(exc).__name__}: {exc})") from None
    what = f"{frames} frames" if suffix == ".gif" else f"output cell {fig.cell}"
    print(f"wrote {path}: {layer.describe()} -> o={'x'.join(map(str, fig.out))} ({what})")
    return 0


def add_geometry_options(p: argparse.ArgumentParser) -> None:
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


def add_shape_parser(sub: Any) -> argparse.ArgumentParser:
    sh = sub.add_parser("shape", help="output shape, parameters and MACs of one layer",
                        description="The output shape of one layer, its parameters and MACs, "
                                    "axis by axis with the rule each size follows.",
                        epilog=INPUT_HELP + "\n\nexit codes: 0 success, 2 bad input (the "
                               "message names the value and the rule)")
    sh.add_argument("op", choices=OPS, help="the layer: %(choices)s")
    add_input_arguments(sh, "1 to 3", "3x224x224, 1x100 (1-D) or 3xHxW (symbols give formulas)")
    sh.add_argument("--batch", type=int, default=1, metavar="N",
                    help="batch size shown in the shapes; MACs stay per sample, the batch "
                         "total is printed as 'MACs (batch of N)' (default 1)")
    sh.add_argument("--out-channels", type=int, metavar="C",
                    help="output channels (conv and conv-transpose: required; pooling keeps "
                         "the channels)")
    add_geometry_options(sh)
    sh.add_argument("-g", "--groups", type=int, default=None, metavar="G",
                    help="groups, dividing both channel counts (default 1; conv, "
                         "conv-transpose)")
    sh.add_argument("--no-bias", action="store_true",
                    help="count no bias parameters (conv, conv-transpose)")
    return sh


def add_draw_parser(sub: Any) -> argparse.ArgumentParser:
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
    add_geometry_options(dr)
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
    return dr
