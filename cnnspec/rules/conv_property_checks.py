"""The executable checks of the conv rules (declared in :mod:`cnnspec.rules.conv`) that state
properties of the operator: linearity in x and in w, its matrix (Toeplitz), locality,
equivariance to shifts, composition, activation maximization, and the gradients.

Each check calls the target through the harness (:mod:`cnnspec.rules._conv_calls`) and
compares it with itself, so that a target consistent everywhere but wrong in one place is
caught by the rule about that place.  Data a check needs beyond the case (a second input, a
shift, another kernel) comes from a generator seeded by the case's seed and a per-check
salt, so the case's repr rebuilds it.  The gradient checks (``ops=()``) check the spec's own
claims on the reference (run once, not per target).  The definition, sizes, channels,
groups and bias are checked in :mod:`cnnspec.rules.conv_checks`.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .. import formulas, ref, tolerance
from ..asserts import assert_exact, format_call
from ..ref.grad import conv_grad_input, conv_grad_weight
from ..tolerance import is_exact
from . import check, strategies
from ._conv_calls import _abs, _conv, _ints, _rng, _same, _spatial
from ._harness import fail

# ---------------------------------------------------------------- linearity and its matrix


@check("conv.linear-input", ops="conv", cases=lambda: strategies().conv_configs())
def check_linear_in_the_input(target, cfg):
    rng = _rng(cfg, 3)
    x2, (a, b) = _ints(rng, cfg.x.shape), rng.integers(-3, 4, size=2)
    mixed = a * cfg.x + b * x2
    y = _conv(target, "conv.linear-input", mixed, cfg.w, None, **cfg.kwargs)
    y1, y2 = (_conv(target, "conv.linear-input", x, cfg.w, None, **cfg.kwargs) for x in (cfg.x, x2))
    abs_sum = sum(abs(c) * _abs(x, cfg.w, **cfg.kwargs) for c, x in ((1, mixed), (a, cfg.x), (b, x2)))
    _same(target, y, a * y1.astype(np.float64) + b * y2, abs_sum=abs_sum,
          terms=tolerance.conv_terms(cfg.w), rule="conv.linear-input",
          call=f"conv({a}*x1 + {b}*x2) against {a}*conv(x1) + {b}*conv(x2), b=None; "
               f"{cfg.call()}")


@check("conv.linear-weight", ops="conv", cases=lambda: strategies().conv_configs())
def check_linear_in_the_weights(target, cfg):
    rng = _rng(cfg, 4)
    w2, (a, b) = _ints(rng, cfg.w.shape), rng.integers(-3, 4, size=2)
    mixed = a * cfg.w + b * w2
    y = _conv(target, "conv.linear-weight", cfg.x, mixed, None, **cfg.kwargs)
    y1, y2 = (_conv(target, "conv.linear-weight", cfg.x, w, None, **cfg.kwargs) for w in (cfg.w, w2))
    abs_sum = sum(abs(c) * _abs(cfg.x, w, **cfg.kwargs) for c, w in ((1, mixed), (a, cfg.w), (b, w2)))
    _same(target, y, a * y1.astype(np.float64) + b * y2, abs_sum=abs_sum,
          terms=tolerance.conv_terms(cfg.w), rule="conv.linear-weight",
          call=f"conv(x, {a}*w1 + {b}*w2) against {a}*conv(x, w1) + {b}*conv(x, w2), b=None; "
               f"{cfg.call()}")


def _toeplitz(w, in_shape, *, stride, padding, dilation, groups) -> np.ndarray:
    """T with vec(conv(x, w)) = T @ vec(x), built by index arithmetic from w alone:
    T[(o, *p), (g(o)*Cg + c, *q)] = w[o, c, *t] where q = p*s + t*d - p_before is inside x."""
    (c_in, *spatial), (c_out, cg, *kernel) = in_shape, w.shape
    out = formulas.conv_out_shape(spatial, kernel, stride=stride, padding=padding, dilation=dilation)
    t_mat = np.zeros((c_out, *out, c_in, *spatial))  # (C_out, *out, C_in, *S)
    og = c_out // groups
    for o, p, c, t in _index_grid(c_out, out, cg, kernel):
        q = tuple(pi * s + ti * d - pb for pi, ti, s, d, (pb, _) in zip(p, t, stride, dilation, padding))
        if all(0 <= qi < i for qi, i in zip(q, spatial)):
            t_mat[(o, *p, o // og * cg + c, *q)] += w[(o, c, *t)]
    return t_mat.reshape(c_out * math.prod(out), c_in * math.prod(spatial))


def _index_grid(c_out, out, cg, kernel):
    """Every (o, p, c, t): output channel, output position, kernel channel, kernel offset."""
    for o in range(c_out):
        for p in np.ndindex(*out):
            for c in range(cg):
                for t in np.ndindex(*kernel):
                    yield o, p, c, t


@check("conv.toeplitz", ops="conv", cases=lambda: strategies().conv_configs(
    max_rank=2, max_side=5, max_volume=16, max_channels=3, max_batch=1))
def check_conv_is_a_shared_sparse_matrix(target, cfg):
    """T of the target, one column per basis input (one batched call), equals T(w)."""
    size = math.prod(cfg.x.shape[1:])
    basis = np.eye(size).reshape(size, *cfg.x.shape[1:])  # (C_in*prod(S), C_in, *S)
    cols = _conv(target, "conv.toeplitz", basis, cfg.w, None, **cfg.kwargs)  # (size, C_out, *out)
    assert_exact(cols.reshape(size, -1).T, _toeplitz(cfg.w, cfg.x.shape[1:], **cfg.kwargs),
                 rule="conv.toeplitz", name="T",
                 call=f"T[(o, *p), (c, *q)] = conv(e_(c, q))[o, p]; {cfg.call()}")


@check("conv.locality", ops="conv", cases=lambda: strategies().conv_configs())
def check_output_reads_only_its_window(target, cfg):
    rng = _rng(cfg, 5)
    y = _conv(target, "conv.locality", cfg.x, cfg.w, cfg.b, **cfg.kwargs)
    o, p = int(rng.integers(y.shape[1])), tuple(int(rng.integers(n)) for n in y.shape[2:])
    cg, og = cfg.w.shape[1], cfg.w.shape[0] // cfg.groups
    taps = [[q for t in range(k) if 0 <= (q := pi * s + t * d - pb) < i] for pi, k, s, d, (pb, _), i
            in zip(p, cfg.kernel, cfg.stride, cfg.dilation, cfg.padding, cfg.x.shape[2:])]
    keep = np.zeros(cfg.x.shape[1:], bool)  # (C_in, *S): what output (o, p) reads
    keep[np.ix_(range(o // og * cg, (o // og + 1) * cg), *taps)] = True
    changed = np.where(keep, cfg.x, cfg.x + rng.integers(1, 5, size=cfg.x.shape))
    y2 = _conv(target, "conv.locality", changed, cfg.w, cfg.b, **cfg.kwargs)
    at = (slice(None), o, *p)
    _same(target, y2[at], y[at], abs_sum=(_abs(cfg.x, cfg.w, cfg.b, **cfg.kwargs)
                                          + _abs(changed, cfg.w, cfg.b, **cfg.kwargs))[at],
          terms=tolerance.conv_terms(cfg.w, cfg.b), rule="conv.locality",
          call=f"y[:, {o}, {', '.join(map(str, p))}] after x changed outside its taps {taps} "
               f"(per axis) and outside channels {o // og * cg}..{(o // og + 1) * cg - 1}; {cfg.call()}")


# ---------------------------------------------------------------- equivariance


@check("conv.equivariance-circular", ops="conv",
       cases=lambda: strategies().conv_configs(max_stride=1, max_pad=0))
def check_circular_padding_makes_shifts_exact(target, cfg):
    rng, axes = _rng(cfg, 6), _spatial(cfg.x)
    eff = [d * (k - 1) + 1 for k, d in zip(cfg.kernel, cfg.dilation)]
    before = [int(rng.integers(e)) for e in eff]
    wrap = [(0, 0), (0, 0), *((b, e - 1 - b) for b, e in zip(before, eff))]
    shift = tuple(int(rng.integers(-i + 1, i)) for i in cfg.x.shape[2:])
    y = _conv(target, "conv.equivariance-circular", np.pad(cfg.x, wrap, mode="wrap"), cfg.w, cfg.b,
              **dict(cfg.kwargs, padding=((0, 0),) * cfg.rank))
    rolled = np.pad(np.roll(cfg.x, shift, axis=axes), wrap, mode="wrap")
    y2 = _conv(target, "conv.equivariance-circular", rolled, cfg.w, cfg.b,
               **dict(cfg.kwargs, padding=((0, 0),) * cfg.rank))
    _same(target, y2, np.roll(y, shift, axis=axes),
          abs_sum=2 * _abs(np.pad(cfg.x, wrap, mode="wrap"), cfg.w, cfg.b, **cfg.kwargs),
          terms=tolerance.conv_terms(cfg.w, cfg.b), rule="conv.equivariance-circular",
          call=f"conv(wrap(roll(x, {shift}))) against roll(conv(wrap(x)), {shift}), wrap "
               f"{wrap[2:]}; {cfg.call()}")


def _shifted(x: np.ndarray, u) -> np.ndarray:
    """x moved by u[a] cells along spatial axis a: zeros come in, cells moved out are lost."""
    out = np.zeros_like(x)
    src: list[Any] = []
    dst: list[Any] = []
    for ua, n in zip(u, x.shape[2:]):
        k = min(abs(ua), n)
        src.append(slice(0, n - k) if ua >= 0 else slice(k, n))
        dst.append(slice(k, n) if ua >= 0 else slice(0, n - k))
    out[(..., *dst)] = x[(..., *src)]
    return out


def _interior(cfg):
    """Per axis, the outputs [lo, hi] whose windows lie inside the input."""
    return [(-(-pb // s), (i - (d * (k - 1) + 1) + pb) // s) for i, k, s, d, (pb, _) in
            zip(cfg.x.shape[2:], cfg.kernel, cfg.stride, cfg.dilation, cfg.padding)]


def _check_shift(target, cfg, rule: str, salt: int) -> None:
    """Shift x by m*s (zeros in): y'[p] = y[p - m] on outputs whose windows lie in x."""
    from hypothesis import assume

    y = _conv(target, rule, cfg.x, cfg.w, cfg.b, **cfg.kwargs)
    inner = _interior(cfg)
    assume(all(lo <= hi for lo, hi in inner))
    rng = _rng(cfg, salt)  # m != 0 with max(lo, m) <= min(hi, o - 1 + m): some p compared
    m = [int(rng.choice([v for v in range(lo - o + 1, hi + 1) if v] or [0]))
         for (lo, hi), o in zip(inner, y.shape[2:])]
    moved = _shifted(cfg.x, [mi * s for mi, s in zip(m, cfg.stride)])
    y2 = _conv(target, rule, moved, cfg.w, cfg.b, **cfg.kwargs)
    ps: list[Any] = [slice(max(lo, mi), min(hi, o - 1 + mi) + 1) for (lo, hi), mi, o in zip(inner, m, y.shape[2:])]
    back: list[Any] = [slice(p.start - mi, p.stop - mi) for p, mi in zip(ps, m)]
    _same(target, y2[(..., *ps)], y[(..., *back)],
          abs_sum=(_abs(moved, cfg.w, cfg.b, **cfg.kwargs)[(..., *ps)]
                   + _abs(cfg.x, cfg.w, cfg.b, **cfg.kwargs)[(..., *back)]),
          terms=tolerance.conv_terms(cfg.w, cfg.b), rule=rule,
          call=f"x shifted by m*s={tuple(mi * s for mi, s in zip(m, cfg.stride))}, m={tuple(m)}: "
               f"y'[p] against y[p - m] for p in {[(p.start, p.stop - 1) for p in ps]} (interior, "
               f"first..last per axis); {cfg.call()}")


