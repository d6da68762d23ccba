"""The portfolio store over the standard library's sqlite3: the driver's single writer, and the
read methods `portfolio status` and the agreement test use (see ADR-0063).

Rule 1: the file is in WAL mode with `synchronous=NORMAL`, so readers (`portfolio query`) never
block the writer. Results are committed in batches (see ADR-0078): a `record` writes the
repository's row, document, facts and run result inside one savepoint of the open batch (a result
that fails midway leaves nothing of itself), and the batch commits when it holds `batch_results`
results or `batch_s` seconds have passed since the last commit, whichever comes first, and at
`finish_run`, `flush` and `close`. A killed driver loses at most the results of the batch not yet
committed, and its run resumes by gathering those again (the driver redoes every key the store
does not hold).
Rule 2: a repository has one row per (key, state), upserted: recording the same state again
replaces its document and facts; a run's results are keyed by (run, key), so a task recorded twice
in one run is one result.
Rule 3: `begin_run` resumes the latest unfinished run with the same identity (the spec and the
set of task keys, `run_identity`), else starts a new one.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import cast

from codegenie_adapters.portfolio_schema import migrate
from codegenie_core.errors import StoreError
from codegenie_core.portfolio import PortfolioStore, RepoGathered, RepoResult, RepoTask, TaskSpec
from codegenie_core.portfolio_rows import (
    FACT_COLUMNS,
    ProbeCounts,
    RepositoryRow,
    Row,
    RunSummary,
    StoreStatus,
    flatten,
    probe_counts,
    repository_row,
    run_identity,
    version_key,
)

Now = Callable[[], str]
# A batch commits at this many results, or this long after the last commit (Rule 1, ADR-0078).
BATCH_RESULTS = 200
BATCH_S = 0.5


def utc_now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def connect(path: str, *, read_only: bool) -> sqlite3.Connection:
    """An SQLite connection to `path` in autocommit mode (transactions are explicit), with the
    `version_key()` SQL function; a read-only one opens the file `mode=ro`, never creating it."""
    if os.path.lexists(path) and not os.path.isfile(path):
        raise StoreError(f"{path} is not a regular file, so not a portfolio store", path=path)
    if read_only and not os.path.exists(path):
        raise StoreError(f"no portfolio store at {path}", path=path)
    try:
        if read_only:
            from urllib.parse import quote

            uri = f"file:{quote(os.path.abspath(path))}?mode=ro"
            conn = sqlite3.connect(uri, uri=True, isolation_level=None, check_same_thread=False)
        else:
            conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    except sqlite3.Error as error:
        raise StoreError(f"cannot open the portfolio store {path}: {error}", path=path) from error
    conn.create_function("version_key", 1, version_key, deterministic=True)
    return conn


class SqliteStore:
    """A portfolio store file; build it with `open_store`."""

    def __init__(
        self,
        conn: sqlite3.Connection,
        *,
        path: str,
        now: Now = utc_now,
        batch_results: int = BATCH_RESULTS,
        batch_s: float = BATCH_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        assert batch_results >= 1 and batch_s >= 0
        self.conn = conn
        self.path = path
        self._now = now
        self._batch_results = batch_results
        self._batch_s = batch_s
        self._clock = clock
        self._open = False  # a batch transaction is open
        self._pending = 0  # results written in it, not yet committed
        self._committed_at = clock()

    # ---- the driver's port (Rules 1-3) ---------------------------------------------------------
    def begin_run(self, spec: TaskSpec, tasks: Sequence[RepoTask]) -> int:
        self.flush()
        identity = run_identity(spec, tasks)
        found = self.conn.execute(
            "SELECT run_id FROM runs WHERE identity = ? AND finished_at IS NULL "
            "ORDER BY run_id DESC LIMIT 1",
            (identity,),
        ).fetchone()
        if found is not None:
            return int(found[0])
        with self._transaction():
            cursor = self.conn.execute(
                "INSERT INTO runs (identity, tasks, started_at) VALUES (?, ?, ?)",
                (identity, len({t.key for t in tasks}), self._now()),
            )
        assert cursor.lastrowid is not None
        return cursor.lastrowid

    def recorded(self, run_id: int) -> frozenset[str]:
        rows = self.conn.execute("SELECT key FROM run_results WHERE run_id = ?", (run_id,))
        return frozenset(str(key) for (key,) in rows)

    def record(self, run_id: int, result: RepoResult) -> None:
        row = repository_row(result, run_id=run_id)
        counts = probe_counts(result)
        if not self._open:
            self._begin()
        with self._savepoint():
            (repo_id,) = self.conn.execute(
                "INSERT INTO repositories (key, state, source_kind, name, head, state_token,"
                " status, reason, message, duration_ms, run_id) VALUES (?,?,?,?,?,?,?,?,?,?,?)"
                " ON CONFLICT (key, state) DO UPDATE SET source_kind=excluded.source_kind,"
                " name=excluded.name, head=excluded.head, state_token=excluded.state_token,"
                " status=excluded.status, reason=excluded.reason, message=excluded.message,"
                " duration_ms=excluded.duration_ms, run_id=excluded.run_id RETURNING repo_id",
                (row.key, row.state, row.kind, row.name, row.head, row.state_token, row.status,
                 row.reason, row.message, row.duration_ms, run_id),
            ).fetchone()  # fmt: skip
            self.conn.execute("DELETE FROM documents WHERE repo_id = ?", (repo_id,))
            for table in FACT_COLUMNS:
                self.conn.execute(f"DELETE FROM {table} WHERE repo_id = ?", (repo_id,))
            if isinstance(result, RepoGathered):
                self._insert_document(repo_id, result)
            self.conn.execute(
                "INSERT OR REPLACE INTO run_results (run_id, key, repo_id, status, reason, probes,"
                " ran, cached, skipped, failed) VALUES (?,?,?,?,?,?,?,?,?,?)",
                (run_id, row.key, repo_id, row.status, row.reason, counts.probes, counts.ran,
                 counts.cached, counts.skipped, counts.failed),
            )  # fmt: skip
        self._pending += 1
        due = self._clock() - self._committed_at >= self._batch_s
        if self._pending >= self._batch_results or due:
            self.flush()

    def flush(self) -> None:
        """Commit the open batch, if any (Rule 1)."""
        if not self._open:
            return
        self._open, self._pending = False, 0
        try:
            self.conn.execute("COMMIT")
        except sqlite3.Error as error:
            with contextlib.suppress(sqlite3.Error):
                self.conn.execute("ROLLBACK")
            raise self._transaction().error(error) from error
        finally:
            self._committed_at = self._clock()

    def finish_run(self, run_id: int) -> None:
        self.flush()
        with self._transaction():
            self.conn.execute(
                "UPDATE runs SET finished_at = ? WHERE run_id = ?", (self._now(), run_id)
            )

    def close(self) -> None:
        """Commit what is recorded (an interrupted run keeps its whole results), then close."""
        try:
            self.flush()
        finally:
            self.conn.close()

    # ---- reading ------------------------------------------------------------------------------
    def repositories(self) -> tuple[RepositoryRow, ...]:
        rows = self.conn.execute(
            "SELECT key, state, source_kind, name, head, state_token, status, reason, message,"
            " duration_ms, run_id FROM repositories ORDER BY key, state"
        )
        names = ("key", "state", "kind", "name", "head", "state_token", "status", "reason")
        names += ("message", "duration_ms", "run_id")
        return tuple(RepositoryRow(**dict(zip(names, r, strict=True))) for r in rows)

    def fact_rows(self, table: str) -> tuple[Row, ...]:
        """A fact table's rows, each led by its repository's key and state, sorted."""
        columns = ", ".join(f"t.{c}" for c in FACT_COLUMNS[table])
        rows = self.conn.execute(
            f"SELECT r.key, r.state, {columns} FROM {table} t JOIN repositories r USING (repo_id)"
        ).fetchall()
        return tuple(sorted((cast("Row", tuple(r)) for r in rows), key=_sort_key))

    def status(self) -> StoreStatus:
        return read_status(self.conn)

    def _insert_document(self, repo_id: int, result: RepoGathered) -> None:
        text = json.dumps(result.document, ensure_ascii=False, separators=(",", ":"))
        self.conn.execute(
            "INSERT INTO documents (repo_id, document) VALUES (?, ?)", (repo_id, text)
        )
        for table, rows in flatten(result.document).items():
            if rows:
                marks = ", ".join("?" * (len(FACT_COLUMNS[table]) + 1))
                self.conn.executemany(
                    f"INSERT INTO {table} VALUES ({marks})", [(repo_id, *r) for r in rows]
                )

    def _transaction(self) -> _Transaction:
        return _Transaction(self.conn, self.path)

    def _begin(self) -> None:
        try:
            self.conn.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as error:
            raise self._transaction().error(error) from error
        self._open = True

    def _savepoint(self) -> _Savepoint:
        return _Savepoint(self.conn, self.path)


class _Transaction:
    """`BEGIN IMMEDIATE` ... `COMMIT`, rolled back on any exception, Ctrl-C included; SQLite's
    own errors (disk full, locked past the busy timeout) become one `StoreError` line."""

    begin: tuple[str, ...] = ("BEGIN IMMEDIATE",)
    end: tuple[str, ...] = ("COMMIT",)
    undo: tuple[str, ...] = ("ROLLBACK",)

    def __init__(self, conn: sqlite3.Connection, path: str) -> None:
        self._conn = conn
        self._path = path

    def __enter__(self) -> None:
        self._run(self.begin)

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, _: object
    ) -> None:
        if kind is None:
            self._run(self.end)
            return
        with contextlib.suppress(sqlite3.Error):
            for statement in self.undo:
                self._conn.execute(statement)
        if isinstance(error, sqlite3.Error):
            raise self.error(error) from error

    def _run(self, statements: tuple[str, ...]) -> None:
        try:
            for statement in statements:
                self._conn.execute(statement)
        except sqlite3.Error as error:
            raise self.error(error) from error

    def error(self, error: sqlite3.Error) -> StoreError:
        return StoreError(
            f"cannot write the portfolio store {self._path}: {error}", path=self._path
        )


class _Savepoint(_Transaction):
    """One result inside the open batch: `SAVEPOINT` ... `RELEASE`, or on any exception rolled
    back to where it began, so the batch keeps the results before it (Rule 1)."""

    begin = ("SAVEPOINT result",)
    end = ("RELEASE result",)
    undo = ("ROLLBACK TO result", "RELEASE result")


_LATEST = (
    "SELECT * FROM run_results r WHERE r.run_id ="
    " (SELECT max(run_id) FROM run_results l WHERE l.key = r.key)"
)


def read_status(conn: sqlite3.Connection) -> StoreStatus:
    """The store at a glance: each repository's latest result, and the last run."""
    total, gathered = conn.execute(
        f"SELECT count(*), coalesce(sum(status = 'gathered'), 0) FROM ({_LATEST})"
    ).fetchone()
    failures = conn.execute(
        f"SELECT reason, count(*) FROM ({_LATEST}) WHERE status = 'failed'"
        " GROUP BY reason ORDER BY reason"
    ).fetchall()
    last = conn.execute(
        "SELECT run_id, started_at, finished_at, tasks FROM runs ORDER BY run_id DESC LIMIT 1"
    ).fetchone()
    last_run = None
    if last is not None:
        sums = conn.execute(
            "SELECT count(*), coalesce(sum(status = 'gathered'), 0), coalesce(sum(probes), 0),"
            " coalesce(sum(ran), 0), coalesce(sum(cached), 0), coalesce(sum(skipped), 0),"
            " coalesce(sum(failed), 0) FROM run_results WHERE run_id = ?",
            (last[0],),
        ).fetchone()
        counts = ProbeCounts(
            probes=sums[2], ran=sums[3], cached=sums[4], skipped=sums[5], failed=sums[6]
        )
        last_run = RunSummary(
            run_id=last[0], started_at=last[1], finished_at=last[2], tasks=last[3],
            recorded=sums[0], gathered=sums[1], failed=sums[0] - sums[1], counts=counts,
        )  # fmt: skip
    return StoreStatus(
        repositories=total,
        gathered=gathered,
        failed=total - gathered,
        failures=tuple((str(reason), int(n)) for reason, n in failures),
        last_run=last_run,
    )


def _sort_key(row: Row) -> tuple[tuple[bool, str], ...]:
    return tuple((v is None, str(v)) for v in row)


def open_store(
    path: str,
    *,
    now: Now = utc_now,
    batch_results: int = BATCH_RESULTS,
    batch_s: float = BATCH_S,
    clock: Callable[[], float] = time.monotonic,
) -> SqliteStore:
    """The store at `path`, created or migrated to the current schema (see ADR-0063), committing
    results in batches of `batch_results` or every `batch_s` seconds (Rule 1, ADR-0078)."""
    conn = connect(path, read_only=False)
    try:
        conn.execute("PRAGMA busy_timeout = 5000")
        migrate(conn, path)
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute("PRAGMA foreign_keys = ON")
    except sqlite3.Error as error:
        conn.close()
        raise StoreError(f"cannot open the portfolio store {path}: {error}", path=path) from error
    except BaseException:
        conn.close()
        raise
    return SqliteStore(
        conn, path=path, now=now, batch_results=batch_results, batch_s=batch_s, clock=clock
    )


_CONFORMS: type[PortfolioStore] = SqliteStore
