"""Worked examples as executable records.

A rule's examples are data, declared with the rule (``rule(..., examples=(...))``):

- :func:`call_example`: one call of a contract op on small arrays and what it returns
  (``y``, or the gradients ``dx`` / ``dw`` / ``db`` of a backward op), or that it is refused.
  One generic check per rule and op (cnnspec/rules/example_checks.py) runs them on every
  target, the reference included: the numbers in the spec are the numbers a target must give.
- :func:`formula_example`: one call of a function of cnnspec (``formulas.conv_out_size``,
  ``ref.pad``, ``layers.summarize``...) and its value, or the rule its refusal names.  One
  proof per rule (``cnnspec prove``) evaluates them.
- :class:`Example` (in cnnspec.rules): prose, for the few examples no call can state.

``given`` and ``result`` render a record as the spec's prose (spec/*.md, ``cnnspec explain``)
from the same values the checks use, so a published number cannot drift from the checked one.

Arrays of a call example are written without their batch and channel axes unless
``channels=True``: ``x=[1, 2, 3]`` is one sample with one channel, x of shape (1, 1, 3), and
``w=[1, 10]`` one filter of one channel, (1, 1, 2); ``b`` and ``db`` are written in full.
Keywords are written as a reader would (``stride=2``, ``padding=(1, 2)``: the same (before,
after) pair on every axis, ``padding=1``: one on each side) and passed to the target in the
contract's form (one entry per spatial axis, one (before, after) pair per axis).  A keyword
left out takes the contract's neutral value (stride, dilation, groups 1; padding,
output_padding 0; ceil_mode False); pooling examples state kernel, stride and (average
pooling) count_include_pad, which have no neutral value.  Values may be Fractions (shown as
``2/3``) and ``nan``.
"""

from __future__ import annotations

import importlib
import math
import re
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np

__all__ = ["CallExample", "FormulaExample", "call_example", "formula_example", "cells",
           "ARGS", "PARAMS", "OUTPUTS", "show"]

#: op -> the names of its positional arguments, in the contract's order
ARGS = {"conv": ("x", "w", "b"), "conv_transpose": ("x", "w", "b"), "max_pool": ("x",),
        "avg_pool": ("x",), "conv_backward": ("x", "w", "b", "dy"),
        "conv_transpose_backward": ("x", "w", "b", "dy"), "max_pool_backward": ("x", "dy"),
        "avg_pool_backward": ("x", "dy")}
_FORWARD_PARAMS = {
    "conv": ("stride", "padding", "dilation", "groups"),
    "conv_transpose": ("stride", "padding", "output_padding", "dilation", "groups"),
    "max_pool": ("kernel", "stride", "padding", "dilation", "ceil_mode"),
    "avg_pool": ("kernel", "stride", "padding", "ceil_mode", "count_include_pad")}
#: op -> its keywords, in the contract's order
PARAMS = {**_FORWARD_PARAMS, **{f"{op}_backward": p for op, p in _FORWARD_PARAMS.items()}}
#: op -> what it returns, by name
OUTPUTS = {"conv": ("y",), "conv_transpose": ("y",), "max_pool": ("y",), "avg_pool": ("y",),
           "conv_backward": ("dx", "dw", "db"), "conv_transpose_backward": ("dx", "dw", "db"),
           "max_pool_backward": ("dx",), "avg_pool_backward": ("dx",)}
#: the keywords with a neutral value an example may leave out
_NEUTRAL = {"stride": 1, "padding": 0, "output_padding": 0, "dilation": 1, "groups": 1,
            "ceil_mode": False}
_POOL_REQUIRED = {"kernel", "stride", "count_include_pad"}
_PER_AXIS = ("kernel", "stride", "dilation", "output_padding")
#: arrays written without batch and channel axes gain (1, 1); b and db are written in full
_SPATIAL = {"x", "w", "dy", "y", "dx", "dw"}


class Cells(np.ndarray):
    """An array whose every cell holds its own row-major flat index, written ``cells(1, 3, 4, 5)``
    in the spec: where a value lands says where it came from (layout examples)."""


def cells(*shape: int) -> np.ndarray:
    """np.arange(prod(shape)).reshape(shape), shown as ``cells(*shape)``."""
    return np.arange(math.prod(shape)).reshape(shape).view(Cells)


