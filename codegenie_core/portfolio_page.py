"""The portfolio page as values: from the store's grouped rows to one table per question, a bar
chart beside the tables that have one, and the repository list with each report's file name.

Rule 1: every chart is drawn from its own section's table (the first column's labels, the
repositories column's counts), so a chart never says what its table does not.
Rule 2: bounded whatever the store holds: an aggregate table keeps its `TABLE_ROWS` largest
groups (ties by label) and says how many more there are, a chart its `CHART_BARS` first rows, the
failure list `FAILURE_ROWS`, the versions table `PACKAGE_ROWS` packages of `VERSIONS_SHOWN`
versions each; rows arrive as iterables and only the kept ones are held (`heapq`). Only the
repository list holds one line per repository, in pages of `REPOSITORIES_PER_PAGE`.
Rule 3: a report's file name is made here from the repository's name and a digest of its key
and state, of `[A-Za-z0-9._-]` only and never starting with a dot, so a forged name cannot reach
another directory or hide the file; two repositories never share one.
Rule 4: this module escapes nothing: every text is a repository's, and the HTML renderer escapes
all of them (ADR-0075).
"""

from __future__ import annotations

import hashlib
import heapq
import re
from collections.abc import Iterable, Sequence
from typing import TypeVar

import attrs

from codegenie_core.portfolio_rows import StoreStatus

TABLE_ROWS = 50
CHART_BARS = 12
FAILURE_ROWS = 200
PACKAGE_ROWS = 100
VERSIONS_SHOWN = 8
REPOSITORIES_PER_PAGE = 500
CHART_WIDTH = 640
_BAR_HEIGHT = 22
_LABEL_WIDTH = 240
_VALUE_WIDTH = 60
_NONE = "(none)"


@attrs.frozen(kw_only=True)
class Bar:
    label: str
    value: int
    y: int
    width: int


@attrs.frozen(kw_only=True)
class Chart:
    """A horizontal bar chart's geometry, in SVG user units."""

    title: str
    bars: tuple[Bar, ...]
    width: int
    height: int
    label_width: int
    bar_height: int


@attrs.frozen(kw_only=True)
class Cell:
    text: str
    href: str | None = None  # only ever a report file name from `report_file_name`


@attrs.frozen(kw_only=True)
class Table:
    columns: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]
    more: int = 0  # how many rows were left out (Rule 2)
    more_what: str = "rows"


@attrs.frozen(kw_only=True)
class Section:
    slug: str
    title: str
    question: str
    tables: tuple[Table, ...]
    chart: Chart | None = None
    notes: tuple[str, ...] = ()


@attrs.frozen(kw_only=True)
class RepositoryLine:
    """One repository's latest result, as the store's `repositories` row says."""

    key: str
    state: str
    name: str | None
    status: str
    reason: str | None
    primary_language: str | None
    has_document: bool


@attrs.frozen(kw_only=True)
class RepositoryPage:
    number: int
    file_name: str
    table: Table


@attrs.frozen(kw_only=True)
class Page:
    title: str
    summary: tuple[tuple[str, str], ...]
    sections: tuple[Section, ...]
    repository_pages: tuple[RepositoryPage, ...]


_Row = TypeVar("_Row", bound=tuple[object, ...])


def top(rows: Iterable[_Row], count: int, limit: int) -> tuple[list[_Row], int]:
    """The `limit` rows with the largest `row[count]` (ties by the row's text), and how many rows
    were left out, holding at most `limit` rows at a time (Rule 2)."""
    seen = 0

    def counted() -> Iterable[_Row]:
        nonlocal seen
        for row in rows:
            seen += 1
            yield row

    kept = heapq.nsmallest(limit, counted(), key=lambda r: (-_number(r[count]), _texts(r)))
    return kept, seen - len(kept)


