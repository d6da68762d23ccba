"""The git work tree's detection: HEAD and branch asked with the top in one `git rev-parse`, equal
to what `git rev-parse --verify` and `git symbolic-ref --short` answer one by one (ADR-0078)."""

from __future__ import annotations

import itertools
import os
from collections.abc import Callable, Mapping
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from codegenie_adapters import git_work_tree, head_start
from codegenie_adapters.exec import ExecResult
from codegenie_adapters.git_index import (
    GITLINK_MODE,
    IndexEntry,
    IndexTable,
    StatusEntry,
)
from codegenie_adapters.git_work_tree import GitWorkTree
from codegenie_adapters.head_start import git_environment
from codegenie_core.errors import GitError
from codegenie_core.ports import GitState
from tests._ci_support.requires_tool import requires_tool
from tests.git_repos import commit_all, git, init_repo, isolate_git_config, write

pytestmark = requires_tool("git")


@pytest.fixture(autouse=True)
def _no_user_git_config(monkeypatch: pytest.MonkeyPatch) -> None:
    isolate_git_config(monkeypatch)


def _asked(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, ...]]:
    asked: list[tuple[str, ...]] = []
    real = git_work_tree.run_git

    def recording(
        root: str, args: tuple[str, ...], *, env: Mapping[str, str], timeout_s: float
    ) -> ExecResult:
        asked.append(args)
        return real(root, args, env=env, timeout_s=timeout_s)

    monkeypatch.setattr(git_work_tree, "run_git", recording)
    return asked


def _detect(root: Path) -> GitWorkTree | None:
    found = GitWorkTree.detect(
        os.path.realpath(root), env=git_environment(os.environ), timeout_s=60.0
    )
    assert not isinstance(found, Exception)
    return found


def _one_by_one(root: Path) -> GitState:
    """The state as the questions asked one process each give it (the answers before ADR-0078)."""
    tree = GitWorkTree(
        os.path.realpath(root),
        object_format=git(root, "rev-parse", "--show-object-format").strip(),
        env=git_environment(os.environ),
        timeout_s=60.0,
    )
    return tree.state()


def _committed(root: Path) -> None:
    write(root, "a.py", b"a\n")
    commit_all(root, "first")


def _on_branch(root: Path) -> None:
    _committed(root)


def _detached(root: Path) -> None:
    _committed(root)
    git(root, "checkout", "-q", "--detach")


def _unborn(root: Path) -> None:
    write(root, "a.py", b"a\n")


def _branch_and_tag_alike(root: Path) -> None:
    _committed(root)
    git(root, "tag", "main")  # `symbolic-ref --short` says heads/main


def _branch_named_like_a_remote_ref(root: Path) -> None:
    _committed(root)
    git(root, "update-ref", "refs/remotes/origin/topic", "HEAD")
    git(root, "checkout", "-q", "-b", "origin/topic")


def _file_named_head(root: Path) -> None:
    _committed(root)
    write(root, "HEAD", b"a file, not the revision\n")


def _sha256(root: Path) -> None:
    git(root, "init", "-q", "--object-format=sha256")  # re-initialising an empty repository
    _committed(root)


SHAPES: dict[str, Callable[[Path], None]] = {
    "on a branch": _on_branch,
    "detached": _detached,
    "unborn": _unborn,
    "branch and tag alike": _branch_and_tag_alike,
    "branch named like a remote ref": _branch_named_like_a_remote_ref,
    "a file named HEAD": _file_named_head,
    "sha256": _sha256,
}


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_the_state_detect_answers_is_the_state_asked_one_by_one(tmp_path: Path, shape: str) -> None:
    root = tmp_path / "repo"
    if shape == "sha256":
        root.mkdir()
    else:
        init_repo(root)
    SHAPES[shape](root)
    tree = _detect(root)
    assert tree is not None
    assert tree.state() == _one_by_one(root)
    head = git(root, "rev-parse", "--verify", "-q", "HEAD").strip() if shape != "unborn" else None
    assert tree.state().head == head


