"""Layer specs: what a network is made of, with PyTorch's argument names.

A spec is plain data; :func:`cnnspec.summarize` turns a list of them (and an input shape)
into shapes, parameter counts, MACs and receptive fields, with the formulas of
:mod:`cnnspec.formulas`. Specs are rank-generic: the spatial rank (1-3) comes from the
input shape, and an int is used on every axis::

    from cnnspec.layers import Conv, MaxPool, ReLU, Flatten, Dense
    model = [Conv(25, 3), ReLU(), MaxPool(2), Conv(50, 3), ReLU(), MaxPool(2),
             Flatten(), Dense(100), ReLU(), Dense(10)]

Sizes (kernel_size, stride, padding, dilation, output_padding, output_size) take an int, a
tuple with one entry per spatial axis, and padding also ``(before, after)`` pairs per axis
or ``'same'`` (= ``'same_upper'``: output ceil(i/s), an odd total puts the extra cell after,
as TensorFlow/Keras and PyTorch's stride-1 ``'same'``), ``'same_lower'``, ``'valid'`` and,
for Conv only, ``'full'``.  Every spec takes an optional ``name`` shown in the summary.

A residual block is ``Residual(main=[...], shortcut=[...])``: both paths start from the
block's input and their outputs are added (a missing shortcut is the identity). A nested
list is a sub-sequence.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import MISSING, dataclass, field, fields
from typing import Any

from .errors import InvalidConfig
from .formulas import PADDING_WORDS  # the padding words a spec accepts (Conv also 'full')

__all__ = [
    "Layer", "Conv", "ConvTranspose", "MaxPool", "AvgPool", "AdaptiveAvgPool",
    "AdaptiveMaxPool", "GlobalAvgPool", "GlobalMaxPool", "BatchNorm", "Elementwise", "ReLU",
    "Activation",
    "Dropout", "Flatten", "Dense", "Linear", "Residual", "PADDING_WORDS", "parse",
    "LayerSyntaxError",
]



@dataclass(frozen=True)
class Layer:
    """Base of every spec: ``kind`` names it in summaries and errors."""

    def __post_init__(self) -> None:
        name = getattr(self, "name", None)
        if name is not None and not isinstance(name, str):
            raise TypeError(f"name={name!r} ({type(name).__name__}), but should be a str or None")

    @property
    def kind(self) -> str:
        return type(self).__name__

    def __repr__(self) -> str:
        """Only the arguments that differ from their defaults: ``Conv(64, 3, stride=2)``."""
        parts = []
        for f in fields(self):
            v = getattr(self, f.name)
            if f.metadata.get("positional"):
                parts.append(repr(v))
            elif f.default is MISSING or v != f.default:
                parts.append(f"{f.name}={v!r}")
        return f"{type(self).__name__}({', '.join(parts)})"


def _pos() -> Any:
    """A required argument, shown without its name in repr."""
    return field(metadata={"positional": True})


@dataclass(frozen=True, repr=False)
class Conv(Layer):
    """N-d convolution (cross-correlation).  [conv.out-size] [params.conv] [macs.conv]

    in_channels is inferred from the input; when given it is checked [conv.channels].
    """

    out_channels: Any = _pos()
    kernel_size: Any = _pos()
    stride: Any = 1
    padding: Any = 0
    dilation: Any = 1
    groups: Any = 1
    bias: bool = True
    in_channels: Any = None
    name: str | None = None


@dataclass(frozen=True, repr=False)
class ConvTranspose(Layer):
    """N-d transposed convolution.  [conv-transpose.out-size] [params.conv-transpose]"""

    out_channels: Any = _pos()
    kernel_size: Any = _pos()
    stride: Any = 1
    padding: Any = 0
    output_padding: Any = 0
    dilation: Any = 1
    groups: Any = 1
    bias: bool = True
    in_channels: Any = None
    name: str | None = None


@dataclass(frozen=True, repr=False)
class MaxPool(Layer):
    """N-d max pooling; stride defaults to the kernel.  [pool.out-size] [pool.ceil-mode]"""

    kernel_size: Any = _pos()
    stride: Any = None
    padding: Any = 0
    dilation: Any = 1
    ceil_mode: bool = False
    name: str | None = None


@dataclass(frozen=True, repr=False)
class AvgPool(Layer):
    """N-d average pooling; stride defaults to the kernel.  [pool.out-size] [pool.avg-divisor]"""

    kernel_size: Any = _pos()
    stride: Any = None
    padding: Any = 0
    ceil_mode: bool = False
    count_include_pad: bool = True
    name: str | None = None


@dataclass(frozen=True, repr=False)
class AdaptiveAvgPool(Layer):
    """Pool to a fixed output_size (None on an axis keeps it).  [net.adaptive-pool]"""

    output_size: Any = _pos()
    name: str | None = None


@dataclass(frozen=True, repr=False)
class AdaptiveMaxPool(AdaptiveAvgPool):
    """The windows of AdaptiveAvgPool, the maximum of each.  [net.adaptive-pool]"""


@dataclass(frozen=True, repr=False)
class GlobalAvgPool(Layer):
    """Mean over all positions: (C,) like Keras, or (C, 1, ..., 1) with keepdims.  [pool.global]"""

    keepdims: bool = False
    name: str | None = None


@dataclass(frozen=True, repr=False)
class GlobalMaxPool(GlobalAvgPool):
    """Maximum over all positions.  [pool.global]"""


@dataclass(frozen=True, repr=False)
class BatchNorm(Layer):
    """Batch norm over the channel axis: 2C parameters (affine), 2C buffers.  [params.batch-norm]"""

    num_features: Any = None
    affine: bool = True
    name: str | None = None


@dataclass(frozen=True, repr=False)
class Elementwise(Layer):
    """A layer that acts on each value alone: shape and receptive field unchanged, no params."""


@dataclass(frozen=True, repr=False)
class Activation(Elementwise):
    """Any elementwise function, by name (``Activation("ReLU6")``, ``Activation("Sigmoid")``)."""

    fn: str = "Identity"
    name: str | None = None

    def __post_init__(self) -> None:
        super().__post_init__()
        if not isinstance(self.fn, str):
            raise TypeError(f"fn={self.fn!r} ({type(self.fn).__name__}), but should be the "
                            f"function's name, a str like 'ReLU6'")

    @property
    def kind(self) -> str:
        return self.fn


@dataclass(frozen=True, repr=False)
class ReLU(Elementwise):
    """max(x, 0), elementwise."""

    name: str | None = None


@dataclass(frozen=True, repr=False)
class Dropout(Elementwise):
    """Dropout (the identity at inference): shape and parameters unchanged.

    ``p``, the probability of zeroing an element, is a number with 0 <= p < 1 (at p = 1 the
    training-time scale 1/(1 - p) is undefined); anything else raises InvalidConfig.
    """

    p: float = 0.5
    name: str | None = None

    def __post_init__(self) -> None:
        super().__post_init__()
        p = self.p
        if isinstance(p, bool) or not isinstance(p, numbers.Real):
            raise InvalidConfig(f"p={p!r} ({type(p).__name__}), but should be a number with "
                                f"0 <= p < 1", rule="net.layer")
        if not (math.isfinite(p) and 0 <= p < 1):
            raise InvalidConfig(f"p={p!r}, but should be 0 <= p < 1", rule="net.layer")


@dataclass(frozen=True, repr=False)
class Flatten(Layer):
    """(C, *spatial) -> (C * prod(spatial),), as torch.flatten(x, 1).  [net.flatten]"""

    name: str | None = None


@dataclass(frozen=True, repr=False)
class Dense(Layer):
    """Fully connected layer on a flat input (after Flatten).  [params.dense] [macs.dense]

    in_features is inferred; when given it is checked [net.channels].
    """

    out_features: Any = _pos()
    bias: bool = True
    in_features: Any = None
    name: str | None = None


#: PyTorch's name for Dense.
Linear = Dense


@dataclass(frozen=True, repr=False)
class Residual(Layer):
    """main(x) + shortcut(x); shortcut=None (or []) is the identity.  [net.residual-shape]"""

    main: Any = _pos()
    shortcut: Any = ()
    name: str | None = None

    def __post_init__(self) -> None:
        super().__post_init__()
        object.__setattr__(self, "main", tuple(self.main))
        object.__setattr__(self, "shortcut", tuple(self.shortcut or ()))

    @property
    def kind(self) -> str:
        return "Add"


# ---------------------------------------------------------------------- the layer language


class LayerSyntaxError(ValueError):
    """Text that is not in the layer language; the message shows where."""


def parse(text: str) -> list:
    """The layer specs written in the layer language (see README, "Shapes and networks").

        conv(64, 7, s=2, p=3) bn relu maxpool(3, 2, 1)
        res[conv(64, 3, p=1) bn relu conv(64, 3, p=1) bn] relu
        res[conv(128, 3, s=2, p=1) bn relu conv(128, 3, p=1) bn | conv(128, 1, s=2) bn] relu
        gap dense(1000)

    Layers are separated by spaces (or commas); ``item*3`` repeats; ``[ ... ]`` groups;
    ``res[main | shortcut]`` is a residual block (no ``|``: identity shortcut). Values:
    ``3``, ``3x5`` (per axis), ``1:2`` (before:after padding, ``1:2x0:1`` per axis),
    ``same`` / ``valid``, ``true`` / ``false``, ``0.5``.
    """
    from ._layer_language import parse_layers  # the parser, kept apart from the specs

    return parse_layers(text)
