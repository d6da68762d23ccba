"""The portfolio store's SQLite schema: ordered migrations, and how a file is judged a store.

Rule 1: `MIGRATIONS[i]` takes a store from version i to i+1; a migration, once released, is never
edited (a change is a new migration), so a store of any older version reaches the current one by
running the rest in order, each in its own transaction with its `schema_version` update. The
version is read again under that transaction's write lock: two runs opening one old store at
once (an overlapping cron job) migrate it once, the second finding it done.
Rule 2: a store is an SQLite file whose `application_id` is `APPLICATION_ID`; a file that is not
SQLite, carries another id, or holds tables but no id is refused, and so is a store whose version
is newer than `SCHEMA_VERSION` (one line, exit 2; see ADR-0063).
Rule 3: every fact table is `repo_id` followed by `FACT_COLUMNS[table]` in order (a contract test
reads them back), with SQLite's flexible typing narrowed by the column's declared affinity.
"""

from __future__ import annotations

import sqlite3

from codegenie_core.errors import StoreError
from codegenie_core.portfolio_rows import FACT_COLUMNS

APPLICATION_ID = 0x63676E70  # "cgnp": codegenie portfolio
_INTEGER_COLUMNS = frozenset(
    {
        "direct", "stage", "final", "files", "bytes", "is_primary", "commits_behind",
        "changed_count", "source_files", "indexed_source_files", "scenarios", "binaries_executed",
        "files_read", "files_written", "shared_libraries", "network_connects", "code", "comment",
        "blank",
    }
)  # fmt: skip


def _typed(column: str) -> str:
    return f"{column} {'INTEGER' if column in _INTEGER_COLUMNS else 'TEXT'}"


# A table's columns as version 1 made them: a released migration never changes (Rule 1), so
# columns added since come in later migrations, not here.
_V1_COLUMNS = {
    **FACT_COLUMNS,
    "languages": ("language", "files", "bytes", "is_primary"),
    "dependencies": FACT_COLUMNS["dependencies"][:-1],  # `groups` came in version 4
}
_LINE_COLUMNS = ("code", "comment", "blank")


def _fact_table(table: str) -> str:
    columns = ", ".join(_typed(c) for c in _V1_COLUMNS[table])
    return (
        f"CREATE TABLE {table} (repo_id INTEGER NOT NULL "
        f"REFERENCES repositories (repo_id) ON DELETE CASCADE, {columns})"
    )


_V1 = (
    "CREATE TABLE schema_version (version INTEGER NOT NULL)",
    "INSERT INTO schema_version (version) VALUES (0)",
    """CREATE TABLE runs (
        run_id INTEGER PRIMARY KEY, identity TEXT NOT NULL, tasks INTEGER NOT NULL,
        started_at TEXT NOT NULL, finished_at TEXT)""",
    """CREATE TABLE repositories (
        repo_id INTEGER PRIMARY KEY, key TEXT NOT NULL, state TEXT NOT NULL,
        source_kind TEXT NOT NULL, name TEXT, head TEXT, state_token TEXT, status TEXT NOT NULL,
        reason TEXT, message TEXT,
        duration_ms INTEGER NOT NULL, run_id INTEGER NOT NULL REFERENCES runs (run_id),
        UNIQUE (key, state))""",
    """CREATE TABLE run_results (
        run_id INTEGER NOT NULL REFERENCES runs (run_id), key TEXT NOT NULL,
        repo_id INTEGER NOT NULL REFERENCES repositories (repo_id), status TEXT NOT NULL,
        reason TEXT, probes INTEGER NOT NULL, ran INTEGER NOT NULL, cached INTEGER NOT NULL,
        skipped INTEGER NOT NULL, failed INTEGER NOT NULL, PRIMARY KEY (run_id, key))""",
    """CREATE TABLE documents (
        repo_id INTEGER PRIMARY KEY REFERENCES repositories (repo_id) ON DELETE CASCADE,
        document TEXT NOT NULL)""",
    *(_fact_table(table) for table in FACT_COLUMNS),
)
# Version 2: the indexes the portfolio's questions use (base image, package, index health), and
# the per-repository ones an upsert deletes a repository's old facts by.
_V2 = (
    "CREATE INDEX base_images_by_image ON base_images (image, tag)",
    "CREATE INDEX dependencies_by_name ON dependencies (name, ecosystem)",
    "CREATE INDEX index_health_by_health ON index_health (health)",
    "CREATE INDEX languages_by_language ON languages (language)",
    "CREATE INDEX run_results_by_key ON run_results (key, run_id)",
    "CREATE INDEX runs_by_identity ON runs (identity, finished_at)",
    *(f"CREATE INDEX {table}_by_repo ON {table} (repo_id)" for table in FACT_COLUMNS),
)
# Version 3: lines of code, comment and blank per language (ADR-0076); NULL in older rows.
_V3 = tuple(f"ALTER TABLE languages ADD COLUMN {_typed(c)}" for c in _LINE_COLUMNS)
# Version 4: the dependency groups and extras declaring a dependency, JSON array text
# (ADR-0084); NULL in older rows.
_V4 = ("ALTER TABLE dependencies ADD COLUMN groups TEXT",)
MIGRATIONS: tuple[tuple[str, ...], ...] = (_V1, _V2, _V3, _V4)
SCHEMA_VERSION = len(MIGRATIONS)


def stored_version(conn: sqlite3.Connection, path: str) -> int | None:
    """The store's schema version; None for an empty SQLite file (a new store) (Rule 2)."""
    try:
        app_id = int(conn.execute("PRAGMA application_id").fetchone()[0])
        tables = int(conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0])
    except sqlite3.DatabaseError as error:
        raise StoreError(
            f"{path} is not a codegenie portfolio store ({error})", path=path
        ) from error
    if tables == 0 and app_id in (0, APPLICATION_ID):  # new, or killed before its first table
        return None
    if app_id != APPLICATION_ID:
        raise StoreError(f"{path} is an SQLite file but not a codegenie portfolio store", path=path)
    try:
        version = int(conn.execute("SELECT version FROM schema_version").fetchone()[0])
    except (sqlite3.DatabaseError, TypeError) as error:
        raise StoreError(f"{path} is a damaged portfolio store: {error}", path=path) from error
    if version > SCHEMA_VERSION:
        raise StoreError(
            f"{path} was written by a newer codegenie (store schema version {version}; this one "
            f"reads up to {SCHEMA_VERSION}); see ADR-0063",
            path=path,
        )
    return version


def migrate(conn: sqlite3.Connection, path: str, *, target: int = SCHEMA_VERSION) -> int:
    """Run the migrations from the store's version up to `target`, each in one transaction
    (Rule 1); a new store gets its application id first. Returns the version reached."""
    version = stored_version(conn, path)
    if version is None:
        conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        version = 0
    for number in range(version, target):
        conn.execute("BEGIN IMMEDIATE")
        try:
            if (stored_version(conn, path) or 0) > number:  # another opener migrated it (Rule 1)
                conn.execute("COMMIT")
                continue
            for statement in MIGRATIONS[number]:
                conn.execute(statement)
            conn.execute("UPDATE schema_version SET version = ?", (number + 1,))
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
    return max(version, target)
