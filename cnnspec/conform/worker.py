"""The worker process: imports the target, probes its conventions, runs checks on it.

Started with the 'spawn' method by :mod:`cnnspec.conform.workers`, which sets
OMP/OPENBLAS/MKL_NUM_THREADS=1 in the environment it inherits (NumPy's and torch's thread
pools fight on a few cores when their calls alternate; parallelism comes from processes).

The worker never lets the target touch the parent:

- every op of the target is wrapped so that the start time of the call in progress is in
  a shared value (``call_start``, time.monotonic(), 0.0 when idle) and the op's name in
  ``op_buf``: the parent kills the worker when a call runs past the timeout;
- each case is written to ``case_buf`` before the check runs it, so a crash or a hang can
  be reported with the case it happened on;
- the address space is limited (RLIMIT_AS, the worker's size after importing the target
  plus ``memory_limit`` MiB; off when CUDA is in use, which needs a large address space),
  so a runaway allocation raises MemoryError: a failure of the rule being checked;
- stdout and stderr go to a log file (faulthandler writes the traceback of a crash there);
- SIGINT is ignored (the parent handles Ctrl-C) and the worker dies with its parent.

Protocol on the pipe: the worker sends ("ready", info) or ("load-error", text) first, then
one ("result", Outcome) per Task it receives (:mod:`cnnspec.conform.tasks`), until a Task
of kind "stop".
"""

from __future__ import annotations

import functools
import os
import signal
import sys
import time
import traceback
import types
from typing import Any

from .tasks import Outcome, Probe, Task

__all__ = ["main"]

THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
               "VECLIB_MAXIMUM_THREADS", "NUMEXPR_NUM_THREADS")


def _die_with_parent() -> None:
    """Linux: SIGKILL this process when the parent dies (even by SIGKILL)."""
    try:
        import ctypes

        ctypes.CDLL(None).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def _redirect_output(log_path: str) -> None:
    fd = os.open(log_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.dup2(fd, 1)
    os.dup2(fd, 2)
    os.close(fd)


def _vm_bytes() -> int:
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError):
        return 0


def _limit_memory(megabytes: float | None) -> str:
    """Cap the address space at its current size + megabytes; a description of the limit."""
    if not megabytes:
        return "off"
    torch = sys.modules.get("torch")
    try:
        if torch is not None and torch.cuda.is_available():
            return "off (CUDA needs a large address space; the parent watches RSS instead)"
    except Exception:  # noqa: BLE001 - a broken CUDA install: limit as usual
        pass
    try:
        import resource

        limit = _vm_bytes() + int(megabytes * 2**20)
        _, hard = resource.getrlimit(resource.RLIMIT_AS)
        if hard != resource.RLIM_INFINITY:
            limit = min(limit, hard)
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    except (ImportError, ValueError, OSError) as e:
        return f"off ({e})"
    return f"{megabytes:g} MiB above the worker's size after import"


def _timed(fn: Any, op: str, call_start: Any, op_buf: Any) -> Any:
    @functools.wraps(fn)
    def call(*args: Any, **kwargs: Any) -> Any:
        op_buf.value = op.encode()
        call_start.value = time.monotonic()
        try:
            return fn(*args, **kwargs)
        finally:
            call_start.value = 0.0

    return call


def _proxy(target: Any, call_start: Any, op_buf: Any) -> Any:
    """A Target whose module holds the timed ops and the target's PRECISION / UNAVAILABLE."""
    from ..targets import ALL_OPS, Target

    module = types.ModuleType(target.module.__name__, target.module.__doc__)
    for name in ("PRECISION", "UNAVAILABLE", "__file__"):
        if hasattr(target.module, name):
            setattr(module, name, getattr(target.module, name))
    for op in ALL_OPS:
        fn = getattr(target.module, op, None)
        if callable(fn):
            setattr(module, op, _timed(fn, op, call_start, op_buf))
    return Target(target.name, module)


