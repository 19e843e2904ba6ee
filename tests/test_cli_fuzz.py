"""The `cnnspec` command on random argument lists: a clean exit, quickly, every time.

Real flags mixed with random values, garbage strings and negative numbers go to
``cli.main(argv)`` in-process. Whatever the arguments, the command must end with an exit
code (returned, or argparse's SystemExit) of 0 or 2 (`spec` also 1: out of date), print
``error: ...`` rather than a traceback, and return within a few seconds. `conform` is left
out: it starts worker processes. Sizes stay below 10**6: pool_out_size checks every window
for [pool.window-has-input] one by one (cnnspec/formulas.py), so a pooling input of 10**8
cells takes minutes.
"""

from __future__ import annotations

import contextlib
import io
import os

import pytest
from helpers import within
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cnnspec.cli import main

#: Seconds one call may take (the first `spec` renders the whole registry: ~1 s).
LIMIT_S = 8

def mostly(usual: st.SearchStrategy, odd: st.SearchStrategy) -> st.SearchStrategy:
    """``usual`` four times in five, so that most calls get past argparse to our code."""
    return st.sampled_from([True, True, True, True, False]).flatmap(
        lambda u: usual if u else odd)


SIZES = mostly(st.integers(1, 40).map(str),
               st.one_of(st.integers(-3, 300).map(str), st.sampled_from(["0", "-1", "H", "h_1"]),
                         st.text("0123456789xHW-,:\u00b2\u0663 ", max_size=6)))
INPUTS = mostly(st.sampled_from(["3x224x224", "1x5", "3xHxW", "224x224", "224x224x3", "HxW",
                                 "4x4", "5", "3x8x8x8", "8x16x16", "3x5x5x5x5", "3x9x9",
                                 "2x7", "3xH"]),
                st.lists(SIZES, min_size=0, max_size=5).map("x".join))
PER_AXIS = mostly(st.integers(1, 5).map(str),
                  st.one_of(st.integers(-2, 12).map(str),
                            st.sampled_from(["3,5", "1,2,3,4", "0,1", "valid", "same", "full",
                                             "same_lower", "2.5", "", "1,2"]),
                            st.lists(st.integers(-1, 9).map(str), max_size=6).map(",".join)))
GARBAGE = st.one_of(st.text(max_size=10), st.integers(-10**12, 10**12).map(str),
                    st.sampled_from(["-", "--", "-1", "nan", "inf", "1e3", "0x10", "None"]))
LAYER_WORDS = st.sampled_from([
    "conv(4, 3)", "conv(8, 3, s=2, p=1)", "conv(4, 3x)", "conv(0, 1)", "conv(4, 3, g=3)",
    "convt(4, 3, s=2, p=same)", "convt(4, 2, s=2, op=1)", "maxpool(2)", "maxpool(3, 2, 1)",
    "maxpool(2, ceil=true)", "avgpool(2, p=5)", "aap(1)", "aap(abc)", "gap", "gmp", "bn",
    "bn(7)", "relu", "act(3)", "gelu", "dropout(0.5)", "dropout(1.5)", "dropout(abc)",
    "flatten", "dense(10)", "fc(true)", "res[conv(4, 3, p=1) | conv(4, 1)]", "res[relu",
    "[relu bn]*2", "relu*0", "conv(4, 3, name=3)", "(", ")", "|", "*", "->", ",", "1:2",
])
LAYERS = mostly(st.lists(LAYER_WORDS, min_size=1, max_size=6).map(" ".join),
                st.text(max_size=20))
RULE_IDS = st.one_of(st.sampled_from(["conv.out-size", "pool.ceil-mode", "conv.outsize", "",
                                      "conv", "net.remainder", "x" * 60]), st.text(max_size=15))


def options(table: dict[str, st.SearchStrategy]) -> st.SearchStrategy[list[str]]:
    """A flag of the table with a value from its strategy, a flag alone, or garbage."""
    flags = sorted(table)
    with_value = st.sampled_from(flags).flatmap(
        lambda f: table[f].map(lambda v: [f] if v is None else [f, v]))
    return mostly(with_value, st.one_of(st.sampled_from(flags).map(lambda f: [f]),
                                        GARBAGE.map(lambda g: [g])))


