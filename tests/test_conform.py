"""The conformance runner (issue 4): the reference passes, hostile targets fail the right rule
with a clear message and the run goes on, reports are valid and reproducible, conventions
are named, an interrupted run leaves a valid report, and the pytest plugin runs the same.

Targets under test live in tests/hostile_targets/ and run in worker processes only.  Runs
use the quick profile and --rules filters to stay fast.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from cnnspec.cli import main
from cnnspec.conform import Report, UsageError, plan, run
from cnnspec.conform.conventions import CONVENTIONS

ROOT = Path(__file__).resolve().parent.parent
HOSTILE = Path(__file__).resolve().parent / "hostile_targets"
QUICK = dict(profile="quick", max_examples=10)


def hostile(name: str) -> str:
    return str(HOSTILE / f"{name}.py")


def by_rule(report: Report) -> dict[str, object]:
    return {r.rule: r for r in report.results}


# ---------------------------------------------------------------- the reference


def test_reference_passes_every_rule(tmp_path, capsys):
    out = tmp_path / "ref.json"
    # the contract ops (the spec's own checks run in tests/test_catalog.py), two workers
    assert main(["conform", "cnnspec.targets.reference", "--profile", "quick", "--jobs", "2",
                 "--ops", "conv,conv_transpose,max_pool,avg_pool", "--report-json", str(out)]) == 0
    doc = json.loads(out.read_text())
    assert doc["complete"] and doc["exit_code"] == 0
    assert {r["status"] for r in doc["results"]} <= {"pass"}, \
        [r for r in doc["results"] if r["status"] != "pass"]
    assert all(c["follows_spec"] for k, c in doc["conventions"].items() if k != "same_padding")
    assert "exit code 0" in capsys.readouterr().out


# ---------------------------------------------------------------- hostile targets

HOSTILE_CASES = [  # (target, the failing rule's message contains, run keywords)
    ("exits", "the worker exited with code 3", {}),
    ("segfault", "the worker died from signal 11 (SIGSEGV) during a conv call", {}),
    ("hangs", "conv call exceeded --timeout=0.5s", {"timeout": 0.5}),
    ("hog", "conv raised MemoryError", {"memory_limit": 256}),
    ("returns_list", "conv returned list, but should return a numpy.ndarray", {}),
    ("returns_int64", "y.dtype=int64, but should be a floating dtype", {}),
    ("returns_view", "conv returned a view of its input, but should return a new array", {}),
    ("mutates", "conv changed its input x, but should leave its inputs alone", {}),
    ("raises", "conv raised RuntimeError: kernel launch failed, but should compute", {}),
]
#: Two rules where a crash or a hang costs little (a fresh worker after each).
TWO_RULES = ("exits", "returns_list", "returns_int64", "returns_view", "mutates", "raises")


@pytest.mark.parametrize("name, says, kwargs", HOSTILE_CASES, ids=[c[0] for c in HOSTILE_CASES])
def test_hostile_target_fails_the_rule_and_the_run_goes_on(name, says, kwargs):
    rules = ["conv.out-size", "conv.bias"] if name in TWO_RULES else ["conv.out-size"]
    report = run(hostile(name), rules=rules, **QUICK, **kwargs)
    assert report.complete and report.exit_code == 1
    results = by_rule(report)
    assert set(results) == set(rules)  # after a crash, the next rule ran in a fresh worker
    failed = results["conv.out-size"]
    # raising on every valid call: a restriction (one finding, with the exception)
    assert failed.status == ("restriction" if name == "raises" else "fail")
    assert says in failed.message and "[conv.out-size]" in failed.message, failed.message
    assert failed.example and failed.example["repr"].startswith("ConvConfig.build(")
    assert "load_target(" in failed.repro


def test_a_target_accepting_an_invalid_config_fails_the_refusal_rule():
    report = run(hostile("accepts_invalid"), rules=["conv.def", "conv.groups::refuses"], **QUICK)
    results = by_rule(report)
    assert results["conv.def"].status == "pass"
    assert results["conv.groups"].status == "fail"
    assert "but should raise: groups does not divide" in results["conv.groups"].message


def test_an_unimportable_target_exits_2_with_the_import_error(capsys):
    assert main(["conform", hostile("import_error"), "--profile", "quick"]) == 2
    assert "No module named 'numpy_but_misspelled'" in capsys.readouterr().err


@pytest.mark.parametrize("argv", [["--ops", "convolution"], ["--rules", "no.such-rule*"],
                                  ["--xfail-file", "/nonexistent/xfail.txt"]])
def test_usage_errors_exit_2(argv, capsys):
    assert main(["conform", "cnnspec.targets.reference", *argv]) == 2
    assert "error:" in capsys.readouterr().err


def test_plan_groups_by_op_and_rule():
    groups = plan(ops=["conv"], rules=["conv.*"])
    assert groups and all(op == "conv" and rule.startswith("conv.") for op, rule in groups)
    with pytest.raises(UsageError, match="matches no rule"):
        plan(rules=["nope.*"])


# ---------------------------------------------------------------- what a failure carries


@pytest.fixture(scope="module")
def buggy(tmp_path_factory):
    """A TOSA-like target (a named convention) with a real bug (the bias is ignored)."""
    d = tmp_path_factory.mktemp("reports")
    paths = {"report_json": d / "r.json", "junit_xml": d / "r.xml", "report_md": d / "r.md"}
    report = run(hostile("tosa_exact_and_wrong_bias"), rules=["conv.def", "conv.out-size"],
                 **QUICK, **paths)
    return report, paths


def test_report_formats_are_valid(buggy):
    report, paths = buggy
    doc = json.loads(paths["report_json"].read_text())
    assert {"cnnspec_version", "target", "seed", "profile", "conventions", "results"} <= set(doc)
    for r in doc["results"]:
        assert {"op", "rule", "status", "message", "example", "repro"} <= set(r)
    suite = ET.parse(paths["junit_xml"]).getroot().find("testsuite")
    assert suite.get("tests") == str(len(doc["results"]))
    assert suite.get("failures") == "2"  # a fail and a convention
    md = paths["report_md"].read_text()
    assert "## Failures, restrictions and conventions" in md and "```python" in md


def test_a_failure_carries_rule_example_arrays_and_a_working_repro(buggy):
    failed = by_rule(buggy[0])["conv.def"]
    assert failed.status == "fail" and failed.title
    assert "y differs from the expected values [conv.def]" in failed.message
    assert "expected" in failed.message  # the differing elements, actual and expected
    assert {"x", "w", "b"} <= set(failed.example["arrays"])  # the small arrays themselves
    assert failed.example["params"]["stride"]
    # the target adds a wrong bias: the root cause is conv.bias, and the repro (the plain
    # call, with its arrays) says so
    assert failed.cause == "conv.bias"
    with pytest.raises(AssertionError, match=r"should be .* \[conv\.bias\]"):
        exec(compile(failed.repro, "repro", "exec"), {})


def test_the_same_seed_gives_the_same_results(buggy):
    again = run(hostile("tosa_exact_and_wrong_bias"), rules=["conv.def", "conv.out-size"],
                jobs=2, **QUICK)  # whatever the number of workers
    assert [r.to_json() for r in again.results] == [r.to_json() for r in buggy[0].results]


# ---------------------------------------------------------------- conventions


def test_a_named_convention_is_reported_as_such(buggy):
    report = run(hostile("tosa_exact"), rules=["conv.def", "conv.out-size"], **QUICK)
    assert report.conventions["stride_remainder"]["value"] == "exact-division"
    assert {r.status for r in report.results} == {"convention"}
    assert all(r.convention == ["stride_remainder"] for r in report.results)
    assert report.exit_code == 1  # the spec takes a side ...
    # ... but never hides a bug outside the cases the convention explains:
    results = by_rule(buggy[0])
    assert results["conv.out-size"].status == "convention"
    assert results["conv.def"].status == "fail"
    assert "outside the cases the target's convention(s) explain" in results["conv.def"].message


def test_an_allowed_convention_passes_the_run(capsys):
    argv = ["conform", hostile("tosa_exact"), "--rules", "conv.out-size", "--profile", "quick"]
    assert main([*argv, "--allow-convention", "stride_remainder"]) == 0
    assert "convention (allowed): stride_remainder='exact-division'" in capsys.readouterr().out
    assert main([*argv, "--allow-convention", "ceil_mode"]) == 1
    assert main([*argv, "--allow-convention", "no_such_convention"]) == 2


def test_kernel_larger_than_input_empty_is_a_convention():
    report = run(hostile("kernel_empty"), rules=["conv.kernel-fits"], level="refuse", **QUICK)
    assert report.conventions["kernel_larger_than_input"]["value"] == "empty"
    assert report.results[0].status == "convention"


def test_ceil_mode_keep_is_a_convention():
    report = run(hostile("ceil_keep"), ops=["max_pool"], rules=["pool.*", "config.int"],
                 **QUICK)
    assert report.conventions["ceil_mode"]["value"] == "keep-window-starting-in-padding"
    assert "fail" not in {r.status for r in report.results}, \
        [r.message for r in report.results if r.status == "fail"]
    assert "convention" in {r.status for r in report.results}


def test_every_convention_names_the_spec_default():
    for c in CONVENTIONS.values():
        assert c.default in c.alternatives and "spec" in c.alternatives[c.default]


# ---------------------------------------------------------------- xfail file


def test_xfail_file(tmp_path, capsys):
    xfail = tmp_path / "xfail.txt"
    xfail.write_text("# known bugs\nconv.def   # int64\nconv:conv.groups\nnothing.*\n")
    argv = ["conform", hostile("returns_int64"), "--rules", "conv.def,conv.groups::refuses",
            "--level", "refuse", "--profile", "quick", "--xfail-file", str(xfail), "--report-json",
            str(tmp_path / "r.json")]
    assert main(argv) == 1  # conv.groups passes: an unexpected pass
    doc = json.loads((tmp_path / "r.json").read_text())
    assert {r["rule"]: r["status"] for r in doc["results"]} == {"conv.def": "xfail",
                                                                "conv.groups": "xpass"}
    assert any("'nothing.*'" in w for w in doc["warnings"])
    assert "warning: xfail entry 'nothing.*'" in capsys.readouterr().out


# ---------------------------------------------------------------- interrupted runs


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGKILL], ids=["ctrl-c", "kill-9"])
def test_an_interrupted_run_leaves_a_valid_partial_report(tmp_path, sig):
    out = tmp_path / "partial.json"
    proc = subprocess.Popen([sys.executable, "-m", "cnnspec.cli", "conform", hostile("slow"),
                             "--rules", "conv.*", "--max-examples", "20", "--report-json",
                             str(out)], cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while not (out.exists() and any(r["status"] == "pass"
                                        for r in json.loads(out.read_text())["results"])):
            assert time.monotonic() < deadline and proc.poll() is None
            time.sleep(0.1)
        proc.send_signal(sig)
        code = proc.wait(30)
    finally:
        proc.kill()
    doc = json.loads(out.read_text())
    assert doc["results"] and not doc["complete"]
    if sig == signal.SIGINT:
        assert code == 130 and doc["interrupted"]


# ---------------------------------------------------------------- the pytest plugin


def _pytest(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """pytest in a subprocess, in an empty directory: only the plugin's items run.  The
    plugin by -p from a checkout, by its entry point once installed (not both: it would be
    registered twice)."""
    from importlib.metadata import entry_points

    installed = any(ep.name == "cnnspec" for ep in entry_points(group="pytest11"))
    plugin = [] if installed else ["-p", "cnnspec.conform.pytest_plugin"]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "pytest", *plugin, "-p", "no:cacheprovider",
                           "-q", *args], cwd=tmp_path, env=env, capture_output=True, text=True,
                          timeout=120)


def test_pytest_plugin_runs_the_checks_as_items(tmp_path):
    ok = _pytest(tmp_path, "--cnnspec-target=cnnspec.targets.reference",
                 "--cnnspec-profile=quick", "--cnnspec-rules=conv.*", "-m",
                 "conv.out-size or conv.def")
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert int(re.search(r"(\d+) passed", ok.stdout).group(1)) >= 2  # conv.def, conv.out-size
    assert " failed" not in ok.stdout
    bad = _pytest(tmp_path, f"--cnnspec-target={hostile('returns_int64')}",
                  "--cnnspec-profile=quick", "--cnnspec-rules=conv.out-size")
    assert bad.returncode == 1, bad.stdout + bad.stderr
    assert "y.dtype=int64, but should be a floating dtype [conv.out-size]" in bad.stdout