def show(v: Any) -> str:
    """A value as the spec writes it: lists in brackets, integral floats without '.0',
    Fractions as 2/3, NaN as nan, tuples in parentheses."""
    if isinstance(v, Cells):
        return f"cells({', '.join(str(n) for n in v.shape)})"
    if isinstance(v, np.ndarray):
        v = v.tolist()
    if isinstance(v, list):
        return "[" + ", ".join(show(e) for e in v) + "]"
    if isinstance(v, tuple):
        return "(" + ", ".join(show(e) for e in v) + ("," if len(v) == 1 else "") + ")"
    if isinstance(v, Fraction):
        return str(v)
    if isinstance(v, (bool, np.bool_)):
        return str(bool(v))
    if isinstance(v, (float, np.floating)):
        f = float(v)
        if math.isnan(f):
            return "nan"
        if math.isfinite(f) and f == int(f) and abs(f) < 2**53:
            return str(int(f))
        return _short_exponent(repr(f))
    if isinstance(v, complex):
        return repr(v).strip("()")
    return repr(v) if isinstance(v, str) else str(v)


def _short_exponent(text: str) -> str:
    """5.4e-6, not 5.4e-06; 5.0e0, not 5.0e+00."""
    return re.sub(r"e\+?(-?)0*(\d)", r"e\1\2", text)


def show_keyword(v: Any) -> str:
    """A keyword's value as written, its type kept: ``2.0`` and ``numpy.int64(2)`` are not
    ``2`` (the strict level tells them apart)."""
    if isinstance(v, tuple):
        return "(" + ", ".join(show_keyword(e) for e in v) + ("," if len(v) == 1 else "") + ")"
    if isinstance(v, np.generic):
        return f"numpy.{type(v).__name__}({v.item()!r})"
    return repr(v) if isinstance(v, float) else show(v)


def _result(v: Any, digits: int = 0) -> str:
    """A stated value: ``about 5.4e-6`` to ``digits`` significant digits; a large int with
    thousands separators (118,013,952)."""
    if digits:
        return "about " + _short_exponent(f"{float(v):.{digits - 1}e}")
    if isinstance(v, int) and not isinstance(v, bool) and abs(v) >= 10_000:
        return f"{v:,}"
    return show(v)


def _float(v: Any) -> Any:
    """Nested values with Fractions made floats (np.asarray keeps Fractions as objects)."""
    if isinstance(v, (list, tuple)):
        return [_float(e) for e in v]
    return float(v) if isinstance(v, Fraction) else v


@dataclass(frozen=True, eq=False)
class CallExample:
    """One call of a contract op and its outcome (see the module docstring)."""

    op: str
    inputs: tuple[tuple[str, Any], ...]
    params: tuple[tuple[str, Any], ...]
    outputs: tuple[tuple[str, Any], ...] = ()
    refused: bool | str = False  # True: refused for the example's rule; a str: for that rule
    level: str = "compute"
    channels: bool = False
    dtype: str = "float64"
    why: str = ""

    @property
    def given(self) -> str:
        """``conv(x=[1, 2, 3], w=[1, 1])``; arrays written in full show their shape first:
        ``x (2, 1, 3)=[[[1, 2, 3]], [[10, 20, 30]]]``."""
        parts = [f"{n}{self._shape(n, v)}={show(v)}" for n, v in self.inputs if v is not None]
        if self.dtype != "float64":
            parts[0] += f" ({self.dtype})"
        parts += [f"{n}={show_keyword(v)}" for n, v in self.params]
        return f"{self.op}({', '.join(parts)})"

    def _shape(self, n: str, v: Any) -> str:
        """`` (2, 1, 3)`` after an array written in full (its shape is part of the example)."""
        return f" {tuple(np.shape(_float(v)))}" if self.channels and n in _SPATIAL else ""

    @property
    def result(self) -> str:
        if self.refused:
            return "refused" + (f" at level {self.level}" if self.level == "strict" else "")
        return "; ".join(f"{n}{self._shape(n, v)} = {show(v)}" for n, v in self.outputs)

    def rank(self) -> int:
        x = np.asarray(_float(dict(self.inputs)["x"]))
        return x.ndim - 2 if self.channels else x.ndim

    def _array(self, name: str, value: Any, dtype: str = "float64") -> np.ndarray | None:
        if value is None:
            return None
        a = np.asarray(_float(value), dtype=dtype)
        return a.reshape(1, 1, *a.shape) if name in _SPATIAL and not self.channels else a

    @property
    def args(self) -> tuple[Any, ...]:
        """The positional arguments in the contract's form (fresh arrays on each read)."""
        given = dict(self.inputs)
        return tuple(self._array(n, given.get(n), self.dtype if n == "x" else "float64")
                     for n in ARGS[self.op])

    @property
    def kwargs(self) -> dict[str, Any]:
        """Every keyword of the op in the contract's form (neutral values filled in).  With
        ``op`` and ``args``, the form of a case the runner's diagnosis and conventions read."""
        r, given = self.rank(), dict(self.params)
        out = {}
        for name in PARAMS[self.op]:
            v = given.get(name, _NEUTRAL.get(name))
            if name == "padding":
                v = _pairs(v, r)
            elif name in _PER_AXIS:
                v = tuple(v) if isinstance(v, (tuple, list)) else (v,) * r
            out[name] = v
        return out

    def expected(self) -> dict[str, np.ndarray | None]:
        """What the op returns, by output name (those the example states)."""
        return {n: self._array(n, v) for n, v in self.outputs}

    def call(self) -> str:
        """The call in the contract's form with every value written out: a repro to paste."""
        parts = [f"{n}={_literal(a)}" for n, a in zip(ARGS[self.op], self.args)]
        parts += [f"{k}={v!r}" for k, v in self.kwargs.items()]
        return f"{self.op}({', '.join(parts)})"

    def __repr__(self) -> str:  # Hypothesis shows a falsifying example by its repr
        return f"<worked example: {self.given} -> {self.result}>"


