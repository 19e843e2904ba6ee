"""Checks of the gradient rules: they call the target's backward ops (contract 1.2).

Per backward op, drawn inside what that op takes (the capabilities of ``conv_backward`` and
so on, not of the forward op):

- each gradient against the reference's, under its own rule (dx [*.grad-input], dw
  [*.grad-weight], db [*.grad-bias]): exact on integer data, K-aware otherwise; the same
  on large cases;
- the adjoint identity sum(y * dy) = sum(x * dx) (= sum(w * dw) for conv ops), y the
  reference's forward output without bias: a relation of the target's gradients with the
  forward op, independent of the reference's backward code;
- central differences in float64 on normal data for the ops that are linear in x (conv,
  conv_transpose, avg pooling) and in w (conv ops): (F(x + e_i) - F(x - e_i)) / 2 with
  F = sum(reference forward * dy) equals dL/dx[i] exactly in exact arithmetic (a linear F
  has no truncation error, so the step is 1); the bound is the rounding of the two F
  (the reference's K-aware bound on each y, weighted by |dy|, plus the sums' roundings)
  plus the target's own K-aware bound on the gradient entry;
- max pooling on ties (data of two values) and with one NaN per plane [pool.max-grad];
- dx, dw, db of the shapes of x, w, b; a dy of the wrong shape refused
  [config.grad-shape] (level refuse).
"""

from __future__ import annotations

import math

import numpy as np

from ..asserts import fail
from ..targets import FORWARD_OF
from ..tolerance import is_exact, precision_bound, result_precision
from . import check, strategies
from ._grad_oracle import GRAD_RULES, GRADS, compare_grads, grad_bounds, grad_call, invoke_grads, reference_grads
from ._harness import expect_raises, reference_call

U64 = 2.0**-53


def _configs(op: str, large: bool = False, **kwargs):
    """The forward configs a backward op is checked on, within that op's capabilities."""
    s, fwd = strategies(), FORWARD_OF[op]
    if fwd.endswith("_pool"):
        kind = fwd.removesuffix("_pool")
        if large:
            return s.large_pool_configs(kind=kind, capabilities_of=op)
        return s.pool_configs(kind=kind, capabilities_of=op, **kwargs)
    if large:
        return getattr(s, f"large_{fwd}_configs")(capabilities_of=op)
    return getattr(s, f"{fwd}_configs")(capabilities_of=op, **kwargs)


def _calls(op: str, large: bool = False, **kwargs):
    return lambda: _configs(op, large, **kwargs).map(lambda cfg: grad_call(op, cfg))


def _register(rule: str, name: str, op: str, cases, fn, **kw) -> None:
    """Declare ``fn(target, case)`` as check ``name`` of ``rule``, calling ``op``."""
    check(rule, ops=op, cases=cases, name=name, **kw)(fn)


def _grads(target, case, rule):
    return invoke_grads(target, case.op, case.args, case.kwargs, rule=rule, call=case.call())


# ---------------------------------------------------------------- against the reference


def _matches(name: str):
    def fn(target, case):
        """The target's gradient equals the reference's (its own rule names it)."""
        rule = GRAD_RULES[case.op][GRADS[case.op].index(name)]
        got = _grads(target, case, rule)
        compare_grads(target, case.op, got, reference_grads(case.op, case.args, case.kwargs),
                      case.args, case.kwargs, call=case.call(), only=(name,))
    return fn


def _all_match(target, case):
    """Large cases: every gradient equals the reference's (up to 130 channels, outputs up to
    129 wide, batches up to 9: where tiled kernels take their tail paths)."""
    got = _grads(target, case, GRAD_RULES[case.op][0])
    compare_grads(target, case.op, got, reference_grads(case.op, case.args, case.kwargs),
                  case.args, case.kwargs, call=case.call())


# ---------------------------------------------------------------- adjoint identity


def _inner(a: np.ndarray, b: np.ndarray) -> float:
    return math.fsum((np.asarray(a, dtype=np.float64) * b).ravel().tolist())


def _forward(op: str, args, kwargs) -> np.ndarray:
    """The reference forward output without bias (the part linear in x and in w)."""
    fwd = FORWARD_OF[op]
    if fwd.endswith("_pool"):
        return reference_call(fwd, args[0], **kwargs)
    return reference_call(fwd, args[0], args[1], None, **kwargs)


