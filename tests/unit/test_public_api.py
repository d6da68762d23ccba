"""The public Python API: one entry point over real ports, the pure gather over any ports, and
the same document the CLI writes (see ADR-0034)."""

from __future__ import annotations

import ast
import gc
import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

import codegenie_adapters
import codegenie_core
from codegenie_adapters import gather_repository
from codegenie_adapters.collector import GATHER_THRESHOLDS
from codegenie_adapters.fakes import FakeClock, FakeRepo, ScriptedYaml
from codegenie_adapters.serde import plain_data
from codegenie_cli.main import cli
from codegenie_core import GatherConfig, ProbeContext, gather
from codegenie_core.errors import RepoError
from codegenie_core.outcomes import Failed, Ran
from codegenie_core.report.context import without_timings
from tests.support import CountSlice, registry_of, scripted, threshold_recording_registry

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = ROOT / "tests" / "fixtures" / "portfolio" / "python-service"
LAYER_A = GatherConfig(layers=frozenset({"a"}))


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    copy = tmp_path / "python-service"
    shutil.copytree(FIXTURE, copy)
    return copy


def test_the_python_api_and_the_cli_give_equal_documents(repo: Path) -> None:
    printed = CliRunner().invoke(
        cli, ["gather", str(repo), "--layer", "a", "--no-cache", "--format", "json", "-q"]
    )
    assert printed.exit_code == 0, printed.output
    gathered = gather_repository(str(repo), config=LAYER_A, cache_mode="off")
    document = gathered.to_document()
    assert without_timings(json.loads(printed.stdout)) == without_timings(document)
    assert document["gather"]["probes"] > 1


def test_the_python_api_writes_the_cache_the_cli_then_reads(repo: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    gather_repository(str(repo), config=LAYER_A, cache_dir=str(cache))
    printed = CliRunner().invoke(
        cli, ["gather", str(repo), "--layer", "a", "--cache-dir", str(cache), "--format", "json"]
    )
    outcomes = {entry["outcome"] for entry in json.loads(printed.stdout)["probes"].values()}
    assert "cached" in outcomes and "ran" not in outcomes


def test_a_missing_repository_is_a_codegenie_error(tmp_path: Path) -> None:
    with pytest.raises(RepoError):
        gather_repository(str(tmp_path / "absent"), config=LAYER_A, cache_mode="off")


def test_the_pure_gather_runs_over_fakes_and_its_document_holds_every_probe() -> None:
    registry = registry_of(
        (scripted("count", declared_inputs=("**/*.py",)), "light"),
        (scripted("after", needs=("count",), declared_inputs=("README.md",)), "light"),
    )
    repo = FakeRepo(name="demo", files={"a.py": b"", "b.py": b"", "README.md": b"# demo\n"})
    ctx = ProbeContext(repo=repo, config=GatherConfig(), clock=FakeClock(), yaml=ScriptedYaml())
    gathered = gather(ctx, to_plain=plain_data, registry=registry)
    document = gathered.to_document()
    assert [type(o) for o in gathered.outcomes] == [Ran, Ran]
    assert document["repo"] == {"name": "demo", "git": None}
    # `count` reads `**/*.py`: its scoped view lists a.py and b.py, not README.md (ADR-0030).
    assert document["probes"]["count"]["slice"] == plain_data(CountSlice(files=2))
    assert gathered.to_markdown().startswith("# codegenie report: demo\n")


def test_a_slice_the_document_cannot_hold_fails_its_probe_not_the_gather() -> None:
    def unwritable(_: object) -> object:
        raise TypeError("no JSON for this")

    registry = registry_of((scripted("count"), "light"))
    ctx = ProbeContext(
        repo=FakeRepo(), config=GatherConfig(), clock=FakeClock(), yaml=ScriptedYaml()
    )
    (outcome,) = gather(ctx, to_plain=unwritable, registry=registry).outcomes
    assert isinstance(outcome, Failed) and "no JSON for this" in outcome.message


@pytest.mark.parametrize("package", [codegenie_core, codegenie_adapters])
def test_every_exported_name_resolves_and_says_what_it_promises(package: object) -> None:
    for name in vars(package)["__all__"]:
        value = getattr(package, name)
        if callable(value):
            assert (value.__doc__ or "").strip(), f"{name} has no docstring"


def test_only_the_wiring_names_a_concrete_adapter_in_the_cli() -> None:
    for module in ("run.py", "main.py", "plugins.py", "signals.py"):
        tree = ast.parse((ROOT / "codegenie_cli" / module).read_text())
        imported = [
            node.module
            for node in ast.walk(tree)
            if isinstance(node, ast.ImportFrom) and node.module is not None
        ] + [
            alias.name
            for node in ast.walk(tree)
            if isinstance(node, ast.Import)
            for alias in node.names
        ]
        assert [m for m in imported if m.startswith("codegenie_adapters")] == [], module


def test_the_readme_use_from_python_block_runs_as_written() -> None:
    import re
    import subprocess
    import sys

    readme = (ROOT / "README.md").read_text()
    block = readme.split("<!-- use-from-python:start -->")[1].split("<!-- use-from-python:end -->")[
        0
    ]
    code = re.search(r"```python\n(.*?)```", block, re.DOTALL)
    assert code is not None
    result = subprocess.run(
        [sys.executable, "-c", code.group(1)],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )
    assert result.stdout == "ran Python\nran Python\n", result.stderr


def test_the_local_ports_build_a_runner_whenever_asked_and_resolve_digests_with_its_engine(
    tmp_path: Path,
) -> None:
    # Which ports a gather builds is the specs' decision (ADR-0030), not a layer test in the
    # factory: `--layer a --probe runtime_trace` still gets its runner.
    ports = codegenie_adapters.LocalPorts()
    config = GatherConfig(layers=frozenset({"a"}), engine="podman")
    runner = ports.containers(str(tmp_path), config)
    assert runner is not None
    assert ports.image_digest_resolver(runner, FakeRepo(), str(tmp_path)) is not None
    assert ports.image_digest_resolver(None, FakeRepo(), str(tmp_path)) is None
    ports.cleanup()


def test_the_python_api_holds_the_collector_back_and_gives_its_thresholds_back(
    repo: Path,
) -> None:
    registry, seen = threshold_recording_registry()
    before = gc.get_threshold()
    gather_repository(str(repo), config=LAYER_A, cache_mode="off", registry=registry)
    assert seen == [GATHER_THRESHOLDS] != [before]  # ADR-0086
    assert gc.get_threshold() == before
