"""Real git repositories for tests: fixed identities and dates, no user or system config."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

# Fixed author and committer, so commit ids are the same on every machine and every run.
_IDENTITY = {
    "GIT_AUTHOR_NAME": "Codegenie Test",
    "GIT_AUTHOR_EMAIL": "test@example.invalid",
    "GIT_AUTHOR_DATE": "2026-01-01T00:00:00+0000",
    "GIT_COMMITTER_NAME": "Codegenie Test",
    "GIT_COMMITTER_EMAIL": "test@example.invalid",
    "GIT_COMMITTER_DATE": "2026-01-01T00:00:00+0000",
}
# Neither the user's nor the system's git config (a global excludesFile would hide files).
ISOLATED_CONFIG = {"GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}


def isolate_git_config(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make every git the test starts, the adapter's included, ignore user and system config."""
    for name, value in ISOLATED_CONFIG.items():
        monkeypatch.setenv(name, value)


def git(root: Path, *args: str | bytes) -> str:
    """Run git in `root` and return its stdout; a failure fails the test with git's message."""
    done = subprocess.run(
        ["git", *args],
        cwd=root,
        env={**os.environ, **_IDENTITY, **ISOLATED_CONFIG},
        capture_output=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr.decode(errors="replace")
    return done.stdout.decode("utf-8", "surrogateescape")


def init_repo(root: Path, *, object_format: str | None = None) -> Path:
    """An empty repository on branch `main` at `root`."""
    root.mkdir(parents=True, exist_ok=True)
    extra = () if object_format is None else (f"--object-format={object_format}",)
    git(root, "init", "-q", "-b", "main", *extra)
    return root


def commit_all(root: Path, message: str) -> str:
    """Stage everything (respecting ignores) and commit; the new HEAD."""
    git(root, "add", "-A")
    git(root, "commit", "-q", "--allow-empty", "-m", message)
    return git(root, "rev-parse", "HEAD").strip()


def committed_repo(root: Path, files: dict[str, str]) -> Path:
    """A repository at `root` holding `files` (name to text), all committed."""
    init_repo(root)
    for name, text in files.items():
        (root / name).write_text(text)
    commit_all(root, "one")
    return root


def write(root: Path, relative: str | bytes, data: bytes) -> None:
    """Write `data` at `relative` (bytes for a name that is not UTF-8), creating directories; a
    symlink there is replaced by the file, never written through (it may dangle or loop)."""
    path = os.path.join(os.fsencode(root), os.fsencode(relative))
    os.makedirs(os.path.dirname(path), exist_ok=True)
    if os.path.islink(path):
        os.unlink(path)
    with open(path, "wb") as handle:
        handle.write(data)