@check("conv.equivariance-interior", ops="conv",
       cases=lambda: strategies().conv_configs(max_stride=1, max_pad=2))
def check_shift_moves_interior_outputs(target, cfg):
    _check_shift(target, cfg, "conv.equivariance-interior", 7)


@check("conv.equivariance-stride", ops="conv",
       cases=lambda: strategies().conv_configs(max_pad=2))
def check_shift_by_multiples_of_the_stride(target, cfg):
    _check_shift(target, cfg, "conv.equivariance-stride", 8)


# ---------------------------------------------------------------- stacks, visualization, gradients


def _composed(w1: np.ndarray, w2: np.ndarray) -> np.ndarray:
    """w[o, c] = sum_m convolve_full(w2[o, m], w1[m, c]): the kernel of conv(conv(., w1), w2)."""
    from scipy import signal

    return np.array([[sum(signal.convolve(w2[o, m], w1[m, c], mode="full", method="direct")
                          for m in range(w1.shape[0])) for c in range(w1.shape[1])]
                     for o in range(w2.shape[0])])  # (C2, C_in, *(K1 + K2 - 1))


@check("conv.composition", ops="conv", cases=lambda: strategies().conv_configs(
    max_stride=1, max_pad=0, max_dilation=1, max_channels=3))
def check_two_convs_are_one_conv(target, cfg):
    rng = _rng(cfg, 9)
    w1 = _ints(rng, (int(rng.integers(1, 4)), cfg.x.shape[1], *cfg.kernel))
    o1 = [i - k + 1 for i, k in zip(cfg.x.shape[2:], cfg.kernel)]
    w2 = _ints(rng, (int(rng.integers(1, 4)), w1.shape[0], *(int(rng.integers(1, o + 1)) for o in o1)))
    w = _composed(w1, w2)
    y1 = _conv(target, "conv.composition", cfg.x, w1)
    y12 = _conv(target, "conv.composition", y1.astype(np.float64), w2)
    y = _conv(target, "conv.composition", cfg.x, w)
    chain = _abs(_abs(cfg.x, w1), w2)  # conv(conv(|x|, |w1|), |w2|) >= conv(|x|, |w|)
    _same(target, y, y12, abs_sum=3 * chain, rule="conv.composition",
          terms=max(tolerance.conv_terms(k) for k in (w1, w2, w)),
          call=f"conv(x, w) against conv(conv(x, w1), w2), w = sum_m convolve_full(w2[o, m], "
               f"w1[m, c]); {format_call('conv', cfg.x, w1)}, w2: {w2.shape}, w: {w.shape}")


