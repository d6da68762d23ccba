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
    IndexSummary,
)
from codegenie_core.probes.layer_b.sidecar import parse_sidecar, sidecar_path_for
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
    read_file: Callable[[str], bytes | None]
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
    return Setup(runner=runner, reader=reader, read_file=repo.files.get, commit="c" * 40)


def _real(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Setup:
    isolate_git_config(monkeypatch)
    root = init_repo(tmp_path / "repo")
    for path, data in FILES.items():
        write(root, path, data)
    commit = commit_all(root, "first")

    def read_file(path: str) -> bytes | None:
        return (root / path).read_bytes() if (root / path).is_file() else None

    return Setup(
        runner=ScipIndexerRunner(str(root)),
        reader=ScipReader(str(root)),
        read_file=read_file,
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
    result = setup.runner.run("scip-typescript", commit=setup.commit, timeout_s=300.0)
    assert isinstance(result, IndexerFinished)
    index = setup.reader.read(result.index_path)
    sidecar_text = setup.read_file(sidecar_path_for(result.index_path))
    assert sidecar_text is not None
    written = parse_sidecar("index.json", sidecar_text.decode())
    assert isinstance(index, IndexSummary)
    assert (result.indexer, result.index_path) == (
        "scip-typescript",
        ".codegenie/index/scip-typescript/index.scip",
    )
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
