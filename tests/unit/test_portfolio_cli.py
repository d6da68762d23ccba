"""`portfolio query|status|export` over a generated store, and the README's example queries."""

from __future__ import annotations

import csv
import io
import json
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from benches import _gen_portfolio
from codegenie_adapters.portfolio_store import open_store
from codegenie_cli.main import cli
from codegenie_core.portfolio import RepoGathered
from tests.unit.portfolio_support import SPEC, generated_store, task

ROOT = Path(__file__).resolve().parents[2]
REPOS = 120
FAILED = (7, 8)

# The README's example queries ("Portfolio" section), each run here against a generated store.
FROM_NODE_16 = """\
SELECT DISTINCT r.key FROM base_images b JOIN repositories r USING (repo_id)
WHERE b.image = 'node' AND b.tag = '16' ORDER BY r.key"""
STALE_INDEX = """\
SELECT r.key, h.commits_behind FROM index_health h JOIN repositories r USING (repo_id)
WHERE h.health = 'Stale' ORDER BY r.key"""
LODASH_BELOW = """\
SELECT r.key, d.resolved FROM dependencies d JOIN repositories r USING (repo_id)
WHERE d.ecosystem = 'npm' AND d.name = 'lodash'
  AND version_key(d.resolved) < version_key('4.17.21') ORDER BY r.key"""
FAILURES = """\
SELECT reason, count(*) AS repositories FROM repositories
WHERE status = 'failed' GROUP BY reason ORDER BY reason"""
TYPING_GROUP = """\
SELECT DISTINCT r.key FROM dependencies d JOIN repositories r USING (repo_id), json_each(d.groups) g
WHERE d.name = 'pytest' AND g.value = 'group:typing' ORDER BY r.key"""


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = tmp_path_factory.mktemp("portfolio") / "portfolio.sqlite"
    return str(generated_store(path, REPOS, failed=FAILED))


def _run(*args: str) -> Result:
    return CliRunner().invoke(cli, ["portfolio", *args], catch_exceptions=False)


def _csv(store: str, sql: str) -> list[list[str]]:
    result = _run("query", "--store", store, sql, "--format", "csv")
    assert (result.exit_code, result.stderr) == (0, ""), result.stderr
    return list(csv.reader(io.StringIO(result.stdout)))


def _gathered() -> list[int]:
    return [i for i in range(REPOS) if i not in FAILED]


def test_the_readme_shows_each_example_query() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for sql in (FROM_NODE_16, STALE_INDEX, LODASH_BELOW, FAILURES, TYPING_GROUP):
        assert f"```sql\n{sql}\n```" in readme


def test_which_repositories_build_from_node_16(store: str) -> None:
    rows = _csv(store, FROM_NODE_16)
    expected = [task(i).key for i in _gathered() if _gen_portfolio.seeded_node16(i)]
    assert rows == [["key"], *[[key] for key in expected]] and len(expected) >= 3


def test_which_repositories_have_a_stale_index(store: str) -> None:
    rows = _csv(store, STALE_INDEX)
    stale = [i for i in _gathered() if _gen_portfolio.health_kind(i) == "Stale"]
    assert rows[1:] == [[task(i).key, str(1 + i % 9)] for i in stale]


def test_which_repositories_pin_lodash_below_4_17_21(store: str) -> None:
    rows = _csv(store, LODASH_BELOW)
    below = {"4.17.15", "4.17.19", "4.17.20", "3.10.1"}
    expected = [
        [task(i).key, v] for i in _gathered() if (v := _gen_portfolio.lodash_version(i)) in below
    ]
    assert rows[1:] == expected and len(expected) > 10


def test_which_repositories_install_pytest_through_a_typing_group(tmp_path: Path) -> None:
    def entry(name: str, groups: list[str]) -> dict[str, object]:
        return {"ecosystem": "pypi", "name": name, "scope": "dev", "direct": True, "groups": groups}

    inventories = [
        [entry("pytest", ["group:tests", "group:typing"])],
        [entry("pytest", ["group:tests"]), entry("mypy", ["group:typing"])],
        [entry("pytest", [])],
    ]
    path = tmp_path / "s.sqlite"
    store = open_store(str(path))
    run = store.begin_run(SPEC, [task(i) for i in range(len(inventories))])
    for i, inventory in enumerate(inventories):
        document = {"probes": {"manifests": {"slice": {"inventory": inventory}}}}
        result = RepoGathered(
            task=task(i), head=f"h{i}", state_token=None, document=document, duration_ms=1
        )
        store.record(run, result)
    store.finish_run(run)
    store.close()

    assert _csv(str(path), TYPING_GROUP) == [["key"], [task(0).key]]


def test_failures_by_reason(store: str) -> None:
    assert _csv(store, FAILURES) == [["reason", "repositories"], ["timeout", "2"]]


