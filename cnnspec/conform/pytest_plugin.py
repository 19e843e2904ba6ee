"""pytest plugin: a target's conformance checks as pytest items, beside a project's own tests.

    pytest --cnnspec-target=my_pkg.adapter                  # registered by entry point
    pytest -p cnnspec.conform.pytest_plugin --cnnspec-target=my_adapter.py   # from a checkout
    pytest --cnnspec-target=my_adapter -m conv.def            # one rule, by its ID marker
    pytest --cnnspec-target=my_adapter -n 2                   # pytest-xdist: items spread

Inert without ``--cnnspec-target``.  One item per (op, rule), named ``<rule>[<op>]``, marked
``cnnspec``, ``cnnspec_rule(<rule>)`` and with the rule ID itself (``-m conv.def``).  The
engine is the one behind ``cnnspec conform`` (:class:`cnnspec.conform.Runner`): the target
runs in a worker process started at the first item (per xdist worker), so a crash or a hang
fails that item and the session goes on.  Outcomes: pass -> passed; fail, xpass -> failed
(with the counterexample and the repro), and so does convention unless allowed
(--cnnspec-allow-convention); xfail and an allowed convention -> xfailed; unsupported,
not-implemented -> skipped with the reason.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

from .options import add_options, from_options

if TYPE_CHECKING:
    from .engine import Runner
    from .results import Result

__all__ = ["pytest_addoption", "pytest_configure"]


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("cnnspec", "cnnspec conformance checks")
    group.addoption("--cnnspec-target", metavar="TARGET",
                    help="run cnnspec's conformance checks on TARGET (dotted module or .py)")
    # the run options of cnnspec conform, each --cnnspec-<flag> (no --jobs: pytest-xdist's -n)
    add_options(group.addoption, prefix="--cnnspec-", dest_prefix="cnnspec_", cli=False)


def pytest_configure(config: pytest.Config) -> None:
    target = config.getoption("cnnspec_target", None)
    if not target:
        return  # inert: nothing imported beyond this module and its options
    from .. import rules
    from .engine import Runner, UsageError

    config.addinivalue_line("markers", "cnnspec: a cnnspec conformance check")
    config.addinivalue_line("markers", "cnnspec_rule(rule_id): the cnnspec rule an item checks")
    for r in rules.all_rules():
        config.addinivalue_line("markers", f"{r.id}: cnnspec rule {r.id}: {r.title}")
    try:
        runner = Runner(target, options=from_options(config.getoption, dest_prefix="cnnspec_",
                                                     cli=False))
    except UsageError as exc:
        raise pytest.UsageError(f"--cnnspec-*: {exc}") from None
    config.pluginmanager.register(_Conformance(runner), "cnnspec-conformance")


class ConformanceFailure(Exception):
    """A (op, rule) result that fails: shown by CnnspecItem.repr_failure."""

    def __init__(self, result: Result) -> None:
        super().__init__(result.message)
        self.result = result


class CnnspecItem(pytest.Item):
    """One (op, rule) of the target."""

    def __init__(self, *, key: tuple[str, str], plugin: _Conformance, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.key, self.plugin = key, plugin
        rule = key[1]
        self.add_marker("cnnspec")
        self.add_marker(pytest.mark.cnnspec_rule(rule))
        self.add_marker(rule)

    def runtest(self) -> None:
        result = self.plugin.result(self.key)
        first = result.message.split("\n", 1)[0]
        if self.plugin.runner.report.is_failing(result):
            raise ConformanceFailure(result)
        if result.status in ("xfail", "convention"):
            pytest.xfail(f"{result.status}: {first}")
        if result.status != "pass":
            pytest.skip(f"{result.status}: {first}")

    def repr_failure(self, excinfo: Any, style: Any = None) -> Any:
        if isinstance(excinfo.value, ConformanceFailure):
            r = excinfo.value.result
            text = [f"{r.rule} on {r.op}: {r.title} ({r.status})", "", r.message]
            if r.example:
                text += ["", f"minimal example: {r.example.get('repr')}"]
            if r.repro:
                text += ["", "repro:", r.repro]
            return "\n".join(text)
        from .workers import TargetImportError

        if isinstance(excinfo.value, TargetImportError):
            return str(excinfo.value)
        return super().repr_failure(excinfo)

    def reportinfo(self) -> tuple[Any, int | None, str]:
        return self.path, None, f"cnnspec {self.key[1]} on {self.key[0]}"


class _Conformance:
    """The session's engine: collects the items, runs them, closes the workers."""

    def __init__(self, runner: Runner) -> None:
        self.runner = runner
        self.started = False
        self.import_error: Exception | None = None

    def result(self, key: tuple[str, str]) -> Result:
        from .workers import TargetImportError

        if self.import_error is not None:
            raise TargetImportError(f"the target could not be imported (see the first "
                                    f"failure): {str(self.import_error).splitlines()[0]}")
        if not self.started:
            self.started = True
            try:
                self.runner.start()
            except TargetImportError as exc:
                self.import_error = exc
                raise
        return self.runner.result(key)

    @pytest.hookimpl(tryfirst=True)
    def pytest_collection_modifyitems(self, session: pytest.Session, config: pytest.Config,
                                      items: list[pytest.Item]) -> None:
        """Add the items first, so that -m and -k (applied by pytest after) select them."""
        for op, rule in self.runner.groups:
            items.append(CnnspecItem.from_parent(session, name=f"{rule}[{op}]",
                                                 key=(op, rule), plugin=self))

    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        self.runner.close()

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        conventions = self.runner.report.conventions
        if not conventions:
            return
        terminalreporter.section("cnnspec conventions")
        for key, c in conventions.items():
            mark = "  <- differs from the spec" if c.get("deviates") else ""
            terminalreporter.write_line(f"{key:<26} {c.get('value')}{mark}")
        for w in self.runner.report.warnings:
            terminalreporter.write_line(f"warning: {w}")