def _reference_file() -> str:
    from ..targets import reference

    return os.path.realpath(reference.__file__)


def _run_task(task: Task, target: Any, spec: str, case_buf: Any,
              case_count: Any = None) -> Outcome:
    """Run a probe, or a check and judge its failure, in this order:

    1. the check recognised a convention on its own data (ConventionDifference): run again
       accepting it; a clean run is a ``convention`` result;
    2. the minimal counterexample is a case of a convention the target follows for its op:
       run again without such cases; a clean run is a ``convention`` result;
    3. the counterexample is a refusal of a valid configuration: run again setting refusals
       aside; a clean run is a ``restriction`` (the refusal is the evidence), a failure is
       reported instead;
    4. a failure: its root cause (diagnose.cause) and a repro that calls the target directly.

    Every run records the worst error relative to the bound (and to the statistical sqrt(K)
    bound) of the K-aware comparisons the check makes, for the report.
    """
    from . import checkrun, conventions, diagnose, precision
    from .repro import case_tag

    if task.kind == "probe":
        from . import capabilities
        from .shapes import compiles_per_shape

        # first, while no shape has been compiled: the other probes call the same shapes
        try:
            few_shapes = compiles_per_shape(target)
        except Exception:  # noqa: BLE001 - a timing probe only; the checks report the rest
            few_shapes = None
        try:
            probed = capabilities.probe(target)
            caps: dict[str, Any] | None = probed
            restricted = capabilities.restrictions(probed)
        except Exception as e:  # noqa: BLE001 - draw everything; the checks report the rest
            caps, restricted = None, [f"unknown (the capability probe raised "
                                      f"{type(e).__name__}: {e})"]
        following = conventions.probe_all(target, detect_precision=precision.detect)
        return Outcome(task.check, probe=Probe(following, caps, restricted, few_shapes))
    from .. import rules

    check = next(c for c in rules.all_checks() if c.id == task.check)

    def on_case(case: Any) -> None:
        case_buf.value = case_tag(case).encode("utf-8", "replace")[:len(case_buf) - 1]
        if case_count is not None:
            case_count.value += 1

    def run(**kwargs: Any) -> Outcome:
        from .. import strategies
        from .shapes import ShapeBudget

        budget = ShapeBudget() if task.few_shapes else None  # a fresh one per run
        with strategies.capabilities(task.capabilities):  # draw what the target takes
            return checkrun.run_check(target, check, max_examples=task.max_examples,
                                      seed=task.seed, target_spec=spec, on_case=on_case,
                                      shape_budget=budget, observe_bounds=True, **kwargs)

    out = run()
    if out.status != "fail":
        return out
    seen = out.convention_seen
    if seen:  # the check recognised the convention on its own data: rerun accepting it
        again = run(tolerate=(seen,), skip_refusals=True)
        if again.status != "fail":
            value = conventions.alternative(seen)
            return _with_call_repro(_convention(out, again, [seen], {seen: value}, check.rule),
                                    check.id, spec, task.seed)
        out = again
    deviating = {k: v for k, v in task.deviations.items()
                 if conventions.explains(k, check.rule)}
    named = conventions.affected(list(deviating), out.case, deviating)
    if named:  # the counterexample itself is a case of a convention the target follows
        again = run(exclude=lambda case: bool(conventions.affected(named, case, deviating)),
                    skip_refusals=True)
        if again.status != "fail":
            return _with_call_repro(_convention(out, again, named, deviating, check.rule),
                                    check.id, spec, task.seed)
        again.message += (f"\n  (outside the cases the target's convention(s) explain: "
                          f"{', '.join(f'{k}={deviating[k]!r}' for k in named)})")
        out = again
    if out.refusal is not None:  # a valid configuration refused: go on with what it takes
        again = run(skip_refusals=True)
        if again.status == "fail":
            again.also_refused = out.refusal
            out = again
        else:
            out.status, out.examples, out.unsupported = \
                "restriction", again.examples, again.unsupported
            out.refused, out.worst_error = again.refused, again.worst_error
            return _with_call_repro(out, check.id, spec, task.seed)
    if out.status == "fail" and out.case is not None:
        found = diagnose.cause(target, out.case, check.rule)
        if found is not None:
            out.cause, out.cause_message = found
    return _with_call_repro(out, check.id, spec, task.seed)


