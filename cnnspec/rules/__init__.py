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

__all__ = ["Rule", "Example", "rule", "get", "all_rules", "families", "suggest", "FAMILY_MODULES"]


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


_REGISTRY: dict[str, Rule] = {}

#: The modules that declare rules, in the order the spec presents them.
FAMILY_MODULES = ("config", "conv", "conv_transpose", "pool", "pad", "arith", "tolerance", "net")


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


def _load() -> None:
    if _REGISTRY:
        return
    import importlib

    for name in FAMILY_MODULES:
        importlib.import_module(f"{__name__}.{name}")


def all_rules() -> list[Rule]:
    _load()
    return list(_REGISTRY.values())


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
