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

``large_*_configs`` draw from small tables of large shapes (outputs up to 129 wide, up to
131 channels, K up to 1170, batches up to 9, sizes one past and one short of 16, 32 and 64):
where tiled and vectorized kernels take their tail paths, at a bounded cost per run.

Capabilities: ``with capabilities(caps):`` (or :func:`set_capabilities`) restricts every
strategy above, at draw time, to what a target computes (``caps`` as
:func:`cnnspec.conform.capabilities.probe` finds it): only its ranks, one value repeated on
every axis where it takes no per-axis values, symmetric padding, no dilation, groups, pool
padding or ceil_mode, a bias and a batch of 1 where it refuses them.  Without capabilities
the strategies draw the whole space.

Data: a config draws a ``seed`` and builds its arrays with NumPy (drawing arrays element by
element with ``hypothesis.extra.numpy`` doubles the cost of an example; see
a measurement on a 2-core machine).  Shrinking still works on the shapes and parameters, and the seed
shrinks to 0.  ``integer_valued=True`` (the default) gives small integers stored as float64,
on which every correct implementation is exact; ``False`` gives standard normal values.

A config's ``repr`` is a paste-able repro (``ConvConfig.build(...)`` rebuilds the same
arrays); its ``str`` / ``call()`` is the call as assertion messages show it
(``conv(x: (1, 2, 5), w: (3, 2, 2), b: (3,), stride=(1,), ...)``), so ``call=cfg`` works.

Strategy arguments are checked when the strategy is made: a strategy that could not
generate anything raises ``hypothesis.errors.InvalidArgument`` instead.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
from hypothesis import assume, reject
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from . import formulas
from .asserts import format_call

