"""`cnnspec summary`: the layer language, Python files, output formats, exit code 2."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest
from helpers import cites

from cnnspec.cli import main
from cnnspec.layers import (
    BatchNorm,
    Conv,
    Dense,
    Flatten,
    GlobalAvgPool,
    LayerSyntaxError,
    MaxPool,
    ReLU,
    Residual,
    parse,
)


@cites("conv.out-size", "params.conv")
def test_seed000_network_as_text(capsys):
    assert main(["summary", "--input", "3x32x32", "conv(20, 7) relu conv(30, 5)"]) == 0
    out = capsys.readouterr().out
    assert "(20, 26, 26)" in out and "(30, 22, 22)" in out  # 32-7+1; 26-5+1
    assert "Total params: 17,990" in out  # 20*147 + 20 + 30*500 + 30


@cites("params.dense", "net.flatten")
def test_json_output(capsys):
    assert main(["summary", "--input", "1x28x28", "--json",
                 "conv(25,3) maxpool(2) conv(50,3) maxpool(2) flatten dense(10)"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["rows"][4]["output_shape"] == [1250]  # 50*5*5
    assert data["total_params"] == 250 + 11_300 + 12_510  # 1250*10 + 10


def test_markdown_output(capsys):
    assert main(["summary", "--input", "3x8x8", "--markdown", "conv(4, 3, p=1) bn relu"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("| # | Layer | Type | Output shape |")
    assert lines[2].startswith("| 0 | Conv(4, 3, padding=1) | Conv2d | (4, 8, 8) | 112 |")


@cites("conv.out-size", "conv.kernel-fits")
def test_symbolic_input_prints_simplified_sizes_and_constraints(capsys):
    assert main(["summary", "--input", "3xHxW", "conv(8, 3, s=2, p=1) maxpool(2) conv(8, 5)"]) == 0
    out = capsys.readouterr().out
    assert "(8, ceiling(H/2), ceiling(W/2))" in out
    # floor(ceiling(H/2)/2) - 4 >= 1  <=>  ceiling(H/2) >= 10  <=>  H >= 19
    assert "Valid when: H >= 19; W >= 19" in out


@cites("net.residual-shape")
def test_residual_blocks_in_the_language(capsys):
    text = ("conv(16, 3, p=1) res[conv(16, 3, p=1) bn relu conv(16, 3, p=1) bn]*2 "
            "res[conv(32, 3, s=2, p=1) bn | conv(32, 1, s=2) bn] gap dense(10)")
    assert main(["summary", "--input", "3x32x32", text]) == 0
    out = capsys.readouterr().out
    assert "3.shortcut.0" in out and "(32, 16, 16)" in out


def test_parse_the_language():
    assert parse("conv(64, 7, s=2, p=3) bn relu maxpool(3, 2, 1)") == [
        Conv(64, 7, stride=2, padding=3), BatchNorm(), ReLU(), MaxPool(3, stride=2, padding=1)]
    assert parse("conv(8, 3x5, p=1:2x0:1, bias=false)") == [
        Conv(8, (3, 5), padding=((1, 2), (0, 1)), bias=False)]
    assert parse("flatten dense(10, in=36)") == [Flatten(), Dense(10, in_features=36)]
    block = parse("res[conv(8, 3, p=1) | conv(8, 1)]*2 gap fc(10)")
    assert block == [Residual([Conv(8, 3, padding=1)], [Conv(8, 1)])] * 2 + [GlobalAvgPool(),
                                                                          Dense(10)]


@pytest.mark.parametrize("text, where", [
    ("conv(20", "column 8"), ("foo(3)", "column 1"), ("relu*0", "column 6"),
    ("conv(k=3, 5)", "column 11"), ("res[relu", "column 9"),
    ("conv(1, 2, 3, 4, 5, 6, 7)", "at most 6"),
    ("conv(4, 3, colour=2)", "unexpected keyword"),
    ("conv(4, 3x)", "column 9, found '3x'"), ("maxpool(1..5)", "column 9, found '1..5'"),
    ("act(3)", "fn=3 \\(int\\), but should be the function's name"),
    ("conv(4, 3, name=3)", "name=3 \\(int\\), but should be a str"),
])
def test_syntax_errors_point_at_the_text(text, where):
    with pytest.raises(LayerSyntaxError, match=where):
        parse(text)


@cites("conv.kernel-fits")
def test_invalid_network_exits_2_naming_layer_and_rule(capsys):
    assert main(["summary", "--input", "3x5x5", "conv(4, 3) conv(4, 7)"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: layer 1 (Conv(4, 7)): dilated kernel=7")
    assert "[conv.kernel-fits]" in err


@pytest.mark.parametrize("argv", [
    ["summary", "--input", "3x5x5", "conv(4,"],
    ["summary", "--input", "3x5x5"],
    ["summary", "--input", "3x5x5", "relu", "--file", "x.py"],
    ["summary", "--input", "3x5x-5", "relu"],
    ["summary", "--input", "3x5x5", "--file", "/nonexistent/model.py"],
], ids=["syntax", "no-model", "two-models", "bad-input", "missing-file"])
def test_bad_input_exits_2(argv, capsys):
    assert main(argv) == 2
    assert capsys.readouterr().err.startswith("error: ")


def test_python_file_with_a_list_of_specs(tmp_path, capsys):
    path = tmp_path / "specs_model.py"
    path.write_text(textwrap.dedent("""
        from cnnspec.layers import Conv, ReLU, MaxPool
        model = [Conv(20, 7), ReLU(), MaxPool(2)]
        other = [Conv(1, 1)]
    """))
    assert main(["summary", "--input", "3x32x32", "--file", str(path)]) == 0
    assert "(20, 13, 13)" in capsys.readouterr().out  # 26 // 2
    assert main(["summary", "--input", "3x32x32", "--file", str(path), "--attr", "other"]) == 0
    assert "(1, 32, 32)" in capsys.readouterr().out
    assert main(["summary", "--input", "3x32x32", "--file", str(path), "--attr", "nope"]) == 2


@pytest.mark.torch
@cites("params.conv", "params.dense")
def test_python_file_with_a_torch_module(tmp_path, capsys):
    pytest.importorskip("torch")
    path = tmp_path / "tnet.py"
    path.write_text(textwrap.dedent("""
        import torch.nn as nn
        net = nn.Sequential(nn.Conv2d(1, 6, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                            nn.Linear(6 * 12 * 12, 10))
    """))
    assert main(["summary", "--input", "1x28x28", "--file", str(path), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["total_params"] == 156 + 8_650  # (25 + 1)*6; 864*10 + 10
    assert [r["name"] for r in data["rows"]][:2] == ["0", "1"]


def test_documented_example_runs_in_a_fresh_process():
    r = subprocess.run([sys.executable, "-m", "cnnspec.cli", "summary", "--input", "3x224x224",
                        "conv(64, 7, s=2, p=3) bn relu maxpool(3, 2, 1) gap dense(1000)"],
                       capture_output=True, text=True, check=False)
    assert r.returncode == 0, r.stderr
    assert "(64, 56, 56)" in r.stdout  # 112 after the stem, 56 after the pool
    assert "Total params: 74,600" in r.stdout  # 64*147 + 64, 2*64, 64*1000 + 1000


# ---------------------------------------------------------------------- clean edges (issue 15)


def _run_file(tmp_path, source: str, capsys, name: str = "model.py") -> tuple[int, str]:
    path = tmp_path / name
    path.write_text(textwrap.dedent(source))
    code = main(["summary", "--input", "3x8x8", "--file", str(path)])
    return code, capsys.readouterr().err


def test_an_exception_in_the_model_file_is_reported_as_the_model_s(tmp_path, capsys):
    # before: a traceback through cnnspec/cli.py and runpy, exit 1
    code, err = _run_file(tmp_path, """
        def build():
            raise RuntimeError("weights missing")
        model = build()
    """, capsys)
    assert code == 2
    assert err.startswith(f"error: --file='{tmp_path / 'model.py'}' raised RuntimeError: "
                          f"weights missing\n")
    assert 'model.py", line 4, in <module>' in err and 'model.py", line 3, in build' in err
    assert "Traceback" not in err and "cli.py" not in err and "runpy" not in err


def test_a_model_factory_that_raises_is_reported_with_its_frames(tmp_path, capsys):
    code, err = _run_file(tmp_path, """
        def model():
            return {}["layers"]
    """, capsys)
    assert code == 2 and "raised KeyError: 'layers'" in err
    assert 'model.py", line 3, in model' in err and "cli.py" not in err


@pytest.mark.parametrize("source, raised", [
    ("import not_a_module_anywhere\n", "raised ModuleNotFoundError: No module named "
                                       "'not_a_module_anywhere'"),
    ("import sys\nsys.exit(3)\n", "raised SystemExit: 3"),
    ("from cnnspec.layers import Dropout\nmodel = [Dropout(1.5)]\n",
     "raised InvalidConfig: p=1.5, but should be 0 <= p < 1 [net.layer]"),
], ids=["missing-import", "sys-exit", "invalid-spec"])
def test_other_model_file_failures_exit_2(tmp_path, capsys, source, raised):
    code, err = _run_file(tmp_path, source, capsys)
    assert code == 2 and raised in err and "Traceback" not in err, err


def test_the_model_file_imports_its_neighbours_and_sys_path_is_restored(tmp_path, capsys):
    # before: ModuleNotFoundError for a sibling module unless run from its folder
    (tmp_path / "blocks_for_cnnspec_test.py").write_text(textwrap.dedent("""
        from cnnspec.layers import Conv, ReLU
        STEM = [Conv(20, 7), ReLU()]
    """))
    before = list(sys.path)
    code, err = _run_file(tmp_path, "from blocks_for_cnnspec_test import STEM\nmodel = STEM\n",
                          capsys)
    assert code == 0, err
    assert sys.path == before
    sys.modules.pop("blocks_for_cnnspec_test", None)


def test_an_error_in_a_neighbour_module_shows_its_frames(tmp_path, capsys):
    (tmp_path / "broken_for_cnnspec_test.py").write_text("x = 1\nraise ValueError('bad block')\n")
    code, err = _run_file(tmp_path, "import broken_for_cnnspec_test\n", capsys)
    sys.modules.pop("broken_for_cnnspec_test", None)
    assert code == 2 and "raised ValueError: bad block" in err
    assert 'model.py", line 1, in <module>' in err
    assert 'broken_for_cnnspec_test.py", line 2, in <module>' in err


@cites("net.layer")
@pytest.mark.parametrize("text", ["relu dropout(1.5)", "dropout(1)", "dropout(abc)"])
def test_dropout_out_of_range_exits_2(text, capsys):
    assert main(["summary", "--input", "3x8x8", text]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: layers='{text}': dropout(") and "[net.layer]" in err, err


@cites("net.remainder")
def test_unread_cells_are_shown_in_the_table_not_only_in_json(capsys):
    # 9 cells, k=2, s=2: windows at 0, 2, 4, 6 cover [0, 8); cell 8 is unread on each axis
    assert main(["summary", "--input", "3x9x9", "conv(4, 2, s=2) maxpool(2)"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[-2] == "Input cells no window reads (dropped by the floor) [net.remainder]:"
    assert lines[-1] == "  layer 0 (Conv(4, 2, stride=2)): 1 on axis 0, 1 on axis 1"
    assert main(["summary", "--input", "3x9x9", "--markdown", "conv(4, 2, s=2) maxpool(2)"]) == 0
    out = capsys.readouterr().out
    assert "- Input cells no window reads (dropped by the floor) [net.remainder]:\n" \
           "  - layer 0 (Conv(4, 2, stride=2)): 1 on axis 0, 1 on axis 1\n" in out


@cites("net.remainder")
def test_no_unread_line_when_every_cell_is_read(capsys):
    assert main(["summary", "--input", "3x8x8", "conv(4, 2, s=2) maxpool(2)"]) == 0
    assert "no window reads" not in capsys.readouterr().out


def test_summary_refuses_an_image_shape_without_channels(capsys):
    # before: 28x28 was 28 channels of length 28
    assert main(["summary", "--input", "28x28", "flatten dense(10)"]) == 2
    assert "did you mean 1x28x28 or 3x28x28?" in capsys.readouterr().err
    assert main(["summary", "--input", "28x28", "--as-written", "flatten dense(10)"]) == 0
    assert "Total params: 7,850" in capsys.readouterr().out  # 784*10 + 10
