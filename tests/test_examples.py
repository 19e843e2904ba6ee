"""The rules' worked examples are records that run (cnnspec/rules/_examples.py,
cnnspec/rules/example_checks.py): every call example computes its stated values on the
reference, every formula example is proved, every refused example is refused by the
reference for its rule; a wrong record, a wrong target and a wrong reference all fail."""

from __future__ import annotations

import types
from fractions import Fraction
from math import nan

import numpy as np
import pytest

from cnnspec import rules
from cnnspec.rules import Example, call_example, formula_example
from cnnspec.rules._examples import CallExample, FormulaExample, cells
from cnnspec.rules.example_checks import prove_formulas, prove_refusals, run_call
from cnnspec.targets import Target, load_target

REFERENCE = load_target("reference")
RULES = rules.all_rules()
CALLS = [(r.id, e) for r in RULES for e in r.examples if isinstance(e, CallExample)]
FORMULAS = [(r.id, e) for r in RULES for e in r.examples if isinstance(e, FormulaExample)]


def test_most_examples_are_records():
    """Prose is kept only for what no call can state: few of the examples."""
    prose = [(r.id, e.given) for r in RULES for e in r.examples if isinstance(e, Example)]
    total = sum(len(r.examples) for r in RULES)
    assert len(CALLS) >= 60 and len(FORMULAS) >= 60
    assert len(prose) <= total // 10, prose


@pytest.mark.parametrize("rule_id, ex", CALLS, ids=[f"{r}: {e.given}" for r, e in CALLS])
def test_every_call_example_holds_on_the_reference(rule_id, ex):
    run_call(REFERENCE, ex, rule_id)


@pytest.mark.parametrize("rule_id", sorted({r for r, _ in FORMULAS}))
def test_every_formula_example_is_proved(rule_id):
    prove_formulas(tuple(e for r, e in FORMULAS if r == rule_id), rule_id)


def test_every_refused_call_example_is_refused_for_its_rule():
    refused = [(r, e) for r, e in CALLS if e.refused]
    assert refused
    for rule_id, ex in refused:
        prove_refusals((ex,), rule_id)


def test_every_rule_with_call_examples_has_a_check_that_runs_them():
    ids = {c.id for c in rules.all_checks()}
    for rule_id, ex in CALLS:
        name = {"compute": "worked_examples", "refuse": "worked_examples_refused",
                "strict": "worked_examples_refused_at_strict"}[ex.level]
        assert f"{rule_id}::{ex.op}_{name}" in ids


# ---------------------------------------------------------------- the records can fail


def test_a_wrong_value_fails_on_the_reference():
    ex = call_example("conv", x=[1, 2, 3], w=[1, 1, 1], padding=(1, 2), y=[3, 6, 5, 4])
    with pytest.raises(AssertionError, match=r"\[conv\.padding\]") as e:
        run_call(REFERENCE, ex, "conv.padding")
    assert "y[0, 0, 3]" in str(e.value) and "conv(x=np.array([[[1., 2., 3.]]])" in str(e.value)


def _target(**ops) -> Target:
    module = types.ModuleType("fake_target")
    for name in ("conv", "conv_transpose", "max_pool", "avg_pool"):
        setattr(module, name, ops.get(name, getattr(REFERENCE.module, name)))
    return Target("fake_target", module)


def test_a_target_that_pads_max_pooling_with_zeros_fails_the_max_def_example():
    from cnnspec import ref

    def zero_padded(x, *, kernel, stride, padding, dilation, ceil_mode):
        xp = np.pad(x, [(0, 0), (0, 0), *padding])
        return ref.max_pool(xp, kernel=kernel, stride=stride, padding=0, dilation=dilation,
                            ceil_mode=ceil_mode)

    ex = next(e for r, e in CALLS if r == "pool.max-def" and "padding" in dict(e.params))
    with pytest.raises(AssertionError, match=r"\[pool\.max-def\]"):
        run_call(_target(max_pool=zero_padded), ex, "pool.max-def")


def test_a_target_that_refuses_everything_fails():
    def refuse(*args, **kwargs):
        raise ValueError("no")

    ex = call_example("conv", x=[1, 2, 3], w=[1, 1], y=[3, 5])
    with pytest.raises(AssertionError, match=r"raised ValueError: no, but should compute"):
        run_call(_target(conv=refuse), ex, "conv.def")