__all__ = [
    "ConvConfig", "ConvTransposeConfig", "PoolConfig", "make_array", "conv_configs",
    "conv_transpose_configs", "pool_configs", "boundary_conv_configs",
    "boundary_conv_transpose_configs", "boundary_pool_configs", "CONV_EDGES",
    "CONV_TRANSPOSE_EDGES", "SEEDS", "INT_LOW", "INT_HIGH", "CAPABILITIES", "capabilities",
    "set_capabilities", "current_capabilities", "LargeShape", "large_conv_configs",
    "large_conv_transpose_configs", "large_pool_configs", "LARGE_CONV", "LARGE_CONV_TRANSPOSE",
    "LARGE_POOL",
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
    """One conv call: arrays and parameters in the form of the target contract (docs/contract.md)."""

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


# ---------------------------------------------------------------- capabilities


#: What a target can be asked, per op, as :func:`cnnspec.conform.capabilities.probe` finds
#: it: ``ranks`` (the spatial ranks it computes) and one flag per feature, False where the
#: target raises NotImplementedError for it.  A flag or op that is absent is supported.
CAPABILITIES = {
    "conv": ("ranks", "batch", "bias_none", "groups", "dilation", "padding",
             "asymmetric_padding", "kernel_per_axis", "stride_per_axis", "padding_per_axis",
             "dilation_per_axis"),
    "conv_transpose": ("ranks", "batch", "bias_none", "groups", "dilation", "padding",
                       "asymmetric_padding", "output_padding", "kernel_per_axis",
                       "stride_per_axis", "padding_per_axis", "dilation_per_axis"),
    "max_pool": ("ranks", "batch", "dilation", "padding", "asymmetric_padding", "ceil_mode",
                 "kernel_per_axis", "stride_per_axis", "padding_per_axis",
                 "dilation_per_axis"),
    "avg_pool": ("ranks", "batch", "padding", "asymmetric_padding", "ceil_mode",
                 "count_include_pad_false", "count_include_pad_true", "kernel_per_axis",
                 "stride_per_axis", "padding_per_axis"),
}
#: A backward op (contract 1.2) takes its forward op's arguments: the same flags.
CAPABILITIES.update({f"{op}_backward": flags for op, flags in list(CAPABILITIES.items())})

_CAPS: dict[str, dict[str, Any]] | None = None


def _validated(caps: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """caps as {op: {flag: value}}; InvalidArgument naming an unknown op, flag or rank."""
    out: dict[str, dict[str, Any]] = {}
    for op, flags in caps.items():
        if op not in CAPABILITIES:
            if op.startswith("_"):  # probe() notes (``_errors``): not capabilities
                continue
            raise InvalidArgument(f"capabilities contains op={op!r}, but should only hold "
                                  f"{', '.join(CAPABILITIES)}")
        if flags is None:
            continue
        for name, value in flags.items():
            if name not in CAPABILITIES[op]:
                raise InvalidArgument(f"capabilities[{op!r}] contains {name!r}, but should "
                                      f"only hold {', '.join(CAPABILITIES[op])}")
            if name == "ranks" and not all(r in (1, 2, 3) for r in value):
                raise InvalidArgument(f"capabilities[{op!r}]['ranks']={value!r}, but should "
                                      f"hold spatial ranks 1, 2 or 3")
        out[op] = dict(flags)
    return out


def set_capabilities(caps: Mapping[str, Any] | None) -> dict[str, dict[str, Any]] | None:
    """Draw only what a target supports, from now on: ``caps`` as
    :func:`cnnspec.conform.capabilities.probe` returns it (None: everything, as by default).
    Returns the previous setting.  Consulted when a config is drawn (not when a strategy
    is made) by conv_configs, conv_transpose_configs, pool_configs, the boundary_* and the
    large_* strategies: ranks only from ``ranks``; a parameter that is not per-axis drawn
    once and repeated on every axis; symmetric padding without ``asymmetric_padding``;
    dilation 1, groups 1, a bias, padding 0, output_padding 0, floor mode, batch 1 where
    the flag is False.  A strategy's own bounds still hold: where they and the capabilities
    leave nothing (``max_rank=1`` for a 2-D-only target), the draw is rejected
    (hypothesis.reject(): the check then reports that no case could be drawn)."""
    global _CAPS
    previous = _CAPS
    _CAPS = None if caps is None else _validated(caps)
    return previous


@contextmanager
def capabilities(caps: Mapping[str, Any] | None) -> Iterator[None]:
    """``with capabilities(probe(target)): ...``: set_capabilities for the block only."""
    previous = set_capabilities(caps)
    try:
        yield
    finally:
        set_capabilities(previous)


def current_capabilities() -> dict[str, dict[str, Any]] | None:
    """The capabilities drawing follows now (None: unrestricted)."""
    return _CAPS


class _Allowed:
    """The capabilities of one op at draw time: ``allowed("groups")`` -> bool."""

    def __init__(self, op: str) -> None:
        self.flags: Mapping[str, Any] = (_CAPS or {}).get(op) or {}

    def __call__(self, name: str) -> bool:
        return bool(self.flags.get(name, True))

    def ranks(self, low: int, high: int) -> list[int]:
        """The ranks in [low, high] the op supports (all of them when unrestricted)."""
        have = self.flags.get("ranks")
        return [r for r in range(low, high + 1) if have is None or r in have]

    @property
    def per_axis(self) -> bool:
        """Whether every parameter may differ between axes."""
        return all(self(f"{p}_per_axis") for p in ("kernel", "stride", "padding", "dilation"))


def _rank(draw: Any, allowed: _Allowed, low: int, high: int) -> int:
    """A rank in [low, high] the op supports; the draw is rejected when none is."""
    ranks = allowed.ranks(low, high)
    if not ranks:
        reject()
    if len(ranks) == high - low + 1:
        return draw(st.integers(low, high))
    return draw(st.sampled_from(ranks))


def _each(draw: Any, per_axis: bool, low: Any, high: Any) -> tuple[int, ...]:
    """One int per axis a in [low[a], high[a]]; not per_axis: one int in every axis' range,
    repeated on each axis."""
    if per_axis:
        return tuple(draw(st.integers(lo, hi)) for lo, hi in zip(low, high))
    lo, hi = max(low), min(high)
    if lo > hi:
        reject()
    return (draw(st.integers(lo, hi)),) * len(low)


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


def _channels(draw: Any, max_channels: int, *, depthwise_ok: bool = True,
              groups_ok: bool = True) -> tuple[int, int, int]:
    """(groups, C_in/groups, C_out/groups) with C_in, C_out <= max_channels.

    Half the draws are depthwise-like (one input channel per group, so groups = C_in);
    ``groups_ok`` False: groups 1.
    """
    depthwise = draw(st.booleans()) if depthwise_ok and groups_ok else False
    g = draw(st.integers(1, max_channels)) if groups_ok else 1
    cg = 1 if depthwise else draw(st.integers(1, max_channels // g))
    og = draw(st.integers(1, max_channels // g))
    return g, cg, og


def _paddings(draw: Any, allowed: _Allowed, low: Any, high: Any, *,
              symmetric: bool = False) -> tuple[tuple[int, int], ...]:
    """(before, after) per axis, each side in [low[a], high[a]]: symmetric where asked or
    where the op lacks asymmetric padding, (0, 0) where it lacks padding."""
    if not allowed("padding"):
        return ((0, 0),) * len(low)
    per_axis = allowed("padding_per_axis")
    before = _each(draw, per_axis, low, high)
    if symmetric or not allowed("asymmetric_padding"):
        return tuple((p, p) for p in before)
    return tuple(zip(before, _each(draw, per_axis, low, high)))


# ---------------------------------------------------------------- valid configurations


def conv_configs(*, min_rank: int = 1, max_rank: int = 3, max_side: int = 8,
                 max_volume: int = 216, max_kernel: int = 4, max_stride: int = 3,
                 max_dilation: int = 3, max_pad: int = 3, max_channels: int = 6,
                 max_batch: int = 2, integer_valued: bool = True,
                 capabilities_of: str = "conv") -> st.SearchStrategy[ConvConfig]:
    """Valid conv configs: asymmetric padding, strides, dilation, groups (depthwise half the
    time), bias or None.  Per axis the input side is drawn first, then the padding, then a
    kernel and dilation whose extent d*(k-1)+1 fits the padded input [conv.kernel-fits].
    Spatial sides are <= max_side and their product <= max_volume (so rank 3 gets smaller
    sides); kernel sides <= max_kernel.  Within the capabilities set (:func:`set_capabilities`)
    of ``capabilities_of`` (``"conv_backward"``: what the target's backward op takes)."""
    _check_bounds(min_rank=min_rank, max_rank=max_rank, max_side=max_side,
                  max_volume=max_volume, max_kernel=max_kernel, max_stride=max_stride,
                  max_dilation=max_dilation, max_pad=max_pad, max_channels=max_channels,
                  max_batch=max_batch)

    @st.composite
    def strategy(draw: Any) -> ConvConfig:
        allowed = _Allowed(capabilities_of)
        rank = _rank(draw, allowed, min_rank, max_rank)
        cap = _side_cap(rank, max_side, max_volume)
        sides = tuple(draw(st.integers(1, cap)) for _ in range(rank))
        padding = _paddings(draw, allowed, [0] * rank, [max_pad] * rank)
        rooms = [i + pb + pa for i, (pb, pa) in zip(sides, padding)]
        kernel = _each(draw, allowed("kernel_per_axis"), [1] * rank,
                       [min(max_kernel, room) for room in rooms])
        top = [1 if k == 1 or not allowed("dilation") else min(max_dilation, (room - 1) // (k - 1))
               for k, room in zip(kernel, rooms)]
        dilation = _each(draw, allowed("dilation_per_axis"), [1] * rank, top)
        stride = _each(draw, allowed("stride_per_axis"), [1] * rank, [max_stride] * rank)
        g, cg, og = _channels(draw, max_channels, groups_ok=allowed("groups"))
        n = draw(st.integers(1, max_batch if allowed("batch") else 1))
        bias = draw(st.booleans()) if allowed("bias_none") else True
        seed = draw(SEEDS)
        return ConvConfig.build(x_shape=(n, g * cg, *sides), w_shape=(g * og, cg, *kernel),
                                b_shape=(g * og,) if bias else None, stride=stride,
                                padding=padding, dilation=dilation, groups=g,
                                seed=seed, integer_valued=integer_valued)

    return strategy()


def conv_transpose_configs(*, min_rank: int = 1, max_rank: int = 3, max_side: int = 6,
                           max_volume: int = 64, max_kernel: int = 4, max_stride: int = 3,
                           max_dilation: int = 3, max_pad: int = 3, max_channels: int = 6,
                           max_batch: int = 2, integer_valued: bool = True,
                           capabilities_of: str = "conv_transpose"
                           ) -> st.SearchStrategy[ConvTransposeConfig]:
    """Valid conv_transpose configs: output_padding < max(stride, dilation)
    [conv-transpose.output-padding] and every output side >= 1 [conv-transpose.out-size]
    (the padding is drawn last, below the uncropped output size).  Within the capabilities
    set (of ``capabilities_of``); output_padding is shared between axes when the stride is."""
    _check_bounds(min_rank=min_rank, max_rank=max_rank, max_side=max_side,
                  max_volume=max_volume, max_kernel=max_kernel, max_stride=max_stride,
                  max_dilation=max_dilation, max_pad=max_pad, max_channels=max_channels,
                  max_batch=max_batch)

    @st.composite
    def strategy(draw: Any) -> ConvTransposeConfig:
        allowed = _Allowed(capabilities_of)
        rank = _rank(draw, allowed, min_rank, max_rank)
        cap = _side_cap(rank, max_side, max_volume)
        ones = [1] * rank
        sides = tuple(draw(st.integers(1, cap)) for _ in range(rank))
        kernel = _each(draw, allowed("kernel_per_axis"), ones, [max_kernel] * rank)
        stride = _each(draw, allowed("stride_per_axis"), ones, [max_stride] * rank)
        dilation = _each(draw, allowed("dilation_per_axis"), ones,
                         [max_dilation if allowed("dilation") else 1] * rank)
        out_pad = _each(draw, allowed("stride_per_axis"), [0] * rank,
                        [max(s, d) - 1 if allowed("output_padding") else 0
                         for s, d in zip(stride, dilation)])
        full = [(i - 1) * s + d * (k - 1) + 1 + op  # output side before cropping
                for i, k, s, d, op in zip(sides, kernel, stride, dilation, out_pad)]
        if not allowed("padding"):
            padding: tuple[tuple[int, int], ...] = ((0, 0),) * rank
        elif not allowed("asymmetric_padding"):
            p = _each(draw, allowed("padding_per_axis"), [0] * rank,
                      [min(max_pad, (f - 1) // 2) for f in full])
            padding = tuple((q, q) for q in p)
        else:
            pb = _each(draw, allowed("padding_per_axis"), [0] * rank,
                       [min(max_pad, f - 1) for f in full])
            pa = _each(draw, allowed("padding_per_axis"), [0] * rank,
                       [min(max_pad, f - 1 - b) for f, b in zip(full, pb)])
            padding = tuple(zip(pb, pa))
        g, cg, og = _channels(draw, max_channels, groups_ok=allowed("groups"))
        n = draw(st.integers(1, max_batch if allowed("batch") else 1))
        bias = draw(st.booleans()) if allowed("bias_none") else True
        seed = draw(SEEDS)
        return ConvTransposeConfig.build(
            x_shape=(n, g * cg, *sides), w_shape=(g * cg, og, *kernel),
            b_shape=(g * og,) if bias else None, stride=stride, padding=padding,
            output_padding=out_pad, dilation=dilation, groups=g, seed=seed,
            integer_valued=integer_valued)

    return strategy()


def _pool_flags(draw: Any, allowed: _Allowed, kind: str, ceil_mode: bool | None
                ) -> tuple[bool, bool]:
    """(ceil_mode, count_include_pad) within the capabilities (rejected when none fits)."""
    if ceil_mode is None:
        ceil = draw(st.booleans()) if allowed("ceil_mode") else False
    elif ceil_mode and not allowed("ceil_mode"):
        reject()
    else:
        ceil = ceil_mode
    if kind != "avg":
        return ceil, True
    choices = [v for v in (False, True) if allowed(f"count_include_pad_{str(v).lower()}")]
    if not choices:
        reject()
    return ceil, draw(st.booleans()) if len(choices) == 2 else choices[0]


def pool_configs(*, kind: str = "max", min_rank: int = 1, max_rank: int = 3,
                 max_side: int = 8, max_volume: int = 216, max_kernel: int = 4,
                 max_stride: int = 3, max_dilation: int = 3, max_pad: int = 3,
                 max_channels: int = 4, max_batch: int = 2, symmetric_padding: bool = False,
                 max_nans: int = 0, integer_valued: bool = True,
                 ceil_mode: bool | None = None, capabilities_of: str | None = None
                 ) -> st.SearchStrategy[PoolConfig]:
    """Valid max_pool (kind="max", with dilation) or avg_pool (kind="avg", with
    count_include_pad) configs, floor and ceil mode (``ceil_mode``: only that mode).

    Per axis: the input side, then a kernel and dilation whose extent e fits the input
    plus 2*max_pad, then padding in [0, e-1] on each side with i + pb + pa >= e
    [pool.kernel-fits].  Padding below e keeps the first and last windows on the input;
    the remaining all-padding windows (dilation stepping over a short input, a ceil-mode
    window) are rejected with pool_window_has_input [pool.window-has-input].
    ``symmetric_padding``: pb == pa, as framework APIs take it.  ``max_nans``: up to that
    many NaN entries in x (max pooling propagates them).  Within the capabilities set (of
    ``capabilities_of``, default the kind's pooling op).
    """
    if kind not in ("max", "avg"):
        raise InvalidArgument(f"kind={kind!r}, but should be 'max' or 'avg'")
    _check_bounds(min_rank=min_rank, max_rank=max_rank, max_side=max_side,
                  max_volume=max_volume, max_kernel=max_kernel, max_stride=max_stride,
                  max_dilation=max_dilation, max_pad=max_pad, max_channels=max_channels,
                  max_batch=max_batch, max_nans=max_nans)
    op = capabilities_of or f"{kind}_pool"
    max_dil = max_dilation if kind == "max" else 1

    @st.composite
    def strategy(draw: Any) -> PoolConfig:
        allowed = _Allowed(op)
        rank = _rank(draw, allowed, min_rank, max_rank)
        cap = _side_cap(rank, max_side, max_volume)
        ceil, count_include_pad = _pool_flags(draw, allowed, kind, ceil_mode)
        sides = tuple(draw(st.integers(1, cap)) for _ in range(rank))
        pad = max_pad if allowed("padding") else 0
        rooms = [i + 2 * pad for i in sides]
        kernel = _each(draw, allowed("kernel_per_axis"), [1] * rank,
                       [min(max_kernel, room) for room in rooms])
        top = [1 if k == 1 or not allowed("dilation") else min(max_dil, (room - 1) // (k - 1))
               for k, room in zip(kernel, rooms)]
        dilation = _each(draw, allowed("dilation_per_axis"), [1] * rank, top)
        extent = [d * (k - 1) + 1 for k, d in zip(kernel, dilation)]
        hi = [min(pad, e - 1) for e in extent]
        if pad == 0:
            padding: tuple[tuple[int, int], ...] = ((0, 0),) * rank
        elif symmetric_padding or not allowed("asymmetric_padding"):
            p = _each(draw, allowed("padding_per_axis"),
                      [max(0, -((i - e) // 2)) for i, e in zip(sides, extent)], hi)
            padding = tuple((q, q) for q in p)
        else:
            pb = _each(draw, allowed("padding_per_axis"),
                       [max(0, e - i - h) for i, e, h in zip(sides, extent, hi)], hi)
            pa = _each(draw, allowed("padding_per_axis"),
                       [max(0, e - i - b) for i, e, b in zip(sides, extent, pb)], hi)
            padding = tuple(zip(pb, pa))
        stride = _each(draw, allowed("stride_per_axis"), [1] * rank, [max_stride] * rank)
        for i, k, s, p, d in zip(sides, kernel, stride, padding, dilation):
            assume(formulas.pool_window_has_input(i, k, stride=s, padding=p, dilation=d,
                                                  ceil_mode=ceil) is None)
        c = draw(st.integers(1, max_channels))
        n = draw(st.integers(1, max_batch if allowed("batch") else 1))
        nans = draw(st.integers(0, max_nans)) if max_nans else 0
        seed = draw(SEEDS)
        return PoolConfig.build(kind=kind, x_shape=(n, c, *sides), kernel=kernel,
                                stride=stride, padding=padding, dilation=dilation,
                                ceil_mode=ceil, count_include_pad=count_include_pad, seed=seed,
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
        allowed = _Allowed("conv")
        rank = _rank(draw, allowed, min_rank, max_rank)
        edge = draw(edge_names)
        same = not allowed.per_axis  # one axis drawn, repeated on each
        axis = 0 if same else draw(st.integers(0, rank - 1))
        symmetric = symmetric_padding or not allowed("asymmetric_padding")
        axes = []  # one (side, kernel, stride, padding, dilation) per spatial axis
        for a in range(1 if same else rank):
            moved = edge == "kernel-fits" and a == axis
            k = draw(st.integers(min(2, max_kernel) if moved else 1, max_kernel))
            d = draw(st.integers(1, max_dilation if allowed("dilation") else 1))
            e = d * (k - 1) + 1
            # on the moved axis the padding leaves the last valid input side >= 2, so the
            # first invalid one (a side one smaller than the kernel needs) is >= 1
            top = min(max_pad, max(0, (e - 2) // 2)) if moved else max_pad
            top = top if allowed("padding") else 0
            pb = draw(st.integers(0, top))
            pa = pb if symmetric else draw(st.integers(0, top))
            i = _across(draw, e - pb - pa, -1, moved, low=1)
            axes.append((i, k, draw(st.integers(1, max_stride)), (pb, pa), d))
        sides, kernel, stride, padding, dilation = zip(*axes * (rank if same else 1))
        g = draw(st.integers(2 if edge == "groups" else 1,
                             3 if edge == "groups" or allowed("groups") else 1))
        m_in = draw(st.integers(1, max(1, max_channels // g)))
        m_out = draw(st.integers(1, max(1, max_channels // g)))
        on_out = draw(st.booleans())  # which channel count the groups edge moves
        c_in = g * m_in + (draw(OFF) if edge == "groups" and not on_out else 0)
        c_out = g * m_out + (draw(OFF) if edge == "groups" and on_out else 0)
        cw = max(1, c_in // g + (draw(OFF) if edge == "channels" else 0))
        n_bias = max(1, c_out + (draw(OFF) if edge == "bias" else 0))
        bias = edge == "bias" or not allowed("bias_none") or draw(st.booleans())
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
        allowed = _Allowed("conv_transpose")
        rank = _rank(draw, allowed, min_rank, max_rank)
        edge = draw(edge_names)
        same = not allowed.per_axis  # one axis drawn, repeated on each
        axis = 0 if same else draw(st.integers(0, rank - 1))
        axes = []  # one (side, kernel, stride, padding, output_padding, dilation) per axis
        for a in range(1 if same else rank):
            i = draw(st.integers(1, 4))
            k = draw(st.integers(1, max_kernel))
            s = draw(st.integers(1, max_stride))
            d = draw(st.integers(1, max_dilation if allowed("dilation") else 1))
            if edge == "output-padding" and a == axis:
                op = _across(draw, max(s, d) - 1, 1, True, low=0)
            else:
                op = draw(st.integers(0, max(s, d) - 1 if allowed("output_padding") else 0))
            full = (i - 1) * s + d * (k - 1) + 1 + op  # output side before cropping
            if edge == "out-size" and a == axis:  # the last valid p leaves full - 2p >= 1
                p = _across(draw, (full - 1) // 2, 1, True, low=0)
            else:
                p = draw(st.integers(0, (full - 1) // 2 if allowed("padding") else 0))
            axes.append((i, k, s, (p, p), op, d))
        sides, kernel, stride, padding, out_pad, dilation = zip(*axes * (rank if same else 1))
        g = draw(st.integers(2 if edge == "groups" else 1,
                             3 if edge == "groups" or allowed("groups") else 1))
        m_in = draw(st.integers(1, max(1, max_channels // g)))
        c_in = g * m_in + (draw(OFF) if edge == "groups" else 0)
        cw = max(1, c_in + (draw(OFF) if edge == "channels" else 0))
        og = draw(st.integers(1, max(1, max_channels // g)))
        bias = draw(st.booleans()) if allowed("bias_none") else True
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
        allowed = _Allowed(f"{kind}_pool")
        rank = _rank(draw, allowed, min_rank, max_rank)
        same = not allowed.per_axis  # one axis drawn, repeated on each
        axis = 0 if same else draw(st.integers(0, rank - 1))
        ceil_mode, count_include_pad = _pool_flags(draw, allowed, kind, None)
        axes = []  # one (side, kernel, stride, padding, dilation) per spatial axis
        for a in range(1 if same else rank):
            k = draw(st.integers(min(2, max_kernel) if a == axis else 1, max_kernel))
            d = draw(st.integers(1, max_dil if allowed("dilation") else 1))
            e = d * (k - 1) + 1
            top = min(max_pad, k // 2) if half_kernel_pad else max_pad
            if a == axis:  # the first invalid input side (last valid - 1) is >= 1
                top = min(top, max(0, (e - 2) // 2))
            p = draw(st.integers(0, top if allowed("padding") else 0))
            i = _across(draw, e - 2 * p, -1, a == axis, low=1)
            axes.append((i, k, draw(st.integers(1, max_stride)), (p, p), d))
        sides, kernel, stride, padding, dilation = zip(*axes * (rank if same else 1))
        seed = draw(SEEDS)
        return PoolConfig.build(kind=kind, x_shape=(1, 2, *sides), kernel=tuple(kernel),
                                stride=tuple(stride), padding=tuple(padding),
                                dilation=tuple(dilation), ceil_mode=ceil_mode,
                                count_include_pad=count_include_pad, seed=seed)

    return strategy()


# ---------------------------------------------------------------- large configurations


@dataclass(frozen=True)
class LargeShape:
    """One large case as a table row: batch, channels, groups, and per spatial axis the
    output size wanted, kernel, stride, (before, after) padding and dilation.  The input
    sides follow from the output sizes (:func:`large_conv_configs`)."""

    n: int
    c_in: int
    c_out: int
    groups: int
    out: tuple[int, ...]
    kernel: tuple[int, ...]
    stride: tuple[int, ...]
    padding: tuple[tuple[int, int], ...]
    dilation: tuple[int, ...]


def _row(n: int, c_in: int, c_out: int, groups: int, out: tuple[int, ...], kernel: tuple[int, ...],
         stride: tuple[int, ...], padding: tuple[int, ...], dilation: tuple[int, ...]
         ) -> LargeShape:
    return LargeShape(n, c_in, c_out, groups, out, kernel, stride,
                      tuple((p, p) for p in padding), dilation)


#: Large conv cases: outputs 17-129 wide on the last axis (past tiles of 16, 32 and 64, by
#: one more or one less: 15/16/17, 31/32/33, 63/64/65), 15-130 channels, 65 channels per
#: group, K = C_in/groups * prod(kernel) up to 1170, batches up to 9; each a few million
#: multiply-adds at most.  Integer data in [-4, 4] keeps every sum below 16 * 1170 < 2**24:
#: exact in float32.
LARGE_CONV = (
    _row(9, 16, 17, 1, (70,), (3,), (1,), (1,), (1,)),
    _row(1, 130, 66, 2, (65,), (8,), (2,), (3,), (1,)),  # 65 channels per group
    _row(2, 130, 15, 1, (33,), (9,), (1,), (4,), (1,)),  # K = 1170
    _row(1, 65, 32, 1, (64,), (16,), (1,), (0,), (1,)),  # K = 1040
    _row(1, 49, 16, 1, (15, 33), (3, 3), (2, 1), (1, 1), (1, 1)),
    _row(9, 130, 130, 130, (63,), (5,), (1,), (2,), (1,)),  # depthwise
    _row(1, 49, 64, 1, (129,), (3,), (3,), (1,), (1,)),
    _row(1, 17, 31, 1, (17, 31), (2, 3), (2, 1), (0, 1), (1, 2)),
)

#: Large conv_transpose cases (the output sizes are the transposed conv's outputs).
LARGE_CONV_TRANSPOSE = (
    _row(9, 16, 17, 1, (70,), (3,), (1,), (1,), (1,)),
    _row(1, 130, 66, 2, (65,), (4,), (2,), (1,), (1,)),  # 65 channels per group
    _row(1, 64, 33, 1, (17, 33), (3, 3), (2, 2), (1, 1), (1, 1)),
    _row(1, 65, 16, 1, (64,), (16,), (1,), (0,), (1,)),  # 1040 terms per output
    _row(2, 49, 15, 1, (129,), (5,), (3,), (2,), (2,)),
    _row(1, 130, 130, 130, (31, 63), (3, 3), (1, 2), (1, 1), (1, 1)),  # depthwise
)

#: Large pooling cases (c_in = c_out = the channels; groups unused; padding <= kernel // 2).
LARGE_POOL = (
    _row(9, 130, 130, 1, (70,), (3,), (1,), (1,), (1,)),
    _row(2, 65, 65, 1, (17, 33), (2, 2), (2, 2), (0, 0), (1, 1)),
    _row(1, 131, 131, 1, (65,), (4,), (2,), (2,), (2,)),
    _row(2, 33, 33, 1, (31, 64), (3, 3), (1, 2), (1, 1), (1, 1)),
    _row(9, 16, 16, 1, (129,), (5,), (3,), (2,), (1,)),
    _row(1, 64, 64, 1, (15, 63), (3, 3), (2, 2), (1, 1), (2, 1)),
)


def _large_axes(shape: LargeShape, allowed: _Allowed) -> list[tuple[Any, ...]]:
    """Per axis (out, kernel, stride, padding, dilation) of ``shape`` within the
    capabilities: its rank or the nearest supported one (a dropped axis is a leading one; an
    added axis copies the last and has 2 outputs); shared parameters taken from the last
    axis; dilation 1 and symmetric or no padding where the op lacks them."""
    ranks = allowed.ranks(1, 3)
    if not ranks:
        reject()
    native = len(shape.out)
    rank = native if native in ranks else min(ranks, key=lambda r: (abs(r - native), -r))
    axes = list(zip(shape.out, shape.kernel, shape.stride, shape.padding, shape.dilation))
    axes = axes[native - rank:] if rank < native else [(2, *axes[-1][1:])] * (rank - native) + axes
    last = axes[-1]
    columns = [[ax[j] if allowed(f"{name}_per_axis") else last[j] for ax in axes]
               for j, name in ((1, "kernel"), (2, "stride"), (3, "padding"), (4, "dilation"))]
    kernel, stride, padding, dilation = columns
    if not allowed("dilation"):
        dilation = [1] * rank
    if not allowed("padding"):
        padding = [(0, 0)] * rank
    elif not allowed("asymmetric_padding"):
        padding = [(pb, pb) for pb, _ in padding]
    return list(zip([ax[0] for ax in axes], kernel, stride, padding, dilation))


def large_conv_configs(*, shapes: tuple[LargeShape, ...] = LARGE_CONV,
                       capabilities_of: str = "conv") -> st.SearchStrategy[ConvConfig]:
    """Large conv configs, one of ``shapes`` (a small table, so a run's cost stays bounded)
    within the capabilities set, integer-valued: the sizes at which tiled and vectorized
    kernels take their tail paths.  Per axis the input side is (out - 1)*s + d*(k-1) + 1 -
    pb - pa, the least that gives ``out`` outputs [conv.out-size]."""
    if not shapes:
        raise InvalidArgument("shapes=(), but should hold at least one LargeShape")

    @st.composite
    def strategy(draw: Any) -> ConvConfig:
        allowed = _Allowed(capabilities_of)
        shape = draw(st.sampled_from(shapes), label="shape")
        axes = _large_axes(shape, allowed)
        sides = [max(1, (o - 1) * s + d * (k - 1) + 1 - pb - pa)
                 for o, k, s, (pb, pa), d in axes]
        _, kernel, stride, padding, dilation = zip(*axes)
        g = shape.groups if allowed("groups") else 1
        n = shape.n if allowed("batch") else 1
        bias = draw(st.booleans()) if allowed("bias_none") else True
        return ConvConfig.build(x_shape=(n, shape.c_in, *sides),
                                w_shape=(shape.c_out, shape.c_in // g, *kernel),
                                b_shape=(shape.c_out,) if bias else None, stride=stride,
                                padding=padding, dilation=dilation, groups=g,
                                seed=draw(SEEDS))

    return strategy()


def large_conv_transpose_configs(*, shapes: tuple[LargeShape, ...] = LARGE_CONV_TRANSPOSE,
                                 capabilities_of: str = "conv_transpose"
                                 ) -> st.SearchStrategy[ConvTransposeConfig]:
    """Large conv_transpose configs, one of ``shapes`` within the capabilities set,
    integer-valued.  Per axis the input side and output_padding give the output size wanted
    [conv-transpose.out-size] (output_padding 0 where unsupported: the output may then be
    up to s - 1 smaller)."""
    if not shapes:
        raise InvalidArgument("shapes=(), but should hold at least one LargeShape")

    @st.composite
    def strategy(draw: Any) -> ConvTransposeConfig:
        allowed = _Allowed(capabilities_of)
        shape = draw(st.sampled_from(shapes), label="shape")
        axes = _large_axes(shape, allowed)
        sides, out_pad = [], []
        for o, k, s, (pb, pa), d in axes:
            span = o - (d * (k - 1) + 1) + pb + pa  # (i - 1)*s + output_padding
            op = span % s if allowed("output_padding") and span % s < max(s, d) else 0
            sides.append(max(1, (span - op) // s + 1))
            out_pad.append(op)
        _, kernel, stride, padding, dilation = zip(*axes)
        g = shape.groups if allowed("groups") else 1
        n = shape.n if allowed("batch") else 1
        bias = draw(st.booleans()) if allowed("bias_none") else True
        return ConvTransposeConfig.build(
            x_shape=(n, shape.c_in, *sides), w_shape=(shape.c_in, shape.c_out // g, *kernel),
            b_shape=(shape.c_out,) if bias else None, stride=stride, padding=padding,
            output_padding=tuple(out_pad), dilation=dilation, groups=g, seed=draw(SEEDS))

    return strategy()


def large_pool_configs(*, kind: str = "max", shapes: tuple[LargeShape, ...] = LARGE_POOL,
                       capabilities_of: str | None = None) -> st.SearchStrategy[PoolConfig]:
    """Large max_pool or avg_pool configs, one of ``shapes`` (channels ``c_in``) within the
    capabilities set, integer-valued, floor or ceil mode; dilation for max pooling only."""
    if kind not in ("max", "avg"):
        raise InvalidArgument(f"kind={kind!r}, but should be 'max' or 'avg'")
    if not shapes:
        raise InvalidArgument("shapes=(), but should hold at least one LargeShape")
    op = capabilities_of or f"{kind}_pool"

    @st.composite
    def strategy(draw: Any) -> PoolConfig:
        allowed = _Allowed(op)
        shape = draw(st.sampled_from(shapes), label="shape")
        ceil, count_include_pad = _pool_flags(draw, allowed, kind, None)
        axes = [(o, k, s, p, d if kind == "max" else 1)
                for o, k, s, p, d in _large_axes(shape, allowed)]
        sides = [max(1, (o - 1) * s + d * (k - 1) + 1 - pb - pa)
                 for o, k, s, (pb, pa), d in axes]
        for i, (_, k, s, p, d) in zip(sides, axes):
            assume(formulas.pool_window_has_input(i, k, stride=s, padding=p, dilation=d,
                                                  ceil_mode=ceil) is None)
        _, kernel, stride, padding, dilation = zip(*axes)
        return PoolConfig.build(kind=kind, x_shape=(shape.n if allowed("batch") else 1,
                                                    shape.c_in, *sides),
                                kernel=kernel, stride=stride, padding=padding,
                                dilation=dilation, ceil_mode=ceil,
                                count_include_pad=count_include_pad, seed=draw(SEEDS))

    return strategy()
