"""cnnspec.conform.capabilities.probe, and drawing inside what it finds.

A course-assignment-shaped target (tests/cs231n_adapter.py: 2-D only, one stride and one
symmetric pad for both axes, no dilation, no groups, a bias always, pooling without padding
or ceil_mode) gets, under ``strategies.capabilities(probe(target))``, cases it computes on
>= 90 % of the draws of every positive conv and pool check that can apply to it.
"""

from __future__ import annotations

import dataclasses
import types
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, find, given, settings
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument, NoSuchExample, Unsatisfiable

from cnnspec import rules, strategies
from cnnspec.conform.capabilities import probe, restrictions
from cnnspec.conform.checkrun import run_check
from cnnspec.targets import Unsupported, load_target
from cnnspec.targets import reference as _reference

COURSE = str(Path(__file__).resolve().parent / "cs231n_adapter.py")

#: What the course target supports, written out from its source (not from the probe); a
#: per-axis flag of a refused feature (dilation, pool padding) is True: nothing to share.
COURSE_CAPS = {
    "conv": {"ranks": [2], "batch": True, "padding": True, "asymmetric_padding": False,
             "bias_none": False, "groups": False, "dilation": False, "kernel_per_axis": True,
             "stride_per_axis": False, "padding_per_axis": False, "dilation_per_axis": True},
    "max_pool": {"ranks": [2], "batch": True, "padding": False, "asymmetric_padding": False,
                 "ceil_mode": False, "dilation": False, "kernel_per_axis": True,
                 "stride_per_axis": False, "padding_per_axis": True, "dilation_per_axis": True},
    "avg_pool": {"ranks": [2], "batch": True, "padding": False, "asymmetric_padding": False,
                 "ceil_mode": False, "count_include_pad_false": True,
                 "count_include_pad_true": True, "kernel_per_axis": True,
                 "stride_per_axis": False, "padding_per_axis": True},
}

FULL = {"ranks": [1, 2, 3], "batch": True, "padding": True, "asymmetric_padding": True,
        "kernel_per_axis": True, "stride_per_axis": True, "padding_per_axis": True}


def test_probe_finds_what_the_course_target_refuses():
    assert probe(load_target(COURSE)) == COURSE_CAPS


def test_probe_of_the_reference_restricts_nothing():
    conv = {**FULL, "bias_none": True, "groups": True, "dilation": True, "dilation_per_axis": True}
    forward = {
        "conv": conv, "conv_transpose": {**conv, "output_padding": True},
        "max_pool": {**FULL, "ceil_mode": True, "dilation": True, "dilation_per_axis": True},
        "avg_pool": {**FULL, "ceil_mode": True, "count_include_pad_false": True,
                     "count_include_pad_true": True},
    }
    # each backward op is probed on its forward op's calls, and takes all of them too
    assert probe(load_target(_reference)) == {
        **forward, **{f"{op}_backward": flags for op, flags in forward.items()}}
    assert restrictions(probe(load_target(_reference))) == []


def _module(**ops) -> types.ModuleType:
    module = types.ModuleType("probe_subject")
    for name, fn in ops.items():
        setattr(module, name, fn)
    return module


def test_only_not_implemented_error_restricts():
    """groups raising ValueError and dilation computed wrongly stay supported (the checks
    must see them fail); dilation raising NotImplementedError is restricted."""
    def conv(x, w, b, *, stride, padding, dilation, groups):
        if groups != 1:
            raise ValueError("groups")
        if dilation[0] > 1:
            return np.zeros(3)  # wrong, and still a capability
        return _reference.conv(x, w, b, stride=stride, padding=padding, dilation=dilation,
                               groups=groups)

    def conv_refusing_dilation(x, w, b, *, stride, padding, dilation, groups):
        if any(d > 1 for d in dilation):
            raise NotImplementedError("dilation")
        return conv(x, w, b, stride=stride, padding=padding, dilation=dilation, groups=groups)

    caps = probe(load_target(_module(conv=conv)))["conv"]
    assert caps["groups"] is True and caps["dilation"] is True
    caps = probe(load_target(_module(conv=conv_refusing_dilation)))["conv"]
    assert caps["groups"] is True and caps["dilation"] is False
    assert restrictions({"conv": caps}) == ["conv: NotImplementedError for dilation"]


def test_probe_leaves_out_missing_ops_and_finds_ranks():
    def max_pool(x, **kw):
        if x.ndim != 3:
            raise NotImplementedError("1-D only")
        return _reference.max_pool(x, **kw)

    caps = probe(load_target(_module(max_pool=max_pool)))
    assert list(caps) == ["max_pool"]
    assert caps["max_pool"]["ranks"] == [1]
    assert caps["max_pool"]["stride_per_axis"] is True  # one axis: nothing to share


# ---------------------------------------------------------------- drawing inside the capabilities