def test_a_target_that_computes_an_invalid_example_fails():
    ex = call_example("conv", x=[1, 2, 3], w=[1, 1, 1, 1], refused=True, why="4 > 3")
    run_call(REFERENCE, ex, "conv.kernel-fits")
    lenient = _target(conv=lambda x, w, b, **kw: np.zeros((1, 1, 1)))
    with pytest.raises(AssertionError, match=r"but should raise: 4 > 3 \[conv\.kernel-fits\]"):
        run_call(lenient, ex, "conv.kernel-fits")


def test_a_wrong_formula_example_fails():
    good = formula_example("formulas.conv_out_size", 7, 3, stride=2, padding=(1, 1), gives=4)
    prove_formulas((good,), "conv.out-size")
    bad = formula_example("formulas.conv_out_size", 7, 3, stride=2, padding=(1, 1), gives=5)
    with pytest.raises(AssertionError, match=r"conv_out_size\(7, 3, stride=2, padding=\(1, 1\)\) "
                                             r"= 4, but should be 5 \[conv\.out-size\]"):
        prove_formulas((bad,), "conv.out-size")
    wrong_rule = formula_example("formulas.conv_out_size", 3, 6, padding=(1, 1),
                                 raises="conv.out-size")
    with pytest.raises(AssertionError, match=r"raised InvalidConfig \[conv\.kernel-fits\], but "
                                             r"should name \[conv\.out-size\]"):
        prove_formulas((wrong_rule,), "conv.out-size")
    accepted = formula_example("formulas.conv_out_size", 3, 5, padding=(1, 1), raises=True)
    with pytest.raises(AssertionError, match=r"= 1, but should raise InvalidConfig"):
        prove_formulas((accepted,), "conv.kernel-fits")


def test_a_refused_example_the_reference_computes_or_refuses_for_another_rule_fails():
    computed = call_example("conv", x=[1, 2, 3], w=[1, 1, 1], refused=True)
    with pytest.raises(AssertionError, match=r"the reference computed conv\(x=\[1, 2, 3\]"):
        prove_refusals((computed,), "conv.kernel-fits")
    other = call_example("conv", x=[1, 2, 3], w=[1, 1, 1, 1], refused=True)
    with pytest.raises(AssertionError, match=r"refused .* for \[conv\.kernel-fits\], but the "
                                             r"spec lists the example under \[conv\.def\]"):
        prove_refusals((other,), "conv.def")


def test_a_value_of_another_kind_does_not_match():
    """True is not 1, 5.0 is not 5, and a NumPy NaN matches nan."""
    import numpy as np

    assert not formula_example("formulas.conv_out_size", 7, 3, gives=True).matches(1)
    assert not formula_example("formulas.conv_out_size", 7, 3, gives=5).matches(5.0)
    assert formula_example("formulas.conv_out_size", 7, 3, gives=5).matches(5)
    assert formula_example("formulas.conv_out_size", 7, 3, gives=nan).matches(np.float32("nan"))


def test_approximate_values_compare_to_their_digits():
    ex = formula_example("formulas.conv_out_size", 7, 3, gives=5.0, digits=2)
    assert ex.matches(5.04) and not ex.matches(5.06) and ex.result == "about 5.0e0"
    small = formula_example("tolerance.gamma", 9, 2.0**-24, gives=5.4e-7, digits=2)
    assert small.result == "about 5.4e-7" and small.matches(small.evaluate())


# ---------------------------------------------------------------- the prose they render


def test_call_examples_render_as_the_spec_writes_them():
    ex = call_example("avg_pool", x=[0, 1, 2, 3, 4], kernel=2, stride=2, padding=(0, 1),
                      count_include_pad=True, y=[Fraction(1, 2), 2.5, 2.0], why="last window")
    assert ex.given == ("avg_pool(x=[0, 1, 2, 3, 4], kernel=2, stride=2, padding=(0, 1), "
                        "count_include_pad=True)")
    assert ex.result == "y = [1/2, 2.5, 2]"
    assert ex.kwargs == dict(kernel=(2,), stride=(2,), padding=((0, 1),), ceil_mode=False,
                               count_include_pad=True)
    assert ex.args[0].shape == (1, 1, 5) and ex.expected()["y"].tolist() == [[[0.5, 2.5, 2.0]]]
    nan_ex = call_example("max_pool", x=[1, nan], kernel=2, stride=2, y=[nan])
    assert nan_ex.given == "max_pool(x=[1, nan], kernel=2, stride=2)"
    strict = call_example("conv", x=[1, 2], w=[1], stride=(2.0,), refused=True, level="strict")
    assert strict.result == "refused at level strict" and strict.kwargs["stride"] == (2.0,)
    assert strict.kwargs["padding"] == ((0, 0),) and strict.kwargs["groups"] == 1


