"""Inverse questions: from a wanted output back to the configuration or the input.

* :func:`paddings` -- every (before, after) padding that gives output size o (symmetric
  first, then TensorFlow/ONNX 'same' as SAME_UPPER / SAME_LOWER, then the rest);
* :func:`kernel_strides` -- every (kernel, stride) that maps i to o, over a stated range;
* :func:`sizes_without_remainder` -- the input sizes a network accepts without the floor
  dropping input cells at the end of an axis [net.remainder]: exhaustively over a range,
  or exactly for every size with a symbol (a :class:`SizeSet`, "H = 0 mod 32, H >= 32").

Every candidate is checked with the forward formulas of :mod:`cnnspec.formulas`
(conv.out-size, pool.out-size, pool.ceil-mode); nothing is solved by float arithmetic.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from . import formulas
from ._check import as_int, at_least, is_symbolic, pairs, require
from .errors import InvalidConfig

__all__ = ["Padding", "paddings", "KernelStride", "kernel_strides", "SizeSet",
           "sizes_without_remainder"]


class Padding(NamedTuple):
    """A (before, after) padding and its names: 'symmetric', 'same_upper', 'same_lower'."""

    before: Any
    after: Any
    labels: tuple[str, ...] = ()


class KernelStride(NamedTuple):
    kernel: int
    stride: int


def _out(op: str, i: Any, k: int, s: int, pad: tuple, d: int, ceil_mode: bool) -> Any:
    """The forward size, or None where the configuration is invalid."""
    try:
        if op == "conv":
            return formulas.conv_out_size(i, k, stride=s, padding=pad, dilation=d)
        # raises [pool.window-has-input] too, for ints
        return formulas.pool_out_size(i, k, stride=s, padding=pad, dilation=d,
                                      ceil_mode=ceil_mode)
    except InvalidConfig:
        return None


def _check_op(op: str) -> None:
    if op not in ("conv", "pool"):
        raise ValueError(f"op={op!r}, but should be 'conv' or 'pool'")


def _check_bound(name: str, v: Any, low: int, rule: str) -> Any:
    """An optional search bound: None, or an int >= low."""
    return None if v is None else at_least(name, v, low, rule=rule)


def _check_size(name: str, v: Any) -> Any:
    """A size of the question (i or o): an int or SymPy expression >= 1, never a str."""
    return at_least(name, v, 1, rule="config.nonempty")


def _check_ceil_mode(ceil_mode: Any) -> bool:
    require(isinstance(ceil_mode, bool) or type(ceil_mode).__name__ == "bool_",
            f"ceil_mode={ceil_mode!r}, but should be a bool", rule="config.int")
    return bool(ceil_mode)


def _int_paddings(i: int, o: int, k: int, s: int, d: int, op: str, ceil_mode: bool,
                  max_total: int | None) -> list[tuple[int, int]]:
    """Conv: every solution (the size grows with the total padding, so the search ends).
    Pooling: each side below the dilated kernel (a side that large only adds windows of
    padding, invalid [pool.window-has-input], or in ceil_mode windows that are dropped)."""
    eff = formulas.effective_kernel(k, d)
    found = []
    # conv: o = floor((i + P - eff)/s) + 1 needs P >= (o - 1)*s + eff - i; smaller totals give
    # fewer windows (or none), so the search starts there instead of walking up to it
    start = max(0, (o - 1) * s + eff - i) if op == "conv" else 0
    for total in itertools.count(start):
        if max_total is not None and total > max_total or op == "pool" and total > 2 * (eff - 1):
            break
        sides = [(pb, total - pb) for pb in range(total + 1)
                 if op == "conv" or max(pb, total - pb) < eff]
        outs = [(pb, pa, _out(op, i, k, s, (pb, pa), d, ceil_mode)) for pb, pa in sides]
        found += [(pb, pa) for pb, pa, out in outs if out == o]
        valid = [out for _, _, out in outs if out is not None]
        if op == "conv" and valid and min(valid) > o:  # nondecreasing in both paddings
            break
    return found


def paddings(i: Any, o: Any, kernel_size: int, *, stride: int = 1, dilation: int = 1,
             op: str = "conv", ceil_mode: bool = False,
             max_total: int | None = None) -> list[Padding]:
    """Every (before, after) padding for which the layer maps i to o.  [conv.out-size] [pad.same]

    Ordered: symmetric ones (smallest first), then the SAME_UPPER and SAME_LOWER paddings
    of formulas.same_padding when they give o, then the rest by total. For pooling
    (op="pool") a padding whose window would see only padding is not a solution
    [pool.window-has-input]. With a symbolic i (and o an expression in it) the answer is
    the constant paddings that give o for every size, each proved with cnnspec._symbolic_sizes.

    Raises InvalidConfig for a size below 1 (``i=0, but should be >= 1 [config.nonempty]``),
    a kernel, stride or dilation below 1, a non-int, or a negative ``max_total``.
    """
    _check_op(op)
    i, o = _check_size("i", i), _check_size("o", o)
    kernel_size = at_least("kernel_size", kernel_size, 1, rule="config.kernel")
    stride = at_least("stride", stride, 1, rule="config.stride")
    dilation = at_least("dilation", dilation, 1, rule="config.dilation")
    ceil_mode = _check_ceil_mode(ceil_mode)
    max_total = _check_bound("max_total", max_total, 0, "config.padding")
    if is_symbolic(i) or is_symbolic(o):
        return _symbolic_paddings(i, o, kernel_size, stride, dilation, op, ceil_mode, max_total)
    found = _int_paddings(i, o, kernel_size, stride, dilation, op, ceil_mode, max_total)
    same: dict[tuple[Any, Any], list[str]] = {}
    for mode in ("upper", "lower"):
        pair = formulas.same_padding(i, kernel_size, stride=stride, dilation=dilation, mode=mode)
        same.setdefault(pair, []).append(f"same_{mode}")
    out = []
    for pb, pa in found:
        labels = (("symmetric",) if pb == pa else ()) + tuple(same.get((pb, pa), ()))
        out.append(Padding(pb, pa, labels))

    def order(p: Padding) -> tuple:
        group = 0 if "symmetric" in p.labels else 1 if "same_upper" in p.labels else \
            2 if "same_lower" in p.labels else 3
        return group, p.before + p.after, abs(p.before - p.after), p.before

    return sorted(out, key=order)


def _symbolic_paddings(i: Any, o: Any, k: int, s: int, d: int, op: str, ceil_mode: bool,
                       max_total: int | None) -> list[Padding]:
    from ._symbolic_sizes import simplify, univariate_symbol, zero_set

    sym = univariate_symbol(i)
    if sym is None:
        raise ValueError(f"i={i}, but should be a size in one symbol")
    sample = 10_000 * s * k * d + 1  # any padding that works for every size works here
    o_at = int(o.subs(sym, sample)) if is_symbolic(o) else o
    i_at = int(i.subs(sym, sample))
    out = []
    for pb, pa in _int_paddings(i_at, o_at, k, s, d, op, ceil_mode, max_total):
        size = _out(op, i, k, s, (pb, pa), d, ceil_mode)
        z = zero_set(simplify(size - o))
        if z is not None and len(z[2]) == z[1]:
            out.append(Padding(pb, pa, ("symmetric",) if pb == pa else ()))
    return sorted(out, key=lambda p: (p.labels != ("symmetric",), p.before + p.after,
                                      abs(p.before - p.after), p.before))


def kernel_strides(i: int, o: int, *, padding: Any = 0, dilation: int = 1,
                   max_kernel: int | None = None, max_stride: int | None = None,
                   op: str = "conv", ceil_mode: bool = False) -> list[KernelStride]:
    """Every (kernel, stride) with kernel <= max_kernel, stride <= max_stride mapping i to o.

    Exhaustive over the stated range (default: every kernel that fits the padded input and
    every stride up to the padded input size), each checked with the forward formula.
    Raises InvalidConfig for i or o below 1, a negative padding, a dilation or a bound
    below 1, or a non-int.
    """
    _check_op(op)
    i, o = as_int("i", i), as_int("o", o)
    for name, v in (("i", i), ("o", o)):
        if is_symbolic(v):  # the search runs over ints up to i: it needs a number
            raise InvalidConfig(f"{name}={v}, but should be an int (kernel_strides searches "
                                f"the kernels and strides for one size)", rule="config.int")
    require(i >= 1, f"i={i}, but should be >= 1", rule="config.nonempty")
    require(o >= 1, f"o={o}, but should be >= 1", rule="config.nonempty")
    (pb, pa), = pairs("padding", padding if isinstance(padding, int) else (padding,), 1)
    require(pb >= 0 and pa >= 0, f"padding={padding!r}, but should be >= 0 before and after",
            rule="config.padding")
    dilation = at_least("dilation", dilation, 1, rule="config.dilation")
    max_kernel = _check_bound("max_kernel", max_kernel, 1, "config.kernel")
    max_stride = _check_bound("max_stride", max_stride, 1, "config.stride")
    ceil_mode = _check_ceil_mode(ceil_mode)
    room = i + pb + pa
    max_k = max_kernel if max_kernel is not None else (room - 1) // dilation + 1
    max_s = max_stride if max_stride is not None else room
    out = []
    for k in range(1, max_k + 1):
        first = 1
        if op == "conv":  # floor(R/s) + 1 > o for every s <= R // o: start past them
            slack = room - formulas.effective_kernel(k, dilation)
            if slack < 0:
                continue  # the kernel does not fit [conv.kernel-fits]
            first = slack // o + 1
        for s in range(first, max_s + 1):
            size = _out(op, i, k, s, (pb, pa), dilation, ceil_mode)
            if size == o:
                out.append(KernelStride(k, s))
            elif size is not None and size < o:
                break  # the size only shrinks as the stride grows
    return out


@dataclass(frozen=True)
class SizeSet:
    """The sizes H >= minimum with H mod period in residues (plus isolated extra sizes),
    that also satisfy the summary's other conditions."""

    symbol: Any
    period: int
    residues: frozenset[int]
    minimum: int
    extra: tuple[int, ...] = ()
    conditions: tuple = ()

    def __contains__(self, n: int) -> bool:
        if n < self.minimum:
            return False
        if n % self.period not in self.residues and n not in self.extra:
            return False
        return all(bool(c.subs(self.symbol, n)) for c in self.conditions)

    def first(self, count: int) -> list[int]:
        """The smallest ``count`` sizes of the set (fewer if it is finite and smaller)."""
        out: list[int] = []
        n = self.minimum
        limit = self.minimum + self.period * (count + 1) + max(self.extra, default=0)
        while len(out) < count and n <= limit:
            if n in self:
                out.append(n)
            n += 1
        return out

    def __str__(self) -> str:
        h = str(self.symbol)
        if not self.residues and not self.extra:
            return f"no {h}"
        parts = []
        if self.residues:
            rs = ", ".join(str(r) for r in sorted(self.residues))
            parts.append(f"{h} >= {self.minimum}" if self.period == 1 else
                         f"{h} mod {self.period} in {{{rs}}}, {h} >= {self.minimum}")
        if self.extra:
            parts.append(f"{h} in {{{', '.join(str(e) for e in self.extra)}}}")
        tail = "".join(f"; {c}" for c in self.conditions)
        return " or ".join(parts) + tail


