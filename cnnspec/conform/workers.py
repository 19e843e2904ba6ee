"""Worker processes, watched from the parent: the target never runs in the parent.

:class:`Pool` starts ``jobs`` workers (:mod:`cnnspec.conform.worker`, 'spawn' method,
single-threaded math libraries), hands them tasks, and turns every way a worker can be lost
into the outcome of the task it was running, then starts a fresh worker:

- a crash (os._exit, SIGSEGV, an OOM kill): "the worker died from signal 11 (SIGSEGV)",
  with the case it was on and the end of its stderr (faulthandler's traceback);
- a hang: the parent polls each worker's ``call_start`` (time.monotonic() at the start of
  the target call in progress) and kills the worker when a call runs past ``timeout``;
- runaway memory: RLIMIT_AS in the worker turns it into a MemoryError (a failure the check
  reports); where that limit is off (CUDA) the parent kills a worker whose RSS grows past
  ``memory_limit`` MiB.
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.connection
import os
import shutil
import signal
import sys
import tempfile
import time
from collections import deque
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from . import worker
from .options import DEFAULT_MEMORY_LIMIT  # MiB a worker may allocate beyond its size after import
from .repro import repro_script, split_tag
from .tasks import STOP, Outcome, Task

__all__ = ["Pool", "TargetImportError", "DEFAULT_MEMORY_LIMIT"]

POLL_S = 0.05
CASE_BUF = 8192


class TargetImportError(ImportError):
    """The target could not be imported (or its worker died while importing it)."""


@contextmanager
def _single_threaded_env() -> Iterator[None]:
    """Set the math libraries' thread counts to 1 for the processes started inside."""
    saved = {k: os.environ.get(k) for k in worker.THREAD_VARS}
    os.environ.update(dict.fromkeys(worker.THREAD_VARS, "1"))
    try:
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


@contextmanager
def _main_not_reimported() -> Iterator[None]:
    """Hide ``__main__``'s file and spec while a worker is spawned, so that the child does
    not re-import the parent's main script (a script without an ``if __name__ ==
    "__main__"`` guard would run again; stdin cannot be re-read; pytest would be imported
    for nothing).  The worker needs nothing from __main__: its entry point is
    cnnspec.conform.worker.main."""
    main = sys.modules.get("__main__")
    saved: dict[str, Any] = {k: main.__dict__[k] for k in ("__spec__", "__file__")
                             if main and k in main.__dict__}
    try:
        if main is not None:
            main.__spec__ = None
            main.__dict__.pop("__file__", None)
        yield
    finally:
        if main is not None:
            main.__dict__.update(saved)


def _rss(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


class _Worker:
    def __init__(self, ctx: Any, spec: str, options: dict[str, Any], log: str) -> None:
        self.call_start = ctx.RawValue("d", 0.0)
        self.op_buf = ctx.RawArray("c", 64)
        self.case_buf = ctx.RawArray("c", CASE_BUF)
        self.case_count = ctx.RawValue("i", 0)  # cases of the task in progress (progress)
        self.task_started = 0.0
        self.log = log
        self.conn, child = ctx.Pipe()
        self.proc = ctx.Process(target=worker.main, daemon=True, name="cnnspec-worker",
                                args=(child, self.call_start, self.op_buf, self.case_buf, spec,
                                      options, log, self.case_count))
        with _single_threaded_env(), _main_not_reimported():
            self.proc.start()
        child.close()
        self.started = time.monotonic()
        self.ready = self.dead = False
        self.base_rss = 0
        self.task: Task | None = None

    def kill(self) -> None:
        self.dead = True
        if self.proc.is_alive():
            self.proc.kill()
        self.proc.join(5)
        self.end_group()
        self.conn.close()

    def end_group(self) -> None:
        """Kill what the target started: the worker leads its own process group (see
        worker.main), so its children and theirs are in it."""
        pid = self.proc.pid
        if pid is None or not hasattr(os, "killpg"):
            return
        try:
            os.killpg(pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError, OSError):
            pass

    def stderr_tail(self, lines: int = 12) -> str:
        """The start of faulthandler's report (the innermost frames: the target's), else the
        last lines the worker wrote."""
        try:
            with open(self.log, encoding="utf-8", errors="replace") as f:
                text = f.read()[-20000:]
        except OSError:
            return ""
        fatal = text.rfind("Fatal Python error")
        if fatal >= 0:
            return "\n".join([line for line in text[fatal:].splitlines() if line.strip()][:lines])
        return "\n".join(text.strip().splitlines()[-lines:])


class Pool:
    """``jobs`` workers for one target; :meth:`run` yields (task, outcome) as they finish."""

    def __init__(self, spec: str, *, jobs: int = 1, timeout: float = 10.0,
                 memory_limit: float | None = DEFAULT_MEMORY_LIMIT,
                 load_timeout: float = 120.0) -> None:
        self.spec, self.jobs, self.timeout = spec, max(1, int(jobs)), float(timeout)
        self.memory_limit, self.load_timeout = memory_limit, load_timeout
        self.ctx = multiprocessing.get_context("spawn")
        self.tmp = tempfile.mkdtemp(prefix="cnnspec-conform-")
        self.workers: list[_Worker] = []
        self.info: dict[str, Any] | None = None
        self._logs = 0

    def _spawn(self) -> _Worker:
        self._logs += 1
        return _Worker(self.ctx, self.spec, {"memory_limit": self.memory_limit},
                       os.path.join(self.tmp, f"worker-{self._logs}.log"))

    def start(self) -> dict[str, Any]:
        """Start the workers; the first one's description of the target once it is loaded.
        Raises TargetImportError with the worker's traceback when the import fails."""
        self.workers = [self._spawn() for _ in range(self.jobs)]
        while self.info is None:
            for w in self._alive():
                self._service(w)
            self._wait()
        return self.info

    def activity(self) -> list[tuple[str, int, float]]:
        """(check, cases started, seconds) of each task in progress."""
        now = time.monotonic()
        return [(w.task.check, int(w.case_count.value), now - w.task_started)
                for w in self._alive() if w.task is not None]

    def _alive(self) -> list[_Worker]:
        return [w for w in self.workers if not w.dead]

    def _wait(self) -> None:
        alive = self._alive()
        multiprocessing.connection.wait([w.conn for w in alive] + [w.proc.sentinel for w in alive],
                                        POLL_S)

    def run(self, tasks: Iterable[Task], on_tick: Any = None
            ) -> Iterator[tuple[Task, Outcome]]:
        """Run the tasks, ``jobs`` at a time; yield (task, outcome) in completion order.
        ``on_tick``: called about once a second with :meth:`activity` while tasks run."""
        queue = deque(tasks)
        ticked = time.monotonic()
        while queue or any(w.task is not None for w in self._alive()):
            for i, w in enumerate(self.workers):
                if w.dead and queue:  # a worker lost to a crash or a hang: replace it
                    self.workers[i] = w = self._spawn()
                if w.ready and w.task is None and queue:
                    w.task = queue.popleft()
                    w.case_count.value, w.task_started = 0, time.monotonic()
                    w.conn.send(w.task)
            self._wait()
            if on_tick is not None and time.monotonic() - ticked >= 1.0:
                ticked = time.monotonic()
                on_tick(self.activity())
            for w in self._alive():
                done = self._service(w)
                if done is not None:
                    yield done

    def _service(self, w: _Worker) -> tuple[Task, Outcome] | None:
        """Read what the worker sent; detect its death, a call past the timeout, runaway
        memory.  The finished (task, outcome), if any."""
        try:
            if w.conn.poll():
                kind, payload = w.conn.recv()
                if kind == "ready":
                    w.ready, w.base_rss = True, _rss(w.proc.pid)
                    self.info = self.info or payload
                elif kind == "load-error":
                    raise TargetImportError(f"cannot import target {self.spec!r}:\n{payload}")
                elif kind == "result" and w.task is not None:
                    task, w.task = w.task, None
                    return task, payload
                return None
        except (EOFError, OSError):
            pass  # the worker is gone: below
        now = time.monotonic()
        if not w.proc.is_alive() or w.conn.closed:
            return self._lost(w, self._death(w))
        if not w.ready and now - w.started > self.load_timeout:
            w.kill()
            raise TargetImportError(f"importing target {self.spec!r} took more than "
                                    f"{self.load_timeout:g}s")
        start = w.call_start.value
        if w.task is not None and start and now - start > self.timeout:
            if w.task.large:  # a large case: slow code, not a hang
                return self._lost(w, f"{self._op(w)} took longer than --timeout="
                                     f"{self.timeout:g}s on a large case (the worker was "
                                     f"restarted; a larger --timeout checks it)", "unsupported")
            return self._lost(w, f"{self._op(w)} call exceeded --timeout={self.timeout:g}s "
                                 f"(the worker was killed and restarted)")
        if w.task is not None and self.memory_limit and w.ready and \
                _rss(w.proc.pid) - w.base_rss > self.memory_limit * 2**20:
            return self._lost(w, f"the worker grew past --memory-limit={self.memory_limit:g} "
                                 f"MiB (killed and restarted)")
        return None

    def _op(self, w: _Worker) -> str:
        return w.op_buf.value.decode(errors="replace") or "target"

    def _death(self, w: _Worker) -> str:
        w.proc.join(1)
        code = w.proc.exitcode
        if code is not None and code < 0:
            try:
                name = signal.Signals(-code).name
            except ValueError:
                name = "unknown signal"
            how = f"died from signal {-code} ({name})"
        else:
            how = f"exited with code {code} (os._exit or sys.exit in the target?)"
        where = f"during a {self._op(w)} call" if w.call_start.value else "while running the check"
        return f"the worker {how} {where}"

    def _lost(self, w: _Worker, why: str, status: str = "fail"
              ) -> tuple[Task, Outcome] | None:
        """Kill w (run() replaces it when tasks remain); the outcome of w's task, if any."""
        tail = w.stderr_tail()
        tag = w.case_buf.value.decode("utf-8", "replace")
        w.kill()
        if not w.ready:
            raise TargetImportError(f"cannot import target {self.spec!r}: {why}\n{tail}")
        task, w.task = w.task, None
        if task is None:  # died between tasks: nothing to report
            return None
        rule = task.check.split("::", 1)[0]
        message = f"{why} [{rule}]"
        outcome = Outcome(task.check, status)
        if tag:
            module, qualname, text = split_tag(tag)
            message += f"\n  on case (the case it died on, not shrunk): {text}"
            outcome.example = {"repr": text, "type": qualname, "shrunk": False}
            outcome.repro = repro_script(task.check, task.ops, tag, self.spec, task.seed)
        if tail:
            message += "\n  the worker's last output:\n" + "\n".join(
                "    " + line for line in tail.splitlines())
        outcome.message = message
        return task, outcome

    def close(self) -> None:
        """Stop idle workers (a clean exit), kill busy or still-importing ones."""
        for w in self._alive():
            if w.ready and w.task is None:
                try:
                    w.conn.send(STOP)
                except OSError:
                    pass
            else:
                w.kill()
        deadline = time.monotonic() + 1.0
        for w in self._alive():
            w.proc.join(max(0.0, deadline - time.monotonic()))
            w.kill()
        for w in self.workers:  # a clean exit too: children the target left behind
            w.end_group()
        self.workers = []
        shutil.rmtree(self.tmp, ignore_errors=True)

    def __enter__(self) -> Pool:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()
