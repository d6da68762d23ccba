"""`-v` reaches the portfolio's workers: their adapter messages appear at the driver's level."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests._ci_support.requires_tool import requires_tool
from tests.git_repos import commit_all, init_repo, isolate_git_config, write

ROOT = Path(__file__).resolve().parents[2]

pytestmark = [requires_tool("git"), pytest.mark.integration]


def _portfolio_gather(tmp_path: Path, *flags: str) -> str:
    argv = [
        sys.executable, "-m", "codegenie_cli", "portfolio", "gather", str(tmp_path / "top"),
        "--recursive", "--store", str(tmp_path / f"s{len(flags)}.sqlite"),
        "--cache-dir", str(tmp_path / "cache"), "--layer", "a", "-j", "1", *flags,
    ]  # fmt: skip
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
    }
    done = subprocess.run(argv, env=env, capture_output=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr.decode()
    return done.stderr.decode()


def test_vv_shows_the_workers_git_calls_and_the_default_does_not(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    isolate_git_config(monkeypatch)
    root = init_repo(tmp_path / "top" / "repo")
    write(root, "app.py", b"print(1)\n")
    commit_all(root, "first")
    verbose = _portfolio_gather(tmp_path, "-vv")
    assert "codegenie-cli: debug: exec ('git', '-c', 'core.fsmonitor=false', 'rev-parse'" in verbose
    assert "exec (" not in _portfolio_gather(tmp_path)
