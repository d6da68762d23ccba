"""`codegenie-cli diff --rev A --rev B REPO`: each revision gathered, with the real probes, in a
temporary detached worktree that is removed afterwards; the user's work tree is never touched
(ADR-0060)."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

from click.testing import CliRunner

from codegenie_cli.main import cli
from tests._ci_support.requires_tool import requires_tool
from tests.git_repos import committed_repo


def git(repo: Path, *args: str) -> None:
    who = {"NAME": "t", "EMAIL": "t@t"}
    env = {
        **os.environ,
        **{f"GIT_{r}_{k}": v for r in ("AUTHOR", "COMMITTER") for k, v in who.items()},
    }
    subprocess.run(["git", "-C", str(repo), *args], check=True, env=env, capture_output=True)


@requires_tool("git")
def test_diff_of_two_revisions_gathers_each_in_a_temporary_worktree(tmp_path: Path) -> None:
    repo = tmp_path / "svc"
    repo.mkdir()
    git(repo, "init", "-q")
    (repo / "requirements.txt").write_text("attrs==23.1.0\n")
    (repo / "Dockerfile").write_text("FROM python:3.11-slim\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "one")
    (repo / "requirements.txt").write_text("attrs==23.2.0\nzod==1.0\n")
    (repo / "Dockerfile").write_text("FROM python:3.12-slim\n")
    git(repo, "commit", "-qam", "two")
    (repo / "requirements.txt").write_text("uncommitted==9\n")  # the work tree is the user's
    result = CliRunner().invoke(
        cli,
        ["diff", "--rev", "HEAD~1", "--rev", "HEAD", str(repo), "--layer", "a", "--format", "json",
         "--cache-dir", str(tmp_path / "cache")],
        catch_exceptions=False,
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["dependencies_bumped"] == [
        {"subject": "pypi:attrs", "old": "23.1.0", "new": "23.2.0"}
    ]
    assert [c["subject"] for c in data["dependencies_added"]] == ["pypi:zod"]
    assert data["base_images"][0]["new"] == "python:3.12-slim"
    assert (repo / "requirements.txt").read_text() == "uncommitted==9\n"
    listed = subprocess.run(
        ["git", "-C", str(repo), "worktree", "list"], capture_output=True, text=True, check=True
    )
    assert len(listed.stdout.splitlines()) == 1  # the temporary worktrees are gone


@requires_tool("git")
def test_a_revision_that_is_no_commit_is_one_line(tmp_path: Path) -> None:
    repo = committed_repo(tmp_path / "svc", {"a.txt": "a\n"})
    args = ["diff", "--rev", "HEAD", "--rev", "--upload-pack=x", str(repo)]
    result = CliRunner().invoke(cli, args, catch_exceptions=False)
    assert result.exit_code == 2
    assert (
        result.stderr == f"codegenie-cli: error: --rev '--upload-pack=x': not a commit in {repo}\n"
    )


@requires_tool("git")
def test_checking_a_revision_out_runs_none_of_the_repositorys_hooks(tmp_path: Path) -> None:
    """The repository's `.git/hooks` are its own, hostile like the rest: `git worktree add` would
    run its post-checkout hook in the user's session (hooks off, as the portfolio worker's git)."""
    repo = committed_repo(tmp_path / "svc", {"a.txt": "a\n"})
    ran = tmp_path / "hook-ran"
    hook = repo / ".git" / "hooks" / "post-checkout"
    hook.write_text(f"#!/bin/sh\ntouch '{ran}'\n")
    hook.chmod(0o755)
    args = ["diff", "--rev", "HEAD", "--rev", "HEAD", str(repo), "--layer", "a",
            "--cache-dir", str(tmp_path / "cache")]  # fmt: skip
    result = CliRunner().invoke(cli, args, catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    assert not ran.exists()
