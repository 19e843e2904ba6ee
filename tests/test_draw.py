"""cnnspec draw: the figure model agrees with the reference, and the command writes files.

The model's highlighted cells are compared with the support of the reference's dependency
computed here independently: each input cell is perturbed on its own and the reference
op (called directly) is asked whether the chosen output cell changed.
"""

from __future__ import annotations

import itertools
import math
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from cnnspec import formulas, ref
from cnnspec.cli import main
from cnnspec.draw.model import Layer, build
from cnnspec.errors import InvalidConfig

pytest.importorskip("matplotlib")


def _cells(shape):
    return list(itertools.product(*(range(n) for n in shape)))


def _call(layer, x, w):
    """The reference op, called directly (not through the model's Layer.call)."""
    kw = dict(stride=layer.stride, padding=layer.padding)
    if layer.op == "conv":
        return ref.conv(x, w, dilation=layer.dilation, **kw)
    if layer.op == "conv-transpose":
        return ref.conv_transpose(x, w, dilation=layer.dilation,
                                  output_padding=layer.output_padding, **kw)
    if layer.op == "max-pool":
        return ref.max_pool(x, kernel=layer.kernel, dilation=layer.dilation,
                            ceil_mode=layer.ceil_mode, **kw)
    return ref.avg_pool(x, kernel=layer.kernel, ceil_mode=layer.ceil_mode,
                        count_include_pad=layer.count_include_pad, **kw)


def dependency(layer, cell):
    """Input cells q such that changing x[q] alone changes y[cell]: one reference call per q.
    Weights 1 + t (never zero), base input 0, the perturbation +1."""
    w = np.arange(1.0, math.prod(layer.kernel) + 1).reshape(1, 1, *layer.kernel)  # (1, 1, *K)
    base = np.zeros((1, 1, *layer.spatial))  # (1, 1, *S)
    y0 = _call(layer, base, w)[(0, 0, *cell)]
    found = set()
    for q in _cells(layer.spatial):
        x = base.copy()
        x[(0, 0, *q)] = 1.0
        if _call(layer, x, w)[(0, 0, *cell)] != y0:
            found.add(q)
    return found


@st.composite
def layers(draw):
    op = draw(st.sampled_from(("conv", "conv-transpose", "max-pool", "avg-pool")), label="op")
    rank = draw(st.integers(1, 2), label="rank")
    axes = st.integers(1, 3)
    spatial = tuple(draw(st.lists(st.integers(1, 6), min_size=rank, max_size=rank),
                         label="spatial"))
    kernel = tuple(draw(st.lists(axes, min_size=rank, max_size=rank), label="kernel"))
    stride = tuple(draw(st.lists(axes, min_size=rank, max_size=rank), label="stride"))
    dilation = ((1,) * rank if op == "avg-pool" else
                tuple(draw(st.lists(st.integers(1, 2), min_size=rank, max_size=rank),
                           label="dilation")))
    padding = tuple(draw(st.lists(st.tuples(st.integers(0, 2), st.integers(0, 2)),
                                  min_size=rank, max_size=rank), label="padding"))
    ceil = "pool" in op and draw(st.booleans(), label="ceil_mode")
    include = op != "avg-pool" or draw(st.booleans(), label="count_include_pad")
    output_padding = ()
    if op == "conv-transpose":
        output_padding = tuple(draw(st.integers(0, max(s, d) - 1), label="output_padding")
                               for s, d in zip(stride, dilation))
    layer = Layer(op, spatial, kernel, stride, padding, dilation, ceil_mode=ceil,
                  count_include_pad=include, output_padding=output_padding)
    try:
        out = layer.out()
    except InvalidConfig:
        assume(False)  # kernel larger than the padded input, or a padding-only window
    cell = tuple(draw(st.integers(0, o - 1), label=f"cell[{a}]") for a, o in enumerate(out))
    return layer, cell


@pytest.mark.cites("conv.def", "conv-transpose.def", "pool.max-def", "pool.avg-def",
                   "conv-transpose.zero-stuffed")
