"""A generated portfolio store for the store's CLI and example-query tests."""

from __future__ import annotations

from pathlib import Path

from benches import _gen_portfolio
from codegenie_adapters.portfolio_store import open_store
from codegenie_core.config import GatherConfig
from codegenie_core.portfolio import RepoFailed, RepoGathered, RepoTask, TaskSpec

SPEC = TaskSpec(config=GatherConfig(), cache_dir=None, cache_max_bytes=1 << 30)


def task(i: int) -> RepoTask:
    return RepoTask(key=f"/portfolio/repo-{i:05d}", kind="path", needs_engine=False)


def generated_store(path: Path, repos: int, *, failed: tuple[int, ...] = ()) -> Path:
    """A finished run over `repos` generated repositories; those in `failed` timed out."""
    store = open_store(str(path))
    try:
        tasks = [task(i) for i in range(repos)]
        run = store.begin_run(SPEC, tasks)
        for i, t in enumerate(tasks):
            if i in failed:
                store.record(
                    run, RepoFailed(task=t, reason="timeout", message="600 s", duration_ms=1)
                )
                continue
            document = _gen_portfolio.document(i, deps=12)
            store.record(
                run,
                RepoGathered(
                    task=t, head=f"h{i}", state_token=f"t{i}", document=document, duration_ms=2
                ),
            )
        store.finish_run(run)
    finally:
        store.close()
    return path
