"""The local repository adapter: listing, safe reads, git answers and fast digests."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Mapping
from pathlib import Path

import pytest

from codegenie_adapters import git_work_tree, repo_fs
from codegenie_adapters.exec import ExecResult
from codegenie_adapters.local_repo import LocalRepo, open_repo, stat_index_path_for
from codegenie_core.digest import STAT_DIGEST_PREFIX, blob_digest, problem_digest
from codegenie_core.errors import GitDubiousOwnership, GitIndexCorrupt, RepoError
from codegenie_core.line_counts import LineCounts
from codegenie_core.ports import (
    MAX_READ_BYTES,
    FileProblem,
    FileStat,
    GitState,
    ListingChanges,
    Remote,
)
from tests._ci_support.requires_tool import requires_tool
from tests.as_nobody import NOBODY, needs_root, run_as_nobody, shared_dir
from tests.git_repos import commit_all, git, init_repo, isolate_git_config, write

HOUR_NS = 3600 * 10**9


@pytest.fixture(autouse=True)
def _no_user_git_config(monkeypatch: pytest.MonkeyPatch) -> None:
    isolate_git_config(monkeypatch)


def age(path: Path, *, ns: int = HOUR_NS) -> None:
    """Put the file's mtime an hour back, so no stat index entry for it is racy."""
    st = os.lstat(path)
    os.utime(path, ns=(st.st_atime_ns - ns, st.st_mtime_ns - ns), follow_symlinks=False)


# ---- the root ------------------------------------------------------------------------------
def test_a_missing_root_is_a_repo_error(tmp_path: Path) -> None:
    with pytest.raises(RepoError, match="does not exist") as raised:
        open_repo(str(tmp_path / "nowhere"))
    assert raised.value.path == str(tmp_path / "nowhere")


def test_a_file_as_root_is_a_repo_error(tmp_path: Path) -> None:
    write(tmp_path, "file", b"x")
    with pytest.raises(RepoError, match="not a directory"):
        open_repo(str(tmp_path / "file"))


def test_a_root_below_a_file_is_a_repo_error_saying_it_cannot_be_read(tmp_path: Path) -> None:
    write(tmp_path, "file", b"x")
    with pytest.raises(RepoError, match="cannot be read"):
        open_repo(str(tmp_path / "file" / "below"))


def test_the_stat_index_path_hides_the_root_in_a_hash(tmp_path: Path) -> None:
    path = stat_index_path_for(str(tmp_path / "cache"), "/home/someone/secret-project")
    assert path.startswith(str(tmp_path / "cache" / "stat-index"))
    assert "secret-project" not in path


# ---- the walk ------------------------------------------------------------------------------
def test_the_walk_skips_vcs_metadata_and_tool_caches_at_any_depth(tmp_path: Path) -> None:
    for skipped in (".git/config", "pkg/__pycache__/m.pyc", ".venv/lib.py", "a/.tox/t.py"):
        write(tmp_path, skipped, b"x")
    write(tmp_path, "a/main.go", b"package a\n")
    write(tmp_path, ".codegenie/scenarios.yaml", b"scenarios: []\n")
    assert list(LocalRepo(str(tmp_path)).list_files()) == [".codegenie/scenarios.yaml", "a/main.go"]


def test_the_walk_lists_vendored_and_build_directories_as_git_does(tmp_path: Path) -> None:
    for kept in ("node_modules/x.js", "a/vendor/v.go", "build/out.o", "dist/app.js"):
        write(tmp_path, kept, b"x")
    assert list(LocalRepo(str(tmp_path)).list_files()) == [
        "a/vendor/v.go", "build/out.o", "dist/app.js", "node_modules/x.js",
    ]  # fmt: skip


def test_the_walk_honours_nested_gitignores_negations_and_directory_patterns(
    tmp_path: Path,
) -> None:
    write(tmp_path, ".gitignore", b"*.log\nbuild/\n!keep.log\n/top.txt\n")
    write(tmp_path, "sub/.gitignore", b"!again.log\nlocal/\n")
    for path in ("a.log", "keep.log", "top.txt", "build/x.o", "sub/top.txt", "sub/b.log",
                 "sub/again.log", "sub/local/f.py", "sub/build", "main.py"):  # fmt: skip
        write(tmp_path, path, b"x")
    assert list(LocalRepo(str(tmp_path)).list_files()) == [
        ".gitignore", "keep.log", "main.py", "sub/.gitignore", "sub/again.log", "sub/build",
        "sub/top.txt",
    ]  # fmt: skip


_AGAINST_GIT_FILES = (
    "deep/dist/x/main.py", "deep/x/x/y.py", "dist/f.py", "a/keep", "a/b/c", "x/f", "x/d/g",
    "src/a.js",
)  # fmt: skip


@requires_tool("git")
@pytest.mark.parametrize(
    "gitignore",
    [
        b"deep/**/x\n!dist/\n",  # `!dist/` re-includes a directory `dist`, not what is under one
        b"a/**\n!a/keep\n",  # `a/**` is what is inside `a`, not `a`: `a/keep` can come back
        b"x/**/\n",  # the directories inside `x`, not `x` itself
        b"**/\n!x\n",
        b"!\n*.js\n\\\n",  # a lone `!` and a trailing backslash match nothing
    ],
)
def test_the_walk_lists_what_git_lists(tmp_path: Path, gitignore: bytes) -> None:
    plain, repo = tmp_path / "plain", init_repo(tmp_path / "repo")
    for root in (plain, repo):
        write(root, ".gitignore", gitignore)
        for path in _AGAINST_GIT_FILES:
            write(root, path, b"x")
    git_lists = git(repo, "ls-files", "--others", "--exclude-standard").split()
    assert list(LocalRepo(str(plain)).list_files()) == sorted(git_lists)


