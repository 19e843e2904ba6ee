"""The backward ops (contract 1.2): reference gradients, their rules' worked examples, the
dy-shape refusal, and the checks' power to fail (central differences, adjoint identity).

Oracles independent of the code under test: tap-by-tap loops written here, PyTorch's
autograd (when installed), and hand-computed examples.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from cnnspec.errors import InvalidConfig
from cnnspec.rules import checks_for
from cnnspec.rules._grad_oracle import grad_call
from cnnspec.strategies import ConvConfig, PoolConfig
from cnnspec.targets import load_target, reference

UNIT = dict(stride=(1,), padding=((0, 0),), dilation=(1,), groups=1)


def row(*values: float) -> np.ndarray:
    return np.array(values, dtype=np.float64).reshape(1, 1, -1)  # (N, C, W)


def loop_pool_grad(kind: str, x: np.ndarray, dy: np.ndarray, kernel: int, stride: int,
                   pad: tuple[int, int], include_pad: bool = True) -> np.ndarray:
    """1-D pooling gradient, one window at a time, from the rules' prose (floor mode)."""
    dx = np.zeros_like(x)
    n = x.shape[-1]
    for j in range(dy.shape[-1]):
        cells = [j * stride + t - pad[0] for t in range(kernel)]  # input positions, maybe off
        inside = [q for q in cells if 0 <= q < n]
        if kind == "max":
            window = x[..., inside]
            first = np.argmax(window == window.max(axis=-1, keepdims=True), axis=-1)
            for idx in itertools.product(*(range(s) for s in x.shape[:-1])):
                dx[idx + (inside[first[idx]],)] += dy[idx + (j,)]
        else:
            padded_cells = [q for q in cells if -pad[0] <= q < n + pad[1]]
            d = len(padded_cells) if include_pad else len(inside)
            for q in inside:
                dx[..., q] += dy[..., j] / d
    return dx


# ---------------------------------------------------------------- beyond the rules' worked examples
# (the examples themselves are records in cnnspec/rules/grad.py, run by example_checks)


def test_max_pool_grad_goes_to_the_nan_and_never_to_padding():  # pool.max-grad
    # windows over [-inf | 1, nan, 3, -4 | -inf], kernel 2, stride 2, padding (1, 1)
    dx = reference.max_pool_backward(row(1, np.nan, 3, -4), row(10, 20, 30), kernel=(2,),
                                     stride=(2,), padding=((1, 1),), dilation=(1,),
                                     ceil_mode=False)
    assert dx.ravel().tolist() == [10, 20, 0, 30]  # the -4 beats the -inf padding


def test_avg_pool_grad_leaves_the_ceil_mode_overhang_out_of_the_divisor():  # pool.avg-grad
    # [1, 2, 3], kernel 2, stride 2, ceil mode: windows [1, 2] and [3 | overhang], D = 2, 1
    dx = reference.avg_pool_backward(row(1, 2, 3), row(4, 6), kernel=(2,), stride=(2,),
                                     padding=((0, 0),), ceil_mode=True, count_include_pad=True)
    assert dx.ravel().tolist() == [2, 2, 6]


def test_conv_grad_bias_sums_over_batch_and_positions():  # conv.grad-bias
    dy = np.array([1.0, 2, 3, 4]).reshape(2, 1, 2)  # (N, C_out, W')
    _, _, db = reference.conv_backward(np.zeros((2, 1, 3)), np.ones((1, 1, 2)), np.zeros(1), dy,
                                       **UNIT)
    assert db.tolist() == [10]
    assert reference.conv_backward(np.zeros((2, 1, 3)), np.ones((1, 1, 2)), None, dy,
                                   **UNIT)[2] is None


# ---------------------------------------------------------------- dy's shape


def test_dy_of_the_output_shape_is_taken_and_one_cell_more_refused():  # config.grad-shape
    x, w = np.ones((1, 1, 5)), np.ones((1, 1, 3))  # y: (1, 1, 3)
    reference.conv_backward(x, w, None, np.ones((1, 1, 3)), **UNIT)
    with pytest.raises(InvalidConfig, match=r"dy\.shape=\(1, 1, 4\).*\[config\.grad-shape\]"):
        reference.conv_backward(x, w, None, np.ones((1, 1, 4)), **UNIT)
    with pytest.raises(InvalidConfig, match=r"\[config\.grad-shape\]"):
        reference.max_pool_backward(x, np.ones((1, 2, 2)), kernel=(2,), stride=(2,),
                                    padding=((0, 0),), dilation=(1,), ceil_mode=False)


# ---------------------------------------------------------------- against loops and torch


@pytest.mark.parametrize("kind,kernel,stride,pad,include", [
    ("max", 3, 1, (1, 1), True), ("max", 2, 2, (0, 1), True), ("max", 3, 2, (2, 0), True),
    ("avg", 3, 1, (1, 1), True), ("avg", 3, 1, (1, 1), False), ("avg", 2, 3, (1, 0), True),
    ("avg", 3, 2, (0, 2), False)])
