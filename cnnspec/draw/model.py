"""The figure model: what a figure of one layer shows, derived from the reference and the formulas.

Nothing here draws.  :func:`build` validates a configuration with cnnspec.formulas (the
same InvalidConfig, naming the same rule IDs, as ``cnnspec shape``), computes the output
size from the formulas, and asks the reference op which input cells feed the chosen
output cell: every input cell is perturbed at once as a batch of one-hot inputs (one
reference call), so ``support`` and ``tap_of`` are what the reference computes, never a
drawing of the formula.  The window's frame positions (padding and ceil-mode overhang
included) come from the reference's own window view (cnnspec.ref._windows.windows) applied
to a grid of cell numbers.  tests/test_draw.py checks both against a one-cell-at-a-time
perturbation of the reference.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import numpy as np

from .. import formulas, ref
from ..errors import InvalidConfig
from ..ref._windows import windows

__all__ = ["OPS", "Layer", "Figure", "TooLarge", "build", "out_size_lines", "MAX_CELLS"]

#: The most cells a drawn grid (the input, or the frame the window slides over) may have: a
#: figure of more is unreadable, and the one-hot batch grows as the input's square.
MAX_CELLS = 1024


class TooLarge(ValueError):
    """A layer too large to draw (not a broken rule: `cnnspec shape` computes its sizes)."""

OPS = ("conv", "conv-transpose", "max-pool", "avg-pool")
OUT_RULE = {"conv": "conv.out-size", "conv-transpose": "conv-transpose.out-size",
            "max-pool": "pool.out-size", "avg-pool": "pool.out-size"}

Pos = tuple[int, ...]


@dataclass(frozen=True)
class Layer:
    """One layer's configuration, one entry per spatial axis (padding: (before, after))."""

    op: str
    spatial: tuple[int, ...]
    kernel: tuple[int, ...]
    stride: tuple[int, ...]
    padding: tuple[tuple[int, int], ...]
    dilation: tuple[int, ...]
    ceil_mode: bool = False
    count_include_pad: bool = True
    output_padding: tuple[int, ...] = ()

    @property
    def rank(self) -> int:
        return len(self.spatial)

    def out(self) -> tuple[int, ...]:
        """The output size from cnnspec.formulas (raises InvalidConfig naming the rule)."""
        k, s, p, d = self.kernel, self.stride, self.padding, self.dilation
        if self.op == "conv":
            return formulas.conv_out_shape(self.spatial, k, stride=s, padding=p, dilation=d)
        if self.op == "conv-transpose":
            return formulas.conv_transpose_out_shape(
                self.spatial, k, stride=s, padding=p, dilation=d,
                output_padding=self.output_padding or (0,) * self.rank)
        return formulas.pool_out_shape(self.spatial, k, stride=s, padding=p, dilation=d,
                                       ceil_mode=self.ceil_mode)

    def call(self, x: np.ndarray, w: np.ndarray | None) -> np.ndarray:
        """The reference op on x (N, 1, *spatial) and w (1, 1, *kernel)."""
        kw = dict(stride=self.stride, padding=self.padding)
        if self.op == "conv":
            return ref.conv(x, w, dilation=self.dilation, **kw)
        if self.op == "conv-transpose":
            return ref.conv_transpose(x, w, dilation=self.dilation,
                                      output_padding=self.output_padding or 0, **kw)
        if self.op == "max-pool":
            return ref.max_pool(x, kernel=self.kernel, dilation=self.dilation,
                                ceil_mode=self.ceil_mode, **kw)
        return ref.avg_pool(x, kernel=self.kernel, ceil_mode=self.ceil_mode,
                            count_include_pad=self.count_include_pad, **kw)

    def describe(self) -> str:
        def ax(v: tuple) -> str:
            return "x".join(str(a) for a in v)
        pads = ("x".join(str(a) for a, b in self.padding) if all(a == b for a, b in self.padding)
                else ",".join(f"{a}:{b}" for a, b in self.padding))
        text = (f"{self.op}  i={ax(self.spatial)}  k={ax(self.kernel)}  s={ax(self.stride)}  "
                f"p={pads}")
        if self.op != "avg-pool":
            text += f"  d={ax(self.dilation)}"
        if self.op == "conv-transpose" and any(self.output_padding):
            text += f"  output_padding={ax(self.output_padding)}"
        if "pool" in self.op and self.ceil_mode:
            text += "  ceil_mode"
        if self.op == "avg-pool" and not self.count_include_pad:
            text += "  count_include_pad=False"
        return text


