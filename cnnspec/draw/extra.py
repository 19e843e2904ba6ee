"""Two figures that are not one layer's window: a volume through two convs (the channel
rule) and the receptive field of a stack of layers.  Sizes from cnnspec.formulas, which
cells feed which from the reference (one-hot inputs through ref.conv)."""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import formulas, ref
from .render import CELL_IN, WIN, require_matplotlib

__all__ = ["volume_figure", "receptive_field_figure"]


def volume_figure(size: int, channels: int, layers: list[tuple[int, int]]) -> Any:
    """Boxes H x W x C for the input and after each conv (kernel k, c filters, no padding,
    stride 1): each filter spans the whole input depth [conv.channels]."""
    require_matplotlib()
    from matplotlib.figure import Figure
    from matplotlib.patches import Polygon

    shapes = [(size, channels)]
    for k, c in layers:
        shapes.append((formulas.conv_out_size(shapes[-1][0], k), c))
    px, dz = 0.075, 0.045  # inches per pixel, per channel (drawn obliquely)
    width = sum(s * px + c * dz * 0.7 for s, c in shapes) + 1.6 * len(shapes) + 0.4
    height = max(s * px + c * dz * 0.7 for s, c in shapes) + 2.2
    fig = Figure(figsize=(width, height))
    ax = fig.add_axes([0, 0, 1, 1])
    ax.set_xlim(0, width)
    ax.set_ylim(0, height)
    ax.set_axis_off()

    def box(x: float, y: float, s: float, c: float, face: str, edge: str = "#333333") -> None:
        ox, oy = c * dz * 0.7, c * dz * 0.7  # oblique depth
        front = [(x, y), (x + s, y), (x + s, y + s), (x, y + s)]
        top = [(x, y + s), (x + s, y + s), (x + s + ox, y + s + oy), (x + ox, y + s + oy)]
        side = [(x + s, y), (x + s + ox, y + oy), (x + s + ox, y + s + oy), (x + s, y + s)]
        for poly, shade in ((side, 0.8), (top, 0.9), (front, 1.0)):
            ax.add_patch(Polygon(poly, closed=True, facecolor=face, edgecolor=edge,
                                 linewidth=1.0, alpha=shade))

    x, base = 0.4, 0.9
    tops = []
    for n, (s, c) in enumerate(shapes):
        box(x, base, s * px, c, "#e8eef8" if n else "#f3f3f3")
        ax.text(x, base - 0.15, f"{s}\u00d7{s}\u00d7{c}", fontsize=11, fontweight="bold",
                va="top")
        if n < len(layers):
            k, c_out = layers[n]
            box(x + 0.05, base + (s - k) * px - 0.05, k * px, c, WIN, WIN)  # one filter
            o = shapes[n + 1][0]
            label = (f"{c_out} filters {k}\u00d7{k}\u00d7{c}\n{s} \u2212 {k} + 1 = {o}\n"
                     f"[conv.out-size]")
            tops.append((x + s * px + c * dz * 0.7 + 0.1, base + s * px / 2, label))
        x += s * px + c * dz * 0.7 + 1.6
    for tx, ty, label in tops:
        ax.annotate("", xy=(tx + 1.3, ty), xytext=(tx, ty),
                    arrowprops=dict(arrowstyle="-|>", color="#555555", linewidth=1.5))
        ax.text(tx + 0.65, ty + 0.12, label, fontsize=8.5, ha="center", va="bottom")
    ax.text(0.4, height - 0.25, "A filter spans the whole input depth; each filter makes "
            "one output channel  [conv.channels]", fontsize=11, va="top")
    return fig


def _one_layer_dependency(n_in: int, k: int, s: int, cell: int) -> list[int]:
    """Inputs of a 1-D conv (kernel of ones) that change output ``cell``: one-hot batch."""
    eye = np.eye(n_in).reshape(n_in, 1, n_in)  # (n_in, 1, n_in)
    y = ref.conv(eye, np.ones((1, 1, k)), stride=s)[:, 0, cell]  # (n_in,)
    return [int(q) for q in np.flatnonzero(y)]


def receptive_field_figure(n_in: int, stack: list[tuple[int, int]], cell: int) -> Any:
    """A 1-D stack of convs (kernel, stride; no padding): every layer's cells, the ones
    that feed output ``cell`` highlighted (from the reference), the receptive field from
    formulas.receptive_fields [rf.size] [rf.jump] [rf.start]."""
    require_matplotlib()
    from matplotlib.figure import Figure
    from matplotlib.patches import Rectangle

    sizes = [n_in]
    for k, s in stack:
        sizes.append(formulas.conv_out_size(sizes[-1], k, stride=s))
    rfs = [formulas.RF(1, 1, 0)] + formulas.receptive_fields(list(stack))
    feeds = [[cell]]  # top down: cells of each layer that feed the output cell
    for level in reversed(range(len(stack))):
        k, s = stack[level]
        cells = sorted({q for c in feeds[0] for q in _one_layer_dependency(sizes[level], k, s, c)})
        feeds.insert(0, cells)
    rows = len(sizes)
    fig = Figure(figsize=((n_in + 9) * CELL_IN, (2.2 * rows + 2.2) * CELL_IN))
    ax = fig.add_axes([0, 0, 1, 1])
    ax.set_xlim(-0.5, n_in + 8.5)
    ax.set_ylim(2.2 * rows + 1.6, -0.6)
    ax.set_axis_off()

    def centre(level: int, j: int) -> float:
        rf = rfs[level]
        return rf.start + j * rf.jump + (rf.size - 1) / 2

    for level, n in enumerate(sizes):
        y = 2.2 * (rows - level)
        for j in range(n):
            x = centre(level, j)
            on = j in feeds[level]
            ax.add_patch(Rectangle((x, y - 0.5), 1, 1, facecolor=WIN if on else "white",
                                   alpha=0.55 if on else 1, edgecolor="#555555"))
        if level:
            k, s = stack[level - 1]
            name = f"conv k={k}, s={s}: {n} cells"
            for j in feeds[level]:
                for q in _one_layer_dependency(sizes[level - 1], k, s, j):
                    ax.plot([centre(level, j) + 0.5, centre(level - 1, q) + 0.5],
                            [y - 0.5, y + 1.7], color=WIN, linewidth=0.8, alpha=0.6)
        else:
            name = f"input: {n} cells"
        rf = rfs[level]
        ax.text(n_in + 0.8, y, f"{name}\nrf size {rf.size}, jump {rf.jump}", fontsize=9,
                va="center")
    top = rfs[-1]
    span = (top.start + cell * top.jump, top.start + cell * top.jump + top.size)
    assert feeds[0] == list(range(*span)), (feeds[0], span)  # reference = formula [rf.size]
    ax.text(-0.3, 0.2, f"Output cell {cell} sees input cells {span[0]}..{span[1] - 1}: "
            f"rf size {top.size} = 1 + \u03a3 (k\u22121)\u00b7jump  [rf.size] [rf.jump]",
            fontsize=10, va="center")
    return fig
