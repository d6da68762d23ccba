"""`codegenie-cli portfolio report --store PATH --html DIR`: the portfolio's static page, and a
Markdown report per repository beside it (see ADR-0075).

Exit codes: 0 written; 2 a bad store, or a DIR it may not replace or cannot write (one line on
stderr naming it). The store is only read, as `portfolio query` reads it.
"""

from __future__ import annotations

from collections.abc import Iterator

import click

from codegenie_core.errors import OutputError


@click.command("report")
@click.option(
    "--store",
    "store",
    required=True,
    type=click.Path(dir_okay=False, path_type=str),
    help="The portfolio store file (SQLite) `portfolio gather` writes.",
)
@click.option(
    "--html",
    "html_dir",
    required=True,
    type=click.Path(path_type=str),  # a file there is refused in one line (check_target)
    help="Write the page here: index.html, repositories-N.html and reports/*.md. A rerun "
    "replaces a directory a previous report wrote; any other non-empty one is refused.",
)
def portfolio_report(store: str, html_dir: str) -> None:
    """Write a static HTML page of the store (no script, nothing loaded from the network), with
    a table per question, charts beside their tables, and each repository's Markdown report."""
    from codegenie_adapters.page_directory import check_target, write_directory
    from codegenie_adapters.portfolio_html import PageRenderer
    from codegenie_adapters.portfolio_page_read import documents, open_page_reader, page_rows
    from codegenie_core.portfolio_page import (
        REPOSITORIES_PER_PAGE,
        build_page,
        report_file_name,
    )
    from codegenie_core.report.from_document import markdown_from_document

    check_target(html_dir)  # refuse before reading anything
    conn = open_page_reader(store)
    try:
        page = build_page(page_rows(conn, store))
        renderer = PageRenderer()

        def files() -> Iterator[tuple[str, str]]:
            yield "index.html", renderer.index(page, per_page=REPOSITORIES_PER_PAGE)
            for current in page.repository_pages:
                yield current.file_name, renderer.repositories(page, current)
            for key, state, name, document in documents(conn, store):
                yield report_file_name(key, state, name), markdown_from_document(document)

        try:
            written = write_directory(html_dir, files())
        except OSError as error:
            raise OutputError(
                f"--html {html_dir}: cannot write the page: {error.strerror or error}",
                path=html_dir,
            ) from error
    finally:
        conn.close()
    click.echo(f"codegenie-cli: wrote {written} files to {html_dir} (open index.html)", err=True)