@dataclass
class Figure:
    """What one figure shows for output cell ``cell`` of ``layer``.

    Frame: the grid the window slides over.  conv and pooling: the padded input, extended
    on the right by the ceil-mode overhang; input cell q sits at frame position q + pb.
    conv-transpose: the zero-stuffed input padded by d(k-1) on each side (and
    output_padding at the end); input cell q sits at d(k-1) + q*s, output cell p's window
    starts at p + pb.  ``kinds`` maps every frame position to "input", "pad", "overhang",
    "stuffed" (a zero between inputs) or "crop" (conv-transpose: cut by the padding).
    """

    layer: Layer
    out: tuple[int, ...]
    cell: Pos
    frame: tuple[int, ...]
    kinds: dict[Pos, str]
    where: dict[Pos, Pos]  # input cell -> its frame position
    window: list[Pos]  # frame position of each tap, taps in row-major order
    support: frozenset  # input cells the reference's y[cell] depends on
    tap_of: dict[Pos, int] = field(default_factory=dict)  # input cell -> tap (conv, conv-t)
    divisor: int | None = None  # avg-pool: from the reference, 1 / (the weight of one cell)
    x: np.ndarray | None = None  # (*spatial) values with --numbers
    w: np.ndarray | None = None  # (*kernel)
    y: np.ndarray | None = None  # (*out) the reference's output
    terms: str = ""  # the cell's arithmetic with --numbers
    next_cell: Pos | None = None  # the neighbour whose window shows the stride
    next_window: list[Pos] = field(default_factory=list)

    @property
    def input_window(self) -> frozenset:
        """Input cells under the window's taps (the figure's highlighted input cells)."""
        back = {f: q for q, f in self.where.items()}
        return frozenset(back[f] for f in self.window if f in back)

    def stamps(self) -> dict[Pos, list[Pos]]:
        """conv-transpose scatter view: each feeding input cell q -> the uncropped output
        positions q*s + t*d it stamps the kernel onto (the reference's definition)."""
        lay = self.layer
        return {q: [tuple(qa * s + ta * d for qa, ta, s, d in zip(q, t, lay.stride, lay.dilation))
                    for t in _taps(lay.kernel)] for q in sorted(self.support)}


def _taps(shape: tuple[int, ...]) -> list[Pos]:
    return list(itertools.product(*(range(n) for n in shape)))


def _responses(layer: Layer, coded: np.ndarray | None) -> np.ndarray:
    """R[*q, *p] = y[p] for the one-hot input at q: every input cell perturbed at once."""
    n = math.prod(layer.spatial)
    eye = np.eye(n).reshape(n, 1, *layer.spatial)  # (n, 1, *S): one one-hot per sample
    y = layer.call(eye, coded)[:, 0]  # (n, *out)
    return y.reshape(*layer.spatial, *y.shape[1:])  # (*S, *out)


def _frame_size(lay: Layer, out: tuple[int, ...]) -> tuple[int, ...]:
    """conv-transpose: the stuffed input padded by d(k-1) (and output_padding at the end);
    conv and pooling: the padded input, extended by the ceil-mode overhang."""
    if lay.op == "conv-transpose":
        ops = lay.output_padding or (0,) * lay.rank
        return tuple((i - 1) * s + 1 + 2 * d * (k - 1) + op for i, s, d, k, op in
                     zip(lay.spatial, lay.stride, lay.dilation, lay.kernel, ops))
    return tuple(max(pb + i + pa, (o - 1) * s + d * (k - 1) + 1)
                 for i, (pb, pa), o, s, d, k in zip(lay.spatial, lay.padding, out,
                                                     lay.stride, lay.dilation, lay.kernel))


