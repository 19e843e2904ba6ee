"""The generic checks of the rules' worked examples (records of cnnspec/rules/_examples.py).

For every rule with call examples, one check per op and level runs them on the target: a
valid call must give the stated values (exactly on integer data the target's precision
holds, else within the K-aware bound [tolerance.k-aware]), an invalid one must be refused.
For every rule with formula examples, one proof evaluates them; one more proof makes sure
the reference refuses each invalid call example for the rule the example states, so that
the spec's word "refused" means the rule it is listed under.
"""

from __future__ import annotations

from typing import Any

from ..errors import InvalidConfig
from . import Rule, check, declared_rules
from ._evidence import once
from ._examples import OUTPUTS, CallExample, FormulaExample
from ._grad_oracle import compare_grads, invoke_grads
from ._harness import expect_raises, expect_reference, fail, integer_valued, reference_call

#: (op, level) -> the name of the check that runs a rule's call examples of that op and
#: level; written out, so that grep finds every report ID
NAMES = {
    ("conv", "compute"): "conv_worked_examples",
    ("conv", "refuse"): "conv_worked_examples_refused",
    ("conv", "strict"): "conv_worked_examples_refused_at_strict",
    ("conv_transpose", "compute"): "conv_transpose_worked_examples",
    ("conv_transpose", "refuse"): "conv_transpose_worked_examples_refused",
    ("conv_transpose", "strict"): "conv_transpose_worked_examples_refused_at_strict",
    ("max_pool", "compute"): "max_pool_worked_examples",
    ("max_pool", "refuse"): "max_pool_worked_examples_refused",
    ("max_pool", "strict"): "max_pool_worked_examples_refused_at_strict",
    ("avg_pool", "compute"): "avg_pool_worked_examples",
    ("avg_pool", "refuse"): "avg_pool_worked_examples_refused",
    ("avg_pool", "strict"): "avg_pool_worked_examples_refused_at_strict",
    ("conv_backward", "compute"): "conv_backward_worked_examples",
    ("conv_backward", "refuse"): "conv_backward_worked_examples_refused",
    ("conv_backward", "strict"): "conv_backward_worked_examples_refused_at_strict",
    ("conv_transpose_backward", "compute"): "conv_transpose_backward_worked_examples",
    ("conv_transpose_backward", "refuse"): "conv_transpose_backward_worked_examples_refused",
    ("conv_transpose_backward", "strict"):
        "conv_transpose_backward_worked_examples_refused_at_strict",
    ("max_pool_backward", "compute"): "max_pool_backward_worked_examples",
    ("max_pool_backward", "refuse"): "max_pool_backward_worked_examples_refused",
    ("max_pool_backward", "strict"): "max_pool_backward_worked_examples_refused_at_strict",
    ("avg_pool_backward", "compute"): "avg_pool_backward_worked_examples",
    ("avg_pool_backward", "refuse"): "avg_pool_backward_worked_examples_refused",
    ("avg_pool_backward", "strict"): "avg_pool_backward_worked_examples_refused_at_strict",
}
FORMULA_PROOF = "formula_examples"
REFUSAL_PROOF = "the_reference_refuses_each_invalid_call_example_for_its_rule"


def run_call(target: Any, ex: CallExample, rule: str) -> None:
    """The target's ``ex.op`` gives the example's values (a valid example) or refuses it."""
    args, kwargs, call = ex.args, ex.kwargs, ex.call()
    if ex.refused:
        why = ex.why or "the worked example is invalid"
        expect_raises(target, ex.op, *args, rule=rule, why=why, call=call, **kwargs)
        return
    expected = ex.expected()
    if ex.op in ("conv", "conv_transpose", "max_pool", "avg_pool"):
        expect_reference(target, ex.op, args, kwargs, rule=rule, call=call,
                         integer_valued=integer_valued(args), expected=expected["y"])
        return
    got = invoke_grads(target, ex.op, args, kwargs, rule=rule, call=call)
    compare_grads(target, ex.op, got, tuple(expected.get(n) for n in OUTPUTS[ex.op]), args,
                  kwargs, call=call, only=tuple(expected), rule=rule)


def prove_formulas(records: tuple[FormulaExample, ...], rule: str) -> None:
    for ex in records:
        want = ex.raises if isinstance(ex.raises, str) else rule
        try:
            got = ex.evaluate()
        except InvalidConfig as e:
            if ex.raises and e.rule == want:
                continue
            fail(f"{ex.text()} raised InvalidConfig [{e.rule}], but should "
                 + (f"name [{want}]" if ex.raises else f"give {ex.result}"), rule, ex.text(),
                 f"  the spec's example: {ex.given} -> {ex.result}")
        if ex.raises:
            fail(f"{ex.text()} = {got!r}, but should raise InvalidConfig [{want}]", rule,
                 ex.text())
        if not ex.matches(got):
            fail(f"{ex.text()} = {got!r}, but should be {ex.result}", rule, ex.text(),
                 f"  the spec's example: {ex.given} -> {ex.result}" +
                 (f" ({ex.why})" if ex.why else ""))


def prove_refusals(records: tuple[CallExample, ...], rule: str) -> None:
    for ex in records:
        want = ex.refused if isinstance(ex.refused, str) else rule
        try:
            reference_call(ex.op, *ex.args, **ex.kwargs)
        except InvalidConfig as e:
            if e.rule != want:
                fail(f"the reference refused {ex.given} for [{e.rule}], but the spec lists the "
                     f"example under [{want}]", rule, ex.call())
            continue
        fail(f"the reference computed {ex.given}, but the spec says it is refused"
             + ("" if want == rule else f" for [{want}]"), rule, ex.call())


def _declare_calls(r: Rule) -> None:
    groups: dict[tuple[str, str], list[CallExample]] = {}
    for ex in r.examples:
        if isinstance(ex, CallExample):
            groups.setdefault((ex.op, ex.level), []).append(ex)
    for (op, level), records in groups.items():
        def fn(target: Any, ex: CallExample, rule: str = r.id) -> None:
            run_call(target, ex, rule)

        def cases(records: tuple[CallExample, ...] = tuple(records)) -> Any:
            from hypothesis import strategies as st

            return st.sampled_from(records)

        check(r.id, ops=op, cases=cases, name=NAMES[op, level], level=level,
              kind="positive" if level == "compute" else "negative",
              max_examples=len(records), exhaustive=True)(fn)
    refused = tuple(ex for group in groups.values() for ex in group if ex.refused)
    if refused:
        def refusals(target: Any, _: Any, rule: str = r.id) -> None:
            prove_refusals(refused, rule)

        check(r.id, ops=(), cases=once, name=REFUSAL_PROOF, max_examples=1)(refusals)


def _declare_formulas(r: Rule) -> None:
    records = tuple(ex for ex in r.examples if isinstance(ex, FormulaExample))
    if records:
        def formulas(target: Any, _: Any, rule: str = r.id) -> None:
            prove_formulas(records, rule)

        check(r.id, ops=(), cases=once, name=FORMULA_PROOF, max_examples=1)(formulas)


for _rule in declared_rules():
    _declare_calls(_rule)
    _declare_formulas(_rule)
