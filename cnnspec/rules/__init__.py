"""The rule registry: every rule of the spec, declared once, by stable semantic ID.

A rule's prose lives here and nowhere else; ``spec/*.md`` and ``cnnspec explain`` are
rendered from it.  IDs are ``family.slug`` (``conv.out-size``); once published an ID is
never renamed or reused.

One table, :data:`MODULES`, drives registration: each row names the module that declares a
group of rules with :func:`rule` and the module that declares their checks with
:func:`check`.  Loading imports every declaration module, then every checks module, in the
table's order.  A declaration module imports no checks, and no checks module imports its
rules: a checks module imported on its own works too, because its first :func:`check`
declares every rule first (``python -c "import cnnspec.rules.pool_checks"``).
"""

from __future__ import annotations

import difflib
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ._examples import call_example, formula_example

__all__ = ["Rule", "Example", "Check", "LEVELS", "rule", "check", "get", "all_rules", "all_checks",
           "checks_for", "families", "suggest", "strategies", "MODULES", "FAMILY_MODULES",
           "CHECK_MODULES", "proofs", "ORACLES", "declared_rules", "call_example",
           "formula_example"]


@dataclass(frozen=True)
class Example:
    """A worked example in prose: what goes in, what comes out, and why.  For the few
    examples no call can state; the others are records that run (:func:`call_example`,
    :func:`formula_example`)."""

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
    examples: tuple[Any, ...] = ()  # Example, CallExample or FormulaExample
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
    parameters) that a correct computation need not police.  A check with ``ops=()`` calls
    no target: it is a *proof* of the spec itself (``cnnspec prove``), never planned by
    ``cnnspec conform``.  ``oracle``: where the expected value comes from (:data:`ORACLES`):
    "reference" when the check compares the target with the reference computing the same
    call (on the reference target it compares the reference with itself), None when the
    evidence is independent of it (a worked example, a formula, a property, a refusal).
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
    oracle: str | None = None
    #: its cases are a finite list of ``max_examples`` cases (the worked examples): every
    #: run draws all of them, whatever the profile, and counts them as its budget
    exhaustive: bool = False

    @property
    def id(self) -> str:
        return f"{self.rule}::{self.name}"

    @property
    def is_proof(self) -> bool:
        """A check of the spec itself: it calls no target op."""
        return not self.ops


#: The grades of conformance, each including the ones before it: ``compute`` (every valid
#: configuration computed right: the default), ``refuse`` (also every invalid configuration
#: refused), ``strict`` (also input hygiene: complex or bool arrays, float or bool parameters).
LEVELS = ("compute", "refuse", "strict")
#: Where a check's expected value may come from besides the check itself: "reference" (the
#: reference computes the same call; see :class:`Check`).
ORACLES = ("reference",)

_REGISTRY: dict[str, Rule] = {}
_CHECKS: list[Check] = []


def strategies() -> Any:
    """cnnspec.strategies, imported when a check first draws (Hypothesis loads lazily)."""
    from .. import strategies as s

    return s


def check(rule_id: str, *, ops: tuple[str, ...] | str, cases: Callable[[], Any],
          kind: str = "positive", max_examples: int | None = None,
          level: str | None = None, large: bool = False, name: str | None = None,
          oracle: str | None = None, exhaustive: bool = False) -> Callable[..., Any]:
    """Declare ``fn(target, case)`` as a check of ``rule_id``.  Its name is ``name``, written
    out by the factory that calls this once per check, else ``fn``'s name without
    ``check_``.  ``level`` defaults to "compute" for a positive check and "refuse" for a
    negative one; ``oracle`` and ``exhaustive``: see :class:`Check`."""
    if kind not in ("positive", "negative"):
        raise ValueError(f"kind={kind!r}, but should be 'positive' or 'negative'")
    if exhaustive and not max_examples:
        raise ValueError("exhaustive=True, but max_examples should give the number of cases")
    level = level or ("compute" if kind == "positive" else "refuse")
    if level not in LEVELS:
        raise ValueError(f"level={level!r}, but should be one of {', '.join(LEVELS)}")
    if oracle is not None and oracle not in ORACLES:
        raise ValueError(f"oracle={oracle!r}, but should be None or one of {', '.join(ORACLES)}")

    def register(fn: Callable[[Any, Any], None]) -> Callable[[Any, Any], None]:
        _declare_rules()
        label = name or fn.__name__.removeprefix("check_")
        if rule_id not in _REGISTRY:
            raise ValueError(f"check {label} cites rule id={rule_id!r}, which is not declared")
        if any(c.rule == rule_id and c.name == label for c in _CHECKS):
            raise ValueError(f"check {rule_id}::{label} is declared twice")
        _CHECKS.append(Check(rule_id, label, (ops,) if isinstance(ops, str) else tuple(ops),
                             kind, cases, fn, max_examples, level, large, oracle,
                             exhaustive))
        _SEQ[_CHECKS[-1].id] = len(_SEQ)
        return fn

    return register


