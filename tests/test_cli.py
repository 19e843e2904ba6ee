"""The `cnnspec` command: shape arithmetic of one layer, errors with exit code 2."""

from __future__ import annotations

import subprocess
import sys

from helpers import cites

from cnnspec.cli import main


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
