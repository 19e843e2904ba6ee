"""Validation of reference-op calls: every broken precondition raises InvalidConfig.

The checks run before any arithmetic, so the reference never returns a silently wrong or
empty answer.  Each returns the call's parameters normalized to one tuple entry per
spatial axis (padding: (before, after) pairs) and, for conv, conv_transpose and pooling,
the output's spatial size: the one place the ops take it from, computed by
cnnspec.formulas (where each size formula is written once).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from .. import formulas
from .._check import as_int, at_least, pairs, per_axis, require
from ..errors import InvalidConfig

__all__ = ["Geometry", "check_array", "check_flag", "resolve_padding", "check_conv",
           "check_conv_transpose", "check_pool", "check_geometry"]



@dataclass(frozen=True)
class Geometry:
    """Normalized per-axis parameters of one call."""

    kernel: tuple[int, ...]
    stride: tuple[int, ...]
    padding: tuple[tuple[int, int], ...]
    dilation: tuple[int, ...]
    groups: int = 1


def _as_array(name: str, a: Any) -> np.ndarray:
    """np.asarray(a), with None and ragged nested lists rejected by name."""
    require(a is not None, f"{name}=None, but should be an array", rule="config.dtype")
    try:
        return np.asarray(a)
    except ValueError as e:  # NumPy >= 1.24: inhomogeneous nested sequences
        raise InvalidConfig(f"{name}=<ragged {type(a).__name__}>, but should be a rectangular "
                            f"array", rule="config.rank", detail=f"  {e}") from None


def check_array(name: str, a: Any, *, ndim: int | None = None) -> np.ndarray:
    """A real numeric array (N, C, *spatial) with at least one spatial axis, or of ``ndim``;
    every axis >= 1 except the batch of x, which may be 0 (a batch of 0).  [config.nonempty]

    Accepted dtype kinds: signed / unsigned integers and floats ("iuf").  Rejected: bool
    (True + True is not a sum the spec defines, and max pooling over bools is a logical or),
    complex (no order for max pooling), object, str, datetime.  [config.dtype]
    """
    arr = _as_array(name, a)
    require(arr.dtype.kind in "iuf",
            f"{name}.dtype={arr.dtype}, but should be a real integer or float dtype",
            rule="config.dtype")
    if ndim is None:
        require(arr.ndim >= 3,
                f"{name}.ndim={arr.ndim}, but should be >= 3 (N, C and at least one spatial "
                f"axis)", rule="config.rank")
    else:
        require(arr.ndim == ndim, f"{name}.ndim={arr.ndim}, but should be {ndim}",
                rule="config.rank")
    first = 1 if ndim is None else 0  # x's batch may be 0
    require(all(n >= 1 for n in arr.shape[first:]),
            f"{name}.shape={arr.shape}, but should be >= 1 on every axis"
            f"{' but the batch' if ndim is None else ''} (no empty channels or sizes)",
            rule="config.nonempty")
    return arr


def check_flag(name: str, v: Any) -> bool:
    """A bool flag (ceil_mode, count_include_pad): a Python or NumPy bool, nothing truthy."""
    require(isinstance(v, (bool, np.bool_)), f"{name}={v!r}, but should be a bool",
            rule="config.int")
    return bool(v)


def _indexed(e: InvalidConfig, a: int) -> InvalidConfig:
    """The same error, its leading name indexed by spatial axis ``a``.

    cnnspec.formulas works on one axis and names ``output_padding=2``; the op's caller passed a
    tuple, so the message says ``output_padding[1]=2``.
    """
    name, eq, rest = e.message.partition("=")
    return e.replace(message=f"{name}[{a}]={rest}") if eq and "[" not in name else e


def _sizes(fn: Callable[..., Any], spatial: Sequence[int], geo: Geometry,
           **per_axis_args: Sequence[Any]) -> tuple[int, ...]:
    """fn (a formulas.*_out_size) on every spatial axis; its errors name the axis."""
    out = []
    for a, (i, k, s, p, d) in enumerate(zip(spatial, geo.kernel, geo.stride, geo.padding,
                                             geo.dilation)):
        extra = {key: v[a] for key, v in per_axis_args.items()}
        try:
            out.append(fn(i, k, stride=s, padding=p, dilation=d, **extra))
        except InvalidConfig as e:
            raise _indexed(e, a) from None
    return tuple(out)


def resolve_padding(padding: Any, spatial: tuple[int, ...], kernel: tuple[int, ...],
                    stride: tuple[int, ...], dilation: tuple[int, ...]
                    ) -> tuple[tuple[int, int], ...]:
    """Padding as (before, after) pairs; strings: 'valid', 'same' (= 'same_upper'),
    'same_lower', 'full'.  [pad.same] [pad.valid] [pad.full]"""
    if isinstance(padding, str):
        return formulas.named_padding(padding, spatial, kernel, stride, dilation)
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
    arr = _as_array("b", b)
    require(arr.dtype.kind in "iuf", f"b.dtype={arr.dtype}, but should be a real dtype",
            rule="config.dtype")
    require(arr.shape == (c_out,), f"b.shape={arr.shape}, but should be (C_out,)=({c_out},)",
            rule=f"{family}.bias")
    return arr


def check_conv(x: Any, w: Any, b: Any, *, stride: Any, padding: Any, dilation: Any,
               groups: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray | None, Geometry,
                                     tuple[int, ...]]:
    """Preconditions of conv, and its output size S_out (formulas.conv_out_size per axis).
    [conv.channels] [conv.groups] [conv.bias] [conv.kernel-fits] [conv.out-size]"""
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
    out = _sizes(formulas.conv_out_size, spatial, geo)  # also raises [conv.kernel-fits]
    return x, w, b, Geometry(geo.kernel, geo.stride, geo.padding, geo.dilation, g), out


def check_conv_transpose(x: Any, w: Any, b: Any, *, stride: Any, padding: Any,
                         output_padding: Any, dilation: Any, groups: Any
                         ) -> tuple[np.ndarray, np.ndarray, np.ndarray | None, Geometry,
                                    tuple[int, ...]]:
    """Preconditions of conv_transpose, and its output size S_out
    (formulas.conv_transpose_out_size per axis); w is (C_in, C_out/groups, *K).
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
        raise InvalidConfig(f"padding={padding!r}, but should be ints or (before, after) pairs "
                            f"(conv_transpose takes no padding strings)", rule="config.padding")
    geo = check_geometry(tuple(spatial), tuple(kernel), stride, padding, dilation)
    ops = tuple(as_int(f"output_padding[{a}]", v) for a, v in
                enumerate(per_axis("output_padding", output_padding, len(spatial))))
    out = _sizes(formulas.conv_transpose_out_size, spatial, geo, output_padding=ops)
    return x, w, b, Geometry(geo.kernel, geo.stride, geo.padding, geo.dilation, g), out


def check_pool(x: Any, *, kernel: Any, stride: Any, padding: Any, dilation: Any,
               ceil_mode: Any) -> tuple[np.ndarray, Geometry, tuple[int, ...]]:
    """Preconditions of pooling, and its output size S_out (formulas.pool_out_size per
    axis).  [pool.kernel-fits] [pool.window-has-input] [pool.out-size] [pool.ceil-mode]"""
    x = check_array("x", x)
    spatial = x.shape[2:]
    ceil = check_flag("ceil_mode", ceil_mode)
    r = len(spatial)
    ks = per_axis("kernel", kernel, r)
    geo = check_geometry(spatial, ks, ks if stride is None else stride, padding, dilation)
    out = _sizes(formulas.pool_out_size, spatial, geo, ceil_mode=(ceil,) * r)  # also [pool.window-has-input]
    return x, geo, out
