"""Shapes, parameters, MACs and receptive fields of a whole network.

    >>> from cnnspec.summary import summarize
    >>> from cnnspec.layers import Conv
    >>> s = summarize([Conv(20, 7), Conv(30, 5)], (3, 32, 32))
    >>> s.rows[1].output_shape, s.total_params
    ((30, 22, 22), 17990)

``model`` is a list of layer specs (:mod:`cnnspec.layers`) or a ``torch.nn.Module`` (traced
with torch.fx, imported only then); ``input_shape`` is channels-first ``(C, *spatial)``
without the batch, each size an int or a symbol (``"H"`` or a SymPy symbol). Every number
comes from :mod:`cnnspec.formulas`. With symbols, every size is simplified exactly
(:mod:`cnnspec._symbolic_sizes`: ``ceiling(H/4)``, not nested floors; a size with no single
floor / ceiling / Mod form, e.g. ``floor(2*ceiling(H/3)/3)`` after a transposed conv, stays
as composed, still exact) and the conditions for the network to be valid (kernels fit,
transposed outputs >= 1, residual branches agree) come back as ``Summary.constraints``,
e.g. ``H >= 7``. Pooling windows made only of padding [pool.window-has-input] are checked
for integer sizes only.

Conventions: MACs count the multiply-accumulates of Conv, ConvTranspose and Dense for one
sample [macs.conv] [macs.conv-transpose] [macs.dense] (pooling, normalisation, activations
and adds count 0); params are the trained parameters, as ``sum(p.numel())`` in PyTorch;
BatchNorm's running statistics are ``buffers`` [params.batch-norm]. The receptive field
(size, jump, start per axis) is that of output unit 0 [rf.size] [rf.jump] [rf.start]; a
transposed conv makes it undefined (None) from there on, Flatten keeps it (each feature is
one position), and Dense / global pooling widen it to the whole map.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from . import layers as L
from ._check import at_least, require
from ._network import Row, Walker, initial_state
from .errors import InvalidConfig
from .formulas import RF

__all__ = ["Row", "Summary", "summarize", "parse_input_shape"]


def parse_input_shape(shape: Any) -> tuple:
    """(C, *spatial) with ints, SymPy expressions, or names ("H") made integer symbols."""
    if isinstance(shape, (str, bytes)) or not isinstance(shape, Sequence):
        raise InvalidConfig(f"input_shape={shape!r}, but should be a tuple (C, *spatial)",
                            rule="config.rank")
    require(1 <= len(shape) <= 4, f"input_shape={tuple(shape)!r} has {len(shape)} sizes, but "
            f"should be C and 0 to 3 spatial sizes", rule="config.rank")
    out = []
    for a, v in enumerate(shape):
        if isinstance(v, str):
            v = v.strip()
            if v.isdigit():
                v = int(v)
            elif v.isidentifier():
                import sympy

                v = sympy.Symbol(v, integer=True, positive=True)
            else:
                raise InvalidConfig(f"input_shape[{a}]={v!r}, but should be an int or a name "
                                    f"like H", rule="config.int")
        out.append(at_least(f"input_shape[{a}]", v, 1, rule="config.nonempty"))
    return tuple(out)


# ---------------------------------------------------------------------- the summary


def _num(v: Any) -> str:
    if isinstance(v, int):
        return f"{v:,}"
    return str(v)


def _shape(shape: tuple) -> str:
    return "(" + ", ".join(str(v) for v in shape) + ("," if len(shape) == 1 else "") + ")"


def _rf_text(rf: tuple | None) -> str:
    """size/jump/start, once when every axis agrees, else per axis separated by '; '."""
    if not rf or any(a is None for a in rf):
        return "-"
    texts = [f"{a.size}/{a.jump}/{a.start}" for a in rf]
    return texts[0] if len(set(texts)) == 1 else "; ".join(texts)


def _jsonable(v: Any) -> Any:
    if isinstance(v, bool) or v is None:
        return v
    if isinstance(v, int):
        return v
    if isinstance(v, (tuple, list)):
        return [_jsonable(x) for x in v]
    if isinstance(v, RF):
        return {"size": _jsonable(v.size), "jump": _jsonable(v.jump), "start": _jsonable(v.start)}
    return str(v)


@dataclass(frozen=True)
class Summary:
    """The result of :func:`summarize`: rows, totals and (symbolic sizes) constraints."""

    rows: tuple[Row, ...]
    input_shape: tuple
    output_shape: tuple
    total_params: Any
    total_macs: Any
    total_buffers: Any
    constraints: tuple

    HEADERS = ("#", "Layer", "Type", "Output shape", "Params", "MACs", "RF size/jump/start")

    def _cells(self) -> list[tuple[str, ...]]:
        return [(r.index, "  " * r.depth + r.name, r.kind, _shape(r.output_shape), _num(r.params),
                 _num(r.macs), _rf_text(r.receptive_field)) for r in self.rows]

    def _footer(self) -> list[str]:
        lines = [f"Input shape: {_shape(self.input_shape)} (channels first, batch omitted)",
                 f"Output shape: {_shape(self.output_shape)}",
                 f"Total params: {_num(self.total_params)}",
                 f"Total MACs: {_num(self.total_macs)} (per sample)"]
        if self.total_buffers != 0:
            lines.append(f"Buffers (not trained): {_num(self.total_buffers)} "
                         f"(BatchNorm running mean and variance)")
        if self.constraints:
            lines.append("Valid when: " + "; ".join(str(c) for c in self.constraints))
        return lines

    def __str__(self) -> str:
        cells = self._cells()
        widths = [max(len(h), *(len(row[i]) for row in cells)) if cells else len(h)
                  for i, h in enumerate(self.HEADERS)]
        right = {0, 4, 5}

        def line(values: Sequence[str]) -> str:
            return "  ".join(v.rjust(w) if i in right else v.ljust(w)
                             for i, (v, w) in enumerate(zip(values, widths))).rstrip()

        rule = "=" * len(line(["x" * w for w in widths]))
        return "\n".join([line(self.HEADERS), rule, *(line(c) for c in cells), rule,
                          *self._footer()])

    def to_markdown(self) -> str:
        """A Markdown table of the rows, then the totals."""
        def cell(text: str) -> str:
            body = text.lstrip(" ")
            return "\u00a0" * (len(text) - len(body)) + body.replace("|", "\\|")

        out = ["| " + " | ".join(self.HEADERS) + " |",
               "|" + "|".join("---:" if i in (0, 4, 5) else "---"
                              for i in range(len(self.HEADERS))) + "|"]
        out += ["| " + " | ".join(cell(c) for c in row) + " |" for row in self._cells()]
        return "\n".join(out + [""] + [f"- {x}" for x in self._footer()]) + "\n"

    def to_dict(self) -> dict:
        """Plain data: ints stay ints, symbolic values become strings."""
        rows = [{"index": r.index, "name": r.name, "kind": r.kind, "depth": r.depth,
                 "input_shape": _jsonable(r.input_shape), "output_shape": _jsonable(r.output_shape),
                 "params": _jsonable(r.params), "macs": _jsonable(r.macs),
                 "buffers": _jsonable(r.buffers), "receptive_field": _jsonable(r.receptive_field),
                 "dropped": _jsonable(r.dropped), "constraints": _jsonable(r.constraints),
                 "rules": list(r.rules)} for r in self.rows]
        return {"input_shape": _jsonable(self.input_shape),
                "output_shape": _jsonable(self.output_shape),
                "total_params": _jsonable(self.total_params),
                "total_macs": _jsonable(self.total_macs),
                "total_buffers": _jsonable(self.total_buffers),
                "constraints": _jsonable(self.constraints), "rows": rows}

    def to_json(self, indent: int | None = 2) -> str:
        return json.dumps(self.to_dict(), indent=indent)


def _total(values: list) -> Any:
    out: Any = 0
    for v in values:
        out = out + v
    return out


def _merge_constraints(rows: list[Row]) -> tuple:
    """One ``H >= n`` per symbol (the largest n), then every other condition once."""
    lower: dict[Any, int] = {}
    rest: list = []
    for r in rows:
        for c in r.constraints:
            if type(c).__name__ == "GreaterThan" and c.lhs.is_Symbol and c.rhs.is_Integer:
                lower[c.lhs] = max(lower.get(c.lhs, 1), int(c.rhs))
            elif c not in rest:
                rest.append(c)
    if not lower:
        return tuple(rest)
    import sympy

    return tuple([sympy.Ge(sym, n) for sym, n in sorted(lower.items(), key=lambda t: str(t[0]))]
                 + rest)


def summarize(model: Any, input_shape: Sequence[Any]) -> Summary:
    """Shapes, params, MACs and receptive fields of ``model`` on ``input_shape`` (C, *spatial).

    Raises InvalidConfig naming the layer index and the rule for an invalid network (a
    channel mismatch, a kernel larger than its padded input, branches that do not add up).
    """
    shape = parse_input_shape(input_shape)
    if isinstance(model, L.Layer):
        model = [model]
    elif not isinstance(model, (list, tuple)):
        if not (hasattr(model, "named_modules") and hasattr(model, "forward")):
            raise TypeError(f"model={type(model).__name__}, but should be a list of layer specs "
                            f"or a torch.nn.Module")
        from ._from_torch import specs_from_module

        model = specs_from_module(model)
    walker = Walker()
    out = walker.walk(model, initial_state(shape), "", 0)
    rows = walker.rows
    return Summary(rows=tuple(rows), input_shape=shape, output_shape=out.shape,
                   total_params=_total([r.params for r in rows]),
                   total_macs=_total([r.macs for r in rows]),
                   total_buffers=_total([r.buffers for r in rows]),
                   constraints=_merge_constraints(rows))
