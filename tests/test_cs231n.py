"""cnnspec.targets.cs231n: a cs231n-style layers.py (assignment 2) checked as a target.

conformance/targets/cs231n/layers.py is a correct student file in plain loops; each
``bug_*.py`` beside it is a full copy with one bug (its ``EXPECTED`` names the rule).  The
adapter's own tests compare with cnnspec's reference (cnnspec.ref, cnnspec.ref.grad) and with
hand-computed arrays; the end-to-end tests run ``cnnspec conform`` on the files with a small
example budget.
"""

from __future__ import annotations

import ast
import subprocess
import sys
import types
from pathlib import Path

import numpy as np
import pytest

from cnnspec import ref, rules
from cnnspec.ref.grad import conv_grad_bias, conv_grad_input, conv_grad_weight
from cnnspec.targets import cs231n, load_target

ROOT = Path(__file__).resolve().parents[1]
DIR = ROOT / "conformance" / "targets" / "cs231n"
CORRECT = DIR / "layers.py"
BUGS = sorted(DIR.glob("bug_*.py"))
UNIT = {"dilation": (1, 1), "groups": 1}
POOL = {"padding": ((0, 0), (0, 0)), "ceil_mode": False}


def adapted(path: Path = CORRECT) -> types.ModuleType:
    return load_target(f"cs231n:{path}").module


def ints(shape: tuple[int, ...], seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).integers(-4, 5, shape).astype(np.float64)


def expected_of(path: Path) -> tuple[str | None, tuple[str, ...]]:
    """(EXPECTED, EXPECTED_OPS) as the file writes them (read, not imported)."""
    values = {}
    for node in ast.parse(path.read_text()).body:
        if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name):
            values[node.targets[0].id] = node.value
    return (ast.literal_eval(values["EXPECTED"]),
            ast.literal_eval(values.get("EXPECTED_OPS", ast.Constant(()))))


# ---------------------------------------------------------------- loading


def test_a_style_spec_loads_the_file_and_names_its_functions():
    target = load_target(f"cs231n:{CORRECT}")
    assert target.name == f"cs231n:{CORRECT}"
    assert target.module.FUNCTIONS == {
        "conv": "conv_forward_naive",
        "conv_backward": "conv_forward_naive + conv_backward_naive",
        "max_pool": "max_pool_forward_naive",
        "max_pool_backward": "max_pool_forward_naive + max_pool_backward_naive",
        "avg_pool": "avg_pool_forward_naive",
        "avg_pool_backward": "avg_pool_forward_naive + avg_pool_backward_naive"}
    assert target.library == ("cs231n-style naive functions: conv_forward_naive, "
                              "conv_backward_naive, max_pool_forward_naive, "
                              "max_pool_backward_naive, avg_pool_forward_naive, "
                              "avg_pool_backward_naive")
    # the adapted module's name is a spec that loads it again (the workers' and repros' way)
    assert target.module.__name__ == f"cs231n:{CORRECT}"


def _module(**functions) -> types.ModuleType:
    module = types.ModuleType("student")
    module.__dict__.update(functions)
    return module


def test_an_op_is_defined_only_when_its_functions_are():
    module = _module(conv_forward_naive=lambda x, w, b, p: (x, None),
                     max_pool_backward_naive=lambda dout, cache: dout)  # no forward: no op
    assert sorted(op for op in ("conv", "conv_backward", "max_pool", "max_pool_backward")
                  if callable(getattr(cs231n.adapt(module), op, None))) == ["conv"]


def test_a_file_of_fast_functions_asks_for_the_fast_style():
    module = _module(conv_forward_fast=lambda x, w, b, p: (x, None))
    with pytest.raises(ImportError, match=r"defines none of conv_forward_naive, "
                                          r"max_pool_forward_naive.*it defines "
                                          r"conv_forward_fast: run cs231n-fast:student"):
        cs231n.adapt(module)
    assert cs231n.adapt_fast(module).FUNCTIONS == {"conv": "conv_forward_fast"}


