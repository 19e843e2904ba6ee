"""The mutant zoo: the conformance suite must catch every classic bug, by the rule it breaks.

For each mutant in conformance/mutants/, the registry's checks of the op it breaks run on it,
those of the rules its module expects (EXPECTED_RULES) first, MAX_EXAMPLES examples per check,
derandomized, until the first failure: a check must fail, its message must cite its rule, and
that rule must be one of EXPECTED_RULES (a mutant that only an unexpected rule catches fails
the test, with the message of the check that did).  A mutant that no check catches is a gap in
the suite, not a reason to drop the mutant: it is listed in GAPS and stays visible as a strict
xfail until a check of one of its EXPECTED_RULES catches it (then: remove it from GAPS).

``python -m conformance.measure_mutants`` runs the same catches and prints the table of
conformance/README.md (time to catch, counterexample sizes; ``--all``: every rule that fails).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from cnnspec import rules
from cnnspec.targets import OPS, load_target

from .measure_mutants import MAX_EXAMPLES, broken_ops, catch, checks_of, conform_verdict, load, run_checks
from .mutants import DIR, MUTANTS

EXAMPLE_ADAPTER = Path(__file__).resolve().parent / "targets" / "example_numpy_adapter.py"

#: Mutants the suite does not catch yet: name -> "gap: <rule>: <the check that would catch it>".
GAPS: dict[str, str] = {}  # mutants no check catches yet: none (each entry is a strict xfail)


#: Mutants also run through the user's front door, ``cnnspec conform`` (cnnspec.conform.run: a
#: worker process per run, conventions and precision probed; 2-6 s each, so a sample): one per
#: op, two that the report names as a convention, a large-case one, the runner's known gaps,
#: and two 2-D-only targets with cs231n-style restrictions (caught only inside the capabilities).
CONFORM_SAMPLE = ("conv_kernel_flipped", "conv_transpose_output_padding_ignored",
                  "max_pool_drops_nan", "avg_pool_divisor_counts_overhang",
                  "conv_float32_accumulation", "conv_tail_tile_32", "conv_tf32_inputs",
                  "conv2d_only_kernel_axes_swapped", "conv2d_only_pad_scaled_by_stride")
#: Mutants ``cnnspec conform`` does not fail yet (strict xfails): none.
CONFORM_GAPS: dict[str, str] = {}


def _params():
    for name in MUTANTS:
        marks = [pytest.mark.xfail(strict=True, reason=GAPS[name])] if name in GAPS else []
        yield pytest.param(name, marks=marks, id=name)


@pytest.mark.parametrize("name", list(_params()))
def test_mutant_is_caught_by_the_rule_it_breaks(name):
    # a known gap runs only the checks of its expected rules: a catch by any other rule would
    # fail the test all the same (and keep the strict xfail quiet), so the rest is wasted time
    caught = catch(name, max_examples=MAX_EXAMPLES, only_expected=name in GAPS)
    expected = set(caught.expected)
    assert caught.first is not None, (
        f"{name} passed every check of {', '.join(caught.ops)} ({caught.examples} examples), but "
        f"should be caught by {sorted(expected)}: a gap in the suite")
    first = caught.first
    assert f"[{first.rule}]" in first.message, (
        f"{first.check} failed with a message that does not cite [{first.rule}]:\n{first.message}")
    assert first.rule in expected, (
        f"{name} was caught by {first.rule} ({first.check}), but should be caught by one of "
        f"{sorted(expected)}:\n{first.message}")


@pytest.mark.parametrize("name", [
    pytest.param(n, id=n, marks=[pytest.mark.xfail(strict=True, reason=CONFORM_GAPS[n])]
                 if n in CONFORM_GAPS else []) for n in CONFORM_SAMPLE])
def test_cnnspec_conform_fails_the_mutant(name):
    code, verdicts = conform_verdict(name, max_examples=MAX_EXAMPLES)
    assert code == 1, f"cnnspec conform {name}: exit {code} ({verdicts}), but should fail the run"


def test_zoo_lists_every_mutant_file_once():
    files = sorted(p.stem for p in DIR.glob("*.py") if not p.stem.startswith("_"))
    assert sorted(MUTANTS) == files, "conformance/mutants/__init__.py MUTANTS, but should list every file"
    assert len(set(MUTANTS)) == len(MUTANTS), "MUTANTS lists a mutant twice"
    assert len(MUTANTS) >= 30, f"len(MUTANTS)={len(MUTANTS)}, but the zoo should hold at least 30"
    for name in (*GAPS, *CONFORM_SAMPLE):
        assert name in MUTANTS, f"{name} is named in GAPS or CONFORM_SAMPLE, but is not a mutant"


@pytest.mark.parametrize("name", MUTANTS)
def test_mutant_breaks_one_op_and_cites_rules_that_exist(name):
    module = load(name)
    assert all(callable(getattr(module, op, None)) for op in OPS), f"{name} should define all four ops"
    ops = broken_ops(module)
    assert len(ops) == 1, f"{name} breaks ops={ops}, but should break exactly one"
    assert module.__doc__ and "\nCaught by:" in module.__doc__, f"{name} should say what catches it"
    assert module.EXPECTED_RULES, f"{name}.EXPECTED_RULES is empty"
    for rule_id in module.EXPECTED_RULES:
        assert ops[0] in rules.get(rule_id).ops or not rules.get(rule_id).ops, (
            f"{name}: EXPECTED_RULES cites {rule_id}, but that rule is not about {ops[0]}")
    source = (DIR / f"{name}.py").read_text()
    assert "# BUG" in source, f"{name} should mark its bug with '# BUG'"
    ast.parse(source)


def test_the_example_adapter_passes_what_kills_the_mutants():
    """The control group: a correct implementation that is not the reference passes the same
    checks, so the kill rate measures the bugs and not the harness."""
    target = load_target(str(EXAMPLE_ADAPTER))
    failures, passed = run_checks(target, checks_of(["conv"]), max_examples=MAX_EXAMPLES)
    assert not failures, "the example adapter fails:\n" + "\n".join(f.message for f in failures)
    assert passed > 0, "the example adapter computed no case"
