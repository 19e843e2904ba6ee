"""Configurations on both sides of one validity boundary per draw, not checked:
:func:`boundary_conv_configs`, :func:`boundary_conv_transpose_configs`,
:func:`boundary_pool_configs`, the boundaries they move (:data:`CONV_EDGES`,
:data:`CONV_TRANSPOSE_EDGES`) and the steps across them (:data:`STEPS`, :data:`OFF`)."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from ._caps import _Allowed
from ._configs import ConvConfig, ConvTransposeConfig, PoolConfig
from ._draw import SEEDS, _check_bounds, _pool_flags, _rank

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
