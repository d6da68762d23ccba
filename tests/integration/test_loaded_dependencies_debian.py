"""Live (ADR-0074): on the real Debian image, a declared dependency installed into dist-packages
and imported is `loaded`, a declared one never imported is `not-observed`, through the whole
`gather` (manifests, runtime_trace, loaded_dependencies) and into the report."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from tests._ci_support.requires_tool import requires_tool

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "runtime" / "python-deps"
NEEDS = requires_tool("debian-image", "docker", "strace", "linux")


@NEEDS
def test_the_imported_dependency_is_loaded_and_the_other_is_not_observed(tmp_path: Path) -> None:
    root = tmp_path / "python-deps"
    shutil.copytree(FIXTURE, root)
    out = tmp_path / "out"
    env = os.environ | {"CODEGENIE_CACHE_DIR": str(tmp_path / "cache")}
    argv = [
        sys.executable, "-m", "codegenie_cli", "gather", str(root), "--layer", "a,c",
        "--no-cache", "--output", str(out), "--format", "json",
    ]  # fmt: skip
    ran = subprocess.run(
        argv,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        stdin=subprocess.DEVNULL,
        check=False,
    )
    assert ran.returncode == 0, ran.stderr[-3000:]
    document = json.loads((out / "context.json").read_text(encoding="utf-8"))
    trace = document["probes"]["runtime_trace"]["slice"]
    assert trace["status"] == "traced", trace["problems"]
    assert "/usr/lib/python3/dist-packages/tinylib/__init__.py" in trace["files_read"]
    entry = document["probes"]["loaded_dependencies"]
    loads = {d["name"]: d for d in entry["slice"]["dependencies"]}
    assert set(loads) == {"tinylib", "never-imported"}
    tinylib, never = loads["tinylib"], loads["never-imported"]
    assert (tinylib["status"], tinylib["confidence"]) == ("loaded", "high")
    assert "default" in tinylib["scenarios"]
    assert tinylib["manifests"] == ["requirements.txt"]
    assert never["status"] == "not-observed"  # dist-packages was read: never "unused"
    assert never["confidence"] in ("medium", "low") and never["scenarios"] == []
    assert "pypi" in entry["slice"]["ecosystems_observed"]
    report = (out / "report.md").read_text(encoding="utf-8")
    section = report[report.index("## Declared but never loaded") : report.index("## Facts")]
    rows = [line for line in section.splitlines() if line.startswith("| ")]
    assert any(row.startswith("| tinylib | pypi |  | loaded | default") for row in rows), rows
    assert any(row.startswith("| never-imported | pypi |  | not-observed | — |") for row in rows)
    assert "`never-imported`" in report[: report.index("## Summary")]  # a next step names it
    assert "not observed is not unused" in report
