"""The large-case tables and the checks built on them: sizes where tiled kernels take their
tail paths, and integers that reduced-precision inputs cannot hold."""

from __future__ import annotations

import math
import types
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cnnspec import formulas, rules, strategies
from cnnspec.conform.checkrun import run_check
from cnnspec.conform.tasks import Outcome
from cnnspec.targets import load_target
from cnnspec.targets import reference as _reference

MUTANTS = Path(__file__).resolve().parent.parent / "conformance" / "mutants"


def load(name: str) -> types.ModuleType:
    """A mutant of the zoo, imported from its file."""
    return load_target(str(MUTANTS / f"{name}.py")).module

STRADDLING = {15, 16, 17, 31, 32, 33, 63, 64, 65}


def _sizes(table) -> set[int]:
    return {v for r in table for v in (*r.out, r.c_in, r.c_out)}


@pytest.mark.parametrize("table", ["LARGE_CONV", "LARGE_CONV_TRANSPOSE", "LARGE_POOL"])
def test_tables_hold_the_sizes_the_issue_asks_for(table):
    rows = getattr(strategies, table)
    assert max(max(r.out) for r in rows) >= 70
    assert max(r.c_in for r in rows) >= 130
    assert max(r.n for r in rows) >= 9
    assert len(STRADDLING & _sizes(rows)) >= 7, sorted(STRADDLING & _sizes(rows))
    if table != "LARGE_POOL":
        assert max(r.c_in // r.groups for r in rows if r.groups > 1 and r.groups < r.c_in) >= 64
        assert max(r.c_in // r.groups * math.prod(r.kernel) for r in rows) >= 1000


@settings(max_examples=60, database=None, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_large_configs_have_the_outputs_of_their_row(data):
    cfg = data.draw(strategies.large_conv_configs(), label="cfg")
    row = next(r for r in strategies.LARGE_CONV if r.c_in == cfg.x.shape[1]
               and r.c_out == cfg.w.shape[0] and r.kernel == cfg.kernel)
    assert formulas.conv_out_shape(cfg.x.shape[2:], cfg.kernel, stride=cfg.stride,
                                   padding=cfg.padding, dilation=cfg.dilation) == row.out


@settings(max_examples=40, database=None, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_large_configs_fit_a_1d_only_target(data):
    with strategies.capabilities({"conv": {"ranks": [1], "groups": False, "batch": False},
                                  "conv_transpose": {"ranks": [1]},
                                  "max_pool": {"ranks": [1], "ceil_mode": False}}):
        conv = data.draw(strategies.large_conv_configs(), label="conv")
        convt = data.draw(strategies.large_conv_transpose_configs(), label="conv_transpose")
        pool = data.draw(strategies.large_pool_configs(kind="max"), label="max_pool")
    assert conv.rank == convt.rank == pool.rank == 1
    assert conv.groups == 1 and conv.x.shape[0] == 1 and not pool.ceil_mode


def _check(check_id: str):
    return next(c for c in rules.all_checks() if c.id == check_id)


def _outcome(target, check_id: str, n: int = 30) -> Outcome:
    check = _check(check_id)
    return run_check(target, check, max_examples=min(n, check.max_examples or n), seed=0,
                     target_spec="t")


@pytest.mark.parametrize("mutant", ["conv_tail_tile_16", "conv_tail_tile_32",
                                    "conv_channel_block_48_dropped"])
def test_large_cases_catch_the_tail_bugs(mutant):
    out = _outcome(load_target(load(mutant)), "conv.def::large_cases")
    assert out.status == "fail" and "[conv.def]" in out.message, out


@pytest.mark.parametrize("mutant", ["conv_tail_tile_16", "conv_channel_block_48_dropped"])
def test_the_small_cases_do_not_reach_the_tail_bugs(mutant):
    """The gap the large cases close: the plain conv.def check passes these mutants."""
    assert _outcome(load_target(load(mutant)), "conv.def::matches_the_reference").status == "pass"


@pytest.mark.parametrize("check_id", ["conv.def::large_cases",
                                      "conv-transpose.def::large_cases",
                                      "pool.max-def::max_pool_large_cases",
                                      "pool.avg-def::avg_pool_large_cases",
                                      "conv.def::integers_beyond_reduced_precision"])
def test_the_reference_passes_the_new_checks(check_id):
    out = _outcome(load_target(_reference), check_id)
    assert out.status == "pass" and out.examples > 0, out


@pytest.mark.parametrize("precision", ["tf32", "bfloat16"])
def test_undeclared_reduced_precision_inputs_are_caught_exactly(precision):
    out = _outcome(load_target(load(f"conv_{precision}_inputs")),
                   "conv.def::integers_beyond_reduced_precision")
    assert out.status == "fail" and "[conv.def]" in out.message, out


@pytest.mark.parametrize("precision", ["tf32", "bfloat16"])
def test_a_declared_precision_is_judged_by_its_bound(precision):
    """The same rounding declared (PRECISION = "tf32") is within that precision's bound."""
    module = types.ModuleType(f"declared_{precision}")
    module.conv = load(f"conv_{precision}_inputs").conv
    module.PRECISION = precision
    out = _outcome(load_target(module), "conv.def::integers_beyond_reduced_precision")
    assert out.status == "pass" and out.examples > 0, out
