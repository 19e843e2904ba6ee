"""One deliberate bug per rule, for tests/test_rule_mutations.py.

Two kinds of mutation:

* :class:`Mutant`: the reference target (cnnspec.targets.reference) with one op replaced by
  a wrapper that adds the bug.  Used for rules whose checks call a target (Check.ops).
* :class:`Patch`: attributes of the spec's own code (cnnspec.formulas, cnnspec.ref,
  cnnspec.tolerance, cnnspec._network, or the name a check module bound) replaced for the
  duration of one test through pytest's monkeypatch.  Used for spec-internal rules (ops=()).
"""

from __future__ import annotations

import importlib
import types
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from cnnspec import formulas, ref
from cnnspec.errors import InvalidConfig
from cnnspec.targets import ALL_OPS
from cnnspec.targets import reference as R

OPS = ("conv", "conv_transpose", "max_pool", "avg_pool")


@dataclass(frozen=True)
class Mutant:
    """The reference target with some ops replaced; ``module()`` builds the target."""

    what: str
    ops: dict

    def module(self) -> types.ModuleType:
        m = types.ModuleType(f"mutant: {self.what}")
        for op in ALL_OPS:  # the backward ops too
            setattr(m, op, self.ops.get(op, getattr(R, op)))
        return m


@dataclass(frozen=True)
class Patch:
    """(module name, attribute, value) triples; the attribute may be "Class.name", and a
    dict is patched by key with (module name, "DICT[key]", value)."""

    what: str
    patches: tuple

    def apply(self, monkeypatch: Any) -> None:
        for mod, attr, value in self.patches:
            obj = importlib.import_module(mod)
            *owners, attr = attr.split(".")
            for owner in owners:  # "Class.method"
                obj = getattr(obj, owner)
            if "[" in attr:
                name, key = attr.rstrip("]").split("[")
                monkeypatch.setitem(getattr(obj, name), key, value)
            else:
                monkeypatch.setattr(obj, attr, value)


def mutant(what: str, **ops: Callable[..., Any]) -> Mutant:
    return Mutant(what, ops)


def patch(what: str, *patches: tuple) -> Patch:
    return Patch(what, patches)


def every_op(what: str, wrap: Callable[[Callable[..., Any]], Callable[..., Any]]) -> Mutant:
    return Mutant(what, {op: wrap(getattr(R, op)) for op in OPS})


def _spatial_axes(a: np.ndarray) -> tuple[int, ...]:
    return tuple(range(2, a.ndim))


def _bias(b: np.ndarray | None, ndim: int) -> Any:
    return 0 if b is None else b.reshape(-1, *(1,) * (ndim - 2))


def when(fn: Callable[..., Any], cond: Callable[..., bool] = lambda *a, **k: True,
         delta: Any = 1) -> Callable[..., Any]:
    """``fn`` off by ``delta`` on the integer calls where ``cond(*args, **kwargs)`` holds
    (symbolic calls, whose conditions have no truth value, are left alone)."""
    def wrong(*args: Any, **kwargs: Any) -> Any:
        out = fn(*args, **kwargs)
        try:
            hit = bool(cond(*args, **kwargs))
        except TypeError:
            hit = False
        return out + delta if hit else out
    return wrong


