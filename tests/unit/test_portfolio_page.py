"""The portfolio page's model: pure functions from the store's grouped rows to its tables."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from codegenie_core import portfolio_page as pp
from codegenie_core.portfolio_page import (
    Cell,
    PageRows,
    RepositoryLine,
    Table,
    bar_chart,
    build_page,
    counted_table,
    failures_table,
    report_file_name,
    repository_pages,
    top,
    versions_table,
)
from codegenie_core.portfolio_rows import StoreStatus


def _texts(table: Table) -> list[list[str]]:
    return [[cell.text for cell in row] for row in table.rows]


def test_top_keeps_the_largest_groups_ties_by_label_and_counts_the_rest() -> None:
    rows = [("b", 3), ("a", 3), ("c", 9), ("d", 1), (None, 3)]
    kept, more = top(iter(rows), 1, 3)
    assert kept == [("c", 9), ("a", 3), ("b", 3)]
    assert more == 2


def test_a_counted_table_past_its_cap_says_how_many_more() -> None:
    rows = [(f"image-{i:03d}", 1000 - i, 0) for i in range(pp.TABLE_ROWS + 7)]
    table = counted_table(rows, ("image", "repositories", "final"), what="images")
    assert len(table.rows) == pp.TABLE_ROWS
    assert table.more == 7
    assert table.more_what == "images"
    assert _texts(table)[0] == ["image-000", "1000", "0"]


def test_a_missing_label_is_shown_as_none() -> None:
    table = counted_table([(None, 2)], ("health", "repositories"), what="states")
    assert _texts(table) == [["(none)", "2"]]


def test_a_chart_is_drawn_from_its_tables_first_rows() -> None:
    rows = [(f"l{i:02d}", 100 - i) for i in range(pp.CHART_BARS + 5)]
    table = counted_table(rows, ("language", "repositories"), what="languages")
    chart = bar_chart("Languages", table, value_column=1)
    assert chart is not None
    assert [(b.label, b.value) for b in chart.bars] == [
        (row[0].text, int(row[1].text)) for row in table.rows[: pp.CHART_BARS]
    ]
    assert chart.bars[0].width == pp.CHART_WIDTH - chart.label_width - 60  # the largest is full
    assert all(0 < b.width <= chart.bars[0].width for b in chart.bars)
    assert chart.height == len(chart.bars) * chart.bar_height


def test_an_empty_table_has_no_chart() -> None:
    table = counted_table([], ("health", "repositories"), what="states")
    assert bar_chart("Index health", table, value_column=1) is None


def test_versions_list_the_most_used_packages_with_their_resolved_versions() -> None:
    packages = [("npm", "lodash", 7), ("npm", "react", 2), ("pypi", "attrs", 5)]
    versions = [
        ("npm", "lodash", "4.17.21", 4),
        ("npm", "lodash", "4.17.15", 2),
        ("npm", "lodash", None, 1),
        ("pypi", "attrs", "23.2.0", 5),
        ("npm", "react", "18.2.0", 2),
        ("go", "unlisted", "1.0.0", 9),
    ]
    table = versions_table(packages, versions)
    assert _texts(table) == [
        ["npm", "lodash", "7", "4.17.21 (4), 4.17.15 (2), unresolved (1)"],
        ["pypi", "attrs", "5", "23.2.0 (5)"],
        ["npm", "react", "2", "18.2.0 (2)"],
    ]


def test_a_package_with_many_versions_shows_the_first_and_counts_the_rest() -> None:
    versions = [("npm", "x", f"1.{i}.0", 1) for i in range(pp.VERSIONS_SHOWN + 3)]
    table = versions_table([("npm", "x", 11)], versions)
    assert table.rows[0][3].text.endswith(", and 3 more versions")


def test_the_failure_list_is_capped() -> None:
    failed = [(f"/r/{i}", "timeout", "600 s") for i in range(pp.FAILURE_ROWS + 4)]
    table = failures_table(failed)
    assert len(table.rows) == pp.FAILURE_ROWS
    assert table.more == 4


def _line(i: int, *, document: bool = True) -> RepositoryLine:
    return RepositoryLine(
        key=f"/p/repo-{i}", state=f"t{i}", name=f"repo-{i}", status="gathered" if document
        else "failed", reason=None if document else "crash", primary_language="Go",
        has_document=document,
    )  # fmt: skip


def test_repositories_are_paged_and_only_those_with_a_document_link_a_report() -> None:
    lines = [_line(i, document=i % 3 != 0) for i in range(pp.REPOSITORIES_PER_PAGE + 2)]
    pages = repository_pages(lines)
    assert [p.file_name for p in pages] == ["repositories-1.html", "repositories-2.html"]
    assert [len(p.table.rows) for p in pages] == [pp.REPOSITORIES_PER_PAGE, 2]
    first = pages[0].table.rows
    assert first[0][4] == Cell(text="no report (no document)")
    assert first[0][2].text == "failed (crash)"
    assert first[1][4] == Cell(text="report", href=report_file_name("/p/repo-1", "t1", "repo-1"))


_SAFE = re.compile(r"reports/[A-Za-z0-9_-][A-Za-z0-9._-]*-[0-9a-f]{16}\.md")


@given(key=st.text(), state=st.text(), name=st.none() | st.text())
def test_a_report_file_name_is_one_safe_word_whatever_the_name(
    key: str, state: str, name: str | None
) -> None:
    assert _SAFE.fullmatch(report_file_name(key, state, name))


def test_forged_names_cannot_leave_the_reports_directory() -> None:
    for name in ("../../etc/passwd", "..", ".hidden", "/abs", "a/b\\c", "<script>", ""):
        file_name = report_file_name("/k", "s", name)
        assert _SAFE.fullmatch(file_name), file_name
        assert ".." not in file_name.split("/")


def test_two_states_of_one_repository_have_two_reports() -> None:
    assert report_file_name("/k", "a", "n") != report_file_name("/k", "b", "n")
    assert report_file_name("/k", "a", "n") != report_file_name("/j", "a", "n")


def _rows(**overrides: object) -> PageRows:
    status = StoreStatus(repositories=3, gathered=2, failed=1, failures=(("crash", 1),),
                         last_run=None)  # fmt: skip
    fields: dict[str, object] = {
        "status": status,
        "base_images": [("node:16", 2, 1)],
        "languages": [("Go", 2, 1, 10, 100)],
        "ecosystems": [("npm", 2, 3, 4)],
        "packages": [("npm", "lodash", 2)],
        "versions": [("npm", "lodash", "4.17.21", 2)],
        "index_health": [("Fresh", 1)],
        "without_index_entry": 1,
        "traces": [("completed", "high", 1)],
        "untraced": 1,
        "failure_reasons": [("crash", 1)],
        "failures": [("/p/c", "crash", "signal 9")],
        "repositories": [_line(0), _line(1), _line(2, document=False)],
    }
    fields.update(overrides)
    return PageRows(**fields)  # pyright: ignore[reportArgumentType]  # test literals


def test_the_page_has_a_section_per_question_and_every_chart_is_its_first_table() -> None:
    page = build_page(_rows())
    assert [s.slug for s in page.sections] == [
        "base-images", "languages", "ecosystems", "versions", "index-health", "trace-coverage",
        "failures",
    ]  # fmt: skip
    for section in page.sections:
        if section.chart is not None:
            table = section.tables[0]
            value = table.columns.index("repositories")
            assert [(b.label, b.value) for b in section.chart.bars] == [
                (r[0].text, int(r[value].text)) for r in table.rows[: pp.CHART_BARS]
            ]
    assert page.summary[:3] == (("repositories", "3"), ("gathered", "2"), ("failed", "1"))
    traces = next(s for s in page.sections if s.slug == "trace-coverage")
    assert _texts(traces.tables[0]) == [["completed / high", "1"]]
    assert traces.notes == (
        "1 of 2 gathered repositories have no runtime trace (layer C not run, or skipped).",
    )
    failures = next(s for s in page.sections if s.slug == "failures")
    assert _texts(failures.tables[1]) == [["/p/c", "crash", "signal 9"]]


def test_an_empty_store_gives_a_page_without_charts_or_repository_pages() -> None:
    empty = StoreStatus(repositories=0, gathered=0, failed=0, failures=(), last_run=None)
    page = build_page(
        _rows(status=empty, base_images=[], languages=[], ecosystems=[], packages=[],
              versions=[], index_health=[], without_index_entry=0, traces=[], untraced=0,
              failure_reasons=[], failures=[], repositories=[])
    )  # fmt: skip
    assert all(s.chart is None for s in page.sections)
    assert all(s.notes == () for s in page.sections)
    assert page.repository_pages == ()
    assert ("last run", "none") in page.summary
