"""The one domain exception of cnnspec.

Every message follows the house form: ``name=value, but should be <relation> [rule-id]``,
optionally followed by the arithmetic and the call, so that a reader sees the values,
the broken relation and the rule to look up with ``cnnspec explain``.
"""

from __future__ import annotations

import re

__all__ = ["InvalidConfig", "RULE_ID_PATTERN"]

#: A rule ID as it appears in messages: ``[family.slug]``.
RULE_ID_PATTERN = re.compile(r"\[([a-z0-9-]+\.[a-z0-9.-]+)\]")


class InvalidConfig(ValueError):
    """A configuration the spec does not accept.

    ``rule`` is the ID of the rule it breaks; the message always ends its first line
    with ``[rule]``.  Subclasses ValueError, so code that catches ValueError keeps working.
    """

    def __init__(self, message: str, *, rule: str, detail: str = "") -> None:
        self.rule = rule
        text = f"{message} [{rule}]"
        if detail:
            text += "\n" + detail
        super().__init__(text)
