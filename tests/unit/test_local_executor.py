"""What the local process pool adds to the executor agreement: how it retries a crash, tells a
signal from an exit, gives up on workers that cannot start, and leaves no process behind."""

from __future__ import annotations

import multiprocessing
from pathlib import Path

import pytest

from codegenie_adapters.local_executor import MAX_START_FAILURES, LocalExecutor
from codegenie_core.config import GatherConfig
from codegenie_core.portfolio import RepoFailed, RepoGathered, RepoTask, TaskSpec
from tests.portfolio_tasks import (
    LOG_VARIABLE,
    DiesOnArrival,
    enable_debug_logs,
    log_threshold,
    scripted,
)

SPEC = TaskSpec(config=GatherConfig(), cache_dir=None, cache_max_bytes=1, timeout_s=30)


def _task(name: str) -> RepoTask:
    return RepoTask(key=f"/repos/{name}", kind="path", needs_engine=False)


def test_a_crash_is_retried_once_in_a_fresh_worker_then_recorded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    log = tmp_path / "log"
    monkeypatch.setenv(LOG_VARIABLE, str(log))
    executor = LocalExecutor(gather=scripted, jobs=1)
    results = list(executor.run([_task("crash"), _task("segv"), _task("ok")], SPEC))
    by_key = {r.task.key: r for r in results}
    crashed, segv = by_key["/repos/crash"], by_key["/repos/segv"]
    assert isinstance(crashed, RepoFailed) and crashed.message == (
        "its worker process died (exit status 3)"
    )
    assert isinstance(segv, RepoFailed) and segv.message == (
        "its worker process died (killed by SIGSEGV)"
    )
    assert isinstance(by_key["/repos/ok"], RepoGathered)
    assert log.read_text().split() == ["/repos/crash"] * 2 + ["/repos/segv"] * 2 + ["/repos/ok"]


def test_without_retries_a_crash_runs_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    log = tmp_path / "log"
    monkeypatch.setenv(LOG_VARIABLE, str(log))
    executor = LocalExecutor(gather=scripted, jobs=2, crash_retries=0)
    results = list(executor.run([_task("crash")], SPEC))
    assert [r.task.key for r in results] == ["/repos/crash"]
    assert log.read_text().split() == ["/repos/crash"]


def test_workers_that_die_before_they_are_ready_lose_the_tasks_left() -> None:
    executor = LocalExecutor(gather=DiesOnArrival(), jobs=1)
    results = list(executor.run([_task("ok#1"), _task("ok#2")], SPEC))
    assert [r.task.key for r in results] == ["/repos/ok#1", "/repos/ok#2"]
    for result in results:
        assert isinstance(result, RepoFailed) and result.reason == "lost"
        assert result.message == "worker processes die before they are ready (exit status 7)"
    assert MAX_START_FAILURES == 3


def test_no_worker_outlives_the_run_or_a_timeout() -> None:
    executor = LocalExecutor(gather=scripted, jobs=2, grace_s=1.0)
    spec = TaskSpec(config=GatherConfig(), cache_dir=None, cache_max_bytes=1, timeout_s=1.0)
    results = list(executor.run([_task("hang"), _task("ok")], spec))
    assert {r.task.key for r in results} == {"/repos/hang", "/repos/ok"}
    assert multiprocessing.active_children() == []


def test_worker_setup_runs_in_every_worker_before_its_first_task() -> None:
    tasks = [_task(f"t{i}") for i in range(6)]
    with_setup = LocalExecutor(gather=log_threshold, jobs=2, worker_setup=enable_debug_logs)
    without = LocalExecutor(gather=log_threshold, jobs=2)
    set_up = [r for r in with_setup.run(tasks, SPEC) if isinstance(r, RepoGathered)]
    bare = [r for r in without.run(tasks, SPEC) if isinstance(r, RepoGathered)]
    assert [r.document for r in set_up] == [{"debug": True, "warning": True}] * 6
    assert [r.document for r in bare] == [{"debug": False, "warning": False}] * 6