def test_query_prints_an_aligned_table_and_json(store: str) -> None:
    sql = "SELECT key, status FROM repositories ORDER BY key LIMIT 2"
    table = _run("query", "--store", store, sql)
    assert table.stdout == (
        "key                    status\n"
        "---------------------  --------\n"
        "/portfolio/repo-00000  gathered\n"
        "/portfolio/repo-00001  gathered\n"
    )
    as_json = _run("query", "--store", store, sql, "--format", "json")
    assert json.loads(as_json.stdout)[1] == {"key": "/portfolio/repo-00001", "status": "gathered"}


def test_a_table_cell_escapes_control_characters(store: str) -> None:
    result = _run("query", "--store", store, "SELECT 'a' || char(10) || char(27) || 'b' AS v")
    assert result.stdout.splitlines()[2] == "a\\n\\x1bb"


def test_rows_past_max_rows_are_cut_with_a_warning(store: str) -> None:
    result = _run("query", "--store", store, "SELECT key FROM repositories", "--max-rows", "5")
    assert result.exit_code == 0
    assert len(result.stdout.splitlines()) == 2 + 5
    assert result.stderr == (
        "codegenie-cli: warning: more than 5 rows matched; printed the first 5 "
        "(raise --max-rows, or narrow the query)\n"
    )


@pytest.mark.parametrize(
    "sql",
    [
        "DELETE FROM repositories",
        "UPDATE runs SET finished_at = NULL",
        "CREATE TABLE x (y)",
        "DROP TABLE documents",
        "PRAGMA journal_mode = DELETE",
        "PRAGMA query_only = OFF",
        "INSERT INTO runs (identity, tasks, started_at) VALUES ('x', 1, 'now')",
        "WITH x AS (SELECT 1) DELETE FROM runs",
        "BEGIN",
        "UPDATE sqlite_master SET sql = 'x'",
    ],
)
def test_a_query_that_would_write_is_refused_in_one_line(store: str, sql: str) -> None:
    before = _csv(store, "SELECT count(*) FROM repositories")
    result = _run("query", "--store", store, sql)
    assert result.exit_code == 2
    assert result.stderr.startswith(f"codegenie-cli: error: the query on {store} failed: ")
    assert result.stderr.count("\n") == 1 and result.stdout == ""
    assert _csv(store, "SELECT count(*) FROM repositories") == before


def test_json_functions_read_the_documents(store: str) -> None:
    sql = (
        "SELECT count(*) FROM documents d,"
        " json_each(d.document, '$.probes.languages.slice.languages')"
        " WHERE json_extract(value, '$.language') = 'TypeScript'"
    )
    assert int(_csv(store, sql)[1][0]) > 0


def test_attach_is_refused_and_creates_no_file(store: str, tmp_path: Path) -> None:
    target = tmp_path / "elsewhere.sqlite"
    result = _run("query", "--store", store, f"ATTACH DATABASE '{target}' AS x")
    assert result.exit_code == 2
    assert "not authorized (portfolio query only reads: see ADR-0063)" in result.stderr
    assert not target.exists()


@pytest.mark.parametrize(
    ("sql", "says"),
    [
        ("SELEC 1", 'near "SELEC": syntax error'),
        ("SELECT 1; SELECT 2", "You can only execute one statement at a time."),
        ("SELECT nope FROM repositories", "no such column: nope"),
    ],
)
def test_a_bad_query_is_one_line_exit_2(store: str, sql: str, says: str) -> None:
    result = _run("query", "--store", store, sql)
    assert (result.exit_code, result.stderr) == (
        2,
        f"codegenie-cli: error: the query on {store} failed: {says}\n",
    )


def test_a_query_past_its_timeout_stops_in_one_line(store: str) -> None:
    endless = "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) SELECT max(i) FROM n"
    result = _run("query", "--store", store, endless, "--timeout", "0.3")
    assert (result.exit_code, result.stderr) == (
        2,
        f"codegenie-cli: error: the query on {store} ran longer than --timeout 0.3 s\n",
    )


def test_a_query_building_a_huge_value_fails_in_one_line(store: str) -> None:
    result = _run("query", "--store", store, "SELECT length(randomblob(200000000))")
    assert (result.exit_code, result.stderr) == (
        2,
        f"codegenie-cli: error: the query on {store} failed: string or blob too big\n",
    )