def no_refusal(fn: Callable[..., Any], value: Any) -> Callable[..., Any]:
    """``fn`` that returns ``value`` instead of raising InvalidConfig."""
    def lenient(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except InvalidConfig:
            return value
    return lenient


# ------------------------------------------------------------------ config.*

def _strict_python_ints(fn):  # refuses numpy integers as size parameters
    def f(*a, **kw):
        for k, v in kw.items():
            for item in (v if isinstance(v, tuple) else (v,)):
                for e in (item if isinstance(item, tuple) else (item,)):
                    if not isinstance(e, (int, bool)):
                        raise TypeError(f"{k} must hold Python ints, got {type(e).__name__}")
        return fn(*a, **kw)
    return f


def _no_3d(fn):
    def f(*a, **kw):
        if a[0].ndim == 5:
            raise ValueError("3-D inputs are not supported")
        return fn(*a, **kw)
    return f


def _drop_padding_if(key, value):  # a fast path (stride 1, dilation 1) that forgets the padding
    def wrap(fn):
        def f(*a, **kw):
            if key in kw and all(v == value for v in kw[key]):
                kw = {**kw, "padding": tuple((0, 0) for _ in kw["padding"])}
            return fn(*a, **kw)
        return f
    return wrap


def _refuse_kernel_1(fn):
    def f(*a, **kw):
        if 1 in kw.get("kernel", ()):
            raise ValueError("kernel_size must be greater than 1")
        return fn(*a, **kw)
    return f


# ------------------------------------------------------------------ conv.*

def _conv_empty_when_too_small(x, w, b, *, stride, padding, dilation, groups):
    eff = [d * (k - 1) + 1 for k, d in zip(w.shape[2:], dilation)]
    if any(e > i + pb + pa for e, i, (pb, pa) in zip(eff, x.shape[2:], padding)):
        return np.zeros((x.shape[0], w.shape[0], *(0 for _ in eff)))
    return R.conv(x, w, b, stride=stride, padding=padding, dilation=dilation, groups=groups)


def _conv_refuses_exact_fit(x, w, b, *, stride, padding, dilation, groups):
    eff = [d * (k - 1) + 1 for k, d in zip(w.shape[2:], dilation)]
    if any(e == i + pb + pa for e, i, (pb, pa) in zip(eff, x.shape[2:], padding)):
        raise ValueError("kernel must be smaller than the padded input")
    return R.conv(x, w, b, stride=stride, padding=padding, dilation=dilation, groups=groups)


def _conv_stride_phase(x, w, b, *, stride, **kw):  # strided windows start at offset 1 if possible
    y1 = R.conv(x, w, b, stride=(1,) * len(stride), **kw)
    out = R.conv(x, w, b, stride=stride, **kw).shape[2:]
    sl = tuple(slice(1 if (o - 1) * s + 1 < n else 0, None, s)
               for s, o, n in zip(stride, out, y1.shape[2:]))
    return np.ascontiguousarray(y1[(..., *sl)][(..., *(slice(0, o) for o in out))])


def _conv_first_axis_dilation(x, w, b, *, dilation, **kw):
    try:
        return R.conv(x, w, b, dilation=(dilation[0],) * len(dilation), **kw)
    except Exception:  # noqa: BLE001 - the kernel does not fit with that dilation
        return R.conv(x, w, b, dilation=dilation, **kw)


def _conv_rotated_groups(x, w, b, *, groups, **kw):
    return R.conv(np.roll(x, x.shape[1] // groups, axis=1), w, b, groups=groups, **kw)


def _conv_depthwise_modulo(x, w, b, *, groups, **kw):  # depthwise output o reads channel o % C
    c_in, c_out = x.shape[1], w.shape[0]
    if groups == c_in and c_out > c_in:
        return R.conv(x[:, [o % c_in for o in range(c_out)]], w, b, groups=c_out, **kw)
    return R.conv(x, w, b, groups=groups, **kw)


def _conv_pointwise_ignores_padding(x, w, b, *, padding, stride, **kw):
    if all(k == 1 for k in w.shape[2:]):
        shape = R.conv(x, w, b, padding=padding, stride=stride, **kw).shape
        y = R.conv(x, w, b, padding=tuple((0, 0) for _ in padding), stride=stride, **kw)
        out = np.zeros(shape) + _bias(b, x.ndim)
        out[tuple(slice(0, n) for n in y.shape)] = y
        return out
    return R.conv(x, w, b, padding=padding, stride=stride, **kw)


def _conv_first_output_unshared(x, w, b, **kw):  # output 0 uses 2w: no parameter sharing
    y = R.conv(x, w, b, **kw)
    at = (slice(None), slice(None), *(0,) * (x.ndim - 2))
    y[at] = R.conv(x, 2 * w, b, **kw)[at]
    return y


def _conv_circular(x, w, b, **kw):
    if all(max(p) <= i for p, i in zip(kw["padding"], x.shape[2:])):
        return ref.conv(x, w, b, padding_mode="circular", **kw)
    return R.conv(x, w, b, **kw)


def _conv_positional(x, w, b, **kw):  # adds the output index along the first spatial axis
    y = R.conv(x, w, b, **kw)
    return y + np.arange(y.shape[2]).reshape(-1, *(1,) * (y.ndim - 3))


def _conv_drops_taps_past_3(x, w, b, **kw):
    w = w.copy()
    for a in _spatial_axes(w):
        idx = [slice(None)] * w.ndim
        idx[a] = slice(3, None)
        w[tuple(idx)] = 0.0
    return R.conv(x, w, b, **kw)


def _conv_flipped(x, w, b, **kw):
    return R.conv(x, np.flip(w, _spatial_axes(w)).copy(), b, **kw)


def _grad_input_flipped(dy, w, x_shape, **kw):
    return ref.conv_grad_input(dy, np.flip(w, _spatial_axes(w)).copy(), x_shape, **kw)


def _grad_weight_stride_for_dilation(x, dy, kernel, *, stride, dilation, **kw):
    fits = all((o - 1) * d + (k - 1) * s + 1 <= i + pb + pa for o, d, k, s, i, (pb, pa) in
               zip(dy.shape[2:], dilation, kernel, stride, x.shape[2:], kw["padding"]))
    if fits:
        stride, dilation = dilation, stride
    return ref.conv_grad_weight(x, dy, kernel, stride=stride, dilation=dilation, **kw)


# ------------------------------------------------------------------ conv_transpose.*

def _grads_changed(fn, **factors):  # (dx, dw, db) with the named ones scaled
    def changed(*a, **kw):
        dx, dw, db = fn(*a, **kw)
        return (dx * factors.get("dx", 1), dw * factors.get("dw", 1),
                None if db is None else db * factors.get("db", 1))
    return changed


def _backward_fits_dy(x, w, b, dy, **kw):  # dy cropped or zero-padded to y's shape
    shape = R.conv(x, w, b, **kw).shape
    fitted = np.zeros(shape)
    common = tuple(slice(0, min(a, c)) for a, c in zip(dy.shape, shape))
    fitted[common] = dy[common]
    return R.conv_backward(x, w, b, fitted, **kw)


def _max_grad_to_every_cell(x, dy, **kw):  # avg-pool routing with the max-pool's windows
    kw = dict(kw)
    kw.pop("dilation")
    n = int(np.prod(kw["kernel"]))
    return R.avg_pool_backward(x, dy * n, count_include_pad=True, **kw)


def _convt_flipped(x, w, b, **kw):
    return R.conv_transpose(x, np.flip(w, _spatial_axes(w)).copy(), b, **kw)


def _convt_drops_last_tap(x, w, b, **kw):
    w = w.copy()
    w[..., -1] = 0  # the last tap of the last spatial axis
    return R.conv_transpose(x, w, b, **kw)


def _convt_no_output_padding(x, w, b, **kw):
    return R.conv_transpose(x, w, b, **{**kw, "output_padding": (0,) * (x.ndim - 2)})


def _convt_output_padding_in_front(x, w, b, **kw):
    y = R.conv_transpose(x, w, None, **{**kw, "output_padding": (0,) * (x.ndim - 2)})
    y = np.pad(y, [(0, 0), (0, 0), *[(op, 0) for op in kw["output_padding"]]])
    return y + _bias(b, x.ndim)


def _convt_c_out_ignores_groups(x, w, b, **kw):
    return R.conv_transpose(x, w, b, **kw)[:, :w.shape[1]].copy()


def _convt_bias_on_channel_0(x, w, b, **kw):
    y = R.conv_transpose(x, w, None, **kw)
    if b is not None:
        y[:, 0] += b[0]
    return y


# ------------------------------------------------------------------ pool.*

def _pool_ceil_as(value):
    def wrap(fn):
        return lambda x, **kw: fn(x, **{**kw, "ceil_mode": value})
    return wrap


def _pool_refuses_beyond_torch(fn):
    def f(x, **kw):
        for k, (pb, pa), i in zip(kw["kernel"], kw["padding"], x.shape[2:]):
            if k == i + pb + pa:
                raise ValueError("kernel must be smaller than the padded input")
        return fn(x, **kw)
    return f


def _pool_accepts_empty_windows(fn):
    def f(x, **kw):
        try:
            return fn(x, **kw)
        except InvalidConfig as e:
            if e.rule == "pool.window-has-input":
                return np.zeros((*x.shape[:2],) + (1,) * (x.ndim - 2))
            raise
    return f


def _max_pool_skips_nan(x, **kw):
    return R.max_pool(np.where(np.isnan(x), -np.inf, x), **kw)


def _avg_pool_padding_never_counted(x, **kw):
    return R.avg_pool(x, **{**kw, "count_include_pad": False})


def _pool_mixes_channels(fn):
    def f(x, **kw):
        y = fn(x, **kw)
        if y.shape[1] > 1:
            y[:, 0] = y[:, 0] + 0.5 * y[:, -1]
        return y
    return f


def _pool_kernel_capped_at_4(fn):
    return lambda x, **kw: fn(x, **{**kw, "kernel": tuple(min(k, 4) for k in kw["kernel"])})


def _max_pool_large_values_off(x, **kw):
    y = R.max_pool(x, **kw)
    return np.where(np.abs(y) > 8, y + 1, y)


def _pool_remembers(fn):
    last = {}

    def f(x, **kw):
        y = fn(x, **kw)
        before = last.get(y.shape)
        last[y.shape] = y.copy()
        return y if before is None else np.maximum(y, before)
    return f


# ------------------------------------------------------------------ pad.* on the target

def _swap_padding(fn):
    return lambda *a, **kw: fn(*a, **{**kw, "padding": tuple((pa, pb) for pb, pa in kw["padding"])})


def _zero_padding_means_one(fn):
    def f(*a, **kw):
        p = kw["padding"]
        if all(v == (0, 0) for v in p):
            kw = {**kw, "padding": ((1, 1),) * len(p)}
        return fn(*a, **kw)
    return f


def _conv_padding_capped(x, w, b, **kw):
    p = tuple((min(pb, k - 1), min(pa, k - 1)) for (pb, pa), k in zip(kw["padding"], w.shape[2:]))
    return R.conv(x, w, b, **{**kw, "padding": p})


def _limit_pad(mode: str, limit: Callable[[int], int]) -> Callable[..., Any]:
    """ref.pad refusing the largest valid padding of ``mode`` (``limit(i)``)."""
    orig = ref.pad

    def pad(x, padding, mode_=None, value=0.0, **kw):
        m = kw.get("mode", mode_) or "zeros"
        if m == mode and any(max(p) == limit(n) for n, p in zip(np.shape(x)[2:], padding)):
            raise InvalidConfig(f"padding={padding} too large (mutant)", rule=f"pad.{mode}-size")
        return orig(x, padding, mode=m, value=value)
    return pad


# ------------------------------------------------------------------ tolerance.*

def _noisy_float32(fn):
    """ref op whose float32 path is off by one float32 ulp wherever the result is nonzero."""
    def f(*a, dtype=None, **kw):
        y = fn(*a, **kw) if dtype is None else fn(*a, dtype=dtype, **kw)
        if dtype == np.float32:
            y = np.where(y != 0, np.nextafter(y, np.float32(np.inf)), y).astype(np.float32)
        return y
    return f


def _tolerance_ref() -> types.SimpleNamespace:
    return types.SimpleNamespace(conv=_noisy_float32(ref.conv), max_pool=_noisy_float32(ref.max_pool),
                                 avg_pool=ref.avg_pool)


def _zero_bound(*a, **kw):
    return np.zeros_like(ref.conv(*a[:3], **{k: v for k, v in kw.items() if k != "u"}))


# ------------------------------------------------------------------ arith.* / counts

def _stride(kw):
    return kw.get("stride", 1)


def _pad(kw):
    p = kw.get("padding", 0)
    return p if isinstance(p, tuple) else (p, p)


def _is(i, k, **kw):
    return isinstance(i, int) and isinstance(k, int)


F = "cnnspec.formulas"
COUT, TOUT = formulas.conv_out_size, formulas.conv_transpose_out_size


def conv_out_off(cond):
    return patch("formulas.conv_out_size off by one " + cond.__doc__, (F, "conv_out_size", when(COUT, cond)))


def tconv_out_off(cond):
    return patch("formulas.conv_transpose_out_size off by one " + cond.__doc__,
                 (F, "conv_transpose_out_size", when(TOUT, cond)))


_RECEPTIVE_FIELDS = formulas.receptive_fields


def _rf_off(field: str):
    def receptive_fields(layers):
        out = _RECEPTIVE_FIELDS(layers)
        return [formulas.RF(**{**{"size": r.size, "jump": r.jump, "start": r.start},
                               field: getattr(r, field) + 1}) for r in out]
    return patch(f"formulas.receptive_fields: {field} off by one",
                 (F, "receptive_fields", receptive_fields))


def _batch_size_leaks(fn):  # per-batch state: the batch size enters every output
    def f(*a, **kw):
        y = fn(*a, **kw)
        return y + (a[0].shape[0] - 1)
    return f


# ------------------------------------------------------------------ the table

TARGET_MUTANTS: dict[str, Mutant] = {
    "config.int": every_op("refuses numpy integers", _strict_python_ints),
    "config.rank": every_op("refuses 3-D inputs", _no_3d),
    "config.nonempty": every_op("squeezes size-1 axes",
                                lambda fn: lambda *a, **kw: np.squeeze(fn(*a, **kw))),
    "config.dtype": every_op("returns integers",
                             lambda fn: lambda *a, **kw: np.rint(fn(*a, **kw)).astype(np.int64)),
    "config.kernel": every_op("refuses kernel 1", _refuse_kernel_1),
    "config.stride": every_op("stride-1 fast path drops padding", _drop_padding_if("stride", 1)),
    "config.dilation": every_op("dilation-1 fast path drops padding", _drop_padding_if("dilation", 1)),
    "config.padding": every_op("symmetric padding only", lambda fn: lambda *a, **kw: fn(
        *a, **{**kw, "padding": tuple((pa, pa) for _, pa in kw["padding"])})),
    "conv.def": mutant("conv + 1", conv=lambda *a, **kw: R.conv(*a, **kw) + 1),
    "conv.convolve": mutant("conv flips the kernel", conv=_conv_flipped),
    "conv.out-size": mutant("empty output when the kernel does not fit", conv=_conv_empty_when_too_small),
    "conv.kernel-fits": mutant("refuses a kernel that exactly fits", conv=_conv_refuses_exact_fit),
    "conv.padding": mutant("swaps before/after padding", conv=_swap_padding(R.conv)),
    "conv.stride": mutant("strided windows start at offset 1", conv=_conv_stride_phase),
    "conv.dilation": mutant("dilation[0] on every axis", conv=_conv_first_axis_dilation),
    "conv.channels": mutant("input channels reversed",
                            conv=lambda x, w, b, **kw: R.conv(x, w[:, ::-1].copy(), b, **kw)),
    "conv.groups": mutant("groups read the next group's channels", conv=_conv_rotated_groups),
    "conv.depthwise": mutant("depthwise output o reads channel o % C", conv=_conv_depthwise_modulo),
    "conv.pointwise": mutant("1x1 fast path forgets the padding", conv=_conv_pointwise_ignores_padding),
    "conv.bias": mutant("bias reversed",
                        conv=lambda x, w, b, **kw: R.conv(x, w, None if b is None else b[::-1].copy(), **kw)),
    "conv.linear-input": mutant("ReLU inside", conv=lambda *a, **kw: np.maximum(R.conv(*a, **kw), 0.0)),
    "conv.linear-weight": mutant("weights clipped to [-8, 7]",
                                 conv=lambda x, w, b, **kw: R.conv(x, np.clip(w, -8, 7), b, **kw)),
    "conv.toeplitz": mutant("output 0 uses 2w", conv=_conv_first_output_unshared),
    "conv.locality": mutant("circular padding instead of zeros", conv=_conv_circular),
    "conv.equivariance-circular": mutant("adds the output position", conv=_conv_positional),
    "conv.equivariance-interior": mutant("adds the output position", conv=_conv_positional),
    "conv.equivariance-stride": mutant("adds the output position", conv=_conv_positional),
    "conv.composition": mutant("drops kernel taps past the 3rd", conv=_conv_drops_taps_past_3),
    "conv.activation-max": mutant("conv flips the kernel", conv=_conv_flipped),
    "conv-transpose.def": mutant("conv_transpose flips the kernel", conv_transpose=_convt_flipped),
    "conv-transpose.out-size": mutant("output_padding ignored", conv_transpose=_convt_no_output_padding),
    "conv-transpose.output-padding": mutant("output_padding added in front",
                                            conv_transpose=_convt_output_padding_in_front),
    "conv-transpose.channels": mutant("C_out = w.shape[1], not groups * w.shape[1]",
                                      conv_transpose=_convt_c_out_ignores_groups),
    "conv-transpose.groups": mutant("C_out = w.shape[1], not groups * w.shape[1]",
                                    conv_transpose=_convt_c_out_ignores_groups),
    "conv-transpose.bias": mutant("bias only on channel 0", conv_transpose=_convt_bias_on_channel_0),
    "conv-transpose.adjoint": mutant("conv_transpose flips the kernel", conv_transpose=_convt_flipped),
    "conv-transpose.zero-stuffed": mutant("conv_transpose flips the kernel", conv_transpose=_convt_flipped),
    "pool.out-size": mutant("floor mode computed as ceil", max_pool=_pool_ceil_as(True)(R.max_pool),
                            avg_pool=_pool_ceil_as(True)(R.avg_pool)),
    "pool.ceil-mode": mutant("ceil_mode ignored", max_pool=_pool_ceil_as(False)(R.max_pool),
                             avg_pool=_pool_ceil_as(False)(R.avg_pool)),
    "pool.kernel-fits": mutant("refuses a kernel that exactly fits", max_pool=_pool_refuses_beyond_torch(R.max_pool),
                               avg_pool=_pool_refuses_beyond_torch(R.avg_pool)),
    "pool.window-has-input": mutant("accepts windows of padding only", max_pool=_pool_accepts_empty_windows(R.max_pool),
                                    avg_pool=_pool_accepts_empty_windows(R.avg_pool)),
    "pool.max-def": mutant("max_pool + 1", max_pool=lambda x, **kw: R.max_pool(x, **kw) + 1),
    "pool.max-nan": mutant("max_pool skips NaN", max_pool=_max_pool_skips_nan),
    "pool.avg-def": mutant("avg_pool * 1.001", avg_pool=lambda x, **kw: R.avg_pool(x, **kw) * 1.001),
    "pool.avg-divisor": mutant("padding never counted", avg_pool=_avg_pool_padding_never_counted),
    "pool.channelwise": mutant("channel 0 mixes in the last channel", max_pool=_pool_mixes_channels(R.max_pool),
                               avg_pool=_pool_mixes_channels(R.avg_pool)),
    "pool.global": mutant("kernel capped at 4", max_pool=_pool_kernel_capped_at_4(R.max_pool),
                          avg_pool=_pool_kernel_capped_at_4(R.avg_pool)),
    "pool.max-monotone": mutant("max_pool off by one where |y| > 8", max_pool=_max_pool_large_values_off),
    "pool.avg-as-conv": mutant("padding never counted", avg_pool=_avg_pool_padding_never_counted),
    "pool.no-params": mutant("pooling remembers the last call", max_pool=_pool_remembers(R.max_pool),
                             avg_pool=_pool_remembers(R.avg_pool)),
    "pad.valid": every_op("padding 0 means 1", _zero_padding_means_one),
    "pad.same": every_op("swaps before/after padding", _swap_padding),
    "pad.full": mutant("conv padding capped at k - 1", conv=_conv_padding_capped),
    "pad.causal": mutant("conv swaps before/after padding", conv=_swap_padding(R.conv)),
    "conv-transpose.overlap": mutant("conv_transpose drops the last kernel tap",
                                     conv_transpose=_convt_drops_last_tap),
    "conv-transpose.output-size": mutant("output_padding ignored",
                                         conv_transpose=_convt_no_output_padding),
    "net.batch-independence": every_op("a batch of N adds N - 1 to every output", _batch_size_leaks),
}


def _adaptive_window_one_short(i, o, j):  # the last cell of every longer window dropped
    lo, hi = _ADAPTIVE(i, o, j)
    return lo, max(lo + 1, hi - 1)


def _pb(kw):
    return _pad(kw)[0]


def _walker_skips_unknown_layers():
    from cnnspec import _network, layers

    orig = _network.Walker.layer

    def layer(self, layer, st, index, depth):
        if type(layer).__module__ != layers.__name__:
            return st  # silently ignored instead of refused
        return orig(self, layer, st, index, depth)
    return layer


def _union_one_too_wide(a, b):
    u = _UNION(a, b)
    return formulas.RF(u.size + 1, u.jump, u.start)


_UNION = formulas.receptive_field_union
CC, N = "cnnspec.rules.conv_checks", "cnnspec._network"
CP = "cnnspec.rules.conv_property_checks"


def _channels_last_h_w_swapped(x):  # NCHW -> NWHC: the first two spatial axes swapped
    y = np.moveaxis(np.asarray(x), 1, -1)  # (N, *S, C)
    return np.swapaxes(y, 1, 2) if y.ndim >= 4 else y


SPEC_PATCHES: dict[str, Patch] = {
    "conv.commutes": patch("ref.convolve does not flip (is cross-correlation)",
                           (CC, "ref", types.SimpleNamespace(conv=ref.conv, convolve=ref.conv))),
    "config.grad-shape": mutant("conv_backward fits dy to y's shape instead of refusing",
                                conv_backward=_backward_fits_dy),
    "conv.grad-bias": mutant("db doubled", conv_backward=_grads_changed(R.conv_backward, db=2)),
    "conv-transpose.grad-input": mutant("dx doubled", conv_transpose_backward=_grads_changed(
        R.conv_transpose_backward, dx=2)),
    "conv-transpose.grad-weight": mutant("dw doubled", conv_transpose_backward=_grads_changed(
        R.conv_transpose_backward, dw=2)),
    "conv-transpose.grad-bias": mutant("db doubled", conv_transpose_backward=_grads_changed(
        R.conv_transpose_backward, db=2)),
    "pool.max-grad": mutant("every cell of a window gets the window's dy",
                            max_pool_backward=_max_grad_to_every_cell),
    "pool.avg-grad": mutant("dx halved", avg_pool_backward=lambda x, dy, **kw:
                            R.avg_pool_backward(x, dy, **kw) * 0.5),
    "conv.grad-input": patch("dL/dx computed with the kernel flipped", (CP, "conv_grad_input", _grad_input_flipped)),
    "conv.grad-weight": patch("dL/dw with stride and dilation swapped",
                              (CP, "conv_grad_weight", _grad_weight_stride_for_dilation)),
    "pad.modes": patch("reflect padding as numpy 'symmetric'", ("cnnspec.ref.pad", "PAD_MODES[reflect]", "symmetric")),
    "pad.reflect-size": patch("ref.pad refuses padding i - 1 in reflect mode",
                              ("cnnspec.ref", "pad", _limit_pad("reflect", lambda n: n - 1))),
    "pad.circular-size": patch("ref.pad refuses padding i in circular mode",
                               ("cnnspec.ref", "pad", _limit_pad("circular", lambda n: n))),
    "arith.unit-stride-no-padding": patch("conv_out_size off by one for s = 1, p = 0", (F, "conv_out_size", when(
        COUT, lambda i, k, **kw: _stride(kw) == 1 and _pad(kw) == (0, 0) and kw.get("dilation", 1) == 1))),
    "arith.unit-stride-padding": patch("conv_out_size off by one for s = 1, p > 0", (F, "conv_out_size", when(
        COUT, lambda i, k, **kw: _stride(kw) == 1 and _pb(kw) > 0))),
    "arith.half-padding": patch("conv_out_size off by one for odd k, p = (k - 1)/2", (F, "conv_out_size", when(
        COUT, lambda i, k, **kw: k % 2 == 1 and k > 1 and _pad(kw) == (k // 2, k // 2)))),
    "arith.full-padding": patch("conv_out_size off by one for p = k - 1", (F, "conv_out_size", when(
        COUT, lambda i, k, **kw: k > 1 and _pad(kw) == (k - 1, k - 1)))),
    "arith.strided-no-padding": patch("conv_out_size off by one for s > 1, p = 0", (F, "conv_out_size", when(
        COUT, lambda i, k, **kw: _stride(kw) > 1 and _pad(kw) == (0, 0)))),
    "arith.strided-padding": patch("conv_out_size off by one for s > 1, p > 0", (F, "conv_out_size", when(
        COUT, lambda i, k, **kw: _stride(kw) > 1 and _pb(kw) > 0))),
    "arith.pooling": patch("pool_out_size off by one", (F, "pool_out_size", when(formulas.pool_out_size))),
    "arith.transposed-unit-stride-no-padding": patch("conv_transpose_out_size off by one for s = 1, p = 0", (
        F, "conv_transpose_out_size", when(TOUT, lambda i, k, **kw: _stride(kw) == 1 and _pad(kw) == (0, 0)))),
    "arith.transposed-unit-stride-padding": patch("conv_transpose_out_size off by one for s = 1, p > 0", (
        F, "conv_transpose_out_size", when(TOUT, lambda i, k, **kw: _stride(kw) == 1 and _pb(kw) > 0))),
    "arith.transposed-half-padding": patch("conv_transpose_out_size off by one for odd k, p = (k - 1)/2", (
        F, "conv_transpose_out_size",
        when(TOUT, lambda i, k, **kw: k % 2 == 1 and k > 1 and _pad(kw) == (k // 2, k // 2)))),
    "arith.transposed-full-padding": patch("conv_transpose_out_size off by one for p = k - 1", (
        F, "conv_transpose_out_size", when(TOUT, lambda i, k, **kw: k > 1 and _pad(kw) == (k - 1, k - 1)))),
    "arith.transposed-strided-no-padding": patch("conv_transpose_out_size off by one for s > 1, p = 0", (
        F, "conv_transpose_out_size", when(TOUT, lambda i, k, **kw: _stride(kw) > 1 and _pad(kw) == (0, 0)))),
    "arith.transposed-strided-padding": patch("conv_transpose_out_size off by one for s > 1, p > 0", (
        F, "conv_transpose_out_size", when(TOUT, lambda i, k, **kw: _stride(kw) > 1 and _pb(kw) > 0))),
    "arith.transposed-strided-remainder": patch("conv_transpose_out_size ignores output_padding", (
        F, "conv_transpose_out_size",
        when(TOUT, lambda i, k, **kw: kw.get("output_padding", 0) > 0, delta=-1))),
    "arith.dilated": patch("effective_kernel = k*d", (F, "effective_kernel",
                                                      lambda k, dilation=1: k * dilation)),
    "params.conv": patch("conv_params + 1", (F, "conv_params", when(formulas.conv_params))),
    "params.conv-transpose": patch("conv_transpose_params + 1",
                                   (F, "conv_transpose_params", when(formulas.conv_transpose_params))),
    "params.dense": patch("dense_params + 1", (F, "dense_params", when(formulas.dense_params))),
    "params.mlp-vs-conv": patch("dense_params counts n_in, not n_in * n_out",
                                (F, "dense_params", lambda n_in, n_out, bias=True: n_in + (n_out if bias else 0))),
    "params.separable": patch("depthwise_separable_params + 1", (F, "depthwise_separable_params",
                                                                 when(formulas.depthwise_separable_params))),
    "params.pool": patch("pool_params = 1", (F, "pool_params", lambda: 1)),
    "params.batch-norm": patch("batch_norm_params + 1", (F, "batch_norm_params", when(formulas.batch_norm_params))),
    "macs.conv": patch("conv_macs + 1", (F, "conv_macs", when(formulas.conv_macs))),
    "macs.conv-transpose": patch("conv_transpose_macs + 1",
                                 (F, "conv_transpose_macs", when(formulas.conv_transpose_macs))),
    "macs.dense": patch("dense_macs + 1", (F, "dense_macs", when(formulas.dense_macs))),
    "macs.flops": patch("conv_flops + 1", (F, "conv_flops", when(formulas.conv_flops))),
    "rf.size": _rf_off("size"),
    "rf.jump": _rf_off("jump"),
    "rf.start": _rf_off("start"),
    "tolerance.exact-integers": patch("float32 ref.conv one ulp off",
                                      ("cnnspec.rules.tolerance_checks", "ref", _tolerance_ref())),
    "tolerance.k-aware": patch("conv_bound = 0", ("cnnspec.tolerance", "conv_bound", _zero_bound)),
    "tolerance.max-exact": patch("float32 ref.max_pool one ulp off",
                                 ("cnnspec.rules.tolerance_checks", "ref", _tolerance_ref())),
    "net.channels": patch("num_features never compared", (N, "_same", lambda *a, **k: None)),
    "net.flatten": patch("flatten_size + 1", (F, "flatten_size", when(formulas.flatten_size))),
    "net.residual-shape": patch("branch shapes never compared", (N, "_same_shape", lambda a, b: ())),
    "net.layer": patch("unknown layers silently skipped", (N, "Walker.layer", _walker_skips_unknown_layers())),
    "net.adaptive-pool": patch("adaptive windows one cell too long", (
        F, "adaptive_pool_window", lambda i, o, j: (lambda lo, hi: (lo, hi + 1))(*_ADAPTIVE(i, o, j)))),
    "net.rf-union": patch("union one cell too wide", (F, "receptive_field_union", _union_one_too_wide)),
    "net.remainder": patch("floor_dropped + 1", (F, "floor_dropped", when(formulas.floor_dropped))),
    "net.adaptive-pool-values": patch("ref.adaptive_* windows one cell short", (
        "cnnspec.ref.adaptive", "adaptive_pool_window", _adaptive_window_one_short)),
    "pool.avg-dilation": patch("avg_pool_dilated_count + 1", (
        F, "avg_pool_dilated_count", when(formulas.avg_pool_dilated_count))),
    "net.layouts": patch("to_channels_last swaps H and W", (
        "cnnspec.layouts", "to_channels_last", _channels_last_h_w_swapped)),
    "pool.max-indices": patch("ties: the last maximum's index, not the first", (
        "cnnspec.ref.pool_indices", "_replaces",
        lambda value, best, best_index, on_input: on_input & ((value >= best) | (best_index < 0)))),
}
_ADAPTIVE = formulas.adaptive_pool_window
