"""The executable spec: the registry's checks that call a target, run on the built-in targets.

One pytest item per (target, check).  A target that lacks the op, raises
NotImplementedError for a configuration, or cannot run here (no CUDA device) is skipped
with the reason; Hypothesis draws the cases with the active profile (tests/conftest.py).

What runs where, and why:

- The proofs (checks with ``ops=()``: SymPy identities, brute-force counts, a formula's
  refusals) call no target: they run once, in tests/test_prove.py, not here.
- A target of a third-party library (SciPy, PyTorch) runs the ``compute`` level only: its
  built-in target validates nothing, so what the library does on an invalid configuration
  (the ``refuse`` and ``strict`` checks) is a measurement, reported by
  ``cnnspec conform --level refuse`` (conformance/results), not a test expectation.
- The reference runs only the checks that are evidence about it: worked examples with
  hand-written values, shapes against the formulas, properties (linearity, equivariance,
  adjoint identities, batch independence) and the negative checks, which test its
  validation.  A check declared ``oracle="reference"`` (cnnspec.rules.Check) compares the
  target with the reference computing the same call: on the reference it compares the
  reference with itself and cannot fail, so it runs on the other targets only.
"""

from __future__ import annotations

import random

import pytest
from hypothesis import settings

from cnnspec import rules
from cnnspec.conform.checkrun import run_check
from cnnspec.targets import load_target

#: The built-in targets, each with the package it needs (skipped with the reason without it).
TARGETS = {"cnnspec.targets.reference": None, "cnnspec.targets.scipy": "scipy",
           "cnnspec.targets.torch_cpu": "torch", "cnnspec.targets.torch_cuda": "torch",
           "cnnspec.targets.torch_cuda_tf32": "torch"}

#: The checks that call a target (the proofs are tests/test_prove.py's).
CHECKS = [c for c in rules.all_checks() if c.ops]
REFERENCE = "cnnspec.targets.reference"


def _runs_on(target: str, check: rules.Check) -> bool:
    if target == REFERENCE:
        return check.oracle != "reference"  # not the reference compared with itself
    return check.level == "compute"


ITEMS = [pytest.param(t, c, id=f"{t.rsplit('.', 1)[1]}-{c.id}") for t in TARGETS for c in CHECKS
         if _runs_on(t, c)]


def _run(target_name: str, check: rules.Check) -> None:
    target = load_target(target_name)
    if target.unavailable:
        pytest.skip(f"{target_name}: {target.unavailable}")
    missing = [op for op in check.ops if not target.has(op)]
    if missing:
        pytest.skip(f"{target_name} does not implement {', '.join(missing)}")
    # the active profile's budget unless the check sets its own; derandomized as in the ci
    # profile, else a random seed (the thorough profile explores)
    profile = settings.default
    out = run_check(target, check, max_examples=check.max_examples or profile.max_examples,
                    seed=None if profile.derandomize else random.getrandbits(32),
                    target_spec=target_name)
    if out.status == "fail":
        pytest.fail(f"{check.id} on {target_name}: {out.message}\n"
                    f"minimal example: {out.example['repr'] if out.example else '?'}",
                    pytrace=False)
    if out.status == "unsupported":
        pytest.skip(f"{target_name}: {out.message}")
    assert out.status == "pass" and out.examples > 0, \
        f"{check.id} on {target_name} checked no case: {out.message}"


@pytest.mark.parametrize("target_name, check", ITEMS)
def test_check(target_name, check):
    if TARGETS[target_name]:
        pytest.importorskip(TARGETS[target_name])
    _run(target_name, check)


def test_the_reference_runs_what_is_evidence_about_it():
    """The selection above can fail: a reference-oracle check is kept off the reference, and
    kept on the others; the worked examples, properties and refusals stay on it."""
    on_reference = {c.id for t, c in (p.values for p in ITEMS) if t == REFERENCE}
    oracle = {c.id for c in CHECKS if c.oracle == "reference"}
    assert oracle and not oracle & on_reference
    assert {"conv.def::matches_the_reference", "config.stride::conv_accepts_stride_1"} <= oracle
    assert {"conv-transpose.def::conv_transpose_worked_examples", "conv.linear-input::linear_in_the_input",
            "config.stride::conv_refuses_a_stride_below_1",
            "conv.grad-input::adjoint_identity_dx"} <= on_reference
    torch = {c.id for t, c in (p.values for p in ITEMS) if t == "cnnspec.targets.torch_cpu"}
    assert oracle <= torch | {c.id for c in CHECKS if c.level != "compute"}
    assert not [c for c in CHECKS if not c.ops]
