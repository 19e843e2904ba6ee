"""Breaking any one rule in the reference makes a check of that rule fail, citing it.

One row per rule ID of the registry (tests/rule_mutants.py): for a rule whose checks call a
target, the reference target with one bug; for a spec-internal rule (checks with ops=()), a
monkeypatch of the spec's own code.  The rule's checks run on the mutation with Hypothesis;
at least one must fail with an error whose message contains ``[rule-id]``.  A new rule
without a row fails test_every_rule_has_a_mutation.
"""

from __future__ import annotations

import pytest
from rule_mutants import SPEC_PATCHES, TARGET_MUTANTS, Mutant, Patch

from cnnspec import rules
from cnnspec.conform.checkrun import capped, run_check
from cnnspec.errors import InvalidConfig
from cnnspec.targets import load_target

#: Rules for which no mutation is offered, with the reason (kept empty unless justified).
NO_MUTATION: dict[str, str] = {}

MUTATIONS: dict[str, Mutant | Patch] = {**TARGET_MUTANTS, **SPEC_PATCHES}

#: Examples per check (a check's own max_examples caps it); drawn derandomized, not shrunk:
#: we only need a failure.
MAX_EXAMPLES = 100


def _messages(e: BaseException) -> list[str]:
    """The messages of an error, its sub-errors (ExceptionGroup) and its causes."""
    out = [str(e)]
    if isinstance(e, InvalidConfig):
        out.append(f"[{e.rule}]")
    for sub in getattr(e, "exceptions", ()) or ():
        out += _messages(sub)
    if e.__cause__ is not None:
        out += _messages(e.__cause__)
    return out


def _failure(check: rules.Check, target) -> str | None:
    """Run ``check`` on ``target`` (cnnspec's run_check: unsupported cases are set aside);
    the message of its failure that cites the rule, or None when it passes."""
    out = run_check(target, check, max_examples=capped(check, MAX_EXAMPLES), seed=None,
                    target_spec="(a mutation)", shrink=False, with_error=True)
    if out.status != "fail":
        return None
    msgs = _messages(out.error)  # AssertionError, InvalidConfig, or what the check raised
    return next((m for m in msgs if f"[{check.rule}]" in m), "NOT CITING: " + msgs[0][:300])


def _rows():
    for r in rules.all_rules():
        if r.id in NO_MUTATION:
            yield pytest.param(r.id, None, id=r.id, marks=pytest.mark.skip(reason=NO_MUTATION[r.id]))
        elif r.id in MUTATIONS:
            yield pytest.param(r.id, MUTATIONS[r.id], id=r.id)


@pytest.mark.parametrize(("rule_id", "mutation"), list(_rows()))
def test_breaking_the_rule_fails_its_check(rule_id, mutation, monkeypatch):
    checks = rules.checks_for(rule_id)
    assert checks, f"rule {rule_id} has no check"
    if isinstance(mutation, Mutant):
        target = load_target(mutation.module())
        checks = [c for c in checks if c.ops]  # the spec-internal ones never call the target
    else:
        mutation.apply(monkeypatch)
        target = load_target("cnnspec.targets.reference")
    seen = []
    for check in checks:
        msg = _failure(check, target)
        if msg is not None and not msg.startswith("NOT CITING"):
            return
        seen.append(f"  {check.id}: {msg or 'passed'}")
    pytest.fail(f"{mutation.what!r} breaks [{rule_id}], but none of its checks failed citing it:\n"
                + "\n".join(seen))


def test_every_rule_has_a_mutation():
    ids = {r.id for r in rules.all_rules()}
    missing = sorted(ids - set(MUTATIONS) - set(NO_MUTATION))
    assert not missing, f"rules without a mutation row in tests/rule_mutants.py: {missing}"
    stale = sorted((set(MUTATIONS) | set(NO_MUTATION)) - ids)
    assert not stale, f"mutation rows for rules not in the registry: {stale}"
    assert not set(MUTATIONS) & set(NO_MUTATION)


def test_mutation_kind_matches_the_checks():
    """Target mutants for rules whose checks call a target; patches for spec-internal rules."""
    for rule_id, mutation in MUTATIONS.items():
        calls_a_target = any(c.ops for c in rules.checks_for(rule_id))
        if isinstance(mutation, Mutant):
            assert calls_a_target, f"{rule_id}: no check calls a target, so a target mutant cannot break it"
