"""The stale-scip fixture: stale by one commit, reproducible, and guarded against drift."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from codegenie_adapters.fakes import FakeClock, ScriptedYaml
from codegenie_adapters.local_repo import open_repo
from codegenie_adapters.scip_reader import ScipReader
from codegenie_core.config import GatherConfig
from codegenie_core.probe import Envelope, ProbeContext
from codegenie_core.probes.layer_b.index_health import IndexHealthProbe
from codegenie_core.probes.layer_b.model import Stale
from tests._ci_support.requires_tool import requires_tool
from tests.git_repos import git, isolate_git_config

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "portfolio" / "stale-scip"
SCRIPT = FIXTURE / "regenerate.sh"


def _bundle_head(bundle: Path) -> str:
    return git(bundle.parent, "bundle", "list-heads", str(bundle), "HEAD").split()[0]


def _regenerate(out: Path, *, index_at: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "PYTHON": sys.executable,
        "STALE_SCIP_OUT": str(out),
        "STALE_SCIP_INDEX_AT": index_at,
    }
    return subprocess.run(
        ["bash", str(SCRIPT)], env=env, capture_output=True, text=True, check=False, timeout=300
    )


@requires_tool("git")
def test_the_committed_fixture_is_one_commit_behind_naming_the_changed_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    isolate_git_config(monkeypatch)
    root = tmp_path / "stale-scip"
    git(tmp_path, "clone", "-q", str(FIXTURE / "repo.bundle"), str(root))
    own = root / ".codegenie" / "index" / "scip-typescript"
    own.mkdir(parents=True)
    shutil.copy(FIXTURE / "index.scip", own / "index.scip")
    shutil.copy(FIXTURE / "index.json", own / "index.json")
    ctx = ProbeContext(
        repo=open_repo(str(root)),
        config=GatherConfig(),
        clock=FakeClock(),
        yaml=ScriptedYaml(),
        index_reader=ScipReader(str(root)),
    )
    envelope = IndexHealthProbe().run(ctx)
    assert isinstance(envelope, Envelope)
    (health,) = envelope.slice.indexes
    assert isinstance(health, Stale)
    first = git(root, "rev-list", "--max-parents=0", "HEAD").strip()
    assert (health.last_indexed, health.commits_behind, health.changed_files) == (
        first,
        1,
        ("src/greet.ts",),
    )


@requires_tool("scip-typescript", "git")
def test_regenerating_gives_the_same_commits_as_the_committed_bundle(tmp_path: Path) -> None:
    done = _regenerate(tmp_path / "out", index_at="1")
    assert done.returncode == 0, done.stderr
    assert _bundle_head(tmp_path / "out" / "repo.bundle") == _bundle_head(FIXTURE / "repo.bundle")


@requires_tool("scip-typescript", "git")
def test_the_guard_refuses_an_index_made_at_the_bundles_head_and_writes_nothing(
    tmp_path: Path,
) -> None:
    out = tmp_path / "out"
    done = _regenerate(out, index_at="2")
    assert done.returncode == 1
    assert "refusing to write the fixture" in done.stderr
    assert not out.exists()
