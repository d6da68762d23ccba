"""An entry-point probe of layer A that needs a built-in probe of layer B, gathered with
`--layer a`: the plan pulls the needed probe in (as `--probe` does), it is not "unknown"."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

PLUGIN = """
import attrs

@attrs.frozen
class NeedySlice:
    files: int

class Needy:
    name = "needy"
    version = 1
    layer = "a"
    declared_inputs = ()
    needs = ("index_health",)
    slice_type = NeedySlice
    schema_version = 1
    timeout_s = 10.0
    heaviness = "light"

    def applies(self, ctx):
        return False

    def run(self, ctx):
        raise AssertionError("not applicable, never run")
"""


def test_a_layer_a_plugin_needing_a_layer_b_probe_runs_with_layer_a(tmp_path: Path) -> None:
    site = tmp_path / "site"
    info = site / "acme_needy-0.1.dist-info"
    info.mkdir(parents=True)
    (site / "acme_needy.py").write_text(PLUGIN)
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: acme-needy\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text("[codegenie.probes]\nneedy = acme_needy:Needy\n")
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "a.py").write_text("x = 1\n")
    env = dict(os.environ) | {"PYTHONPATH": os.pathsep.join([str(site), *sys.path])}
    done = subprocess.run(
        [sys.executable, "-m", "codegenie_cli", "gather", str(repo), "--layer", "a",
         "--no-cache", "--format", "json"],
        env=env, capture_output=True, text=True, timeout=120, check=False, stdin=subprocess.DEVNULL,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    probes = json.loads(done.stdout)["probes"]
    assert probes["needy"]["outcome"] == "skipped"
    assert probes["index_health"]["outcome"] in ("ran", "skipped")
    assert "runtime_trace" not in probes  # only what the plugin needs comes in (with its needs)
