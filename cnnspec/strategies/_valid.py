"""Valid configurations, every one valid by construction: :func:`conv_configs`,
:func:`conv_transpose_configs` and :func:`pool_configs`."""

from __future__ import annotations

from typing import Any

from hypothesis import assume
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from .. import formulas
from ._caps import _Allowed
from ._configs import ConvConfig, ConvTransposeConfig, PoolConfig
from ._draw import SEEDS, _channels, _check_bounds, _each, _paddings, _pool_flags, _rank, _side_cap


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
