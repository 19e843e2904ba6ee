"""The options of a conformance run, each declared once with its default and its help.

:class:`RunOptions` is what :func:`cnnspec.conform.run` and :class:`cnnspec.conform.Runner`
take (their keyword arguments are its fields); ``cnnspec conform``'s flags (``--profile``)
and the pytest plugin's (``--cnnspec-profile``) are generated from its fields by
:func:`add_options`, and read back by :func:`from_options`.  Imports nothing heavy: the
pytest plugin declares its flags from here in every pytest session.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .results import LEVELS

__all__ = ["RunOptions", "UsageError", "PROFILES", "add_options", "from_options"]

#: Examples per check in each profile (a check's own max_examples scales with it).
PROFILES = {"quick": 10, "default": 50, "thorough": 500}
#: MiB a worker may allocate beyond its size after importing the target.
DEFAULT_MEMORY_LIMIT = 4096


class UsageError(ValueError):
    """Bad arguments: an unknown op or profile, --rules that match nothing, no xfail file."""


def _opt(default: Any, help: str, *, flag: str, cli_only: bool = False,
         **argparse: Any) -> Any:
    """A field with its flag (without prefix), help and argparse keywords."""
    meta = {"flag": flag, "help": help, "cli_only": cli_only, "argparse": argparse}
    return field(default=default, metadata=meta)


@dataclass(frozen=True)
class RunOptions:
    """What a conformance run checks and how (every field has its default and help here)."""

    ops: tuple[str, ...] | None = _opt(
        None, "ops to check, comma-separated, e.g. conv,max_pool (default: all the target "
              "defines)", flag="ops", action="append")
    rules: tuple[str, ...] | None = _opt(
        None, "rule-ID globs, e.g. 'conv.*' or pool.ceil-mode; rule::check selects one check "
              "(repeatable, comma-separated)", flag="rules", action="append")
    level: str = _opt(
        "compute", "what is required: compute (default: valid configurations computed right), "
                   "refuse (also invalid ones refused), strict (also input hygiene); results "
                   "above the level are shown, not counted", flag="level", choices=LEVELS)
    profile: str = _opt(
        "default", "examples per check: " + ", ".join(f"{k} {v}" for k, v in PROFILES.items())
                   + " (default: default)", flag="profile", choices=tuple(PROFILES))
    max_examples: int | None = _opt(None, "examples per check (overrides the profile)",
                                    flag="max-examples", type=int)
    seed: int = _opt(0, "Hypothesis seed (default 0): the same seed gives the same report",
                     flag="seed", type=int)
    timeout: float = _opt(10.0, "seconds one target call may take (default 10)",
                          flag="timeout", type=float)
    memory_limit: float | None = _opt(
        DEFAULT_MEMORY_LIMIT, f"MiB a worker may allocate beyond its size after importing the "
                              f"target (default {DEFAULT_MEMORY_LIMIT}; 0: no limit)",
        flag="memory-limit", type=float)
    xfail_file: str | None = _opt(None, "expected failures: a rule-ID glob or op:rule per line",
                                  flag="xfail-file")
    jobs: int | str = _opt(1, "worker processes, or 'auto' (one per core; default 1)",
                           flag="jobs", cli_only=True)  # pytest: pytest-xdist's -n
    allow_conventions: tuple[str, ...] = _opt(
        (), "do not fail on the named non-default convention KEY (e.g. ceil_mode; 'all': any); "
            "its results are still reported as 'convention' (repeatable)",
        flag="allow-convention", action="append", metavar="KEY")

    def __post_init__(self) -> None:
        def put(name: str, value: Any) -> None:
            object.__setattr__(self, name, value)

        for name in ("ops", "rules", "allow_conventions"):
            value = getattr(self, name)
            if isinstance(value, str):
                value = [value]
            if value is None and name == "allow_conventions":
                value = ()
            if value is not None:  # comma-separated lists, repeated flags: one tuple
                value = tuple(v.strip() for item in value for v in str(item).split(",")
                              if v.strip())
            put(name, value)
        if self.level not in LEVELS:
            raise UsageError(f"level={self.level!r}, but should be one of {', '.join(LEVELS)}")
        if self.profile not in PROFILES:
            raise UsageError(f"profile={self.profile!r}, but should be one of "
                             f"{', '.join(PROFILES)}")
        if self.max_examples is not None and self.max_examples < 1:
            raise UsageError(f"max_examples={self.max_examples}, but should be >= 1")
        if self.timeout <= 0:
            raise UsageError(f"timeout={self.timeout}, but should be > 0 seconds")
        if self.memory_limit is not None and self.memory_limit < 0:
            raise UsageError(f"memory_limit={self.memory_limit:g}, but should be >= 0 MiB "
                             f"(None or 0: no limit)")
        if not self.memory_limit:
            put("memory_limit", None)
        jobs = self.jobs
        if isinstance(jobs, str) and jobs.strip().isdigit():
            jobs = int(jobs)
        if jobs == "auto":
            jobs = 0
        if isinstance(jobs, bool) or not isinstance(jobs, int) or jobs < 0:
            raise UsageError(f"jobs={self.jobs!r}, but should be an integer >= 1 or 'auto'")
        put("jobs", jobs)
        put("timeout", float(self.timeout))
        put("seed", int(self.seed))
        from . import conventions as conv

        for key in self.allow_conventions:
            if key != "all" and key not in conv.CONVENTIONS:
                raise UsageError(f"convention={key!r}, but should be 'all' or one of "
                                 f"{', '.join(conv.CONVENTIONS)}")

    @classmethod
    def of(cls, options: RunOptions | None = None, **changes: Any) -> RunOptions:
        """``options`` (default: the defaults) with ``changes`` (keyword arguments of run())."""
        names = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(changes) - names)
        if unknown:
            raise TypeError(f"unknown run option(s) {', '.join(unknown)}; the options are "
                            f"{', '.join(sorted(names))}")
        return dataclasses.replace(options or cls(), **changes)

    @property
    def examples(self) -> int:
        """Examples per check before a check's own max_examples scales it."""
        return self.max_examples or PROFILES[self.profile]


def add_options(add: Callable[..., Any], *, prefix: str = "--", dest_prefix: str = "",
                cli: bool = True) -> None:
    """Declare every option with ``add`` (argparse's add_argument, pytest's addoption): flag
    ``prefix + flag``, destination ``dest_prefix + field name``, the field's help; argparse
    defaults are the fields' (None for the repeatable ones).  ``cli``: also the options only
    the command line has (--jobs)."""
    for f in dataclasses.fields(RunOptions):
        meta = f.metadata
        if meta["cli_only"] and not cli:
            continue
        kwargs = dict(meta["argparse"])
        if kwargs.get("action") != "append":
            kwargs["default"] = f.default
        add(prefix + meta["flag"], dest=dest_prefix + f.name, help=meta["help"], **kwargs)


def from_options(get: Callable[[str], Any], *, dest_prefix: str = "", cli: bool = True,
                 **changes: Any) -> RunOptions:
    """The RunOptions of parsed flags (``get(dest)``: getattr of argparse's namespace, or
    pytest's config.getoption) declared by :func:`add_options`, then ``changes``."""
    values = {f.name: get(dest_prefix + f.name) for f in dataclasses.fields(RunOptions)
              if cli or not f.metadata["cli_only"]}
    values = {k: v for k, v in values.items() if v is not None or k in ("max_examples",
                                                                        "xfail_file", "ops",
                                                                        "rules")}
    return RunOptions.of(**values, **changes)
