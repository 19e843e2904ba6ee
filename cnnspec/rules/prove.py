"""The proofs: the checks of the spec itself, run as their own evidence (``cnnspec prove``).

A check with ``ops=()`` calls no target: it checks the spec's formulas against brute-force
counting, SymPy identities, naive loops, or a formula's refusal just past its precondition.
What it finds does not depend on any target, so ``cnnspec conform`` never plans it; this
module selects the proofs and runs each once, under Hypothesis exactly as a conformance run
runs a check (:func:`cnnspec.conform.checkrun.run_check`: fixed seed, no example database,
shrinking), with no target.
"""

from __future__ import annotations

import fnmatch
from typing import TYPE_CHECKING, Any

from . import Check, proofs

if TYPE_CHECKING:
    from ..conform.tasks import Outcome

__all__ = ["DEFAULT_EXAMPLES", "select", "examples_for", "run_proof"]

#: Examples per proof without --max-examples (a proof's own max_examples wins): the
#: examples per check of ``cnnspec conform``'s default profile.
DEFAULT_EXAMPLES = 50


def _selects(pattern: str, check: Check) -> bool:
    return fnmatch.fnmatchcase(check.id if "::" in pattern else check.rule, pattern)


def select(patterns: Any = None) -> list[Check]:
    """The proofs whose rule ID matches one of ``patterns`` (globs; ``rule::check`` selects
    one check), every proof without.  ValueError naming a pattern that matches none."""
    found = proofs()
    if not patterns:
        return found
    patterns = [patterns] if isinstance(patterns, str) else list(patterns)
    for pat in patterns:
        if not any(_selects(pat, c) for c in found):
            raise ValueError(f"rule glob {pat!r} matches no proof (a check that calls no "
                             f"target); `cnnspec explain` lists the rules, `cnnspec conform` "
                             f"runs the checks that call one")
    return [c for c in found if any(_selects(p, c) for p in patterns)]


def examples_for(check: Check, max_examples: int | None = None) -> int:
    """The example budget of one proof: ``max_examples`` when given, else the proof's own,
    else :data:`DEFAULT_EXAMPLES`."""
    if max_examples is not None:
        return max_examples
    return check.max_examples or DEFAULT_EXAMPLES


def run_proof(check: Check, *, max_examples: int | None = None, seed: int = 0) -> Outcome:
    """Run one proof; the outcome as :func:`cnnspec.conform.checkrun.run_check` gives it
    (``status`` "pass" or "fail", ``message``, ``examples``, ``seconds``).  A proof that could
    draw no case proved nothing: its status is "fail"."""
    from ..conform.checkrun import run_check

    if not check.is_proof:
        raise ValueError(f"check={check.id!r} calls {', '.join(check.ops)}, but a proof "
                         f"calls no target: `cnnspec conform` runs it")
    out = run_check(None, check, max_examples=examples_for(check, max_examples), seed=seed,  # type: ignore[arg-type]
                    target_spec="(no target: a proof)")
    if out.status != "pass" and out.status != "fail":
        out.status, out.message = "fail", (f"{out.message or 'no case could be drawn'}: a proof "
                                           f"that draws no case proves nothing [{check.rule}]")
    return out
