"""Hypothesis strategies for cnnspec: layer configurations and their data.

Named as plural nouns, array-api-tests style::

    @given(cfg=conv_configs(max_rank=2))
    def test_something(cfg):
        y = ref.conv(cfg.x, cfg.w, cfg.b, **cfg.kwargs)

Valid strategies (``conv_configs``, ``conv_transpose_configs``, ``pool_configs``) build
every configuration valid by construction, drawing each per-axis parameter inside the
bounds left by the previous ones, so nothing is filtered except the rare pooling window
that dilation makes skip the whole input.  ``boundary_*_configs`` draw configurations on
both sides of one validity boundary per draw (the kernel against the padded input, groups
against the channels, output_padding against max(stride, dilation), ...): the last valid
value, the first invalid one and their neighbours, everything else valid.

Data: a config draws a ``seed`` and builds its arrays with NumPy (drawing arrays element by
element with ``hypothesis.extra.numpy`` doubles the cost of an example; see
notes/performance.md).  Shrinking still works on the shapes and parameters, and the seed
shrinks to 0.  ``integer_valued=True`` (the default) gives small integers stored as float64,
on which every correct implementation is exact; ``False`` gives standard normal values.

A config's ``repr`` is a paste-able repro (``ConvConfig.build(...)`` rebuilds the same
arrays); its ``str`` / ``call()`` is the call as assertion messages show it
(``conv(x: (1, 2, 5), w: (3, 2, 2), b: (3,), stride=(1,), ...)``), so ``call=cfg`` works.

Strategy arguments are checked when the strategy is made: a strategy that could not
generate anything raises ``hypothesis.errors.InvalidArgument`` instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
from hypothesis import assume
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from . import formulas
from .asserts import format_call

__all__ = [
    "ConvConfig", "ConvTransposeConfig", "PoolConfig", "make_array", "conv_configs",
    "conv_transpose_configs", "pool_configs", "boundary_conv_configs",
    "boundary_conv_transpose_configs", "boundary_pool_configs", "CONV_EDGES",
    "CONV_TRANSPOSE_EDGES", "SEEDS", "INT_LOW", "INT_HIGH",
]

#: Integer-valued data is drawn from [INT_LOW, INT_HIGH]: zeros, signs and small sums.
INT_LOW, INT_HIGH = -4, 4
SEEDS = st.integers(0, 2**32 - 1)


def make_array(rng: np.random.Generator, shape: tuple[int, ...], integer_valued: bool,
               nans: int = 0) -> np.ndarray:
    """float64 array of ``shape``: small integers or standard normal values, then ``nans``
    entries (at rng-chosen flat positions, possibly repeated) set to NaN."""
    if integer_valued:
        a = rng.integers(INT_LOW, INT_HIGH + 1, size=shape).astype(np.float64)
    else:
        a = rng.standard_normal(size=shape)
    if nans:
        a.reshape(-1)[rng.integers(0, a.size, size=nans)] = np.nan
    return a


def _shape(a: np.ndarray | None) -> tuple[int, ...] | None:
    return None if a is None else tuple(a.shape)


# ---------------------------------------------------------------- configurations


class _WeightedCall:
    """What ConvConfig and ConvTransposeConfig share: arrays x, w, b made from a seed, the
    contract's keywords PARAMS (in contract order), and a paste-able ``build(...)`` repr."""

    OP: ClassVar[str]
    PARAMS: ClassVar[tuple[str, ...]]
    x: np.ndarray
    w: np.ndarray
    b: np.ndarray | None
    seed: int
    integer_valued: bool

    @classmethod
    def build(cls, *, x_shape: tuple[int, ...], w_shape: tuple[int, ...],
              b_shape: tuple[int, ...] | None, seed: int = 0, integer_valued: bool = True,
              **params: Any) -> Any:
        """The config with arrays made from ``seed`` (x, then w, then b; no b for None)."""
        rng = np.random.default_rng(seed)
        x = make_array(rng, tuple(x_shape), integer_valued)
        w = make_array(rng, tuple(w_shape), integer_valued)
        b = None if b_shape is None else make_array(rng, tuple(b_shape), integer_valued)
        norm = {name: (int(v) if name == "groups" else
                       tuple((pb, pa) for pb, pa in v) if name == "padding" else tuple(v))
                for name, v in params.items()}
        return cls(x, w, b, **norm, seed=seed, integer_valued=integer_valued)  # type: ignore[call-arg]

    @property
    def rank(self) -> int:
        return self.x.ndim - 2

    @property
    def kernel(self) -> tuple[int, ...]:
        return tuple(self.w.shape[2:])

    @property
    def kwargs(self) -> dict[str, Any]:
        """The contract's keywords (stride, padding, ..., groups) as a target takes them."""
        return {name: getattr(self, name) for name in self.PARAMS}

    def call(self, op: str | None = None) -> str:
        """``conv(x: (N, C, *S), w: ..., b: ..., stride=..., ...)``, arrays by shape."""
        return format_call(op or self.OP, self.x, self.w, self.b, **self.kwargs)

    def __str__(self) -> str:
        return self.call()

    def _repr_pretty_(self, p: Any, cycle: bool) -> None:  # Hypothesis' falsifying examples
        p.text(repr(self))

    def __repr__(self) -> str:
        params = ", ".join(f"{name}={getattr(self, name)!r}" for name in self.PARAMS)
        return (f"{type(self).__name__}.build(x_shape={_shape(self.x)}, w_shape={_shape(self.w)}, "
                f"b_shape={_shape(self.b)}, {params}, seed={self.seed}, "
                f"integer_valued={self.integer_valued})")


