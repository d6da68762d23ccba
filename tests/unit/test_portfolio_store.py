"""The SQLite portfolio store: its schema and migrations, what it refuses, and its transactions."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from codegenie_adapters import portfolio_schema
from codegenie_adapters.fakes import FakeExecutor
from codegenie_adapters.portfolio_schema import APPLICATION_ID, MIGRATIONS, SCHEMA_VERSION, migrate
from codegenie_adapters.portfolio_store import SqliteStore, connect, open_store
from codegenie_core.errors import EXIT_BAD_INPUT, StoreError
from codegenie_core.portfolio import RepoGathered, run_portfolio
from codegenie_core.portfolio_rows import FACT_COLUMNS
from tests.strategies import GOLDEN_DOCUMENTS
from tests.unit.portfolio_support import SPEC, task

ROOT = Path(__file__).resolve().parents[2]


def _gathered(i: int, document: object = None) -> RepoGathered:
    return RepoGathered(
        task=task(i),
        head=f"h{i}",
        state_token=None,
        document=GOLDEN_DOCUMENTS[i % len(GOLDEN_DOCUMENTS)] if document is None else document,
        duration_ms=1,
    )


def test_every_fact_table_has_repo_id_then_the_cores_columns(tmp_path: Path) -> None:
    store = open_store(str(tmp_path / "s.sqlite"))
    for table, columns in FACT_COLUMNS.items():
        found = tuple(r[1] for r in store.conn.execute(f"PRAGMA table_info({table})"))
        assert found == ("repo_id", *columns), table
    assert store.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert store.conn.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
    assert store.conn.execute("SELECT version FROM schema_version").fetchone()[0] == SCHEMA_VERSION
    store.close()


def test_a_store_of_the_previous_version_is_migrated_and_keeps_its_rows(tmp_path: Path) -> None:
    path = str(tmp_path / "old.sqlite")
    conn = connect(path, read_only=False)
    assert migrate(conn, path, target=SCHEMA_VERSION - 1) == SCHEMA_VERSION - 1
    conn.execute("INSERT INTO runs (identity, tasks, started_at) VALUES ('x', 1, 'then')")
    conn.execute(
        "INSERT INTO repositories (key, state, source_kind, status, duration_ms, run_id)"
        " VALUES ('/r/old', '', 'path', 'gathered', 1, 1)"
    )
    conn.close()
    store = open_store(path)
    assert store.conn.execute("SELECT version FROM schema_version").fetchone()[0] == SCHEMA_VERSION
    indexes = {
        r[0] for r in store.conn.execute("SELECT name FROM sqlite_master WHERE type='index'")
    }
    assert {"base_images_by_image", "dependencies_by_name"} <= indexes
    assert [r.key for r in store.repositories()] == ["/r/old"]
    store.close()
    assert len(MIGRATIONS) == SCHEMA_VERSION


def test_two_openers_of_one_old_store_migrate_it_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Two `portfolio gather` runs open a version-2 store at once: both read version 2, one
    # migrates it while the other waits for the write lock; the other then finds it migrated
    # (it used to run `ALTER TABLE ... ADD COLUMN code` again: "duplicate column name").
    path = str(tmp_path / "shared.sqlite")
    first = connect(path, read_only=False)
    assert migrate(first, path, target=2) == 2
    other = connect(path, read_only=False)
    real = portfolio_schema.stored_version
    calls: list[int | None] = []  # what the first opener read, in order

    def stale_then_real(conn: sqlite3.Connection, where: str) -> int | None:
        found = real(conn, where)
        if conn is first:
            calls.append(found)
            if len(calls) == 1:  # it has read version 2: the other migrates meanwhile
                assert migrate(other, path) == SCHEMA_VERSION
        return found

    monkeypatch.setattr(portfolio_schema, "stored_version", stale_then_real)
    assert migrate(first, path) == SCHEMA_VERSION
    assert calls[0] == 2 and calls[1] == SCHEMA_VERSION  # read stale, then again under the lock
    assert first.execute("SELECT version FROM schema_version").fetchone()[0] == SCHEMA_VERSION
    first.close()
    other.close()


def test_a_version_2_store_gains_line_columns_and_its_language_rows_keep_null_lines(
    tmp_path: Path,
) -> None:
    path = str(tmp_path / "v2.sqlite")
    conn = connect(path, read_only=False)
    assert migrate(conn, path, target=2) == 2
    conn.execute("INSERT INTO runs (identity, tasks, started_at) VALUES ('x', 1, 'then')")
    conn.execute(
        "INSERT INTO repositories (key, state, source_kind, status, duration_ms, run_id)"
        " VALUES ('/r/old', '', 'path', 'gathered', 1, 1)"
    )
    conn.execute("INSERT INTO languages VALUES (1, 'Go', 3, 300, 1)")
    conn.close()
    store = open_store(path)
    rows = store.conn.execute("SELECT * FROM languages").fetchall()
    assert rows == [(1, "Go", 3, 300, 1, None, None, None)]
    store.close()


def test_a_version_3_store_gains_a_groups_column_null_in_its_old_rows_and_stores_new_ones(
    tmp_path: Path,
) -> None:
    path = str(tmp_path / "v3.sqlite")
    conn = connect(path, read_only=False)
    assert migrate(conn, path, target=3) == 3
    old_columns = [r[1] for r in conn.execute("PRAGMA table_info(dependencies)")]
    conn.execute("INSERT INTO runs (identity, tasks, started_at) VALUES ('x', 1, 'then')")
    conn.execute(
        "INSERT INTO repositories (key, state, source_kind, status, duration_ms, run_id)"
        " VALUES ('/r/old', '', 'path', 'gathered', 1, 1)"
    )
    marks = ", ".join("?" * len(old_columns))
    conn.execute(
        f"INSERT INTO dependencies VALUES ({marks})",
        (1, "pypi", "pytest") + (None,) * (len(old_columns) - 3),
    )
    conn.commit()
    conn.close()
    assert "groups" not in old_columns

    store = open_store(path)

    rows = store.conn.execute("SELECT name, groups FROM dependencies").fetchall()
    assert rows == [("pytest", None)]
    assert store.conn.execute("SELECT version FROM schema_version").fetchone()[0] == SCHEMA_VERSION
    store.close()


def test_a_dependencys_groups_are_stored_as_json_array_text_and_queried_with_json_each(
    tmp_path: Path,
) -> None:
    entry = {"ecosystem": "pypi", "name": "pytest", "purl": "pkg:pypi/pytest", "scope": "dev",
             "direct": True, "groups": ["group:tests", "group:typing"]}  # fmt: skip
    plain = {"ecosystem": "pypi", "name": "click", "purl": "pkg:pypi/click", "scope": "runtime",
             "direct": True, "groups": []}  # fmt: skip
    document = {"probes": {"manifests": {"slice": {"inventory": [entry, plain]}}}}
    store = open_store(str(tmp_path / "s.sqlite"))
    run = store.begin_run(SPEC, [task(1)])
    store.record(run, _gathered(1, document))
    store.flush()

    rows = store.conn.execute("SELECT name, groups FROM dependencies ORDER BY name").fetchall()
    typing = store.conn.execute(
        "SELECT d.name FROM dependencies d, json_each(d.groups) g WHERE g.value = 'group:typing'"
    ).fetchall()

    assert rows == [("click", "[]"), ("pytest", '["group:tests","group:typing"]')]
    assert typing == [("pytest",)]
    store.close()


def test_a_file_that_is_not_sqlite_is_one_line_exit_2(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("hello, this is not a database at all, just some text\n" * 50)
    with pytest.raises(StoreError) as raised:
        open_store(str(path))
    assert raised.value.exit_code == EXIT_BAD_INPUT
    assert raised.value.message.startswith(f"{path} is not a codegenie portfolio store")
    assert "\n" not in raised.value.message


def test_another_programs_sqlite_file_is_refused_and_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "other.sqlite"
    with sqlite3.connect(path) as other:
        other.execute("CREATE TABLE t (x)")
    before = path.read_bytes()
    with pytest.raises(StoreError, match="an SQLite file but not a codegenie portfolio store"):
        open_store(str(path))
    assert path.read_bytes() == before


def test_a_store_from_a_newer_schema_is_refused(tmp_path: Path) -> None:
    path = str(tmp_path / "s.sqlite")
    open_store(path).close()
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE schema_version SET version = ?", (SCHEMA_VERSION + 1,))
    with pytest.raises(
        StoreError, match=f"newer codegenie .store schema version {SCHEMA_VERSION + 1}"
    ):
        open_store(path)


def test_a_directory_is_not_a_store(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="is not a regular file"):
        open_store(str(tmp_path))


def test_a_result_that_fails_midway_leaves_nothing_of_itself(tmp_path: Path) -> None:
    store = open_store(str(tmp_path / "s.sqlite"))
    run = store.begin_run(SPEC, [task(0), task(1)])
    store.record(run, _gathered(0))
    with pytest.raises(TypeError):  # a set is not JSON: the document insert fails after the upsert
        store.record(run, _gathered(1, {"repo": {"name": "x"}, "bad": {1, 2}}))
    assert [r.key for r in store.repositories()] == [task(0).key]
    assert store.recorded(run) == frozenset({task(0).key})
    store.close()


def test_recording_a_new_result_for_a_state_replaces_its_facts(tmp_path: Path) -> None:
    store = open_store(str(tmp_path / "s.sqlite"))
    run = store.begin_run(SPEC, [task(0)])
    store.record(run, _gathered(0, GOLDEN_DOCUMENTS[3]))
    store.record(run, _gathered(0, GOLDEN_DOCUMENTS[1]))
    expected = len(GOLDEN_DOCUMENTS[1]["probes"]["manifests"]["slice"]["inventory"])
    assert len(store.fact_rows("dependencies")) == expected
    (document,) = store.conn.execute("SELECT document FROM documents").fetchone()
    assert json.loads(document) == GOLDEN_DOCUMENTS[1]
    store.close()


_KILLED_DRIVER = """
import os, sys
import codegenie_adapters.portfolio_store as ps
from codegenie_adapters import portfolio_schema
from codegenie_adapters.fakes import FakeExecutor
from codegenie_core.portfolio import RepoGathered, run_portfolio
from tests.strategies import GOLDEN_DOCUMENTS
from tests.unit.portfolio_support import SPEC, task

