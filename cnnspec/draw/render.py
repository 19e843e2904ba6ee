"""Draw a figure model (cnnspec.draw.model.Figure) with matplotlib; save SVG, PNG or GIF.

Everything drawn comes from the model: cells, taps, support, sizes, values and sums.  No
pyplot: each figure is a matplotlib Figure on the Agg canvas, so nothing global changes.
SVG output is byte-stable for one matplotlib version (fixed hash salt, no date, text kept
as text); constraints.txt pins the version the committed spec/figures were made with.
"""

from __future__ import annotations

import itertools
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .model import Figure, Layer, build, out_size_lines

__all__ = ["require_matplotlib", "render", "save", "save_animation", "svg_text", "CELL_IN"]

CELL_IN = 0.42  # inches per grid cell
WIN, NEXT, OUTLINE = "#1f6fd1", "#e8710a", "#333333"
FACE = {"input": "white", "pad": "#d9d9d9", "overhang": "white", "stuffed": "#fbe8a6",
        "crop": "#bdbdbd"}
HATCH = {"overhang": "///", "crop": "xx"}
STAMPS = ("#2a9d8f", "#9b5de5", "#e63946", "#6a994e", "#b5838d", "#457b9d", "#bc6c25",
          "#3d405b")
SVG_RC = {"svg.hashsalt": "cnnspec", "svg.fonttype": "none", "font.family": "DejaVu Sans",
          "hatch.linewidth": 0.6}
CHAR_IN = 0.083  # width of one 10 pt character, for wrapping


def require_matplotlib() -> Any:
    """matplotlib, imported on first use; a clear error naming the extra when missing."""
    try:
        import matplotlib
        from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: F401
    except ImportError:
        raise ImportError('cnnspec draw needs matplotlib: pip install "cnnspec[draw]"') from None
    return matplotlib


class Panel:
    """A grid drawn at (x0, y0) in cell units; rank 3 as slices side by side."""

    def __init__(self, shape: tuple[int, ...], x0: float = 0, y0: float = 0, title: str = ""):
        self.shape, self.x0, self.y0, self.title = tuple(shape), x0, y0, title
        if len(shape) == 1:
            self.width, self.height = shape[0], 1
        elif len(shape) == 2:
            self.width, self.height = shape[1], shape[0]
        else:
            self.width, self.height = shape[0] * (shape[2] + 1) - 1, shape[1]

    def xy(self, p: tuple[int, ...]) -> tuple[float, float]:
        if len(p) == 1:
            return self.x0 + p[0], self.y0
        if len(p) == 2:
            return self.x0 + p[1], self.y0 + p[0]
        return self.x0 + p[0] * (self.shape[2] + 1) + p[2], self.y0 + p[1]

    def cells(self) -> list[tuple[int, ...]]:
        return list(itertools.product(*(range(n) for n in self.shape)))


def _rect(ax: Any, panel: Panel, p: tuple, **kw: Any) -> None:
    from matplotlib.patches import Rectangle

    x, y = panel.xy(p)
    ax.add_patch(Rectangle((x, y), 1, 1, **kw))


def _label(ax: Any, panel: Panel, p: tuple, text: str, **kw: Any) -> None:
    x, y = panel.xy(p)
    kw.setdefault("fontsize", 10)
    ax.text(x + 0.5, y + 0.5, text, ha="center", va="center", **kw)


def _grid(ax: Any, panel: Panel, kind: Callable[[tuple], str], text: Callable[[tuple], str]) -> None:
    for p in panel.cells():
        k = kind(p)
        _rect(ax, panel, p, facecolor=FACE[k], edgecolor="#777777", linewidth=0.7,
              hatch=HATCH.get(k), linestyle="--" if k == "overhang" else "-")
        label = text(p)
        if label:
            _label(ax, panel, p, label, color="#222222" if k == "input" else "#666666")
    if panel.title:
        ax.text(panel.x0, panel.y0 - 0.75, panel.title, fontsize=10, ha="left", va="bottom")
    if len(panel.shape) == 3:
        for a in range(panel.shape[0]):
            x, y = panel.xy((a, 0, 0))
            ax.text(x + panel.shape[2], y - 0.08, f"slice {a} of axis 0", fontsize=8,
                    ha="right", va="bottom", color="#555555")


def _highlight(ax: Any, panel: Panel, cells: list, color: str, alpha: float = 0.45) -> None:
    for p in cells:
        _rect(ax, panel, p, facecolor=color, alpha=alpha, edgecolor="none")
        _rect(ax, panel, p, facecolor="none", edgecolor=color, linewidth=2.0)


