"""The Ray executor on a real local cluster: a head and two worker nodes (see ADR-0064)."""

from __future__ import annotations

import os
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from codegenie_core.config import GatherConfig
from codegenie_core.portfolio import RepoFailed, RepoGathered, RepoResult, RepoTask, TaskSpec
from tests._ci_support.requires_tool import requires_tool
from tests.integration import ray_tasks
from tests.ray_support import SharedCluster, shared_cluster

pytestmark = [pytest.mark.integration, requires_tool("ray")]


@pytest.fixture
def cluster() -> SharedCluster:
    return shared_cluster()


def spec(timeout_s: float = 120.0, scratch: Path | None = None) -> TaskSpec:
    """A spec whose `cache_dir`, when given, is where the task functions leave their marks."""
    return TaskSpec(
        config=GatherConfig(),
        cache_dir=None if scratch is None else str(scratch),
        cache_max_bytes=1 << 20,
        timeout_s=timeout_s,
    )


def tasks(n: int, *, prefix: str = "/repos/r", needs_engine: bool = False) -> list[RepoTask]:
    return [
        RepoTask(key=f"{prefix}{i:03d}", kind="path", needs_engine=needs_engine) for i in range(n)
    ]


def collect(results: Iterator[RepoResult]) -> list[RepoResult]:
    return list(results)


def test_every_task_once_when_a_worker_node_dies_and_a_fresh_one_joins(
    cluster: SharedCluster,
) -> None:
    from codegenie_adapters.ray_executor import RayExecutor

    planned = tasks(40)
    executor = RayExecutor(ray_tasks.slow_where, address=cluster.address, max_in_flight=4)
    results: list[RepoResult] = []
    for result in executor.run(planned, spec()):
        results.append(result)
        if len(results) == 6:
            cluster.replace("plain")  # ungracefully, with tasks running on it
    executor.close()
    counts = Counter(result.task.key for result in results)
    assert sorted(counts) == [task.key for task in planned]
    assert set(counts.values()) == {1}
    assert [r for r in results if not isinstance(r, RepoGathered)] == []


def test_engine_tasks_land_only_on_the_node_with_the_docker_resource(
    cluster: SharedCluster,
) -> None:
    from codegenie_adapters.ray_executor import RayExecutor

    engine = tasks(12, prefix="/repos/engine", needs_engine=True)
    plain = tasks(12, prefix="/repos/plain")
    executor = RayExecutor(ray_tasks.where, address=cluster.address, max_in_flight=6)
    results = collect(executor.run(engine, spec())) + collect(executor.run(plain, spec()))
    executor.close()
    nodes = {r.task.key: r.document["node"] for r in results if isinstance(r, RepoGathered)}
    assert len(nodes) == 24
    assert {nodes[task.key] for task in engine} == {cluster.node_id("engine")}
    assert {nodes[task.key] for task in plain} <= {
        cluster.node_id("engine"),
        cluster.node_id("plain"),
    }


def test_a_cluster_without_the_docker_resource_is_refused_before_anything_runs(
    cluster: SharedCluster, monkeypatch: pytest.MonkeyPatch
) -> None:
    import ray

    from codegenie_adapters.ray_executor import RayClusterError, RayExecutor

    monkeypatch.setattr(ray, "cluster_resources", lambda: {"CPU": 2.0})
    executor = RayExecutor(ray_tasks.where, address=cluster.address)
    with pytest.raises(RayClusterError, match="'docker' resource") as raised:
        executor.run(tasks(2, needs_engine=True), spec())
    assert raised.value.exit_code == 2


def test_a_raising_task_function_is_an_error_result_naming_the_exception(
    cluster: SharedCluster,
) -> None:
    from codegenie_adapters.ray_executor import RayExecutor

    executor = RayExecutor(ray_tasks.raises, address=cluster.address)
    [result] = collect(executor.run(tasks(1), spec()))
    assert isinstance(result, RepoFailed)
    assert result.reason == "error"
    assert "ValueError: cannot gather /repos/r000" in result.message
    assert "\n" not in result.message


def test_a_task_killing_its_worker_each_time_is_a_crash_after_its_retries(
    cluster: SharedCluster,
) -> None:
    from codegenie_adapters.ray_executor import RayExecutor

    executor = RayExecutor(ray_tasks.kills_its_worker, address=cluster.address, retries=1)
    [result] = collect(executor.run(tasks(1), spec()))
    assert isinstance(result, RepoFailed)
    assert (result.reason, "\n" in result.message) == ("crash", False)
    assert "died on each of 2 attempts" in result.message


def test_a_task_past_its_timeout_is_interrupted_and_the_others_go_on(
    cluster: SharedCluster, tmp_path: Path
) -> None:
    import ray

    from codegenie_adapters.ray_executor import RayExecutor

    executor = RayExecutor(ray_tasks.sleeps_if_slow, address=cluster.address, max_in_flight=3)
    planned = [*tasks(5), RepoTask(key="/repos/slow", kind="path", needs_engine=False)]
    results = collect(executor.run(planned, spec(timeout_s=4.0, scratch=tmp_path)))
    executor.close()
    by_key = {r.task.key: r for r in results}
    assert len(results) == len(by_key) == 6
    slow = by_key.pop("/repos/slow")
    assert isinstance(slow, RepoFailed) and slow.reason == "timeout"
    assert all(isinstance(r, RepoGathered) for r in by_key.values())
    # The gather was interrupted (KeyboardInterrupt, as on Ctrl-C), so it could clean up.
    assert eventually((tmp_path / "interrupted").exists)
    # The executor did not start this Ray, so closing it left the caller's connection alone.
    assert ray.is_initialized()


def test_a_timed_out_task_ignoring_the_interrupt_has_its_worker_killed_at_the_backstop(
    cluster: SharedCluster, tmp_path: Path
) -> None:
    from codegenie_adapters.ray_executor import RayExecutor

    executor = RayExecutor(
        ray_tasks.ignores_interrupts, address=cluster.address, grace_s=1.0, start_allowance_s=2.0
    )
    [result] = collect(executor.run(tasks(1), spec(timeout_s=3.0, scratch=tmp_path)))
    assert isinstance(result, RepoFailed) and result.reason == "timeout"
    assert "its worker was killed" in result.message
    pid = int((tmp_path / "pid").read_text())
    assert eventually((tmp_path / "interrupted").exists)
    assert eventually(lambda: not alive(pid))


def eventually(condition: Callable[[], bool], within_s: float = 20.0) -> bool:
    deadline = time.monotonic() + within_s
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True
