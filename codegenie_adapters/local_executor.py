"""`LocalExecutor`: a pool of worker processes on this machine, each gathering many repositories in
one interpreter (the `Executor` port; see ADR-0061).

Rule 1: a worker holds one task at a time, so the driver always knows which repository a dead
worker was gathering: that one is retried once in a fresh worker (`crash_retries`), then yielded
as `crash`; no other task is touched and the pool goes on with a replacement.
Rule 2: a task that outlives `spec.timeout_s` is yielded as `timeout` and its worker is stopped:
SIGTERM (the gather unwinds as on Ctrl-C: process groups killed, containers removed), then SIGKILL
after `grace_s`. Whatever that worker still sends is ignored.
Rule 3: every task is yielded exactly once; workers that die before they are ready (never given a
task) are replaced, and after `MAX_START_FAILURES` such deaths in a row the tasks left are yielded
as `lost`, naming the exit status.
Rule 4: workers ignore SIGINT (Ctrl-C reaches the whole terminal group; the driver decides), and
exit when the driver's end of their pipe closes, so a killed driver leaves no worker behind for
longer than the gather it was running. Closing the iterator, or `close()`, stops every worker.
Rule 5: this module is the one place besides `exec.py` that starts processes: codegenie's own
Python workers, through `multiprocessing`; every program a worker runs goes through
`run_external_cli`, as anywhere else.
Rule 6: a spawned worker starts with nothing of the driver's process state; `worker_setup` (a
module-level function, pickled by reference) runs in each worker before its first task, so the
CLI can give workers its own log level and sink (`-v` reaches the gathers; see ADR-0078).
"""

from __future__ import annotations

import contextlib
import multiprocessing
import signal
import time
from collections import deque
from collections.abc import Callable, Container, Iterator, Sequence
from multiprocessing.connection import Connection, wait
from multiprocessing.process import BaseProcess
from types import FrameType

import attrs

from codegenie_core.portfolio import (
    Executor,
    RepoFailed,
    RepoGathered,
    RepoResult,
    RepoTask,
    TaskSpec,
)

GatherFn = Callable[[RepoTask, TaskSpec], RepoResult]
WorkerSetup = Callable[[], None]
MAX_START_FAILURES = 3
_IDLE_EXIT_S = 2.0
_READY = "ready"


