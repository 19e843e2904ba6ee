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
not-implemented, not-applicable -> skipped with the reason.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from .engine import Runner
    from .results import Result

__all__ = ["pytest_addoption", "pytest_configure"]


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("cnnspec", "cnnspec conformance checks")
    group.addoption("--cnnspec-target", metavar="TARGET",
                    help="run cnnspec's conformance checks on TARGET (dotted module or .py)")
    group.addoption("--cnnspec-profile", choices=("quick", "default", "thorough"),
                    default="default",
                    help="examples per check: quick 10, default 50, thorough 500")
    group.addoption("--cnnspec-max-examples", type=int, help="examples per check (overrides "
                                                            "the profile)")
    group.addoption("--cnnspec-seed", type=int, default=0, help="Hypothesis seed (default 0)")
    group.addoption("--cnnspec-timeout", type=float, default=10.0,
                    help="seconds one target call may take (default 10)")
    group.addoption("--cnnspec-memory-limit", type=float, default=4096,
                    help="MiB a worker may allocate beyond its start (default 4096; 0: off)")
    group.addoption("--cnnspec-ops", action="append", help="ops to check (comma-separated)")
    group.addoption("--cnnspec-rules", action="append", help="rule-ID globs (repeatable)")
    group.addoption("--cnnspec-xfail-file", help="expected failures, one rule glob or "
                                                 "op:rule per line")
    group.addoption("--cnnspec-allow-convention", action="append", metavar="KEY",
                    help="a named non-default convention KEY (or 'all') xfails its items "
                         "instead of failing them")


def _csv(values: list[str] | None) -> list[str] | None:
    if not values:
        return None
    return [v.strip() for value in values for v in value.split(",") if v.strip()]


def pytest_configure(config: pytest.Config) -> None:
    target = config.getoption("cnnspec_target", None)
    if not target:
        return  # inert: nothing imported beyond this module
    from .. import rules
    from .engine import Runner, UsageError

    config.addinivalue_line("markers", "cnnspec: a cnnspec conformance check")
    config.addinivalue_line("markers", "cnnspec_rule(rule_id): the cnnspec rule an item checks")
    for r in rules.all_rules():
        config.addinivalue_line("markers", f"{r.id}: cnnspec rule {r.id}: {r.title}")
    opt = config.getoption
    try:
        runner = Runner(target, ops=_csv(opt("cnnspec_ops")), rules=_csv(opt("cnnspec_rules")),
                        profile=opt("cnnspec_profile"),
                        max_examples=opt("cnnspec_max_examples"), seed=opt("cnnspec_seed"),
                        timeout=opt("cnnspec_timeout"), xfail_file=opt("cnnspec_xfail_file"),
                        memory_limit=opt("cnnspec_memory_limit") or None,
                        allow_conventions=_csv(opt("cnnspec_allow_convention")))
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
