"""The real indexers, reader and repository together: fresh, stale, corrupt and failed indexes."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from codegenie_adapters.fakes import FakeClock, ScriptedYaml
from codegenie_adapters.local_repo import open_repo
from codegenie_adapters.scip_indexer import ScipIndexerRunner
from codegenie_adapters.scip_reader import ScipReader
from codegenie_cli.main import cli
from codegenie_core.config import GatherConfig
from codegenie_core.coordinator import gather
from codegenie_core.outcomes import Ran
from codegenie_core.probe import Envelope, ProbeContext
from codegenie_core.probes.layer_b.index_health import IndexHealthProbe
from codegenie_core.probes.layer_b.model import (
    Corrupt,
    Fresh,
    IndexerError,
    IndexerFinished,
    IndexerMissing,
    IndexHealth,
    Stale,
)
from codegenie_core.probes.layer_b.scip_index import ScipIndexProbe
from codegenie_core.registry import RegisteredProbe
from tests._ci_support.requires_tool import requires_tool
from tests.git_repos import commit_all, git, init_repo, isolate_git_config, write

TS_MADE = "codegenie:scip-typescript"
GREET_TS = b"export function greet(name: string): string {\n  return `hello ${name}`;\n}\n"
MAIN_TS = b'import { greet } from "./greet";\nexport const greeting = greet("world");\n'
LEGACY_JS = b"function legacy(n) {\n  return n + 1;\n}\nmodule.exports = { legacy };\n"
CALC_PY = b"def add(a: int, b: int) -> int:\n    return a + b\n\n\nclass Calc:\n    pass\n"


@pytest.fixture(autouse=True)
def _isolated_git(monkeypatch: pytest.MonkeyPatch) -> None:
    isolate_git_config(monkeypatch)


def _ts_repo(root: Path, *, tsconfig: bool) -> Path:
    init_repo(root)
    write(root, "src/greet.ts", GREET_TS)
    write(root, "src/main.ts", MAIN_TS)
    write(root, "src/legacy.js", LEGACY_JS)
    if tsconfig:
        write(root, "tsconfig.json", b'{"compilerOptions": {"strict": true}, "include": ["src"]}\n')
    commit_all(root, "first")
    return root


def _py_repo(root: Path) -> Path:
    init_repo(root)
    write(root, "pkg/__init__.py", b"")
    write(root, "pkg/calc.py", CALC_PY)
    commit_all(root, "first")
    return root


def _made_dir(root: Path) -> str:
    """Where these tests keep the indexes made of `root`: beside it, outside its work tree."""
    return str(root.parent / f"{root.name}-made")


def _made_file(root: Path, indexer: str, name: str = "index.scip") -> Path:
    return Path(_made_dir(root), indexer, name)


def _reader(root: Path) -> ScipReader:
    return ScipReader(str(root), made_dir=_made_dir(root))


def _runner(root: Path) -> ScipIndexerRunner:
    return ScipIndexerRunner(str(root), made_dir=_made_dir(root))


def _index(root: Path, indexer: str, *, timeout_s: float = 300.0) -> IndexerFinished:
    head = git(root, "rev-parse", "HEAD").strip()
    result = _runner(root).run(indexer, commit=head, timeout_s=timeout_s)
    assert isinstance(result, IndexerFinished)
    return result


def _healths(root: Path) -> tuple[IndexHealth, ...]:
    ctx = ProbeContext(
        repo=open_repo(str(root)),
        config=GatherConfig(),
        clock=FakeClock(),
        yaml=ScriptedYaml(),
        index_reader=_reader(root),
    )
    envelope = IndexHealthProbe().run(ctx)
    assert isinstance(envelope, Envelope)
    return envelope.slice.indexes


def _porcelain(root: Path) -> list[str]:
    return git(root, "status", "--porcelain", "--untracked-files=all").splitlines()


@requires_tool("scip-typescript", "git")
def test_typescript_without_tsconfig_is_fresh_after_indexing_and_the_repo_untouched(
    tmp_path: Path,
) -> None:
    root = _ts_repo(tmp_path / "repo", tsconfig=False)
    made = _index(root, "scip-typescript")
    (health,) = _healths(root)
    assert (made.sidecar.exit_status, made.sidecar.document_count) == (0, 3)
    assert isinstance(health, Fresh)
    assert (health.index_path, health.basis, health.coverage.missing_count) == (
        TS_MADE,
        "sidecar",
        0,
    )
    assert _porcelain(root) == []


@requires_tool("scip-typescript", "git")
def test_a_new_commit_makes_it_stale_naming_the_changed_file(tmp_path: Path) -> None:
    root = _ts_repo(tmp_path / "repo", tsconfig=True)
    made = _index(root, "scip-typescript")
    write(root, "src/main.ts", MAIN_TS + b"export const again = greet('again');\n")
    write(root, "README.md", b"# notes\n")
    commit_all(root, "second")
    (health,) = _healths(root)
    assert isinstance(health, Stale)
    actual = (health.last_indexed, health.commits_behind, health.changed_files, health.basis)
    assert actual == (made.sidecar.last_indexed, 1, ("src/main.ts",), "sidecar")


@requires_tool("scip-typescript", "git")
def test_an_uncommitted_edit_makes_it_stale_with_no_commits_behind(tmp_path: Path) -> None:
    root = _ts_repo(tmp_path / "repo", tsconfig=True)
    _index(root, "scip-typescript")
    write(root, "src/greet.ts", b"// edited\n" + GREET_TS)
    (health,) = _healths(root)
    assert isinstance(health, Stale)
    assert (health.commits_behind, health.changed_files) == (0, ("src/greet.ts",))


@requires_tool("scip-typescript", "git")
def test_indexing_a_dirty_work_tree_is_fresh_until_the_next_edit(tmp_path: Path) -> None:
    root = _ts_repo(tmp_path / "repo", tsconfig=True)
    write(root, "src/main.ts", MAIN_TS + b"export const wip = 1;\n")
    ctx = ProbeContext(
        repo=open_repo(str(root)),
        config=GatherConfig(make_index=True),
        clock=FakeClock(),
        yaml=ScriptedYaml(),
        index_reader=_reader(root),
        indexer=_runner(root),
    )
    assert isinstance(ScipIndexProbe().run(ctx), Envelope)
    (as_indexed,) = _healths(root)
    write(root, "src/main.ts", MAIN_TS + b"export const wip = 2;\n")
    (edited_again,) = _healths(root)
    assert isinstance(as_indexed, Fresh)
    assert isinstance(edited_again, Stale)
    assert edited_again.changed_files == ("src/main.ts",)


@requires_tool("scip-typescript", "git")
def test_a_truncated_or_overwritten_index_is_corrupt(tmp_path: Path) -> None:
    root = _ts_repo(tmp_path / "repo", tsconfig=True)
    _index(root, "scip-typescript")
    index = _made_file(root, "scip-typescript")
    data = index.read_bytes()
    index.write_bytes(data[: len(data) - 40])
    (truncated,) = _healths(root)
    index.write_bytes(random.Random(7).randbytes(4096))
    (scrambled,) = _healths(root)
    assert isinstance(truncated, Corrupt)
    assert isinstance(scrambled, Corrupt)
    assert truncated.error.kind == "truncated"
    assert scrambled.error.kind in {"truncated", "malformed", "wrong-wire-type"}


@requires_tool("scip-typescript", "git")
def test_an_index_with_fewer_documents_than_its_sidecar_is_an_indexer_error(
    tmp_path: Path,
) -> None:
    root = _ts_repo(tmp_path / "repo", tsconfig=True)
    _index(root, "scip-typescript")
    sidecar = _made_file(root, "scip-typescript", "index.json")
    sidecar.write_text(sidecar.read_text().replace('"document_count": 2', '"document_count": 9'))
    (health,) = _healths(root)
    assert isinstance(health, IndexerError)
    assert "holds 2 documents but the indexer reported 9" in health.reason


@requires_tool("scip-typescript", "git")
def test_an_indexer_killed_at_its_timeout_leaves_an_indexer_error(tmp_path: Path) -> None:
    root = _ts_repo(tmp_path / "repo", tsconfig=True)
    made = _index(root, "scip-typescript", timeout_s=0.05)
    (health,) = _healths(root)
    assert (made.sidecar.timed_out, made.sidecar.exit_status) == (True, None)
    assert isinstance(health, IndexerError)
    assert not _made_file(root, "scip-typescript").exists()
    assert list(_made_file(root, "scip-typescript").parent.glob("*.tmp")) == []


@requires_tool("scip-typescript", "git")
def test_a_users_own_index_without_sidecar_is_judged_from_itself(tmp_path: Path) -> None:
    root = _ts_repo(tmp_path / "repo", tsconfig=True)
    _index(root, "scip-typescript")
    (root / "index.scip").write_bytes(_made_file(root, "scip-typescript").read_bytes())
    for leftover in _made_file(root, "scip-typescript").parent.iterdir():
        leftover.unlink()
    (fresh,) = _healths(root)
    write(root, "src/greet.ts", b"// a line that moves every definition down\n" + GREET_TS)
    (stale,) = _healths(root)
    assert isinstance(fresh, Fresh)
    assert (fresh.basis, fresh.samples_checked > 0) == ("index-only", True)
    assert isinstance(stale, Stale)
    assert (stale.basis, stale.changed_files) == ("index-only", ("src/greet.ts",))


@requires_tool("scip-python", "git")
def test_python_is_fresh_after_indexing_then_stale_after_an_edit(tmp_path: Path) -> None:
    root = _py_repo(tmp_path / "repo")
    made = _index(root, "scip-python")
    (fresh,) = _healths(root)
    write(root, "pkg/calc.py", CALC_PY + b"\n\ndef sub(a: int, b: int) -> int:\n    return a - b\n")
    (stale,) = _healths(root)
    assert (made.sidecar.exit_status, made.sidecar.document_count) == (0, 2)
    assert isinstance(fresh, Fresh)
    assert isinstance(stale, Stale)
    assert stale.changed_files == ("pkg/calc.py",)
    assert _porcelain(root) == [" M pkg/calc.py"]


@requires_tool("git")
def test_a_missing_indexer_names_its_npm_package(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _py_repo(tmp_path / "repo")
    monkeypatch.setenv("PATH", str(tmp_path / "empty-bin"))
    result = _runner(root).run("scip-python", commit=None, timeout_s=60.0)
    assert result == IndexerMissing(
        indexer="scip-python", hint="npm install -g @sourcegraph/scip-python"
    )


@requires_tool("scip-typescript", "git")
def test_a_gather_with_make_index_indexes_then_judges_fresh(tmp_path: Path) -> None:
    root = _ts_repo(tmp_path / "repo", tsconfig=False)
    ctx = ProbeContext(
        repo=open_repo(str(root)),
        config=GatherConfig(make_index=True),
        clock=FakeClock(),
        yaml=ScriptedYaml(),
        index_reader=_reader(root),
        indexer=_runner(root),
    )
    plan = [
        RegisteredProbe(probe=ScipIndexProbe(), spec=ScipIndexProbe.spec, source="test"),
        RegisteredProbe(probe=IndexHealthProbe(), spec=IndexHealthProbe.spec, source="test"),
    ]
    result = gather(
        plan, base_ctx=ctx, cache=None, cache_mode="off", cpu_budget=2, clock=FakeClock()
    )
    made, judged = result.outcomes
    assert isinstance(made, Ran)
    assert isinstance(judged, Ran)
    assert [(r.indexer, r.action, r.exit_status) for r in made.envelope.slice.runs] == [
        ("scip-typescript", "ran", 0)
    ]
    assert isinstance(judged.envelope.slice.indexes[0], Fresh)


@requires_tool("scip-typescript", "git")
def test_a_failing_scip_typescript_run_is_an_indexer_error_with_its_stderr(tmp_path: Path) -> None:
    root = init_repo(tmp_path / "repo")
    write(root, "tsconfig.json", b'{"include": ["nothing-matches"]}\n')
    write(root, "README.md", b"# nothing to index\n")
    commit_all(root, "first")
    made = _index(root, "scip-typescript")
    (health,) = _healths(root)
    assert made.sidecar.exit_status == 1
    assert isinstance(health, IndexerError)
    assert (health.exit_status, "no files got indexed" in health.stderr_tail) == (1, True)
    assert "To fix this problem" in health.hint  # the indexer's own advice


@requires_tool("scip-python", "git")
def test_scip_python_with_nothing_to_index_leaves_metadata_without_documents(
    tmp_path: Path,
) -> None:
    root = init_repo(tmp_path / "repo")
    write(root, "README.md", b"# no python here\n")
    commit_all(root, "first")
    made = _index(root, "scip-python")
    (health,) = _healths(root)
    assert (made.sidecar.exit_status, made.sidecar.document_count) == (0, 0)
    assert isinstance(health, IndexerError)
    assert "metadata and no documents" in health.reason


@requires_tool("scip-typescript", "git")
def test_one_cli_gather_with_index_reports_fresh_and_leaves_the_work_tree_clean(
    tmp_path: Path,
) -> None:
    root = _ts_repo(tmp_path / "repo", tsconfig=False)
    cache = tmp_path / "cache"

    def gathered(*extra: str) -> dict[str, Any]:
        argv = ["gather", str(root), "--layer", "a,b", "--cache-dir", str(cache), "--format"]
        result = CliRunner().invoke(cli, [*argv, "json", *extra], catch_exceptions=False)
        assert result.exit_code == 0, result.stderr
        probes: dict[str, Any] = json.loads(result.stdout)["probes"]
        return probes

    before = gathered()  # a plain gather first: its Missing is cached
    indexed = gathered("--index")
    plain = gathered()
    assert before["index_health"]["slice"]["indexes"][0]["kind"] == "Missing"
    assert indexed["scip_index"]["outcome"] == "ran"
    for probes in (indexed, plain):
        (health,) = probes["index_health"]["slice"]["indexes"]
        assert (health["kind"], health["index_path"]) == ("Fresh", TS_MADE)
        assert probes["git"]["slice"]["dirty"] is False
    assert _porcelain(root) == []
