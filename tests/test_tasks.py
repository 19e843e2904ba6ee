"""The worker's tasks and outcomes (cnnspec.conform.tasks) and the scoped bound observer.

A Task and an Outcome cross the pipe to a worker process, so they must pickle; an Outcome's
in-process fields (the failing case, its exception) never do.  The worst-error observer of
cnnspec.asserts is installed for one check run only: a check run in-process (the catalog
test, the mutation tests) sees no observer another run left behind.
"""

from __future__ import annotations

import pickle
import types

import numpy as np
import pytest

from cnnspec import asserts, rules
from cnnspec.conform.checkrun import run_check
from cnnspec.conform.results import CheckOutcome
from cnnspec.conform.tasks import PROBE, STOP, Outcome, Probe, Task
from cnnspec.conform.workers import Pool
from cnnspec.targets import Target, reference

CHECK = "conv.def::real_valued_data_within_the_bound"


def _check(check_id: str) -> rules.Check:
    return next(c for c in rules.all_checks() if c.id == check_id)


def _one_ulp_off(*args, **kwargs) -> np.ndarray:
    """The reference's conv, its nonzero outputs one ulp up: inside every K-aware bound
    (at least an ulp), and a nonzero worst error."""
    y = np.asarray(reference.conv(*args, **kwargs))
    return np.where(y != 0, np.nextafter(y, np.inf), y)


def _slightly_off() -> Target:
    module = types.ModuleType("slightly_off")
    module.__file__ = __file__
    module.conv = _one_ulp_off
    return Target("slightly_off", module)


def test_tasks_and_outcomes_cross_the_pipe():
    task = Task("check", CHECK, ops=("conv",), max_examples=7, seed=3,
                deviations={"ceil_mode": "keep"}, level="refuse",
                capabilities={"conv": {"ranks": [1]}}, large=True, few_shapes=True)
    assert pickle.loads(pickle.dumps(task)) == task
    assert pickle.loads(pickle.dumps(PROBE)) == Task("probe", "conventions::probe")
    assert pickle.loads(pickle.dumps(STOP)).kind == "stop"
    probe = Outcome("conventions::probe",
                    probe=Probe({"ceil_mode": {"value": "keep"}}, None, ["conv: rank 3"], None))
    assert pickle.loads(pickle.dumps(probe)) == probe


def test_the_case_and_the_exception_stay_in_the_worker():
    out = Outcome(CHECK, "fail", "y is outside the error bound [conv.def]", examples=2,
                  case=lambda: "not picklable", error=AssertionError("boom"))
    with pytest.raises((pickle.PicklingError, AttributeError)):
        pickle.dumps(out)
    sent = pickle.loads(pickle.dumps(out.for_pipe()))
    assert sent.case is None and sent.error is None
    assert (sent.check, sent.status, sent.message, sent.examples) == \
        (CHECK, "fail", "y is outside the error bound [conv.def]", 2)
    assert out.case is not None, "for_pipe() must not strip the worker's own outcome"


def test_the_report_shows_an_outcome_at_its_check_level():
    out = Outcome(CHECK, "restriction", "refused [conv.def]", examples=4, requested=9,
                  refused=5, refusal="ValueError: no", convention_seen="ceil_mode",
                  case=object())
    shown = CheckOutcome.of(out, "refuse")
    assert (shown.check, shown.status, shown.level, shown.examples, shown.requested,
            shown.refused, shown.refusal) == (CHECK, "restriction", "refuse", 4, 9, 5,
                                              "ValueError: no")
    # the keys of a check in the JSON report, unchanged by the move to dataclasses
    assert list(shown.to_json()) == [
        "check", "status", "message", "example", "repro", "examples", "unsupported",
        "worst_error", "convention", "level", "requested", "refused", "refusal",
        "also_refused", "cause", "cause_message", "worst_statistical"]


def test_observing_adds_the_callback_for_the_block_only():
    seen = []

    def record(actual, expected, bound, statistical):
        seen.append(bound)

    before = list(asserts.OBSERVERS)
    with pytest.raises(AssertionError, match=r"\[conv.def\]"):
        with asserts.observing(record):
            asserts.assert_within(np.array([1.0]), np.array([1.0]), 0.5, rule="conv.def")
            asserts.assert_within(np.array([2.0]), np.array([1.0]), 0.25, rule="conv.def")
    assert seen == [0.5, 0.25]
    assert asserts.OBSERVERS == before, "the observer outlived its block (an exception)"
    asserts.assert_within(np.array([1.0]), np.array([1.0]), 0.125, rule="conv.def")
    assert seen == [0.5, 0.25]


def test_a_check_run_observes_the_bound_only_when_asked():
    check, target = _check(CHECK), _slightly_off()
    before = list(asserts.OBSERVERS)
    observed = run_check(target, check, max_examples=5, seed=0, target_spec="t",
                         observe_bounds=True)
    assert observed.status == "pass" and observed.examples > 0
    assert observed.worst_error is not None and 0 < observed.worst_error < 1
    assert observed.worst_statistical is not None and observed.worst_statistical > 0
    assert asserts.OBSERVERS == before, "run_check left its observer installed"
    plain = run_check(target, check, max_examples=5, seed=0, target_spec="t")
    assert plain.status == "pass" and plain.examples == observed.examples
    assert plain.worst_error is None and plain.worst_statistical is None


def test_a_failure_keeps_its_case_and_exception_in_process():
    check = _check(CHECK)
    module = types.ModuleType("off_by_one")
    module.__file__ = __file__
    module.conv = lambda *a, **k: np.asarray(reference.conv(*a, **k)) + 1.0
    out = run_check(Target("off_by_one", module), check, max_examples=5, seed=0,
                    target_spec="t", with_error=True)
    assert out.status == "fail" and "[conv.def]" in out.message
    assert out.case is not None and isinstance(out.error, AssertionError)
    assert out.example is not None and out.example["repr"] == repr(out.case)


def test_a_worker_runs_a_task_and_sends_an_outcome():
    """Through a real worker process: the probe, then one check of the reference; the
    worker observes the bound of its checks (worst_error), and sends no case."""
    task = Task("check", CHECK, ops=("conv",), max_examples=3, seed=0)
    with Pool("cnnspec.targets.reference", jobs=1, timeout=60) as pool:
        assert "conv" in pool.start()["ops"]
        [(_, probed)] = pool.run([PROBE])
        assert probed.probe is not None and probed.probe.conventions
        [(done, out)] = pool.run([task])
    assert done == task and isinstance(out, Outcome)
    assert (out.check, out.status, out.requested) == (CHECK, "pass", 3)
    assert out.examples > 0 and out.worst_error is not None and out.case is None
