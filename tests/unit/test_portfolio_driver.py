"""The portfolio driver over the fake store and the fake executor: plan, begin or resume the run,
record each result once, finish; an interrupted run is resumed doing only what is left."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import attrs
import pytest

from codegenie_adapters.fakes import FakeExecutor, FakePortfolioStore
from codegenie_core.config import GatherConfig
from codegenie_core.portfolio import (
    Progress,
    RepoResult,
    RepoTask,
    SourceKind,
    TaskSpec,
    run_portfolio,
)
from tests.portfolio_tasks import scripted

SPEC = TaskSpec(config=GatherConfig(), cache_dir=None, cache_max_bytes=1)
SOURCES: list[tuple[str, SourceKind]] = [(f"/repos/ok#{i}", "path") for i in range(6)] + [
    ("/repos/fail", "path"),
    ("/repos/ok#1", "path"),  # twice in the sources: one task
]


def test_each_repository_is_recorded_once_and_the_run_finished() -> None:
    store, executor = FakePortfolioStore(), FakeExecutor(gather=scripted)
    seen: list[Progress] = []
    outcome = run_portfolio(
        SOURCES,
        spec=SPEC,
        needs_engine=False,
        store=store,
        executor=executor,
        on_progress=seen.append,
    )
    keys = [key for _, key in store.records]
    assert sorted(keys) == sorted({key for key, _ in SOURCES})
    assert store.runs[0].finished_at is not None
    assert (outcome.repositories, outcome.resumed, outcome.gathered) == (7, 0, 6)
    assert outcome.failed == {"error": 1}
    assert [(p.done, p.total) for p in seen] == [(i, 7) for i in range(1, 8)]
    assert seen[-1].failed == 1


def test_an_interrupted_run_resumes_with_only_what_is_left() -> None:
    store = FakePortfolioStore()
    first = FakeExecutor(gather=scripted, interrupt_after=3)
    with pytest.raises(KeyboardInterrupt):
        run_portfolio(SOURCES, spec=SPEC, needs_engine=False, store=store, executor=first)
    assert store.runs[0].finished_at is None  # left resumable
    recorded = {key for _, key in store.records}
    assert len(recorded) == 3
    second = FakeExecutor(gather=scripted)
    outcome = run_portfolio(SOURCES, spec=SPEC, needs_engine=False, store=store, executor=second)
    assert set(second.given[0]) == {key for key, _ in SOURCES} - recorded
    assert outcome.resumed == 3 and outcome.run_id == store.runs[0].run_id == 1
    assert len(store.runs) == 1 and store.runs[0].finished_at is not None
    keys = [key for _, key in store.records]
    assert sorted(keys) == sorted({key for key, _ in SOURCES}), "nothing recorded twice"


def test_a_finished_run_is_not_resumed() -> None:
    store = FakePortfolioStore()
    run_portfolio(
        SOURCES, spec=SPEC, needs_engine=False, store=store, executor=FakeExecutor(gather=scripted)
    )
    again = FakeExecutor(gather=scripted)
    outcome = run_portfolio(SOURCES, spec=SPEC, needs_engine=False, store=store, executor=again)
    assert outcome.run_id == 2 and outcome.resumed == 0
    assert len(again.given[0]) == 7


@attrs.define
class _Stuttering:
    """An executor that yields every result twice, and says whether its iterator was closed."""

    closed_iterator: bool = False

    def run(self, tasks: Sequence[RepoTask], spec: TaskSpec) -> Iterator[RepoResult]:
        try:
            for task in tasks:
                result = scripted(task, spec)
                yield result
                yield result
        finally:
            self.closed_iterator = True

    def close(self) -> None:
        return None


def test_a_result_yielded_twice_is_recorded_once() -> None:
    store, executor = FakePortfolioStore(), _Stuttering()
    run_portfolio(SOURCES, spec=SPEC, needs_engine=False, store=store, executor=executor)
    keys = [key for _, key in store.records]
    assert len(keys) == len(set(keys)) == 7


def test_an_exception_while_recording_closes_the_executors_iterator() -> None:
    executor = _Stuttering()

    def explode(progress: Progress) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_portfolio(
            SOURCES,
            spec=SPEC,
            needs_engine=False,
            store=FakePortfolioStore(),
            executor=executor,
            on_progress=explode,
        )
    assert executor.closed_iterator
