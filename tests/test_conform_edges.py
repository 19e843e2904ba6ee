"""The edges of `cnnspec conform`: bad arguments, report files, a target that cannot load.

Each case exits with a message and a documented code, never a traceback of cnnspec's.
"""

from __future__ import annotations

import json
import os
import stat

import pytest

from cnnspec.cli import main

REFERENCE = "cnnspec.targets.reference"


def conform(capsys, *argv: str) -> tuple[int, str, str]:
    try:
        code = main(["conform", *argv])
    except SystemExit as e:  # argparse
        code = int(e.code or 0)
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.mark.parametrize("argv, says", [
    (("--jobs", "abc"), "--jobs='abc', but should be an integer >= 1 or 'auto'"),
    (("--jobs", "0"), "--jobs='0', but should be an integer >= 1 or 'auto'"),
    (("--memory-limit", "-5"), "--memory-limit=-5, but should be >= 0 MiB"),
    (("--level", "pedantic"), "invalid choice: 'pedantic'"),
], ids=["jobs-abc", "jobs-0", "memory-negative", "level-unknown"])
def test_bad_options_are_usage_errors(capsys, argv, says):
    code, out, err = conform(capsys, REFERENCE, *argv)
    assert code == 2 and says in err and "Traceback" not in out + err


def test_a_missing_target_file_is_a_usage_error(capsys, tmp_path):
    code, out, err = conform(capsys, str(tmp_path / "nope.py"))
    assert code == 2 and "no such file exists" in err and "Traceback" not in out + err


def test_a_report_into_a_missing_directory_is_refused_before_the_run(capsys, tmp_path):
    where = tmp_path / "missing" / "deeper" / "r.json"
    code, out, err = conform(capsys, REFERENCE, "--report-json", str(where))
    assert code == 2 and "does not exist" in err
    assert not (tmp_path / "missing").exists()  # no tree of new directories


def test_a_target_that_cannot_be_imported_still_writes_its_reports(capsys, tmp_path):
    broken = tmp_path / "broken.py"
    broken.write_text("def conv(x, w, b, **kw)\n    return x\n")  # a syntax error
    report = tmp_path / "r.json"
    junit = tmp_path / "r.xml"
    code, out, err = conform(capsys, str(broken), "--report-json", str(report),
                             "--junit-xml", str(junit))
    assert code == 2 and "cannot import target" in err
    doc = json.loads(report.read_text())
    assert doc["exit_code"] == 2 and "could not be imported" in doc["error"]
    assert 'errors="1"' in junit.read_text()


def test_report_files_get_the_usual_mode(capsys, tmp_path):
    old = os.umask(0o022)
    try:
        report = tmp_path / "r.json"
        code, _, _ = conform(capsys, REFERENCE, "--rules", "conv.out-size", "--profile", "quick",
                             "--report-json", str(report), "-q")
    finally:
        os.umask(old)
    assert code == 0
    assert stat.S_IMODE(report.stat().st_mode) == 0o644


def test_a_level_above_the_default_counts_the_refusals(capsys, tmp_path):
    lenient = tmp_path / "lenient.py"  # computes everything, validates nothing
    lenient.write_text("import numpy as np\nfrom cnnspec.targets.reference import conv as _conv\n"
                       "def conv(x, w, b, *, stride, padding, dilation, groups):\n"
                       "    if min(stride) < 1:\n"
                       "        return np.zeros((x.shape[0], w.shape[0], 1))\n"
                       "    return _conv(x, w, b, stride=stride, padding=padding,"
                       " dilation=dilation, groups=groups)\n")
    args = (str(lenient), "--rules", "config.stride", "--profile", "quick", "-q")
    assert conform(capsys, *args)[0] == 0  # compute: the refusal is shown, not counted
    code, out, _ = conform(capsys, *args, "--level", "refuse")
    assert code == 1 and "config.stride" in out