@dataclass(frozen=True, eq=False, repr=False)
class ConvConfig(_WeightedCall):
    """One conv call: arrays and parameters in the target contract form of DESIGN.md."""

    OP = "conv"
    PARAMS = ("stride", "padding", "dilation", "groups")
    x: np.ndarray
    w: np.ndarray
    b: np.ndarray | None
    stride: tuple[int, ...]
    padding: tuple[tuple[int, int], ...]
    dilation: tuple[int, ...]
    groups: int
    seed: int = 0
    integer_valued: bool = True


@dataclass(frozen=True, eq=False, repr=False)
class ConvTransposeConfig(_WeightedCall):
    """One conv_transpose call; w is (C_in, C_out/groups, *K)."""

    OP = "conv_transpose"
    PARAMS = ("stride", "padding", "output_padding", "dilation", "groups")
    x: np.ndarray
    w: np.ndarray
    b: np.ndarray | None
    stride: tuple[int, ...]
    padding: tuple[tuple[int, int], ...]
    output_padding: tuple[int, ...]
    dilation: tuple[int, ...]
    groups: int
    seed: int = 0
    integer_valued: bool = True


@dataclass(frozen=True, eq=False)
class PoolConfig:
    """One max_pool (``kind="max"``) or avg_pool (``kind="avg"``) call.

    ``kwargs`` holds exactly the contract's keywords for that kind: dilation for max only,
    count_include_pad for avg only (the other field is then 1 / True and unused).
    """

    kind: str
    x: np.ndarray
    kernel: tuple[int, ...]
    stride: tuple[int, ...]
    padding: tuple[tuple[int, int], ...]
    dilation: tuple[int, ...]
    ceil_mode: bool
    count_include_pad: bool = True
    seed: int = 0
    integer_valued: bool = True
    nans: int = 0

    @classmethod
    def build(cls, *, kind: str, x_shape: tuple[int, ...], kernel: tuple[int, ...],
              stride: tuple[int, ...], padding: tuple[tuple[int, int], ...],
              dilation: tuple[int, ...] | None = None, ceil_mode: bool = False,
              count_include_pad: bool = True, seed: int = 0, integer_valued: bool = True,
              nans: int = 0) -> PoolConfig:
        """The config with x made from ``seed``."""
        rng = np.random.default_rng(seed)
        x = make_array(rng, tuple(x_shape), integer_valued, nans)
        dil = (1,) * len(kernel) if dilation is None else tuple(dilation)
        return cls(kind, x, tuple(kernel), tuple(stride), tuple((pb, pa) for pb, pa in padding),
                   dil, bool(ceil_mode), bool(count_include_pad), seed, integer_valued, nans)

    @property
    def rank(self) -> int:
        return self.x.ndim - 2

    @property
    def kwargs(self) -> dict[str, Any]:
        kw: dict[str, Any] = dict(kernel=self.kernel, stride=self.stride, padding=self.padding)
        if self.kind == "max":
            kw.update(dilation=self.dilation, ceil_mode=self.ceil_mode)
        else:
            kw.update(ceil_mode=self.ceil_mode, count_include_pad=self.count_include_pad)
        return kw

    def call(self, op: str | None = None) -> str:
        return format_call(op or f"{self.kind}_pool", self.x, **self.kwargs)

    def __str__(self) -> str:
        return self.call()

    def _repr_pretty_(self, p: Any, cycle: bool) -> None:  # Hypothesis' falsifying examples
        p.text(repr(self))

    def __repr__(self) -> str:
        extra = (f"dilation={self.dilation}" if self.kind == "max"
                 else f"count_include_pad={self.count_include_pad}")
        return (f"PoolConfig.build(kind={self.kind!r}, x_shape={_shape(self.x)}, "
                f"kernel={self.kernel}, stride={self.stride}, padding={self.padding}, "
                f"{extra}, ceil_mode={self.ceil_mode}, seed={self.seed}, "
                f"integer_valued={self.integer_valued}, nans={self.nans})")