def test_the_fast_style_calls_the_fast_functions_only():
    student = load_target(str(CORRECT)).module
    fast = _module(conv_forward_fast=student.conv_forward_naive,
                   conv_backward_fast=student.conv_backward_naive,
                   conv_forward_naive=lambda *a: pytest.fail("the naive function was called"))
    x, w, b = ints((2, 2, 5, 5)), ints((3, 2, 3, 3), 1), ints((3,), 2)
    kw = {"stride": (2, 2), "padding": ((1, 1), (1, 1)), **UNIT}
    y = cs231n.adapt_fast(fast).conv(x, w, b, **kw)
    np.testing.assert_array_equal(y, ref.conv(x, w, b, **kw))


# ---------------------------------------------------------------- the mapping


def test_the_assignments_parameters_are_passed():
    seen = {}

    def conv_forward_naive(x, w, b, conv_param):
        seen["conv_param"] = conv_param
        return np.zeros((1, 1, 1, 1)), "conv-cache"

    def conv_backward_naive(dout, cache):
        seen["conv cache"] = cache
        return np.zeros(1), np.zeros(1), np.zeros(1)

    def max_pool_forward_naive(x, pool_param):
        seen["pool_param"] = pool_param
        return np.zeros((1, 1, 1, 1)), "pool-cache"

    def max_pool_backward_naive(dout, cache):
        seen["pool cache"] = cache
        return np.ones(2)

    module = cs231n.adapt(_module(**{f.__name__: f for f in (
        conv_forward_naive, conv_backward_naive, max_pool_forward_naive,
        max_pool_backward_naive)}))
    x, w, b = np.zeros((1, 1, 6, 6)), np.zeros((1, 1, 3, 2)), np.zeros(1)
    module.conv_backward(x, w, b, np.zeros((1, 1, 1, 1)), stride=(2, 2),
                         padding=((1, 1), (1, 1)), **UNIT)
    dx = module.max_pool_backward(x, np.zeros((1, 1, 1, 1)), kernel=(3, 2), stride=(1, 1),
                                  dilation=(1, 1), **POOL)
    assert seen == {"conv_param": {"stride": 2, "pad": 1}, "conv cache": "conv-cache",
                    "pool_param": {"pool_height": 3, "pool_width": 2, "stride": 1},
                    "pool cache": "pool-cache"}
    np.testing.assert_array_equal(dx, np.ones(2))  # the student's dx, as returned


CONV = {"stride": (1, 1), "padding": ((1, 1), (1, 1)), **UNIT}
MAX = {"kernel": (2, 2), "stride": (1, 1), "dilation": (1, 1), **POOL}
AVG = {"kernel": (2, 2), "stride": (1, 1), "count_include_pad": True, **POOL}

#: (op, what changes, message): each is a configuration cs231n's signatures cannot express
INEXPRESSIBLE = [
    ("conv", {"x_shape": (1, 1, 5)}, r"x\.shape=\(1, 1, 5\): the assignment's layers are 2-D"),
    ("conv", {"x_shape": (1, 1, 5, 5, 5)}, r"2-D only"),
    ("conv", {"stride": (1, 2)}, r"stride=\(1, 2\): conv_param has one 'stride' for both"),
    ("conv", {"padding": ((1, 1), (0, 0))}, r"conv_param has one 'pad' for all four sides"),
    ("conv", {"padding": ((0, 1), (0, 1))}, r"conv_param has one 'pad' for all four sides"),
    ("conv", {"dilation": (2, 2)}, r"dilation=\(2, 2\): the assignment has no dilation"),
    ("conv", {"groups": 2}, r"groups=2: the assignment has no groups"),
    ("conv", {"b": None}, r"b=None: the assignment's conv always has a bias"),
    ("max_pool", {"stride": (2, 1)}, r"stride=\(2, 1\): pool_param has one 'stride'"),
    ("max_pool", {"padding": ((1, 1), (1, 1))}, r"pooling has no padding"),
    ("max_pool", {"ceil_mode": True}, r"ceil_mode=True: .* floor mode only"),
    ("max_pool", {"dilation": (1, 2)}, r"pooling has no dilation"),
    ("avg_pool", {"padding": ((0, 1), (0, 0))}, r"pooling has no padding"),
    ("avg_pool", {"x_shape": (1, 1, 4, 4, 4)}, r"2-D only"),
]


