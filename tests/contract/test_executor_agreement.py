"""The `Executor` agreement: every adapter yields each task's result exactly once, records a
failing, raising, crashing or hanging repository with its reason, and goes on with the others.
RAY appends the Ray factory to `EXECUTORS`."""

from __future__ import annotations

import multiprocessing
import time
from collections import Counter
from collections.abc import Callable, Generator

import pytest
from _pytest.mark.structures import ParameterSet

from codegenie_adapters.fakes import FakeExecutor
from codegenie_adapters.local_executor import GatherFn, LocalExecutor
from codegenie_core.config import GatherConfig
from codegenie_core.portfolio import Executor, RepoFailed, RepoGathered, RepoTask, TaskSpec
from tests._ci_support.requires_tool import requires_tool
from tests.portfolio_tasks import scripted

ExecutorFactory = Callable[[GatherFn], Executor]


def _local(gather: GatherFn) -> Executor:
    return LocalExecutor(gather=gather, jobs=2, grace_s=2.0)


def _fake(gather: GatherFn) -> Executor:
    return FakeExecutor(gather=gather)


def _ray(gather: GatherFn) -> Executor:
    from codegenie_adapters.ray_executor import RayExecutor
    from tests.ray_support import shared_cluster

    # One retry for a dead worker, as the local executor; a short grace for the hanging ones.
    return RayExecutor(gather, address=shared_cluster().address, retries=1, grace_s=2.0)


EXECUTORS: list[ExecutorFactory | ParameterSet] = [
    _local,
    pytest.param(_ray, marks=[requires_tool("ray"), pytest.mark.integration]),
]
# The fake runs tasks in the test's own process: it agrees on everything but the faults that kill
# or hang a worker.
WITHOUT_FAULTS: list[ExecutorFactory | ParameterSet] = [*EXECUTORS, _fake]


def _spec(timeout_s: float = 30.0) -> TaskSpec:
    return TaskSpec(config=GatherConfig(), cache_dir=None, cache_max_bytes=1, timeout_s=timeout_s)


def _tasks(*names: str) -> list[RepoTask]:
    return [RepoTask(key=f"/repos/{name}", kind="path", needs_engine=False) for name in names]


def _run(factory: ExecutorFactory, tasks: list[RepoTask], spec: TaskSpec) -> dict[str, object]:
    executor = factory(scripted)
    try:
        results = list(executor.run(tasks, spec))
    finally:
        executor.close()
    counts = Counter(r.task.key for r in results)
    assert counts == Counter(t.key for t in tasks), "each task exactly once"
    return {r.task.key: r for r in results}


@pytest.mark.parametrize("factory", WITHOUT_FAULTS, ids=lambda f: f.__name__.strip("_"))
def test_every_task_yields_one_result(factory: ExecutorFactory) -> None:
    names = [f"ok#{i}" for i in range(12)] + ["fail", "raise"]
    results = _run(factory, _tasks(*names), _spec())
    gathered = [r for r in results.values() if isinstance(r, RepoGathered)]
    assert sorted(r.document["key"] for r in gathered) == sorted(
        f"/repos/ok#{i}" for i in range(12)
    )
    failed = results["/repos/fail"]
    assert isinstance(failed, RepoFailed) and failed.reason == "error"
    raised = results["/repos/raise"]
    assert isinstance(raised, RepoFailed) and raised.reason == "error"
    assert "RuntimeError: scripted bug" in raised.message


@pytest.mark.parametrize("factory", EXECUTORS, ids=lambda f: f.__name__.strip("_"))
def test_a_crashing_repository_is_recorded_and_the_others_go_on(factory: ExecutorFactory) -> None:
    names = ["ok#1", "crash", "ok#2", "segv", "ok#3", "ok#4"]
    results = _run(factory, _tasks(*names), _spec())
    for name in ("crash", "segv"):
        crashed = results[f"/repos/{name}"]
        assert isinstance(crashed, RepoFailed) and crashed.reason == "crash", crashed
    assert all(isinstance(results[f"/repos/ok#{i}"], RepoGathered) for i in range(1, 5))


@pytest.mark.parametrize("factory", EXECUTORS, ids=lambda f: f.__name__.strip("_"))
def test_a_hanging_repository_times_out_and_the_others_go_on(factory: ExecutorFactory) -> None:
    started = time.monotonic()
    results = _run(factory, _tasks("ok#1", "hang", "ok#2", "ok#3"), _spec(timeout_s=1.5))
    hung = results["/repos/hang"]
    assert isinstance(hung, RepoFailed) and hung.reason == "timeout"
    assert all(isinstance(results[f"/repos/ok#{i}"], RepoGathered) for i in range(1, 4))
    assert time.monotonic() - started < 25


@pytest.mark.parametrize("factory", EXECUTORS, ids=lambda f: f.__name__.strip("_"))
def test_closing_early_returns_without_waiting_for_running_gathers(
    factory: ExecutorFactory,
) -> None:
    executor = factory(scripted)
    results = executor.run(_tasks("ok#0", "hang", "hang#2", "hang#3"), _spec(timeout_s=60))
    first = next(iter(results))
    started = time.monotonic()
    assert isinstance(results, Generator)
    results.close()
    executor.close()
    executor.close()  # safe twice
    assert first.task.key in {t.key for t in _tasks("ok#0", "hang", "hang#2", "hang#3")}
    assert time.monotonic() - started < 15
    assert multiprocessing.active_children() == []  # no worker left running here
