"""The `cnnspec` command: shape arithmetic of one layer, errors with exit code 2."""

from __future__ import annotations

import argparse
import io
import re
import subprocess
import sys

import pytest
from helpers import cites

from cnnspec.cli import EXIT_BROKEN_PIPE, build_parser, main


@cites("conv.out-size", "params.conv", "macs.conv")
def test_shape_conv_resnet_stem(capsys):
    assert main(["shape", "conv", "--input", "3x224x224", "--out-channels", "64", "-k", "7",
                 "-s", "2", "-p", "3"]) == 0
    out = capsys.readouterr().out
    # floor((224 + 3 + 3 - 7) / 2) + 1 = floor(223/2) + 1 = 112
    assert "output (1, 64, 112, 112)" in out
    assert "params: 9472" in out  # 64*3*49 + 64
    assert "MACs: 118013952" in out  # 112*112*64*147


@cites("pool.ceil-mode")
def test_shape_max_pool_ceil_mode_with_asymmetric_padding(capsys):
    # i=5, k=2, s=2, pad (1, 1): ceil((7-2)/2)+1 = 4, but the 4th starts in the right padding
    assert main(["shape", "max-pool", "--input", "1x5", "-k", "2", "-p", "1", "--ceil-mode"]) == 0
    assert "output (1, 1, 3)" in capsys.readouterr().out


@cites("conv-transpose.out-size")
def test_shape_conv_transpose(capsys):
    # (4-1)*2 - 1 - 1 + (3-1) + 1 + 1 = 8
    assert main(["shape", "conv-transpose", "--input", "8x4x4", "--out-channels", "4", "-k", "3",
                 "-s", "2", "-p", "1", "--output-padding", "1"]) == 0
    assert "output (1, 4, 8, 8)" in capsys.readouterr().out


@cites("conv.out-size")
def test_shape_symbolic_input(capsys):
    assert main(["shape", "conv", "--input", "3xH", "--out-channels", "4", "-k", "3",
                 "-p", "1"]) == 0
    assert "output (1, 4, H)" in capsys.readouterr().out


@cites("conv.kernel-fits")
def test_bad_layer_exits_2_with_the_rule(capsys):
    assert main(["shape", "conv", "--input", "3x5x5", "--out-channels", "4", "-k", "7"]) == 2
    err = capsys.readouterr().err
    assert "[conv.kernel-fits]" in err and "dilated kernel=7" in err and "padded input=5" in err


@cites("conv.groups")
def test_groups_not_dividing_exits_2(capsys):
    assert main(["shape", "conv", "--input", "8x5x5", "--out-channels", "4", "-k", "3",
                 "-g", "3"]) == 2
    assert "groups=3 does not divide C_in=8 [conv.groups]" in capsys.readouterr().err


def test_console_entry_runs_as_a_module():
    r = subprocess.run([sys.executable, "-m", "cnnspec.cli", "--version"], capture_output=True,
                       text=True, check=False)
    assert r.returncode == 0 and r.stdout.startswith("cnnspec ")


# ---------------------------------------------------------------------- clean edges (issue 15)


@cites("conv-transpose.out-size", "config.padding")
@pytest.mark.parametrize("word", ["same", "full", "same_lower"])
def test_conv_transpose_refuses_padding_words(word, capsys):
    # before: -p same gave 29 for input 15, stride 2 (the forward conv's 'same' padding)
    assert main(["shape", "conv-transpose", "--input", "3x15", "--out-channels", "4", "-k", "3",
                 "-s", "2", "-p", word]) == 2
    err = capsys.readouterr().err
    assert f"padding='{word}', but should be ints or 'valid'" in err and "[config.padding]" in err


@cites("conv-transpose.out-size", "pad.valid")
def test_conv_transpose_takes_valid_as_zero_padding(capsys):
    assert main(["shape", "conv-transpose", "--input", "3x15", "--out-channels", "4", "-k", "3",
                 "-s", "2", "-p", "valid"]) == 0
    assert "output (1, 4, 31)" in capsys.readouterr().out  # (15-1)*2 + (3-1) + 1 = 31


