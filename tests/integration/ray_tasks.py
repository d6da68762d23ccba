"""Module-level task functions the Ray cluster tests run on Ray workers (picklable by reference).

Each is `(RepoTask, TaskSpec) -> RepoResult`, the shape of the real `gather_task`; the document
says which node and process ran the task, so a test can tell where Ray placed it.
"""

from __future__ import annotations

import os
import time

from codegenie_core.portfolio import RepoGathered, RepoResult, RepoTask, TaskSpec


def where(task: RepoTask, spec: TaskSpec) -> RepoResult:
    """A gathered repository whose document names the node and process that ran it."""
    import ray

    document = {
        "key": task.key,
        "node": ray.get_runtime_context().get_node_id(),
        "pid": os.getpid(),
    }
    return RepoGathered(task=task, head=None, state_token=None, document=document, duration_ms=0)


def slow_where(task: RepoTask, spec: TaskSpec) -> RepoResult:
    """`where`, after a quarter of a second: long enough for a node to die under it."""
    time.sleep(0.25)
    return where(task, spec)


def raises(task: RepoTask, spec: TaskSpec) -> RepoResult:
    """A task function breaking its contract (it must never raise)."""
    raise ValueError(f"cannot gather {task.key}")


def kills_its_worker(task: RepoTask, spec: TaskSpec) -> RepoResult:
    """Every attempt kills the worker process running it, as a segfaulting gather would."""
    os._exit(7)


def sleeps(task: RepoTask, spec: TaskSpec) -> RepoResult:
    """Outlives any test's timeout; an interrupt leaves `interrupted` in the spec's cache_dir."""
    try:
        time.sleep(120)
    except KeyboardInterrupt:
        _mark(spec, "interrupted", "")
        raise
    return where(task, spec)


def ignores_interrupts(task: RepoTask, spec: TaskSpec) -> RepoResult:
    """Leaves its pid in the spec's cache_dir, and sleeps on through every KeyboardInterrupt."""
    _mark(spec, "pid", str(os.getpid()))
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            time.sleep(1)
        except KeyboardInterrupt:
            _mark(spec, "interrupted", "")
    return where(task, spec)


def _mark(spec: TaskSpec, name: str, text: str) -> None:
    assert spec.cache_dir is not None, "the test gives a scratch directory as cache_dir"
    with open(os.path.join(spec.cache_dir, name), "w") as out:
        out.write(text)


def sleeps_if_slow(task: RepoTask, spec: TaskSpec) -> RepoResult:
    """`sleeps` for a key ending in "slow", `where` for the others."""
    return sleeps(task, spec) if task.key.endswith("slow") else where(task, spec)