def _literal(a: np.ndarray | None) -> str:
    if a is None:
        return "None"
    text = np.array2string(a, separator=", ", threshold=10_000).replace("\n", "")
    return f"np.array({' '.join(text.split())}{'' if a.dtype == np.float64 else ', dtype=' + repr(str(a.dtype))})"


def _pairs(v: Any, r: int) -> Any:
    if isinstance(v, (tuple, list)):
        if len(v) == 2 and not any(isinstance(e, (tuple, list)) for e in v):
            return ((v[0], v[1]),) * r  # one (before, after) pair for every axis
        return tuple(tuple(p) for p in v)
    return ((v, v),) * r


def call_example(op: str, *, why: str = "", refused: bool | str = False, level: str = "",
                 channels: bool = False, dtype: str = "float64", **values: Any) -> CallExample:
    """A call of ``op`` (a contract op) and its outcome: its inputs (x, w, b, dy) and
    keywords, then the outputs it returns (y; dx, dw, db) or ``refused`` (True: the
    configuration breaks the example's rule; a rule ID: it breaks that one).  ``level``:
    "strict" for a refusal that only the strict level asks for (input hygiene)."""
    if op not in ARGS:
        raise ValueError(f"op={op!r}, but should be one of {', '.join(ARGS)}")
    unknown = set(values) - set(ARGS[op]) - set(PARAMS[op]) - set(OUTPUTS[op])
    if unknown:
        raise ValueError(f"{op} example: unknown names {sorted(unknown)}; it takes "
                         f"{ARGS[op] + PARAMS[op] + OUTPUTS[op]}")
    if "x" not in values:
        raise ValueError(f"{op} example: x is missing")
    missing = [p for p in PARAMS[op] if "pool" in op and p in _POOL_REQUIRED and p not in values]
    if missing:
        raise ValueError(f"{op} example: {', '.join(missing)} missing (no neutral value)")
    outputs = tuple((n, values[n]) for n in OUTPUTS[op] if n in values)
    if bool(refused) == bool(outputs):
        raise ValueError(f"{op} example: state its outputs ({', '.join(OUTPUTS[op])}) or "
                         f"refused=True, not {'both' if outputs else 'neither'}")
    level = level or ("refuse" if refused else "compute")
    if level not in ("compute", "refuse", "strict") or (level == "compute") != (not refused):
        raise ValueError(f"{op} example: level={level!r} does not fit refused={refused!r}")
    ex = CallExample(op, tuple((n, values.get(n)) for n in ARGS[op] if n in values),
                     tuple((n, values[n]) for n in values if n in PARAMS[op]), outputs,
                     refused, level, channels, dtype, why)
    if not refused and not 1 <= ex.rank() <= 3:
        raise ValueError(f"{op} example: {ex.rank()} spatial axes, but the contract passes a "
                         f"target 1 to 3: state it as a formula example of cnnspec.ref")
    return ex