@pytest.mark.parametrize("argv, message", [
    (["max-pool", "-k", "2", "--out-channels", "4"],
     r"--out-channels=4 was given for max-pool, but should be given only for conv or "
     r"conv-transpose [pool.channelwise]"),
    (["avg-pool", "-k", "2", "--out-channels", "4"], r"--out-channels=4 was given for avg-pool"),
    (["max-pool", "-k", "2", "-g", "2"], r"-g/--groups=2 was given for max-pool"),
    (["avg-pool", "-k", "2", "-g", "1"], r"-g/--groups=1 was given for avg-pool"),
    (["max-pool", "-k", "2", "--output-padding", "1"], r"--output-padding=1 was given for max-pool"),
    (["conv", "-k", "2", "--out-channels", "4", "--output-padding", "1"],
     r"--output-padding=1 was given for conv, but should be given only for conv-transpose"),
    (["avg-pool", "-k", "2", "-d", "2"],
     r"-d/--dilation=2 was given for avg-pool, but should be given only for conv, "
     r"conv-transpose or max-pool [config.dilation]"),
    (["max-pool", "-k", "2", "--no-bias"], r"--no-bias was given for max-pool"),
    (["conv", "-k", "2", "--out-channels", "4", "--ceil-mode"],
     r"--ceil-mode was given for conv, but should be given only for max-pool or avg-pool"),
    (["conv-transpose", "-k", "2", "--out-channels", "4", "--ceil-mode"],
     r"--ceil-mode was given for conv-transpose"),
], ids=["shape(max-pool, --out-channels)", "shape(avg-pool, --out-channels)",
        "shape(max-pool, -g)", "shape(avg-pool, -g=1)", "shape(max-pool, --output-padding)",
        "shape(conv, --output-padding)", "shape(avg-pool, -d)", "shape(max-pool, --no-bias)",
        "shape(conv, --ceil-mode)", "shape(conv-transpose, --ceil-mode)"])
