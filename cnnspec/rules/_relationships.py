"""The 15 size relationships of Dumoulin & Visin, 'A guide to convolution arithmetic for deep
learning' (arXiv:1603.07285), each written once.

A :class:`Relationship` holds the paper's closed form in the paper's notation and the call of
cnnspec.formulas that is the general rule in the relationship's special case.  The arith
rules (rules/arith.py) take their titles, formula lines and rendered formulas from here; their
checks (rules/arith_checks.py) read the closed form back (parsed as the rendered-formula
checks of rules/formula_checks.py parse a formula line), prove it equal to the call, and
compare both with brute-force counts.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .. import formulas
from ._counting import scatter_length, stretched_conv_length
from ._evidence import call_text, expect_equal
from ._symbols import symbols

__all__ = ["Relationship", "RELATIONSHIPS", "parse", "closed_forms", "paper", "special_case",
           "agree", "transposed_agree", "recovers_the_input", "remainder_lost"]

Call = tuple[str, tuple[Any, ...], dict[str, Any]]


def _sym(names: str) -> tuple[Any, ...]:
    """Positive integer symbols, except p, n and a, which may be 0."""
    import sympy

    return tuple(sympy.Symbol(n, integer=True, nonnegative=True) if n in ("p", "n", "a")
                 else symbols(n) for n in names.split())


@dataclass(frozen=True)
class Relationship:
    """One relationship of the paper.

    ``form``: the closed form in the paper's notation, as the formula line shows it (``2p``
    and ``s(i' - 1)`` are products; a chain ``a = b`` states that every part is equal).
    ``at``: the special case, as (name, expression) pairs (``("p", "0")``); ``note``: a
    hypothesis or an equivalence in words; ``defines``: an auxiliary name's definition.
    ``case(v)``: the general rule's formula call in the special case, ``(name, args,
    kwargs)`` of a function of cnnspec.formulas, from a dict of the variables ``names``
    (SymPy symbols or ints; ``i'`` is the input of a transposed convolution).
    """

    number: int
    names: str
    case: Callable[[dict[str, Any]], Call]
    form: str
    at: tuple[tuple[str, str], ...] = ()
    note: str = ""
    defines: str = ""

    @property
    def lhs(self) -> str:
        return "o'" if "i'" in self.names.split() else "o"

    def formula_line(self) -> str:
        where = "; ".join(p for p in (", ".join(f"{n} = {e}" for n, e in self.at), self.note) if p)
        return (f"{self.lhs} = {self.form}" + (f",   {self.defines}" if self.defines else "")
                + (f"   ({where})" if where else ""))

    def title(self, heading: str) -> str:
        return f"{heading}: {self.lhs} = {self.form.split(' = ')[-1]}"

    def symbols(self) -> dict[str, Any]:
        return dict(zip(self.names.split(), _sym(self.names)))

    def symbolic(self) -> Any:
        """The general rule's formula in the special case, over SymPy symbols."""
        name, args, kwargs = self.case(self.symbols())
        return getattr(formulas, name)(*args, **kwargs)


def _call(fn: str, *a: str, **kw: str) -> Callable[[dict[str, Any]], Call]:
    """``fn`` called with the variables named (``a``: positional, ``kw``: keywords)."""
    return lambda v: (fn, tuple(v[n] for n in a), {k: v[n] for k, n in kw.items()})


def _odd(fn: str, i: str) -> Callable[[dict[str, Any]], Call]:
    """``fn`` with the odd kernel 2n + 1 and padding n."""
    return lambda v: (fn, (v[i], 2 * v["n"] + 1), {"padding": v["n"]})


C, T = "conv_out_size", "conv_transpose_out_size"
_HALF = (("k", "2n + 1"), ("s", "1"), ("p", "n"))
_EQUIV = "equivalent: k' = k, s' = 1, p' = "
#: rule ID -> its relationship: the one place each is written
RELATIONSHIPS: dict[str, Relationship] = {
    "arith.unit-stride-no-padding": Relationship(
        1, "i k", _call(C, "i", "k"), "(i - k) + 1", at=(("s", "1"), ("p", "0"))),
    "arith.unit-stride-padding": Relationship(
        2, "i k p", _call(C, "i", "k", padding="p"), "(i - k) + 2p + 1", at=(("s", "1"),)),
    "arith.half-padding": Relationship(
        3, "i n", _odd(C, "i"), "i + 2*floor(k/2) - (k - 1) = i", at=_HALF),
    "arith.full-padding": Relationship(
        4, "i k", lambda v: (C, (v["i"], v["k"]), {"padding": formulas.full_padding(v["k"])}),
        "i + (k - 1)", at=(("s", "1"), ("p", "k - 1"))),
    "arith.strided-no-padding": Relationship(
        5, "i k s", _call(C, "i", "k", stride="s"), "floor((i - k)/s) + 1", at=(("p", "0"),)),
    "arith.strided-padding": Relationship(
        6, "i k s p", _call(C, "i", "k", stride="s", padding="p"), "floor((i + 2p - k)/s) + 1"),
    "arith.pooling": Relationship(
        7, "i k s", _call("pool_out_size", "i", "k", stride="s"), "floor((i - k)/s) + 1",
        at=(("p", "0"),)),
    "arith.transposed-unit-stride-no-padding": Relationship(
        8, "i' k", _call(T, "i'", "k"), "i' + (k - 1)", at=(("s", "1"), ("p", "0")),
        note=_EQUIV + "k - 1"),
    "arith.transposed-unit-stride-padding": Relationship(
        9, "i' k p", _call(T, "i'", "k", padding="p"), "i' + (k - 1) - 2p", at=(("s", "1"),),
        note=_EQUIV + "k - p - 1"),
    "arith.transposed-half-padding": Relationship(
        10, "i' n", _odd(T, "i'"), "i' + (k - 1) - 2p = i'", at=_HALF),
    "arith.transposed-full-padding": Relationship(
        11, "i' k", lambda v: (T, (v["i'"], v["k"]), {"padding": v["k"] - 1}), "i' - (k - 1)",
        at=(("s", "1"), ("p", "k - 1")), note="equivalent: p' = 0"),
    "arith.transposed-strided-no-padding": Relationship(
        12, "i' k s", _call(T, "i'", "k", stride="s"), "s(i' - 1) + k", at=(("p", "0"),),
        note="(i - k) mod s = 0"),
    "arith.transposed-strided-padding": Relationship(
        13, "i' k s p", _call(T, "i'", "k", stride="s", padding="p"), "s(i' - 1) + k - 2p",
        note="(i + 2p - k) mod s = 0"),
    "arith.transposed-strided-remainder": Relationship(
        14, "i' k s p a", _call(T, "i'", "k", stride="s", padding="p", output_padding="a"),
        "s(i' - 1) + a + k - 2p", defines="a = (i + 2p - k) mod s < s"),
    "arith.dilated": Relationship(
        15, "i k s p d", _call(C, "i", "k", stride="s", padding="p", dilation="d"),
        "floor((i + 2p - k - (k - 1)(d - 1))/s) + 1", defines="k^ = k + (k - 1)(d - 1)"),
}


# ---------------------------------------------------------------- reading them back


def parse(text: str, syms: dict[str, Any] | None = None) -> Any:
    """An expression of a formula line, read as the rendered-formula checks read it."""
    from ._formula_text import text_expr as _text_expr

    return _text_expr(text, syms or {})


@functools.cache
def closed_forms(rule: str) -> tuple[tuple[str, Any], ...]:
    """(text, SymPy expression) of each part of the rule's closed form, in the symbols of
    its variables, the special case (``at``) substituted: ``k = 2n + 1`` turns k into 2n + 1."""
    rel = RELATIONSHIPS[rule]
    syms = rel.symbols()
    at = {name: parse(expr, syms) for name, expr in rel.at}
    out = []
    for part in rel.form.split(" = "):
        expr = parse(part, syms)
        out.append((part, expr.subs({s: at[s.name] for s in expr.free_symbols if s.name in at})))
    return tuple(out)


def paper(rule: str, values: dict[str, Any]) -> list[tuple[str, Any]]:
    """(text, value) of each part of the closed form at ``values`` (by the variables' names);
    a value that is not an integer stays as it is (a size must be one: the comparison with
    the count then fails, where int() would have truncated it)."""
    at = ", ".join(f"{n}={v}" for n, v in values.items())
    out = []
    for text, expr in closed_forms(rule):
        v = expr.subs({s: values[s.name] for s in expr.free_symbols})
        out.append((f"{text} at {at}", int(v) if v.is_integer else v))
    return out


def special_case(rule: str, values: dict[str, Any]) -> tuple[str, Any]:
    """(the call as text, its value): the general rule's formula in the rule's special case."""
    name, args, kwargs = RELATIONSHIPS[rule].case(values)
    return call_text(name, *args, **kwargs), getattr(formulas, name)(*args, **kwargs)


def agree(rule: str, call: str, got: int, values: dict[str, Any], *others: tuple[str, int]) -> None:
    """``got`` (the formula's value) is the closed form's at ``values`` and each of ``others``
    ((what, value): a brute-force count, an equivalent construction)."""
    name = RELATIONSHIPS[rule].lhs
    for text, value in paper(rule, values):
        expect_equal(name, got, value, rule=rule, call=call, detail=f"  paper: {text} = {value}")
    for what, value in others:
        expect_equal(name, got, value, rule=rule, call=call, detail=f"  {what}: {value}")


def transposed_agree(rule: str, values: dict[str, Any]) -> int:
    """A transposed relationship at ``values``: o' of its formula call is the closed form's,
    the cells the scatter writes (cropped by the padding) and, when p <= k - 1, the output of
    the equivalent direct convolution over the stretched input.  Returns o'."""
    _, (i, k), kw = RELATIONSHIPS[rule].case(values)
    s, p, a = kw.get("stride", 1), kw.get("padding", 0), kw.get("output_padding", 0)
    call, got = special_case(rule, values)
    others = [("cells the scatter writes, cropped by the padding",
               scatter_length(i, k, s, p, p, a, 1))]
    if p <= k - 1:
        others.append((f"the equivalent convolution (k' = {k}, s' = 1, p' = ({k - p - 1}, "
                       f"{k - p - 1 + a}) over the stretched input)",
                       stretched_conv_length(i, k, s, p, a)))
    agree(rule, call, got, values, *others)
    return got


def recovers_the_input(rule: str, c: dict, a: int = 0) -> None:
    """A transposed relationship from the convolution it transposes (c: i, k, s, p): at
    i' = conv_out_size(i), o' is the rule's (transposed_agree) and is i."""
    i, k, s, p = c["i"], c["k"], c["s"], c["p"]
    i_t = formulas.conv_out_size(i, k, stride=s, padding=p)
    o = transposed_agree(rule, {"i'": i_t, "k": k, "s": s, "p": p, "a": a})
    expect_equal("o'", o, i, rule=rule,
                 call=call_text("conv_transpose_out_size", i_t, k, stride=s, padding=p,
                                **({"output_padding": a} if a else {})),
                 detail=f"  the input size of conv_out_size({i}, {k}, stride={s}, padding={p}) "
                        f"= {i_t}")


def remainder_lost(rule: str, c: dict) -> None:
    """Past the hypothesis: with a = (i + 2p - k) mod s > 0 and no output_padding the
    transpose gives i - a, not i."""
    i, k, s, p = c["i"] + c["a"], c["k"], c["s"], c["p"]
    i_t = formulas.conv_out_size(i, k, stride=s, padding=p)
    call = call_text("conv_transpose_out_size", i_t, k, stride=s, padding=p)
    expect_equal("o'", formulas.conv_transpose_out_size(i_t, k, stride=s, padding=p),
                 i - c["a"], rule=rule, call=call,
                 detail=f"  conv_out_size({i}, {k}, stride={s}, padding={p}) = {i_t}; "
                        f"a = {c['a']} cells are lost without output_padding")
