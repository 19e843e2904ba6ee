"""The figures of the spec: spec/figures/*.svg, each linked from the rules it shows.

``FIGURES`` is the one list: file name, the rules that link it, a caption and how to make
it.  :func:`figure_links` needs no matplotlib (the Markdown names the files);
:func:`spec_figures` renders the SVG text (``cnnspec spec --write`` writes it, the
up-to-date check compares it).  The worked examples of the source documents
(spec/errata.md) are drawn with their own numbers; every sum is the reference's.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .model import Layer, build

__all__ = ["FIGURES", "SpecFigure", "figure_links", "spec_figures"]


@dataclass(frozen=True)
class SpecFigure:
    name: str  # file under spec/figures/
    rules: tuple[str, ...]
    caption: str
    make: Callable[[], Any]  # -> a matplotlib Figure


def _one(op: str, i: Any, k: Any, s: Any = 1, p: Any = 0, d: Any = 1, *, cell: Any = None,
         ceil: bool = False, include: bool = True, op_pad: Any = 0, numbers: bool = False,
         x: Any = None, w: Any = None) -> Callable[[], Any]:
    """A figure of one layer; ints broadcast to every axis of i (a tuple)."""
    def per(v: Any) -> tuple:
        return tuple(v) if isinstance(v, tuple) else (v,) * len(i)

    def make() -> Any:
        from .render import render

        pads = tuple(pv if isinstance(pv, tuple) else (pv, pv) for pv in
                     (p if isinstance(p, list) else [p] * len(i)))
        layer = Layer(op, i, per(k), per(s), pads, per(d), ceil_mode=ceil,
                      count_include_pad=include,
                      output_padding=per(op_pad) if op == "conv-transpose" else ())
        return render(build(layer, cell, numbers=numbers, x=x, w=w))
    return make


def _volume() -> Any:
    from .extra import volume_figure

    return volume_figure(32, 3, [(7, 20), (5, 30)])


def _rf() -> Any:
    from .extra import receptive_field_figure

    return receptive_field_figure(16, [(3, 1), (3, 2), (3, 1)], 1)


# source 003 (datascience.SE 89461): its top-left sum is written as 146; the reference gives 154
I003 = [[9, 8, 7, 6], [5, 4, 3, 2], [1, 2, 3, 4], [5, 6, 7, 8]]
K003 = [[1, 2, 3], [4, 5, 6], [7, 8, 9]]
# source 004 (Hung-yi Lee): the 6x6 image and Filter 1; 2x2 max pooling of Filter 1's map
X004 = [[1, 0, 0, 0, 0, 1], [0, 1, 0, 0, 1, 0], [0, 0, 1, 1, 0, 0],
        [1, 0, 0, 0, 1, 0], [0, 1, 0, 0, 1, 0], [0, 0, 1, 0, 1, 0]]
FILTER1 = [[1, -1, -1], [-1, 1, -1], [-1, -1, 1]]
MAP1 = [[3, -1, -3, -1], [-3, 1, 0, -3], [-3, -3, 0, 1], [3, -2, -2, -1]]

I2 = (5, 5)
FIGURES = (
    SpecFigure("conv-def-6x6.svg", ("conv.def",),
               "A 6x6 image and a 3x3 filter (source 004's Filter 1): the window of y[0,0] "
               "and its sum", _one("conv", (6, 6), 3, x=X004, w=FILTER1)),
    SpecFigure("conv-def-erratum-154.svg", ("conv.def",),
               "Source 003's 4x4 input and 3x3 kernel: the top-left sum is 154 (the source "
               "wrote 146, see errata E1)", _one("conv", (4, 4), 3, x=I003, w=K003)),
    SpecFigure("conv-out-size.svg", ("conv.out-size", "arith.strided-padding"),
               "i=5, k=3, s=2, p=1: o = floor((5 + 2 - 3) / 2) + 1 = 3",
               _one("conv", I2, 3, 2, 1, numbers=True)),
    SpecFigure("conv-kernel-fits.svg", ("conv.kernel-fits",),
               "The last valid case: a kernel of 5 on an input of 5 gives one output",
               _one("conv", (5,), 5)),
    SpecFigure("conv-padding.svg", ("conv.padding", "arith.unit-stride-padding"),
               "Zero padding p=2 around a 5x5 input, kernel 4: o = 5 + 4 - 4 + 1 = 6",
               _one("conv", I2, 4, 1, 2)),
    SpecFigure("conv-stride.svg", ("conv.stride", "arith.strided-no-padding"),
               "Stride 2 without padding: the window moves 2 cells, o = floor((5-3)/2) + 1 = 2",
               _one("conv", I2, 3, 2, 0)),
    SpecFigure("conv-dilation.svg", ("conv.dilation", "arith.dilated"),
               "Dilation 2: taps 2 apart, the kernel spans d(k-1)+1 = 5 cells",
               _one("conv", (7, 7), 3, 1, 0, 2)),
    SpecFigure("conv-channels-volume.svg", ("conv.channels",),
               "32x32x3 -> 20 filters 7x7x3 -> 26x26x20 -> 30 filters 5x5x20 -> 22x22x30 "
               "(source 000)", _volume),
    SpecFigure("pad-valid.svg", ("pad.valid", "arith.unit-stride-no-padding"),
               "'valid': no padding, o = 4 - 3 + 1 = 2", _one("conv", (4, 4), 3)),
    SpecFigure("pad-same.svg", ("pad.same", "arith.half-padding"),
               "'same' with k=3: p=1 on each side keeps o = i = 5", _one("conv", I2, 3, 1, 1)),
    SpecFigure("pad-full.svg", ("pad.full", "arith.full-padding"),
               "'full' with k=3: p=k-1=2 gives every partial overlap, o = 5 + 3 - 1 = 7",
               _one("conv", I2, 3, 1, 2)),
    SpecFigure("pad-causal.svg", ("pad.causal",),
               "'causal' (1-D): all k-1 = 2 padding cells before, so y[t] reads x[t-2..t]",
               _one("conv", (6,), 3, 1, [(2, 0)], cell=(3,))),
    SpecFigure("conv-transpose-def.svg", ("conv-transpose.def", "conv-transpose.zero-stuffed",
                                          "arith.transposed-strided-no-padding"),
               "i=3, k=3, s=2: each input cell stamps the kernel 2 cells apart; the same "
               "output as a conv of the zero-stuffed input",
               _one("conv-transpose", (3, 3), 3, 2, numbers=True, cell=(1, 1))),
    SpecFigure("conv-transpose-out-size.svg", ("conv-transpose.out-size",
                                               "conv-transpose.output-padding",
                                               "arith.transposed-strided-padding",
                                               "arith.transposed-strided-remainder"),
               "i=3, k=3, s=2, p=1, output_padding=1: o = (3-1)*2 - 2 + 2 + 1 + 1 = 6",
               _one("conv-transpose", (3, 3), 3, 2, 1, op_pad=1)),
    SpecFigure("conv-transpose-unit-stride.svg", ("arith.transposed-unit-stride-no-padding",
                                                  "arith.transposed-unit-stride-padding",
                                                  "arith.transposed-half-padding",
                                                  "arith.transposed-full-padding"),
               "Unit stride (1-D), i=4, k=3, p=1: no zeros between inputs, o = 4 + 2 - 2 = 4",
               _one("conv-transpose", (4,), 3, 1, 1, cell=(1,))),
    SpecFigure("pool-out-size.svg", ("pool.out-size", "arith.pooling"),
               "2x2 max pooling, stride 2, floor mode: the 5th row and column are not read",
               _one("max-pool", I2, 2, 2)),
    SpecFigure("pool-max-def.svg", ("pool.max-def",),
               "2x2 max pooling of source 004's feature map: max(3, -1, -3, 1) = 3",
               _one("max-pool", (4, 4), 2, 2, x=MAP1)),
    SpecFigure("pool-ceil-mode.svg", ("pool.ceil-mode",),
               "ceil_mode keeps the partial last window (its overhang is hatched)",
               _one("max-pool", I2, 2, 2, ceil=True, cell=(2, 2), numbers=True)),
    SpecFigure("pool-ceil-dropped.svg", ("pool.ceil-mode", "pool.window-has-input"),
               "1-D, i=5, k=2, s=2, p=1, ceil_mode: a 4th window would start in the right "
               "padding, so it is dropped (o = 3)", _one("max-pool", (5,), 2, 2, 1, ceil=True,
                                                         cell=(2,))),
    SpecFigure("pool-avg-divisor.svg", ("pool.avg-divisor", "pool.avg-def"),
               "count_include_pad=False: the corner window of a padded average divides by "
               "its 4 input cells, not 9",
               _one("avg-pool", (4, 4), 3, 2, 1, include=False, numbers=True)),
    SpecFigure("rf-size.svg", ("rf.size", "rf.jump", "rf.start"),
               "Three 1-D convs (k=3; strides 1, 2, 1): output cell 1 sees 9 input cells",
               _rf),
)


def figure_links(rule_id: str) -> list[tuple[str, str]]:
    """(file name, caption) of each figure the rule's section shows."""
    return [(f.name, f.caption) for f in FIGURES if rule_id in f.rules]


def spec_figures() -> dict[str, str]:
    """'figures/NAME.svg' -> its SVG text (deterministic for one matplotlib version; drawn
    once per process: a second `cnnspec spec` in the same process, as the tests run it,
    reuses them)."""
    return dict(_drawn())


@functools.cache
def _drawn() -> tuple[tuple[str, str], ...]:
    from .render import svg_text

    return tuple((f"figures/{f.name}", svg_text(f.make())) for f in FIGURES)
