"""The entry point's head start for git (ADR-0091): a process started ahead is collected by exactly
the call that would have started it, by no other, and one never asked for is killed at exit."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from codegenie_adapters import head_start
from codegenie_adapters.exec import run_external_cli
from codegenie_adapters.git_work_tree import GitWorkTree
from codegenie_adapters.head_start import git_environment
from tests.git_repos import commit_all, committed_repo, init_repo, isolate_git_config

# Prints its own pid: which process answered a call.
_WHO = (sys.executable, "-c", "import os; print(os.getpid())")


@pytest.fixture(autouse=True)
def _nothing_left_waiting() -> object:
    yield
    head_start.kill_waiting()


def test_a_call_with_the_same_argv_cwd_and_environment_collects_the_process_started_ahead(
    tmp_path: Path,
) -> None:
    env = dict(os.environ)
    assert head_start.start(_WHO, cwd=str(tmp_path), env=env)
    [(argv, cwd, ahead_pid)] = head_start.waiting()
    assert (argv, cwd) == (_WHO, str(tmp_path))
    first = run_external_cli(_WHO, timeout_s=30, cwd=str(tmp_path), env=env)
    second = run_external_cli(_WHO, timeout_s=30, cwd=str(tmp_path), env=env)
    assert int(first.stdout) == ahead_pid  # collected, not started again
    assert int(second.stdout) != ahead_pid  # collected once: the next call starts its own
    assert head_start.waiting() == []


@pytest.mark.parametrize("differs", ["cwd", "env", "stdin", "argv"])
def test_a_call_that_differs_in_anything_starts_its_own_process(
    tmp_path: Path, differs: str
) -> None:
    env = dict(os.environ)
    other = tmp_path / "other"
    other.mkdir()
    assert head_start.start(_WHO, cwd=str(tmp_path), env=env)
    [(_, _, ahead_pid)] = head_start.waiting()
    result = run_external_cli(
        (*_WHO, "x") if differs == "argv" else _WHO,
        timeout_s=30,
        cwd=str(other) if differs == "cwd" else str(tmp_path),
        env={**env, "CODEGENIE_OTHER": "1"} if differs == "env" else env,
        stdin_bytes=b"" if differs == "stdin" else None,
    )
    assert result.ok
    assert int(result.stdout) != ahead_pid
    assert len(head_start.waiting()) == 1  # still waiting for its own call


def test_a_process_never_asked_for_is_killed_with_its_group_at_exit(tmp_path: Path) -> None:
    code = (
        "import os, sys\n"
        "from codegenie_adapters import head_start\n"
        "argv = (sys.executable, '-c', 'import time; time.sleep(60)')\n"
        "head_start.start(argv, cwd=os.getcwd(), env=dict(os.environ))\n"
        "print(head_start.waiting()[0][2], flush=True)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, check=True
    )
    pid = int(done.stdout)
    deadline = time.monotonic() + 10
    while _alive(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _alive(pid)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with open(f"/proc/{pid}/stat", encoding="ascii") as stat:  # a zombie is not running
        return stat.read().rsplit(")", 1)[1].split()[0] != "Z"


def test_only_a_directory_with_a_git_entry_gets_a_head_start(tmp_path: Path) -> None:
    assert head_start.start_git(str(tmp_path), os.environ) == 0
    assert head_start.waiting() == []


def test_a_git_entry_git_does_not_take_for_a_repository_gets_no_head_start(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An empty `.git` directory inside a work tree is no repository: git looks past it, so its
    questions would be a status of the whole repository around it, for a directory the adapter
    walks (Rule 3). A `.git` file (a linked work tree, a submodule) still gets one."""
    isolate_git_config(monkeypatch)
    outer = committed_repo(tmp_path / "outer", {"a.py": "print(1)\n"})
    (outer / "sub" / ".git").mkdir(parents=True)
    assert head_start.start_git(str(outer / "sub"), os.environ) == 0
    assert head_start.waiting() == []
    linked = tmp_path / "linked"
    subprocess.run(
        ["git", "-C", str(outer), "worktree", "add", "-q", "--detach", str(linked)],
        check=True,
        env={**os.environ, "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"},
    )
    assert (linked / ".git").is_file()
    assert head_start.start_git(str(linked), os.environ) == len(head_start.EARLY_QUESTIONS)


