"""The one domain exception of cnnspec.

Every message follows the house form: ``name=value, but should be <relation> [rule-id]``,
optionally followed by the arithmetic and the call, so that a reader sees the values,
the broken relation and the rule to look up with ``cnnspec explain``.
"""

from __future__ import annotations

import re
from typing import Any

__all__ = ["InvalidConfig", "RULE_ID_PATTERN"]

#: A rule ID as it appears in messages: ``[family.slug]``.
RULE_ID_PATTERN = re.compile(r"\[([a-z0-9-]+\.[a-z0-9.-]+)\]")


class InvalidConfig(ValueError):
    """A configuration the spec does not accept.

    The parts are attributes, so that code never parses the text: ``message`` (the
    relation, without the rule), ``rule`` (the ID of the rule it breaks) and ``detail``
    (the arithmetic and the call, '' if none).  ``str(exc)`` is ``message [rule]``, then
    the detail on the lines after.  Subclasses ValueError, so code that catches
    ValueError keeps working.
    """

    def __init__(self, message: str, *, rule: str, detail: str = "") -> None:
        self.message = message
        self.rule = rule
        self.detail = detail
        text = f"{message} [{rule}]"
        if detail:
            text += "\n" + detail
        super().__init__(text)

    def replace(self, *, message: str | None = None, detail: str | None = None
                ) -> InvalidConfig:
        """The same error under the same rule, with a new message or detail (the parts not
        given are kept): ``raise exc.replace(message=f"layer 1: {exc.message}") from exc``."""
        return InvalidConfig(self.message if message is None else message, rule=self.rule,
                             detail=self.detail if detail is None else detail)

    def __reduce__(self) -> tuple[Any, ...]:
        # BaseException pickles as cls(*args), which would lose rule= (a TypeError on
        # unpickling); rebuild from the parts, then restore any attributes set later.
        return _rebuild, (self.message, self.rule, self.detail), dict(self.__dict__)


def _rebuild(message: str, rule: str, detail: str) -> InvalidConfig:
    return InvalidConfig(message, rule=rule, detail=detail)
