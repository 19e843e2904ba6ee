"""The conformance runner: check any target against the spec, isolated, with reports.

Two front doors, one engine (:mod:`cnnspec.conform.engine`):

    cnnspec conform my_adapter --profile quick --report-json report.json
    pytest -p cnnspec.conform.pytest_plugin --cnnspec-target=my_adapter

From Python::

    from cnnspec.conform import run
    report = run("my_adapter", rules=["conv.*"], profile="quick")
    report.exit_code, [r.status for r in report.results]

Layout: engine (plan, run, Runner), pool (worker processes watched from the parent), worker
(the target's side), checkrun (one check under Hypothesis), conventions and precision
(what the target follows), results (statuses, Result, Report), reports (JSON, JUnit XML,
Markdown), repro (paste-able scripts, :func:`replay`), progress (the terminal display),
pytest_plugin.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # what the lazy names are, for type checkers
    from .engine import Runner, plan, read_xfail, run
    from .options import PROFILES, RunOptions, UsageError
    from .repro import replay
    from .results import FAILING, STATUSES, CheckOutcome, Report, Result
    from .workers import TargetImportError

#: Public name -> the submodule that defines it; imported on first use (PEP 562), so that
#: the pytest plugin and the worker processes import only what they need.
_EXPORTS = {"run": "engine", "Runner": "engine", "plan": "engine", "read_xfail": "engine",
            "PROFILES": "options", "UsageError": "options", "RunOptions": "options",
            "TargetImportError": "workers",
            "replay": "repro", "STATUSES": "results", "FAILING": "results", "Report": "results",
            "Result": "results", "CheckOutcome": "results"}

__all__ = ["CheckOutcome", "FAILING", "PROFILES", "Report", "Result", "RunOptions", "Runner",
           "STATUSES",
           "TargetImportError", "UsageError", "plan", "read_xfail", "replay", "run"]


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(importlib.import_module(f".{_EXPORTS[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(list(globals()) + __all__)
