"""`portfolio report --store PATH --html DIR`: the page's structure (every chart beside its table,
every report link a file), hostile names, the directory written whole, the store only read."""

from __future__ import annotations

import hashlib
import os
import sqlite3
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from benches import _gen_portfolio
from codegenie_adapters.page_directory import MARKER
from codegenie_adapters.portfolio_html import CSP
from codegenie_adapters.portfolio_store import open_store
from codegenie_cli.main import cli
from codegenie_core.portfolio import RepoFailed, RepoGathered, RepoTask
from tests.unit.portfolio_support import SPEC, generated_store

REPOS = 40
FAILED = (4, 9)


def _run(*args: str) -> Result:
    return CliRunner().invoke(cli, ["portfolio", *args], catch_exceptions=False)


class _Page(HTMLParser):
    """What a test asks of an HTML file: its elements (tag, attributes, section) and text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str | None], str | None]] = []
        self.text: list[str] = []
        self.cells: dict[str, list[list[str]]] = {}  # table id -> rows of cell texts
        self.chart_texts: dict[str, list[str]] = {}  # a chart's table id -> its text elements
        self._section: str | None = None
        self._table: str | None = None
        self._cell: list[str] | None = None
        self._chart: str | None = None
        self._chart_text: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "section":
            self._section = found.get("id")
        if tag == "table" and found.get("id"):
            self._table = found["id"]
            self.cells[str(self._table)] = []
        if tag == "tr" and self._table:
            self.cells[self._table].append([])
        if tag == "td" and self._table:
            self._cell = []
        if tag == "svg":
            self._chart = str(found.get("data-table"))
            self.chart_texts[self._chart] = []
        if tag == "text" and self._chart:
            self._chart_text = []
        self.elements.append((tag, found, self._section))

    def handle_endtag(self, tag: str) -> None:
        if tag == "td" and self._table and self._cell is not None:
            self.cells[self._table][-1].append("".join(self._cell))
            self._cell = None
        if tag == "table":
            self._table = None
        if tag == "text" and self._chart and self._chart_text is not None:
            self.chart_texts[self._chart].append("".join(self._chart_text))
            self._chart_text = None
        if tag == "svg":
            self._chart = None

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        if self._cell is not None:
            self._cell.append(data)
        if self._chart_text is not None:
            self._chart_text.append(data)


def _parse(path: Path) -> _Page:
    page = _Page()
    page.feed(path.read_text(encoding="utf-8"))
    return page


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("portfolio") / "portfolio.sqlite"
    return generated_store(path, REPOS, failed=FAILED)


def _digests(store: Path) -> dict[str, str]:
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest()
        for p in store.parent.iterdir()
        if p.name.startswith(store.name)
    }


def test_every_chart_has_its_table_beside_it_and_every_report_link_is_a_file(
    store: Path, tmp_path: Path
) -> None:
    out = tmp_path / "page"
    result = _run("report", "--store", str(store), "--html", str(out))
    assert result.exit_code == 0, result.output
    index = _parse(out / "index.html")
    charts = [(a, s) for tag, a, s in index.elements if tag == "svg"]
    assert len(charts) >= 5
    tables = {str(a["id"]): s for tag, a, s in index.elements if tag == "table" and a.get("id")}
    for attributes, section in charts:
        table_id = str(attributes["data-table"])
        assert attributes["aria-describedby"] == table_id
        assert tables[table_id] == section  # the table is in the chart's own section
        rows = [row for row in index.cells[table_id] if row]
        texts = index.chart_texts[table_id]
        drawn = list(zip(texts[0::2], texts[1::2], strict=True))  # (label, value) per bar
        assert drawn, table_id
        header = [str(a.get("id")) for tag, a, _ in index.elements if tag == "table"]
        assert table_id in header
        value = 1  # every charted table has its repositories column second
        assert drawn == [(row[0][:36], row[value]) for row in rows[: len(drawn)]]
    pages = [str(a["href"]) for tag, a, _ in index.elements if tag == "a"]
    repository_pages = [h for h in pages if h.startswith("repositories-")]
    assert repository_pages == ["repositories-1.html"]
    listed = _parse(out / repository_pages[0])
    links = [str(a["href"]) for tag, a, _ in listed.elements if tag == "a" and a.get("href")]
    reports = [h for h in links if h.startswith("reports/")]
    assert len(reports) == REPOS - len(FAILED)
    for href in reports:
        report = out / href
        assert report.is_file(), href
        assert report.read_text(encoding="utf-8").startswith("# codegenie report: repo-")
    assert sorted(p.name for p in (out / "reports").iterdir()) == sorted(
        h.removeprefix("reports/") for h in reports
    )
    rows = [row for row in listed.cells["repositories-table"] if row]  # the header has no td
    assert len(rows) == REPOS
    assert sum("failed (timeout)" in row for row in rows) == len(FAILED)


def test_the_page_counts_what_the_store_holds(store: Path, tmp_path: Path) -> None:
    out = tmp_path / "page"
    assert _run("report", "--store", str(store), "--html", str(out)).exit_code == 0
    index = _parse(out / "index.html")
    gathered = [i for i in range(REPOS) if i not in FAILED]
    node16 = sum(_gen_portfolio.seeded_node16(i) for i in gathered)
    base_rows = {row[0]: row[1] for row in index.cells["base-images-table-1"] if row}
    assert base_rows["node:16"] == str(node16)
    health = {row[0]: int(row[1]) for row in index.cells["index-health-table-1"] if row}
    expected: dict[str, int] = {}
    for i in gathered:
        expected[_gen_portfolio.health_kind(i)] = expected.get(_gen_portfolio.health_kind(i), 0) + 1
    assert health == expected
    reasons = {row[0]: row[1] for row in index.cells["failures-table-1"] if row}
    assert reasons == {"timeout": str(len(FAILED))}
    lodash = next(row for row in index.cells["versions-table-1"] if row and row[1] == "lodash")
    with_lodash = [i for i in gathered if _gen_portfolio.lodash_version(i) is not None]
    assert lodash[2] == str(len(with_lodash))


def test_the_page_loads_nothing_and_runs_no_script(store: Path, tmp_path: Path) -> None:
    out = tmp_path / "page"
    assert _run("report", "--store", str(store), "--html", str(out)).exit_code == 0
    for name in ("index.html", "repositories-1.html"):
        page = _parse(out / name)
        csp = [a for tag, a, _ in page.elements if tag == "meta" and a.get("http-equiv")]
        assert csp == [{"http-equiv": "Content-Security-Policy", "content": CSP}]
        assert "default-src 'none'" in CSP
        tags = {tag for tag, _, _ in page.elements}
        assert not tags & {"script", "img", "link", "iframe", "object", "embed", "base", "form"}
        for _, attributes, _ in page.elements:
            assert not [k for k in attributes if k.startswith("on")]
            assert "style" not in attributes  # only the one hashed <style> element


def test_the_store_is_only_read(store: Path, tmp_path: Path) -> None:
    before = _digests(store)
    assert _run("report", "--store", str(store), "--html", str(tmp_path / "p")).exit_code == 0
    assert _digests(store) == before


_HOSTILE = (
    '<script>alert("x")</script>',
    '"><img src=x onerror=alert(1)>',
    "javascript:alert(1)",
    "../../../../tmp/escaped",
    "a'b\"c&d<e>f",
)


def _hostile_document(i: int, forged: str) -> dict[str, Any]:
    document: dict[str, Any] = _gen_portfolio.document(i, deps=3)
    document["repo"]["name"] = forged
    probes = document["probes"]
    inventory = probes["manifests"]["slice"]["inventory"]
    inventory[0]["name"] = forged
    inventory[0]["resolved"] = forged
    stage = next(iter(probes["dockerfile"]["slice"]["dockerfiles"].values()))["stages"][0]
    stage["base"]["resolved"] = forged
    probes["languages"]["slice"]["languages"][0]["language"] = forged
    return document


def test_hostile_names_reach_the_page_as_text_only(tmp_path: Path) -> None:
    path = tmp_path / "hostile.sqlite"
    store = open_store(str(path))
    tasks = [RepoTask(key=f"/p/{forged}", kind="path", needs_engine=False) for forged in _HOSTILE]
    run = store.begin_run(SPEC, tasks)
    for i, (forged, t) in enumerate(zip(_HOSTILE, tasks, strict=True)):
        document = _hostile_document(i, forged)
        store.record(run, RepoGathered(task=t, head=None, state_token=forged, document=document,
                                       duration_ms=1))  # fmt: skip
    failed = RepoTask(key=f"/p/failed{_HOSTILE[0]}", kind="path", needs_engine=False)
    store.record(run, RepoFailed(task=failed, reason="crash", message=_HOSTILE[1], duration_ms=1))
    store.finish_run(run)
    store.close()
    out = tmp_path / "site" / "page"
    result = _run("report", "--store", str(path), "--html", str(out))
    assert result.exit_code == 0, result.output
    written = sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*") if p.is_file())
    assert all(w.startswith(("site/page/", "hostile.sqlite")) for w in written), written
    assert not (tmp_path / "tmp").exists()
    for name in ("index.html", "repositories-1.html"):
        text = (out / name).read_text(encoding="utf-8")
        page = _parse(out / name)
        tags = {tag for tag, _, _ in page.elements}
        assert not tags & {"script", "img"}, name
        for tag, attributes, _ in page.elements:
            assert not [k for k in attributes if k.startswith("on")], (tag, attributes)
            href = attributes.get("href")
            if href is not None:
                assert href.startswith(("#", "index.html", "repositories-", "reports/")), href
                if href.startswith("reports/"):
                    assert (out / href).is_file()
                    assert (out / href).resolve().parent == (out / "reports").resolve()
        shown = "".join(page.text)
        for forged in _HOSTILE:
            assert forged in shown or forged[:36] in shown, (name, forged)  # as text, escaped
        assert "<script" not in text and "<img" not in text
    reports = list((out / "reports").iterdir())
    assert len(reports) == len(_HOSTILE)
    assert all(not r.name.startswith(".") for r in reports)


def test_a_rerun_replaces_the_page_and_leaves_nothing_beside_it(
    store: Path, tmp_path: Path
) -> None:
    out = tmp_path / "page"
    assert _run("report", "--store", str(store), "--html", str(out)).exit_code == 0
    (out / "reports" / "stale.md").write_text("old", encoding="utf-8")
    assert _run("report", "--store", str(store), "--html", str(out)).exit_code == 0
    assert not (out / "reports" / "stale.md").exists()
    assert (out / MARKER).is_file()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["page"]


def test_a_directory_of_other_files_is_refused_untouched(store: Path, tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    (home / "notes.txt").write_text("mine", encoding="utf-8")
    result = _run("report", "--store", str(store), "--html", str(home))
    assert result.exit_code == 2
    assert result.output.count("\n") == 1
    assert "a directory of other files" in result.output
    assert sorted(p.name for p in home.iterdir()) == ["notes.txt"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["home"]


def test_a_symlinked_or_file_target_is_refused_in_one_line(store: Path, tmp_path: Path) -> None:
    real = tmp_path / "real"
    real.mkdir()
    (tmp_path / "link").symlink_to(real)
    (tmp_path / "file").write_text("mine", encoding="utf-8")
    for target in ("link", "file"):
        result = _run("report", "--store", str(store), "--html", str(tmp_path / target))
        assert result.exit_code == 2
        assert result.output == (
            f"codegenie-cli: error: --html {tmp_path / target}: exists and is not a directory\n"
        )
    assert (tmp_path / "link").is_symlink() and list(real.iterdir()) == []
    assert (tmp_path / "file").read_text(encoding="utf-8") == "mine"


def test_a_failure_midway_leaves_the_old_page_whole(store: Path, tmp_path: Path) -> None:
    copy = tmp_path / "broken.sqlite"
    source = sqlite3.connect(str(store))
    target = sqlite3.connect(str(copy))
    source.backup(target)
    source.close()
    out = tmp_path / "page"
    assert _run("report", "--store", str(copy), "--html", str(out)).exit_code == 0
    before = sorted(str(p.relative_to(out)) for p in out.rglob("*"))
    target.execute(
        "UPDATE documents SET document = '{' WHERE repo_id = (SELECT max(repo_id) FROM documents)"
    )
    target.commit()
    target.close()
    result = _run("report", "--store", str(copy), "--html", str(out))
    assert result.exit_code == 2
    assert "is not JSON" in result.output and result.output.count("\n") == 1
    assert sorted(str(p.relative_to(out)) for p in out.rglob("*")) == before
    leftovers = [p.name for p in tmp_path.iterdir() if p.name.startswith(".page.")]
    assert leftovers == []


def test_no_store_is_one_line(tmp_path: Path) -> None:
    result = _run("report", "--store", str(tmp_path / "none.sqlite"), "--html", str(tmp_path / "p"))
    assert result.exit_code == 2
    assert (
        result.output == f"codegenie-cli: error: no portfolio store at {tmp_path / 'none.sqlite'}\n"
    )
    assert not os.path.exists(tmp_path / "p")


def test_a_repository_counts_once_in_its_latest_result(tmp_path: Path) -> None:
    """Two runs saw one repository in two states (two rows, two documents): the page counts the
    second only, and a later failure replaces both."""
    path = tmp_path / "two-runs.sqlite"
    one, two = (RepoTask(key=f"/p/{n}", kind="path", needs_engine=False) for n in ("one", "two"))
    store = open_store(str(path))
    for state, image in (("a", "first:1"), ("b", "second:2")):
        run = store.begin_run(SPEC.__class__(config=SPEC.config, cache_dir=state,
                                             cache_max_bytes=1), [one, two])  # fmt: skip
        for t in (one, two):
            document = _hostile_document(0, "name")
            dockerfiles = document["probes"]["dockerfile"]["slice"]["dockerfiles"]
            for facts in dockerfiles.values():
                for stage in facts["stages"]:
                    stage["base"]["resolved"] = image
            if t is two and state == "b":
                store.record(run, RepoFailed(task=t, reason="crash", message="9", duration_ms=1))
            else:
                store.record(run, RepoGathered(task=t, head=None, state_token=state,
                                               document=document, duration_ms=1))  # fmt: skip
        store.finish_run(run)
    store.close()
    out = tmp_path / "page"
    assert _run("report", "--store", str(path), "--html", str(out)).exit_code == 0
    index = _parse(out / "index.html")
    assert [row for row in index.cells["base-images-table-1"] if row] == [["second:2", "1", "1"]]
    assert [row[:2] for row in index.cells["failures-table-2"] if row] == [["/p/two", "crash"]]
    assert len(list((out / "reports").iterdir())) == 1


def test_jinja2_is_imported_only_by_the_report() -> None:
    import json
    import subprocess
    import sys

    code = (
        "import sys, json\n"
        "from click.testing import CliRunner\n"
        "from codegenie_cli.main import cli\n"
        "CliRunner().invoke(cli, ['portfolio', 'report', '--help'])\n"
        "CliRunner().invoke(cli, ['--help'])\n"
        "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in"
        " ('jinja2', 'markupsafe'))))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert json.loads(out.stdout) == []
