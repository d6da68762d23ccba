"""The Ray executor: each repository a Ray task on a cluster (issue #13, see ADR-0064).

Rule 1: Ray is optional and imported lazily, on first construction: without it the executor
says so in one line (`RayUnavailable`, exit 2), and nothing else in codegenie imports it.
Rule 2: every task's result is yielded exactly once, in completion order. Ray retries a task
whose worker or node was lost (`max_retries`, system failures only); past that bound the task is
`RepoFailed(reason="crash")` when its worker died under it each time (the gather crashes it, as
with the local executor) and `RepoFailed(reason="lost")` otherwise (its node died, Ray could not
schedule or keep it). The task function never raises (an application error is its own
`RepoFailed`); if it does anyway, that is `RepoFailed(reason="error")` and is not retried.
Rule 3: at most `max_in_flight` tasks are submitted at once (`ray.wait` frees a slot). A task's
`timeout_s` runs on its worker, from when the gather starts (a Ray worker may take seconds to
start): past it a SIGALRM raises KeyboardInterrupt in the gather, which unwinds as on Ctrl-C
(process groups killed, containers removed), and the task returns `RepoFailed(reason="timeout")`.
A gather that does not unwind (stuck outside Python) is killed from the driver at its backstop:
`2 * (timeout_s + grace_s) + start_allowance_s` after submission, which covers waiting in Ray's
queue behind at most one slot's worth of tasks when `max_in_flight` is at most twice the slots.
Closing the iterator early kills every worker still running a task of the run.
Rule 4: a task with `needs_engine` asks for one unit of the `docker` custom resource, so it
lands only on nodes that declare an engine (`ray start --resources='{"docker": N}'`, N layer-C
gathers at once); a cluster where no node declares it is refused before anything is submitted.
Rule 5: the executor shuts down only what it started: a local Ray (`address=None`) or its own
connection; a Ray the caller already initialised is left as it was.
"""

from __future__ import annotations

import importlib
import signal
import socket
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from types import FrameType
from typing import Any

from codegenie_core.errors import CodegenieError
from codegenie_core.portfolio import Executor, RepoFailed, RepoResult, RepoTask, TaskSpec

GatherTask = Callable[[RepoTask, TaskSpec], RepoResult]

ENGINE_RESOURCE = "docker"
DEFAULT_RETRIES = 3
DEFAULT_GRACE_S = 5.0
DEFAULT_START_ALLOWANCE_S = 60.0
_MESSAGE_LIMIT = 300
_CONNECT_TIMEOUT_S = 10.0


class RayUnavailable(CodegenieError):
    """`--executor ray` without Ray installed (or with a Ray that cannot be imported)."""

    def __init__(self, detail: str) -> None:
        super().__init__(
            f"--executor ray needs Ray, which is not importable here ({detail}): "
            "pip install 'codegenie[ray]' (see ADR-0064)"
        )


class RayClusterError(CodegenieError):
    """The Ray cluster cannot run this portfolio: unreachable, or missing a needed resource."""


def _import_ray() -> Any:
    # Any: Ray's own annotations are partial; the executor is the one place it is touched.
    try:
        return importlib.import_module("ray")
    except ImportError as error:
        raise RayUnavailable(_one_line(str(error))) from None


