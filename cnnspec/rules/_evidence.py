"""Assertion helpers of the checks of the spec itself (``ops=()``): the arith, params, macs
and rf checks, and those of the size formulas.  Each failure cites the rule it checks, in
the house form ``name=value, but should be <relation> [rule]``.

Where to look: these prove the spec's formulas and call no target; a check of a target uses
cnnspec.rules._harness (forward ops) or cnnspec.rules._grad_oracle (backward ops); the
primitives (fail, ...) are cnnspec.asserts'; bounds are cnnspec.tolerance's.
"""

from __future__ import annotations

from typing import Any

from ..asserts import fail
from ..errors import InvalidConfig

__all__ = ["call_text", "composite", "once", "int_symbols", "expect_equal", "expect_refusal",
           "expect_zero"]


def _st() -> Any:
    from hypothesis import strategies as st

    return st


def call_text(name: str, *args: Any, **kwargs: Any) -> str:
    """``conv_out_size(7, 3, stride=2)``: a call of a spec function as a reader would paste
    it, every value by repr (asserts.format_call shows a contract op's arrays by shape and
    names its arguments instead)."""
    parts = [repr(a) for a in args] + [f"{k}={v!r}" for k, v in kwargs.items()]
    return f"{name}({', '.join(parts)})"


def composite(fn: Any) -> Any:
    """``cases`` from ``fn(draw, st) -> dict`` (Hypothesis is imported when a check draws)."""
    def cases() -> Any:
        st = _st()
        return st.composite(lambda draw: fn(draw, st))()
    return cases


def once() -> Any:
    """``cases`` of a check that needs no drawn values (a proof over symbols): one run."""
    return _st().just(None)


def int_symbols(names: str, *, nonnegative: str = "") -> Any:
    """SymPy integer symbols: positive, or nonnegative for the names listed there."""
    import sympy

    nonneg = set(nonnegative.split())
    out = [sympy.Symbol(n, integer=True, **({"nonnegative": True} if n in nonneg
                                            else {"positive": True})) for n in names.split()]
    return out[0] if len(out) == 1 else tuple(out)


def expect_equal(name: str, got: Any, want: Any, *, rule: str, call: str = "",
                 detail: str = "") -> None:
    """``name=got, but should be want [rule]`` unless got == want."""
    if got != want:
        fail(f"{name}={got}, but should be {want}", rule, call, detail)


def expect_refusal(fn: Any, *, raises: str, rule: str, call: str, why: str) -> None:
    """fn() must raise InvalidConfig naming the rule ``raises``."""
    try:
        got = fn()
    except InvalidConfig as e:
        if e.rule != raises:
            fail(f"{call} raised InvalidConfig [{e.rule}], but should name [{raises}]: {why}",
                 rule, call)
        return
    fail(f"{call} returned {got!r}, but should raise InvalidConfig [{raises}]: {why}", rule, call)


def expect_zero(name: str, expr: Any, *, rule: str, call: str = "") -> None:
    """A SymPy expression that must simplify to 0: an identity in its symbols."""
    import sympy

    rest = sympy.simplify(expr)
    if rest != 0:
        fail(f"{name} = {rest}, but should be 0 for every value of the symbols", rule, call)
