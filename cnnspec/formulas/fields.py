"""Receptive fields of a stack of layers, and the formulas of whole networks
(cnnspec.summary): adaptive-pooling windows, flattening, the input cells the floor of an
output size leaves unread, the receptive field of a residual add."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from .._check import at_least, is_symbolic
from ..errors import InvalidConfig
from ._common import Int, _max, _min, _pad_pair, _prod, ceil_div
from .sizes import effective_kernel

# ---------------------------------------------------------------- receptive fields


@dataclass(frozen=True)
class RF:
    """Receptive field of one output unit on one axis, in input coordinates.

    size: how many input positions unit 0 sees (span, gaps of dilation included);
    jump: distance in the input between neighbouring output units;
    start: input index of the first position unit 0 sees (negative: in the padding).
    Unit j sees [start + j*jump, start + j*jump + size).
    """

    size: Any
    jump: Any
    start: Any


def receptive_field_step(rf: RF, k: Int, *, stride: Int = 1, padding: Int = 0,
                         dilation: Int = 1) -> RF:
    """One layer: size += (d(k-1)+1 - 1)*jump; jump *= s; start -= p_before*jump.  [rf.size] [rf.jump] [rf.start]"""
    s = at_least("stride", stride, 1, rule="config.stride")
    p = at_least("padding", padding, 0, rule="config.padding")
    eff = effective_kernel(k, dilation)
    return RF(size=rf.size + (eff - 1) * rf.jump, jump=rf.jump * s, start=rf.start - p * rf.jump)


def receptive_fields(layers: Iterable[Any]) -> list[RF]:
    """The receptive field after each layer of a stack (one axis).

    Each layer is a mapping or tuple (kernel, stride, padding_before, dilation); a layer
    that does not mix positions is (1, 1, 0, 1).  Starts from the input: RF(1, 1, 0).
    """
    rf = RF(1, 1, 0)
    out = []
    for layer in layers:
        if isinstance(layer, dict):
            k, s, p, d = (layer["kernel"], layer.get("stride", 1), layer.get("padding", 0),
                          layer.get("dilation", 1))
        else:
            k, s, p, d = (tuple(layer) + (1, 0, 1)[len(layer) - 1:])[:4]
        rf = receptive_field_step(rf, k, stride=s, padding=p, dilation=d)
        out.append(rf)
    return out


# ---------------------------------------------------------------- networks (cnnspec.summary)


def adaptive_pool_window(i: Int, o: Int, j: Int) -> tuple[Int, Int]:
    """Window j of adaptive pooling: [floor(j*i/o), ceil((j+1)*i/o)).  [net.adaptive-pool]

    PyTorch's AdaptiveAvgPool / AdaptiveMaxPool; when o divides i every window has
    kernel = stride = i/o, and o = 1 is global pooling (the window [0, i)).
    """
    i = at_least("i", i, 1, rule="config.nonempty")
    o = at_least("output_size", o, 1, rule="config.nonempty")
    return (j * i) // o, ceil_div((j + 1) * i, o)


def flatten_size(c: Int, spatial: Sequence[Int]) -> Int:
    """Features after flattening a (C, *spatial) map: C * prod(spatial).  [net.flatten]"""
    return c * _prod(spatial)


def floor_dropped(i: Int, o: Int, k: Int, *, stride: Int = 1, padding: Any = 0,
                  dilation: Int = 1) -> Int:
    """Input cells the floor of the output size leaves unread at an axis' end.  [net.remainder]

    = max(0, p_b + i - max((o-1)*s + d(k-1) + 1, o*s)), with o the layer's output size
    (conv_out_size, or pool_out_size with its ceil_mode). The last window ends at padded
    position (o-1)*s + d(k-1); the window the floor discarded would start at o*s. Input
    cells (at [p_b, p_b + i)) past both are read by no window only because of the floor.
    Cells skipped between windows when s > d(k-1) + 1 are the stride's gaps, not the
    floor's, and are not counted: a 1x1 stride-2 conv drops nothing here.
    """
    pb, _ = _pad_pair(padding)
    return _max(pb + i - _max((o - 1) * stride + effective_kernel(k, dilation), o * stride), 0)


def receptive_field_union(a: RF, b: RF) -> RF:
    """Receptive field of a sum of two branches (a residual add): the span of both.  [net.rf-union]

    start = min(starts); size = max(ends) - start; the jumps must agree (they do whenever
    both branches have the same output shape from the same input).
    """
    if not (is_symbolic(a.jump) or is_symbolic(b.jump)) and a.jump != b.jump:
        raise InvalidConfig(f"jump={a.jump} and jump={b.jump}, but should be equal",
                            rule="net.rf-union")
    start = _min(a.start, b.start)
    end = _max(a.start + a.size, b.start + b.size)
    return RF(size=end - start, jump=a.jump, start=start)
