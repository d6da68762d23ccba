"""`FakeIndexerRunner` and `ScipIndexerRunner` agree on the `IndexerRunner` port."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import attrs
import pytest

from codegenie_adapters.fakes import FakeIndexerRunner, FakeIndexReader, FakeRepo
from codegenie_adapters.scip_indexer import ScipIndexerRunner
from codegenie_adapters.scip_reader import ScipReader
from codegenie_core.ports import IndexerRunner, IndexReader
from codegenie_core.probes.layer_b.model import (
    IndexerFinished,
    IndexerMissing,
    IndexSidecar,
    IndexSummary,
)
from codegenie_core.probes.layer_b.sidecar import parse_sidecar
from tests._ci_support.requires_tool import requires_tool
from tests.git_repos import commit_all, init_repo, isolate_git_config, write
from tests.layer_b_support import summary

FILES = {
    "src/greet.ts": b"export function greet(name: string): string {\n  return name;\n}\n",
    "src/main.ts": b'import { greet } from "./greet";\nexport const hi = greet("w");\n',
}


@attrs.frozen(kw_only=True)
class Setup:
    """A runner over a two-file TypeScript repository, with how to read what it leaves."""

    runner: IndexerRunner
    reader: IndexReader
    work_tree: Callable[[], dict[str, bytes]]  # every file of the work tree, but .git
    commit: str


def _fake(_: Path, __: pytest.MonkeyPatch) -> Setup:
    repo = FakeRepo(files=dict(FILES))
    reader = FakeIndexReader()
    runner = FakeIndexerRunner(
        reader=reader,
        repo=repo,
        available={"scip-typescript"},
        produces={"scip-typescript": summary(tuple(FILES))},
    )
    return Setup(runner=runner, reader=reader, work_tree=lambda: dict(repo.files), commit="c" * 40)


def _real(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Setup:
    isolate_git_config(monkeypatch)
    root = init_repo(tmp_path / "repo")
    for path, data in FILES.items():
        write(root, path, data)
    commit = commit_all(root, "first")

    def work_tree() -> dict[str, bytes]:
        files = (p for p in root.rglob("*") if p.is_file() and ".git" not in p.parts)
        return {p.relative_to(root).as_posix(): p.read_bytes() for p in files}

    made_dir = str(tmp_path / "cache" / "index" / "repo")
    return Setup(
        runner=ScipIndexerRunner(str(root), made_dir=made_dir),
        reader=ScipReader(str(root), made_dir=made_dir),
        work_tree=work_tree,
        commit=commit,
    )


RUNNERS = pytest.mark.parametrize(
    "make",
    [
        pytest.param(_fake, id="fake"),
        pytest.param(_real, id="real", marks=requires_tool("scip-typescript", "git")),
    ],
)


@RUNNERS
def test_a_run_publishes_the_index_and_a_sidecar_that_says_what_ran(
    make: Callable[[Path, pytest.MonkeyPatch], Setup],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    setup = make(tmp_path, monkeypatch)
    before = setup.work_tree()
    result = setup.runner.run("scip-typescript", commit=setup.commit, timeout_s=300.0)
    assert isinstance(result, IndexerFinished)
    index = setup.reader.read_made("scip-typescript")
    sidecar_text = setup.reader.made_sidecar("scip-typescript")
    assert sidecar_text is not None
    written = parse_sidecar("index.json", sidecar_text.decode())
    assert isinstance(written, IndexSidecar)
    assert isinstance(index, IndexSummary)
    assert (result.indexer, result.index_path, index.path) == (
        "scip-typescript",
        "codegenie:scip-typescript",
        "codegenie:scip-typescript",
    )
    assert setup.work_tree() == before  # nothing written inside the repository (ADR-0028)
    assert setup.reader.made_state() != ""
    assert (index.document_paths, written) == (tuple(FILES), result.sidecar)
    facts = (written.last_indexed, written.exit_status, written.document_count, written.timed_out)
    assert facts == (setup.commit, 0, 2, False)


@RUNNERS
def test_an_indexer_that_is_not_installed_is_missing_with_its_npm_package(
    make: Callable[[Path, pytest.MonkeyPatch], Setup],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    setup = make(tmp_path, monkeypatch)
    monkeypatch.setenv("PATH", str(tmp_path / "no-such-bin"))
    result = setup.runner.run("scip-python", commit=setup.commit, timeout_s=60.0)
    assert result == IndexerMissing(
        indexer="scip-python", hint="npm install -g @sourcegraph/scip-python"
    )