#: The registration table: (the module that declares a group of rules, the module of their
#: checks), in the order the spec presents the rules.  formula_checks checks the rendered
#: size formulas of several groups' rules, and declares no rule of its own.
MODULES: tuple[tuple[str | None, str], ...] = (
    ("config", "config_checks"),             # config.*
    ("conv", "conv_checks"),                 # conv.*
    (None, "conv_property_checks"),          # conv.*: linearity, locality, equivariance, ..., gradients
    ("conv_transpose", "conv_transpose_checks"),  # conv-transpose.*
    ("pool", "pool_checks"),                 # pool.*
    ("grad", "grad_checks"),                 # the backward ops' rules of conv, conv-transpose, pool, config
    ("pad", "pad_checks"),                   # pad.*
    ("arith", "arith_checks"),               # arith.*: the Dumoulin & Visin relationships
    ("count", "count_checks"),               # params.*
    (None, "macs_rf_checks"),                # macs.*, rf.*, conv-transpose.overlap
    (None, "formula_checks"),                # the rendered formulas of the groups above
    ("tolerance", "tolerance_checks"),       # tolerance.*
    ("net", "net_checks"),                   # net.*: networks, sizes, adaptive windows
    (None, "array_checks"),                  # net.py's array rules: batch independence,
                                             # adaptive values, layouts, pool.avg-dilation,
                                             # pool.max-indices
    (None, "example_checks"),                # every rule's worked examples (rules/_examples.py)
)
#: The modules that declare rules, and those that declare checks, in the table's order.
FAMILY_MODULES = tuple(d for d, _ in MODULES if d is not None)
CHECK_MODULES = tuple(c for _, c in MODULES)
_SEQ: dict[str, int] = {}  # check ID -> the order it was declared in
_DECLARED_BY: dict[str, str] = {}  # rule ID -> the module that declared it


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
    _DECLARED_BY[id] = sys._getframe(1).f_globals.get("__name__", "").rsplit(".", 1)[-1]
    return r


_declared = False
_loaded = False


def _declare_rules() -> None:
    """Import every declaration module once: every rule declared, no check."""
    global _declared
    if _declared:
        return
    _declared = True
    import importlib

    for name in FAMILY_MODULES:
        importlib.import_module(f"{__name__}.{name}")


def declared_rules() -> list[Rule]:
    """Every rule declared so far, all declaration modules imported (no checks module): for a
    checks module that declares checks of every rule (example_checks)."""
    _declare_rules()
    return sorted(_REGISTRY.values(), key=_rule_order)


def _load() -> None:
    """Import every declaration module, then every checks module (the table's order)."""
    global _loaded
    if _loaded:
        return
    _declare_rules()
    import importlib

    for name in CHECK_MODULES:
        importlib.import_module(f"{__name__}.{name}")
    _loaded = True


def _module_row(c: Check) -> int:
    """Where a check stands among its rule's: the checks module paired with the rule's
    declaration module first (row -1), then the others by their row in the table."""
    module = c.fn.__module__.rsplit(".", 1)[-1]
    if (_DECLARED_BY.get(c.rule), module) in MODULES:
        return -1
    return CHECK_MODULES.index(module) if module in CHECK_MODULES else len(CHECK_MODULES)


def _rule_order(r: Rule) -> int:
    """The table's row of the module that declared the rule (then declaration order: sorted
    is stable): the same whichever module was imported first."""
    module = _DECLARED_BY.get(r.id, "")
    return FAMILY_MODULES.index(module) if module in FAMILY_MODULES else len(FAMILY_MODULES)


def all_rules() -> list[Rule]:
    """Every rule, grouped by the table's declaration modules, each in declaration order."""
    _load()
    return declared_rules()


def all_checks() -> list[Check]:
    """Every check, in the order of its rule (:func:`all_rules`); a rule's checks those of
    its own checks module first, then by the table's row of their module, each module's in
    declaration order: the same order whichever module was imported first."""
    _load()
    order = {r.id: i for i, r in enumerate(all_rules())}
    return sorted(_CHECKS, key=lambda c: (order[c.rule], _module_row(c), _SEQ[c.id]))


def proofs() -> list[Check]:
    """The checks of the spec itself (``ops=()``), in :func:`all_checks` order."""
    return [c for c in all_checks() if c.is_proof]


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