def test_the_walk_does_not_enter_a_nested_repository(tmp_path: Path) -> None:
    write(tmp_path, "inner/.git/HEAD", b"ref: refs/heads/main\n")
    write(tmp_path, "inner/code.py", b"x")
    write(tmp_path, "outer.py", b"x")
    assert list(LocalRepo(str(tmp_path)).list_files()) == ["outer.py"]


_LIST = """
repo = LocalRepo(sys.argv[1])
print(json.dumps([list(repo.list_files()), [[p.path, p.reason] for p in repo.listing_problems()]]))
"""


@needs_root
def test_an_unreadable_subdirectory_is_a_listing_problem_not_silence() -> None:
    # The walk (and pathspec) load lazily, for a work tree git cannot list: import it as root.
    prelude = (
        "import json, sys\nfrom codegenie_adapters import repo_walk\n"
        "from codegenie_adapters.local_repo import LocalRepo"
    )
    with shared_dir() as root:
        write(root, "ok.py", b"x")
        write(root, "locked/secret.py", b"x")
        os.chmod(root / "locked", 0o000)  # mode 000: nobody cannot list it
        out = run_as_nobody(prelude, _LIST, str(root))
    assert out.returncode == 0, out.stderr
    files, problems = json.loads(out.stdout)
    assert (files, problems) == (["ok.py"], [["locked", "permission denied"]])


def test_a_name_that_is_not_utf8_round_trips_to_the_same_bytes(tmp_path: Path) -> None:
    write(tmp_path, b"caf\xe9-\xff.txt", b"latin-1\n")
    repo = LocalRepo(str(tmp_path))
    [name] = repo.list_files()
    assert (os.fsencode(name), repo.read_bytes(name)) == (b"caf\xe9-\xff.txt", b"latin-1\n")


def test_a_symlink_leaving_the_repository_is_listed_but_not_read(tmp_path: Path) -> None:
    write(tmp_path, "secret.txt", b"outside\n")
    root = tmp_path / "repo"
    root.mkdir()
    (root / "absolute").symlink_to(tmp_path / "secret.txt")
    (root / "relative").symlink_to("../secret.txt")
    repo = LocalRepo(str(root))
    outside = "symlink leads outside the repository"
    assert [(p, repo.read_bytes(p)) for p in repo.list_files()] == [
        ("absolute", FileProblem(path="absolute", reason=outside)),
        ("relative", FileProblem(path="relative", reason=outside)),
    ]


def test_a_path_climbing_out_with_dots_is_not_read(tmp_path: Path) -> None:
    write(tmp_path, "secret.txt", b"outside\n")
    (tmp_path / "repo").mkdir()
    repo = LocalRepo(str(tmp_path / "repo"))
    assert repo.read_bytes("../secret.txt") == FileProblem(
        path="../secret.txt", reason="symlink leads outside the repository"
    )


@pytest.mark.parametrize("path", ["", "/etc/hostname", "a\0b", "missing/deeper.txt"])
def test_paths_that_name_no_repository_file_are_no_such_file(tmp_path: Path, path: str) -> None:
    write(tmp_path, "a", b"x")
    repo = LocalRepo(str(tmp_path), stat_index_path=str(tmp_path / "cache" / "index.json"))
    assert (repo.read_bytes(path), dict(repo.digests([path])), dict(repo.file_sizes([path]))) == (
        FileProblem(path=path, reason="no such file"),
        {path: problem_digest("no such file")},
        {},
    )


def test_a_dangling_symlink_is_listed_and_says_so(tmp_path: Path) -> None:
    (tmp_path / "dangling").symlink_to("nothing-here")
    repo = LocalRepo(str(tmp_path))
    assert (list(repo.list_files()), repo.read_bytes("dangling")) == (
        ["dangling"],
        FileProblem(path="dangling", reason="dangling symlink"),
    )


@pytest.mark.parametrize("targets", [("gone-a", "gone-b"), ("same-a", "same-b")])
def test_re_pointing_a_symlink_changes_its_digest(tmp_path: Path, targets: tuple[str, str]) -> None:
    # The link's own text is a fact (`languages.links.bytes`): two dangling targets share one
    # reason, and two targets may hold the same bytes, yet the digest must tell them apart (the
    # cached-equals-uncached state machine found a stale `links.bytes`; ADR-0082).
    for name in ("same-a", "same-b"):
        (tmp_path / name).write_bytes(b"same bytes\n")
    link = tmp_path / "link"
    digests = []
    for target in targets:
        link.unlink(missing_ok=True)
        link.symlink_to(target)
        digests.append(LocalRepo(str(tmp_path)).digests(["link"])["link"])
    assert digests[0] != digests[1]
    assert all(d.startswith("link:") for d in digests)


def test_symlink_loops_neither_hang_the_walk_nor_the_read(tmp_path: Path) -> None:
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "up").symlink_to("..")  # a directory loop: not descended
    (tmp_path / "a").symlink_to("b")
    (tmp_path / "b").symlink_to("a")
    repo = LocalRepo(str(tmp_path))
    assert (list(repo.list_files()), repo.read_bytes("a")) == (
        ["a", "b", "d/up"],
        FileProblem(path="a", reason="symlink loop"),
    )


def test_a_symlinked_directory_is_listed_as_a_file_and_not_descended(tmp_path: Path) -> None:
    write(tmp_path, "real/x.py", b"x = 1\n")
    (tmp_path / "alias").symlink_to("real")
    repo = LocalRepo(str(tmp_path))
    assert (list(repo.list_files()), repo.read_bytes("alias")) == (
        ["alias", "real/x.py"],
        FileProblem(path="alias", reason="not a regular file"),
    )