# ---------------------------------------------------------------- argument checks


def _check_bounds(**bounds: int) -> None:
    """Each ``max_*`` / ``min_*`` keyword an int >= its floor; min <= max where both exist."""
    floors = {"max_pad": 0, "max_nans": 0}
    for name, v in bounds.items():
        if isinstance(v, bool) or not isinstance(v, int):
            raise InvalidArgument(f"{name}={v!r}, but should be an int")
        low = floors.get(name, 1)
        if v < low:
            raise InvalidArgument(f"Cannot have {name}={v} < {low}")
    if "min_rank" in bounds:
        lo, hi = bounds["min_rank"], bounds["max_rank"]
        if hi > 3:
            raise InvalidArgument(f"max_rank={hi}, but spatial rank should be 1, 2 or 3")
        if hi < lo:
            raise InvalidArgument(f"Cannot have max_rank={hi} < min_rank={lo}")


def _side_cap(rank: int, max_side: int, max_volume: int) -> int:
    """Largest side s <= max_side with s**rank <= max_volume (at least 1)."""
    s = max_side
    while s > 1 and s**rank > max_volume:
        s -= 1
    return s


def _channels(draw: Any, max_channels: int, *, depthwise_ok: bool = True) -> tuple[int, int, int]:
    """(groups, C_in/groups, C_out/groups) with C_in, C_out <= max_channels.

    Half the draws are depthwise-like (one input channel per group, so groups = C_in).
    """
    depthwise = draw(st.booleans()) if depthwise_ok else False
    g = draw(st.integers(1, max_channels))
    cg = 1 if depthwise else draw(st.integers(1, max_channels // g))
    og = draw(st.integers(1, max_channels // g))
    return g, cg, og


# ---------------------------------------------------------------- valid configurations


def conv_configs(*, min_rank: int = 1, max_rank: int = 3, max_side: int = 8,
                 max_volume: int = 216, max_kernel: int = 4, max_stride: int = 3,
                 max_dilation: int = 3, max_pad: int = 3, max_channels: int = 6,
                 max_batch: int = 2, integer_valued: bool = True) -> st.SearchStrategy[ConvConfig]:
    """Valid conv configs: asymmetric padding, strides, dilation, groups (depthwise half the
    time), bias or None.  Per axis the input side is drawn first, then the padding, then a
    kernel and dilation whose extent d*(k-1)+1 fits the padded input [conv.kernel-fits].
    Spatial sides are <= max_side and their product <= max_volume (so rank 3 gets smaller
    sides); kernel sides <= max_kernel."""
    _check_bounds(min_rank=min_rank, max_rank=max_rank, max_side=max_side,
                  max_volume=max_volume, max_kernel=max_kernel, max_stride=max_stride,
                  max_dilation=max_dilation, max_pad=max_pad, max_channels=max_channels,
                  max_batch=max_batch)

    @st.composite
    def strategy(draw: Any) -> ConvConfig:
        rank = draw(st.integers(min_rank, max_rank))
        cap = _side_cap(rank, max_side, max_volume)
        axes = []  # one (side, kernel, stride, padding, dilation) per spatial axis
        for _ in range(rank):
            i = draw(st.integers(1, cap))
            pb, pa = draw(st.integers(0, max_pad)), draw(st.integers(0, max_pad))
            room = i + pb + pa
            k = draw(st.integers(1, min(max_kernel, room)))
            d = 1 if k == 1 else draw(st.integers(1, min(max_dilation, (room - 1) // (k - 1))))
            s = draw(st.integers(1, max_stride))
            axes.append((i, k, s, (pb, pa), d))
        sides, kernel, stride, padding, dilation = zip(*axes)
        g, cg, og = _channels(draw, max_channels)
        n = draw(st.integers(1, max_batch))
        bias = draw(st.booleans())
        seed = draw(SEEDS)
        return ConvConfig.build(x_shape=(n, g * cg, *sides), w_shape=(g * og, cg, *kernel),
                                b_shape=(g * og,) if bias else None, stride=tuple(stride),
                                padding=tuple(padding), dilation=tuple(dilation), groups=g,
                                seed=seed, integer_valued=integer_valued)

    return strategy()


def conv_transpose_configs(*, min_rank: int = 1, max_rank: int = 3, max_side: int = 6,
                           max_volume: int = 64, max_kernel: int = 4, max_stride: int = 3,
                           max_dilation: int = 3, max_pad: int = 3, max_channels: int = 6,
                           max_batch: int = 2, integer_valued: bool = True
                           ) -> st.SearchStrategy[ConvTransposeConfig]:
    """Valid conv_transpose configs: output_padding < max(stride, dilation)
    [conv-transpose.output-padding] and every output side >= 1 [conv-transpose.out-size]
    (the padding is drawn last, below the uncropped output size)."""
    _check_bounds(min_rank=min_rank, max_rank=max_rank, max_side=max_side,
                  max_volume=max_volume, max_kernel=max_kernel, max_stride=max_stride,
                  max_dilation=max_dilation, max_pad=max_pad, max_channels=max_channels,
                  max_batch=max_batch)

    @st.composite
    def strategy(draw: Any) -> ConvTransposeConfig:
        rank = draw(st.integers(min_rank, max_rank))
        cap = _side_cap(rank, max_side, max_volume)
        axes = []  # one (side, kernel, stride, padding, output_padding, dilation) per axis
        for _ in range(rank):
            i = draw(st.integers(1, cap))
            k = draw(st.integers(1, max_kernel))
            s = draw(st.integers(1, max_stride))
            d = draw(st.integers(1, max_dilation))
            op = draw(st.integers(0, max(s, d) - 1))
            full = (i - 1) * s + d * (k - 1) + 1 + op  # output side before cropping
            pb = draw(st.integers(0, min(max_pad, full - 1)))
            pa = draw(st.integers(0, min(max_pad, full - 1 - pb)))
            axes.append((i, k, s, (pb, pa), op, d))
        sides, kernel, stride, padding, out_pad, dilation = zip(*axes)
        g, cg, og = _channels(draw, max_channels)
        n = draw(st.integers(1, max_batch))
        bias = draw(st.booleans())
        seed = draw(SEEDS)
        return ConvTransposeConfig.build(
            x_shape=(n, g * cg, *sides), w_shape=(g * cg, og, *kernel),
            b_shape=(g * og,) if bias else None,
            stride=tuple(stride), padding=tuple(padding), output_padding=tuple(out_pad),
            dilation=tuple(dilation), groups=g, seed=seed, integer_valued=integer_valued)

    return strategy()


def pool_configs(*, kind: str = "max", min_rank: int = 1, max_rank: int = 3,
                 max_side: int = 8, max_volume: int = 216, max_kernel: int = 4,
                 max_stride: int = 3, max_dilation: int = 3, max_pad: int = 3,
                 max_channels: int = 4, max_batch: int = 2, symmetric_padding: bool = False,
                 max_nans: int = 0, integer_valued: bool = True
                 ) -> st.SearchStrategy[PoolConfig]:
    """Valid max_pool (kind="max", with dilation) or avg_pool (kind="avg", with
    count_include_pad) configs, floor and ceil mode.

    Per axis: the input side, then a kernel and dilation whose extent e fits the input
    plus 2*max_pad, then padding in [0, e-1] on each side with i + pb + pa >= e
    [pool.kernel-fits].  Padding below e keeps the first and last windows on the input;
    the remaining all-padding windows (dilation stepping over a short input, a ceil-mode
    window) are rejected with pool_window_has_input [pool.window-has-input].
    ``symmetric_padding``: pb == pa, as framework APIs take it.  ``max_nans``: up to that
    many NaN entries in x (max pooling propagates them).
    """
    if kind not in ("max", "avg"):
        raise InvalidArgument(f"kind={kind!r}, but should be 'max' or 'avg'")
    _check_bounds(min_rank=min_rank, max_rank=max_rank, max_side=max_side,
                  max_volume=max_volume, max_kernel=max_kernel, max_stride=max_stride,
                  max_dilation=max_dilation, max_pad=max_pad, max_channels=max_channels,
                  max_batch=max_batch, max_nans=max_nans)
    max_dil = max_dilation if kind == "max" else 1

    @st.composite
    def strategy(draw: Any) -> PoolConfig:
        rank = draw(st.integers(min_rank, max_rank))
        cap = _side_cap(rank, max_side, max_volume)
        ceil_mode = draw(st.booleans())
        axes = []  # one (side, kernel, stride, padding, dilation) per spatial axis
        for _ in range(rank):
            i = draw(st.integers(1, cap))
            room = i + 2 * max_pad
            k = draw(st.integers(1, min(max_kernel, room)))
            d = 1 if k == 1 else draw(st.integers(1, min(max_dil, (room - 1) // (k - 1))))
            e = d * (k - 1) + 1
            hi = min(max_pad, e - 1)
            if symmetric_padding:
                pb = pa = draw(st.integers(max(0, -((i - e) // 2)), hi))
            else:
                pb = draw(st.integers(max(0, e - i - hi), hi))
                pa = draw(st.integers(max(0, e - i - pb), hi))
            s = draw(st.integers(1, max_stride))
            assume(formulas.pool_window_has_input(i, k, stride=s, padding=(pb, pa),
                                                  dilation=d, ceil_mode=ceil_mode) is None)
            axes.append((i, k, s, (pb, pa), d))
        sides, kernel, stride, padding, dilation = zip(*axes)
        c = draw(st.integers(1, max_channels))
        n = draw(st.integers(1, max_batch))
        count_include_pad = draw(st.booleans()) if kind == "avg" else True
        nans = draw(st.integers(0, max_nans)) if max_nans else 0
        seed = draw(SEEDS)
        return PoolConfig.build(kind=kind, x_shape=(n, c, *sides), kernel=tuple(kernel),
                                stride=tuple(stride), padding=tuple(padding),
                                dilation=tuple(dilation), ceil_mode=ceil_mode,
                                count_include_pad=count_include_pad, seed=seed,
                                integer_valued=integer_valued, nans=nans)

    return strategy()


# ---------------------------------------------------------------- boundary configurations


#: Steps across a boundary from its last valid value: 0 (the last valid value), 1 (the
#: first invalid one), -1 (one inside), 2 (further out); shrinks towards the valid side.
STEPS = st.sampled_from((0, 1, -1, 2))
#: Off a multiple or an exact match: 0 (valid), +1 or -1 (invalid).
OFF = st.sampled_from((0, 1, -1))


CONV_EDGES = ("kernel-fits", "groups", "channels", "bias")
CONV_TRANSPOSE_EDGES = ("output-padding", "out-size", "groups", "channels")


def _edges(edges: Any, known: tuple[str, ...]) -> st.SearchStrategy[str]:
    """The boundaries a boundary strategy may move: a non-empty subset of ``known``."""
    chosen = tuple(edges)
    if not chosen:
        raise InvalidArgument(f"edges={chosen!r}, but should name at least one of {known}")
    for e in chosen:
        if e not in known:
            raise InvalidArgument(f"edges contains {e!r}, but should only hold {known}")
    return st.sampled_from(chosen)


def _across(draw: Any, last_valid: int, outward: int, moved: bool, low: int) -> int:
    """On the moved boundary: last_valid + outward * step (step from STEPS).  Elsewhere a
    valid value: last_valid - outward * (0, 1 or 2).  At least ``low`` either way."""
    if moved:
        return max(low, last_valid + outward * draw(STEPS))
    return max(low, last_valid - outward * draw(st.integers(0, 2)))


def boundary_conv_configs(*, min_rank: int = 1, max_rank: int = 3, max_kernel: int = 4,
                          max_stride: int = 3, max_dilation: int = 3, max_pad: int = 2,
                          max_channels: int = 6, symmetric_padding: bool = False,
                          edges: tuple[str, ...] = CONV_EDGES) -> st.SearchStrategy[ConvConfig]:
    """Conv configs on both sides of one validity boundary, not checked.  Each draw moves
    one of ``edges`` (named after the rule's slug): the padded input side of one axis near
    the dilated kernel extent [conv.kernel-fits]; C_in or C_out near a multiple of groups
    [conv.groups]; w.shape[1] near C_in/groups [conv.channels]; the bias length near C_out
    [conv.bias].  Everything else stays valid, so a refusal points at the moved boundary;
    about half are invalid."""
    _check_bounds(min_rank=min_rank, max_rank=max_rank, max_kernel=max_kernel,
                  max_stride=max_stride, max_dilation=max_dilation, max_pad=max_pad,
                  max_channels=max_channels)
    edge_names = _edges(edges, CONV_EDGES)

    @st.composite
    def strategy(draw: Any) -> ConvConfig:
        rank = draw(st.integers(min_rank, max_rank))
        edge = draw(edge_names)
        axis = draw(st.integers(0, rank - 1))
        axes = []  # one (side, kernel, stride, padding, dilation) per spatial axis
        for a in range(rank):
            moved = edge == "kernel-fits" and a == axis
            k = draw(st.integers(min(2, max_kernel) if moved else 1, max_kernel))
            d = draw(st.integers(1, max_dilation))
            e = d * (k - 1) + 1
            # on the moved axis the padding leaves the last valid input side >= 2, so the
            # first invalid one (a side one smaller than the kernel needs) is >= 1
            top = min(max_pad, max(0, (e - 2) // 2)) if moved else max_pad
            pb = draw(st.integers(0, top))
            pa = pb if symmetric_padding else draw(st.integers(0, top))
            i = _across(draw, e - pb - pa, -1, moved, low=1)
            axes.append((i, k, draw(st.integers(1, max_stride)), (pb, pa), d))
        sides, kernel, stride, padding, dilation = zip(*axes)
        g = draw(st.integers(2 if edge == "groups" else 1, 3))
        m_in = draw(st.integers(1, max(1, max_channels // g)))
        m_out = draw(st.integers(1, max(1, max_channels // g)))
        on_out = draw(st.booleans())  # which channel count the groups edge moves
        c_in = g * m_in + (draw(OFF) if edge == "groups" and not on_out else 0)
        c_out = g * m_out + (draw(OFF) if edge == "groups" and on_out else 0)
        cw = max(1, c_in // g + (draw(OFF) if edge == "channels" else 0))
        n_bias = max(1, c_out + (draw(OFF) if edge == "bias" else 0))
        bias = edge == "bias" or draw(st.booleans())
        return ConvConfig.build(x_shape=(1, c_in, *sides), w_shape=(c_out, cw, *kernel),
                                b_shape=(n_bias,) if bias else None, stride=tuple(stride),
                                padding=tuple(padding), dilation=tuple(dilation), groups=g,
                                seed=draw(SEEDS))

    return strategy()


def boundary_conv_transpose_configs(*, min_rank: int = 1, max_rank: int = 3,
                                    max_kernel: int = 3, max_stride: int = 3,
                                    max_dilation: int = 3, max_channels: int = 6,
                                    edges: tuple[str, ...] = CONV_TRANSPOSE_EDGES
                                    ) -> st.SearchStrategy[ConvTransposeConfig]:
    """conv_transpose configs on both sides of one validity boundary, not checked,
    symmetric padding (the form framework APIs take).  Each draw moves one of ``edges``: the
    output_padding of one axis near max(stride, dilation) [conv-transpose.output-padding];
    the padding of one axis near the largest that leaves an output side of 1
    [conv-transpose.out-size]; C_in near a multiple of groups [conv-transpose.groups];
    w.shape[0] near C_in [conv-transpose.channels]."""
    _check_bounds(min_rank=min_rank, max_rank=max_rank, max_kernel=max_kernel,
                  max_stride=max_stride, max_dilation=max_dilation, max_channels=max_channels)
    edge_names = _edges(edges, CONV_TRANSPOSE_EDGES)

    @st.composite
    def strategy(draw: Any) -> ConvTransposeConfig:
        rank = draw(st.integers(min_rank, max_rank))
        edge = draw(edge_names)
        axis = draw(st.integers(0, rank - 1))
        axes = []  # one (side, kernel, stride, padding, output_padding, dilation) per axis
        for a in range(rank):
            i = draw(st.integers(1, 4))
            k = draw(st.integers(1, max_kernel))
            s = draw(st.integers(1, max_stride))
            d = draw(st.integers(1, max_dilation))
            if edge == "output-padding" and a == axis:
                op = _across(draw, max(s, d) - 1, 1, True, low=0)
            else:
                op = draw(st.integers(0, max(s, d) - 1))
            full = (i - 1) * s + d * (k - 1) + 1 + op  # output side before cropping
            if edge == "out-size" and a == axis:  # the last valid p leaves full - 2p >= 1
                p = _across(draw, (full - 1) // 2, 1, True, low=0)
            else:
                p = draw(st.integers(0, (full - 1) // 2))
            axes.append((i, k, s, (p, p), op, d))
        sides, kernel, stride, padding, out_pad, dilation = zip(*axes)
        g = draw(st.integers(2 if edge == "groups" else 1, 3))
        m_in = draw(st.integers(1, max(1, max_channels // g)))
        c_in = g * m_in + (draw(OFF) if edge == "groups" else 0)
        cw = max(1, c_in + (draw(OFF) if edge == "channels" else 0))
        og = draw(st.integers(1, max(1, max_channels // g)))
        bias = draw(st.booleans())
        return ConvTransposeConfig.build(
            x_shape=(1, c_in, *sides), w_shape=(cw, og, *kernel),
            b_shape=(og * g,) if bias else None, stride=tuple(stride), padding=tuple(padding),
            output_padding=tuple(out_pad), dilation=tuple(dilation), groups=g,
            seed=draw(SEEDS))

    return strategy()


def boundary_pool_configs(*, kind: str = "max", min_rank: int = 1, max_rank: int = 3,
                          max_kernel: int = 4, max_stride: int = 3, max_dilation: int = 3,
                          max_pad: int = 3, half_kernel_pad: bool = False
                          ) -> st.SearchStrategy[PoolConfig]:
    """Pooling configs on both sides of the boundaries, not checked, symmetric padding:
    on one axis the padded input near the dilated kernel extent [pool.kernel-fits]
    (other axes fit), padding up to max_pad whatever the kernel (windows made only of
    padding, [pool.window-has-input]).  ``half_kernel_pad``: padding at most kernel // 2
    as well (PyTorch's pooling limit), so that a framework with that limit takes the
    arguments."""
    if kind not in ("max", "avg"):
        raise InvalidArgument(f"kind={kind!r}, but should be 'max' or 'avg'")
    _check_bounds(min_rank=min_rank, max_rank=max_rank, max_kernel=max_kernel,
                  max_stride=max_stride, max_dilation=max_dilation, max_pad=max_pad)
    max_dil = max_dilation if kind == "max" else 1

    @st.composite
    def strategy(draw: Any) -> PoolConfig:
        rank = draw(st.integers(min_rank, max_rank))
        axis = draw(st.integers(0, rank - 1))
        ceil_mode = draw(st.booleans())
        axes = []  # one (side, kernel, stride, padding, dilation) per spatial axis
        for a in range(rank):
            k = draw(st.integers(min(2, max_kernel) if a == axis else 1, max_kernel))
            d = draw(st.integers(1, max_dil))
            e = d * (k - 1) + 1
            top = min(max_pad, k // 2) if half_kernel_pad else max_pad
            if a == axis:  # the first invalid input side (last valid - 1) is >= 1
                top = min(top, max(0, (e - 2) // 2))
            p = draw(st.integers(0, top))
            i = _across(draw, e - 2 * p, -1, a == axis, low=1)
            axes.append((i, k, draw(st.integers(1, max_stride)), (p, p), d))
        sides, kernel, stride, padding, dilation = zip(*axes)
        count_include_pad = draw(st.booleans()) if kind == "avg" else True
        seed = draw(SEEDS)
        return PoolConfig.build(kind=kind, x_shape=(1, 2, *sides), kernel=tuple(kernel),
                                stride=tuple(stride), padding=tuple(padding),
                                dilation=tuple(dilation), ceil_mode=ceil_mode,
                                count_include_pad=count_include_pad, seed=seed)

    return strategy()