def _call(module, op: str, change: dict, backward: bool):
    change = dict(change)
    x = ints(change.pop("x_shape", (1, 2, 5, 5)))
    groups = change.get("groups", 1)
    kw = {**{"conv": CONV, "max_pool": MAX, "avg_pool": AVG}[op], **change}
    if op == "conv":
        w = ints((2, 2 // groups, *(3,) * (x.ndim - 2)), 1)
        b = kw.pop("b", ints((2,), 2))
        if backward:  # refused before dy is read
            return module.conv_backward(x, w, b, np.ones((1,)), **kw)
        return module.conv(x, w, b, **kw)
    kw = {k: (v if k not in ("kernel",) else v + (2,) * (x.ndim - 2 - len(v)))
          for k, v in kw.items()}
    if backward:
        return getattr(module, f"{op}_backward")(x, np.ones((1,)), **kw)
    return getattr(module, op)(x, **kw)


@pytest.mark.parametrize("backward", [False, True], ids=["forward", "backward"])
@pytest.mark.parametrize("op, change, message", INEXPRESSIBLE,
                         ids=[f"{op}({', '.join(f'{k}={v}' for k, v in c.items())})"
                              for op, c, _ in INEXPRESSIBLE])
def test_what_the_signatures_cannot_express_is_unsupported(op, change, message, backward):
    with pytest.raises(NotImplementedError, match=message):
        _call(adapted(), op, change, backward)


@pytest.mark.parametrize("op", ["conv", "max_pool", "avg_pool"])
def test_the_expressible_neighbours_compute(op):
    """Boundary pairs of the table above: one value for both axes, a square pad, a 2-D x."""
    module, kw = adapted(), {"conv": CONV, "max_pool": MAX, "avg_pool": AVG}[op]
    x = ints((1, 2, 5, 5))
    if op == "conv":
        w, b = ints((2, 2, 3, 3), 1), ints((2,), 2)
        np.testing.assert_array_equal(module.conv(x, w, b, **kw), ref.conv(x, w, b, **kw))
    else:
        np.testing.assert_array_equal(getattr(module, op)(x, **kw), getattr(ref, op)(x, **kw))


def test_a_wrong_return_names_the_students_function():
    module = cs231n.adapt(_module(
        conv_forward_naive=lambda x, w, b, p: np.zeros((1, 1, 2, 2)),
        max_pool_forward_naive=lambda x, p: (np.zeros((1, 1, 2, 2)), None),
        max_pool_backward_naive=lambda dout, cache: None))
    x, w, b = ints((1, 1, 3, 3)), ints((1, 1, 2, 2)), ints((1,))
    with pytest.raises(TypeError, match=r"conv_forward_naive returned ndarray of shape "
                                        r"\(1, 1, 2, 2\), but should return \(out, cache\)"):
        module.conv(x, w, b, **{**CONV, "padding": ((0, 0), (0, 0))})
    module = cs231n.adapt(_module(conv_forward_naive=lambda x, w, b, p: (x, None),
                                  conv_backward_naive=lambda dout, cache: (dout, dout)))
    with pytest.raises(TypeError, match=r"conv_backward_naive returned a tuple of 2, but "
                                        r"should return \(dx, dw, db\)"):
        module.conv_backward(x, w, b, x, **CONV)


# ---------------------------------------------------------------- the correct file


@pytest.mark.parametrize("stride, pad, n", [(1, 0, 1), (2, 1, 2), (3, 2, 2)])
def test_the_correct_file_computes_the_reference_conv_and_its_gradients(stride, pad, n):
    module = adapted()
    x, w, b = ints((n, 3, 7, 6)), ints((4, 3, 3, 2), 1), ints((4,), 2)
    kw = {"stride": (stride, stride), "padding": ((pad, pad), (pad, pad)), **UNIT}
    y = module.conv(x, w, b, **kw)
    np.testing.assert_array_equal(y, ref.conv(x, w, b, **kw))
    dy = ints(y.shape, 3)
    dx, dw, db = module.conv_backward(x, w, b, dy, **kw)
    np.testing.assert_array_equal(dx, conv_grad_input(dy, w, x.shape, **kw))
    np.testing.assert_array_equal(dw, conv_grad_weight(x, dy, w.shape[2:], **kw))
    np.testing.assert_array_equal(db, conv_grad_bias(dy))


def test_max_pool_gradient_goes_to_the_first_of_tied_maxima():
    x = np.array([[[[1., 3., 3.],
                    [3., 0., 2.]]]])  # (1, 1, 2, 3): every 2x2 window's maximum 3 is tied
    dx = adapted().max_pool_backward(x, np.array([[[[10., 20.]]]]), kernel=(2, 2),
                                     stride=(1, 1), dilation=(1, 1), **POOL)
    # window 0 (columns 0-1): first 3 at (0, 1); window 1 (columns 1-2): first 3 at (0, 1)
    np.testing.assert_array_equal(dx, [[[[0., 30., 0.],
                                         [0., 0., 0.]]]])


def test_avg_pool_gradient_shares_each_dy_by_the_window_size():
    dx = adapted().avg_pool_backward(np.zeros((1, 1, 3, 3)), np.full((1, 1, 2, 2), 4.),
                                     kernel=(2, 2), stride=(1, 1), count_include_pad=False,
                                     **POOL)
    # each dy of 4 gives 1 to each of its 4 cells; a cell gets 1 per window covering it
    np.testing.assert_array_equal(dx, [[[[1., 2., 1.],
                                         [2., 4., 2.],
                                         [1., 2., 1.]]]])


# ---------------------------------------------------------------- each bug, by hand


def _conv_grads(path: Path, n: int, pad: int) -> tuple[np.ndarray, ...]:
    x, w, b = ints((n, 2, 5, 5)), ints((3, 2, 3, 3), 1), ints((3,), 2)
    kw = {"stride": (1, 1), "padding": ((pad, pad), (pad, pad)), **UNIT}
    return adapted(path).conv_backward(x, w, b, ints(ref.conv(x, w, b, **kw).shape, 3), **kw)


def _pool_grad(path: Path, op: str, x: np.ndarray, kernel: int, stride: int) -> np.ndarray:
    kw = {"kernel": (kernel, kernel), "stride": (stride, stride), **POOL}
    kw.update({"dilation": (1, 1)} if op == "max_pool" else {"count_include_pad": True})
    dy = ints(getattr(ref, op)(x, **kw).shape, 3)
    return getattr(adapted(path), f"{op}_backward")(x, dy, **kw)


#: bug file -> (silent: the bug has no effect, exposed: the bug shows); each a callable of a
#: path giving what is compared with the correct file
SHOWN = {
    "bug_dw_not_summed_over_batch": (lambda p: _conv_grads(p, 1, 1)[1],  # N = 1: one sample
                                     lambda p: _conv_grads(p, 2, 1)[1]),
    "bug_db_from_dx": (lambda p: _conv_grads(p, 2, 1)[0],  # dx is right
                       lambda p: _conv_grads(p, 2, 1)[2]),
    "bug_dx_padding_not_cropped": (lambda p: _conv_grads(p, 2, 0)[0],  # no padding to crop
                                   lambda p: _conv_grads(p, 2, 1)[0]),
    "bug_maxpool_grad_all_ties": (
        lambda p: _pool_grad(p, "max_pool", np.arange(25.).reshape(1, 1, 5, 5), 2, 1),
        lambda p: _pool_grad(p, "max_pool", np.ones((1, 1, 5, 5)), 2, 1)),
    "bug_avgpool_grad_wrong_divisor": (  # windows that tile: S * S = PH * PW
        lambda p: _pool_grad(p, "avg_pool", ints((1, 2, 6, 6)), 2, 2),
        lambda p: _pool_grad(p, "avg_pool", ints((1, 2, 6, 6)), 3, 1)),
}


def test_every_bug_file_is_listed():
    assert sorted(p.stem for p in BUGS) == sorted(SHOWN)


@pytest.mark.parametrize("name", sorted(SHOWN))
def test_each_bug_shows_only_where_it_should(name):
    """The bug file agrees with the correct file where its bug is silent, and differs where
    it shows: each copy carries the one bug its name says."""
    silent, exposed = SHOWN[name]
    path = DIR / f"{name}.py"
    np.testing.assert_array_equal(silent(path), silent(CORRECT))
    assert not np.array_equal(exposed(path), exposed(CORRECT)), name


# ---------------------------------------------------------------- end to end: cnnspec conform

#: the basic forward rules of the ops the file defines (what a student's first run reports)
FORWARD_RULES = ("conv.out-size", "conv.def", "conv.bias", "pool.out-size", "pool.max-def",
                 "pool.avg-def")
GRADIENT_RULES = ("conv.grad-input", "conv.grad-weight", "conv.grad-bias", "pool.max-grad",
                  "pool.avg-grad")
BACKWARD_OPS = ("conv_backward", "max_pool_backward", "avg_pool_backward")
EXAMPLES = 5  # per check: enough for these bugs, small enough for two shared cores


def checked_gradient_rules() -> list[str]:
    """The gradient rules with a check that calls a backward op of the target contract."""
    return sorted({c.rule for c in rules.all_checks()
                   if c.rule in GRADIENT_RULES and set(c.ops) & set(BACKWARD_OPS)})


_RUNS: dict[Path, object] = {}


def conform(path: Path):
    """One ``cnnspec conform cs231n:<path>`` run (forward and gradient rules), kept for the
    tests that read it."""
    from cnnspec.conform import run

    if path not in _RUNS:
        wanted = {*FORWARD_RULES, *checked_gradient_rules()}
        # the large-case checks are left out: a naive loop takes seconds per large case
        checks = [c.id for c in rules.all_checks() if c.rule in wanted and not c.large
                  and c.ops]  # proofs of the spec are not conform's (cnnspec prove)
        _RUNS[path] = run(f"cs231n:{path}", rules=checks, max_examples=EXAMPLES, jobs=1,
                          seed=0)
    return _RUNS[path]


def test_the_correct_file_passes_every_rule_on_most_of_its_examples():
    report = conform(CORRECT)
    shown = {(r.op, r.rule): (r.status, r.examples, r.requested) for r in report.results}
    assert report.exit_code == 0, shown
    expected = {("conv", "conv.out-size"), ("conv", "conv.def"), ("conv", "conv.bias"),
                ("max_pool", "pool.out-size"), ("max_pool", "pool.max-def"),
                ("avg_pool", "pool.out-size"), ("avg_pool", "pool.avg-def")}
    gradient_ops = {"conv.grad-input": "conv_backward", "conv.grad-weight": "conv_backward",
                    "conv.grad-bias": "conv_backward", "pool.max-grad": "max_pool_backward",
                    "pool.avg-grad": "avg_pool_backward"}
    expected |= {(gradient_ops[rule], rule) for rule in checked_gradient_rules()}
    assert expected <= set(shown), sorted(expected - set(shown))
    for key in expected:
        status, examples, requested = shown[key]
        assert status == "pass" and examples >= requested // 2 > 0, (key, shown[key])


@pytest.mark.parametrize("path", BUGS, ids=[p.stem for p in BUGS])
def test_each_bug_fails_first_under_its_rule(path):
    rule, ops = expected_of(path)
    if rule not in checked_gradient_rules():
        pytest.skip(f"{rule} has no check calling {', '.join(ops)} yet (the backward ops of "
                    f"the target contract are not in this tree)")
    report = conform(path)
    found = report.findings()
    assert report.exit_code == 1 and found, [(r.op, r.rule, r.status) for r in report.results]
    assert (found[0].rule, found[0].op) == (rule, ops[0]), found[0].message()


@pytest.mark.parametrize("kind", ["forward", "backward"])
def test_a_findings_repro_script_loads_the_style_spec_and_fails_like_the_run(kind, tmp_path):
    """The repro printed with the first finding runs on its own and raises the same rule:
    of a forward bug (a copy of layers.py that adds the bias twice) and of the first bug
    file."""
    from cnnspec.conform import run

    if kind == "forward":
        path = tmp_path / "bias_twice.py"
        path.write_text(CORRECT.read_text().replace("np.sum(patch * w[f]) + b[f]",
                                                    "np.sum(patch * w[f]) + 2 * b[f]"))
        report = run(f"cs231n:{path}", rules=["conv.bias"], max_examples=EXAMPLES, jobs=1)
    else:
        runnable = [p for p in BUGS if expected_of(p)[0] in checked_gradient_rules()]
        if not runnable:
            pytest.skip("no bug file's rule has a check yet (the backward ops of the target "
                        "contract are not in this tree)")
        path = runnable[0]
        report = conform(path)
    finding = report.findings()[0]
    script = finding.lead.repro
    assert f"load_target('cs231n:{path}')" in script, script
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          cwd=tmp_path, timeout=120)
    assert done.returncode != 0 and "AssertionError" in done.stderr, done.stderr
    assert f"[{finding.rule}]" in done.stderr, done.stderr
