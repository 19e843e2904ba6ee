"""The rule registry: every rule of the spec, declared once, by stable semantic ID.

A rule's prose lives here and nowhere else; ``spec/*.md`` and ``cnnspec explain`` are
rendered from it.  IDs are ``family.slug`` (``conv.out-size``); once published an ID is
never renamed or reused.  One module per family declares its rules with :func:`rule`.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Rule", "Example", "Check", "LEVELS", "rule", "check", "get", "all_rules", "all_checks",
           "checks_for", "families", "suggest", "strategies", "FAMILY_MODULES"]


@dataclass(frozen=True)
class Example:
    """A worked example with small integers: what goes in, what comes out, and why."""

    given: str
    result: str
    why: str = ""


@dataclass(frozen=True)
class Rule:
    """One rule of the spec.

    ``symbolic`` (optional) builds the rule's formula from cnnspec.formulas with SymPy
    symbols, so the plain-text and LaTeX renderings come from the one definition.
    """

    id: str
    title: str
    statement: str
    ops: tuple[str, ...] = ()
    formula: str = ""
    symbolic: Callable[[], Any] | None = None
    preconditions: tuple[str, ...] = ()
    examples: tuple[Example, ...] = ()
    sources: tuple[str, ...] = ()
    see_also: tuple[str, ...] = field(default=())

    @property
    def family(self) -> str:
        return self.id.split(".", 1)[0]

    def formula_text(self) -> str:
        """The formula as plain text (from SymPy where the rule has ``symbolic``)."""
        if self.symbolic is not None:
            return f"{self.formula}\n  = {self.symbolic()}" if self.formula else str(self.symbolic())
        return self.formula

    def formula_latex(self) -> str:
        if self.symbolic is None:
            return ""
        import sympy

        return sympy.latex(self.symbolic())


@dataclass(frozen=True)
class Check:
    """An executable check of one rule, runnable on any target.

    ``fn(target, case)`` raises AssertionError (its message citing ``rule``) when the
    target breaks the rule on ``case``; ``cases()`` returns the Hypothesis strategy that
    draws the cases.  ``kind`` is "positive" (a valid configuration computed right) or
    "negative" (an invalid one refused).  ``ops``: the contract ops the check calls; a
    target lacking one of them is 'not implemented' for this check.  ``level``: the grade of
    conformance the check belongs to (:data:`LEVELS`): "compute" for positive checks,
    "refuse" for negative ones, "strict" for input hygiene (dtypes, float-valued or bool
    parameters) that a correct computation need not police.
    """

    rule: str
    name: str
    ops: tuple[str, ...]
    kind: str
    cases: Callable[[], Any]
    fn: Callable[[Any, Any], None]
    max_examples: int | None = None
    level: str = "compute"
    #: draws large cases: a call past the runner's --timeout is "too slow here" (a naive,
    #: correct loop implementation), reported as unsupported with the reason, not as a hang
    large: bool = False

    @property
    def id(self) -> str:
        return f"{self.rule}::{self.name}"


#: The grades of conformance, each including the ones before it: ``compute`` (every valid
#: configuration computed right: the default), ``refuse`` (also every invalid configuration
#: refused), ``strict`` (also input hygiene: complex or bool arrays, float or bool parameters).
LEVELS = ("compute", "refuse", "strict")

_REGISTRY: dict[str, Rule] = {}
_CHECKS: list[Check] = []


def strategies() -> Any:
    """cnnspec.strategies, imported when a check first draws (Hypothesis loads lazily)."""
    from .. import strategies as s

    return s


def check(rule_id: str, *, ops: tuple[str, ...] | str, cases: Callable[[], Any],
          kind: str = "positive", max_examples: int | None = None,
          level: str | None = None, large: bool = False) -> Callable[..., Any]:
    """Declare ``fn(target, case)`` as a check of ``rule_id`` (declared in the same module).
    ``level`` defaults to "compute" for a positive check and "refuse" for a negative one."""
    if kind not in ("positive", "negative"):
        raise ValueError(f"kind={kind!r}, but should be 'positive' or 'negative'")
    level = level or ("compute" if kind == "positive" else "refuse")
    if level not in LEVELS:
        raise ValueError(f"level={level!r}, but should be one of {', '.join(LEVELS)}")

    def register(fn: Callable[[Any, Any], None]) -> Callable[[Any, Any], None]:
        if rule_id not in _REGISTRY:
            raise ValueError(f"check {fn.__name__} cites rule id={rule_id!r}, which is not declared")
        name = fn.__name__.removeprefix("check_")
        if any(c.rule == rule_id and c.name == name for c in _CHECKS):
            raise ValueError(f"check {rule_id}::{name} is declared twice")
        _CHECKS.append(Check(rule_id, name, (ops,) if isinstance(ops, str) else tuple(ops), kind,
                             cases, fn, max_examples, level, large))
        return fn

    return register

#: The modules that declare rules, in the order the spec presents them.
FAMILY_MODULES = ("config", "conv", "conv_transpose", "pool", "grad", "pad", "arith", "tolerance",
                  "net")


def rule(id: str, title: str, statement: str, **kwargs: Any) -> Rule:
    """Declare a rule; a second declaration of the same ID is an error."""
    if id in _REGISTRY:
        raise ValueError(f"rule id={id!r} is declared twice")
    if id.count(".") < 1 or id != id.lower() or " " in id:
        raise ValueError(f"rule id={id!r}, but should be a lowercase 'family.slug'")
    for key in ("ops", "preconditions", "sources", "see_also", "examples"):
        if key in kwargs:
            kwargs[key] = tuple(kwargs[key])
    r = Rule(id=id, title=title, statement=" ".join(statement.split()), **kwargs)
    _REGISTRY[id] = r
    return r


_loaded = False


def _load() -> None:
    """Import every family module once (a module imported on its own first is kept)."""
    global _loaded
    if _loaded:
        return
    import importlib

    for name in FAMILY_MODULES:
        importlib.import_module(f"{__name__}.{name}")
    _loaded = True


def all_rules() -> list[Rule]:
    _load()
    return list(_REGISTRY.values())


def all_checks() -> list[Check]:
    _load()
    return list(_CHECKS)


def checks_for(rule_id: str) -> list[Check]:
    return [c for c in all_checks() if c.rule == rule_id]


def get(id: str) -> Rule:
    """The rule with this ID; KeyError with suggestions otherwise."""
    _load()
    try:
        return _REGISTRY[id]
    except KeyError:
        near = suggest(id)
        hint = f"; did you mean {', '.join(near)}?" if near else ""
        raise KeyError(f"unknown rule id={id!r}{hint}") from None


def suggest(id: str, n: int = 3) -> list[str]:
    _load()
    return difflib.get_close_matches(id, list(_REGISTRY), n=n, cutoff=0.5)


def families() -> dict[str, list[Rule]]:
    out: dict[str, list[Rule]] = {}
    for r in all_rules():
        out.setdefault(r.family, []).append(r)
    return out
