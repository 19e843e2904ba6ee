"""The executable spec: every check of the registry, run on every built-in target.

One pytest item per (target, check).  A target that lacks the op, raises
NotImplementedError for a configuration, or cannot run here (no CUDA device) is skipped
with the reason; Hypothesis draws the cases with the active profile (tests/conftest.py).

The reference runs every check.  A target of a third-party library (SciPy, PyTorch) runs
the ``compute`` level only: its built-in target validates nothing, so what the library does
on an invalid configuration (the ``refuse`` and ``strict`` checks) is a measurement,
reported by ``cnnspec conform --level refuse`` (conformance/results), not a test expectation.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings

from cnnspec import rules
from cnnspec.targets import OpMissing, Unsupported, load_target

#: The built-in targets, each with the package it needs (skipped with the reason without it).
TARGETS = {"cnnspec.targets.reference": None, "cnnspec.targets.scipy": "scipy",
           "cnnspec.targets.torch_cpu": "torch", "cnnspec.targets.torch_cuda": "torch",
           "cnnspec.targets.torch_cuda_tf32": "torch"}

CHECKS = rules.all_checks()
REFERENCE = "cnnspec.targets.reference"
ITEMS = [pytest.param(t, c, id=f"{t.rsplit('.', 1)[1]}-{c.id}") for t in TARGETS for c in CHECKS
         if t == REFERENCE or c.level == "compute"]


def _run(target_name: str, check: rules.Check) -> None:
    if not check.ops and target_name != "cnnspec.targets.reference":
        pytest.skip("a check of the spec itself (no op called): run once, on the reference")
    target = load_target(target_name)
    if target.unavailable:
        pytest.skip(f"{target_name}: {target.unavailable}")
    missing = [op for op in check.ops if not target.has(op)]
    if missing:
        pytest.skip(f"{target_name} does not implement {', '.join(missing)}")
    unsupported: list[str] = []
    checked = []

    @given(case=check.cases())
    def run(case):
        try:
            check.fn(target, case)
        except (Unsupported, OpMissing) as e:
            unsupported.append(str(e))
        else:
            checked.append(1)

    # negative checks keep only the boundary draws the reference refuses (assume): as in
    # cnnspec conform (checkrun), filtering is the design, not a slow strategy
    run = settings(suppress_health_check=[HealthCheck.filter_too_much],
                   **({"max_examples": check.max_examples} if check.max_examples else {}))(run)
    run()
    if not checked:
        pytest.skip(f"{target_name}: every case unsupported, e.g. {unsupported[:1]}")


@pytest.mark.parametrize("target_name, check", ITEMS)
def test_check(target_name, check):
    if TARGETS[target_name]:
        pytest.importorskip(TARGETS[target_name])
    _run(target_name, check)
