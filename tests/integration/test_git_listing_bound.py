"""A git listing is read whole or refused: never silently cut short (a partial listing gives keys
that miss inputs)."""

from __future__ import annotations

from pathlib import Path

import pytest

from codegenie_adapters import git_index
from codegenie_adapters.local_repo import LocalRepo
from codegenie_core.errors import RepoError
from tests._ci_support.requires_tool import requires_tool
from tests.git_repos import commit_all, init_repo

FILES = 9000
LONG = "d" * 100  # ~150 bytes per `ls-files --stage -z` record: well past 1 MiB in all


def big_repo(root: Path) -> Path:
    (root / LONG).mkdir(parents=True)
    for index in range(FILES):
        (root / LONG / f"file-{index:05d}.txt").write_bytes(b"")
    init_repo(root)
    commit_all(root, "big")
    return root


@requires_tool("git")
def test_a_listing_larger_than_a_mebibyte_comes_back_whole(tmp_path: Path) -> None:
    repo = LocalRepo(str(big_repo(tmp_path / "big")))
    assert len(repo.list_files()) == FILES


@requires_tool("git")
def test_a_listing_past_the_bound_is_refused_not_cut(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = big_repo(tmp_path / "big")
    monkeypatch.setattr(git_index, "GIT_MAX_OUTPUT_BYTES", 64 * 1024)
    with pytest.raises(RepoError, match="exceeded the bound"):
        LocalRepo(str(root)).list_files()