def test_a_work_tree_collects_every_question_started_ahead_with_the_same_answers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    isolate_git_config(monkeypatch)
    root = committed_repo(tmp_path / "repo", {"a.py": "print(1)\n", "b.txt": "b\n"})
    (root / "a.py").write_text("print(2)\n")
    (root / "new.txt").write_text("untracked\n")
    real = os.path.realpath(root)
    env = git_environment(os.environ)

    def answers() -> tuple[object, ...]:
        tree = GitWorkTree.detect(real, env=env, timeout_s=60.0)
        assert isinstance(tree, GitWorkTree)
        return tree.object_format, tree.index_table(), tree.status(), tree.state()

    assert head_start.start_git(real, os.environ) == len(head_start.EARLY_QUESTIONS)
    ahead = answers()
    assert head_start.waiting() == []  # each one collected by its question
    assert ahead == answers()  # the same as asked without a head start


def test_a_second_head_start_of_the_same_command_replaces_the_first(tmp_path: Path) -> None:
    env = dict(os.environ)
    sleeper = (sys.executable, "-c", "import time; time.sleep(60)")
    assert head_start.start(sleeper, cwd=str(tmp_path), env=env)
    [(_, _, first)] = head_start.waiting()
    assert head_start.start(sleeper, cwd=str(tmp_path), env=env)
    [(_, _, second)] = head_start.waiting()
    assert second != first
    assert not _alive(first)  # killed and reaped: no answer older than the latest head start


# ---- filter drivers blanked (ADR-0097) ---------------------------------------------------------
def _records(*records: tuple[str, str, str]) -> bytes:
    """`head_start.CONFIG`'s answer: scope NUL key LF value NUL per record."""
    return b"".join(
        os.fsencode(scope) + b"\0" + os.fsencode(f"{key}\n{value}") + b"\0"
        for scope, key, value in records
    )


_ODD_NAMES = ("a=b", 'sp ace "q"=x', "\u00e9t\u00e9", "tab\there\x01", "dots.in.it", "", "CaSe")


def test_the_neutral_environment_blanks_each_repository_driver_after_the_callers_entries() -> None:
    many = [f"d{n}" for n in range(40)]
    config = _records(
        ("local", "remote.origin.url", "https://example.invalid/x.git"),
        *(("local", f"filter.{name}.clean", "sh -c evil") for name in _ODD_NAMES),
        *(("worktree", f"filter.{name}.process", "evil") for name in many),
        ("local", "filter.case.smudge", "evil"),  # a name is case-sensitive: another driver
        ("local", "filter.clean", "no name, no driver"),
        ("global", "filter.lfs.clean", "git-lfs clean -- %f"),  # the user's own: left alone
        ("system", "filter.sys.smudge", "x"),
        ("command", "filter.cmd.clean", "x"),
        ("global", "filter.both.clean", "mine"),
        ("local", "filter.both.required", "true"),  # the repository's too: blanked
    )
    caller = {"PATH": "/bin", "GIT_CONFIG_COUNT": "2", "GIT_CONFIG_KEY_0": "a.b"}
    caller |= {"GIT_CONFIG_VALUE_0": "1", "GIT_CONFIG_KEY_1": "c.d", "GIT_CONFIG_VALUE_1": "2"}
    env = head_start.neutral_environment(caller, config)
    names = sorted({*_ODD_NAMES, *many, "case", "both"})
    assert head_start.repository_filter_drivers(config) == names
    assert {k: env[k] for k in caller if k != "GIT_CONFIG_COUNT"} == {
        k: v for k, v in caller.items() if k != "GIT_CONFIG_COUNT"
    }
    assert env["GIT_CONFIG_COUNT"] == str(2 + 4 * len(names))
    blanked = [
        (env[f"GIT_CONFIG_KEY_{n}"], env[f"GIT_CONFIG_VALUE_{n}"])
        for n in range(2, 2 + 4 * len(names))
    ]
    assert blanked == [
        (f"filter.{name}.{key}", value)
        for name in names
        for key, value in (("clean", ""), ("smudge", ""), ("process", ""), ("required", "false"))
    ]
    assert head_start.neutral_environment({"PATH": "/bin"}, b"") == {"PATH": "/bin"}
    lone = head_start.neutral_environment({}, _records(("local", "filter.x.clean", "evil")))
    assert lone["GIT_CONFIG_COUNT"] == "4" and lone["GIT_CONFIG_KEY_0"] == "filter.x.clean"


