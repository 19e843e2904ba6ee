"""The layer language of ``cnnspec summary`` and :func:`cnnspec.layers.parse`: its words,
aliases and keywords, the tokenizer and the parser that turns text into layer specs.
"""

from __future__ import annotations

import re
from typing import Any

from .errors import InvalidConfig
from .layers import (
    Activation,
    AdaptiveAvgPool,
    AdaptiveMaxPool,
    AvgPool,
    BatchNorm,
    Conv,
    ConvTranspose,
    Dense,
    Dropout,
    Flatten,
    GlobalAvgPool,
    GlobalMaxPool,
    LayerSyntaxError,
    MaxPool,
    ReLU,
    Residual,
)

__all__ = ["parse_layers"]

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


def parse_layers(text: str) -> list:
    """:func:`cnnspec.layers.parse`."""
    p = _Parser(text)
    out = p.model()
    if p.peek() is not None:
        raise p.error("a layer")
    if not out:
        raise LayerSyntaxError(f"layers={text!r}, but should name at least one layer")
    return out