def test_a_fifo_is_not_listed_and_reading_it_does_not_block(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe")
    repo = LocalRepo(str(tmp_path))
    assert (list(repo.list_files()), repo.read_bytes("pipe")) == (
        [],
        FileProblem(path="pipe", reason="not a regular file"),
    )


# ---- git listing and state -----------------------------------------------------------------
@requires_tool("git")
def test_git_lists_tracked_and_untracked_but_not_ignored_or_deleted(tmp_path: Path) -> None:
    root = init_repo(tmp_path / "repo")
    write(root, ".gitignore", b"*.log\n")
    write(root, "kept.py", b"k\n")
    write(root, "deleted.py", b"d\n")
    commit_all(root, "first")
    (root / "deleted.py").unlink()
    write(root, "debug.log", b"ignored\n")
    write(root, "new/untracked.py", b"u\n")
    write(root, "node_modules/tracked-elsewhere.js", b"listed: git decides, not the skip set\n")
    assert list(LocalRepo(str(root)).list_files()) == [
        ".gitignore", "kept.py", "new/untracked.py", "node_modules/tracked-elsewhere.js"
    ]  # fmt: skip


@requires_tool("git")
def test_a_clean_work_trees_draft_is_its_listing_with_no_changes(tmp_path: Path) -> None:
    root = init_repo(tmp_path / "repo")
    write(root, "a.py", b"a\n")
    write(root, ".venv/lib.py", b"never listed, even tracked\n")
    write(root, "b/c.py", b"c\n")
    commit_all(root, "first")
    repo = LocalRepo(str(root))
    assert list(repo.listing_draft() or ()) == ["a.py", "b/c.py"]  # the rule set applied
    assert repo.listing_changes() == ListingChanges(added=(), removed=frozenset())
    assert repo.list_files() is repo.listing_draft()  # the same list: not filtered twice
    drafted = repo.draft_digests()
    assert drafted is not None
    assert {p: drafted[p] for p in repo.list_files()} == repo.digests(repo.list_files())
    (root / "a.py").unlink()
    deleted = LocalRepo(str(root))
    assert list(deleted.list_files()) == ["b/c.py"]
    assert deleted.list_files() is not deleted.listing_draft()


@requires_tool("git")
def test_a_draft_less_its_removed_plus_its_added_paths_is_the_listing(tmp_path: Path) -> None:
    # ADR-0095: the draft is the index's files, known before `git status`; the changes are what
    # the status made of it: deleted, renamed, untracked (and ignored: not listed), staged new.
    root = init_repo(tmp_path / "repo")
    write(root, ".gitignore", b"*.log\n")
    for name in ("kept.py", "deleted.py", "moved.py", "Dockerfile"):
        write(root, name, name.encode() + b"\n")
    commit_all(root, "first")
    (root / "deleted.py").unlink()
    (root / "sub").mkdir()
    git(root, "mv", "moved.py", "sub/moved.py")
    write(root, "debug.log", b"ignored\n")
    write(root, "new/Dockerfile", b"FROM x\n")
    write(root, "staged.py", b"s\n")
    git(root, "add", "staged.py")
    repo = LocalRepo(str(root))
    draft = repo.listing_draft()
    assert draft is not None
    assert sorted(draft) == [".gitignore", "Dockerfile", "deleted.py", "kept.py", "staged.py",
                             "sub/moved.py"]  # fmt: skip
    write(root, "kept.py", b"edited\n")  # listed as before, its digest no longer the index's
    changes = repo.listing_changes()
    assert (changes.added, changes.removed) == (("new/Dockerfile",), frozenset({"deleted.py"}))
    assert {"kept.py", "deleted.py", "staged.py"} <= changes.changed
    assert repo.listing_changes() is changes  # made once: every probe's key asks
    drafted = repo.draft_digests() or {}
    digests = repo.digests(repo.list_files())
    for path in set(draft) - changes.removed - changes.changed:
        assert drafted.get(path, digests[path]) == digests[path]
    assert drafted["kept.py"] != digests["kept.py"]
    assert sorted({*draft} - changes.removed | {*changes.added}) == list(repo.list_files())


def test_a_walked_directory_has_no_draft_and_all_of_its_files_added(tmp_path: Path) -> None:
    write(tmp_path, "a.py", b"a\n")
    repo = LocalRepo(str(tmp_path))
    assert repo.listing_draft() is None and repo.draft_digests() is None
    assert repo.listing_changes() == ListingChanges(added=("a.py",), removed=frozenset())


@requires_tool("git")
def test_a_directory_inside_another_repository_is_walked_not_treated_as_git(
    tmp_path: Path,
) -> None:
    root = init_repo(tmp_path / "outer")
    write(root, ".gitignore", b"fixture/a.txt\n")
    write(root, "fixture/a.txt", b"ignored by the outer repo, listed by the walk\n")
    repo = LocalRepo(str(root / "fixture"))
    assert (repo.git_state(), list(repo.list_files())) == (None, ["a.txt"])


@requires_tool("git")
def test_git_state_reads_head_branch_dirty_and_raw_remote_urls(tmp_path: Path) -> None:
    root = init_repo(tmp_path / "repo")
    git(root, "remote", "add", "origin", "https://me:token@example.invalid/x.git")
    git(root, "remote", "add", "backup", "git@example.invalid:x.git")
    write(root, "a.py", b"a\n")
    head = commit_all(root, "first")
    assert LocalRepo(str(root)).git_state() == GitState(
        head=head,
        branch="main",
        dirty=False,
        remotes=(
            Remote(name="backup", url="git@example.invalid:x.git"),
            Remote(name="origin", url="https://me:token@example.invalid/x.git"),
        ),
    )


@requires_tool("git")
@pytest.mark.parametrize(
    ("change", "dirty"),
    [("nothing", False), ("edit", True), ("untracked", True), ("ignored", False), ("staged", True)],
)
def test_dirty_means_staged_unstaged_or_untracked_changes(
    tmp_path: Path, change: str, dirty: bool
) -> None:
    root = init_repo(tmp_path / "repo")
    write(root, ".gitignore", b"*.log\n")
    write(root, "a.py", b"a\n")
    commit_all(root, "first")
    match change:
        case "edit":
            write(root, "a.py", b"b\n")
        case "untracked":
            write(root, "b.py", b"b\n")
        case "ignored":
            write(root, "x.log", b"x\n")
        case "staged":
            write(root, "a.py", b"c\n")
            git(root, "add", "a.py")
        case _:
            pass
    state = LocalRepo(str(root)).git_state()
    assert state is not None and state.dirty == dirty


@requires_tool("git")
def test_a_detached_head_has_no_branch(tmp_path: Path) -> None:
    root = init_repo(tmp_path / "repo")
    write(root, "a.py", b"a\n")
    head = commit_all(root, "first")
    git(root, "checkout", "-q", "--detach")
    assert LocalRepo(str(root)).git_state() == GitState(head=head, branch=None, dirty=False)


@requires_tool("git")
def test_an_unborn_branch_has_no_head_and_still_lists_its_files(tmp_path: Path) -> None:
    root = init_repo(tmp_path / "repo")
    write(root, "staged.py", b"s\n")
    git(root, "add", "staged.py")
    write(root, "untracked.py", b"u\n")
    repo = LocalRepo(str(root))
    assert (repo.git_state(), list(repo.list_files()), repo.changed_since("HEAD")) == (
        GitState(head=None, branch="main", dirty=True),
        ["staged.py", "untracked.py"],
        None,
    )


@requires_tool("git")
def test_git_setting_variables_of_a_calling_git_do_not_redirect_the_adapter(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    other = init_repo(tmp_path / "other")
    root = init_repo(tmp_path / "repo")
    write(root, "mine.py", b"m\n")
    commit_all(root, "first")
    monkeypatch.setenv("GIT_DIR", str(other / ".git"))
    monkeypatch.setenv("GIT_WORK_TREE", str(other))
    assert list(LocalRepo(str(root)).list_files()) == ["mine.py"]


def _asked_git(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every git command line the adapter runs from now on, recorded as it runs."""
    asked: list[str] = []
    real_run_git = git_work_tree.run_git

    def recording(
        root: str, args: tuple[str, ...], *, env: Mapping[str, str], timeout_s: float
    ) -> ExecResult:
        asked.append(" ".join(args))
        return real_run_git(root, args, env=env, timeout_s=timeout_s)

    monkeypatch.setattr(git_work_tree, "run_git", recording)
    return asked


@requires_tool("git")
def test_git_is_asked_each_question_once_per_instance(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = init_repo(tmp_path / "repo")
    write(root, "a.py", b"a\n")
    head = commit_all(root, "first")
    asked = _asked_git(monkeypatch)
    repo = LocalRepo(str(root))
    for _ in range(3):
        repo.list_files()
        repo.digests(["a.py"])
        repo.git_state()
        repo.changed_since(head)
        repo.commits_between(head, head)
    assert len(asked) == len(set(asked))
    assert len(asked) >= 5  # detect (with HEAD and branch), ls-files, status, config, rev-list


def _diff_since(root: Path, commit: str) -> list[str]:
    """What `changed_since` must say, from git itself: work tree vs commit, plus untracked."""
    tracked = git(
        root, "diff", "--name-only", "--no-renames", "--ignore-submodules=dirty", commit, "--"
    ).splitlines()
    untracked = git(root, "ls-files", "--others", "--exclude-standard").splitlines()
    return sorted({*tracked, *untracked})


def _history_with_every_kind_of_change(root: Path) -> str:
    for name in ("mod.py", "staged.py", "both.py", "moved.py", "gone.py", "removed.py"):
        write(root, name, f"{name}\n".encode())
    head = commit_all(root, "first")
    write(root, "mod.py", b"edited, not staged\n")
    write(root, "staged.py", b"edited and staged\n")
    git(root, "add", "staged.py")
    git(root, "mv", "moved.py", "renamed.py")
    (root / "gone.py").unlink()
    git(root, "rm", "-q", "removed.py")
    write(root, "new.py", b"untracked\n")
    return head


@requires_tool("git")
def test_changed_since_head_is_read_off_the_status_without_another_git_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = init_repo(tmp_path / "repo")
    head = _history_with_every_kind_of_change(root)
    asked = _asked_git(monkeypatch)
    changed = LocalRepo(str(root)).changed_since(head)
    assert changed is not None and list(changed) == _diff_since(root, head)
    assert not any(line.startswith("diff") for line in asked)


@requires_tool("git")
def test_a_change_staged_then_reverted_is_settled_by_git_diff(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = init_repo(tmp_path / "repo")
    head = _history_with_every_kind_of_change(root)
    write(root, "both.py", b"staged\n")
    git(root, "add", "both.py")
    write(root, "both.py", b"both.py\n")  # the work tree is back at HEAD: nothing changed
    asked = _asked_git(monkeypatch)
    changed = LocalRepo(str(root)).changed_since(head)
    assert changed is not None and list(changed) == _diff_since(root, head)
    assert "both.py" not in changed
    assert any(line.startswith("diff") for line in asked)


@requires_tool("git")
def test_an_intent_to_add_file_deleted_again_is_settled_by_git_diff(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = init_repo(tmp_path / "repo")
    head = _history_with_every_kind_of_change(root)
    write(root, "planned.py", b"soon\n")
    git(root, "add", "-N", "planned.py")
    (root / "planned.py").unlink()  # in neither HEAD nor the work tree: not a change
    asked = _asked_git(monkeypatch)
    changed = LocalRepo(str(root)).changed_since(head)
    assert changed is not None and list(changed) == _diff_since(root, head)
    assert "planned.py" not in changed
    assert any(line.startswith("diff") for line in asked)


@requires_tool("git")
def test_a_submodule_is_changed_either_way_when_at_another_commit_not_for_changes_inside(
    tmp_path: Path,
) -> None:
    """Neither status nor diff looks inside a submodule's work tree (ADR-0097: that would run git
    there, with the submodule's own filter drivers); a submodule at another commit is changed."""
    library = init_repo(tmp_path / "library")
    write(library, "lib.py", b"lib\n")
    commit_all(library, "library")
    root = init_repo(tmp_path / "repo")
    git(root, "-c", "protocol.file.allow=always", "submodule", "-q", "add", str(library), "sm")
    head = commit_all(root, "with a submodule")
    write(root / "sm", "scratch.py", b"untracked inside the submodule\n")
    write(root / "sm", "lib.py", b"edited inside the submodule\n")
    inside_only = LocalRepo(str(root)).changed_since(head)
    assert inside_only is not None and list(inside_only) == []
    git(root / "sm", "commit", "-qam", "the submodule moves on")
    from_status = LocalRepo(str(root)).changed_since(head)
    write(root, "both.py", b"x\n")
    git(root, "add", "both.py")
    write(root, "both.py", b"y\n")  # changed in both columns: this time `git diff` answers
    from_diff = LocalRepo(str(root)).changed_since(head)
    assert from_status is not None and from_diff is not None
    assert list(from_status) == ["sm"]
    assert list(from_diff) == _diff_since(root, head) == ["both.py", "sm"]


# ---- digests ---------------------------------------------------------------------------------
@requires_tool("git")
def test_clean_files_digest_from_the_index_and_edited_ones_are_hashed_as_git_would(
    tmp_path: Path,
) -> None:
    root = init_repo(tmp_path / "repo")
    write(root, "clean.py", b"clean\n")
    write(root, "edited.py", b"before\n")
    commit_all(root, "first")
    write(root, "edited.py", b"after, longer\n")
    write(root, "new.py", b"new\n")
    repo = LocalRepo(str(root))
    paths = ["clean.py", "edited.py", "new.py"]
    expected = {p: git(root, "hash-object", p).strip() for p in paths}
    assert (dict(repo.digests(paths)), repo.hashed) == (expected, ["edited.py", "new.py"])


@requires_tool("git")
def test_every_clean_file_asked_once_is_answered_by_the_index_table_itself(
    tmp_path: Path,
) -> None:
    # ADR-0093: no copy of a 200,000-file table per ask; any other ask gets exactly its paths.
    root = init_repo(tmp_path / "repo")
    for name in ("a.py", "b.py", "c.py"):
        write(root, name, name.encode())
    commit_all(root, "first")
    repo = LocalRepo(str(root))
    listing = list(repo.list_files())
    expected = {p: git(root, "hash-object", p).strip() for p in listing}
    whole = repo.digests(listing)
    assert (dict(whole), repo.hashed) == (expected, [])
    assert repo.digests(tuple(listing)) is whole
    twice = repo.digests(["a.py", "a.py", "b.py"])  # as many paths as the table, one twice
    assert dict(twice) == {p: expected[p] for p in ("a.py", "b.py")} and twice is not whole
    assert dict(repo.digests(["c.py", "b.py", "a.py"])) == expected


@requires_tool("git")
def test_a_sha256_repository_gets_sha256_blob_ids(tmp_path: Path) -> None:
    root = init_repo(tmp_path / "repo", object_format="sha256")
    write(root, "clean.py", b"clean\n")
    commit_all(root, "first")
    write(root, "new.py", b"new\n")
    repo = LocalRepo(str(root))
    expected = {p: git(root, "hash-object", p).strip() for p in ("clean.py", "new.py")}
    assert (repo.object_format, dict(repo.digests(["clean.py", "new.py"]))) == ("sha256", expected)
    assert len(expected["clean.py"]) == 64


def test_without_a_stat_index_each_path_is_hashed_once_per_instance(tmp_path: Path) -> None:
    write(tmp_path, "a.py", b"a\n")
    repo = LocalRepo(str(tmp_path))
    repo.digests(["a.py"])
    repo.digests(["a.py"])
    assert repo.hashed == ["a.py"]


def test_only_the_asked_paths_are_hashed(tmp_path: Path) -> None:
    for name in ("a.py", "b.py", "c.py"):
        write(tmp_path, name, name.encode())
    repo = LocalRepo(str(tmp_path), stat_index_path=str(tmp_path / "idx" / "index.json"))
    repo.digests(["b.py"])
    assert repo.hashed == ["b.py"]


def test_a_warm_walk_with_a_stat_index_hashes_nothing(tmp_path: Path) -> None:
    root, index = tmp_path / "repo", str(tmp_path / "cache" / "index.json")
    for name in ("a.py", "b/c.py"):
        write(root, name, name.encode())
        age(root / name)
    cold = LocalRepo(str(root), stat_index_path=index)
    first = cold.digests(cold.list_files())
    warm = LocalRepo(str(root), stat_index_path=index)
    assert (dict(warm.digests(warm.list_files())), warm.hashed) == (dict(first), [])


def test_an_entry_whose_mtime_is_not_older_than_the_index_is_rehashed(tmp_path: Path) -> None:
    root, index = tmp_path / "repo", str(tmp_path / "cache" / "index.json")
    write(root, "racy.py", b"same tick\n")
    write(root, "settled.py", b"long ago\n")
    age(root / "settled.py")
    age(root / "racy.py", ns=-HOUR_NS)  # an hour ahead: never older than the index write
    LocalRepo(str(root), stat_index_path=index).digests(["racy.py", "settled.py"])
    warm = LocalRepo(str(root), stat_index_path=index)
    warm.digests(["racy.py", "settled.py"])
    assert warm.hashed == ["racy.py"]


def test_a_same_size_rewrite_with_its_mtime_put_back_is_seen(tmp_path: Path) -> None:
    root, index = tmp_path / "repo", str(tmp_path / "cache" / "index.json")
    write(root, "a.py", b"version 1\n")
    age(root / "a.py")
    before = os.stat(root / "a.py")
    LocalRepo(str(root), stat_index_path=index).digests(["a.py"])
    write(root, "a.py", b"version 2\n")
    os.utime(root / "a.py", ns=(before.st_atime_ns, before.st_mtime_ns))
    warm = LocalRepo(str(root), stat_index_path=index)
    assert (dict(warm.digests(["a.py"])), warm.hashed) == (
        {"a.py": blob_digest(b"version 2\n")},
        ["a.py"],
    )


@pytest.mark.parametrize(
    "damage",
    [b"", b"{not json", b"[]", b'{"format": "other"}', b"\xff\xfe",
     b'{"format": "codegenie-stat-index/1", "object_format": "sha1", "entries": {"a.py": [1]}}',
     b'{"format": "codegenie-stat-index/1", "object_format": "sha1", "entries": []}'],
)  # fmt: skip
def test_a_damaged_stat_index_is_ignored_and_rebuilt(tmp_path: Path, damage: bytes) -> None:
    root, index = tmp_path / "repo", tmp_path / "cache" / "index.json"
    write(root, "a.py", b"a\n")
    age(root / "a.py")
    write(tmp_path / "cache", "index.json", damage)
    rebuilt = LocalRepo(str(root), stat_index_path=str(index))
    rebuilt.digests(["a.py"])
    warm = LocalRepo(str(root), stat_index_path=str(index))
    assert (dict(warm.digests(["a.py"])), rebuilt.hashed, warm.hashed) == (
        {"a.py": blob_digest(b"a\n")},
        ["a.py"],
        [],
    )


def test_an_unwritable_stat_index_is_not_a_crash(tmp_path: Path) -> None:
    write(tmp_path, "blocker", b"a file where the index directory should be")
    write(tmp_path / "repo", "a.py", b"a\n")
    repo = LocalRepo(str(tmp_path / "repo"), stat_index_path=str(tmp_path / "blocker" / "i.json"))
    assert dict(repo.digests(["a.py"])) == {"a.py": blob_digest(b"a\n")}


@requires_tool("git")
def test_a_conflicted_file_is_listed_and_digested_from_its_work_tree_bytes(tmp_path: Path) -> None:
    root = init_repo(tmp_path / "repo")
    write(root, "c.txt", b"base\n")
    commit_all(root, "base")
    git(root, "checkout", "-q", "-b", "other")
    write(root, "c.txt", b"theirs\n")
    commit_all(root, "theirs")
    git(root, "checkout", "-q", "main")
    write(root, "c.txt", b"ours\n")
    commit_all(root, "ours")
    identity = ["-c", "user.name=t", "-c", "user.email=t@example.invalid"]
    merge = ["git", *identity, "merge", "other"]
    merged = subprocess.run(merge, cwd=root, capture_output=True, check=False)
    assert b"CONFLICT" in merged.stdout  # the conflict this test is about
    repo = LocalRepo(str(root))
    on_disk = (root / "c.txt").read_bytes()
    assert (list(repo.list_files()), dict(repo.digests(["c.txt"])), repo.hashed) == (
        ["c.txt"],
        {"c.txt": blob_digest(on_disk)},
        ["c.txt"],
    )


def test_prefetched_answers_are_the_answers_each_question_gets_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from codegenie_adapters import git_work_tree

    root = init_repo(tmp_path / "repo")
    (root / "a.txt").write_text("a")
    asked: list[tuple[str, ...]] = []
    real_run_git = git_work_tree.run_git

    def counting(root_: str, args: tuple[str, ...], **kw: object):
        asked.append(args)
        return real_run_git(root_, args, **kw)

    monkeypatch.setattr(git_work_tree, "run_git", counting)
    repo = LocalRepo(str(root))
    repo.prefetch()
    assert repo.list_files() == ["a.txt"]
    assert repo.git_state() is not None
    assert repo.list_files() == ["a.txt"]
    assert len(asked) == len(set(asked))


# ---- git's refusals (see ADR-0029) -----------------------------------------------------------
@requires_tool("git")
@pytest.mark.parametrize("index_bytes", [b"", b"DIRC\0\0\0\2garbage"], ids=["empty", "garbage"])
def test_a_corrupt_index_fails_the_git_questions_and_the_tree_is_walked(
    tmp_path: Path, index_bytes: bytes
) -> None:
    root = init_repo(tmp_path / "repo")
    write(root, ".gitignore", b"*.log\n")
    write(root, "a.py", b"x = 1\n")
    write(root, "debug.log", b"ignored\n")
    commit_all(root, "first")
    (root / ".git" / "index").write_bytes(index_bytes)
    repo = open_repo(str(root))
    with pytest.raises(GitIndexCorrupt, match=r"^git index is corrupt: .*index"):
        repo.git_state()
    with pytest.raises(GitIndexCorrupt):
        repo.changed_since("HEAD")
    assert list(repo.list_files()) == [".gitignore", "a.py"]
    assert repo.digests(["a.py"]) == {"a.py": blob_digest(b"x = 1\n")}


@requires_tool("git")
@needs_root
def test_a_repository_owned_by_another_user_is_dubious_ownership_not_not_git(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = init_repo(tmp_path / "repo")
    write(root, "a.py", b"x = 1\n")
    commit_all(root, "first")
    for directory, subdirs, files in os.walk(root):
        for name in [*subdirs, *files, "."]:
            os.lchown(os.path.join(directory, name), NOBODY, NOBODY)
    (tmp_path / "home").mkdir()
    monkeypatch.setenv("HOME", str(tmp_path / "home"))  # no safe.directory applies
    repo = LocalRepo(str(root))
    with pytest.raises(GitDubiousOwnership, match="dubious ownership") as raised:
        repo.git_state()
    assert raised.value.path == str(root)
    assert list(repo.list_files()) == ["a.py"]


# ---- bounded reads and digests (ADR-0026) ------------------------------------------------------
def test_a_read_stops_at_its_cap_and_says_so(tmp_path: Path) -> None:
    (tmp_path / "package.json").write_bytes(b"x" * 11)
    repo = LocalRepo(str(tmp_path))

    assert [repo.read_bytes("package.json", max_bytes=n) for n in (10, 11)] == [
        FileProblem(path="package.json", reason="larger than 10 bytes"),
        b"x" * 11,
    ]
    assert repo.read_bytes("package.json", max_bytes=2**20) == b"x" * 11


def test_the_default_read_cap_is_16_mib(tmp_path: Path) -> None:
    with open(tmp_path / "big.json", "wb") as handle:
        handle.truncate(MAX_READ_BYTES + 1)  # sparse
    assert MAX_READ_BYTES == 16 * 2**20
    assert LocalRepo(str(tmp_path)).read_bytes("big.json") == FileProblem(
        path="big.json", reason="larger than 16 MiB"
    )


def test_a_file_over_the_large_file_bound_is_digested_by_identity_and_a_rewrite_shows(
    tmp_path: Path,
) -> None:
    big = tmp_path / "big.bin"
    big.write_bytes(b"a" * 20)
    (tmp_path / "small.txt").write_bytes(b"small\n")
    first = LocalRepo(str(tmp_path), large_file_bytes=10).digests(["big.bin", "small.txt"])
    big.write_bytes(b"b" * 20)  # same size: only the identity (ctime) says it changed
    second = LocalRepo(str(tmp_path), large_file_bytes=10).digests(["big.bin"])

    assert first["big.bin"].startswith(STAT_DIGEST_PREFIX)
    assert first["small.txt"] == blob_digest(b"small\n")
    assert second["big.bin"].startswith(STAT_DIGEST_PREFIX)
    assert second["big.bin"] != first["big.bin"]


def test_a_digest_streams_and_equals_the_blob_id_of_the_whole(tmp_path: Path) -> None:
    data = bytes(range(256)) * 12_289  # over 3 MiB: several chunks
    (tmp_path / "data.bin").write_bytes(data)
    for object_format in ("sha1", "sha256"):
        found = repo_fs.digest(str(tmp_path), "data.bin", object_format=object_format)
        assert found == blob_digest(data, object_format=object_format)


# ---- stats ---------------------------------------------------------------------------------
def test_stats_and_sizes_take_one_lstat_per_file_and_one_per_directory_never_a_realpath(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for index in range(30):
        write(tmp_path / "repo", f"pkg{index % 3}/sub/m{index}.py", b"x" * index)
    repo = LocalRepo(str(tmp_path / "repo"))
    paths = repo.list_files()
    calls: list[str] = []
    real_lstat, real_realpath = os.lstat, os.path.realpath

    def counting_lstat(path: str, *args: object, **kwargs: object) -> os.stat_result:
        calls.append("lstat")
        return real_lstat(path)

    def counting_realpath(path: str, *args: object, **kwargs: object) -> str:
        calls.append("realpath")
        return real_realpath(path)

    monkeypatch.setattr(os, "lstat", counting_lstat)
    monkeypatch.setattr(os.path, "realpath", counting_realpath)
    stats = repo.file_stats(paths)
    sizes = repo.file_sizes(paths)
    # 3 "pkgN" and 3 "pkgN/sub" directories once each; each file once per call.
    assert calls == ["lstat"] * (6 + 30 + 30)
    assert (
        sizes
        == {p: s.size for p, s in stats.items()}
        == {f"pkg{i % 3}/sub/m{i}.py": i for i in range(30)}
    )


@requires_tool("git")
def test_line_counts_are_remembered_by_blob_id_so_an_edit_recounts_only_that_file(
    tmp_path: Path,
) -> None:
    root = init_repo(tmp_path / "repo")
    for name in ("a.py", "b.py", "c.py"):
        write(root, name, b"# " + name.encode() + b"\nx = 1\n\n")
    commit_all(root, "three")
    index = stat_index_path_for(str(tmp_path / "cache"), str(root))
    languages = dict.fromkeys(("a.py", "b.py", "c.py"), "Python")

    first = LocalRepo(str(root), stat_index_path=index)
    counts = dict(first.line_counts(languages))
    assert (first.hashed, first.counted) == ([], ["a.py", "b.py", "c.py"])  # one read each

    second = LocalRepo(str(root), stat_index_path=index)
    assert (dict(second.line_counts(languages)), second.hashed, second.counted) == (
        counts,
        [],
        [],
    )

    write(root, "b.py", b"# edited\n")
    third = LocalRepo(str(root), stat_index_path=index)
    after = dict(third.line_counts(languages))
    assert (third.hashed, third.counted) == (["b.py"], [])  # counted in the read that hashed it
    assert after == {**counts, "b.py": LineCounts(comment=1)}


@requires_tool("git")
def test_counting_shares_the_index_blob_ids_and_one_object_per_distinct_count_and_stat(
    tmp_path: Path,
) -> None:
    # ADR-0093 (Rule 6): at 200,000 files a second copy of every blob id cost 17 MB, and a line
    # count per file 13 MB; the bytes counted are the index's, so its id string is kept.
    root = init_repo(tmp_path / "repo")
    for name in ("a.py", "b.py", "c.py"):
        write(root, name, b"# " + name.encode() + b"\nx = 1\n\n")  # equal counts, other bytes
    write(root, "big.py", b"y = 2\n" * 200_000)  # over 1 MiB: counted as it is streamed
    commit_all(root, "four")
    languages = dict.fromkeys(("a.py", "b.py", "big.py", "c.py"), "Python")
    repo = LocalRepo(str(root), stat_index_path=stat_index_path_for(str(tmp_path / "c"), str(root)))
    counts = repo.line_counts(languages)
    assert counts["a.py"] == LineCounts(code=1, comment=1, blank=1)
    assert counts["a.py"] is counts["b.py"] is counts["c.py"]
    oids = repo.digests(list(languages))
    kept = repo._lines()._entries["Python"]  # pyright: ignore[reportPrivateUsage] - which string is kept is under test
    assert all(any(blob is oids[p] for blob in kept) for p in languages)
    for stats in (repo.file_stats(list(languages)), LocalRepo(str(root)).file_stats(languages)):
        assert stats["a.py"] == FileStat(14, False) and stats["a.py"] is stats["b.py"]
        assert stats["b.py"] is stats["c.py"] and stats["big.py"] == FileStat(1_200_000, False)


@requires_tool("git")
def test_a_clean_files_stat_is_its_remembered_size_and_a_changed_file_is_stated(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # ADR-0089: once a gather counted a file's lines, the size of those bytes is remembered by
    # their blob id; the next gather's stats of clean files cost no lstat, and agree with it.
    root = init_repo(tmp_path / "repo")
    for name, text in (("a.py", b"x = 1\n"), ("b.py", b"y = 22\n"), ("c.py", b"z = 333\n")):
        write(root, name, text)
    commit_all(root, "three")
    index = stat_index_path_for(str(tmp_path / "cache"), str(root))
    languages = dict.fromkeys(("a.py", "b.py", "c.py"), "Python")
    first = LocalRepo(str(root), stat_index_path=index)
    stated = dict(first.file_stats(languages))
    first.line_counts(languages)  # counts them, remembering the sizes

    write(root, "b.py", b"y = 22222\n")  # changed since the index: stat'ed
    os.remove(root / "c.py")
    os.symlink("a.py", root / "c.py")  # a type change: stat'ed, a link
    seen: list[str] = []
    real_lstat = os.lstat

    def lstat(path: str | os.PathLike[str]) -> os.stat_result:
        seen.append(os.fspath(path))
        return real_lstat(path)

    monkeypatch.setattr(os, "lstat", lstat)
    second = LocalRepo(str(root), stat_index_path=index)
    assert dict(second.file_stats(languages)) == {
        "a.py": stated["a.py"],
        "b.py": FileStat(10, False),
        "c.py": FileStat(4, True),
    }
    assert not any(path.endswith("a.py") for path in seen)
    assert any(path.endswith("b.py") for path in seen) and any(p.endswith("c.py") for p in seen)


@requires_tool("git")
def test_a_file_git_converts_on_checkout_is_stated_not_looked_up(tmp_path: Path) -> None:
    # With eol conversion the work-tree bytes are not the index blob's: their remembered size
    # is filed under another blob id, so the clean file is stat'ed and its real size reported.
    root = init_repo(tmp_path / "repo")
    write(root, ".gitattributes", b"*.txt text eol=crlf\n")
    write(root, "a.txt", b"one\ntwo\n")
    commit_all(root, "crlf")
    os.remove(root / "a.txt")
    git(root, "checkout", "--", "a.txt")  # written back with CRLF line ends
    index = stat_index_path_for(str(tmp_path / "cache"), str(root))
    LocalRepo(str(root), stat_index_path=index).line_counts({"a.txt": "Text"})
    again = LocalRepo(str(root), stat_index_path=index)
    assert dict(again.file_stats(["a.txt"])) == {"a.txt": FileStat(10, False)}


def test_a_damaged_line_index_is_ignored_and_rebuilt(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    write(root, "a.py", b"x = 1\n")
    index = stat_index_path_for(str(tmp_path / "cache"), str(root))
    lines_path = Path(index).with_suffix(".lines.json")
    lines_path.parent.mkdir(parents=True)
    for damage in (b"{not json", b'{"format": "other"}', b"[]"):
        lines_path.write_bytes(damage)
        repo = LocalRepo(str(root), stat_index_path=index)
        assert dict(repo.line_counts({"a.py": "Python"})) == {"a.py": LineCounts(code=1)}
    assert json.loads(lines_path.read_bytes())["format"] == "codegenie-line-index/2"


@requires_tool("git")
def test_a_file_over_the_whole_read_bound_is_counted_streamed_beside_files_read_whole(
    tmp_path: Path,
) -> None:
    # ADR-0096: the loop that reads files whole hands a larger one, still open, to the stream.
    root = init_repo(tmp_path / "repo")
    big = b"# c\n" + b"x = 1\n" * 300_000 + b"\n"  # about 1.8 MB: over the 1 MiB whole read
    write(root, "big.py", big)
    write(root, "small.py", b"x = 1\n")
    commit_all(root, "two")
    index = stat_index_path_for(str(tmp_path / "cache"), str(root))
    languages = dict.fromkeys(("big.py", "small.py"), "Python")
    first = LocalRepo(str(root), stat_index_path=index)
    assert dict(first.line_counts(languages)) == {
        "big.py": LineCounts(code=300_000, comment=1, blank=1),
        "small.py": LineCounts(code=1),
    }
    assert first.counted == ["big.py", "small.py"]
    second = LocalRepo(str(root), stat_index_path=index)  # both remembered by their blob ids
    assert (len(second.line_counts(languages)), second.counted) == (2, [])
