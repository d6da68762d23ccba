"""A warm gather whose every key hits imports no probe's code (ADR-0077): the registry knows the
built-ins from the catalog, serves their hits before asking them anything, and skips a probe with
nothing to look at, or one whose option is off, without its module."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.git_repos import commit_all, init_repo, isolate_git_config

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "portfolio" / "python-service"

# Run the CLI in a fresh interpreter; its summary on stdout, what it imported on stderr's last line.
_CODE = (
    "import sys, json\n"
    "from codegenie_cli.main import main\n"
    "try:\n"
    "    main(sys.argv[1:])\n"
    "except SystemExit as done:\n"
    "    assert not done.code, done.code\n"
    "print(json.dumps(sorted(sys.modules)), file=sys.stderr)\n"
)

# The probes' own modules, what they parse with, and the runner layer C builds with.
PROBE_CODE = (
    "codegenie_core.probes.layer_",
    "codegenie_core.parsers.",
    "codegenie_adapters.docker_strace",
    "cattrs",
    "codegenie_adapters.serde",
)


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    isolate_git_config(monkeypatch)
    root = tmp_path / "repo"
    shutil.copytree(FIXTURE, root)
    init_repo(root)
    commit_all(root, "fixture")
    return root


def gathered(repo: Path, cache: Path, *options: str) -> tuple[dict[str, Any], list[str]]:
    argv = ["gather", str(repo), "--cache-dir", str(cache), "--format", "json", "-q", *options]
    out = subprocess.run(
        [sys.executable, "-c", _CODE, *argv], capture_output=True, text=True, check=False
    )
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout), json.loads(out.stderr.splitlines()[-1])


def probe_code(modules: list[str]) -> list[str]:
    return [m for m in modules if m.startswith(PROBE_CODE)]


def test_a_warm_gather_of_layers_a_and_b_imports_no_probe_code(repo: Path, tmp_path: Path) -> None:
    _, cold_modules = gathered(repo, tmp_path / "cache", "--layer", "a,b")
    warm, warm_modules = gathered(repo, tmp_path / "cache", "--layer", "a,b")
    outcomes = {name: p["outcome"] for name, p in warm["probes"].items()}
    # compose has no file to read (skipped by its globs), scip_index was not asked to index (its
    # option is off): neither needs its code to say so; every other probe is served cached.
    assert outcomes == {
        "ci": "skipped",
        "compose": "skipped",
        "dockerfile": "cached",
        "git": "cached",
        "index_health": "cached",
        "languages": "cached",
        "manifests": "cached",
        "scip_index": "skipped",
    }
    assert "codegenie_core.probes.layer_a.manifests" in cold_modules  # the cold gather ran it
    assert probe_code(warm_modules) == []


# What the runtime trace's key reads the base images with: the Dockerfile and compose parsers
# (and the layer C model they name), plus the plain-data hook `loaded_dependencies` declines with.
LAYER_C_KEY = (
    "codegenie_core.parsers.compose_",
    "codegenie_core.parsers.dockerfile",
    "codegenie_core.parsers.image_reference",
    "codegenie_core.parsers.line_windows",
    "codegenie_core.parsers.port_probe",
    "codegenie_core.parsers.strace",
    "codegenie_core.probes.layer_a.compose",
    "codegenie_core.probes.layer_a.dockerfile",
    "codegenie_core.probes.layer_a.inputs",
    "codegenie_core.probes.layer_c.base_images",
    "codegenie_core.probes.layer_c.dockerfiles",
    "codegenie_core.probes.layer_c.model",
    "codegenie_core.probes.layer_c.join_inputs",
)
PACKAGES = ("codegenie_core.probes.layer_a", "codegenie_core.probes.layer_c")


def test_a_warm_gather_of_every_layer_imports_only_what_the_layer_c_key_reads(
    repo: Path, tmp_path: Path
) -> None:
    # The runtime trace's key holds the base images' digests, so the Dockerfile (and compose)
    # parsers it chooses and reads them with still load. `loaded_dependencies` declines on the
    # cached `manifests` and `runtime_trace` entries as stored (nothing was traced), so neither
    # is structured: no cattrs, no slice class, no probe's own module (ADR-0085). Cold, it
    # declines on `runtime_trace`'s computed slice as its fields, so its module is not loaded
    # either (ADR-0090).
    cold, cold_modules = gathered(repo, tmp_path / "cache")
    warm, warm_modules = gathered(repo, tmp_path / "cache")
    assert warm["gather"]["ran"] == 0
    assert warm["probes"]["loaded_dependencies"]["outcome"] == "skipped"
    assert cold["probes"]["loaded_dependencies"]["outcome"] == "skipped"
    assert "codegenie_core.probes.layer_c.runtime_trace" in cold_modules  # it ran
    assert "codegenie_core.probes.layer_c.loaded_dependencies" not in cold_modules
    loaded = probe_code(warm_modules)
    assert [m for m in loaded if not m.startswith(LAYER_C_KEY) and m not in PACKAGES] == []


def test_warm_and_cold_documents_are_the_same_but_for_the_gather_report(
    repo: Path, tmp_path: Path
) -> None:
    cold, _ = gathered(repo, tmp_path / "cache", "--layer", "a,b")
    warm, _ = gathered(repo, tmp_path / "cache", "--layer", "a,b")
    uncached, _ = gathered(repo, tmp_path / "other", "--layer", "a,b", "--no-cache")
    every_cold, _ = gathered(repo, tmp_path / "every")
    every_warm, _ = gathered(repo, tmp_path / "every")
    every_uncached, _ = gathered(repo, tmp_path / "other", "--no-cache")

    def facts(document: dict[str, Any]) -> dict[str, object]:
        probes: dict[str, dict[str, object]] = document["probes"]
        timing = ("outcome", "duration_ms", "cache_key")
        return {
            "repo": document["repo"],
            "probes": {
                name: {k: v for k, v in probe.items() if k not in timing}
                for name, probe in probes.items()
            },
        }

    assert facts(warm) == facts(cold) == facts(uncached)
    assert facts(every_warm) == facts(every_cold) == facts(every_uncached)  # layer C too


# What a warm gather does not use (ADR-0091): the portfolio command group and its model, the cache
# maintenance values, and the standard library modules only other commands, a write, a remote
# cache or a third-party probe need.
NOT_ON_THE_WARM_PATH = (
    "codegenie_cli.portfolio",
    "codegenie_cli.portfolio_gather",
    "codegenie_cli.portfolio_report",
    "codegenie_core.portfolio",
    "codegenie_core.maintenance",
    "shutil",
    "configparser",
    "urllib.parse",
    "secrets",
    "gzip",
)


def test_a_warm_gather_from_the_entry_point_imports_no_portfolio_maintenance_or_unused_stdlib(
    repo: Path, tmp_path: Path
) -> None:
    code = _CODE.replace(
        "from codegenie_cli.main import main", "from codegenie_cli.launch import main"
    )
    argv = ["gather", str(repo), "--cache-dir", str(tmp_path / "cache"), "--format", "json", "-q"]
    for _ in range(2):  # cold, then warm
        out = subprocess.run(
            [sys.executable, "-c", code, *argv], capture_output=True, text=True, check=False
        )
        assert out.returncode == 0, out.stderr
    modules: list[str] = json.loads(out.stderr.splitlines()[-1])
    assert json.loads(out.stdout)["gather"]["ran"] == 0
    assert [m for m in modules if m in NOT_ON_THE_WARM_PATH] == []