def _outline(ax: Any, panel: Panel, cells: list, color: str, style: str = "--",
             inset: float = 0.0) -> None:
    """The bounding box of ``cells`` (per slice for rank 3)."""
    from matplotlib.patches import Rectangle

    groups: dict = {}
    for p in cells:
        groups.setdefault(p[0] if len(p) == 3 else None, []).append(panel.xy(p))
    for pts in groups.values():
        xs, ys = [x for x, _ in pts], [y for _, y in pts]
        ax.add_patch(Rectangle((min(xs) + inset, min(ys) + inset), max(xs) - min(xs) + 1 - 2 * inset,
                               max(ys) - min(ys) + 1 - 2 * inset, facecolor="none",
                               edgecolor=color, linewidth=2.2, linestyle=style))


def _arrow(ax: Any, panel: Panel, a: tuple, b: tuple, color: str, text: str) -> None:
    """The stride: an arrow between the top-left corners of two windows, its label on a
    white box beside it (above a horizontal move, left of a vertical one)."""
    (xa, ya), (xb, yb) = panel.xy(a), panel.xy(b)
    if min(ya, yb) > panel.y0 and min(xa, xb) > panel.x0:
        text = ""  # inside the grid a label would cover values: the legend names the stride
    ax.annotate("", xy=(xb, yb), xytext=(xa, ya),
                arrowprops=dict(arrowstyle="-|>", color=color, linewidth=2.2,
                                shrinkA=0, shrinkB=0))
    horizontal = abs(xb - xa) >= abs(yb - ya)
    tx, ty = ((xa + xb) / 2, min(ya, yb) - 0.12) if horizontal else (min(xa, xb) - 0.12,
                                                                       (ya + yb) / 2)
    if text:
        ax.text(tx, ty, text, color=color, fontsize=9, fontweight="bold",
                ha="center" if horizontal else "right",
                va="bottom" if horizontal else "center",
                bbox=dict(boxstyle="round,pad=0.15", facecolor="white", edgecolor=color,
                          linewidth=0.8))


def _cell_name(p: tuple) -> str:
    return ",".join(map(str, p))


def _num(v: Any) -> str:
    from .model import _num as num

    return num(v)


def _frame_text(fig: Figure) -> Callable[[tuple], str]:
    back = {f: q for q, f in fig.where.items()}
    zero = "\u2212\u221e" if fig.layer.op == "max-pool" else "0"

    def text(f: tuple) -> str:
        k = fig.kinds[f]
        if k in ("pad", "stuffed"):
            return zero
        if k == "input" and fig.x is not None:
            return _num(fig.x[back[f]])
        return ""
    return text


def _layout(panels: list[list[Panel]], gap: float = 1.6) -> tuple[float, float]:
    """Place rows of panels left to right, rows top to bottom; returns (width, height)."""
    y, width = 1.3, 0.0
    for row in panels:
        x = 0.0
        for p in row:
            p.x0, p.y0 = x, y
            x += max(p.width, len(p.title) * CHAR_IN / CELL_IN) + gap
        width = max(width, x - gap, row[-1].x0 + row[-1].width)
        y += max(p.height for p in row) + 2.3
    return width, y - 2.3


def _finish(mfig: Any, ax: Any, width: float, height: float, title: str,
            lines: list[str]) -> None:
    """Title above, text lines below; size the figure to the content."""
    margin = 0.4
    w_units = max(width, 6.4 / CELL_IN - 2 * margin, len(title) * 0.11 / CELL_IN)
    chars = int(w_units * CELL_IN / CHAR_IN)
    wrapped = [part for line in lines for part in
               (textwrap.wrap(line, chars, subsequent_indent="    ", break_on_hyphens=False)
                or [""])]
    line_h = 0.62
    top = -0.9
    bottom = height + 0.5 + line_h * len(wrapped)
    ax.text(0, top + 0.2, title, fontsize=12, fontweight="bold", ha="left", va="bottom")
    for n, line in enumerate(wrapped):
        ax.text(0, height + 0.45 + n * line_h, line, fontsize=10, ha="left", va="top")
    ax.set_xlim(-margin, w_units + margin)
    ax.set_ylim(bottom + margin, top - 0.5 - margin)
    mfig.set_size_inches((w_units + 2 * margin) * CELL_IN,
                         (bottom - top + 0.5 + 2 * margin) * CELL_IN)
    ax.set_position([0, 0, 1, 1])
    ax.set_axis_off()