@settings(max_examples=150)
@given(case=layers())
def test_highlighted_cells_are_the_references_dependency(case):
    layer, cell = case
    fig = build(layer, cell)
    expected = dependency(layer, cell)
    if "pool" in layer.op:  # a pooling window always reads input [pool.window-has-input]
        assert expected, f"no input cell feeds {cell} of {layer}"
    assert set(fig.support) == expected, (
        f"support={sorted(fig.support)}, but should be {sorted(expected)} [{layer.op}] {layer}")
    # the window drawn on the frame (padded, or zero-stuffed for conv-transpose) lands on
    # exactly those input cells
    assert set(fig.input_window) == expected, (
        f"window on the input={sorted(fig.input_window)}, but should be {sorted(expected)} {layer}")


@pytest.mark.cites("conv.out-size", "pool.out-size", "conv-transpose.out-size")
@settings(max_examples=80)
@given(case=layers())
def test_window_taps_sit_where_the_formula_puts_them(case):
    layer, cell = case
    fig = build(layer, cell)
    taps = _cells(layer.kernel)
    if layer.op == "conv-transpose":  # output p reads stuffed-frame cells p + pb + t*d
        want = [tuple(c + pb + t * d for c, (pb, _), t, d in
                      zip(cell, layer.padding, tp, layer.dilation)) for tp in taps]
        where = {q: tuple(d * (k - 1) + v * s for v, d, k, s in
                          zip(q, layer.dilation, layer.kernel, layer.stride))
                 for q in _cells(layer.spatial)}
    else:  # output p reads padded cells p*s + t*d
        want = [tuple(c * s + t * d for c, s, t, d in zip(cell, layer.stride, tp, layer.dilation))
                for tp in taps]
        where = {q: tuple(v + pb for v, (pb, _) in zip(q, layer.padding))
                 for q in _cells(layer.spatial)}
    assert fig.window == want, f"window={fig.window}, but should be {want} {layer}"
    assert fig.where == where
    out = {"conv": formulas.conv_out_shape, "max-pool": formulas.pool_out_shape}
    assert fig.out == _call(layer, np.zeros((1, 1, *layer.spatial)),
                            np.ones((1, 1, *layer.kernel))).shape[2:]
    assert layer.op not in out or fig.out == layer.out()


@pytest.mark.cites("conv.def", "pool.avg-divisor")
@settings(max_examples=80)
@given(case=layers(), seed=st.integers(0, 2**16))
def test_written_arithmetic_is_the_references_value(case, seed):
    layer, cell = case
    fig = build(layer, cell, numbers=True, seed=seed)
    x = fig.x.reshape(1, 1, *layer.spatial).astype(float)
    w = None if fig.w is None else fig.w.reshape(1, 1, *layer.kernel).astype(float)
    y = _call(layer, x, w)[(0, 0, *cell)]
    assert fig.terms.startswith(f"y[{','.join(map(str, cell))}] = ")
    total = fig.terms.rsplit(" = ", 1)[1].split(" \u2248")[0].replace("\u2212", "-")
    num, _, den = total.partition("/")
    assert int(num) / int(den or 1) == pytest.approx(y, rel=1e-12, abs=0)
    if layer.op == "avg-pool":  # divisor: the input cells of the window over the mean of ones
        ones = _call(layer, np.ones((1, 1, *layer.spatial)), None)[(0, 0, *cell)]
        assert fig.divisor == round(len(dependency(layer, cell)) / ones)


def test_seed003_erratum_sum_is_the_correct_154():  # spec/errata.md E1 [conv.def]
    layer = Layer("conv", (4, 4), (3, 3), (1, 1), ((0, 0), (0, 0)), (1, 1))
    x = [[9, 8, 7, 6], [5, 4, 3, 2], [1, 2, 3, 4], [5, 6, 7, 8]]
    w = [[1, 2, 3], [4, 5, 6], [7, 8, 9]]
    fig = build(layer, (0, 0), x=x, w=w)
    # hand: 9 + 16 + 21 + 20 + 20 + 18 + 7 + 16 + 27 = 154 (the source wrote 8·1 and 146)
    assert fig.terms == "y[0,0] = 9·1 + 8·2 + 7·3 + 5·4 + 4·5 + 3·6 + 1·7 + 2·8 + 3·9 = 154"


