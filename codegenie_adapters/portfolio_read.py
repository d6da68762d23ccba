"""Reading a portfolio store for `portfolio query|status|export`: a connection that cannot write,
a user's SQL run on it with a bound on the rows kept, and the export of a table.

Rule 1: three locks. The file is opened `mode=ro` and `PRAGMA query_only` is on, each enough to
stop a write to the store; an authorizer allows only reading (SELECT, reading columns, functions,
recursive CTEs), so ATTACH (which would create a file), PRAGMA, transactions, writes and schema
changes are refused before they run (see ADR-0063).
Rule 2: a query is one statement; whatever SQLite says about a bad one is one line (exit 2).
Rule 3: a query keeps at most `max_rows` rows (and says it cut), so a careless `SELECT *` over
10,000 repositories' documents cannot exhaust memory; it builds no value over `MAX_VALUE_BYTES`;
and it runs at most `timeout_s` (SQLite's progress handler looks at the clock). Ctrl-C and SIGTERM
stop it as they stop a gather.
"""

from __future__ import annotations

import contextlib
import importlib
import io
import json
import signal
import sqlite3
import threading
import time
from collections.abc import Generator, Iterator
from typing import IO, Any

import attrs

from codegenie_adapters.atomic import atomic_output
from codegenie_adapters.portfolio_schema import SCHEMA_VERSION, stored_version
from codegenie_adapters.portfolio_store import connect, read_status
from codegenie_core.errors import StoreError
from codegenie_core.portfolio_rows import FACT_COLUMNS, StoreStatus

_ALLOWED = frozenset(
    {sqlite3.SQLITE_SELECT, sqlite3.SQLITE_READ, sqlite3.SQLITE_FUNCTION, sqlite3.SQLITE_RECURSIVE}
)
EXPORT_TABLES = ("repositories", "runs", "run_results", *FACT_COLUMNS)
Value = str | int | float | bytes | None
# One value (a document, or what a query builds) is at most this big, so `randomblob(2e9)` is a
# one-line error rather than gigabytes (SQLite's own default is 1e9 bytes).
MAX_VALUE_BYTES = 128 * 2**20
_PROGRESS_STEPS = 10_000  # SQLite VM instructions between looks at the clock
_SIGNALS = tuple(
    getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name)
)


# A table-valued function (json_each, json_tree) declares its table by a statement SQLite
# authorizes as updates of sqlite_master's columns; it writes nothing, and a user's own UPDATE of
# sqlite_master is refused by SQLite itself, by `query_only` and by `mode=ro` (Rule 1).
_VTABLE_DECLARATION = (sqlite3.SQLITE_UPDATE, "sqlite_master")


def _authorize(action: int, table: str | None, *_: object) -> int:
    if action in _ALLOWED or (action, table) == _VTABLE_DECLARATION:
        return sqlite3.SQLITE_OK
    return sqlite3.SQLITE_DENY


def open_reader(path: str, *, current: bool = False) -> sqlite3.Connection:
    """A read-only connection to the store at `path` (Rule 1). With `current`, a store of an
    older schema is refused too: status and export read the current tables."""
    conn = connect(path, read_only=True)
    try:
        try:
            conn.execute("PRAGMA query_only = ON")
        except sqlite3.Error as error:  # e.g. a WAL store in a directory it cannot read
            raise StoreError(
                f"cannot read the portfolio store {path}: {error}", path=path
            ) from error
        version = stored_version(conn, path)
        if version is None:
            raise StoreError(f"{path} is empty, not a codegenie portfolio store", path=path)
        if current and version < SCHEMA_VERSION:
            raise StoreError(
                f"{path} has store schema version {version}; this codegenie reads "
                f"{SCHEMA_VERSION}: run `portfolio gather` on it once to migrate it",
                path=path,
            )
        conn.set_authorizer(_authorize)
        conn.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, MAX_VALUE_BYTES)
    except BaseException:
        conn.close()
        raise
    return conn


@attrs.frozen(kw_only=True)
class QueryResult:
    columns: tuple[str, ...]
    rows: tuple[tuple[Value, ...], ...]
    truncated: bool


