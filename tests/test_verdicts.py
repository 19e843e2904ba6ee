"""The verdict of a run: levels, exit codes, refusals, NaN, root causes, conventions.

Unit-level (no worker processes): the engine's pieces on small hand-made targets.  The
whole runs on real-world-style targets are in conformance/test_verdicts.py.
"""

from __future__ import annotations

import json
import types
import xml.etree.ElementTree as ET

import numpy as np
import pytest

from cnnspec.conform import conventions, diagnose
from cnnspec.conform.reports import to_json, to_junit, to_markdown
from cnnspec.conform.results import CheckOutcome, Report, aggregate
from cnnspec.rules._harness import Refusal, invoke
from cnnspec.strategies import ConvConfig, PoolConfig
from cnnspec.targets import Target, reference

UNIT1 = dict(stride=(1,), padding=((0, 0),), dilation=(1,), groups=1)


def target_of(**ops) -> Target:
    module = types.ModuleType("fake_target")
    module.__file__ = __file__
    for name, fn in ops.items():
        setattr(module, name, fn)
    return Target("fake_target", module)


def report(**kwargs) -> Report:
    return Report("0", "t", 0, "quick", None, **kwargs)


def outcome(check: str, status: str, level: str = "compute", examples: int = 5,
            **kw) -> CheckOutcome:
    return CheckOutcome(check, status, message=f"{status} [{check.split('::')[0]}]",
                        examples=examples, requested=10, level=level, **kw)


# ---------------------------------------------------------------- levels


def test_a_failure_above_the_level_is_shown_but_not_counted():
    outs = [outcome("config.dtype::accepts", "pass"),
            outcome("config.dtype::refuses", "fail", level="strict")]
    r = aggregate("conv", "config.dtype", "t", outs, 0, "compute")
    assert r.status == "pass" and r.level == "compute"
    assert r.beyond == ["config.dtype::refuses (strict): fail"]
    rep = report(results=[r], target_ops=["conv"], complete=True)
    assert rep.exit_code == 0 and rep.failed == []
    strict = aggregate("conv", "config.dtype", "t", outs, 0, "strict")
    rep = report(results=[strict], target_ops=["conv"], complete=True, level="strict")
    assert strict.status == "fail" and rep.exit_code == 1


def test_a_result_with_only_higher_level_checks_is_marked_with_its_level():
    r = aggregate("conv", "config.int", "t",
                  [outcome("config.int::refuses", "fail", level="strict")], 0, "compute")
    rep = report(results=[r], target_ops=["conv"], complete=True)
    assert r.level == "strict" and not rep.counted(r) and rep.exit_code == 3  # nothing counted
    assert "beyond level compute" in to_junit(rep)


def test_every_negative_hygiene_check_is_strict_and_every_positive_check_compute():
    from cnnspec import rules

    for c in rules.all_checks():
        if c.kind == "positive":
            assert c.level == "compute", c.id
        elif c.rule in ("config.int", "config.dtype"):
            assert c.level == "strict", c.id
        else:
            assert c.level == "refuse", c.id


# ---------------------------------------------------------------- exit codes, coverage


def test_nothing_checked_has_its_own_exit_code():
    assert report(target_ops=[], complete=True).exit_code == 3
    rep = report(target_ops=["conv"], requested_ops=["max_pool"], complete=True)
    assert rep.exit_code == 3 and "does not define max_pool()" in rep.unchecked()[0]
    unsupported = aggregate("conv", "conv.def", "t",
                            [outcome("conv.def::a", "unsupported", examples=0)], 0)
    rep = report(target_ops=["conv"], results=[unsupported], complete=True)
    assert rep.exit_code == 3 and "no check reached" in rep.unchecked()[0]


def test_partial_coverage_is_visible_in_every_format():
    r = aggregate("conv", "conv.def", "t",
                  [outcome("conv.def::a", "pass", examples=4, unsupported=46)], 0)
    assert r.coverage() == "4 of 10 examples; 46 unsupported"
    rep = report(target_ops=["conv"], results=[r], complete=True)
    assert "4 of 10 examples; 46 unsupported" in to_markdown(rep)
    assert "4 of 10 examples; 46 unsupported" in to_junit(rep)
    assert json.loads(to_json(rep))["results"][0]["coverage"] == r.coverage()


