"""A git revision of a repository, checked out in a temporary detached worktree for `diff --rev`.

Rule 1: the user's work tree is never touched: the revision is resolved to a commit
(`rev-parse --verify --end-of-options`, so a revision cannot pass as an option), checked out with
`git worktree add --detach` into a new temporary directory, and removed with
`git worktree remove --force` (and the directory deleted) when done, also on Ctrl-C (ADR-0060).
Rule 2: the worktree is named after the repository's directory, so the gathered document names
the repository as a gather of the repository itself would.
Rule 3: the repository's hooks never run: its `.git` is as hostile as its files, and
`worktree add` would run its post-checkout hook (`core.hooksPath=/dev/null`, as the portfolio
worker's git; fsmonitor off, as `git_index`'s Rule 2).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Generator
from contextlib import contextmanager

from codegenie_adapters.exec import run_external_cli
from codegenie_core.errors import RepoError

GIT_TIMEOUT_S = 120.0
_NO_PROGRAMS = ("-c", "core.hooksPath=/dev/null", "-c", "core.fsmonitor=false")  # Rule 3


def _git(repo: str, *args: str) -> tuple[bool, str]:
    env = {**os.environ, "LC_ALL": "C", "GIT_TERMINAL_PROMPT": "0"}
    result = run_external_cli(
        ("git", *_NO_PROGRAMS, "-C", repo, *args), timeout_s=GIT_TIMEOUT_S, env=env
    )
    if result.ok:
        return True, result.stdout.decode("utf-8", "replace").strip()
    lines = result.stderr_tail().strip().splitlines()
    return False, (lines[-1].removeprefix("fatal: ") if lines else "git failed")


def resolve(repo: str, rev: str) -> str:
    """The commit `rev` names in `repo`, or a `RepoError` naming it."""
    ok, out = _git(
        repo, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{rev}^{{commit}}"
    )
    if not ok or not out:
        raise RepoError(f"--rev {rev!r}: not a commit in {repo}", path=repo)
    return out


@contextmanager
def checked_out(repo: str, rev: str) -> Generator[str]:
    """A temporary detached worktree of `repo` at `rev`, removed on exit (Rule 1)."""
    commit = resolve(repo, rev)
    parent = tempfile.mkdtemp(prefix="codegenie-rev-")
    path = os.path.join(parent, os.path.basename(os.path.abspath(repo)) or "repo")
    try:
        ok, why = _git(repo, "worktree", "add", "--detach", "--quiet", path, commit)
        if not ok:
            raise RepoError(f"--rev {rev!r}: cannot check out {commit[:12]}: {why}", path=repo)
        yield path
    finally:
        if os.path.isdir(path):
            _git(repo, "worktree", "remove", "--force", path)
        shutil.rmtree(parent, ignore_errors=True)
        _git(repo, "worktree", "prune")