def test_the_remotes_are_read_off_the_same_answer_beside_the_drivers() -> None:
    from codegenie_adapters.git_index import parse_remote_urls
    from codegenie_core.ports import Remote

    config = _records(
        ("local", "filter.remote.x.url", "not a remote"),
        ("local", "remote.origin.url", "https://example.invalid/x.git"),
        ("global", "remote.a.b.url", "git@example.invalid:y.git"),
        ("local", "filter.x.clean", "evil"),
    )
    assert parse_remote_urls(config) == (
        Remote(name="a.b", url="git@example.invalid:y.git"),
        Remote(name="origin", url="https://example.invalid/x.git"),
    )


def test_git_reads_each_blanked_key_whole_whatever_the_name_holds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    isolate_git_config(monkeypatch)
    root = init_repo(tmp_path / "repo")
    names = [name for name in _ODD_NAMES if name]  # `git config` will not write an empty one
    for name in names:
        subprocess.run(
            ["git", "config", f"filter.{name}.clean", "sh -c evil"], cwd=root, check=True
        )
    env = git_environment(os.environ)
    asked = run_external_cli(
        head_start.git_argv(head_start.CONFIG), timeout_s=30, cwd=str(root), env=env
    )
    assert head_start.repository_filter_drivers(asked.stdout) == sorted(names)
    neutral = head_start.neutral_environment(env, asked.stdout)
    for name in names:
        seen = subprocess.run(
            ["git", "config", "--get", f"filter.{name}.clean"],
            cwd=root,
            env=neutral,
            capture_output=True,
            check=True,
        )
        assert seen.stdout == b"\n", name  # the blank entry, read last, wins


def test_a_work_tree_with_a_filter_driver_still_collects_its_status_started_ahead(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    isolate_git_config(monkeypatch)
    root = tmp_path / "repo"
    init_repo(root)
    (root / "a.py").write_text("print(1)\n")
    (root / ".gitattributes").write_text("*.py filter=we=ird\n")
    commit_all(root, "one")
    marker = tmp_path / "ran"
    subprocess.run(
        ["git", "config", "filter.we=ird.clean", f"sh -c 'touch {marker}; cat'"],
        cwd=root,
        check=True,
    )
    os.utime(root / "a.py", (1, 1))  # stat-dirty: status compares its content
    real = os.path.realpath(root)
    assert head_start.start_git(real, os.environ) == len(head_start.EARLY_QUESTIONS)
    started = {argv[3]: pid for argv, _, pid in head_start.waiting()}
    assert set(started) == {"status", "rev-parse", "ls-files"}
    tree = GitWorkTree.detect(real, env=git_environment(os.environ), timeout_s=60.0)
    assert isinstance(tree, GitWorkTree)
    tree.index_table()
    assert tree.status() == []  # a.py compared with no driver: its bytes are the blob's
    assert head_start.waiting() == []  # status and ls-files too: the same environment
    assert not marker.exists()