def test_an_interrupted_run_says_so_in_every_format():
    r = aggregate("conv", "conv.def", "t", [outcome("conv.def::a", "pass")], 0)
    rep = report(target_ops=["conv"], results=[r], interrupted=True)
    assert rep.exit_code == 130
    data = json.loads(to_json(rep))
    assert data["exit_code"] == 130 and data["interrupted"] is True
    suite = ET.fromstring(to_junit(rep)).find("testsuite")
    assert suite.get("errors") == "1" and suite.find("testcase/error").get("type") == "interrupted"
    assert "run interrupted" in to_markdown(rep) and "exit code 130" in to_markdown(rep)


# ---------------------------------------------------------------- what invoke() catches


def test_nan_from_finite_inputs_fails():
    nan_conv = target_of(conv=lambda x, w, b, **kw: np.full((1, 1, 2), np.nan))
    with pytest.raises(AssertionError, match=r"returned NaN in 2 of 2 outputs.*\[conv\.def\]"):
        invoke(nan_conv, "conv", np.ones((1, 1, 3)), np.ones((1, 1, 2)), None, rule="conv.def",
               **UNIT1)


def test_a_refusal_keeps_the_exception_and_the_targets_frames():
    def conv(x, w, b, **kw):
        raise ValueError("pad too large")

    with pytest.raises(Refusal) as info:
        invoke(target_of(conv=conv), "conv", np.ones((1, 1, 3)), np.ones((1, 1, 2)), None,
               rule="conv.def", **UNIT1)
    assert info.value.error == "ValueError: pad too large"
    assert 'raise ValueError("pad too large")' in str(info.value)  # the target's own line


def test_a_memory_error_is_a_failure_not_a_restriction():
    def conv(x, w, b, **kw):
        raise MemoryError("too big")

    with pytest.raises(AssertionError) as info:
        invoke(target_of(conv=conv), "conv", np.ones((1, 1, 3)), np.ones((1, 1, 2)), None,
               rule="conv.def", **UNIT1)
    assert not isinstance(info.value, Refusal)


# ---------------------------------------------------------------- root causes


def _conv_with(transform):
    def conv(x, w, b, **kw):
        return transform(reference.conv(x, w, b, **kw), x, w, b, kw)
    return target_of(conv=conv)


CFG = ConvConfig.build(x_shape=(1, 2, 3, 4), w_shape=(3, 2, 2, 2), b_shape=(3,),
                       stride=(1, 1), padding=((0, 0), (0, 0)), dilation=(1, 1), groups=1,
                       seed=3)


def test_a_wrong_shape_is_blamed_on_out_size():
    swapped = _conv_with(lambda y, *a: np.ascontiguousarray(np.swapaxes(y, 2, 3)))
    rule, message = diagnose.cause(swapped, CFG, "config.int")
    assert rule == "conv.out-size" and "y.shape=(1, 3, 3, 2), but should be (1, 3, 2, 3)" in message


def test_a_bias_bug_is_blamed_on_the_bias_rule():
    twice = _conv_with(lambda y, x, w, b, kw: y + (0 if b is None else b.reshape(-1, 1, 1)))
    assert diagnose.cause(twice, CFG, "conv.def")[0] == "conv.bias"


def test_a_value_bug_is_blamed_on_the_definition():
    off = _conv_with(lambda y, *a: y + 1)
    rule, message = diagnose.cause(off, CFG, "config.stride")
    assert rule == "conv.def" and "[conv.def]" in message


def test_a_target_that_refuses_a_missing_bias_is_not_blamed_for_its_bias():
    # a course assignment always has a bias; a wrong value there is the definition's
    def conv(x, w, b, **kw):
        if b is None:
            raise NotImplementedError("the assignment's conv always has a bias")
        return reference.conv(x, w[..., ::-1, ::-1].copy(), b, **kw)  # flipped kernel
    rule, message = diagnose.cause(target_of(conv=conv), CFG, "conv.bias")
    assert rule == "conv.def" and "b=None is right" not in message


def test_a_right_plain_call_keeps_the_checks_own_rule():
    assert diagnose.cause(target_of(conv=reference.conv), CFG, "conv.linear-input") is None


def test_small_cases_show_their_arrays():
    off = _conv_with(lambda y, *a: y + 1)
    small = ConvConfig.build(x_shape=(1, 1, 3), w_shape=(1, 1, 2), b_shape=None, seed=1, **UNIT1)
    _, message = diagnose.cause(off, small, "conv.def")
    assert "  x = [[[" in message and "expected y = " in message


# ---------------------------------------------------------------- conventions


