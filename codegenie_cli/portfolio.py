"""`codegenie-cli portfolio ...`: the store's commands (`query`, `status`, `export`); `gather` and
`report` are registered here from `codegenie_cli.portfolio_gather` and `.portfolio_report`.

Exit codes: 0 done; 2 a bad store, a refused or bad query, bad usage (one line on stderr naming
it, see ADR-0063). The store is only read by these commands: `portfolio gather` is its one writer.
"""

from __future__ import annotations

import csv
import io
import json
import sys
from collections.abc import Sequence

import click

from codegenie_cli.config import ConfiguredGroup
from codegenie_cli.portfolio_gather import portfolio_gather
from codegenie_cli.portfolio_report import portfolio_report
from codegenie_core.errors import ConfigError, StoreError

DEFAULT_MAX_ROWS = 10_000
DEFAULT_TIMEOUT_S = 60.0
_MAX_CELL = 80  # table cells are cut to this many characters, for a terminal


def _store_option(func: click.decorators.FC) -> click.decorators.FC:
    return click.option(
        "--store",
        "store",
        required=True,
        type=click.Path(dir_okay=False, path_type=str),
        help="The portfolio store file (SQLite) `portfolio gather` writes.",
    )(func)


@click.group(cls=ConfiguredGroup)  # its commands read config files and CODEGENIE_* (ADR-0059)
def portfolio() -> None:
    """Many repositories: gather them into a store, then query it."""


portfolio.add_command(portfolio_gather)
portfolio.add_command(portfolio_report)


@portfolio.command("query")
@_store_option
@click.argument("sql")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json", "csv"]),
    default="table",
    show_default=True,
    help="How to print the rows on stdout.",
)
@click.option(
    "--max-rows",
    type=click.IntRange(min=1),
    default=DEFAULT_MAX_ROWS,
    show_default=True,
    help="Print at most this many rows (a warning on stderr says when more matched).",
)
@click.option(
    "--timeout",
    "timeout_s",
    type=click.FloatRange(min=0, min_open=True),
    default=DEFAULT_TIMEOUT_S,
    show_default=True,
    help="Stop the query after this many seconds (exit 2).",
)
def query(store: str, sql: str, fmt: str, max_rows: int, timeout_s: float) -> None:
    """Run read-only SQL (one SELECT statement) over the store; the schema is in the README."""
    from codegenie_adapters.portfolio_read import open_reader, run_query

    conn = open_reader(store)
    try:
        result = run_query(conn, sql, path=store, max_rows=max_rows, timeout_s=timeout_s)
    finally:
        conn.close()
    click.echo(render_rows(result.columns, result.rows, fmt), nl=False)
    if result.truncated:
        click.echo(
            f"codegenie-cli: warning: more than {max_rows} rows matched; printed the first "
            f"{max_rows} (raise --max-rows, or narrow the query)",
            err=True,
        )


@portfolio.command("status")
@_store_option
def status(store: str) -> None:
    """Print a summary: repositories, failures by reason, the last run and its probe counts."""
    from codegenie_adapters.portfolio_read import store_status

    found = store_status(store)
    lines = [
        f"repositories: {found.repositories} ({found.gathered} gathered, {found.failed} failed)"
    ]
    lines += [f"  failed ({reason}): {count}" for reason, count in found.failures]
    last = found.last_run
    if last is None:
        lines.append("last run: none")
    else:
        state = f"finished {last.finished_at}" if last.finished_at else "unfinished"
        lines.append(
            f"last run: #{last.run_id}, started {last.started_at}, {state}; "
            f"{last.recorded}/{last.tasks} recorded ({last.gathered} gathered, "
            f"{last.failed} failed)"
        )
        counts = last.counts
        lines.append(
            f"  probes: {counts.probes} ({counts.ran} ran, {counts.cached} cached, "
            f"{counts.skipped} skipped, {counts.failed} failed)"
        )
    click.echo("\n".join(lines))


@portfolio.command("export")
@_store_option
@click.option(
    "--format", "fmt", type=click.Choice(["jsonl", "parquet"]), default="jsonl", show_default=True
)
@click.option(
    "--table",
    default="repositories",
    show_default=True,
    help="Which table: repositories (with each document), runs, run_results, or a fact table.",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=str),
    default=None,
    help="Write FILE atomically (required for parquet; jsonl goes to stdout without it).",
)
def export(store: str, fmt: str, table: str, output: str | None) -> None:
    """Export a table for analytics, one JSON object per line or one Parquet file."""
    from codegenie_adapters.portfolio_read import (
        EXPORT_TABLES,
        export_rows,
        open_reader,
        write_jsonl,
        write_jsonl_file,
        write_parquet,
    )

    if table not in EXPORT_TABLES:
        raise ConfigError(
            f"--table {table!r}: not a table export knows ({', '.join(EXPORT_TABLES)})",
            variable="--table",
        )
    if fmt == "parquet" and output is None:
        raise ConfigError("--format parquet writes a file: give --output FILE", variable="--output")
    conn = open_reader(store, current=True)
    try:
        rows = export_rows(conn, table)
        if fmt == "parquet":
            assert output is not None
            count = write_parquet(rows, output)
        elif output is None:
            count = write_jsonl(rows, sys.stdout)
        else:
            count = write_jsonl_file(rows, output)
    except OSError as error:
        raise StoreError(f"cannot write {output}: {error.strerror}", path=str(output)) from error
    finally:
        conn.close()
    if output is not None:
        click.echo(f"codegenie-cli: exported {count} {table} rows to {output}", err=True)


# ---- printing rows ------------------------------------------------------------------------------
def _plain(value: object) -> object:
    return value.hex() if isinstance(value, bytes) else value


def _cell(value: object) -> str:
    """A value as one safe line: None empty, control characters escaped, long text cut."""
    if value is None:
        return ""
    text = str(_plain(value))
    text = "".join(ch if ch.isprintable() else ascii(ch)[1:-1] for ch in text)
    return text if len(text) <= _MAX_CELL else text[: _MAX_CELL - 1] + "…"


def render_rows(columns: Sequence[str], rows: Sequence[Sequence[object]], fmt: str) -> str:
    """The rows as an aligned table, a JSON array of objects, or CSV with a header."""
    if fmt == "json":
        items = [dict(zip(columns, map(_plain, row), strict=True)) for row in rows]
        return json.dumps(items, ensure_ascii=False, indent=2) + "\n"
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(columns)
        writer.writerows([["" if v is None else _plain(v) for v in row] for row in rows])
        return out.getvalue()
    cells = [[_cell(c) for c in columns], *[[_cell(v) for v in row] for row in rows]]
    widths = [max(len(line[i]) for line in cells) for i in range(len(columns))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(line, widths, strict=True)) for line in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "".join(line.rstrip() + "\n" for line in lines)