def gather(t, spec):
    document = GOLDEN_DOCUMENTS[0]
    return RepoGathered(task=t, head=None, state_token=None, document=document, duration_ms=1)

def die_after_five(progress):
    if progress.done == 5:
        os._exit(9)  # killed: results 4 and 5 are in the open batch, not committed

store = ps.open_store(sys.argv[1], batch_results=3, batch_s=3600.0)
sources = [(task(i).key, "path") for i in range(8)]
run_portfolio(sources, spec=SPEC, needs_engine=False, store=store,
              executor=FakeExecutor(gather=gather), on_progress=die_after_five)
"""


def test_a_killed_driver_loses_only_its_uncommitted_batch_and_the_run_redoes_it(
    tmp_path: Path,
) -> None:
    path = tmp_path / "s.sqlite"
    done = subprocess.run(
        [sys.executable, "-c", _KILLED_DRIVER, str(path)], cwd=ROOT, timeout=120, check=False
    )
    assert done.returncode == 9
    store = open_store(str(path))
    assert store.recorded(1) == frozenset(task(i).key for i in range(3))  # the first batch
    assert len(store.repositories()) == 3
    executor = FakeExecutor(gather=lambda t, _: _gathered(int(t.key[-5:])))
    sources = [(task(i).key, "path") for i in range(8)]
    outcome = run_portfolio(sources, spec=SPEC, needs_engine=False, store=store, executor=executor)
    assert executor.given == [tuple(task(i).key for i in range(3, 8))]  # the lost batch again
    assert (outcome.run_id, outcome.resumed, outcome.gathered) == (1, 3, 5)
    assert store.recorded(1) == frozenset(task(i).key for i in range(8))
    store.close()


def _commits(store: SqliteStore) -> list[str]:
    seen: list[str] = []
    store.conn.set_trace_callback(lambda sql: seen.append(sql) if sql == "COMMIT" else None)
    return seen


def test_results_are_committed_in_batches_of_batch_results(tmp_path: Path) -> None:
    store = open_store(str(tmp_path / "s.sqlite"), batch_results=4, batch_s=3600.0)
    run = store.begin_run(SPEC, [task(i) for i in range(10)])
    commits = _commits(store)
    reader = connect(str(tmp_path / "s.sqlite"), read_only=True)
    for i in range(10):
        store.record(run, _gathered(i))
    assert len(commits) == 2  # after the 4th and the 8th
    (seen,) = reader.execute("SELECT count(*) FROM run_results").fetchone()
    assert seen == 8  # a reader sees the committed batches, never half of one
    store.close()  # commits the last two
    assert len(commits) == 3
    assert reader.execute("SELECT count(*) FROM run_results").fetchone() == (10,)
    reader.close()


def test_a_batch_commits_when_batch_s_has_passed_since_the_last_commit(tmp_path: Path) -> None:
    now = [0.0]
    store = open_store(
        str(tmp_path / "s.sqlite"), batch_results=1000, batch_s=0.5, clock=lambda: now[0]
    )
    run = store.begin_run(SPEC, [task(i) for i in range(4)])
    commits = _commits(store)
    store.record(run, _gathered(0))
    now[0] = 0.2
    store.record(run, _gathered(1))
    assert commits == []
    now[0] = 0.6
    store.record(run, _gathered(2))  # 0.6 s since the store opened: this batch commits
    assert commits == ["COMMIT"]
    now[0] = 5.0  # slow results: each commits at once
    store.record(run, _gathered(3))
    assert len(commits) == 2
    store.close()


def test_finish_run_commits_the_open_batch_with_the_run(tmp_path: Path) -> None:
    path = str(tmp_path / "s.sqlite")
    store = open_store(path, batch_results=1000, batch_s=3600.0)
    run = store.begin_run(SPEC, [task(0), task(1)])
    store.record(run, _gathered(0))
    store.record(run, _gathered(1))
    store.finish_run(run)
    reader = connect(path, read_only=True)
    assert reader.execute("SELECT count(*) FROM run_results").fetchone() == (2,)
    assert reader.execute("SELECT finished_at IS NOT NULL FROM runs").fetchone() == (1,)
    reader.close()
    store.close()


def test_a_failed_result_inside_a_batch_keeps_the_results_before_it(tmp_path: Path) -> None:
    path = str(tmp_path / "s.sqlite")
    store = open_store(path, batch_results=1000, batch_s=3600.0)
    run = store.begin_run(SPEC, [task(0), task(1), task(2)])
    store.record(run, _gathered(0))
    with pytest.raises(TypeError):
        store.record(run, _gathered(1, {"repo": {"name": "x"}, "bad": {1, 2}}))
    store.record(run, _gathered(2))
    store.close()
    store = open_store(path)
    assert store.recorded(run) == frozenset({task(0).key, task(2).key})
    store.close()


def test_a_second_writer_waits_then_fails_in_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = str(tmp_path / "s.sqlite")
    first = open_store(path)
    first.conn.execute("BEGIN IMMEDIATE")  # the first driver is mid-result
    second = open_store(path)
    second.conn.execute("PRAGMA busy_timeout = 50")
    with pytest.raises(
        StoreError, match=f"cannot write the portfolio store {path}: database is locked"
    ):
        second.begin_run(SPEC, [task(0)])
    first.conn.execute("ROLLBACK")
    assert second.begin_run(SPEC, [task(0)]) == 1
    first.close()
    second.close()