def _frame(layer: Layer, out: tuple[int, ...]) -> tuple[tuple[int, ...], dict, dict, list]:
    """Frame size, kinds, input positions and the windows view of cell numbers."""
    lay = layer
    frame = _frame_size(lay, out)
    if lay.op == "conv-transpose":
        ext = [d * (k - 1) for k, d in zip(lay.kernel, lay.dilation)]
        where = {q: tuple(e + qa * s for qa, e, s in zip(q, ext, lay.stride))
                 for q in _taps(lay.spatial)}
        first = tuple(pb for pb, _ in lay.padding)  # output cell 0's window starts here
        stride, span = (1,) * lay.rank, [(pb, f - pa) for f, (pb, pa) in zip(frame, lay.padding)]
    else:
        where = {q: tuple(qa + pb for qa, (pb, _) in zip(q, lay.padding))
                 for q in _taps(lay.spatial)}
        first, stride = (0,) * lay.rank, lay.stride
        span = [(0, pb + i + pa) for i, (pb, pa) in zip(lay.spatial, lay.padding)]
    inputs = set(where.values())
    kinds = {}
    for f in _taps(frame):
        inside = all(lo <= fa < hi for fa, (lo, hi) in zip(f, span))
        if f in inputs:
            kinds[f] = "input"
        elif lay.op == "conv-transpose":
            kinds[f] = "stuffed" if inside else "crop"
        else:
            kinds[f] = "pad" if inside else "overhang"
    numbers = np.arange(math.prod(frame)).reshape(1, 1, *frame)  # cell numbers, row-major
    numbers = numbers[(slice(None), slice(None), *(slice(a, None) for a in first))]
    view = windows(numbers, lay.kernel, stride, lay.dilation, out)[0, 0]  # (*out, *K)
    return frame, kinds, where, view


def build(layer: Layer, cell: Pos | None = None, *, numbers: bool = False, seed: int = 0,
          x: Any = None, w: Any = None) -> Figure:
    """The figure model of ``layer`` for output ``cell`` (default: the first).

    numbers: fill the input and kernel with small integers drawn from ``seed`` (or use the
    given ``x`` (*spatial) and ``w`` (*kernel)); the reference's output and the cell's
    arithmetic are then part of the model.
    """
    out = layer.out()
    for name, size in (("input", layer.spatial), ("padded frame", _frame_size(layer, out))):
        if math.prod(size) > MAX_CELLS:
            raise TooLarge(f"{name} {'x'.join(map(str, size))} has {math.prod(size)} cells, but "
                           f"should have at most {MAX_CELLS} to be drawn (`cnnspec shape` gives "
                           f"the sizes of any layer)")
    cell = tuple(cell) if cell is not None else (0,) * layer.rank
    if len(cell) != layer.rank or not all(0 <= c < o for c, o in zip(cell, out)):
        raise InvalidConfig(f"cell={cell}, but should be inside the output "
                            f"{'x'.join(map(str, out))} (0 <= cell[a] < out[a] on each of "
                            f"{layer.rank} axes)", rule=OUT_RULE[layer.op])
    conv_like = layer.op in ("conv", "conv-transpose")
    coded = (np.arange(1, math.prod(layer.kernel) + 1, dtype=float).reshape(1, 1, *layer.kernel)
             if conv_like else None)  # tap t weighs t + 1: the response names the tap
    resp = _responses(layer, coded)[(..., *cell)]  # (*S)
    support = frozenset(tuple(int(v) for v in q) for q in np.argwhere(resp != 0))
    tap_order = _taps(layer.kernel)
    tap_of = {q: int(resp[q]) - 1 for q in support} if conv_like else {}
    divisor = None
    if layer.op == "avg-pool":
        divisor = int(round(1 / float(resp[next(iter(support))])))
    frame, kinds, where, view = _frame(layer, out)
    window = [tuple(int(v) for v in np.unravel_index(int(view[(*cell, *t)]), frame))
              for t in tap_order]
    fig = Figure(layer, out, cell, frame, kinds, where, window, support, tap_of, divisor)
    for a in reversed(range(layer.rank)):  # the next window along the last axis that has one
        for step in (1, -1):
            nxt = tuple(c + step * (b == a) for b, c in enumerate(cell))
            if fig.next_cell is None and 0 <= nxt[a] < out[a]:
                fig.next_cell = nxt
                fig.next_window = [tuple(int(v) for v in np.unravel_index(
                    int(view[(*nxt, *t)]), frame)) for t in tap_order]
    if numbers or x is not None:
        _numbers(fig, seed, x, w)
    return fig