def _one_line(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= _MESSAGE_LIMIT else flat[: _MESSAGE_LIMIT - 3] + "..."


def _refuse_unreachable(address: str) -> None:
    """A `HOST:PORT` address that takes no TCP connection is refused in bounded time (`ray.init`
    retries an absent GCS for minutes); `auto`, `ray://...` and other forms go to Ray as given."""
    host, colon, port = address.rpartition(":")
    if not colon or not port.isdigit() or not host or "/" in host:
        return
    try:
        socket.create_connection((host.strip("[]"), int(port)), timeout=_CONNECT_TIMEOUT_S).close()
    except OSError as error:
        raise RayClusterError(
            f"--ray-address {address}: no Ray cluster answers there ({_one_line(str(error))})"
        ) from None


def run_on_worker(gather: GatherTask, task: RepoTask, spec: TaskSpec) -> RepoResult:
    """What each Ray task runs, on a worker: the task function, under its timeout (Rule 3)."""
    started = time.monotonic()
    fired: list[bool] = []

    def on_alarm(signum: int, frame: FrameType | None) -> None:
        del signum, frame
        fired.append(True)
        raise KeyboardInterrupt  # the gather unwinds as on Ctrl-C

    try:
        previous = signal.signal(signal.SIGALRM, on_alarm)
    except ValueError:  # not the worker's main thread: the driver's backstop alone applies
        return gather(task, spec)
    signal.setitimer(signal.ITIMER_REAL, spec.timeout_s)
    try:
        result = gather(task, spec)
        signal.setitimer(signal.ITIMER_REAL, 0)
    except KeyboardInterrupt:
        signal.setitimer(signal.ITIMER_REAL, 0)
        if not fired:
            raise  # ray.cancel interrupting the task, not its timeout
        return RepoFailed(
            task=task,
            reason="timeout",
            message=f"{task.key}: no result within {spec.timeout_s:g} s",
            duration_ms=_ms_since(started),
        )
    finally:
        signal.signal(signal.SIGALRM, previous)
    return result


class RayExecutor:
    """Runs each task as a Ray task at `address` (None: a local Ray it starts and stops)."""

    def __init__(
        self,
        gather: GatherTask,
        *,
        address: str | None = None,
        max_in_flight: int | None = None,
        retries: int = DEFAULT_RETRIES,
        grace_s: float = DEFAULT_GRACE_S,
        start_allowance_s: float = DEFAULT_START_ALLOWANCE_S,
        num_cpus: int | None = None,
        init_options: Mapping[str, Any] | None = None,
    ) -> None:
        assert max_in_flight is None or max_in_flight >= 1, "max_in_flight is at least 1"
        assert retries >= 0, "retries is not negative"
        self._ray = _import_ray()
        if address is not None:
            _refuse_unreachable(address)
        self._gather = gather
        self._address = address
        self._max_in_flight = max_in_flight
        self._retries = retries
        self._grace_s = grace_s
        self._start_allowance_s = start_allowance_s
        self._num_cpus = num_cpus
        self._init_options = dict(init_options or {})
        self._started = False
        self._remote: Any = None

    def _connect(self) -> None:
        ray = self._ray
        if not ray.is_initialized():
            options: dict[str, Any] = {
                "log_to_driver": False,
                "logging_level": "WARNING",
                "include_dashboard": False,
                **self._init_options,
            }
            if self._address is None:
                # "local": a new instance even if `ray start` left one on this machine. It is this
                # machine, so it offers its engine to every task (Rule 4): where the engine is
                # missing, layer C says so in the document, as with the local executor.
                cpus = self._num_cpus
                options.setdefault("resources", {ENGINE_RESOURCE: float(cpus or 1) * 1024})
                options.update(address="local", num_cpus=cpus)
            else:
                options.update(address=self._address)
            try:
                ray.init(**options)
            except (ConnectionError, RuntimeError, ValueError) as error:
                where = self._address or "a local Ray"
                raise RayClusterError(
                    f"--ray-address {where}: cannot connect: {_one_line(str(error))}"
                ) from None
            self._started = True
        if self._remote is None:
            self._remote = ray.remote(run_on_worker)

    def _in_flight_bound(self) -> int:
        if self._max_in_flight is not None:
            return self._max_in_flight
        cpus = int(self._ray.cluster_resources().get("CPU", 1))
        return max(2, 2 * cpus)

    def _refuse_without_engines(self, tasks: Sequence[RepoTask]) -> None:
        if not any(task.needs_engine for task in tasks):
            return
        if self._ray.cluster_resources().get(ENGINE_RESOURCE, 0) <= 0:
            raise RayClusterError(
                f"layer C needs a node with a container engine, and no node of the Ray cluster "
                f"declares the {ENGINE_RESOURCE!r} resource "
                f"(ray start --resources='{{\"{ENGINE_RESOURCE}\": 1}}'; see ADR-0064)"
            )

    def _submit(self, task: RepoTask, spec_ref: Any, spec: TaskSpec) -> Any:
        resources = {ENGINE_RESOURCE: 1.0} if task.needs_engine else {}
        return self._remote.options(
            num_cpus=max(1, spec.jobs_per_repo),
            resources=resources,
            max_retries=self._retries,
            retry_exceptions=False,
            name=f"codegenie-gather:{task.key[-80:]}",
        ).remote(self._gather, task, spec_ref)

    def run(self, tasks: Sequence[RepoTask], spec: TaskSpec) -> Iterator[RepoResult]:
        assert len({task.key for task in tasks}) == len(tasks), "each task key once"
        self._connect()
        self._refuse_without_engines(tasks)
        return self._drive(tasks, spec)

    def _drive(self, tasks: Sequence[RepoTask], spec: TaskSpec) -> Iterator[RepoResult]:
        ray = self._ray
        exceptions = importlib.import_module("ray.exceptions")
        bound = self._in_flight_bound()
        spec_ref = ray.put(spec)
        waiting = iter(tasks)
        # ref -> (task, submitted at); a ref leaves it exactly once, when its result is yielded.
        pending: dict[Any, tuple[RepoTask, float]] = {}
        backstop_s = 2 * (spec.timeout_s + self._grace_s) + self._start_allowance_s
        try:
            while True:
                while len(pending) < bound:
                    task = next(waiting, None)
                    if task is None:
                        break
                    pending[self._submit(task, spec_ref, spec)] = (task, time.monotonic())
                if not pending:
                    return
                first_backstop = min(at for _, at in pending.values()) + backstop_s
                ready, _ = ray.wait(
                    list(pending),
                    num_returns=1,
                    timeout=max(0.0, first_backstop - time.monotonic()),
                )
                for ref in ready:
                    task, submitted = pending.pop(ref)
                    yield self._result(ref, task, submitted, exceptions)
                now = time.monotonic()
                for ref, (task, submitted) in list(pending.items()):
                    if now - submitted >= backstop_s:
                        del pending[ref]
                        ray.cancel(ref, force=True)
                        yield RepoFailed(
                            task=task,
                            reason="timeout",
                            message=(
                                f"{task.key}: no result within {spec.timeout_s:g} s, and the "
                                f"gather did not unwind: its worker was killed"
                            ),
                            duration_ms=_ms_since(submitted),
                        )
        finally:
            # Closed early (the driver interrupted) or done: nothing of this run keeps running.
            for ref in pending:
                ray.cancel(ref, force=True)

    def _result(self, ref: Any, task: RepoTask, submitted: float, exceptions: Any) -> RepoResult:
        try:
            result: RepoResult = self._ray.get(ref)
        except exceptions.RayTaskError as error:
            cause = error.cause if isinstance(error.cause, BaseException) else error
            return RepoFailed(
                task=task,
                reason="error",
                message=_one_line(
                    f"{task.key}: the task function raised {type(cause).__name__}: {cause}"
                ),
                duration_ms=_ms_since(submitted),
            )
        except exceptions.WorkerCrashedError as error:
            # The worker died under the task on every attempt: a crashing gather (Rule 2).
            return RepoFailed(
                task=task,
                reason="crash",
                message=_one_line(
                    f"{task.key}: its worker died on each of {self._retries + 1} attempts: "
                    f"{type(error).__name__}: {error}"
                ),
                duration_ms=_ms_since(submitted),
            )
        except exceptions.RayError as error:
            # Its node lost more often than `max_retries` allows, an object lost with its node, a
            # task Ray could not schedule: Ray gave up on it (Rule 2).
            return RepoFailed(
                task=task,
                reason="lost",
                message=_one_line(
                    f"{task.key}: lost by Ray after {self._retries} retries: "
                    f"{type(error).__name__}: {error}"
                ),
                duration_ms=_ms_since(submitted),
            )
        assert result.task.key == task.key, "a Ray task answers for its own repository"
        return result

    def close(self) -> None:
        if self._started:
            self._started = False
            self._remote = None
            self._ray.shutdown()


def _ms_since(start: float) -> int:
    return int((time.monotonic() - start) * 1000)


_CONFORMS: type[Executor] = RayExecutor