def bar_chart(title: str, table: Table, *, value_column: int) -> Chart | None:
    """The chart of a table's first rows (Rule 1); None for a table with nothing to draw."""
    shown = table.rows[:CHART_BARS]
    values = [_parse_int(row[value_column].text) for row in shown]
    if not shown or max(values) <= 0:
        return None
    span = CHART_WIDTH - _LABEL_WIDTH - _VALUE_WIDTH
    bars = tuple(
        Bar(
            label=row[0].text,
            value=value,
            y=i * _BAR_HEIGHT,
            width=max(1, span * value // max(values)),
        )
        for i, (row, value) in enumerate(zip(shown, values, strict=True))
    )
    return Chart(
        title=title,
        bars=bars,
        width=CHART_WIDTH,
        height=len(bars) * _BAR_HEIGHT,
        label_width=_LABEL_WIDTH,
        bar_height=_BAR_HEIGHT,
    )


def counted_table(
    rows: Iterable[tuple[object, ...]], columns: Sequence[str], *, what: str, count: int = 1
) -> Table:
    """An aggregate table: its largest groups by column `count` (Rule 2)."""
    kept, more = top(rows, count, TABLE_ROWS)
    return Table(
        columns=tuple(columns),
        rows=tuple(tuple(Cell(text=_shown(v)) for v in row) for row in kept),
        more=more,
        more_what=what,
    )


def chart_section(
    *,
    slug: str,
    title: str,
    question: str,
    table: Table,
    notes: Sequence[str] = (),
    more: Sequence[Table] = (),
) -> Section:
    """A section of one counted table and its chart, drawn from the table (Rule 1), and any
    further tables (`more`)."""
    index = table.columns.index("repositories")
    return Section(
        slug=slug,
        title=title,
        question=question,
        tables=(table, *more),
        chart=bar_chart(title, table, value_column=index),
        notes=tuple(notes),
    )


def versions_table(
    packages: Iterable[tuple[str | None, str, int]],
    versions: Iterable[tuple[str | None, str, str | None, int]],
) -> Table:
    """The most used packages (ecosystem, name, repositories) with their resolved versions, most
    used first; `versions` holds (ecosystem, name, resolved, repositories) rows (Rule 2)."""
    kept, more = top(packages, 2, PACKAGE_ROWS)
    found: dict[tuple[str | None, str], list[tuple[str, int]]] = {(e, n): [] for e, n, _ in kept}
    for ecosystem, name, resolved, repos in versions:
        listed = found.get((ecosystem, name))
        if listed is not None:
            listed.append((resolved or "unresolved", repos))
    rows: list[tuple[Cell, ...]] = []
    for ecosystem, name, repos in kept:
        listed = sorted(found[(ecosystem, name)], key=lambda v: (-v[1], v[0]))
        text = ", ".join(f"{v} ({n})" for v, n in listed[:VERSIONS_SHOWN])
        if len(listed) > VERSIONS_SHOWN:
            text += f", and {len(listed) - VERSIONS_SHOWN} more versions"
        rows.append(
            (Cell(text=_shown(ecosystem)), Cell(text=_shown(name)), Cell(text=_shown(repos)),
             Cell(text=text))
        )  # fmt: skip
    return Table(
        columns=("ecosystem", "package", "repositories", "resolved versions (repositories)"),
        rows=tuple(rows),
        more=more,
        more_what="packages",
    )


def failures_table(failed: Iterable[tuple[str, str, str | None]]) -> Table:
    """The first `FAILURE_ROWS` failed repositories by key: (key, reason, message)."""
    kept: list[tuple[Cell, ...]] = []
    more = 0
    for key, reason, message in failed:
        if len(kept) < FAILURE_ROWS:
            kept.append((Cell(text=key), Cell(text=reason), Cell(text=message or "")))
        else:
            more += 1
    return Table(
        columns=("repository", "reason", "message"),
        rows=tuple(kept),
        more=more,
        more_what="failed repositories (each is in the repository list)",
    )


def report_file_name(key: str, state: str, name: str | None) -> str:
    """`reports/<name>-<digest>.md`, safe whatever `name` holds (Rule 3)."""
    base = name if name else key.rstrip("/").rsplit("/", 1)[-1]
    slug = re.sub(r"[^A-Za-z0-9._-]", "_", base)[:48].lstrip(".") or "repository"
    digest = hashlib.sha256(f"{key}\0{state}".encode()).hexdigest()[:16]
    return f"reports/{slug}-{digest}.md"


def repository_pages(lines: Iterable[RepositoryLine]) -> tuple[RepositoryPage, ...]:
    """The repository list in pages (Rule 2), each line linking its report when it has one."""
    rows: list[tuple[Cell, ...]] = []
    for line in lines:
        report = (
            Cell(text="report", href=report_file_name(line.key, line.state, line.name))
            if line.has_document
            else Cell(text="no report (no document)")
        )
        status = line.status if line.reason is None else f"{line.status} ({line.reason})"
        rows.append(
            (Cell(text=line.name or ""), Cell(text=line.key), Cell(text=status),
             Cell(text=line.primary_language or ""), report)
        )  # fmt: skip
    columns = ("name", "repository", "status", "primary language", "report")
    pages: list[RepositoryPage] = []
    for start in range(0, len(rows), REPOSITORIES_PER_PAGE):
        number = start // REPOSITORIES_PER_PAGE + 1
        pages.append(
            RepositoryPage(
                number=number,
                file_name=f"repositories-{number}.html",
                table=Table(
                    columns=columns, rows=tuple(rows[start : start + REPOSITORIES_PER_PAGE])
                ),
            )
        )
    return tuple(pages)


def summary_lines(status: StoreStatus) -> tuple[tuple[str, str], ...]:
    """The store at a glance, as `portfolio status` says it."""
    lines = [
        ("repositories", str(status.repositories)),
        ("gathered", str(status.gathered)),
        ("failed", str(status.failed)),
    ]
    last = status.last_run
    if last is None:
        lines.append(("last run", "none"))
    else:
        state = f"finished {last.finished_at}" if last.finished_at else "unfinished"
        lines.append(("last run", f"#{last.run_id}, started {last.started_at}, {state}"))
        lines.append(("recorded in the last run", f"{last.recorded} of {last.tasks}"))
    return tuple(lines)


def _shown(value: object) -> str:
    return _NONE if value is None else str(value)


def _number(value: object) -> int:
    return value if isinstance(value, int) else 0


def _parse_int(text: str) -> int:
    return int(text) if text.isdigit() else 0


def _texts(row: tuple[object, ...]) -> tuple[tuple[bool, str], ...]:
    return tuple((v is None, str(v)) for v in row)


@attrs.frozen(kw_only=True)
class PageRows:
    """What the page is made of, as the store's grouped rows (each an iterable read once)."""

    status: StoreStatus
    base_images: Iterable[tuple[str | None, int, int]]  # image, repositories, in a final stage
    languages: Iterable[
        tuple[str, int, int, int, int]
    ]  # language, repositories, primary, files, bytes
    ecosystems: Iterable[
        tuple[str | None, int, int, int]
    ]  # ecosystem, repositories, packages, entries
    packages: Iterable[tuple[str | None, str, int]]  # ecosystem, name, repositories
    versions: Iterable[
        tuple[str | None, str, str | None, int]
    ]  # ecosystem, name, resolved, repositories
    index_health: Iterable[tuple[str | None, int]]  # health, repositories
    without_index_entry: int  # gathered repositories with no index-health entry
    traces: Iterable[tuple[str | None, str | None, int]]  # status, coverage, repositories
    untraced: int  # gathered repositories with no runtime-trace summary
    failure_reasons: Iterable[tuple[str, int]]  # reason, repositories
    failures: Iterable[tuple[str, str, str | None]]  # key, reason, message
    repositories: Iterable[RepositoryLine]


def build_page(rows: PageRows) -> Page:
    """The whole page, one section per question."""
    gathered = rows.status.gathered
    sections = (
        chart_section(
            slug="base-images",
            title="Base images",
            question="Which images do the repositories build FROM (any stage)?",
            table=counted_table(
                rows.base_images, ("image", "repositories", "in a final stage"), what="images"
            ),
        ),
        chart_section(
            slug="languages",
            title="Languages",
            question="Which languages do the repositories hold?",
            table=counted_table(
                rows.languages,
                ("language", "repositories", "primary in", "files", "bytes"),
                what="languages",
            ),
        ),
        chart_section(
            slug="ecosystems",
            title="Ecosystems",
            question="Which package ecosystems do the repositories depend on?",
            table=counted_table(
                rows.ecosystems,
                ("ecosystem", "repositories", "packages", "dependency entries"),
                what="ecosystems",
            ),
        ),
        Section(
            slug="versions",
            title="Resolved versions",
            question="Which versions of the most used packages do the repositories resolve?",
            tables=(versions_table(rows.packages, rows.versions),),
        ),
        chart_section(
            slug="index-health",
            title="Index health",
            question="How fresh is each repository's code index?",
            table=counted_table(rows.index_health, ("health", "repositories"), what="states"),
            notes=_without(rows.without_index_entry, gathered, "no index-health entry"),
        ),
        chart_section(
            slug="trace-coverage",
            title="Trace coverage",
            question="How much of each repository's runtime did a trace see?",
            table=counted_table(
                (
                    (f"{_shown(status)} / {_shown(coverage)}", n)
                    for status, coverage, n in rows.traces
                ),
                ("status / coverage", "repositories"),
                what="states",
            ),
            notes=_without(
                rows.untraced, gathered, "no runtime trace (layer C not run, or skipped)"
            ),
        ),
        chart_section(
            slug="failures",
            title="Failures",
            question="Which repositories could not be gathered, and why?",
            table=counted_table(rows.failure_reasons, ("reason", "repositories"), what="reasons"),
            more=(failures_table(rows.failures),),
        ),
    )
    return Page(
        title="codegenie portfolio",
        summary=summary_lines(rows.status),
        sections=sections,
        repository_pages=repository_pages(rows.repositories),
    )


def _without(count: int, gathered: int, what: str) -> tuple[str, ...]:
    return (f"{count} of {gathered} gathered repositories have {what}.",) if count else ()