def _filter_sum(target, y, k: int, x, w, kw, expected: float, at_most: bool, what: str) -> None:
    """a^k = sum of y[0, k] (float64) against expected: == (at_most False) or <= (True),
    exact where y's precision holds every sum, else within the sum of the K-aware bounds."""
    name = target.precision or str(y.dtype)
    acc = "float32" if name == "tf32" else name
    a, abs_k = float(y[0, k].astype(np.float64).sum()), _abs(x, w, **kw)[0, k]
    slack = 0.0 if is_exact(target, y, abs_k) else float(
        tolerance.conv_bound(x, w, None, **kw, u=acc, input_u=name, output_u=y.dtype)[0, k].sum()
        + y[0, k].size * 2.0**-52 * abs_k.sum())
    if (a > expected + slack) if at_most else (abs(a - expected) > slack):
        rel = "<=" if at_most else "=="
        fail(f"a^{k}=sum(y[0, {k}])={a!r}, but should be {rel} {what}={expected!r}"
             + (f" (+- {slack:.3g})" if slack else ""), "conv.activation-max",
             call=format_call("conv", x, w, None, **kw))


@check("conv.activation-max", ops="conv", cases=lambda: strategies().conv_configs())
def check_adjoint_of_ones_maximizes_the_filter_sum(target, cfg):
    """x* = g/||g||, g = conv^T(ones on channel k): a^k(g) = ||g||^2 (so a^k(x*) = ||g||, on
    integers), and a^k(x) <= ||g|| ||x|| for other inputs (cfg.x and g plus noise)."""
    rng, x, kw = _rng(cfg, 10), cfg.x[:1], cfg.kwargs
    y = _conv(target, "conv.activation-max", x, cfg.w, None, **kw)
    k = int(rng.integers(y.shape[1]))
    ones_k = np.zeros(y.shape)
    ones_k[0, k] = 1.0
    g = conv_grad_input(ones_k, cfg.w, x.shape, **kw)  # the adjoint of conv applied to 1_k
    norm_g = float(np.sqrt((g * g).sum()))
    y_g = _conv(target, "conv.activation-max", g, cfg.w, None, **kw)
    _filter_sum(target, y_g, k, g, cfg.w, kw, float((g * g).sum()), at_most=False,
                what=f"||g||**2 at x = g = conv^T(ones on channel {k})")
    for other in (x, g + _ints(rng, g.shape)):
        y_o = y if other is x else _conv(target, "conv.activation-max", other, cfg.w, None, **kw)
        bound = norm_g * float(np.sqrt((other * other).sum())) * (1 + 2.0**-40)
        _filter_sum(target, y_o, k, other, cfg.w, kw, bound, at_most=True, what="||g|| ||x||")