def sizes_without_remainder(model: Any, input_shape: Sequence[Any], *,
                            sizes: Iterable[int] | None = None) -> Any:
    """The input sizes for which no layer's floor drops input cells.  [net.remainder]

    ``input_shape`` has one symbol (it may stand on several axes: ``(3, "H", "H")``).
    With ``sizes`` (e.g. ``range(1, 513)``): the list of those sizes that make a valid
    network with nothing dropped, found by summarizing each. Without: a :class:`SizeSet`
    describing every such size, proved with cnnspec._symbolic_sizes.
    """
    from .summary import parse_input_shape, summarize

    shape = parse_input_shape(input_shape)
    symbols = {s for v in shape if is_symbolic(v) for s in v.free_symbols}
    if len(symbols) != 1:
        raise ValueError(f"input_shape={tuple(input_shape)!r}, but should hold exactly one "
                         f"symbol (found {len(symbols)})")
    sym = symbols.pop()
    if sizes is not None:
        accepted = []
        for n in sizes:
            n = as_int("size", n)  # a str or float would become a SymPy value in subs
            try:
                s = summarize(model, tuple(v.subs(sym, n) if is_symbolic(v) else v
                                           for v in shape))
            except InvalidConfig:
                continue
            if all(v == 0 for r in s.rows for v in r.dropped):
                accepted.append(n)
        return accepted
    import sympy

    from ._symbolic_sizes import simplify, zero_set

    s = summarize(model, shape)
    total = simplify(sympy.Add(*(v for r in s.rows for v in r.dropped)))
    z = zero_set(total)
    if z is None:
        raise ValueError(f"dropped cells={total}, but should be quasi-affine in {sym}")
    _, period, residues, points = z
    minimum, rest = 1, []
    for c in s.constraints:
        if isinstance(c, sympy.GreaterThan) and c.lhs == sym and c.rhs.is_Integer:
            minimum = max(minimum, int(c.rhs))
        else:
            rest.append(c)
    return SizeSet(sym, period, residues, minimum, tuple(p for p in points if p >= minimum),
                   tuple(rest))
