"""`FakePortfolioStore` (the fake) and `SqliteStore` (the real adapter) agree on the
`PortfolioStore` port and on the read methods `portfolio status` and the tests use."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from codegenie_adapters.fakes import FakePortfolioStore
from codegenie_adapters.portfolio_store import open_store
from codegenie_core.config import GatherConfig
from codegenie_core.portfolio import RepoFailed, RepoGathered, RepoTask, TaskSpec
from codegenie_core.portfolio_rows import FACT_COLUMNS
from tests.strategies import GOLDEN_DOCUMENTS, portfolio_results

SPEC = TaskSpec(config=GatherConfig(), cache_dir=None, cache_max_bytes=1 << 30)
OTHER_SPEC = TaskSpec(
    config=GatherConfig(layers=frozenset({"a"})), cache_dir=None, cache_max_bytes=1 << 30
)
TASKS = tuple(RepoTask(key=f"/r/{n}", kind="path", needs_engine=False) for n in "abc")


def _clock() -> Callable[[], str]:
    ticks = itertools.count()
    return lambda: f"2026-12-02T00:00:{next(ticks):02d}.000+00:00"


def _fake(_: Path) -> Any:
    return FakePortfolioStore(now=_clock())


def _sqlite(tmp: Path) -> Any:
    return open_store(str(tmp / "store.sqlite"), now=_clock())


STORES: dict[str, Callable[[Path], Any]] = {"fake": _fake, "sqlite": _sqlite}


def _gathered(key: str, state: str | None, document: Any = None) -> RepoGathered:
    return RepoGathered(
        task=RepoTask(key=key, kind="path", needs_engine=False),
        head=state,
        state_token=state,
        document=GOLDEN_DOCUMENTS[0] if document is None else document,
        duration_ms=5,
    )


@pytest.fixture(params=sorted(STORES))
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Any:
    made = STORES[request.param](tmp_path)
    yield made
    made.close()


def test_an_unfinished_run_of_the_same_spec_and_tasks_is_resumed(store: Any) -> None:
    first = store.begin_run(SPEC, TASKS)
    assert store.begin_run(SPEC, tuple(reversed(TASKS))) == first
    assert store.begin_run(OTHER_SPEC, TASKS) != first
    assert store.begin_run(SPEC, TASKS[:2]) != first


def test_a_finished_run_is_not_resumed(store: Any) -> None:
    first = store.begin_run(SPEC, TASKS)
    store.finish_run(first)
    assert store.begin_run(SPEC, TASKS) != first


def test_recorded_names_the_keys_a_run_has_results_for(store: Any) -> None:
    run = store.begin_run(SPEC, TASKS)
    store.record(run, _gathered("/r/a", "s1"))
    store.record(run, RepoFailed(task=TASKS[1], reason="timeout", message="t", duration_ms=1))
    assert store.recorded(run) == frozenset({"/r/a", "/r/b"})
    assert store.recorded(store.begin_run(OTHER_SPEC, TASKS)) == frozenset()


def test_the_same_repository_state_recorded_again_is_one_row_with_the_new_facts(
    store: Any,
) -> None:
    run = store.begin_run(SPEC, TASKS)
    store.record(run, _gathered("/r/a", "s1", GOLDEN_DOCUMENTS[0]))
    store.record(run, _gathered("/r/a", "s1", GOLDEN_DOCUMENTS[3]))
    store.record(run, _gathered("/r/a", "s2", GOLDEN_DOCUMENTS[0]))
    assert [(r.key, r.state) for r in store.repositories()] == [("/r/a", "s1"), ("/r/a", "s2")]
    names = {row[2] for row in store.fact_rows("languages") if row[1] == "s1"}
    languages = GOLDEN_DOCUMENTS[3]["probes"]["languages"]["slice"]["languages"]
    assert names == {entry["language"] for entry in languages}
    assert store.status().repositories == 1


def test_status_counts_each_repositorys_latest_result(store: Any) -> None:
    run = store.begin_run(SPEC, TASKS)
    store.record(run, RepoFailed(task=TASKS[0], reason="crash", message="c", duration_ms=1))
    store.record(run, RepoFailed(task=TASKS[1], reason="crash", message="c", duration_ms=1))
    store.record(run, _gathered("/r/c", None))
    store.finish_run(run)
    again = store.begin_run(SPEC, TASKS)
    store.record(again, _gathered("/r/a", None))
    status = store.status()
    assert (status.repositories, status.gathered, status.failed) == (3, 2, 1)
    assert status.failures == (("crash", 1),)
    assert status.last_run is not None
    assert (status.last_run.run_id, status.last_run.recorded, status.last_run.tasks) == (
        again,
        1,
        3,
    )
    assert status.last_run.finished_at is None


_OPS = st.lists(
    st.one_of(
        st.tuples(st.just("begin"), st.booleans(), st.integers(min_value=1, max_value=3)),
        st.tuples(st.just("record"), portfolio_results()),
        st.tuples(st.just("finish")),
    ),
    max_size=12,
)


@settings(max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=_OPS)
def test_fake_and_sqlite_agree_on_any_sequence_of_runs_and_results(
    ops: list[tuple[Any, ...]], tmp_path_factory: pytest.TempPathFactory
) -> None:
    fake = _fake(Path())
    real = _sqlite(tmp_path_factory.mktemp("agree"))
    try:
        runs: list[int] = []
        for op in ops:
            answers = [_apply(s, op, runs) for s in (fake, real)]
            assert answers[0] == answers[1], op
            if op[0] == "begin":
                runs.append(answers[0])
        for run in runs:
            assert fake.recorded(run) == real.recorded(run)
        assert fake.repositories() == real.repositories()
        assert fake.status() == real.status()
        for table in FACT_COLUMNS:
            assert fake.fact_rows(table) == real.fact_rows(table), table
    finally:
        real.close()


def _apply(store: Any, op: tuple[Any, ...], runs: list[int]) -> object:
    match op:
        case ("begin", other, n):
            return store.begin_run(OTHER_SPEC if other else SPEC, TASKS[:n])
        case ("record", result):
            if not runs:
                return None
            store.record(runs[-1], result)
            return None
        case ("finish",):
            if runs:
                store.finish_run(runs[-1])
            return None
        case _:
            raise AssertionError(op)