def _with_call_repro(out: Outcome, check_id: str, spec: str, seed: int) -> Outcome:
    """A failure whose case is one plain call gets the direct repro (the arrays written
    out, the call, the reference's answer) in place of the replay of the check, unless the
    replay is the runnable one (the check's failure is not in the plain call)."""
    from .diagnose import basic_call
    from .repro import call_script

    call = basic_call(out.case)
    if call is None or out.status not in ("fail", "restriction", "convention"):
        return out
    plain_wrong = out.cause is not None or out.status == "restriction" \
        or out.refusal is not None
    if plain_wrong or "# replay:" in (out.repro or ""):
        script = call_script(spec, *call, check_id, seed, out.cause)
        if script is not None:
            out.repro = script
    return out


def _convention(out: Outcome, again: Outcome, named: list[str],
                deviating: dict[str, str], rule: str) -> Outcome:
    from . import conventions

    out.status, out.convention = "convention", named
    follows = "; ".join(f"{k}={deviating[k]!r} (spec: {conventions.CONVENTIONS[k].default!r})"
                        for k in named)
    out.message = (f"differs from the spec only where the target follows {follows}; every "
                   f"other case passed [{rule}]\n  the first difference:\n" + out.message)
    out.examples = again.examples  # the cases outside the convention, all passed
    return out


def main(conn: Any, call_start: Any, op_buf: Any, case_buf: Any, spec: str,
         options: dict[str, Any], log_path: str, case_count: Any = None) -> None:
    """The worker's entry point (a multiprocessing.Process target)."""
    _redirect_output(log_path)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _die_with_parent()
    try:
        os.setpgid(0, 0)  # a process group of its own: the parent ends it with the target's children
    except OSError:
        pass
    import faulthandler

    faulthandler.enable()
    try:
        from ..targets import load_target

        target = load_target(spec)
    except BaseException:  # noqa: BLE001 - shown to the user as the import error, exit 2
        conn.send(("load-error", traceback.format_exc()))
        return
    try:
        from .. import rules

        rules.all_checks()
    except BaseException:  # noqa: BLE001 - a broken cnnspec install, not the target
        conn.send(("load-error", "cnnspec's rule registry failed to load (not the target's "
                                 "fault):\n" + traceback.format_exc()))
        return
    proxy = _proxy(target, call_start, op_buf)
    memory = _limit_memory(options.get("memory_limit"))
    from ..targets import ALL_OPS

    conn.send(("ready", {"name": target.name, "ops": [op for op in ALL_OPS if target.has(op)],
                         "precision": target.precision, "unavailable": target.unavailable,
                         "library": target.library,
                         "functions": getattr(target.module, "FUNCTIONS", None),
                         "memory_limit": memory,
                         "is_reference": os.path.realpath(getattr(target.module, "__file__", "")
                                                          or "") == _reference_file()}))
    while True:
        try:
            task = conn.recv()
        except (EOFError, OSError):
            return
        if task.kind == "stop":
            return
        try:
            out = _run_task(task, proxy, spec, case_buf, case_count)
        except MemoryError:
            out = Outcome(task.check, "fail", "the worker ran out of memory outside a target "
                                              "call (--memory-limit)")
        except Exception:  # noqa: BLE001 - a bug of cnnspec; reported, the run goes on
            out = Outcome(task.check, "fail", "cnnspec internal error while running the "
                                              "check:\n" + traceback.format_exc())
        case_buf.value = b""
        conn.send(("result", out.for_pipe()))