def _inner(a, b) -> float:
    return float((np.asarray(a, dtype=np.float64) * b).sum())


def _check_gradient(cfg, rule: str, salt: int, wrt: str) -> None:
    """<conv(x + e_i), dy> - <conv(x), dy> = grad[i] for 3 random i (exact: integers, linear)."""
    rng = _rng(cfg, salt)
    y = ref.conv(cfg.x, cfg.w, cfg.b, **cfg.kwargs)
    dy = _ints(rng, y.shape)
    grad = (conv_grad_input(dy, cfg.w, cfg.x.shape, **cfg.kwargs) if wrt == "x"
            else conv_grad_weight(cfg.x, dy, cfg.kernel, **cfg.kwargs))
    base = _inner(y, dy)
    for i in rng.choice(grad.size, size=min(3, grad.size), replace=False):
        x, w = cfg.x.copy(), cfg.w.copy()
        (x if wrt == "x" else w).flat[i] += 1.0
        change = _inner(ref.conv(x, w, cfg.b, **cfg.kwargs), dy) - base
        if change != grad.flat[i]:
            at = tuple(int(v) for v in np.unravel_index(i, grad.shape))
            fail(f"<conv({'x + e_i, w' if wrt == 'x' else 'x, w + e_i'}), dy> - <conv(x, w), dy>="
                 f"{change!r}, but should be dL/d{wrt}{list(at)}={float(grad.flat[i])!r}", rule, cfg.call())


@check("conv.grad-input", ops=(), cases=lambda: strategies().conv_configs())
def check_input_gradient_is_conv_transpose(target, cfg):
    _check_gradient(cfg, "conv.grad-input", 11, "x")


@check("conv.grad-weight", ops=(), cases=lambda: strategies().conv_configs())
def check_weight_gradient_is_a_correlation(target, cfg):
    _check_gradient(cfg, "conv.grad-weight", 12, "w")