# ---------------------------------------------------------------- the command


def _magic(path):
    return path.read_bytes()[:8]


def test_draw_writes_svg_png_and_gif(tmp_path, capsys):
    svg, png, gif = tmp_path / "b.svg", tmp_path / "c.png", tmp_path / "a.gif"
    assert main(["draw", "conv-transpose", "-i", "3", "-k", "3", "-s", "2", "-o", str(svg)]) == 0
    assert svg.read_text(encoding="utf-8").lstrip().startswith("<?xml")
    assert main(["draw", "max-pool", "-i", "5", "-k", "2", "-s", "2", "--ceil-mode",
                 "-o", str(png)]) == 0
    assert _magic(png) == b"\x89PNG\r\n\x1a\n"
    assert main(["draw", "conv", "-i", "5", "-k", "3", "-s", "2", "-p", "1", "--numbers",
                 "-o", str(gif)]) == 0
    from PIL import Image

    with Image.open(gif) as im:
        assert im.format == "GIF" and im.n_frames == 9  # one per cell of the 3x3 output
    assert "o=3x3 (9 frames)" in capsys.readouterr().out


def test_draw_svg_is_byte_stable(tmp_path):
    a, b = tmp_path / "a.svg", tmp_path / "b.svg"
    for path in (a, b):
        assert main(["draw", "conv", "-i", "5", "-k", "3", "-d", "2", "--numbers",
                     "-o", str(path)]) == 0
    assert a.read_bytes() == b.read_bytes()


@pytest.mark.parametrize("argv, message", [
    (["conv", "-i", "5", "-k", "7"], r"dilated kernel=7, but should be <= padded input=5 "
                                     r"\[conv\.kernel-fits\]"),
    (["conv", "-i", "5", "-k", "3", "--cell", "3,0"], r"cell=\(3, 0\).*\[conv\.out-size\]"),
    (["max-pool", "-i", "4", "-k", "2", "-p", "3"], r"\[pool\.kernel-fits\]|"
                                                    r"\[pool\.window-has-input\]"),
    (["avg-pool", "-i", "5", "-k", "2", "-d", "2"], r"\[config\.dilation\]"),
    (["conv-transpose", "-i", "3", "-k", "3", "-s", "2", "--output-padding", "2"],
     r"output_padding=2, but should be < max\(stride=2, dilation=1\)=2 "
     r"\[conv-transpose\.output-padding\]"),
    (["conv", "-i", "5", "-k", "0"], r"\[config\.kernel\]"),
    (["conv", "-i", "100", "-k", "3"], r"10000 cells, but should have at most 1024"),
])
def test_draw_rejects_bad_input_with_the_rule(argv, message, tmp_path, capsys):
    out = tmp_path / "x.png"
    assert main(["draw", *argv, "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "Traceback" not in err
    import re

    assert re.search(message, err), err
    assert not out.exists()


def test_draw_rejects_an_unknown_suffix(tmp_path, capsys):
    assert main(["draw", "conv", "-i", "5", "-k", "3", "-o", str(tmp_path / "x.jpg")]) == 2
    assert "should end in .svg, .png or .gif" in capsys.readouterr().err


def test_draw_without_matplotlib_names_the_extra(tmp_path, capsys, monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # import matplotlib raises
    assert main(["draw", "conv", "-i", "5", "-k", "3", "-o", str(tmp_path / "x.png")]) == 2
    assert 'pip install "cnnspec[draw]"' in capsys.readouterr().err


def test_the_cli_does_not_import_matplotlib():
    code = "import sys, cnnspec.cli; sys.exit('matplotlib' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code]).returncode == 0


def test_conform_style_names_the_target(monkeypatch, capsys):
    import cnnspec.conform as conform

    class Stop(conform.UsageError):
        pass

    def fake_runner(target, **kwargs):
        raise Stop(f"target={target}")

    monkeypatch.setattr(conform, "Runner", fake_runner)
    assert main(["conform", "--style", "cs231n", "layers.py"]) == 2
    assert "target=cs231n:layers.py" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["conform", "--style", "nope", "layers.py"])