def test_ctrl_c_stops_a_running_query_with_exit_130(store: str) -> None:
    import signal
    import subprocess
    import time

    endless = "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) SELECT max(i) FROM n"
    argv = [sys.executable, "-m", "codegenie_cli", "portfolio", "query", "--store", store, endless]
    child = subprocess.Popen(
        argv, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    time.sleep(3.0)  # past start-up: the query is running
    child.send_signal(signal.SIGINT)
    _, err = child.communicate(timeout=30)
    assert (child.returncode, err) == (130, "codegenie-cli: interrupted; no output was written\n")


def test_status_of_a_store_with_no_run_says_so(tmp_path: Path) -> None:
    from codegenie_adapters.portfolio_store import open_store

    path = tmp_path / "empty.sqlite"
    open_store(str(path)).close()
    result = _run("status", "--store", str(path))
    assert result.stdout == "repositories: 0 (0 gathered, 0 failed)\nlast run: none\n"


def test_query_on_no_store_or_a_non_store_is_one_line(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.sqlite"
    result = _run("query", "--store", str(missing), "SELECT 1")
    assert (result.exit_code, result.stderr) == (
        2,
        f"codegenie-cli: error: no portfolio store at {missing}\n",
    )
    text = tmp_path / "text.sqlite"
    text.write_text("not a database, a long enough text to be read as a header\n" * 20)
    result = _run("status", "--store", str(text))
    assert result.exit_code == 2
    assert result.stderr.startswith(f"codegenie-cli: error: {text} is not a codegenie portfolio")
    assert result.stderr.count("\n") == 1


def test_status_summarises_repositories_failures_and_the_last_run(store: str) -> None:
    result = _run("status", "--store", store)
    lines = result.stdout.splitlines()
    assert lines[:2] == ["repositories: 120 (118 gathered, 2 failed)", "  failed (timeout): 2"]
    assert lines[2].startswith("last run: #1, started ")
    assert lines[2].endswith("; 120/120 recorded (118 gathered, 2 failed)")
    counts = [_gen_portfolio.document(i)["gather"] for i in _gathered()]
    ran, cached = sum(c["ran"] for c in counts), sum(c["cached"] for c in counts)
    skipped = sum(c["skipped"] for c in counts)
    assert lines[3] == (
        f"  probes: {118 * 8} ({ran} ran, {cached} cached, {skipped} skipped, 0 failed)"
    )


def test_export_jsonl_writes_one_repository_per_line_with_its_document(
    store: str, tmp_path: Path
) -> None:
    out = tmp_path / "repos.jsonl"
    result = _run("export", "--store", store, "--output", str(out))
    assert result.stderr == f"codegenie-cli: exported 120 repositories rows to {out}\n"
    lines = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert len(lines) == 120
    assert lines[0]["key"] == task(0).key and lines[0]["document"]["repo"]["name"] == "repo-00000"
    assert lines[7]["status"] == "failed" and lines[7]["document"] is None
    assert "repo_id" not in lines[0]
    stdout = _run("export", "--store", store, "--table", "base_images")
    first = json.loads(stdout.stdout.splitlines()[0])
    assert first["key"] == task(0).key and first["dockerfile"] == "Dockerfile"


def test_export_parquet_writes_a_file_pyarrow_reads(store: str, tmp_path: Path) -> None:
    import pyarrow.parquet as pq

    out = tmp_path / "deps.parquet"
    result = _run(
        "export", "--store", store, "--format", "parquet", "--table", "dependencies", "-o", str(out)
    )
    assert result.exit_code == 0, result.stderr
    table = pq.read_table(out)
    assert table.num_rows == 118 * 12
    assert table.column_names[:4] == ["key", "state", "ecosystem", "name"]


def test_export_parquet_without_pyarrow_says_so_in_one_line(
    store: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "pyarrow", None)
    out = tmp_path / "x.parquet"
    result = _run("export", "--store", store, "--format", "parquet", "-o", str(out))
    assert (result.exit_code, result.stderr) == (
        2,
        "codegenie-cli: error: --format parquet needs pyarrow: pip install 'codegenie[parquet]'\n",
    )
    assert not out.exists()


def test_export_refuses_an_unknown_table_and_parquet_to_stdout(store: str) -> None:
    bad = _run("export", "--store", store, "--table", "sqlite_master")
    assert bad.exit_code == 2 and "--table 'sqlite_master': not a table export knows" in bad.stderr
    no_file = _run("export", "--store", store, "--format", "parquet")
    assert no_file.stderr == (
        "codegenie-cli: error: --format parquet writes a file: give --output FILE\n"
    )


def test_the_portfolio_commands_read_codegenie_variables_like_every_command(
    store: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CODEGENIE_PORTFOLIO_QUERY_FORMAT", "json")
    result = _run("query", "--store", store, "SELECT 1 AS one")
    assert (result.exit_code, json.loads(result.stdout)) == (0, [{"one": 1}])
    monkeypatch.setenv("CODEGENIE_PORTFOLIO_GATHER_REPO_TIMEOUT", "soon")
    refused = _run("gather", "/nonexistent", "--store", store)
    assert refused.exit_code == 2 and "CODEGENIE_PORTFOLIO_GATHER_REPO_TIMEOUT" in refused.stderr
