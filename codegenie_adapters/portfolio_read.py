"""Reading a portfolio store for `portfolio query|status|export`: a connection that cannot write,
a user's SQL run on it with a bound on the rows kept, and the export of a table.

Rule 1: three locks, each enough alone: the file is opened `mode=ro`, `PRAGMA query_only` is on,
and an authorizer allows only reading (SELECT, reading columns, functions, recursive CTEs), so
ATTACH, PRAGMA, writes and schema changes are refused before they run (see ADR-0063).
Rule 2: a query is one statement; whatever SQLite says about a bad one is one line (exit 2).
Rule 3: a query keeps at most `max_rows` rows (and says it cut), so a careless `SELECT *` over
10,000 repositories' documents cannot exhaust memory.
"""

from __future__ import annotations

import contextlib
import importlib
import io
import json
import os
import secrets
import sqlite3
from collections.abc import Generator, Iterator
from typing import IO, Any

import attrs

from codegenie_adapters.portfolio_schema import SCHEMA_VERSION, stored_version
from codegenie_adapters.portfolio_store import connect, read_status
from codegenie_core.errors import StoreError
from codegenie_core.portfolio_rows import FACT_COLUMNS, StoreStatus

_ALLOWED = frozenset(
    {sqlite3.SQLITE_SELECT, sqlite3.SQLITE_READ, sqlite3.SQLITE_FUNCTION, sqlite3.SQLITE_RECURSIVE}
)
EXPORT_TABLES = ("repositories", "runs", "run_results", *FACT_COLUMNS)
Value = str | int | float | bytes | None


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
        conn.execute("PRAGMA query_only = ON")
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
    except BaseException:
        conn.close()
        raise
    return conn


@attrs.frozen(kw_only=True)
class QueryResult:
    columns: tuple[str, ...]
    rows: tuple[tuple[Value, ...], ...]
    truncated: bool


def run_query(conn: sqlite3.Connection, sql: str, *, path: str, max_rows: int) -> QueryResult:
    """`sql`'s columns and first `max_rows` rows (Rules 2 and 3)."""
    try:
        cursor = conn.execute(sql)
        rows = cursor.fetchmany(max_rows + 1)
    except sqlite3.Warning as error:  # "You can only execute one statement at a time."
        raise _query_error(error, path) from error
    except sqlite3.Error as error:
        raise _query_error(error, path) from error
    columns = tuple(str(d[0]) for d in cursor.description or ())
    return QueryResult(
        columns=columns,
        rows=tuple(tuple(r) for r in rows[:max_rows]),
        truncated=len(rows) > max_rows,
    )


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


@contextlib.contextmanager
def atomic_output(path: str) -> Generator[IO[bytes]]:
    """A temp file beside `path`, fsynced and renamed over it on success, removed otherwise."""
    directory = os.path.dirname(os.path.abspath(path))
    temp = os.path.join(directory, f".codegenie-tmp-{os.getpid()}-{secrets.token_hex(8)}")
    try:
        with open(temp, "xb") as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise
