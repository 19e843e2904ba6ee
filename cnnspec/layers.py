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
import re
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


_NAMES: dict[str, tuple[type, tuple[str, ...]]] = {
    "conv": (Conv, ("out_channels", "kernel_size", "stride", "padding", "dilation", "groups")),
    "convt": (ConvTranspose, ("out_channels", "kernel_size", "stride", "padding",
                              "output_padding", "dilation", "groups")),
    "maxpool": (MaxPool, ("kernel_size", "stride", "padding", "dilation")),
    "avgpool": (AvgPool, ("kernel_size", "stride", "padding")),
    "adaptiveavgpool": (AdaptiveAvgPool, ("output_size",)),
    "adaptivemaxpool": (AdaptiveMaxPool, ("output_size",)),
    "gap": (GlobalAvgPool, ()), "gmp": (GlobalMaxPool, ()),
    "bn": (BatchNorm, ("num_features",)), "relu": (ReLU, ()), "act": (Activation, ("fn",)),
    "dropout": (Dropout, ("p",)), "flatten": (Flatten, ()),
    "dense": (Dense, ("out_features",)),
}
_ALIASES = {
    "conv1d": "conv", "conv2d": "conv", "conv3d": "conv", "convtranspose": "convt",
    "conv_transpose": "convt", "deconv": "convt", "max": "maxpool", "max_pool": "maxpool",
    "avg": "avgpool", "avg_pool": "avgpool", "aap": "adaptiveavgpool", "amp": "adaptivemaxpool",
    "globalavgpool": "gap", "globalmaxpool": "gmp", "batchnorm": "bn", "drop": "dropout",
    "linear": "dense", "fc": "dense",
}
_KEYS = {
    "k": "kernel_size", "kernel": "kernel_size", "s": "stride", "p": "padding", "pad": "padding",
    "d": "dilation", "g": "groups", "op": "output_padding", "ceil": "ceil_mode",
    "cip": "count_include_pad", "o": "output_size", "in": "in_channels",
}
_TOKEN = re.compile(r"\s*(?:(->)|([A-Za-z_][A-Za-z0-9_]*)|([0-9][0-9x:.]*)|(.))")


def _value(text: str) -> Any:
    """3 -> 3; 3x5 -> (3, 5); 1:2x0:1 -> ((1, 2), (0, 1)); 0.5 -> 0.5; words stay str."""
    low = text.lower()
    if low in ("true", "yes"):
        return True
    if low in ("false", "no"):
        return False
    if not text[0].isdigit():
        return low
    if "." in text:
        return float(text)
    parts = text.split("x")
    items = [tuple(int(v) for v in p.split(":")) if ":" in p else int(p) for p in parts]
    return items[0] if len(items) == 1 else tuple(items)


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens: list[tuple[str, int]] = []
        pos = 0
        while pos < len(text):
            m = _TOKEN.match(text, pos)
            if m is None or m.end() == pos:
                break
            if m.group(0).strip():
                self.tokens.append((m.group(0).strip(), m.start() + len(m.group(0))
                                    - len(m.group(0).lstrip())))
            pos = m.end()
        self.i = 0

    def error(self, expected: str) -> LayerSyntaxError:
        tok, col = self.tokens[self.i] if self.i < len(self.tokens) else ("end of text",
                                                                          len(self.text))
        return LayerSyntaxError(f"layers={self.text!r}: at column {col + 1}, found {tok!r}, but "
                                f"should be {expected}\n  {self.text}\n  {' ' * col}^")

    def peek(self) -> str | None:
        return self.tokens[self.i][0] if self.i < len(self.tokens) else None

    def take(self, expected: str | None = None) -> str:
        tok = self.peek()
        if tok is None or expected is not None and tok != expected:
            raise self.error(repr(expected) if expected else "more text")
        self.i += 1
        return tok

    def value(self, tok: str) -> Any:
        """The value of the token just taken (3, 3x5, 1:2, 0.5, a word), or a syntax error."""
        try:
            return _value(tok)
        except ValueError:  # "3x", "1..5", "2:": not a number the language writes
            self.i -= 1
            raise self.error("a value like 3, 3x5, 1:2, 0.5 or a word") from None

    def model(self, stop: tuple[str, ...] = ()) -> list:
        out: list = []
        while self.peek() is not None and self.peek() not in stop:
            if self.peek() in (",", ";", "->"):
                self.take()
                continue
            item = self.item()
            if self.peek() == "*":
                self.take()
                n = self.take()
                if not n.isdigit() or int(n) < 1:
                    self.i -= 1
                    raise self.error("a repeat count >= 1")
                out.extend([item] * int(n))
            else:
                out.append(item)
        return out

    def item(self) -> Any:
        tok = self.peek()
        if tok == "[":
            self.take("[")
            group = self.model(("]",))
            self.take("]")
            return group
        if tok is None or not (tok[0].isalpha() or tok[0] == "_"):
            raise self.error("a layer name such as conv(64, 3)")
        word = self.take().lower()
        if word in ("res", "residual"):
            self.take("[")
            main = self.model(("|", "]"))
            short: list = []
            if self.peek() == "|":
                self.take("|")
                short = self.model(("]",))
            self.take("]")
            return Residual(main, short)
        key = _ALIASES.get(word, word)
        if key not in _NAMES:
            self.i -= 1
            if word in ("relu6", "sigmoid", "tanh", "gelu", "silu", "softmax", "identity"):
                self.i += 1
                return Activation(word)
            raise self.error("a layer name: " + ", ".join(sorted(_NAMES)) + ", res[...]")
        cls, positional = _NAMES[key]
        args: list = []
        kwargs: dict[str, Any] = {}
        if self.peek() == "(":
            self.take("(")
            while self.peek() != ")":
                tok = self.take()
                if self.peek() == "=":
                    self.take("=")
                    kwargs[_KEYS.get(tok.lower(), tok.lower())] = self.value(self.take())
                elif kwargs:
                    self.i -= 1
                    raise self.error("name=value after a keyword argument")
                else:
                    args.append(self.value(tok))
                if self.peek() == ",":
                    self.take(",")
                elif self.peek() != ")":
                    raise self.error("',' or ')'")
            self.take(")")
        if len(args) > len(positional):
            raise self.error(f"at most {len(positional)} positional values for {key}")
        kwargs.update(zip(positional, args))
        if cls is Dense and "in_channels" in kwargs:  # in= is the input size of every layer
            kwargs["in_features"] = kwargs.pop("in_channels")
        try:
            return cls(**kwargs)
        except TypeError as exc:
            raise LayerSyntaxError(f"layers={self.text!r}: {key}{tuple(args)}: {exc}") from None
        except InvalidConfig as exc:  # a value the spec rejects, e.g. dropout(1.5)
            raise exc.replace(message=f"layers={self.text!r}: {key}{tuple(args)}: "
                                      f"{exc.message}") from None


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
    p = _Parser(text)
    out = p.model()
    if p.peek() is not None:
        raise p.error("a layer")
    if not out:
        raise LayerSyntaxError(f"layers={text!r}, but should name at least one layer")
    return out
