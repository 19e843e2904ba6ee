"""The proofs of the spec are their own evidence: every check that calls no target runs here,
once, through the function `cnnspec prove` uses (cnnspec.rules.prove.run_proof, which runs
it under Hypothesis as a conformance run runs a check), with a small example budget.  These
items replace the proofs' items of the old catalog, which ran them "on the reference".

`cnnspec conform` no longer plans them: a proof says nothing about a target.
"""

from __future__ import annotations

import pytest

from cnnspec import formulas, rules
from cnnspec.cli import main
from cnnspec.conform.engine import UsageError, plan
from cnnspec.rules.prove import run_proof, select

#: Examples per proof here: the whole set stays well under a minute on two cores (~7 s at 5
#: examples); `cnnspec prove` runs each with its own budget (50 by default).
EXAMPLES = 10

PROOFS = rules.proofs()


def test_there_are_proofs_and_only_proofs_are_selected():
    assert len(PROOFS) > 100
    assert all(not c.ops for c in PROOFS)
    assert {c.id for c in select("arith.*")} == {c.id for c in PROOFS if c.rule.startswith("arith.")}


@pytest.mark.parametrize("proof", PROOFS, ids=[c.id for c in PROOFS])
def test_proof_holds(proof):
    out = run_proof(proof, max_examples=EXAMPLES, seed=0)
    assert out.status == "pass", out.message
    assert out.examples >= 1, f"{proof.id} drew no case, but a proof must check one"


def test_a_broken_formula_fails_its_proof_citing_the_rule(monkeypatch):
    """The proofs can fail: conv_out_size one too large breaks Relationship 1's count."""
    right = formulas.conv_out_size
    monkeypatch.setattr(formulas, "conv_out_size", lambda *a, **k: right(*a, **k) + 1)
    (proof,) = select("arith.unit-stride-no-padding::counts_windows")
    out = run_proof(proof, max_examples=EXAMPLES, seed=0)
    assert out.status == "fail"
    assert "[arith.unit-stride-no-padding]" in out.message


def test_a_check_that_calls_a_target_is_not_a_proof():
    check = next(c for c in rules.all_checks() if c.ops)
    with pytest.raises(ValueError, match=r"calls .*, but a proof calls no target"):
        run_proof(check, max_examples=1)


def test_prove_prints_one_line_per_proof_and_a_summary(capsys):
    assert main(["prove", "params.dense", "--max-examples", "3", "--seed", "4"]) == 0
    lines = capsys.readouterr().out.splitlines()
    ids = [c.id for c in select("params.dense")]
    assert [line.split()[1] for line in lines[:-1]] == ids
    assert all(line.startswith("pass  ") for line in lines[:-1])
    assert lines[-1].startswith(f"{len(ids)} proofs: {len(ids)} passed, 0 failed")


def test_prove_exits_1_when_a_proof_fails(monkeypatch, capsys):
    right = formulas.conv_out_size
    monkeypatch.setattr(formulas, "conv_out_size", lambda *a, **k: right(*a, **k) + 1)
    assert main(["prove", "arith.unit-stride-no-padding::counts_windows",
                 "--max-examples", "5"]) == 1
    out = capsys.readouterr().out
    assert out.startswith("FAIL  arith.unit-stride-no-padding::counts_windows")
    assert "[arith.unit-stride-no-padding]" in out and "1 failed" in out


@pytest.mark.parametrize("argv, message", [
    (["conv.def"], "rule glob 'conv.def' matches no proof"),
    (["--max-examples", "0"], "--max-examples=0, but should be >= 1"),
])
def test_prove_exits_2_on_bad_arguments(argv, message, capsys):
    assert main(["prove", *argv]) == 2
    assert message in capsys.readouterr().err


def test_conform_plans_only_checks_that_call_a_target():
    groups = plan()
    planned = [c for checks in groups.values() for c in checks]
    assert planned and all(c.ops for c in planned)
    assert {op for op, _ in groups} <= {op for c in rules.all_checks() for op in c.ops}
    assert {c.id for c in planned} == {c.id for c in rules.all_checks() if c.ops}
    with pytest.raises(UsageError, match=r"--rules='arith\.\*' matches no rule with a check "
                                         r"that calls a target \(only proofs"):
        plan(rules="arith.*")
    with pytest.raises(UsageError, match="op='spec'"):
        plan(ops="spec")
