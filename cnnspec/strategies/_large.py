"""Large configurations from small tables of large shapes (:class:`LargeShape`,
:data:`LARGE_CONV`, :data:`LARGE_CONV_TRANSPOSE`, :data:`LARGE_POOL`):
:func:`large_conv_configs`, :func:`large_conv_transpose_configs`, :func:`large_pool_configs`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from hypothesis import assume, reject
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from .. import formulas
from ._caps import _Allowed
from ._configs import ConvConfig, ConvTransposeConfig, PoolConfig
from ._draw import SEEDS, _pool_flags


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
