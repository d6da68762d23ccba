"""Reading a portfolio store for its page (`portfolio report`): each question's grouped rows over
every repository's latest result, and the documents the per-repository reports are made from.

Rule 1: the store is opened as `portfolio query` opens it (`open_reader`: `mode=ro`,
`query_only`, the read-only authorizer), so making a page cannot change the store.
Rule 2: a repository counts once, in its latest result (as `portfolio status` counts it): the
`latest` view below picks each key's row of its last run.
Rule 3: rows are handed over as cursors, grouped by SQLite, read once; documents one at a time,
so memory does not grow with the store (see ADR-0075).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from typing import Any

from codegenie_adapters.portfolio_read import open_reader
from codegenie_adapters.portfolio_store import read_status
from codegenie_core.errors import StoreError
from codegenie_core.portfolio_page import PageRows, RepositoryLine

_LATEST = (
    "WITH latest AS (SELECT r.repo_id, r.key, r.status, r.reason FROM run_results r"
    " WHERE r.run_id = (SELECT max(l.run_id) FROM run_results l WHERE l.key = r.key)) "
)
_QUERIES = {
    "base_images": "SELECT coalesce(b.reference, b.written), count(DISTINCT b.repo_id),"
    " count(DISTINCT CASE WHEN b.final THEN b.repo_id END) FROM base_images b"
    " JOIN latest USING (repo_id) WHERE coalesce(b.base_kind, '') <> 'stage' GROUP BY 1",
    "languages": "SELECT g.language, count(DISTINCT g.repo_id),"
    " count(DISTINCT CASE WHEN g.is_primary THEN g.repo_id END),"
    " CAST(total(g.files) AS INTEGER), CAST(total(g.bytes) AS INTEGER)"
    " FROM languages g JOIN latest USING (repo_id) GROUP BY g.language",
    "ecosystems": "SELECT d.ecosystem, count(DISTINCT d.repo_id), count(DISTINCT d.name),"
    " count(*) FROM dependencies d JOIN latest USING (repo_id) GROUP BY d.ecosystem",
    "packages": "SELECT d.ecosystem, d.name, count(DISTINCT d.repo_id) FROM dependencies d"
    " JOIN latest USING (repo_id) GROUP BY d.ecosystem, d.name",
    "versions": "SELECT d.ecosystem, d.name, d.resolved, count(DISTINCT d.repo_id)"
    " FROM dependencies d JOIN latest USING (repo_id) GROUP BY d.ecosystem, d.name, d.resolved",
    "index_health": "SELECT h.health, count(DISTINCT h.repo_id) FROM index_health h"
    " JOIN latest USING (repo_id) GROUP BY h.health",
    "without_index_entry": "SELECT count(*) FROM latest WHERE status = 'gathered'"
    " AND repo_id NOT IN (SELECT repo_id FROM index_health)",
    "traces": "SELECT t.status, t.coverage, count(DISTINCT t.repo_id) FROM runtime_traces t"
    " JOIN latest USING (repo_id) GROUP BY t.status, t.coverage",
    "untraced": "SELECT count(*) FROM latest WHERE status = 'gathered'"
    " AND repo_id NOT IN (SELECT repo_id FROM runtime_traces)",
    "failure_reasons": "SELECT coalesce(reason, '?'), count(*) FROM latest"
    " WHERE status = 'failed' GROUP BY 1",
    "failures": "SELECT l.key, coalesce(l.reason, '?'), r.message FROM latest l"
    " JOIN repositories r USING (repo_id) WHERE l.status = 'failed' ORDER BY l.key",
    "repositories": "SELECT r.key, r.state, r.name, l.status, l.reason,"
    " (SELECT g.language FROM languages g WHERE g.repo_id = r.repo_id AND g.is_primary"
    " ORDER BY g.language LIMIT 1),"
    " EXISTS (SELECT 1 FROM documents d WHERE d.repo_id = r.repo_id)"
    " FROM latest l JOIN repositories r USING (repo_id) ORDER BY r.key, r.state",
    "documents": "SELECT r.key, r.state, r.name, d.document FROM latest l"
    " JOIN repositories r USING (repo_id) JOIN documents d USING (repo_id)"
    " ORDER BY r.key, r.state",
}


def open_page_reader(path: str) -> sqlite3.Connection:
    """A read-only connection to a store of the current schema (Rule 1)."""
    return open_reader(path, current=True)


def page_rows(conn: sqlite3.Connection, path: str) -> PageRows:
    """Every question's rows, as cursors over `conn` (Rules 2 and 3)."""
    return PageRows(
        status=read_status(conn),
        base_images=_rows(conn, path, "base_images"),
        languages=_rows(conn, path, "languages"),
        ecosystems=_rows(conn, path, "ecosystems"),
        packages=_rows(conn, path, "packages"),
        versions=_rows(conn, path, "versions"),
        index_health=_rows(conn, path, "index_health"),
        without_index_entry=_count(conn, path, "without_index_entry"),
        traces=_rows(conn, path, "traces"),
        untraced=_count(conn, path, "untraced"),
        failure_reasons=_rows(conn, path, "failure_reasons"),
        failures=_rows(conn, path, "failures"),
        repositories=map(_repository_line, _rows(conn, path, "repositories")),
    )


def _repository_line(row: Any) -> RepositoryLine:
    key, state, name, status, reason, language, document = row
    return RepositoryLine(
        key=str(key), state=str(state), name=_text(name), status=str(status),
        reason=_text(reason), primary_language=_text(language), has_document=bool(document),
    )  # fmt: skip


def documents(conn: sqlite3.Connection, path: str) -> Iterator[tuple[str, str, str | None, Any]]:
    """Each latest gathered repository's (key, state, name, document), one at a time (Rule 3);
    a document that is not JSON is a one-line `StoreError` naming the repository."""
    for key, state, name, text in _rows(conn, path, "documents"):
        try:
            document = json.loads(text)
        except (TypeError, ValueError, RecursionError) as error:
            raise StoreError(
                f"{path}: the stored document of {key!r} is not JSON ({error})", path=path
            ) from error
        yield str(key), str(state), _text(name), document


def _rows(conn: sqlite3.Connection, path: str, query: str) -> Iterator[Any]:
    try:
        cursor = conn.execute(_LATEST + _QUERIES[query])
        while batch := cursor.fetchmany(256):
            yield from batch
    except sqlite3.Error as error:
        raise StoreError(f"cannot read the portfolio store {path}: {error}", path=path) from error


def _count(conn: sqlite3.Connection, path: str, query: str) -> int:
    (found,) = next(_rows(conn, path, query))
    return int(found)


def _text(value: object) -> str | None:
    return None if value is None else str(value)