def _worker_main(
    conn: Connection, gather: GatherFn, spec: TaskSpec, setup: WorkerSetup | None
) -> None:
    """A worker: gather each task the driver sends, send back its result, until the pipe closes."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Rule 4
    if setup is not None:
        setup()  # Rule 6

    def on_term(signum: int, frame: FrameType | None) -> None:
        del signum, frame
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        raise KeyboardInterrupt  # Rule 2: unwind the gather as Ctrl-C does

    signal.signal(signal.SIGTERM, on_term)
    try:
        try:
            conn.send(_READY)
            while (task := conn.recv()) is not None:
                conn.send(_gather_one(gather, task, spec))
        except (EOFError, OSError):  # the driver is gone (Rule 4)
            pass
    except KeyboardInterrupt:  # stopped by the driver (Rule 2)
        pass


def _gather_one(gather: GatherFn, task: RepoTask, spec: TaskSpec) -> RepoResult:
    started = time.monotonic()
    try:
        return gather(task, spec)
    except Exception as error:  # a task function's bug: a value, as for gather_task
        elapsed = int((time.monotonic() - started) * 1000)
        message = f"internal error, please report: {type(error).__name__}: {error}"
        return RepoFailed(task=task, reason="error", message=message, duration_ms=elapsed)


@attrs.define
class _RunState:
    pending: deque[RepoTask]
    crashes: dict[str, int] = attrs.field(factory=dict[str, int])
    start_failures: int = 0


@attrs.define
class _Worker:
    process: BaseProcess
    conn: Connection
    ready: bool = False
    task: RepoTask | None = None
    started: float = 0.0


def _exit_text(code: int | None) -> str:
    if code is not None and code < 0:
        with contextlib.suppress(ValueError):
            return f"killed by {signal.Signals(-code).name}"
    return f"exit status {code}"


class LocalExecutor:
    """The process pool (Rules 1-4). `gather` is a module-level function (it is pickled by
    reference into each worker); `jobs` workers run at once."""

    def __init__(
        self,
        *,
        gather: GatherFn,
        jobs: int,
        grace_s: float = 5.0,
        crash_retries: int = 1,
        worker_setup: WorkerSetup | None = None,
    ) -> None:
        assert jobs >= 1
        self._gather = gather
        self._worker_setup = worker_setup
        self._jobs = jobs
        self._grace_s = grace_s
        self._crash_retries = crash_retries
        self._context = multiprocessing.get_context("spawn")  # no fork of a threaded driver
        self._workers: list[_Worker] = []
        self._dying: list[tuple[BaseProcess, float]] = []  # SIGTERMed, SIGKILL due at

    def run(self, tasks: Sequence[RepoTask], spec: TaskSpec) -> Iterator[RepoResult]:
        state = _RunState(pending=deque(tasks))
        try:
            while state.pending or any(w.task is not None for w in self._workers):
                self._reap_dying()
                self._fill(state, spec)
                yield from self._collect(state, self._wait(spec))
                yield from self._expire(spec)
        finally:
            self.close()

    def _fill(self, state: _RunState, spec: TaskSpec) -> None:
        """Start workers up to the pool size the work needs; hand each ready idle one a task."""
        busy = sum(w.task is not None for w in self._workers)
        while len(self._workers) < min(self._jobs, busy + len(state.pending)):
            self._workers.append(self._start(spec))
        for worker in self._workers:
            self._assign(state, worker)

    def _assign(self, state: _RunState, worker: _Worker) -> None:
        """Hand a ready idle worker the next task. Called as soon as a result arrives, before
        the driver records it, so the worker gathers while the driver writes."""
        if worker.ready and worker.task is None and state.pending:
            worker.task, worker.started = state.pending.popleft(), time.monotonic()
            worker.conn.send(worker.task)

    def _wait(self, spec: TaskSpec) -> Container[object]:
        """Block until a worker sends, dies, or the nearest deadline passes (at most 1 s)."""
        now = time.monotonic()
        deadlines = [w.started + spec.timeout_s - now for w in self._workers if w.task]
        timeout: float = min([1.0, *deadlines, *([0.2] if self._dying else [])])
        waitables: list[Connection | int] = [w.conn for w in self._workers]
        waitables += [w.process.sentinel for w in self._workers]
        return set(wait(waitables, timeout=max(0.0, timeout)))

    def _collect(self, state: _RunState, ready: Container[object]) -> Iterator[RepoResult]:
        """The results and deaths `ready` signals (Rules 1, 3)."""
        for worker in list(self._workers):
            if worker.conn in ready:
                try:
                    message = worker.conn.recv()
                except (EOFError, OSError):
                    message = None
                if message == _READY:
                    worker.ready, state.start_failures = True, 0
                    self._assign(state, worker)
                    continue
                if isinstance(message, RepoGathered | RepoFailed):
                    worker.task = None
                    self._assign(state, worker)
                    yield message
                    continue
            if worker.process.sentinel in ready or worker.conn in ready:
                worker.process.join(timeout=1.0)
                if not worker.process.is_alive():
                    yield from self._died(state, worker)

    def _died(self, state: _RunState, worker: _Worker) -> Iterator[RepoResult]:
        self._drop(worker)
        code = worker.process.exitcode
        task, worker.task = worker.task, None
        if task is None:
            state.start_failures += not worker.ready
            if state.start_failures >= MAX_START_FAILURES:
                message = f"worker processes die before they are ready ({_exit_text(code)})"
                while state.pending:
                    lost = state.pending.popleft()
                    yield RepoFailed(task=lost, reason="lost", message=message, duration_ms=0)
            return
        state.crashes[task.key] = state.crashes.get(task.key, 0) + 1
        if state.crashes[task.key] <= self._crash_retries:
            state.pending.appendleft(task)
            return
        elapsed = int((time.monotonic() - worker.started) * 1000)
        message = f"its worker process died ({_exit_text(code)})"
        yield RepoFailed(task=task, reason="crash", message=message, duration_ms=elapsed)

    def _expire(self, spec: TaskSpec) -> Iterator[RepoResult]:
        """Rule 2 for every task past its deadline."""
        now = time.monotonic()
        for worker in list(self._workers):
            if worker.task is not None and now - worker.started >= spec.timeout_s:
                task, worker.task = worker.task, None
                self._drop(worker)
                self._terminate(worker.process)
                message = f"its gather outlived the per-repository timeout ({spec.timeout_s:g} s)"
                elapsed = int((now - worker.started) * 1000)
                yield RepoFailed(task=task, reason="timeout", message=message, duration_ms=elapsed)

    def _start(self, spec: TaskSpec) -> _Worker:
        ours, theirs = self._context.Pipe(duplex=True)
        process = self._context.Process(
            target=_worker_main, args=(theirs, self._gather, spec, self._worker_setup), daemon=True
        )
        process.start()
        theirs.close()
        return _Worker(process=process, conn=ours)

    def _drop(self, worker: _Worker) -> None:
        self._workers.remove(worker)
        worker.conn.close()

    def _terminate(self, process: BaseProcess) -> None:
        with contextlib.suppress(OSError):
            process.terminate()
        self._dying.append((process, time.monotonic() + self._grace_s))

    def _reap_dying(self, *, force: bool = False) -> None:
        still: list[tuple[BaseProcess, float]] = []
        for process, kill_at in self._dying:
            if process.is_alive() and (force or time.monotonic() >= kill_at):
                process.kill()
                process.join(timeout=5.0)
            if process.is_alive():
                still.append((process, kill_at))
            else:
                process.join()
        self._dying = still

    def close(self) -> None:
        """Stop every worker (Rule 4): an idle one is told to exit; a busy one, or one that does
        not exit within `_IDLE_EXIT_S`, gets SIGTERM, up to `grace_s` to unwind, then SIGKILL."""
        idle = [w for w in self._workers if w.task is None and w.ready]
        for worker in idle:
            with contextlib.suppress(OSError):
                worker.conn.send(None)
        deadline = time.monotonic() + _IDLE_EXIT_S
        for worker in idle:
            worker.process.join(timeout=max(0.0, deadline - time.monotonic()))
        for worker in list(self._workers):
            self._drop(worker)
            if worker.process.is_alive():
                self._terminate(worker.process)
            else:
                worker.process.join()
        deadline = time.monotonic() + self._grace_s
        while any(p.is_alive() for p, _ in self._dying) and time.monotonic() < deadline:
            wait([p.sentinel for p, _ in self._dying if p.is_alive()], timeout=0.1)
        self._reap_dying(force=True)


_CONFORMS: type[Executor] = LocalExecutor