def argvs(command: str, base: st.SearchStrategy[list[str]],
          table: dict[str, st.SearchStrategy]) -> st.SearchStrategy[list[str]]:
    """command, then (mostly) the arguments it needs with random values, then options."""
    start = mostly(base, st.lists(GARBAGE, max_size=2))
    return st.tuples(start, st.lists(options(table), max_size=4)).map(
        lambda t: [command, *t[0], *(x for opt in t[1] for x in opt)])


FLAG = st.none()  # a flag that takes no value
SHAPE = {"--input": INPUTS, "--batch": mostly(st.integers(-2, 4).map(str), GARBAGE),
         "--out-channels": mostly(st.integers(-2, 70).map(str), GARBAGE), "-k": PER_AXIS,
         "--kernel": PER_AXIS, "-s": PER_AXIS, "-p": PER_AXIS, "-d": PER_AXIS,
         "-g": mostly(st.integers(-1, 5).map(str), GARBAGE), "--output-padding": PER_AXIS,
         "--ceil-mode": FLAG, "--no-bias": FLAG, "--as-written": FLAG}
SUMMARY = {"--input": INPUTS, "--file": st.sampled_from(["missing.py", "", "/nonexistent/m.py"]),
           "--attr": GARBAGE, "--json": FLAG, "--markdown": FLAG, "--as-written": FLAG}
SPEC = {"--dir": GARBAGE, "--write": FLAG}
OPS = st.sampled_from(["conv", "conv-transpose", "max-pool", "avg-pool"])
SHAPE_BASE = st.tuples(mostly(OPS, GARBAGE), INPUTS, PER_AXIS,
                       mostly(st.integers(1, 70).map(str), GARBAGE)).map(
    lambda t: [t[0], "--input", t[1], "-k", t[2]] + (["--out-channels", t[3]]
                                                     if t[0].startswith("conv") else []))
SUMMARY_BASE = st.tuples(INPUTS, LAYERS).map(lambda t: ["--input", t[0], t[1]])


def run(argv: list[str]) -> tuple[int, str]:
    """main(argv) in-process: (exit code, stderr); any other exception propagates."""
    out, err = io.StringIO(), io.StringIO()
    with within(LIMIT_S, f"cnnspec {argv}"), contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(argv)
        except SystemExit as exc:  # argparse: --help, --version, a usage error
            code = exc.code if isinstance(exc.code, int) else 2 if exc.code else 0
    return code, err.getvalue()


def assert_clean_exit(argv: list[str], allowed: frozenset[int]) -> None:
    code, err = run(argv)
    repro = f"cnnspec.cli.main({argv!r})"
    assert code in allowed, f"exit code={code}, but should be in {sorted(allowed)}: {repro}\n{err}"
    assert "Traceback" not in err, f"stderr holds a traceback, but should not: {repro}\n{err}"
    if code == 2:
        assert err.startswith(("error: ", "usage: ")), \
            f"stderr={err[:200]!r}, but should start with 'error: ' or 'usage: ': {repro}"


FUZZ = settings(max_examples=150, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])


@FUZZ
@given(argv=argvs("shape", SHAPE_BASE, SHAPE))
def test_shape_exits_cleanly_on_any_arguments(argv):
    assert_clean_exit(argv, frozenset({0, 2}))


@FUZZ
@given(argv=argvs("summary", SUMMARY_BASE, SUMMARY))
def test_summary_exits_cleanly_on_any_arguments(argv):
    assert_clean_exit(argv, frozenset({0, 2}))


@settings(FUZZ, max_examples=60)
@given(argv=argvs("explain", st.lists(RULE_IDS, max_size=1), {"-h": FLAG}))
def test_explain_exits_cleanly_on_any_arguments(argv):
    assert_clean_exit(argv, frozenset({0, 2}))


@pytest.fixture(scope="module")
def spec_dir(tmp_path_factory):
    return str(tmp_path_factory.mktemp("spec-out") / "spec")


@settings(FUZZ, max_examples=40)
@given(argv=argvs("spec", st.just([]), SPEC), name=GARBAGE)
def test_spec_exits_cleanly_on_any_arguments(spec_dir, argv, name):
    # the last --dir wins: a random name, but inside a temporary folder
    folder = os.path.join(spec_dir, name.replace("/", "_").replace("\\", "_"))
    assert_clean_exit(argv + ["--dir", folder], frozenset({0, 1, 2}))
