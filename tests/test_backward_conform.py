"""Conformance runs of the backward ops: a deliberately broken copy of the reference exits
1 under the rule that names its bug; the capability probe learns what a backward op
declares unsupported; a wrong dw is diagnosed as conv.grad-weight even where dx is right.
"""

from __future__ import annotations

import textwrap
import types

import numpy as np
import pytest

from cnnspec.conform import run
from cnnspec.conform.capabilities import probe
from cnnspec.conform.diagnose import cause
from cnnspec.rules._grad_oracle import grad_call
from cnnspec.strategies import ConvConfig
from cnnspec.targets import load_target, reference

BROKEN = {
    # dw from the first batch element only: not summed over the batch
    "dw_not_summed": ("conv_backward", "conv.grad-weight", """
        def conv_backward(x, w, b, dy, **kw):
            dx, dw, db = R.conv_backward(x, w, b, dy, **kw)
            return dx, R.conv_backward(x[:1], w, b, dy[:1], **kw)[1], db
        """),
    # every tied maximum of a window gets the gradient, not only the first
    "max_every_tie": ("max_pool_backward", "pool.max-grad", """
        from cnnspec.ref._windows import tap, taps
        from cnnspec.ref._validate import check_pool
        from cnnspec.ref.pool import _padded

        def max_pool_backward(x, dy, **kw):
            y = R.max_pool(x, **kw)
            x, geo, out = check_pool(x, **kw)
            xpad = _padded(x, geo, out, -np.inf)
            g = np.zeros(xpad.shape)
            for t in taps(geo.kernel):
                at = tap(xpad, t, geo.stride, geo.dilation, out) == y
                tap(g, t, geo.stride, geo.dilation, out)[...] += np.where(at, dy, 0.0)
            crop = tuple(slice(pb, pb + i) for i, (pb, _) in zip(x.shape[2:], geo.padding))
            return g[(slice(None), slice(None), *crop)].copy()
        """),
    # the divisor of the other count_include_pad
    "avg_other_divisor": ("avg_pool_backward", "pool.avg-grad", """
        def avg_pool_backward(x, dy, *, count_include_pad, **kw):
            return R.avg_pool_backward(x, dy, count_include_pad=not count_include_pad, **kw)
        """),
}


def _write(tmp_path, name: str, body: str):
    path = tmp_path / f"{name}.py"
    path.write_text("import numpy as np\nfrom cnnspec.targets import reference as R\n"
                    + textwrap.dedent(body))
    return path


@pytest.mark.parametrize("name", list(BROKEN))
def test_a_broken_backward_op_fails_under_the_rule_naming_its_bug(tmp_path, name):
    op, rule, body = BROKEN[name]
    family = rule.split(".")[0] + ".*"
    report = run(str(_write(tmp_path, name, body)), ops=[op], rules=[family], max_examples=10,
                 seed=0)
    assert report.exit_code == 1, [(r.rule, r.status) for r in report.results]
    found = {f.rule for f in report.findings()}
    assert rule in found, f"findings name {found}, but should name {rule}"


def test_the_reference_backward_ops_pass_the_same_checks():
    report = run("reference", ops=["conv_backward", "max_pool_backward", "avg_pool_backward"],
                 rules=["conv.grad-*", "pool.*-grad"], max_examples=10, seed=0)
    assert report.exit_code == 0, [(r.rule, r.status, r.message[:200]) for r in report.failed]
    assert {r.op for r in report.results} == {"conv_backward", "max_pool_backward",
                                              "avg_pool_backward"}


def test_the_probe_learns_what_a_backward_op_declares_unsupported():
    def conv_backward(x, w, b, dy, *, groups, **kw):
        if groups != 1:
            raise NotImplementedError("groups")
        return reference.conv_backward(x, w, b, dy, groups=groups, **kw)

    module = types.ModuleType("no_groups_in_backward")
    module.conv = reference.conv
    module.conv_backward = conv_backward
    caps = probe(load_target(module))
    assert caps["conv"]["groups"] is True  # the forward op takes groups
    assert caps["conv_backward"]["groups"] is False and caps["conv_backward"]["ranks"] == [1, 2, 3]


def test_a_wrong_dw_with_a_right_dx_is_diagnosed_as_the_weight_gradient():
    def conv_backward(x, w, b, dy, **kw):
        dx, dw, db = reference.conv_backward(x, w, b, dy, **kw)
        return dx, dw + 1.0, db

    module = types.ModuleType("dw_plus_one")
    module.conv_backward = conv_backward
    cfg = ConvConfig.build(x_shape=(1, 1, 4), w_shape=(1, 1, 2), b_shape=(1,), stride=(1,),
                           padding=((0, 0),), dilation=(1,), groups=1, seed=0)
    found = cause(load_target(module), grad_call("conv_backward", cfg), "conv.grad-input")
    assert found is not None
    rule, message = found
    assert rule == "conv.grad-weight"
    assert "dw is wrong; dx is right; db is right" in message
    assert "expected dw = " in message and "  dw = " in message  # the arrays, small case
    assert np.isfinite(cfg.x).all()
