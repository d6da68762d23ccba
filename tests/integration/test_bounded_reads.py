"""Huge files gather in bounded memory (ADR-0026): two sparse 2 GiB files, one named like a
manifest and one like source, are sized from stat, never read whole, and the oversized manifest is
reported with its path; the gather runs in its own process so its peak RSS can be measured."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests._ci_support.requires_tool import requires_tool
from tests.git_repos import ISOLATED_CONFIG, commit_all, init_repo

ROOT = Path(__file__).resolve().parents[2]
TWO_GIB = 2 * 2**30
PEAK_RSS_BOUND_KIB = 150 * 1024
# Runs the gather as its only child and prints the child's peak RSS (KiB, Linux) after its output,
# so the measure is the gather's alone, not any other process this test run has waited for.
MEASURE = """
import resource, subprocess, sys
done = subprocess.run(sys.argv[1:], capture_output=True, timeout=120)
sys.stderr.buffer.write(done.stderr)
sys.stdout.buffer.write(done.stdout)
print(f"\\nPEAK_RSS_KIB {resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}", file=sys.stderr)
sys.exit(done.returncode)
"""


def huge_repo(root: Path) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    for name in ("package.json", "big.py"):
        with open(root / name, "wb") as handle:
            handle.truncate(TWO_GIB)  # sparse: no disk blocks, but 2 GiB to anything that reads
    (root / "small.py").write_text("print('hi')\n")
    return root


def gather_measured(repo: Path, cache: Path) -> tuple[dict[str, object], int]:
    argv = [
        sys.executable, "-c", MEASURE,
        sys.executable, "-m", "codegenie_cli", "gather", str(repo),
        "--layer", "a,b", "--cache-dir", str(cache), "--format", "json",
    ]  # fmt: skip
    done = subprocess.run(
        argv,
        cwd=ROOT,
        capture_output=True,
        timeout=150,
        env={**os.environ, **ISOLATED_CONFIG},
        check=False,
    )
    stderr = done.stderr.decode(errors="replace")
    assert done.returncode == 0, stderr
    peak = int(stderr.rsplit("PEAK_RSS_KIB ", 1)[1].split()[0])
    return json.loads(done.stdout), peak


def assert_bounded_gather(document: dict[str, object], peak_kib: int) -> None:
    probes = document["probes"]
    assert isinstance(probes, dict)
    outcomes = {name: fields["outcome"] for name, fields in probes.items()}
    assert "failed" not in outcomes.values(), outcomes
    assert outcomes["languages"] == outcomes["manifests"] == "ran"
    manifests = probes["manifests"]
    assert manifests["confidence"] == "low"
    assert {"path": "package.json", "message": "unreadable: larger than 16 MiB"} in [
        {k: p[k] for k in ("path", "message")} for p in manifests["slice"]["problems"]
    ]
    python = [t for t in probes["languages"]["slice"]["languages"] if t["language"] == "Python"]
    # a 2 GiB file is too large to count lines in (ADR-0076): only small.py's lines count
    assert python == [
        {
            "language": "Python",
            "files": 2,
            "bytes": TWO_GIB + 12,
            "code": 1,
            "comment": 0,
            "blank": 0,
        }
    ]
    # both huge files (the Python one and package.json) are too large to count
    assert probes["languages"]["slice"]["uncounted"] == {"files": 2, "bytes": 2 * TWO_GIB}
    assert peak_kib < PEAK_RSS_BOUND_KIB


@pytest.mark.skipif(sys.platform != "linux", reason="ru_maxrss is in KiB on Linux only")
def test_two_huge_files_gather_in_bounded_memory(tmp_path: Path) -> None:
    document, peak = gather_measured(huge_repo(tmp_path / "repo"), tmp_path / "cache")
    assert_bounded_gather(document, peak)


@pytest.mark.skipif(sys.platform != "linux", reason="ru_maxrss is in KiB on Linux only")
@requires_tool("git")
def test_two_huge_untracked_files_in_a_git_work_tree_gather_in_bounded_memory(
    tmp_path: Path,
) -> None:
    root = init_repo(tmp_path / "repo")
    (root / "small.py").write_text("print('hi')\n")
    commit_all(root, "small")
    document, peak = gather_measured(huge_repo(root), tmp_path / "cache")
    assert_bounded_gather(document, peak)
    git = document["probes"]
    assert isinstance(git, dict)
    assert git["git"]["outcome"] == "ran"