@dataclass(frozen=True, eq=False)
class FormulaExample:
    """One call of a function of cnnspec (``fn``: its path under the package, such as
    ``formulas.conv_out_size``) and its value, or the rule its refusal names."""

    fn: str
    args: tuple[Any, ...]
    kwargs: tuple[tuple[str, Any], ...]
    value: Any = None
    raises: bool | str = False  # True: InvalidConfig naming the example's rule; a str: that rule
    digits: int = 0  # > 0: the value to this many significant digits ("about 5.4e-6")
    why: str = ""
    then: str = ""  # a path into the result: ".output_shape", ".rows[-1].params"

    def text(self) -> str:
        parts = [show(a) for a in self.args] + [f"{k}={show(v)}" for k, v in self.kwargs]
        return f"{self.fn.removeprefix('formulas.')}({', '.join(parts)}){self.then}"

    @property
    def given(self) -> str:
        return self.text()

    @property
    def result(self) -> str:
        if self.raises:
            return "refused" + (f" [{self.raises}]" if isinstance(self.raises, str) else "")
        return _result(self.value, self.digits)

    def function(self) -> Any:
        module, _, name = self.fn.rpartition(".")
        return getattr(importlib.import_module(f"cnnspec.{module}"), name)

    def evaluate(self) -> Any:
        """The call's result, followed along ``then``."""
        out = self.function()(*self.args, **dict(self.kwargs))
        for name, index in _PATH.findall(self.then):
            out = getattr(out, name) if name else out[int(index)]
        return out

    def matches(self, got: Any) -> bool:
        """Whether ``got`` is the stated value (arrays and sequences elementwise, NaN equal
        to NaN; with ``digits``, rounded to that many significant digits)."""
        if self.digits:
            return float(f"{float(got):.{self.digits - 1}e}") == float(self.value)
        return _same(got, self.value)

    def __repr__(self) -> str:
        return f"<worked example: {self.given} -> {self.result}>"


_PATH = re.compile(r"\.([A-Za-z_]\w*)|\[(-?\d+)\]")


def _same(got: Any, want: Any) -> bool:
    if isinstance(got, np.ndarray) or isinstance(want, np.ndarray):
        g, w = np.asarray(got, dtype=float), np.asarray(_float(want), dtype=float)
        return g.shape == w.shape and bool(np.array_equal(g, w, equal_nan=True))
    if isinstance(want, (list, tuple)):
        return (isinstance(got, (list, tuple)) and len(got) == len(want)
                and all(_same(g, w) for g, w in zip(got, want)))
    if isinstance(want, float) and math.isnan(want):
        return isinstance(got, (float, np.floating)) and bool(np.isnan(got))
    if isinstance(want, bool) or isinstance(got, (bool, np.bool_)):  # True is not 1
        return isinstance(got, (bool, np.bool_)) and isinstance(want, bool) and bool(got) == want
    if isinstance(want, int) and isinstance(got, (float, np.floating)):  # 5.0 is not 5
        return False
    return bool(got == want)


def formula_example(fn: str, *args: Any, why: str = "", raises: bool | str = False,
                    digits: int = 0, then: str = "", **kwargs: Any) -> FormulaExample:
    """``fn(*args, **kwargs)`` (``fn``: a path under cnnspec, e.g. "formulas.conv_out_size",
    shown without "formulas.", or "ref.pad", shown as written)
    and what it gives, ``gives=`` (a keyword of this declaration, not of the call), or
    ``raises=True`` (InvalidConfig naming the example's rule) / ``raises="rule.id"``.
    ``then``: a path of attributes and indices into the result (".output_shape",
    ".rows[-1].params"), for a function that returns an object."""
    if ("gives" in kwargs) == bool(raises):
        raise ValueError(f"{fn} example: state gives= or raises=, not both or neither")
    if "".join(m.group(0) for m in _PATH.finditer(then)) != then:
        raise ValueError(f"{fn} example: then={then!r}, but should be a path such as "
                         f"'.rows[-1].params'")
    value = kwargs.pop("gives", None)
    return FormulaExample(fn, args, tuple(kwargs.items()), value, raises, digits, why, then)