def run_query(
    conn: sqlite3.Connection, sql: str, *, path: str, max_rows: int, timeout_s: float
) -> QueryResult:
    """`sql`'s columns and first `max_rows` rows (Rules 2 and 3), stopped past `timeout_s`."""
    deadline = time.monotonic() + timeout_s
    received: list[int] = []
    cursor: sqlite3.Cursor | None = None
    rows: list[Any] = []
    with _signals_deferred(received):
        conn.set_progress_handler(
            lambda: int(bool(received) or time.monotonic() > deadline), _PROGRESS_STEPS
        )
        try:
            cursor = conn.execute(sql)
            rows = cursor.fetchmany(max_rows + 1)
        except (sqlite3.Error, sqlite3.Warning) as error:  # Warning: "one statement at a time"
            if received:
                pass  # the signal is delivered again when the block ends
            elif isinstance(error, sqlite3.OperationalError) and str(error) == "interrupted":
                raise StoreError(
                    f"the query on {path} ran longer than --timeout {timeout_s:g} s", path=path
                ) from error
            else:
                raise _query_error(error, path) from error
        finally:
            conn.set_progress_handler(None, 0)
    description = cursor.description if cursor is not None else None  # None: an ignored signal
    columns = tuple(str(d[0]) for d in description or ())
    return QueryResult(
        columns=columns,
        rows=tuple(tuple(r) for r in rows[:max_rows]),
        truncated=len(rows) > max_rows,
    )


@contextlib.contextmanager
def _signals_deferred(received: list[int]) -> Generator[None]:
    """While SQLite runs, a termination signal is only noted (`received`), so the progress
    handler stops the query; then it is raised again under the handlers it interrupted, and the
    command unwinds as for any Ctrl-C or SIGTERM (a Python handler raising inside SQLite's
    callback would be swallowed by sqlite3). Off the main thread nothing changes."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {signum: signal.getsignal(signum) for signum in _SIGNALS}
    for signum in _SIGNALS:
        signal.signal(signum, lambda signum, _: received.append(signum))
    try:
        yield
    finally:
        for signum, before in previous.items():
            signal.signal(signum, before)
        if received:
            signal.raise_signal(received[0])


def _query_error(error: Exception, path: str) -> StoreError:
    text = " ".join(str(error).split())
    if "not authorized" in text:
        text += " (portfolio query only reads: see ADR-0063)"
    return StoreError(f"the query on {path} failed: {text}", path=path)


def store_status(path: str) -> StoreStatus:
    conn = open_reader(path, current=True)
    try:
        return read_status(conn)
    finally:
        conn.close()


def export_rows(conn: sqlite3.Connection, table: str) -> Iterator[dict[str, Any]]:
    """`table`'s rows as plain dicts, a repository's identity (key, state) in place of its row
    id; `repositories` rows carry their document (None for a failure)."""
    assert table in EXPORT_TABLES, table
    if table == "repositories":
        sql = (
            "SELECT r.*, d.document FROM repositories r LEFT JOIN documents d USING (repo_id)"
            " ORDER BY r.key, r.state"
        )
    elif table in FACT_COLUMNS:
        columns = ", ".join(f"t.{c}" for c in FACT_COLUMNS[table])
        sql = (
            f"SELECT r.key, r.state, {columns} FROM {table} t JOIN repositories r"
            " USING (repo_id) ORDER BY r.key, r.state"
        )
    else:
        sql = f"SELECT * FROM {table} ORDER BY 1, 2"
    cursor = conn.execute(sql)
    names = [str(d[0]) for d in cursor.description]
    for row in cursor:
        item = dict(zip(names, row, strict=True))
        item.pop("repo_id", None)
        yield item


def write_jsonl(rows: Iterator[dict[str, Any]], out: IO[str]) -> int:
    """Each row as one JSON line; a repository's document as an object. Returns the count."""
    count = 0
    for row in rows:
        if isinstance(row.get("document"), str):
            row["document"] = json.loads(row["document"])
        out.write(json.dumps(row, ensure_ascii=False, separators=(",", ":")) + "\n")
        count += 1
    return count


def write_jsonl_file(rows: Iterator[dict[str, Any]], output: str) -> int:
    """`write_jsonl` into `output`, atomically."""
    with atomic_output(output) as raw:
        text = io.TextIOWrapper(raw, encoding="utf-8", newline="\n")
        count = write_jsonl(rows, text)
        text.flush()
        text.detach()
    return count


def write_parquet(rows: Iterator[dict[str, Any]], output: str) -> int:
    """The rows as one Parquet file (documents as JSON text), written atomically."""
    try:  # the optional `parquet` extra, imported by name: pyarrow ships no type stubs
        arrow: Any = importlib.import_module("pyarrow")
        parquet: Any = importlib.import_module("pyarrow.parquet")
    except ImportError as error:
        raise StoreError(
            "--format parquet needs pyarrow: pip install 'codegenie[parquet]'", path=output
        ) from error
    listed = list(rows)
    table = arrow.Table.from_pylist(listed)
    with atomic_output(output) as handle:
        parquet.write_table(table, handle)
    return len(listed)