def test_a_flag_the_op_does_not_take_is_an_error(argv, message, capsys):
    # before: each was silently ignored
    assert main(["shape", argv[0], "--input", "3x8x8", *argv[1:]]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and message in err, err


@cites("config.dilation")
def test_the_flags_an_op_takes_are_accepted(capsys):
    # the boundary of the table above: dilation on max-pool, groups on conv-transpose
    assert main(["shape", "max-pool", "--input", "3x8x8", "-k", "2", "-d", "2"]) == 0
    assert "output (1, 3, 3, 3)" in capsys.readouterr().out  # floor((8 - 3)/2) + 1 = 3
    assert main(["shape", "conv-transpose", "--input", "4x3", "--out-channels", "4", "-k", "2",
                 "-g", "2", "--output-padding", "0"]) == 0
    assert "params: 20" in capsys.readouterr().out  # 4 * (4/2) * 2 + 4


@cites("macs.conv")
def test_macs_are_per_sample_and_the_batch_total_has_its_own_name(capsys):
    # before: "MACs: 236027904" with --batch 2, while summary printed MACs per sample
    assert main(["shape", "conv", "--input", "3x224x224", "--out-channels", "64", "-k", "7",
                 "-s", "2", "-p", "3", "--batch", "2"]) == 0
    out = capsys.readouterr().out
    assert "output (2, 64, 112, 112)" in out
    assert "MACs: 118013952 (per sample)" in out  # 112*112*64*147
    assert "MACs (batch of 2): 236027904" in out  # 2 * 118013952


@cites("config.nonempty")
def test_batch_below_one_is_refused(capsys):
    # before: max-pool printed an input of shape (0, 3, 5)
    assert main(["shape", "max-pool", "--input", "3x5", "-k", "2", "--batch", "0"]) == 2
    assert "--batch=0, but should be >= 1 [config.nonempty]" in capsys.readouterr().err


@pytest.mark.parametrize("text, hint", [
    ("224x224", "did you mean 1x224x224 or 3x224x224?"),
    ("5x5", "did you mean 1x5x5 or 3x5x5?"),
    ("HxW", "did you mean 1xHxW or 3xHxW?"),
    ("224x224x3", "channels-last: did you mean 3x224x224?"),
    ("HxWx1", "channels-last: did you mean 1xHxW?"),
    ("16x16x16x4", "channels-last: did you mean 4x16x16x16?"),
])
def test_an_image_shape_misread_is_refused_with_the_likely_meaning(text, hint, capsys):
    # before: 224x224 silently became a 1-D conv with 224 input channels
    assert main(["shape", "conv", "--input", text, "--out-channels", "4", "-k", "1"]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: --input='{text}' is C=") and hint in err, err


@pytest.mark.parametrize("text, shape", [
    ("4x4", "(1, 4, 4)"),          # C x C up to 4: a plausible 1-D input (4 channels)
    ("224x225", "(1, 224, 225)"),  # unequal: 224 channels of length 225
    ("3x224x224", "(1, 3, 224, 224)"),
    ("224x224x5", "(1, 224, 224, 5)"),  # a last size above 4 is not a channel count
    ("3xH", "(1, 3, H)"),
])
def test_inputs_next_to_the_refused_ones_are_read_as_written(text, shape, capsys):
    assert main(["shape", "max-pool", "--input", text, "-k", "1"]) == 0
    assert f"input {shape}" in capsys.readouterr().out


def test_as_written_keeps_the_literal_reading(capsys):
    assert main(["shape", "conv", "--input", "224x224", "--as-written", "--out-channels", "4",
                 "-k", "3"]) == 0
    assert "output (1, 4, 222)" in capsys.readouterr().out  # 224 channels, length 224 - 2


@pytest.mark.parametrize("text", ["3x\u00b2", "3x\u0663", "3x5.0"])
def test_sizes_that_are_not_ascii_ints_or_names_exit_2(text, capsys):
    # before: '²' passed str.isdigit and int() raised ValueError (a traceback)
    assert main(["shape", "max-pool", "--input", text, "-k", "1"]) == 2
    assert "but should be an int or a symbol name like H [config.int]" in capsys.readouterr().err


@cites("net.remainder")
@pytest.mark.parametrize("argv, unread", [
    (["max-pool", "--input", "3x225", "-k", "2"], "out=112; 1 input cell at the end unread"),
    (["conv", "--input", "3x10", "-k", "3", "-s", "3", "-d", "2", "--out-channels", "2"],
     "out=2; 2 input cells at the end unread"),  # windows at 0, 3 cover [0, 8)
])
def test_shape_shows_the_cells_the_floor_leaves_unread(argv, unread, capsys):
    assert main(["shape", *argv]) == 0
    out = capsys.readouterr().out
    assert unread in out and "[net.remainder]" in out


def test_shape_shows_no_unread_cells_when_the_windows_reach_the_end(capsys):
    assert main(["shape", "max-pool", "--input", "3x224", "-k", "2"]) == 0
    assert "unread" not in capsys.readouterr().out


class _ClosedPipe(io.TextIOBase):
    """A stdout whose reader went away: every write raises EPIPE."""

    def write(self, text):
        raise BrokenPipeError(32, "Broken pipe")


@pytest.mark.parametrize("argv", [["explain"], ["explain", "conv.out-size"],
                                  ["summary", "--input", "3x8x8", "conv(4, 3) relu"],
                                  ["shape", "max-pool", "--input", "3x8", "-k", "2"]])
def test_a_closed_pipe_ends_every_command_quietly(argv, monkeypatch, capsys):
    monkeypatch.setattr(sys, "stdout", _ClosedPipe())
    assert main(argv) == EXIT_BROKEN_PIPE  # before: BrokenPipeError escaped main
    assert capsys.readouterr().err == ""


def test_a_pipe_into_head_ends_quietly_in_a_real_process():
    # ~200 kB of table: more than a pipe holds, so the writer meets the closed pipe
    proc = subprocess.Popen([sys.executable, "-m", "cnnspec.cli", "summary", "--input", "1x4",
                             "relu*3000"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout.readline().startswith(b"   #  Layer")
    proc.stdout.close()
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=60) == EXIT_BROKEN_PIPE, err
    assert err == "", f"stderr={err!r}, but should be empty"


def test_spec_dir_that_cannot_be_written_exits_2(tmp_path, capsys):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    assert main(["spec", "--write", "--dir", str(blocker / "spec")]) == 2
    assert capsys.readouterr().err.startswith(f"error: --dir='{blocker / 'spec'}' cannot be "
                                              f"written (")


def _subparsers() -> dict:
    parser = build_parser()
    (action,) = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    return {"": parser, **action.choices}


@pytest.mark.parametrize("command", ["", "shape", "summary", "explain", "spec", "conform"])
def test_help_has_no_restructuredtext_markup(command):
    text = _subparsers()[command].format_help()
    assert "``" not in text and not re.search(r":[a-z]+:`", text), text


@pytest.mark.parametrize("command", ["shape", "summary", "explain", "spec"])
def test_help_documents_every_flag(command):
    parser = _subparsers()[command]
    silent = [a.option_strings or a.dest for a in parser._actions if not a.help]
    assert silent == [], f"{command} --help leaves {silent} undocumented, but should document all"


def test_ctrl_c_ends_a_command_without_a_traceback(monkeypatch, capsys):
    import cnnspec.cli as cli

    def interrupted(args):
        raise KeyboardInterrupt

    monkeypatch.setattr(cli, "_explain", interrupted)  # build_parser binds it at each main()
    assert main(["explain"]) == 130  # before: KeyboardInterrupt escaped main
    assert capsys.readouterr().err == "interrupted\n"


@cites("config.padding")
@pytest.mark.parametrize("op", ["max-pool", "avg-pool"])
def test_pooling_refuses_full_padding_as_summarize_does(op, capsys):
    # before: -p full padded d*(k-1) cells on each side, windows of padding only at the edges
    assert main(["shape", op, "--input", "3x8", "-k", "1", "-p", "full"]) == 2
    assert f"padding='full', but should be ints, 'valid', 'same' or 'same_lower' for {op} " \
           f"[config.padding]" in capsys.readouterr().err


@pytest.mark.parametrize("flag", ["-s", "-d", "--output-padding", "-k"])
def test_an_empty_value_is_an_error_not_the_default(flag, capsys):
    # before: -s '' and -d '' silently meant the default
    extra = [] if flag == "-k" else ["-k", "2"]
    assert main(["shape", "conv-transpose", "--input", "3x8", "--out-channels", "2", *extra,
                 flag, ""]) == 2
    assert "has 0 entries, but should have 1 (one per spatial axis) [config.rank]" in \
        capsys.readouterr().err


def test_spec_dir_with_a_nul_exits_2(capsys):
    # before: ValueError (embedded null byte) from mkdir, a traceback
    assert main(["spec", "--write", "--dir", "a\x00b"]) == 2
    assert "cannot be written (ValueError: embedded null byte)" in capsys.readouterr().err
