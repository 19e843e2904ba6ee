"""Validation of reference-op calls: every broken precondition raises InvalidConfig.

The checks run before any arithmetic, so the reference never returns a silently wrong or
empty answer.  Each returns the call's parameters normalized to one tuple entry per
spatial axis (padding: (before, after) pairs).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from .. import formulas
from .._check import as_int, at_least, pairs, per_axis, require
from ..errors import InvalidConfig

__all__ = ["Geometry", "check_array", "resolve_padding", "check_conv", "check_conv_transpose",
           "check_pool", "check_geometry"]

PAD_STRINGS = ("valid", "same", "same_upper", "same_lower", "full")


@dataclass(frozen=True)
class Geometry:
    """Normalized per-axis parameters of one call."""

    kernel: tuple[int, ...]
    stride: tuple[int, ...]
    padding: tuple[tuple[int, int], ...]
    dilation: tuple[int, ...]
    groups: int = 1


def check_array(name: str, a: Any, *, ndim: int | None = None) -> np.ndarray:
    """A real numeric, non-empty array of rank 3-5 (N, C, *spatial), or of ``ndim``."""
    arr = np.asarray(a)
    require(arr.dtype.kind in "iuf",
            f"{name}.dtype={arr.dtype}, but should be a real integer or float dtype",
            rule="config.dtype")
    if ndim is None:
        require(3 <= arr.ndim <= 5,
                f"{name}.ndim={arr.ndim}, but should be 3, 4 or 5 (N, C, 1 to 3 spatial axes)",
                rule="config.rank")
    else:
        require(arr.ndim == ndim, f"{name}.ndim={arr.ndim}, but should be {ndim}",
                rule="config.rank")
    require(all(n >= 1 for n in arr.shape),
            f"{name}.shape={arr.shape}, but every axis should be >= 1 (no empty arrays)",
            rule="config.nonempty")
    return arr


def resolve_padding(padding: Any, spatial: tuple[int, ...], kernel: tuple[int, ...],
                    stride: tuple[int, ...], dilation: tuple[int, ...]) -> tuple[tuple[int, int], ...]:
    """Padding as (before, after) pairs; strings: 'valid', 'same' (= 'same_upper'),
    'same_lower', 'full'.  [pad.same] [pad.valid] [pad.full]"""
    if isinstance(padding, str):
        if padding == "valid":
            return tuple(formulas.valid_padding() for _ in spatial)
        if padding == "full":
            return tuple(formulas.full_padding(k, dilation=d) for k, d in zip(kernel, dilation))
        if padding in ("same", "same_upper", "same_lower"):
            mode = "lower" if padding == "same_lower" else "upper"
            return tuple(formulas.same_padding(i, k, stride=s, dilation=d, mode=mode)
                         for i, k, s, d in zip(spatial, kernel, stride, dilation))
        raise InvalidConfig(f"padding={padding!r}, but should be one of {PAD_STRINGS} or ints",
                            rule="config.padding")
    pads = pairs("padding", padding, len(spatial))
    for a, (pb, pa) in enumerate(pads):
        require(pb >= 0 and pa >= 0, f"padding[{a}]=({pb}, {pa}), but should be >= 0 on both sides",
                rule="config.padding")
    return pads


def check_geometry(spatial: tuple[int, ...], kernel: Any, stride: Any, padding: Any,
                   dilation: Any) -> Geometry:
    """Per-axis kernel, stride, dilation >= 1 and padding >= 0, one entry per axis."""
    r = len(spatial)
    ks = tuple(at_least(f"kernel[{a}]", k, 1, rule="config.kernel")
               for a, k in enumerate(per_axis("kernel", kernel, r)))
    ss = tuple(at_least(f"stride[{a}]", s, 1, rule="config.stride")
               for a, s in enumerate(per_axis("stride", stride, r)))
    ds = tuple(at_least(f"dilation[{a}]", d, 1, rule="config.dilation")
               for a, d in enumerate(per_axis("dilation", dilation, r)))
    return Geometry(ks, ss, resolve_padding(padding, spatial, ks, ss, ds), ds)


def _check_groups(groups: Any, c_in: int, c_out: int, family: str) -> int:
    g = at_least("groups", groups, 1, rule=f"{family}.groups")
    for name, c in (("C_in", c_in), ("C_out", c_out)):
        require(c % g == 0, f"groups={g} does not divide {name}={c}", rule=f"{family}.groups")
    return g


def _check_bias(b: Any, c_out: int, family: str) -> np.ndarray | None:
    if b is None:
        return None
    arr = np.asarray(b)
    require(arr.dtype.kind in "iuf", f"b.dtype={arr.dtype}, but should be a real dtype",
            rule="config.dtype")
    require(arr.shape == (c_out,), f"b.shape={arr.shape}, but should be (C_out,)=({c_out},)",
            rule=f"{family}.bias")
    return arr


def check_conv(x: Any, w: Any, b: Any, *, stride: Any, padding: Any, dilation: Any,
               groups: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray | None, Geometry]:
    """Preconditions of conv.  [conv.channels] [conv.groups] [conv.bias] [conv.kernel-fits]"""
    x = check_array("x", x)
    w = check_array("w", w, ndim=x.ndim)
    n, c_in, *spatial = x.shape
    c_out, c_w, *kernel = w.shape
    g = _check_groups(groups, c_in, c_out, "conv")
    require(c_w * g == c_in,
            f"w.shape[1]={c_w}, but should be C_in/groups={c_in}/{g}={c_in // g}",
            rule="conv.channels", detail=f"  x.shape={x.shape}, w.shape={w.shape}")
    b = _check_bias(b, c_out, "conv")
    geo = check_geometry(tuple(spatial), tuple(kernel), stride, padding, dilation)
    formulas.conv_out_shape(spatial, geo.kernel, stride=geo.stride, padding=geo.padding,
                            dilation=geo.dilation)  # raises [conv.kernel-fits]
    return x, w, b, Geometry(geo.kernel, geo.stride, geo.padding, geo.dilation, g)


def check_conv_transpose(x: Any, w: Any, b: Any, *, stride: Any, padding: Any,
                         output_padding: Any, dilation: Any, groups: Any
                         ) -> tuple[np.ndarray, np.ndarray, np.ndarray | None, Geometry,
                                    tuple[int, ...]]:
    """Preconditions of conv_transpose; w is (C_in, C_out/groups, *K).
    [conv-transpose.channels] [conv-transpose.groups] [conv-transpose.output-padding]"""
    x = check_array("x", x)
    w = check_array("w", w, ndim=x.ndim)
    n, c_in, *spatial = x.shape
    c_w_in, c_out_g, *kernel = w.shape
    require(c_w_in == c_in, f"w.shape[0]={c_w_in}, but should be C_in={c_in}",
            rule="conv-transpose.channels", detail=f"  x.shape={x.shape}, w.shape={w.shape}")
    g = at_least("groups", groups, 1, rule="conv-transpose.groups")
    c_out = c_out_g * g
    _check_groups(g, c_in, c_out, "conv-transpose")
    b = _check_bias(b, c_out, "conv-transpose")
    if isinstance(padding, str):
        raise InvalidConfig(f"padding={padding!r}, but conv_transpose takes ints or pairs",
                            rule="config.padding")
    geo = check_geometry(tuple(spatial), tuple(kernel), stride, padding, dilation)
    ops = tuple(as_int(f"output_padding[{a}]", v) for a, v in
                enumerate(per_axis("output_padding", output_padding, len(spatial))))
    out = formulas.conv_transpose_out_shape(spatial, geo.kernel, stride=geo.stride,
                                            padding=geo.padding, output_padding=ops,
                                            dilation=geo.dilation)
    return x, w, b, Geometry(geo.kernel, geo.stride, geo.padding, geo.dilation, g), out


def check_pool(x: Any, *, kernel: Any, stride: Any, padding: Any, dilation: Any,
               ceil_mode: Any) -> tuple[np.ndarray, Geometry, tuple[int, ...]]:
    """Preconditions of pooling.  [pool.kernel-fits] [pool.window-has-input]"""
    x = check_array("x", x)
    spatial = x.shape[2:]
    require(isinstance(ceil_mode, (bool, np.bool_)),
            f"ceil_mode={ceil_mode!r}, but should be a bool", rule="config.int")
    r = len(spatial)
    ks = per_axis("kernel", kernel, r)
    geo = check_geometry(spatial, ks, ks if stride is None else stride, padding, dilation)
    out = formulas.pool_out_shape(spatial, geo.kernel, stride=geo.stride, padding=geo.padding,
                                  dilation=geo.dilation, ceil_mode=bool(ceil_mode))
    for a, (i, k, s, p, d) in enumerate(zip(spatial, geo.kernel, geo.stride, geo.padding,
                                             geo.dilation)):
        j = formulas.pool_window_has_input(i, k, stride=s, padding=p, dilation=d,
                                           ceil_mode=bool(ceil_mode))
        if j is not None:
            raise InvalidConfig(
                f"window {j} on axis {a} covers only padding, but every window should have at "
                f"least one tap on the input", rule="pool.window-has-input",
                detail=f"  input size={i}, kernel={k}, stride={s}, padding={p}, dilation={d}, "
                       f"ceil_mode={bool(ceil_mode)}: taps at padded positions "
                       f"{[j * s + t * d for t in range(k)]}, input at [{p[0]}, {p[0] + i})")
    return x, geo, out