def test_pool_grads_match_a_window_by_window_loop(kind, kernel, stride, pad, include):
    rng = np.random.default_rng(kernel * 10 + stride)
    x = rng.integers(-2, 3, size=(2, 3, 7)).astype(np.float64)  # small range: many ties
    kw = dict(kernel=(kernel,), stride=(stride,), padding=(pad,), ceil_mode=False)
    if kind == "max":
        y = reference.max_pool(x, dilation=(1,), **kw)
        dy = rng.integers(-3, 4, size=y.shape).astype(np.float64)
        got = reference.max_pool_backward(x, dy, dilation=(1,), **kw)
    else:
        y = reference.avg_pool(x, count_include_pad=include, **kw)
        dy = rng.integers(-3, 4, size=y.shape).astype(np.float64)
        got = reference.avg_pool_backward(x, dy, count_include_pad=include, **kw)
    np.testing.assert_allclose(got, loop_pool_grad(kind, x, dy, kernel, stride, pad, include),
                               rtol=1e-12, atol=1e-12)  # summation order


def test_reference_and_torch_autograd_agree_on_every_backward_op():
    pytest.importorskip("torch")
    torch_cpu = load_target("torch").module
    rng = np.random.default_rng(0)
    x, w = rng.integers(-3, 4, (2, 4, 6, 5)).astype(float), rng.integers(-3, 4, (6, 2, 3, 2)).astype(float)
    kw = dict(stride=(2, 1), padding=((1, 0), (2, 1)), dilation=(1, 2), groups=2)
    dy = rng.integers(-3, 4, reference.conv(x, w, None, **kw).shape).astype(float)
    for got, want in zip(torch_cpu.conv_backward(x, w, np.ones(6), dy, **kw),
                         reference.conv_backward(x, w, np.ones(6), dy, **kw)):
        np.testing.assert_array_equal(got, want)
    wt = rng.integers(-3, 4, (4, 3, 2, 3)).astype(float)  # (C_in, C_out/groups, *K)
    kt = dict(stride=(2, 3), padding=((1, 1), (0, 2)), output_padding=(1, 0), dilation=(1, 1),
              groups=2)
    dyt = rng.integers(-3, 4, reference.conv_transpose(x, wt, None, **kt).shape).astype(float)
    for got, want in zip(torch_cpu.conv_transpose_backward(x, wt, None, dyt, **kt),
                         reference.conv_transpose_backward(x, wt, None, dyt, **kt)):
        assert (got is None and want is None) or np.array_equal(got, want)
    pk = dict(kernel=(3, 2), stride=(1, 2), padding=((1, 1), (1, 1)), ceil_mode=True)
    dyp = rng.integers(-3, 4, reference.max_pool(x, dilation=(1, 1), **pk).shape).astype(float)
    np.testing.assert_array_equal(torch_cpu.max_pool_backward(x, dyp, dilation=(1, 1), **pk),
                                  reference.max_pool_backward(x, dyp, dilation=(1, 1), **pk))
    for cip in (False, True):
        np.testing.assert_allclose(
            torch_cpu.avg_pool_backward(x, dyp, count_include_pad=cip, **pk),
            reference.avg_pool_backward(x, dyp, count_include_pad=cip, **pk), rtol=1e-13,
            atol=1e-13)  # summation order


# ---------------------------------------------------------------- the checks can fail


class _Scaled:
    """A target whose conv_backward scales one gradient by (1 + eps)."""

    def __init__(self, which: int, eps: float) -> None:
        import types

        def conv_backward(*args, **kwargs):
            out = list(reference.conv_backward(*args, **kwargs))
            out[which] = out[which] * (1 + eps)
            return tuple(out)

        self.target = load_target(types.ModuleType("scaled"))
        self.target.module.conv_backward = conv_backward


def _conv_case(integer_valued: bool):
    cfg = ConvConfig.build(x_shape=(2, 2, 6), w_shape=(3, 2, 3), b_shape=(3,), stride=(2,),
                           padding=((1, 0),), dilation=(1,), groups=1, seed=4,
                           integer_valued=integer_valued)
    return grad_call("conv_backward", cfg)


def _check(rule: str, name: str):
    (c,) = [c for c in checks_for(rule) if c.name == name]
    return c


@pytest.mark.parametrize("rule,name,which,integer", [
    ("conv.grad-input", "central_differences_dx", 0, False),
    ("conv.grad-weight", "central_differences_dw", 1, False),
    ("conv.grad-input", "adjoint_identity_dx", 0, True),
    ("conv.grad-weight", "adjoint_identity_dw", 1, True),
    ("conv.grad-bias", "db_matches_the_reference", 2, True)])
def test_a_gradient_off_by_a_millionth_fails_its_check_and_the_reference_passes(
        rule, name, which, integer):
    c, case = _check(rule, name), _conv_case(integer)
    c.fn(load_target("reference"), case)  # the reference passes
    with pytest.raises(AssertionError, match=rf"\[{rule}\]"):
        c.fn(_Scaled(which, 1e-6).target, case)


def test_the_max_pool_nan_check_fails_a_target_that_skips_nan():  # pool.max-grad
    import types

    def max_pool_backward(x, dy, **kw):  # NaN treated as -inf: the gradient goes elsewhere
        return reference.max_pool_backward(np.where(np.isnan(x), -np.inf, x), dy, **kw)

    module = types.ModuleType("skips_nan")
    module.max_pool_backward = max_pool_backward
    cfg = PoolConfig.build(kind="max", x_shape=(1, 2, 5), kernel=(2,), stride=(1,),
                           padding=((0, 0),), seed=1)
    from cnnspec.rules.grad_checks import _one_nan

    c, case = _check("pool.max-grad", "nan_takes_the_gradient"), _one_nan(cfg)
    c.fn(load_target("reference"), case)
    with pytest.raises(AssertionError, match=r"dx differs.*\[pool\.max-grad\]"):
        c.fn(load_target(module), case)
