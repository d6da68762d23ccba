"""`FakeRepo` (the fake) and `LocalRepo` (the real adapter, walked and as a git work tree) agree on
the `RepoFiles` port, over one repository described once as literals."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import attrs
import pytest

from codegenie_adapters.fakes import FakeRepo
from codegenie_adapters.local_repo import LocalRepo
from codegenie_core.digest import STAT_DIGEST_PREFIX, blob_digest, link_digest, problem_digest
from codegenie_core.line_counts import count_lines
from codegenie_core.ports import (
    MAX_READ_BYTES,
    FileProblem,
    FileStat,
    GitState,
    Remote,
    RepoFiles,
)
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
    "link-to-src": "not a regular file",  # a symlink to the directory src
}
# The symlinks among them, with their link text (what `lstat` sizes).
LINKS = {
    "link-to-app": "src/app.py",
    "dangling": "missing-target",
    "escape": "../outside.txt",
    "link-to-src": "src",
}
REMOTE = Remote(name="origin", url="https://user:secret@example.invalid/demo.git")
# What changed since the first commit (c1) and since HEAD (c2), work tree included.
SINCE_FIRST = ["README.md", "dangling", NON_UTF8, "escape", "link-to-app", "link-to-src",
               "notes/todo.txt", "src/gone.py", "src/util/strings.py"]  # fmt: skip
SINCE_HEAD = ["README.md", "notes/todo.txt"]


def fake(history: list[str] | None) -> FakeRepo:
    """The reference: the literals above, with git facts when `history` (c1, c2) is given."""
    if history is None:
        return FakeRepo(
            name="repo", files=dict(FILES), unreadable=dict(UNREADABLE), links=dict(LINKS)
        )
    first, head = history
    return FakeRepo(
        name="repo",
        files=dict(FILES),
        unreadable=dict(UNREADABLE),
        links=dict(LINKS),
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
    (root / "link-to-src").symlink_to("src")


def edit_work_tree(root: Path) -> None:
    write(root, "README.md", FILES["README.md"])
    write(root, "notes/todo.txt", FILES["notes/todo.txt"])


def world_fake(_: Path, large: int) -> tuple[RepoFiles, FakeRepo]:
    reference = attrs.evolve(fake(["1" * 40, "2" * 40]), large_file_bytes=large)
    return reference, reference


def world_walked(tmp_path: Path, large: int) -> tuple[RepoFiles, FakeRepo]:
    root = tmp_path / "repo"
    write(tmp_path, "outside.txt", b"not the repository's\n")
    write_first_commit_files(root)
    write_second_commit_files(root)
    edit_work_tree(root)
    return LocalRepo(str(root), large_file_bytes=large), attrs.evolve(
        fake(None), large_file_bytes=large
    )


def world_git(tmp_path: Path, large: int) -> tuple[RepoFiles, FakeRepo]:
    root = init_repo(tmp_path / "repo")
    write(tmp_path, "outside.txt", b"not the repository's\n")
    git(root, "remote", "add", REMOTE.name, REMOTE.url)
    write_first_commit_files(root)
    first = commit_all(root, "first")
    write_second_commit_files(root)
    head = commit_all(root, "second")
    edit_work_tree(root)
    return LocalRepo(str(root), large_file_bytes=large), attrs.evolve(
        fake([first, head]), large_file_bytes=large
    )


WORLDS: dict[str, Callable[[Path, int], tuple[RepoFiles, FakeRepo]]] = {
    "fake": world_fake,
    "walked": world_walked,
    "git": world_git,
}


WORLD_PARAMS = [
    pytest.param("fake"),
    pytest.param("walked"),
    pytest.param("git", marks=requires_tool("git")),
]
CAP = 12  # bytes: some of FILES are larger, some exactly this big, some smaller


@pytest.fixture(params=WORLD_PARAMS)
def world(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> tuple[RepoFiles, FakeRepo]:
    isolate_git_config(monkeypatch)
    return WORLDS[request.param](tmp_path, MAX_READ_BYTES)


@pytest.fixture(params=WORLD_PARAMS)
def capped_world(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> tuple[RepoFiles, FakeRepo]:
    """The same worlds, with files over `CAP` bytes digested by identity."""
    isolate_git_config(monkeypatch)
    return WORLDS[request.param](tmp_path, CAP)


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
    # a symlink is read from the work tree (git's index vouches for regular files only): its
    # digest holds its link text and what it resolves to (ADR-0082)
    expected |= {p: link_digest(text, expected[p]) for p, text in LINKS.items()}
    assert dict(repo.digests(asked)) == expected


def test_a_read_over_its_cap_is_a_problem_and_one_at_the_cap_gives_the_bytes(
    world: tuple[RepoFiles, FakeRepo],
) -> None:
    repo, _ = world
    assert {len(data) for data in FILES.values()} > {CAP, CAP + 1}  # the edges are there
    expected = {
        path: data if len(data) <= CAP else FileProblem(path=path, reason="larger than 12 bytes")
        for path, data in FILES.items()
    }
    assert {path: repo.read_bytes(path, max_bytes=CAP) for path in FILES} == expected


def test_large_files_git_does_not_vouch_for_are_digested_by_identity(
    capped_world: tuple[RepoFiles, FakeRepo],
) -> None:
    repo, reference = capped_world
    # Git's index vouches for tracked files unchanged since HEAD; every other file over the cap
    # is digested by identity, unread.
    clean = set(FILES) - set(SINCE_HEAD) if reference.git is not None else set[str]()
    by_identity = {p for p, data in FILES.items() if len(data) > CAP and p not in clean}
    digests = dict(repo.digests(list(FILES)))

    assert {p for p, d in digests.items() if d.startswith(STAT_DIGEST_PREFIX)} == by_identity
    assert by_identity  # the walked and git worlds differ, and both have some
    readable = {p: blob_digest(data) for p, data in FILES.items() if p not in by_identity}
    readable |= {p: link_digest(LINKS[p], d) for p, d in readable.items() if p in LINKS}
    assert {p: d for p, d in digests.items() if p not in by_identity} == readable


def test_line_counts_are_the_counters_or_the_same_problem(
    world: tuple[RepoFiles, FakeRepo],
) -> None:
    repo, _ = world
    asked = {**dict.fromkeys(repo.list_files(), "Python"), "nope.txt": "Python"}
    expected = {
        **{p: count_lines((data,), "Python") for p, data in FILES.items()},
        **{p: FileProblem(path=p, reason=reason) for p, reason in UNREADABLE.items()},
        "nope.txt": FileProblem(path="nope.txt", reason="no such file"),
    }
    assert dict(repo.line_counts(asked)) == expected
    assert dict(repo.line_counts(asked)) == expected  # asked again, remembered or not


def test_files_over_the_cap_are_too_large_to_count_lines_of(
    capped_world: tuple[RepoFiles, FakeRepo],
) -> None:
    repo, _ = capped_world
    counted = dict(repo.line_counts(dict.fromkeys(FILES, "Python")))
    assert counted == {
        p: FileProblem(path=p, reason="larger than 12 bytes")
        if len(data) > CAP
        else count_lines((data,), "Python")
        for p, data in FILES.items()
    }


def test_file_sizes_are_the_byte_counts_of_readable_files(
    world: tuple[RepoFiles, FakeRepo],
) -> None:
    repo, _ = world
    asked = [*repo.list_files(), "nope.txt"]
    assert dict(repo.file_sizes(asked)) == {p: len(data) for p, data in FILES.items()}


def test_file_stats_see_a_symlink_as_itself_and_nothing_beyond_a_linked_directory(
    world: tuple[RepoFiles, FakeRepo],
) -> None:
    repo, _ = world
    # "link-to-src/app.py" is src/app.py reached through a link: a path no listing holds, which
    # the stats must not follow (the real adapter checks each directory once, never per file).
    asked = [*repo.list_files(), "nope.txt", "link-to-src/app.py"]
    expected = {
        **{p: FileStat(len(data), False) for p, data in FILES.items() if p not in LINKS},
        **{p: FileStat(len(target.encode()), True) for p, target in LINKS.items()},
    }
    assert dict(repo.file_stats(asked)) == expected


def test_read_head_gives_the_first_bytes_of_any_size_or_the_same_problem(
    world: tuple[RepoFiles, FakeRepo],
) -> None:
    repo, _ = world
    expected: dict[str, bytes | FileProblem] = {
        **{p: data[:CAP] for p, data in FILES.items()},
        **{p: FileProblem(path=p, reason=r) for p, r in UNREADABLE.items()},
        "nope.txt": FileProblem(path="nope.txt", reason="no such file"),
    }
    assert {path: repo.read_head(path, max_bytes=CAP) for path in expected} == expected
    assert repo.read_head("src/app.py") == APP  # the default bound is far above a short file


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


def test_clean_blobs_are_the_unchanged_regular_files_with_their_blob_ids(
    world: tuple[RepoFiles, FakeRepo],
) -> None:
    repo, reference = world
    clean = dict(repo.clean_blobs())
    assert clean == dict(reference.clean_blobs())
    assert clean == {p: blob_digest(FILES[p]) for p in clean}  # each the blob id of its bytes
    assert not clean.keys() & {*LINKS, *SINCE_HEAD}  # no link, nothing git reports changed
    assert bool(clean) == (reference.git is not None)  # a walked tree: git vouches for nothing