def render(fig: Figure, mfig: Any = None) -> Any:
    """Draw ``fig`` onto a new (or the given, cleared) matplotlib Figure and return it."""
    require_matplotlib()
    from matplotlib.figure import Figure as MFigure

    mfig = mfig or MFigure()
    mfig.clear()
    ax = mfig.add_axes([0, 0, 1, 1])
    lay = fig.layer
    if lay.op == "conv-transpose":
        width, height, lines = _transpose(ax, fig)
    else:
        width, height, lines = _sliding(ax, fig)
    out = "x".join(map(str, fig.out))
    _finish(mfig, ax, width, height, f"{lay.describe()}  \u2192  o={out}",
            out_size_lines(lay, fig.out) + lines)
    return mfig


def _kernel_panel(fig: Figure, flipped: bool = False) -> tuple[Panel, Callable]:
    lay = fig.layer
    d = "x".join(map(str, lay.dilation))
    title = "kernel" + (" (flipped)" if flipped else "") + (f", d={d}" if any(
        v != 1 for v in lay.dilation) else "")
    panel = Panel(lay.kernel, title=title)

    def text(t: tuple) -> str:
        if fig.w is None:
            return ""
        src = tuple(k - 1 - a for a, k in zip(t, lay.kernel)) if flipped else t
        return _num(fig.w[src])
    return panel, text


def _output_text(fig: Figure) -> Callable[[tuple], str]:
    return lambda p: "" if fig.y is None else _num(fig.y[p])


def _sliding(ax: Any, fig: Figure) -> tuple[float, float, list[str]]:
    """conv and pooling: the frame with the window, the kernel (conv), the output."""
    lay = fig.layer
    pads = "padding shaded" if any(v for pq in lay.padding for v in pq) else "no padding"
    frame = Panel(fig.frame, title=f"input {'x'.join(map(str, lay.spatial))}, {pads}")
    row = [frame]
    if lay.op == "conv":
        kpanel, ktext = _kernel_panel(fig)
        row.append(kpanel)
    outp = Panel(fig.out, title=f"output {'x'.join(map(str, fig.out))}")
    row.append(outp)
    width, height = _layout([row])
    _grid(ax, frame, fig.kinds.__getitem__, _frame_text(fig))
    if fig.next_window:
        _outline(ax, frame, fig.next_window, NEXT, ":", inset=0.12)
    _highlight(ax, frame, fig.window, WIN)
    _outline(ax, frame, fig.window, WIN, "--")
    if fig.next_window:
        a = next(i for i, (c, n) in enumerate(zip(fig.cell, fig.next_cell)) if c != n)
        _arrow(ax, frame, fig.window[0], fig.next_window[0], NEXT, f"stride {lay.stride[a]}")
    if lay.op == "conv":
        _grid(ax, kpanel, lambda t: "input", ktext)
        _highlight(ax, kpanel, kpanel.cells(), WIN, alpha=0.25)
    _grid(ax, outp, lambda p: "input", _output_text(fig))
    _highlight(ax, outp, [fig.cell], WIN)
    cell = _cell_name(fig.cell)
    what = {"conv": "its taps", "max-pool": "its window", "avg-pool": "its window"}[lay.op]
    n = len(fig.support)
    lines = [f"blue: output cell ({cell}) and {what} on the input ({n} input "
             f"{'cell feeds' if n == 1 else 'cells feed'} it, found by perturbing the reference)"]
    if fig.next_window:
        a = next(i for i, (c, n) in enumerate(zip(fig.cell, fig.next_cell)) if c != n)
        rule = "conv.stride" if lay.op == "conv" else "pool.out-size"
        lines.append(f"orange arrow: the stride, {lay.stride[a]} cells to the window of "
                     f"({_cell_name(fig.next_cell)}) (dotted)  [{rule}]")
    if "overhang" in fig.kinds.values():
        lines.append("hatched: the ceil-mode overhang past the padded input (no cells; never "
                     "counted)  [pool.ceil-mode]")
    if lay.op == "avg-pool":
        rule = "counts" if lay.count_include_pad else "does not count"
        lines.append(f"divisor of ({cell}): {fig.divisor} (count_include_pad={lay.count_include_pad}: "
                     f"padding {rule})  [pool.avg-divisor]")
    if fig.terms:
        lines.append(fig.terms)
    return width, height, lines