def test_per_op_values():
    assert conventions.per_op("conv: floor; max_pool: exact-division") == {
        "conv": "floor", "max_pool": "exact-division"}
    assert conventions.value_for("floor", "max_pool") == "floor"
    assert conventions.CONVENTIONS["stride_remainder"].deviates("conv: floor; max_pool: "
                                                                "exact-division")


def _exact_pool(x, *, kernel, stride, padding, dilation, ceil_mode):
    if any((i + pb + pa - k) % s for i, k, s, (pb, pa) in
           zip(x.shape[2:], kernel, stride, padding)):
        raise ValueError("stride must divide the input")
    return reference.max_pool(x, kernel=kernel, stride=stride, padding=padding,
                              dilation=dilation, ceil_mode=ceil_mode)


def test_stride_remainder_is_probed_per_op():
    t = target_of(conv=reference.conv, max_pool=_exact_pool)
    assert conventions._probe_stride_remainder(t) == "conv: floor; max_pool: exact-division"
    case = PoolConfig.build(kind="max", x_shape=(1, 1, 5), kernel=(2,), stride=(2,),
                            padding=((0, 0),))
    values = {"stride_remainder": "conv: floor; max_pool: exact-division"}
    assert conventions.affected(["stride_remainder"], case, values=values) == ["stride_remainder"]
    conv_case = ConvConfig.build(x_shape=(1, 1, 5), w_shape=(1, 1, 2), b_shape=None,
                                 stride=(2,), padding=((0, 0),), dilation=(1,), groups=1)
    assert conventions.affected(["stride_remainder"], conv_case, values=values) == []


def test_a_2d_only_target_gets_its_conventions_probed():
    def pool2d(x, **kw):
        if x.ndim != 4:
            raise NotImplementedError("2-D only")
        return _exact_pool(x, **kw)

    assert conventions._probe_stride_remainder(target_of(max_pool=pool2d)) == "exact-division"
    assert conventions._probe_max_pool_nan(target_of(max_pool=pool2d)) == "propagate"


def test_a_refused_padding_is_not_taken_for_a_ceil_mode_refusal():
    def no_padding(x, *, padding, **kw):
        if any(any(p) for p in padding):
            raise ValueError("padding not supported")
        return reference.max_pool(x, padding=padding, **kw)

    assert conventions._probe_ceil_mode(target_of(max_pool=no_padding)).startswith("unknown")


def test_a_probe_that_crashes_makes_only_its_convention_unknown(monkeypatch):
    def boom(target):
        raise RuntimeError("probe bug")

    broken = conventions.Convention("ceil_mode", "t", "drop-window-starting-in-padding", {},
                                    probe=boom)
    monkeypatch.setitem(conventions.CONVENTIONS, "ceil_mode", broken)
    found = conventions.probe_all(target_of(max_pool=reference.max_pool),
                                     detect_precision=lambda t: ("float64", None))
    assert found["ceil_mode"]["value"].startswith("unknown (the probe raised RuntimeError")
    assert found["max_pool_nan"]["value"] == "propagate"


def test_nan_times_zero_is_probed_and_allowed():
    def blas_like(x, w, b, **kw):  # the probe's NaN sits under a zero weight only
        return reference.conv(np.where(np.isnan(x), 0.0, x), w, b, **kw)

    assert conventions._probe_nan_times_zero(target_of(conv=blas_like)) == \
        "zero-weight-skips-nan"
    assert conventions._probe_nan_times_zero(target_of(conv=reference.conv)) == "propagate"
    r = aggregate("conv", "conv.def", "t", [outcome("conv.def::nan", "convention",
                                                    convention=["nan_times_zero"])], 0)
    assert report(results=[r], target_ops=["conv"], complete=True).exit_code == 0


# ---------------------------------------------------------------- processes


def _sleepers(tag: str) -> list[int]:
    import os

    found = []
    for pid in os.listdir("/proc"):
        if pid.isdigit():
            try:
                with open(f"/proc/{pid}/cmdline", "rb") as f:
                    if tag.encode() in f.read():
                        found.append(int(pid))
            except OSError:
                pass
    return found


@pytest.mark.skipif(not __import__("os").path.isdir("/proc"), reason="needs /proc")
def test_children_of_the_target_do_not_outlive_the_run(tmp_path):
    from cnnspec.conform import run

    tag = "317.25"  # an unusual duration: the marker of this test's sleepers
    target = tmp_path / "spawner.py"
    target.write_text(
        "import subprocess\n"
        "from cnnspec.targets.reference import conv as _conv\n"
        "def conv(x, w, b, **kw):\n"
        f"    subprocess.Popen(['sleep', '{tag}'])\n"
        "    return _conv(x, w, b, **kw)\n")
    report = run(str(target), rules=["conv.out-size"], max_examples=3, seed=0)
    assert report.complete and report.exit_code == 0
    import time

    deadline = time.monotonic() + 5
    while _sleepers(tag) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _sleepers(tag) == []


