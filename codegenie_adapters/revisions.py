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
Rule 4: the checkout runs none of the filter drivers the repository's own configuration defines:
`head_start.CONFIG` is asked first, and the worktree is added and removed in its
`neutral_environment`; a configuration git cannot read refuses the revision (ADR-0097).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Generator, Mapping
from contextlib import contextmanager

from codegenie_adapters.exec import ExecResult, run_external_cli
from codegenie_adapters.head_start import CONFIG, config_answer, neutral_environment
from codegenie_core.errors import RepoError

GIT_TIMEOUT_S = 120.0
_NO_PROGRAMS = ("-c", "core.hooksPath=/dev/null", "-c", "core.fsmonitor=false")  # Rule 3


def _run(repo: str, args: tuple[str, ...], env: Mapping[str, str]) -> ExecResult:
    return run_external_cli(
        ("git", *_NO_PROGRAMS, "-C", repo, *args), timeout_s=GIT_TIMEOUT_S, env=env
    )


def _git(repo: str, *args: str, env: Mapping[str, str] | None = None) -> tuple[bool, str]:
    result = _run(repo, args, _plain_env() if env is None else env)
    if result.ok:
        return True, result.stdout.decode("utf-8", "replace").strip()
    lines = result.stderr_tail().strip().splitlines()
    return False, (lines[-1].removeprefix("fatal: ") if lines else "git failed")


def _plain_env() -> dict[str, str]:
    return {**os.environ, "LC_ALL": "C", "GIT_TERMINAL_PROMPT": "0"}


def _neutral_env(repo: str, rev: str) -> dict[str, str]:
    """The environment of a checkout of `repo` where none of its filter drivers runs (Rule 4)."""
    env = _plain_env()
    asked = _run(repo, CONFIG, env)
    config = None if asked.truncated else config_answer(asked.exit_code, asked.stdout)
    if config is None:
        lines = asked.stderr_tail().strip().splitlines()
        raise RepoError(
            f"--rev {rev!r}: cannot read the configuration of {repo}: "
            f"{lines[-1] if lines else 'git failed'}",
            path=repo,
        )
    return neutral_environment(env, config)


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
    env = _neutral_env(repo, rev)
    parent = tempfile.mkdtemp(prefix="codegenie-rev-")
    path = os.path.join(parent, os.path.basename(os.path.abspath(repo)) or "repo")
    try:
        ok, why = _git(repo, "worktree", "add", "--detach", "--quiet", path, commit, env=env)
        if not ok:
            raise RepoError(f"--rev {rev!r}: cannot check out {commit[:12]}: {why}", path=repo)
        yield path
    finally:
        if os.path.isdir(path):
            _git(repo, "worktree", "remove", "--force", path, env=env)
        shutil.rmtree(parent, ignore_errors=True)
        _git(repo, "worktree", "prune", env=env)