def test_formula_examples_render_as_calls():
    ex = formula_example("layouts.to_channels_last", cells(1, 3, 4, 5), then="[0][1][3][2]",
                         gives=48)
    assert ex.given == "layouts.to_channels_last(cells(1, 3, 4, 5))[0][1][3][2]"
    assert ex.result == "48"
    assert ex.matches(ex.evaluate())
    refused = formula_example("formulas.conv_out_size", 3, 6, padding=(1, 1), raises=True)
    assert refused.result == "refused"


def test_records_that_cannot_run_are_refused_at_declaration():
    with pytest.raises(ValueError, match="unknown names"):
        call_example("conv", x=[1], w=[1], kernel=2, y=[1])
    with pytest.raises(ValueError, match="not both"):
        call_example("conv", x=[1], w=[1], y=[1], refused=True)
    with pytest.raises(ValueError, match="kernel, stride missing"):
        call_example("max_pool", x=[1], y=[1])
    with pytest.raises(ValueError, match="count_include_pad missing"):
        call_example("avg_pool", x=[1], kernel=1, stride=1, y=[1])
    with pytest.raises(ValueError, match="4 spatial axes, but the contract passes a target 1 "
                                         "to 3"):
        call_example("max_pool", x=[[[[1]]]], kernel=1, stride=1, y=[[[[1]]]])
    with pytest.raises(ValueError, match="gives= or raises="):
        formula_example("formulas.conv_out_size", 7, 3)
    with pytest.raises(ValueError, match="then='output'"):
        formula_example("summary.summarize", [], (1, 2), then="output", gives=1)


def test_every_record_is_drawn_once_in_every_profile():
    """An example check's cases are its records: its budget is their number (exhaustive), a
    quick run draws each of them, and Hypothesis draws no record twice."""
    from cnnspec.conform.checkrun import capped, run_check
    from cnnspec.conform.engine import PROFILES, examples_for

    checks = [c for c in rules.all_checks() if c.fn.__module__.endswith("example_checks")
              and not c.is_proof]
    assert checks and all(c.exhaustive for c in checks)
    big = [c for c in checks if c.max_examples > PROFILES["quick"]]
    for c in [*big, *checks[:20]]:
        records = [e for e in rules.get(c.rule).examples if isinstance(e, CallExample)
                   and c.name.startswith(e.op + "_worked") and
                   ("refused" in c.name) == bool(e.refused) and
                   ("at_strict" in c.name) == (e.level == "strict")]
        assert c.max_examples == len(records), c.id
        assert examples_for(c, "quick") == examples_for(c, "quick", max_examples=1) \
            == capped(c, PROFILES["quick"]) == len(records), c.id  # a run's budget, the tests'
        out = run_check(REFERENCE, c, max_examples=examples_for(c, "quick"), seed=0,
                        target_spec="reference")
        assert out.status == "pass" and out.examples == len(records), (c.id, out)


def test_a_target_that_compiles_per_shape_still_runs_every_record():
    """The shape budget of JIT targets maps a case with a fifth new shape onto an earlier
    one; a worked example is never mapped (it would be counted as passed unrun)."""
    from cnnspec.conform.shapes import SHAPES_PER_CHECK, ShapeBudget

    records = [call_example("conv", x=[1] * n, w=[1], y=[1] * n)
               for n in range(1, SHAPES_PER_CHECK + 3)]
    budget = ShapeBudget()
    assert all(budget.map(ex) is ex for ex in records)


def test_a_wrong_gradient_in_an_example_names_the_examples_rule_and_the_gradient():
    ex = call_example("conv_backward", x=[1, 2, 3, 4, 5], w=[1, 1, 1], dy=[1, 1, 1],
                      dx=[1, 2, 3, 2, 2], dw=[6, 9, 12])
    with pytest.raises(AssertionError, match=r"(?s)dx differs from the expected values "
                                             r"\[config\.grad-shape\]\n.*dx\[0, 0, 4\]"):
        run_call(REFERENCE, ex, "config.grad-shape")