# ---------------------------------------------------------------- progress


def test_a_slow_target_reports_progress_every_second(tmp_path):
    from cnnspec.conform import Runner

    slow = tmp_path / "slow.py"
    slow.write_text("import time\nfrom cnnspec.targets.reference import conv as _conv\n"
                    "def conv(x, w, b, **kw):\n    time.sleep(0.4)\n    return _conv(x, w, b, **kw)\n")
    runner = Runner(str(slow), rules=["conv.out-size"], max_examples=8, seed=0)
    ticks: list[tuple[float, list]] = []
    import time

    runner.start()
    runner.run_all(on_tick=lambda activity: ticks.append((time.monotonic(), activity)))
    assert len(ticks) >= 2, ticks
    gaps = [b[0] - a[0] for a, b in zip(ticks, ticks[1:])]
    assert all(0.9 <= g <= 3.0 for g in gaps), gaps
    check, cases, seconds = ticks[-1][1][0]
    assert check.startswith("conv.out-size::") and cases >= 1 and seconds >= 1


def test_the_live_line_is_rewritten_in_place_on_a_terminal():
    import io

    from cnnspec.conform.progress import Progress

    class Terminal(io.StringIO):
        def isatty(self):
            return True

    screen = Terminal()
    p = Progress(stream=screen, total=4)
    p.tick([("conv.def::values", 3, 2.0)])
    p.tick([("conv.def::values", 5, 3.0)])
    assert screen.getvalue().count("\n") == 0  # one line, rewritten
    assert "conv.def::values: 5 case(s) in 3s [0/4 results" in screen.getvalue()
    p.write("[1/4] pass ...")
    assert screen.getvalue().endswith("\r[1/4] pass ...\n")


def test_nan_times_zero_seen_by_the_check_is_an_allowed_convention_and_nothing_more(tmp_path):
    from cnnspec.conform import run

    skips = tmp_path / "skips.py"  # NaN * 0 -> 0, as a BLAS kernel that skips zero weights
    skips.write_text(
        "import numpy as np\nfrom cnnspec.targets.reference import conv as _conv\n"
        "def conv(x, w, b, **kw):\n"
        "    y = _conv(np.where(np.isnan(x), 0.0, x), w, b, **kw)\n"
        "    hit = _conv(np.isnan(x).astype(float), (w != 0).astype(float), None, **kw) > 0\n"
        "    y[hit] = np.nan\n    return y\n")
    report = run(str(skips), rules=["conv.def"], profile="quick", seed=0)
    (r,) = report.results
    assert r.status == "convention" and r.convention == ["nan_times_zero"], r.message
    assert report.exit_code == 0
    assert report.conventions["nan_times_zero"]["deviates"]

    drops = tmp_path / "drops.py"  # every NaN lost: a bug no convention explains
    drops.write_text(
        "import numpy as np\nfrom cnnspec.targets.reference import conv as _conv\n"
        "def conv(x, w, b, **kw):\n    return _conv(np.where(np.isnan(x), 0.0, x), w, b, **kw)\n")
    report = run(str(drops), rules=["conv.def"], profile="quick", seed=0)
    assert report.results[0].status == "fail" and report.exit_code == 1


def test_a_target_that_cannot_run_here_is_not_green(tmp_path):
    from cnnspec.conform import run

    gpu = tmp_path / "gpu_only.py"
    gpu.write_text("UNAVAILABLE = 'no CUDA device'\n"
                   "from cnnspec.targets.reference import conv\n")
    report = run(str(gpu), rules=["conv.out-size"], profile="quick")
    assert report.exit_code == 3
    assert "conv: no check reached the target" in report.unchecked()[0]


# ---------------------------------------------------------------- error bounds


def test_products_that_underflow_stay_within_the_harness_bound():
    from cnnspec.rules._harness import expect_close

    # 1e-30 * 1e-30 underflows to 0 in float32: a correct float32 conv returns 0 there
    x, w = np.full((1, 1, 4), 1e-30), np.full((1, 1, 3), 1e-30)
    from cnnspec import ref

    y32 = ref.conv(x.astype(np.float32), w.astype(np.float32), None, **UNIT1, dtype=np.float32)
    expected = reference.conv(x, w, None, **UNIT1)
    assert (y32 == 0).all() and (expected > 0).all()
    abs_sum = reference.conv(np.abs(x), np.abs(w), None, **UNIT1)
    expect_close(target_of(conv=reference.conv), y32, expected, rule="conv.def", abs_sum=abs_sum,
                 terms=3, integer_valued=False)