def _numbers(fig: Figure, seed: int, x: Any, w: Any) -> None:
    lay = fig.layer
    rng = np.random.default_rng(seed)
    fig.x = (np.asarray(x, dtype=np.int64) if x is not None
             else rng.integers(0, 4, size=lay.spatial))  # (*S)
    if lay.op in ("conv", "conv-transpose"):
        fig.w = (np.asarray(w, dtype=np.int64) if w is not None
                 else rng.integers(-1, 3, size=lay.kernel))  # (*K)
    xx = fig.x.reshape(1, 1, *lay.spatial).astype(float)  # (1, 1, *S)
    ww = None if fig.w is None else fig.w.reshape(1, 1, *lay.kernel).astype(float)
    fig.y = lay.call(xx, ww)[0, 0]  # (*out)
    fig.terms = cell_arithmetic(fig)


def _num(v: Any) -> str:
    v = Fraction(v).limit_denominator(10**6)
    text = str(v.numerator) if v.denominator == 1 else f"{v.numerator}/{v.denominator}"
    return text.replace("-", "\u2212")


def _factor(v: Any) -> str:
    """A factor after a product sign: negative values in parentheses, 3\u00b7(\u22121)."""
    return f"({_num(v)})" if v < 0 else _num(v)


def cell_arithmetic(fig: Figure) -> str:
    """The chosen cell's value written out term by term; the total is the reference's."""
    lay, value = fig.layer, fig.y[fig.cell]
    idx = "y[" + ",".join(map(str, fig.cell)) + "]"
    back = {f: q for q, f in fig.where.items()}
    if lay.op == "conv":
        terms = [(fig.x[back[f]] if f in back else 0, fig.w[t])
                 for f, t in zip(fig.window, _taps(lay.kernel))]
        body = " + ".join(f"{_num(a)}\u00b7{_factor(b)}" for a, b in terms)
        check = sum(int(a) * int(b) for a, b in terms)
    elif lay.op == "conv-transpose":
        taps = _taps(lay.kernel)
        terms = [(fig.x[q], fig.w[taps[fig.tap_of[q]]]) for q in sorted(fig.support)]
        body = " + ".join(f"{_num(a)}\u00b7{_factor(b)}" for a, b in terms)
        check = sum(int(a) * int(b) for a, b in terms)
    elif lay.op == "max-pool":
        vals = [fig.x[back[f]] if f in back else None for f in fig.window]
        body = "max(" + ", ".join("\u2212\u221e" if v is None else _num(v) for v in vals) + ")"
        check = max(int(v) for v in vals if v is not None)
    else:
        vals = [fig.x[back[f]] if f in back else 0 for f in fig.window
                if fig.kinds[f] != "overhang"]
        body = "(" + " + ".join(_num(v) for v in vals) + f") / {fig.divisor}"
        check = Fraction(sum(int(v) for v in vals), fig.divisor)
    if Fraction(check) != Fraction(float(value)).limit_denominator(10**6):
        raise AssertionError(f"{idx}: the terms give {check}, the reference {value}")
    text = f"{idx} = {body} = {_num(value)}"
    if isinstance(check, Fraction) and check.denominator != 1:
        text += f" \u2248 {float(value):.3g}"
    return text


def out_size_lines(layer: Layer, out: tuple[int, ...]) -> list[str]:
    """Each axis's output size written out with the rule's formula (values from formulas)."""
    lines = []
    ops = layer.output_padding or (0,) * layer.rank
    for a, o in enumerate(out):
        i, k, s, d = layer.spatial[a], layer.kernel[a], layer.stride[a], layer.dilation[a]
        pb, pa = layer.padding[a]
        name = f"axis {a}: " if layer.rank > 1 else ""
        eff = f"{d}\u00b7({k}\u22121)" if d != 1 else f"({k}\u22121)"
        if layer.op == "conv-transpose":
            lines.append(f"{name}o = ({i}\u22121)\u00b7{s} \u2212 {pb} \u2212 {pa} + {eff} + "
                         f"{ops[a]} + 1 = {o}   [conv-transpose.out-size]")
            continue
        core = f"({i} + {pb} + {pa} \u2212 {eff} \u2212 1) / {s}"
        if "pool" in layer.op and layer.ceil_mode:
            ceil = formulas.ceil_div(i + pb + pa - d * (k - 1) - 1, s) + 1
            text = f"{name}o = \u2308{core}\u2309 + 1 = {ceil}"
            if ceil != o:
                text += f", last window starts in the right padding: dropped, o = {o}"
            lines.append(text + "   [pool.ceil-mode]")
        else:
            lines.append(f"{name}o = \u230a{core}\u230b + 1 = {o}   [{OUT_RULE[layer.op]}]")
    return lines