def test_a_committed_work_tree_costs_one_rev_parse_for_top_head_and_branch(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = init_repo(tmp_path / "repo")
    _committed(root)
    asked = _asked(monkeypatch)
    tree = _detect(root)
    assert tree is not None
    tree.index_table()
    state = tree.state()
    assert (state.branch, state.dirty) == ("main", False)
    assert sorted(args[0] for args in asked) == ["config", "ls-files", "rev-parse", "status"]


def test_an_unborn_branch_is_asked_one_by_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = init_repo(tmp_path / "repo")
    asked = _asked(monkeypatch)
    tree = _detect(root)
    assert tree is not None
    assert tree.state() == GitState(head=None, branch="main", dirty=False, remotes=())
    assert ("symbolic-ref", "-q", "--short", "HEAD") in asked


def test_a_directory_inside_a_repository_and_a_plain_one_are_not_work_trees(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = init_repo(tmp_path / "repo")
    _committed(root)
    (root / "sub").mkdir()
    (tmp_path / "plain").mkdir()
    asked = _asked(monkeypatch)
    assert _detect(root / "sub") is None
    assert _detect(tmp_path / "plain") is None
    assert len(asked) == 2  # one process each: "not a git repository" needs no second question


def _listing_by_set_and_sort(table: IndexTable, changes: list[StatusEntry]) -> list[str]:
    """The listing as `GitWorkTree.listing` computes it in general (without the work tree)."""
    files = set(table.paths) - {p for p, e in table.others.items() if e.mode == GITLINK_MODE}
    for entry in changes:
        if entry.untracked and not entry.path.endswith("/"):
            files.add(entry.path)
        elif entry.unmerged:
            return sorted(files)  # decided on the work tree; the fast path never takes these
        elif entry.xy[1] == "D":
            files.discard(entry.path)
    return sorted(files)


@given(
    st.lists(st.sampled_from(["a", "b/c", "b/d", "é", "z/y", "A", ".x"]), max_size=6),
    st.booleans(),
    st.lists(
        st.tuples(st.sampled_from([" D", "D ", " M", "M ", "??", "UU", "R "]),
                  st.sampled_from(["a", "b/c", "new", "dir/", "é"])),
        max_size=4,
    ),
    st.booleans(),
)  # fmt: skip
def test_the_clean_listing_is_the_set_and_sort_whenever_it_answers(
    paths: list[str], in_order: bool, changes: list[tuple[str, str]], gitlink: bool
) -> None:
    listed = sorted(set(paths)) if in_order else paths
    others = {"sub": IndexEntry(GITLINK_MODE, "0" * 40, 0)} if gitlink else {}
    table = IndexTable(paths=[*listed, *others], content=dict.fromkeys(listed, "0" * 40),
                       others=others)  # fmt: skip
    entries = [StatusEntry(xy=xy, path=path) for xy, path in changes]
    tracked = [p for p in table.paths if p not in others]
    fast = git_work_tree._clean_listing(table, entries, tracked)  # pyright: ignore[reportPrivateUsage] - the fast path is under test
    if fast is not None:
        assert fast == _listing_by_set_and_sort(table, entries)
    ascending = all(a < b for a, b in itertools.pairwise(listed))
    clean = ascending and not gitlink and not any(xy in ("??", "UU") for xy, _ in changes)
    assert (fast is not None) == clean


def test_a_clean_work_tree_is_listed_in_the_index_order_minus_its_deletions(
    tmp_path: Path,
) -> None:
    root = tmp_path / "repo"
    init_repo(root)
    for name in ("b.txt", "a/z.txt", "a/b.txt", "c"):
        write(root, name, b"x")
    commit_all(root, "files")
    (root / "a" / "b.txt").unlink()
    tree = GitWorkTree(
        os.path.realpath(root),
        object_format="sha1",
        env=git_environment(os.environ),
        timeout_s=60.0,
    )
    assert tree.listing() == ["a/z.txt", "b.txt", "c"]
    write(root, "new.txt", b"n")  # untracked: the general path
    tree = GitWorkTree(
        os.path.realpath(root),
        object_format="sha1",
        env=git_environment(os.environ),
        timeout_s=60.0,
    )
    assert tree.listing() == ["a/z.txt", "b.txt", "c", "new.txt"]


def test_a_configuration_git_cannot_read_refuses_the_work_tree_before_any_content_is_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without `CONFIG`'s answer, which filter drivers to blank is not known (ADR-0097): the work
    tree is a `GitError`, and no status, ls-files or diff is asked."""
    root = init_repo(tmp_path / "repo")
    write(root, "a.py", b"a\n")
    commit_all(root, "one")
    asked = _asked(monkeypatch)
    recording = git_work_tree.run_git

    def config_fails(
        root: str, args: tuple[str, ...], *, env: Mapping[str, str], timeout_s: float
    ) -> ExecResult:
        if args == head_start.CONFIG:
            asked.append(args)
            failed = b"fatal: bad config line 3 in file .git/config\n"
            return ExecResult(argv=args, exit_code=128, stdout=b"", stderr=failed, duration_s=0)
        return recording(root, args, env=env, timeout_s=timeout_s)

    monkeypatch.setattr(git_work_tree, "run_git", config_fails)
    found = GitWorkTree.detect(
        os.path.realpath(root), env=git_environment(os.environ), timeout_s=60.0
    )
    assert isinstance(found, GitError) and not isinstance(found, GitWorkTree)
    assert "bad config line 3" in str(found)
    assert [args[0] for args in asked] == ["rev-parse", "config"]
