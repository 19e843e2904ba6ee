"""The engine of cnnspec.summarize: walk the layer specs, one row per layer.

Each handler reads its sizes from cnnspec.formulas and returns the new state (shape and
receptive field per axis), the counts, the cells the floor drops, the conditions on
symbolic sizes, the rules it applied and the layer's kind. Errors are re-raised with the
layer's index in front, once: ``layer 4.main.1 (Conv(64, 3)): ... [conv.kernel-fits]``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from . import formulas
from . import layers as L
from ._check import as_int, at_least, is_symbolic, pairs, per_axis, require
from ._size_conditions import _condition, _s, _same_shape, _windows_have_input
from .errors import InvalidConfig
from .formulas import RF

__all__ = ["Row", "Walker", "State", "initial_state"]


@dataclass(frozen=True)
class Row:
    """One layer of a summary (a residual block's add is a row of kind 'Add')."""

    index: str
    name: str
    kind: str
    depth: int
    input_shape: tuple
    output_shape: tuple
    params: Any
    macs: Any
    buffers: Any
    receptive_field: tuple | None
    dropped: tuple
    constraints: tuple
    rules: tuple[str, ...]


@dataclass
class State:
    """What flows between layers: the shape and unit 0's receptive field per axis."""

    shape: tuple
    rf: tuple | None
    extent: tuple = ()  # spatial sizes at Flatten (for a following Dense)
    rf_full: bool = False


def _srf(rf: RF | None) -> RF | None:
    return None if rf is None else RF(_s(rf.size), _s(rf.jump), _s(rf.start))


class Walker:
    """Walks a list of specs, appending one Row per layer (and per residual add)."""

    def __init__(self) -> None:
        self.rows: list[Row] = []

    # ------------------------------------------------------------------ helpers

    def _spatial(self, st: State, layer: Any) -> tuple:
        if len(st.shape) < 2:
            raise InvalidConfig(f"input shape={st.shape}, but should have spatial axes for "
                                f"{layer.kind}", rule="config.rank")
        return st.shape[1:]

    @staticmethod
    def _padding(pad: Any, spatial: tuple, k: tuple, s: tuple, d: tuple, *, full: bool) -> tuple:
        if isinstance(pad, str):
            word = pad.lower()
            if word in formulas.PADDING_WORDS and (full or word != "full"):
                return tuple(tuple(_s(p) for p in pair)
                             for pair in formulas.named_padding(word, spatial, k, s, d))
            words = "'same', 'same_lower', 'valid'" + (", 'full'" if full else "")
            raise InvalidConfig(f"padding={pad!r}, but should be an int, a tuple or one of "
                                f"{words}", rule="config.padding")
        return pairs("padding", pad, len(spatial))

    @staticmethod
    def _fits(spatial: tuple, pad: tuple, k: tuple, d: tuple, rule: str) -> tuple:
        """Symbolic axes: the condition that the dilated kernel fits, solved for the symbol."""
        out = []
        for a, (i, (pb, pa), ki, di) in enumerate(zip(spatial, pad, k, d)):
            slack = i + pb + pa - formulas.effective_kernel(ki, di)
            if is_symbolic(slack):
                out.extend(_condition(_s(slack), f"kernel fits on axis {a}", rule))
        return tuple(out)

    @staticmethod
    def _steps(st: State, k: tuple, s: tuple, pad: tuple, d: tuple) -> tuple | None:
        if st.rf is None:
            return None
        return tuple(None if rf is None else
                     _srf(formulas.receptive_field_step(rf, ki, stride=si, padding=p[0],
                                                        dilation=di))
                     for rf, ki, si, p, di in zip(st.rf, k, s, pad, d))

    @staticmethod
    def _whole_map(st: State, sizes: tuple) -> tuple | None:
        """The receptive field of a unit that sees every position (Dense, global pooling):
        a window over the whole map (the jump, of no use for one unit, is kept)."""
        if st.rf is None or st.rf_full:
            return st.rf
        return tuple(None if rf is None else
                     _srf(formulas.receptive_field_step(rf, n))
                     for rf, n in zip(st.rf, sizes))

    # ------------------------------------------------------------------ layers

    def conv(self, layer: L.Conv, st: State) -> tuple:
        spatial, c = self._spatial(st, layer), st.shape[0]
        r = len(spatial)
        if layer.in_channels is not None:
            _same(c, as_int("in_channels", layer.in_channels), "in_channels", "conv.channels")
        k = per_axis("kernel_size", layer.kernel_size, r)
        s = per_axis("stride", layer.stride, r)
        d = per_axis("dilation", layer.dilation, r)
        pad = self._padding(layer.padding, spatial, k, s, d, full=True)
        out = tuple(_s(o) for o in formulas.conv_out_shape(spatial, k, stride=s, padding=pad,
                                                           dilation=d))
        params = formulas.conv_params(c, layer.out_channels, k, groups=layer.groups,
                                      bias=layer.bias)
        macs = formulas.conv_macs(c, layer.out_channels, k, out, groups=layer.groups)
        dropped = tuple(_s(formulas.floor_dropped(i, o, ki, stride=si, padding=p, dilation=di))
                        for i, o, ki, si, p, di in zip(spatial, out, k, s, pad, d))
        new = State((layer.out_channels, *out), self._steps(st, k, s, pad, d))
        return (new, params, macs, 0, dropped, self._fits(spatial, pad, k, d, "conv.kernel-fits"),
                ("conv.out-size", "params.conv", "macs.conv", "rf.size"), f"Conv{r}d")

    def conv_transpose(self, layer: L.ConvTranspose, st: State) -> tuple:
        spatial, c = self._spatial(st, layer), st.shape[0]
        r = len(spatial)
        if layer.in_channels is not None:
            _same(c, as_int("in_channels", layer.in_channels), "in_channels",
                  "conv-transpose.channels")
        k = per_axis("kernel_size", layer.kernel_size, r)
        s = per_axis("stride", layer.stride, r)
        d = per_axis("dilation", layer.dilation, r)
        pad = layer.padding
        if isinstance(pad, str) and pad.lower() == "valid":
            pad = 0
        elif isinstance(pad, str):
            raise InvalidConfig(f"padding={pad!r}, but should be an int, a tuple or 'valid' "
                                f"for a transposed convolution", rule="config.padding")
        out = tuple(_s(o) for o in formulas.conv_transpose_out_shape(
            spatial, k, stride=s, padding=pad, output_padding=layer.output_padding, dilation=d))
        params = formulas.conv_transpose_params(c, layer.out_channels, k, groups=layer.groups,
                                                bias=layer.bias)
        macs = formulas.conv_transpose_macs(c, layer.out_channels, k, spatial,
                                            groups=layer.groups)
        cons = []
        for a, o in enumerate(out):
            if is_symbolic(o):
                cons.extend(_condition(_s(o - 1), f"output size >= 1 on axis {a}",
                                       "conv-transpose.out-size"))
        new = State((layer.out_channels, *out), None)
        return (new, params, macs, 0, (0,) * r, tuple(cons),
                ("conv-transpose.out-size", "params.conv-transpose", "macs.conv-transpose"),
                f"ConvTranspose{r}d")

    def pool(self, layer: Any, st: State) -> tuple:
        spatial = self._spatial(st, layer)
        r = len(spatial)
        k = per_axis("kernel_size", layer.kernel_size, r)
        s = per_axis("stride", k if layer.stride is None else layer.stride, r)
        d = per_axis("dilation", getattr(layer, "dilation", 1), r)
        pad = self._padding(layer.padding, spatial, k, s, d, full=False)
        out = tuple(_s(o) for o in formulas.pool_out_shape(
            spatial, k, stride=s, padding=pad, dilation=d, ceil_mode=layer.ceil_mode))
        dropped = tuple(_s(formulas.floor_dropped(i, o, ki, stride=si, padding=p, dilation=di))
                        for i, o, ki, si, p, di in zip(spatial, out, k, s, pad, d))
        new = State((st.shape[0], *out), self._steps(st, k, s, pad, d))
        rules = ("pool.out-size", "pool.ceil-mode" if layer.ceil_mode else "params.pool",
                 "rf.size")
        return (new, formulas.pool_params(), 0, 0, dropped,
                self._fits(spatial, pad, k, d, "pool.kernel-fits")
                + _windows_have_input(spatial, pad, k, s, d, layer.ceil_mode), rules,
                f"{layer.kind}{r}d")

    def adaptive(self, layer: L.AdaptiveAvgPool, st: State) -> tuple:
        spatial = self._spatial(st, layer)
        r = len(spatial)
        size = layer.output_size
        items = tuple(size) if isinstance(size, (tuple, list)) else (size,) * r
        require(len(items) == r, f"output_size={size!r} has {len(items)} entries, but should "
                f"have one per spatial axis ({r})", rule="config.rank")
        out, rfs = [], []
        for a, (i, o) in enumerate(zip(spatial, items)):
            o = i if o is None else at_least(f"output_size[{a}]", o, 1, rule="config.nonempty")
            out.append(o)
            rfs.append(self._adaptive_rf(st, a, i, o))
        new = State((st.shape[0], *out), None if st.rf is None else tuple(rfs))
        return (new, formulas.pool_params(), 0, 0, (0,) * r, (),
                ("net.adaptive-pool", "params.pool"), f"{layer.kind}{r}d")

    @staticmethod
    def _adaptive_rf(st: State, a: int, i: Any, o: Any) -> RF | None:
        """Uniform windows only: kernel = stride = window 0's size; else None."""
        if st.rf is None or st.rf[a] is None:
            return None
        start0, end0 = formulas.adaptive_pool_window(i, o, 0)
        size = _s(end0 - start0)
        if is_symbolic(i) or is_symbolic(o):
            if o != 1:
                return None
        else:
            windows = [formulas.adaptive_pool_window(i, o, j) for j in range(o)]
            if any(e - b != size or b != j * size for j, (b, e) in enumerate(windows)):
                return None
        stride = 1 if o == 1 else size  # one window: keep the jump, as _whole_map
        return _srf(formulas.receptive_field_step(st.rf[a], size, stride=stride))

    def global_pool(self, layer: L.GlobalAvgPool, st: State) -> tuple:
        spatial = self._spatial(st, layer)
        r = len(spatial)
        shape = (st.shape[0], *(1,) * r) if layer.keepdims else (st.shape[0],)
        sizes = tuple(_s(e - b) for b, e in (formulas.adaptive_pool_window(i, 1, 0)
                                             for i in spatial))
        new = State(shape, self._whole_map(st, sizes), rf_full=True)
        return (new, formulas.pool_params(), 0, 0, (0,) * r, (), ("pool.global", "params.pool"),
                f"{layer.kind}{r}d")

    def batch_norm(self, layer: L.BatchNorm, st: State) -> tuple:
        c = st.shape[0]
        if layer.num_features is not None:
            _same(c, as_int("num_features", layer.num_features), "num_features", "net.channels")
        new = replace(st)
        r = max(len(st.shape) - 1, 1)
        return (new, formulas.batch_norm_params(c, affine=layer.affine),
                0, formulas.batch_norm_buffers(c), (), (), ("params.batch-norm",),
                f"BatchNorm{r}d")

    def flatten(self, layer: L.Flatten, st: State) -> tuple:
        if len(st.shape) == 1:
            return replace(st), 0, 0, 0, (), (), ("net.flatten",), "Flatten"
        n = _s(formulas.flatten_size(st.shape[0], st.shape[1:]))
        new = State((n,), st.rf, extent=st.shape[1:], rf_full=st.rf_full)
        return new, 0, 0, 0, (), (), ("net.flatten",), "Flatten"

    def dense(self, layer: L.Dense, st: State) -> tuple:
        if len(st.shape) != 1:
            raise InvalidConfig(f"input shape={st.shape}, but should be flat (n,): put Flatten() "
                                f"or GlobalAvgPool() before {layer.kind}", rule="net.flatten")
        n = st.shape[0]
        if layer.in_features is not None:
            _same(n, as_int("in_features", layer.in_features), "in_features", "net.channels")
        params = formulas.dense_params(n, layer.out_features, bias=layer.bias)
        macs = formulas.dense_macs(n, layer.out_features)
        new = State((layer.out_features,), self._whole_map(st, st.extent) if st.extent
                     else st.rf, extent=st.extent, rf_full=True)
        return new, params, macs, 0, (), (), ("params.dense", "macs.dense"), layer.kind

    # ------------------------------------------------------------------ walking

    def walk(self, model: Sequence, st: State, prefix: str, depth: int) -> State:
        for j, layer in enumerate(model):
            index = f"{prefix}{j}"
            if isinstance(layer, (list, tuple)):
                st = self.walk(layer, st, f"{index}.", depth + 1)
                continue
            try:
                st = self.layer(layer, st, index, depth)
            except InvalidConfig as exc:
                raise _located(exc, index, layer) from exc
        return st

    def layer(self, layer: Any, st: State, index: str, depth: int) -> State:
        if isinstance(layer, L.Residual):
            return self.residual(layer, st, index, depth)
        handlers: list[tuple[type, Any]] = [(L.Conv, self.conv), (L.ConvTranspose, self.conv_transpose),
                    (L.MaxPool, self.pool), (L.AvgPool, self.pool),
                    (L.AdaptiveAvgPool, self.adaptive), (L.GlobalAvgPool, self.global_pool),
                    (L.BatchNorm, self.batch_norm), (L.Flatten, self.flatten),
                    (L.Dense, self.dense)]
        for cls, fn in handlers:
            if isinstance(layer, cls):
                new, params, macs, buffers, dropped, cons, rules, kind = fn(layer, st)
                break
        else:
            if not isinstance(layer, L.Elementwise):
                raise InvalidConfig(f"layer={layer!r} ({type(layer).__name__}), but should be a "
                                    f"layer spec from cnnspec.layers", rule="net.layer")
            new, params, macs, buffers, dropped, cons, rules, kind = (
                replace(st), 0, 0, 0, (), (), (), layer.kind)
        self.rows.append(Row(index, layer.name or repr(layer), kind, depth, st.shape, new.shape,
                             params, macs, buffers, new.rf, dropped, cons, rules))
        return new

    def residual(self, layer: L.Residual, st: State, index: str, depth: int) -> State:
        main = self.walk(layer.main, st, f"{index}.main.", depth + 1)
        short = self.walk(layer.shortcut, st, f"{index}.shortcut.", depth + 1)
        try:
            cons = _same_shape(main.shape, short.shape)
        except InvalidConfig as exc:
            raise _located(exc, index, layer) from exc
        rf = None
        if main.rf is not None and short.rf is not None:
            merged = []
            for a, b in zip(main.rf, short.rf):
                try:
                    merged.append(None if a is None or b is None
                                  else _srf(formulas.receptive_field_union(a, b)))
                except ValueError:
                    merged.append(None)
            rf = tuple(merged)
        new = State(main.shape, rf, extent=main.extent, rf_full=main.rf_full and short.rf_full)
        self.rows.append(Row(index, layer.name or "add", "Add", depth, st.shape, new.shape, 0, 0,
                             0, rf, (), cons, ("net.residual-shape", "net.rf-union")))
        return new


def _same(actual: Any, declared: Any, name: str, rule: str) -> None:
    if not (is_symbolic(actual) or is_symbolic(declared)):
        require(actual == declared, f"{name}={declared}, but should equal the input's "
                f"{'channels' if name != 'in_features' else 'features'}={actual}", rule=rule)


def _located(exc: InvalidConfig, index: str, layer: Any) -> InvalidConfig:
    """The same error, prefixed by where it happened (once)."""
    if getattr(exc, "located", False):
        return exc
    name = getattr(layer, "name", None)
    what = repr(name) if name else "Residual" if isinstance(layer, L.Residual) else repr(layer)
    out = exc.replace(message=f"layer {index} ({what}): {exc.message}")
    out.located = True  # type: ignore[attr-defined]
    out.index = index  # type: ignore[attr-defined]
    return out


def initial_state(shape: tuple) -> State:
    """The input: every axis sees itself (RF 1/1/0)."""
    return State(shape, tuple(RF(1, 1, 0) for _ in shape[1:]) if len(shape) > 1 else ())