def test_errors_beyond_the_statistical_bound_are_a_warning_only():
    from cnnspec import asserts
    from cnnspec.conform import checkrun
    from cnnspec.conform.progress import summary

    state = checkrun._State()
    with asserts.observing(state.observe):
        asserts.assert_within(np.array([1.0 + 1e-6]), np.array([1.0]), 1e-5, rule="conv.def",
                              statistical=1e-7)  # within the bound, 10x the statistical one
    assert state.worst == pytest.approx(0.1, rel=1e-3)
    assert state.worst_statistical == pytest.approx(10, rel=1e-3)
    r = aggregate("conv", "conv.def", "t", [outcome("conv.def::a", "pass",
                                                    worst_statistical=10.0)], 0)
    rep = report(results=[r], target_ops=["conv"], complete=True)
    assert rep.exit_code == 0
    assert "warning: conv.def on conv: errors up to 10x the statistical bound" in summary(rep)


def test_a_correct_but_slow_target_is_not_a_hang_on_large_cases(tmp_path):
    from cnnspec.conform import run

    slow = tmp_path / "slow_on_large.py"  # a naive loop: fine on small cases, slow on large
    slow.write_text("import time\nfrom cnnspec.targets.reference import conv as _conv\n"
                    "def conv(x, w, b, **kw):\n"
                    "    if x.size * w.size > 10**5:\n        time.sleep(5)\n"
                    "    return _conv(x, w, b, **kw)\n")
    report = run(str(slow), rules=["conv.def::large_cases"], profile="quick", timeout=1)
    (r,) = report.results
    assert r.status == "unsupported" and "on a large case" in r.message, r.message
    assert report.exit_code != 1


# ---------------------------------------------------------------- per-shape cost


def test_a_target_that_compiles_per_shape_is_detected():
    import time

    from cnnspec.conform.shapes import compiles_per_shape

    seen = set()

    def conv(x, w, b, **kw):
        if (x.shape, w.shape) not in seen:
            seen.add((x.shape, w.shape))
            time.sleep(0.03)
        return reference.conv(x, w, b, **kw)

    assert "each check draws at most" in compiles_per_shape(target_of(conv=conv))
    assert compiles_per_shape(target_of(conv=reference.conv)) is None


def test_a_shape_budget_bounds_the_shapes_and_keeps_the_data_varied():
    from hypothesis import given, settings

    from cnnspec.conform.shapes import ShapeBudget, skeleton
    from cnnspec.strategies import conv_configs

    budget = ShapeBudget(3)
    skeletons, seeds = set(), set()

    @settings(max_examples=60, database=None)
    @given(cfg=conv_configs(max_rank=2))
    def draw(cfg):
        case = budget.map(cfg)
        skeletons.add(skeleton(case))
        seeds.add(case.seed)
        assert skeleton(case) in budget.seen
        np.testing.assert_array_equal(case.x, ConvConfig.build(
            x_shape=case.x.shape, w_shape=case.w.shape,
            b_shape=None if case.b is None else case.b.shape, seed=case.seed,
            **case.kwargs).x)  # the data of its own seed

    draw()
    assert len(skeletons) <= 3 and len(seeds) > 10


def test_one_finding_per_op_and_exception_type_with_each_distinct_message():
    from cnnspec.conform.progress import summary

    def refused(rule, text):
        o = outcome(f"{rule}::a", "restriction", refusal=text)
        return aggregate("max_pool", rule, "t", [o], 0)

    rs = [refused("pool.max-def", "RuntimeError: pad should be at most half, got pad=2"),
          refused("pool.out-size", "RuntimeError: pad should be at most half, got pad=3"),
          refused("pool.max-nan", "RuntimeError: input image (T: 1) smaller than kernel")]
    rep = report(results=rs, target_ops=["max_pool"], complete=True)
    (f,) = rep.findings()
    assert f.kind == "restriction" and f.rules == ["pool.max-def", "pool.out-size", "pool.max-nan"]
    text = summary(rep)
    assert text.count("it says: RuntimeError: pad should be at most half") == 1
    assert text.count("it says: RuntimeError: input image") == 1
    assert rep.exit_code == 1
