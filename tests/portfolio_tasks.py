"""Module-level task functions for the executor tests: picklable by reference, so a worker process
(or a Ray task) imports them. Each behaves as its task's key says: the last path word before an
optional `#n` picks the behaviour (`ok`, `fail`, `raise`, `crash`, `segv`, `hang`)."""

from __future__ import annotations

import os
import signal
import time

from codegenie_core.portfolio import RepoFailed, RepoGathered, RepoResult, RepoTask, TaskSpec

LOG_VARIABLE = "CODEGENIE_TEST_TASK_LOG"  # set by a test: each run appends the task's key there


def behaviour(key: str) -> str:
    return key.rsplit("/", 1)[-1].split("#", 1)[0]


def _log(key: str) -> None:
    if path := os.environ.get(LOG_VARIABLE):
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.write(fd, key.encode() + b"\n")
        finally:
            os.close(fd)


def scripted(task: RepoTask, spec: TaskSpec) -> RepoResult:
    """A gather that does what its key says, without touching any repository."""
    _log(task.key)
    match behaviour(task.key):
        case "fail":
            return RepoFailed(task=task, reason="error", message="scripted failure", duration_ms=1)
        case "raise":
            raise RuntimeError("scripted bug")
        case "crash":
            os._exit(3)
        case "segv":
            os.kill(os.getpid(), signal.SIGSEGV)
            time.sleep(10)
        case "hang":
            time.sleep(spec.timeout_s * 20)
        case "slow":
            time.sleep(0.3)
        case _:
            pass
    return RepoGathered(
        task=task, head="0" * 40, state_token=None, document={"key": task.key}, duration_ms=1
    )


def real_or_scripted(task: RepoTask, spec: TaskSpec) -> RepoResult:
    """The real `gather_task`, except for repositories named `crash`, `hang` or `raise` (whose
    behaviour is scripted); each run appends its key to the log."""
    from codegenie_adapters.portfolio_worker import gather_task

    if behaviour(task.key) in {"crash", "hang", "raise", "segv"}:
        return scripted(task, spec)
    _log(task.key)
    if os.environ.get("CODEGENIE_TEST_TASK_SLEEP"):
        time.sleep(float(os.environ["CODEGENIE_TEST_TASK_SLEEP"]))
    return gather_task(task, spec)


class DiesOnArrival:
    """A gather function that kills the worker it is unpickled in, before the worker is ready."""

    def __reduce__(self) -> tuple[object, tuple[int]]:
        return (os._exit, (7,))

    def __call__(self, task: RepoTask, spec: TaskSpec) -> RepoResult:
        raise AssertionError("never called: the worker dies first")


def enable_debug_logs() -> None:
    """A worker setup: the adapters' log let through at DEBUG, as `-vv` does."""
    from codegenie_adapters import log

    log.enable("DEBUG")


def log_threshold(task: RepoTask, spec: TaskSpec) -> RepoResult:
    """A gather reporting the adapters' log threshold in the worker that ran it."""
    from codegenie_adapters import log

    document = {"debug": log.is_enabled_for("DEBUG"), "warning": log.is_enabled_for("WARNING")}
    return RepoGathered(task=task, head=None, state_token=None, document=document, duration_ms=1)