def _y_bound(op: str, args, kwargs) -> tuple[np.ndarray, np.ndarray]:
    """(y, the float64 reference's K-aware bound on each y) for the forward without bias."""
    y = _forward(op, args, kwargs)
    abs_y = _forward(op, tuple(np.abs(a) if isinstance(a, np.ndarray) else a for a in args),
                     kwargs)
    fwd = FORWARD_OF[op]
    terms = math.prod(kwargs["kernel"]) + 1 if fwd.endswith("_pool") else \
        (int(np.prod(args[1].shape[1:])) if fwd == "conv"
         else args[1].shape[0] // kwargs["groups"] * int(np.prod(args[1].shape[2:])))
    if fwd == "max_pool":
        return y, np.zeros_like(y)  # a max is exact
    return y, precision_bound("float64", np.float64, abs_y, terms)


def _same_shape(g, a, name: str, rule: str, case) -> None:
    """The gradient has its argument's shape, first: an inner product or an index into a
    gradient of another shape would say something else (or nothing)."""
    from ..asserts import assert_shape

    assert_shape(np.shape(g), np.shape(a), rule=rule, call=case.call(), name=f"{name}.shape")


def _adjoint(name: str):
    def fn(target, case):
        """sum(y * dy) = sum(a * da) for a = x (or w): y is linear in it (max pooling:
        y[p] = x[argmax of p]), so the target's gradient and the reference's forward
        output must agree on this inner product."""
        op, args, kwargs = case.op, case.args, case.kwargs
        i = GRADS[op].index(name)
        rule = GRAD_RULES[op][i]
        got = _grads(target, case, rule)
        _same_shape(got[i], args[i], name, rule, case)
        a, dy = args[i], args[-1]
        y, y_err = _y_bound(op, args, kwargs)
        lhs, rhs = _inner(y, dy), _inner(a, got[i])
        abs_sum, terms = grad_bounds(op, args, kwargs)[i]
        integer = all(np.array_equal(v, np.round(v)) for v in (a, dy, y))
        if integer and op != "avg_pool_backward" and is_exact(target, got[i], abs_sum):
            if lhs != rhs:
                fail(f"sum({name[1:]} * {name})={rhs!r}, but should be sum(y * dy)={lhs!r}: "
                     f"the adjoint identity", rule, case.call())
            return
        g_err = precision_bound(result_precision(target, got[i]), got[i].dtype, abs_sum, terms)
        bound = (_inner(np.abs(a), g_err) + _inner(y_err, np.abs(dy))
                 + 2 * U64 * (_inner(np.abs(a), np.abs(got[i])) + _inner(np.abs(y), np.abs(dy))))
        if not abs(lhs - rhs) <= bound:
            fail(f"sum({name[1:]} * {name})={rhs!r}, but should be sum(y * dy)={lhs!r} within "
                 f"{bound:.3g} (|difference| {abs(lhs - rhs):.3g}): the adjoint identity",
                 rule, case.call())
    return fn


# ---------------------------------------------------------------- central differences


def _central(name: str):
    def fn(target, case):
        """(F(a + e_i) - F(a - e_i)) / 2 = dL/da[i] for 3 entries i, F(a) = sum(forward * dy)
        in float64 on normal data: exact for a linear F up to rounding, bounded as the
        module docstring says."""
        op, args, kwargs = case.op, list(case.args), case.kwargs
        i = GRADS[op].index(name)
        rule = GRAD_RULES[op][i]
        got = _grads(target, case, rule)[i]
        _same_shape(got, args[i], name, rule, case)
        abs_sum, terms = grad_bounds(op, tuple(args), kwargs)[i]
        g_err = precision_bound(result_precision(target, got), got.dtype, abs_sum, terms)
        dy, base = args[-1], args[i]
        rng = np.random.default_rng(case.base.seed + 7)
        for flat in rng.choice(base.size, size=min(3, base.size), replace=False):
            at = np.unravel_index(int(flat), base.shape)
            values, errors = [], []
            for step in (1.0, -1.0):
                moved = base.copy()
                moved[at] += step
                args[i] = moved
                y, y_err = _y_bound(op, tuple(args), kwargs)
                values.append(_inner(y, dy))
                errors.append(_inner(y_err, np.abs(dy)) + 2 * U64 * _inner(np.abs(y), np.abs(dy)))
            args[i] = base
            fd = (values[0] - values[1]) / 2
            bound = float(g_err[at]) + sum(errors) / 2 + U64 * abs(fd)
            if not abs(float(got[at]) - fd) <= bound:
                fail(f"{name}{list(int(v) for v in at)}={float(got[at])!r}, but should be the "
                     f"central difference (F(+1) - F(-1)) / 2 = {fd!r} within {bound:.3g}",
                     rule, case.call())
    return fn


# ---------------------------------------------------------------- max pooling: ties, NaN


def _ties(cfg):
    """cfg's max pooling with x of values 0 and 1 only: most windows tie."""
    rng = np.random.default_rng(cfg.seed + 3)
    x = rng.integers(0, 2, size=cfg.x.shape).astype(np.float64)
    return grad_call("max_pool_backward", cfg, x=x, change="x of 0 and 1 (ties)")


def _one_nan(cfg):
    """cfg's max pooling with one NaN per (n, c) plane: a window holds at most one."""
    x = cfg.x.copy()
    rng = np.random.default_rng(cfg.seed + 5)
    planes = x.reshape(x.shape[0] * x.shape[1], -1)  # (N*C, prod(S)), a view of x
    planes[np.arange(planes.shape[0]), rng.integers(0, planes.shape[1], planes.shape[0])] = np.nan
    return grad_call("max_pool_backward", cfg, x=x, change="one NaN per plane")


def _dy_off(cfg, op: str, draw_axis: int, delta: int):
    """The call with dy one cell longer or shorter on one axis (never empty)."""
    good = grad_call(op, cfg)
    dy = good.args[-1]
    axis = draw_axis % dy.ndim
    n = dy.shape[axis] + (delta if dy.shape[axis] + delta >= 1 else 1)
    shape = dy.shape[:axis] + (n,) + dy.shape[axis + 1:]
    return grad_call(op, cfg, dy=np.ones(shape), change=f"dy.shape={shape} (y: {dy.shape})")


def _shapes(target, case):
    """dx, dw, db have the shapes of x, w, b (db None exactly when b is None)."""
    from ..asserts import assert_shape

    got = _grads(target, case, "config.grad-shape")
    for name, g, a in zip(GRADS[case.op], got, case.args):
        if a is not None:
            assert_shape(np.shape(g), a.shape, rule="config.grad-shape", call=case.call(),
                         name=f"{name}.shape")


def _refuses_bad_dy(target, case):
    """A dy of another shape than y is an invalid call [config.grad-shape]."""
    expect_raises(target, case.op, *case.args, rule="config.grad-shape",
                  why=f"dy.shape={case.args[-1].shape}, but y.shape="
                      f"{_forward(case.op, case.args[:-1] + (None,), case.kwargs).shape}",
                  call=case.call(), **case.kwargs)


def _bad_dy_calls(op: str):
    def cases():
        from hypothesis import strategies as st

        return st.tuples(_configs(op), st.integers(0, 5), st.sampled_from((1, -1))).map(
            lambda t: _dy_off(t[0], op, t[1], t[2]))
    return cases


# ---------------------------------------------------------------- registration


# one call per check, its name written out in full: grep finds every report ID
# conv_backward
_register("conv.grad-input", "dx_matches_the_reference", "conv_backward",
          _calls("conv_backward"), _matches("dx"), oracle="reference")
_register("conv.grad-weight", "dw_matches_the_reference", "conv_backward",
          _calls("conv_backward"), _matches("dw"), oracle="reference")
_register("conv.grad-bias", "db_matches_the_reference", "conv_backward",
          _calls("conv_backward"), _matches("db"), oracle="reference")
_register("conv.grad-input", "adjoint_identity_dx", "conv_backward",
          _calls("conv_backward"), _adjoint("dx"))
_register("conv.grad-input", "central_differences_dx", "conv_backward",
          _calls("conv_backward", integer_valued=False), _central("dx"), max_examples=20)
_register("conv.grad-weight", "adjoint_identity_dw", "conv_backward",
          _calls("conv_backward"), _adjoint("dw"))
_register("conv.grad-weight", "central_differences_dw", "conv_backward",
          _calls("conv_backward", integer_valued=False), _central("dw"), max_examples=20)
_register("conv.grad-input", "large_cases", "conv_backward",
          _calls("conv_backward", large=True), _all_match,
          max_examples=4, large=True, oracle="reference")
_register("config.grad-shape", "conv_backward_gradients_have_the_arguments_shapes", "conv_backward",
          _calls("conv_backward"), _shapes)
_register("config.grad-shape", "conv_backward_refuses_dy_of_the_wrong_shape", "conv_backward",
          _bad_dy_calls("conv_backward"), _refuses_bad_dy, kind="negative")
# conv_transpose_backward
_register("conv-transpose.grad-input", "dx_matches_the_reference", "conv_transpose_backward",
          _calls("conv_transpose_backward"), _matches("dx"), oracle="reference")
_register("conv-transpose.grad-weight", "dw_matches_the_reference", "conv_transpose_backward",
          _calls("conv_transpose_backward"), _matches("dw"), oracle="reference")
_register("conv-transpose.grad-bias", "db_matches_the_reference", "conv_transpose_backward",
          _calls("conv_transpose_backward"), _matches("db"), oracle="reference")
_register("conv-transpose.grad-input", "adjoint_identity_dx", "conv_transpose_backward",
          _calls("conv_transpose_backward"), _adjoint("dx"))
_register("conv-transpose.grad-input", "central_differences_dx", "conv_transpose_backward",
          _calls("conv_transpose_backward", integer_valued=False), _central("dx"), max_examples=20)
_register("conv-transpose.grad-weight", "adjoint_identity_dw", "conv_transpose_backward",
          _calls("conv_transpose_backward"), _adjoint("dw"))
_register("conv-transpose.grad-weight", "central_differences_dw", "conv_transpose_backward",
          _calls("conv_transpose_backward", integer_valued=False), _central("dw"), max_examples=20)
_register("conv-transpose.grad-input", "large_cases", "conv_transpose_backward",
          _calls("conv_transpose_backward", large=True), _all_match,
          max_examples=4, large=True, oracle="reference")
_register("config.grad-shape", "conv_transpose_backward_gradients_have_the_arguments_shapes", "conv_transpose_backward",
          _calls("conv_transpose_backward"), _shapes)
_register("config.grad-shape", "conv_transpose_backward_refuses_dy_of_the_wrong_shape", "conv_transpose_backward",
          _bad_dy_calls("conv_transpose_backward"), _refuses_bad_dy, kind="negative")
# max_pool_backward
_register("pool.max-grad", "dx_matches_the_reference", "max_pool_backward",
          _calls("max_pool_backward"), _matches("dx"), oracle="reference")
_register("pool.max-grad", "adjoint_identity_dx", "max_pool_backward",
          _calls("max_pool_backward"), _adjoint("dx"))
_register("pool.max-grad", "large_cases", "max_pool_backward",
          _calls("max_pool_backward", large=True), _all_match,
          max_examples=4, large=True, oracle="reference")
_register("config.grad-shape", "max_pool_backward_gradients_have_the_arguments_shapes", "max_pool_backward",
          _calls("max_pool_backward"), _shapes)
_register("config.grad-shape", "max_pool_backward_refuses_dy_of_the_wrong_shape", "max_pool_backward",
          _bad_dy_calls("max_pool_backward"), _refuses_bad_dy, kind="negative")
# avg_pool_backward
_register("pool.avg-grad", "dx_matches_the_reference", "avg_pool_backward",
          _calls("avg_pool_backward"), _matches("dx"), oracle="reference")
_register("pool.avg-grad", "adjoint_identity_dx", "avg_pool_backward",
          _calls("avg_pool_backward"), _adjoint("dx"))
_register("pool.avg-grad", "central_differences_dx", "avg_pool_backward",
          _calls("avg_pool_backward", integer_valued=False), _central("dx"), max_examples=20)
_register("pool.avg-grad", "large_cases", "avg_pool_backward",
          _calls("avg_pool_backward", large=True), _all_match,
          max_examples=4, large=True, oracle="reference")
_register("config.grad-shape", "avg_pool_backward_gradients_have_the_arguments_shapes", "avg_pool_backward",
          _calls("avg_pool_backward"), _shapes)
_register("config.grad-shape", "avg_pool_backward_refuses_dy_of_the_wrong_shape", "avg_pool_backward",
          _bad_dy_calls("avg_pool_backward"), _refuses_bad_dy, kind="negative")

_register("pool.max-grad", "ties_go_to_the_first_maximum", "max_pool_backward",
          lambda: _configs("max_pool_backward").map(_ties), _matches("dx"), oracle="reference")
_register("pool.max-grad", "nan_takes_the_gradient", "max_pool_backward",
          lambda: _configs("max_pool_backward").map(_one_nan), _matches("dx"), oracle="reference")
