"""`FakeRepo` (the fake) and `LocalRepo` (the real adapter, walked and as a git work tree) agree on
the `RepoFiles` port, over one repository described once as literals."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from codegenie_adapters.fakes import FakeRepo
from codegenie_adapters.local_repo import LocalRepo
from codegenie_core.digest import blob_digest, problem_digest
from codegenie_core.ports import FileProblem, GitState, Remote, RepoFiles
from tests._ci_support.requires_tool import requires_tool
from tests.git_repos import commit_all, git, init_repo, isolate_git_config, write

NON_UTF8 = os.fsdecode(b"docs/caf\xe9.txt")  # a Latin-1 name: not UTF-8, kept as escapes
APP = b"print('hi')\n"

# The work tree every world shows, readable files as bytes.
FILES: dict[str, bytes] = {
    "README.md": b"# demo, edited\n",  # committed, then changed and not staged
    "src/app.py": APP,
    "src/util/strings.py": b"def up(s):\n    return s.upper()\n",
    NON_UTF8: b"latin-1 name\n",
    "link-to-app": APP,  # a symlink to src/app.py: readable, it stays inside
    "notes/todo.txt": b"write tests\n",  # never committed
}
UNREADABLE = {
    "dangling": "dangling symlink",
    "escape": "symlink leads outside the repository",
}
REMOTE = Remote(name="origin", url="https://user:secret@example.invalid/demo.git")
# What changed since the first commit (c1) and since HEAD (c2), work tree included.
SINCE_FIRST = ["README.md", "dangling", NON_UTF8, "escape", "link-to-app", "notes/todo.txt",
               "src/gone.py", "src/util/strings.py"]  # fmt: skip
SINCE_HEAD = ["README.md", "notes/todo.txt"]


def fake(history: list[str] | None) -> FakeRepo:
    """The reference: the literals above, with git facts when `history` (c1, c2) is given."""
    if history is None:
        return FakeRepo(name="repo", files=dict(FILES), unreadable=dict(UNREADABLE))
    first, head = history
    return FakeRepo(
        name="repo",
        files=dict(FILES),
        unreadable=dict(UNREADABLE),
        git=GitState(head=head, branch="main", dirty=True, remotes=(REMOTE,)),
        history=list(history),
        changes={first: list(SINCE_FIRST), head: list(SINCE_HEAD)},
    )


def write_first_commit_files(root: Path) -> None:
    write(root, "README.md", b"# demo\n")
    write(root, "src/app.py", APP)
    write(root, "src/gone.py", b"removed later\n")


def write_second_commit_files(root: Path) -> None:
    (root / "src" / "gone.py").unlink()
    write(root, "src/util/strings.py", FILES["src/util/strings.py"])
    write(root, os.fsencode(NON_UTF8), FILES[NON_UTF8])
    (root / "link-to-app").symlink_to("src/app.py")
    (root / "dangling").symlink_to("missing-target")
    (root / "escape").symlink_to("../outside.txt")


def edit_work_tree(root: Path) -> None:
    write(root, "README.md", FILES["README.md"])
    write(root, "notes/todo.txt", FILES["notes/todo.txt"])


def world_fake(_: Path) -> tuple[RepoFiles, FakeRepo]:
    reference = fake(["1" * 40, "2" * 40])
    return reference, reference


def world_walked(tmp_path: Path) -> tuple[RepoFiles, FakeRepo]:
    root = tmp_path / "repo"
    write(tmp_path, "outside.txt", b"not the repository's\n")
    write_first_commit_files(root)
    write_second_commit_files(root)
    edit_work_tree(root)
    return LocalRepo(str(root)), fake(None)


def world_git(tmp_path: Path) -> tuple[RepoFiles, FakeRepo]:
    root = init_repo(tmp_path / "repo")
    write(tmp_path, "outside.txt", b"not the repository's\n")
    git(root, "remote", "add", REMOTE.name, REMOTE.url)
    write_first_commit_files(root)
    first = commit_all(root, "first")
    write_second_commit_files(root)
    head = commit_all(root, "second")
    edit_work_tree(root)
    return LocalRepo(str(root)), fake([first, head])


WORLDS: dict[str, Callable[[Path], tuple[RepoFiles, FakeRepo]]] = {
    "fake": world_fake,
    "walked": world_walked,
    "git": world_git,
}


@pytest.fixture(
    params=[
        pytest.param("fake"),
        pytest.param("walked"),
        pytest.param("git", marks=requires_tool("git")),
    ]
)
def world(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> tuple[RepoFiles, FakeRepo]:
    isolate_git_config(monkeypatch)
    return WORLDS[request.param](tmp_path)


def test_the_listing_is_every_file_sorted_relative_and_posix(
    world: tuple[RepoFiles, FakeRepo],
) -> None:
    repo, _ = world
    assert list(repo.list_files()) == sorted([*FILES, *UNREADABLE])


def test_a_listing_that_left_nothing_out_has_no_listing_problems(
    world: tuple[RepoFiles, FakeRepo],
) -> None:
    repo, reference = world
    assert list(repo.listing_problems()) == list(reference.listing_problems()) == []


def test_the_name_is_the_directory_name(world: tuple[RepoFiles, FakeRepo]) -> None:
    repo, reference = world
    assert repo.name == reference.name


def test_read_bytes_gives_the_bytes_or_the_same_problem(world: tuple[RepoFiles, FakeRepo]) -> None:
    repo, _ = world
    expected: dict[str, bytes | FileProblem] = {
        **FILES,
        **{p: FileProblem(path=p, reason=r) for p, r in UNREADABLE.items()},
        "nope.txt": FileProblem(path="nope.txt", reason="no such file"),
    }
    assert {path: repo.read_bytes(path) for path in expected} == expected


def test_digests_are_blob_ids_and_problems_get_problem_digests(
    world: tuple[RepoFiles, FakeRepo],
) -> None:
    repo, _ = world
    asked = [*repo.list_files(), "nope.txt"]
    expected = {
        **{p: blob_digest(data) for p, data in FILES.items()},
        **{p: problem_digest(reason) for p, reason in UNREADABLE.items()},
        "nope.txt": problem_digest("no such file"),
    }
    assert dict(repo.digests(asked)) == expected


def test_file_sizes_are_the_byte_counts_of_readable_files(
    world: tuple[RepoFiles, FakeRepo],
) -> None:
    repo, _ = world
    asked = [*repo.list_files(), "nope.txt"]
    assert dict(repo.file_sizes(asked)) == {p: len(data) for p, data in FILES.items()}


def test_git_state_agrees(world: tuple[RepoFiles, FakeRepo]) -> None:
    repo, reference = world
    assert repo.git_state() == reference.git_state()


def test_commits_between_agrees(world: tuple[RepoFiles, FakeRepo]) -> None:
    repo, reference = world
    first, head = reference.history or ["1" * 40, "2" * 40]
    unknown = "3" * 40
    pairs = [(first, head), (head, first), (head, head), (first, unknown), (unknown, head)]
    assert [repo.commits_between(a, b) for a, b in pairs] == [
        reference.commits_between(a, b) for a, b in pairs
    ]


def test_changed_since_agrees(world: tuple[RepoFiles, FakeRepo]) -> None:
    repo, reference = world
    first, head = reference.history or ["1" * 40, "2" * 40]
    asked = [first, head, "3" * 40]
    actual = [None if (c := repo.changed_since(a)) is None else list(c) for a in asked]
    expected = [None if (c := reference.changed_since(a)) is None else list(c) for a in asked]
    assert actual == expected