def _transpose(ax: Any, fig: Figure) -> tuple[float, float, list[str]]:
    """conv-transpose: the scatter view (input cells stamp the kernel into the uncropped
    output) above the zero-stuffed view (a stride-1 conv of the stuffed, padded input)."""
    lay = fig.layer
    full = tuple(o + pb + pa for o, (pb, pa) in zip(fig.out, lay.padding))
    inp = Panel(lay.spatial, title=f"input {'x'.join(map(str, lay.spatial))}")
    scat = Panel(full, title="scatter: each input cell stamps the kernel (s apart)")
    gaps = "x".join(str(s - 1) for s in lay.stride)
    pads = "x".join(str(d * (k - 1) - pb) for d, k, (pb, _) in
                    zip(lay.dilation, lay.kernel, lay.padding))
    frame = Panel(fig.frame, title=f"zero-stuffed: s\u22121 = {gaps} zeros between inputs, "
                                   f"padding d(k\u22121)\u2212p = {pads}")
    kpanel, ktext = _kernel_panel(fig, flipped=True)
    outp = Panel(fig.out, title=f"output {'x'.join(map(str, fig.out))}")
    width, height = _layout([[inp, scat], [frame, kpanel, outp]])
    def xtext(q: Any) -> str:
        return "" if fig.x is None else _num(fig.x[q])

    _grid(ax, inp, lambda q: "input", xtext)
    order = sorted(fig.support)
    for n, q in enumerate(order):
        _highlight(ax, inp, [q], STAMPS[n % len(STAMPS)], alpha=0.35)
    cropped = {p for p in scat.cells() if any(
        not pb <= c < pb + o for c, (pb, _), o in zip(p, lay.padding, fig.out))}
    _grid(ax, scat, lambda p: "crop" if p in cropped else "input", lambda p: "")
    for n, (_q, cells) in enumerate(fig.stamps().items()):
        _outline(ax, scat, cells, STAMPS[n % len(STAMPS)], "-", inset=0.08 + 0.06 * (n % 4))
    target = tuple(c + pb for c, (pb, _) in zip(fig.cell, lay.padding))
    _highlight(ax, scat, [target], WIN)
    _grid(ax, frame, fig.kinds.__getitem__, _frame_text(fig))
    _highlight(ax, frame, fig.window, WIN)
    _outline(ax, frame, fig.window, WIN, "--")
    _grid(ax, kpanel, lambda t: "input", ktext)
    _grid(ax, outp, lambda p: "input", _output_text(fig))
    _highlight(ax, outp, [fig.cell], WIN)
    cell = _cell_name(fig.cell)
    feeds = ", ".join(f"({_cell_name(q)})" for q in order)
    lines = [f"output cell ({cell}) (blue) is fed by input cells {feeds} (found by perturbing "
             f"the reference): their stamps are outlined; hatched cells are cropped by the "
             f"padding  [conv-transpose.def]",
             "zero-stuffed view: the same output as a stride-1 conv with the flipped kernel "
             "[conv-transpose.zero-stuffed]"]
    if fig.terms:
        lines.append(fig.terms)
    return width, height, lines


def svg_text(mfig: Any) -> str:
    """The figure as deterministic SVG text (same bytes for the same matplotlib)."""
    import io

    import matplotlib

    buf = io.StringIO()
    with matplotlib.rc_context(SVG_RC):
        mfig.savefig(buf, format="svg", metadata={"Date": None})
    return buf.getvalue()


def save(fig: Figure, path: str | Path, *, dpi: int = 150) -> None:
    """SVG or PNG by the suffix; GIF: the animation over every output cell."""
    import matplotlib

    path = Path(path)
    if path.suffix.lower() == ".gif":
        save_animation(fig.layer, path, numbers=fig.x is not None, x=fig.x, w=fig.w)
        return
    mfig = render(fig)
    if path.suffix.lower() == ".svg":
        path.write_text(svg_text(mfig), encoding="utf-8")
        return
    with matplotlib.rc_context(SVG_RC):
        mfig.savefig(path, format="png", dpi=dpi, metadata={"Software": None})


def save_animation(layer: Layer, path: str | Path, *, numbers: bool = False, seed: int = 0,
                   x: Any = None, w: Any = None, dpi: int = 80, fps: float = 1.25) -> int:
    """A GIF whose frames slide the window over every output cell, row-major; returns the
    number of frames.  Every frame is the model of that cell, rendered as above."""
    import matplotlib
    from matplotlib.animation import PillowWriter
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure as MFigure

    require_matplotlib()
    first = build(layer, numbers=numbers, seed=seed, x=x, w=w)
    cells = list(itertools.product(*(range(o) for o in first.out)))
    mfig = MFigure()
    FigureCanvasAgg(mfig)
    render(first, mfig)
    size = tuple(mfig.get_size_inches())
    writer = PillowWriter(fps=fps)
    with matplotlib.rc_context(SVG_RC), writer.saving(mfig, str(path), dpi):
        for c in cells:
            render(build(layer, c, numbers=numbers, seed=seed, x=first.x, w=first.w), mfig)
            mfig.set_size_inches(*size)
            writer.grab_frame()
    return len(cells)
