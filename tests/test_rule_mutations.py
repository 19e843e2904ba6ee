"""Breaking any one rule in the reference makes a check of that rule fail, citing it.

One row per rule ID of the registry (tests/rule_mutants.py): for a rule whose checks call a
target, the reference target with one bug; for a spec-internal rule (checks with ops=()), a
monkeypatch of the spec's own code.  The rule's checks run on the mutation with Hypothesis;
at least one must fail with an error whose message contains ``[rule-id]``.  A new rule
without a row fails test_every_rule_has_a_mutation.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from rule_mutants import SPEC_PATCHES, TARGET_MUTANTS, Mutant, Patch

from cnnspec import rules
from cnnspec.errors import InvalidConfig
from cnnspec.targets import OpMissing, Unsupported, load_target

#: Rules for which no mutation is offered, with the reason (kept empty unless justified).
NO_MUTATION: dict[str, str] = {}

MUTATIONS: dict[str, Mutant | Patch] = {**TARGET_MUTANTS, **SPEC_PATCHES}

SETTINGS = settings(max_examples=100, derandomize=True, database=None, deadline=None,
                    phases=(Phase.explicit, Phase.generate),  # no shrinking: we only need a failure
                    suppress_health_check=list(HealthCheck), print_blob=False)


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
    """Run ``check`` on ``target``; the message of its failure, or None when it passes."""
    examples = min(100, check.max_examples or 100)

    @settings(SETTINGS, max_examples=examples)
    @given(case=check.cases())
    def run(case):
        try:
            check.fn(target, case)
        except (Unsupported, OpMissing):
            pass

    try:
        run()
    except Exception as e:  # noqa: BLE001 - AssertionError, InvalidConfig, or a group of them
        msgs = _messages(e)
        return next((m for m in msgs if f"[{check.rule}]" in m), "NOT CITING: " + msgs[0][:300])
    return None


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