def _check_course_config(cfg, op: str) -> None:
    """cfg is one the course target takes (shared, symmetric, plain)."""
    assert cfg.rank == 2, cfg
    assert cfg.stride[0] == cfg.stride[1], cfg
    assert len({p for pair in cfg.padding for p in pair}) == 1, cfg
    assert cfg.dilation == (1, 1), cfg
    if op == "conv":
        assert cfg.b is not None, cfg
    else:
        assert cfg.padding == ((0, 0), (0, 0)) and not cfg.ceil_mode, cfg


DRAWN = [("conv", lambda: strategies.conv_configs()),
         ("conv", lambda: strategies.conv_configs(max_rank=2, max_dilation=1)),
         ("conv", lambda: strategies.large_conv_configs()),
         ("conv", lambda: strategies.boundary_conv_configs(edges=("kernel-fits", "bias"))),
         ("max_pool", lambda: strategies.pool_configs(kind="max")),
         ("avg_pool", lambda: strategies.pool_configs(kind="avg")),
         ("max_pool", lambda: strategies.large_pool_configs(kind="max")),
         ("avg_pool", lambda: strategies.boundary_pool_configs(kind="avg"))]


@pytest.mark.parametrize("op, make", DRAWN, ids=[f"{op}-{i}" for i, (op, _) in enumerate(DRAWN)])
@settings(max_examples=40, database=None, deadline=None,
          suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_draws_stay_inside_the_capabilities(op, make, data):
    with strategies.capabilities(COURSE_CAPS):
        cfg = data.draw(make(), label="cfg")
    _check_course_config(cfg, op)
    if op == "conv":
        assert cfg.groups == 1


def test_capabilities_are_restored_after_the_block():
    assert strategies.current_capabilities() is None
    with strategies.capabilities(COURSE_CAPS):
        assert strategies.current_capabilities() == COURSE_CAPS
    assert strategies.current_capabilities() is None


def test_explicit_bounds_still_hold_and_an_empty_space_draws_nothing():
    with strategies.capabilities(COURSE_CAPS):
        with pytest.raises((Unsatisfiable, NoSuchExample)):
            find(strategies.conv_configs(max_rank=1), lambda c: True,
                 settings=settings(max_examples=20, database=None))


def test_unknown_flags_are_refused():
    with pytest.raises(InvalidArgument, match="'groupz'"):
        strategies.set_capabilities({"conv": {"groupz": False}})
    with pytest.raises(InvalidArgument, match="ranks"):
        strategies.set_capabilities({"conv": {"ranks": [4]}})


@pytest.mark.parametrize("feature, draw_has", [
    ("rank 1", lambda c: c.rank == 1), ("rank 3", lambda c: c.rank == 3),
    ("per-axis stride", lambda c: len(set(c.stride)) > 1),
    ("asymmetric padding", lambda c: any(pb != pa for pb, pa in c.padding)),
    ("dilation", lambda c: max(c.dilation) > 1), ("groups", lambda c: c.groups > 1),
    ("no bias", lambda c: c.b is None), ("batch", lambda c: c.x.shape[0] > 1)])
def test_without_capabilities_the_whole_space_is_drawn(feature, draw_has):
    find(strategies.conv_configs(), draw_has, settings=settings(max_examples=500, database=None))


# ---------------------------------------------------------------- reaching the course target

#: Positive conv and pool checks that cannot apply to the course target, and why.
INAPPLICABLE = {
    "conv.def::many_channels_per_group": "1-D cases only (max_rank=1)",
    "pool.max-def::max_pool_wide_outputs": "1-D cases only (max_rank=1)",
    "conv.groups::several_groups_of_several_channels": "groups >= 2",
    "pool.avg-as-conv::avg_pool_equals_a_depthwise_conv": "a depthwise conv (groups = C)",
}


def _applicable():
    for c in rules.all_checks():
        if c.kind != "positive" or not c.ops or not set(c.ops) <= {"conv", "max_pool", "avg_pool"}:
            continue
        if c.rule.split(".")[0] not in ("conv", "pool") or c.id in INAPPLICABLE:
            continue
        if c.name.endswith("worked_examples") or c.rule == "pool.ceil-mode" or \
                c.id == "pool.avg-divisor::avg_pool_never_counts_the_ceil_overhang":
            continue  # 1-D worked examples; ceil_mode cases
        yield pytest.param(c, id=c.id)


@pytest.mark.parametrize("check", list(_applicable()))
def test_restricted_drawing_reaches_the_course_target(check):
    """>= 90 % of the cases reach the target's code (no NotImplementedError), and pass."""
    target, reached = load_target(COURSE), []

    def fn(t, case):
        try:
            check.fn(t, case)
        except Unsupported:
            reached.append(False)
            raise
        reached.append(True)

    counted = dataclasses.replace(check, fn=fn)
    with strategies.capabilities(probe(target)):
        out = run_check(target, counted, max_examples=min(50, check.max_examples or 50), seed=0,
                        target_spec=COURSE)
    assert out.status == "pass", out.message
    assert reached, f"{check.id}: no case reached the check"
    share = sum(reached) / len(reached)
    assert share >= 0.9, f"{check.id}: {sum(reached)} of {len(reached)} cases reached the target"
