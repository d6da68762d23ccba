"""A repository's own git configuration defines filter drivers whose commands would run a program:
no gather, `diff --rev` checkout or portfolio reset runs one (ADR-0097, `git_index`'s Rule 2).

Each driver's command touches a marker file; the marker must not appear. The drivers' names are
the awkward ones git allows (`=`, quotes, UTF-8), which `-c name=value` could not carry."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

import pytest
from click.testing import CliRunner

from codegenie_adapters import head_start, revisions
from codegenie_adapters.exec import ExecResult
from codegenie_adapters.portfolio_worker import clone_path, gather_task
from codegenie_cli.main import cli
from codegenie_core.config import GatherConfig
from codegenie_core.errors import RepoError
from codegenie_core.portfolio import RepoGathered, RepoTask, TaskSpec
from tests._ci_support.requires_tool import requires_tool
from tests.git_repos import commit_all, git, init_repo, isolate_git_config, write

# (attribute value in .gitattributes, the files it applies to, the driver's key it is defined by)
_DRIVERS = (
    ("evil", "*.py", "clean"),
    ('we=ird"q"\u00e9', "*.txt", "smudge"),
    ("proc", "*.md", "process"),
)


def _attributes(root: Path) -> None:
    lines = "".join(f"{pattern} filter={name}\n" for name, pattern, _ in _DRIVERS)
    write(root, ".gitattributes", lines.encode())


def _arm(root: Path, marker: Path) -> None:
    """Give `root`'s own config a driver of each kind whose command touches `marker`."""
    command = f"sh -c 'touch {marker}; cat'"
    for name, _, key in _DRIVERS:
        git(root, "config", f"filter.{name}.{key}", command)


def _repository(root: Path, marker: Path) -> Path:
    init_repo(root)
    write(root, "a.py", b"x = 1\n")
    write(root, "notes.txt", b"notes\n")
    write(root, "README.md", b"# r\n")
    _attributes(root)
    commit_all(root, "one")
    git(root, "commit", "-q", "--allow-empty", "-m", "two")
    _arm(root, marker)
    for name in ("a.py", "notes.txt", "README.md"):
        os.utime(root / name, (1, 1))  # stat-dirty: `git status` compares its content
    return root


def _cli() -> str:
    return os.path.join(os.path.dirname(sys.executable), "codegenie-cli")


@requires_tool("git")
def test_a_gather_runs_no_filter_driver_of_the_repositorys_config(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    isolate_git_config(monkeypatch)
    marker = tmp_path / "pwned"
    repo = _repository(tmp_path / "repo", marker)
    done = subprocess.run(  # the real entry point: its head start included (ADR-0091)
        [_cli(), "gather", str(repo), "--cache-dir", str(tmp_path / "cache")],
        capture_output=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr.decode(errors="replace")
    assert not marker.exists()
    result = CliRunner().invoke(
        cli, ["gather", str(repo), "--no-cache"], catch_exceptions=False
    )  # the adapter alone, no head start
    assert result.exit_code == 0, result.stderr
    assert not marker.exists()


@requires_tool("git")
def test_a_gather_runs_no_filter_driver_of_a_submodules_own_config(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    isolate_git_config(monkeypatch)
    marker = tmp_path / "pwned"
    library = init_repo(tmp_path / "library")
    write(library, "lib.py", b"lib = 1\n")
    write(library, ".gitattributes", b"*.py filter=subevil\n")
    commit_all(library, "library")
    repo = init_repo(tmp_path / "repo")
    write(repo, "top.py", b"top = 1\n")
    git(repo, "-c", "protocol.file.allow=always", "submodule", "-q", "add", str(library), "sm")
    commit_all(repo, "with a submodule")
    git(repo / "sm", "config", "filter.subevil.clean", f"sh -c 'touch {marker}; cat'")
    os.utime(repo / "sm" / "lib.py", (1, 1))
    result = CliRunner().invoke(cli, ["gather", str(repo), "--no-cache"], catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    assert not marker.exists()


@requires_tool("git")
def test_a_diff_of_revisions_checks_out_without_running_a_filter_driver(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    isolate_git_config(monkeypatch)
    marker = tmp_path / "pwned"
    repo = _repository(tmp_path / "repo", marker)
    result = CliRunner().invoke(
        cli,
        ["diff", "--rev", "HEAD~1", "--rev", "HEAD", str(repo), "--layer", "a",
         "--format", "json", "--cache-dir", str(tmp_path / "cache")],
        catch_exceptions=False,
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert not marker.exists()


@requires_tool("git")
def test_a_reused_clone_is_reset_without_running_its_filter_drivers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    isolate_git_config(monkeypatch)
    marker = tmp_path / "pwned"
    upstream = init_repo(tmp_path / "upstream")
    write(upstream, "app.py", b"print('v1')\n")
    commit_all(upstream, "v1")
    url = f"file://{upstream}"
    cache = tmp_path / "cache"
    spec = TaskSpec(
        config=GatherConfig(layers=frozenset({"a"})),
        cache_dir=str(cache),
        cache_max_bytes=2**30,
        timeout_s=120.0,
    )
    task = RepoTask(key=url, kind="url", needs_engine=False)
    assert isinstance(gather_task(task, spec), RepoGathered)
    clone = Path(clone_path(str(cache), url))
    _arm(clone, marker)  # the clone's config, on disk where it is reused
    write(upstream, "app.py", b"print('v2')\n")
    write(upstream, "notes.txt", b"notes\n")
    write(upstream, "README.md", b"# r\n")
    _attributes(upstream)
    commit_all(upstream, "v2")
    second = gather_task(task, spec)
    assert isinstance(second, RepoGathered), second
    assert (clone / "app.py").read_text() == "print('v2')\n"
    assert not marker.exists()


@requires_tool("git")
def test_a_revision_whose_configuration_cannot_be_read_is_refused_before_its_checkout(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    isolate_git_config(monkeypatch)
    repo = _repository(tmp_path / "repo", tmp_path / "pwned")
    real = revisions.run_external_cli
    asked: list[tuple[str, ...]] = []

    def config_fails(
        argv: tuple[str, ...], *, timeout_s: float, env: Mapping[str, str]
    ) -> ExecResult:
        asked.append(argv)
        if argv[-len(head_start.CONFIG) :] == head_start.CONFIG:
            failed = b"fatal: bad config line 3 in file .git/config\n"
            return ExecResult(argv=argv, exit_code=128, stdout=b"", stderr=failed, duration_s=0)
        return real(argv, timeout_s=timeout_s, env=env)

    monkeypatch.setattr(revisions, "run_external_cli", config_fails)
    checkout = revisions.checked_out(str(repo), "HEAD")
    with pytest.raises(RepoError, match="bad config line 3"), checkout:
        pass
    assert [argv[-len(head_start.CONFIG) :] for argv in asked][-1] == head_start.CONFIG
    assert not any("worktree" in argv for argv in asked)
