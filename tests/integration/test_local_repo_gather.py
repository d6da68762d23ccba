"""A gather of the `git` and `languages` probes over a real git work tree: cold, warm, edited."""

from __future__ import annotations

from pathlib import Path

import pytest

from codegenie_adapters.fakes import FakeClock, InMemoryCache, ScriptedYaml
from codegenie_adapters.local_repo import LocalRepo
from codegenie_core.config import GatherConfig
from codegenie_core.coordinator import gather
from codegenie_core.outcomes import Cached, ProbeOutcome, Ran
from codegenie_core.probe import ProbeContext
from codegenie_core.probes.layer_a import git as git_probe
from codegenie_core.probes.layer_a import languages as languages_probe
from codegenie_core.registry import DEFAULT_REGISTRY, RegisteredProbe
from tests._ci_support.requires_tool import requires_tool
from tests.git_repos import commit_all, init_repo, isolate_git_config, write

pytestmark = pytest.mark.integration


def plan() -> list[RegisteredProbe]:
    names = (git_probe.GitProbe.spec.name, languages_probe.LanguagesProbe.spec.name)
    found = [DEFAULT_REGISTRY.get(name) for name in names]
    return [registered for registered in found if registered is not None]


def run(root: Path, cache: InMemoryCache) -> tuple[list[str], list[str]]:
    """Each probe's outcome kind, and the files the adapter hashed from their bytes."""
    repo = LocalRepo(str(root))
    ctx = ProbeContext(repo=repo, config=GatherConfig(), clock=FakeClock(), yaml=ScriptedYaml())
    result = gather(
        plan(), base_ctx=ctx, cache=cache, cache_mode="use", cpu_budget=2, clock=FakeClock()
    )

    def kind(outcome: ProbeOutcome) -> str:
        return (
            "ran"
            if isinstance(outcome, Ran)
            else "cached"
            if isinstance(outcome, Cached)
            else repr(outcome)
        )

    return [kind(o) for o in result.outcomes], sorted(set(repo.hashed))


@requires_tool("git")
def test_a_warm_gather_is_served_from_cache_and_hashes_only_what_git_says_changed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    isolate_git_config(monkeypatch)
    root = init_repo(tmp_path / "repo")
    for index in range(20):
        write(root, f"src/m{index}.py", f"x = {index}\n".encode())
    commit_all(root, "first")
    write(root, "src/m3.py", b"x = 'edited'\n")
    write(root, "notes.md", b"# untracked\n")
    cache = InMemoryCache()

    cold = run(root, cache)
    warm = run(root, cache)
    write(root, "src/m7.py", b"x = 'edited too'\n")
    edited = run(root, cache)

    assert (cold, warm, edited) == (
        (["ran", "ran"], ["notes.md", "src/m3.py"]),
        (["cached", "cached"], ["notes.md", "src/m3.py"]),
        (["ran", "ran"], ["notes.md", "src/m3.py", "src/m7.py"]),
    )


@requires_tool("git")
def test_a_corrupt_index_fails_the_git_backed_probes_and_the_gather_still_completes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import json

    from click.testing import CliRunner

    from codegenie_cli.main import cli

    isolate_git_config(monkeypatch)
    root = init_repo(tmp_path / "repo")
    write(root, "app.py", b"print('hi')\n")
    commit_all(root, "first")
    (root / ".git" / "index").write_bytes(b"")
    args = ["gather", str(root), "--layer", "a", "--no-cache", "--format", "json"]
    result = CliRunner().invoke(cli, args, catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    probes = json.loads(result.stdout)["probes"]
    assert (probes["git"]["outcome"], probes["git"]["error"]["type"]) == (
        "failed",
        "GitIndexCorrupt",
    )
    assert probes["git"]["error"]["message"].startswith("git index is corrupt: ")
    assert probes["languages"]["outcome"] == "ran"
    assert probes["languages"]["slice"]["primary"] == "Python"


@requires_tool("git")
def test_explain_miss_over_the_real_adapters_names_the_edited_manifest(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from click.testing import CliRunner

    from codegenie_cli.main import cli

    isolate_git_config(monkeypatch)
    root = init_repo(tmp_path / "repo")
    write(root, "package.json", b'{"name": "demo", "dependencies": {"left-pad": "^1.0.0"}}\n')
    write(root, "index.js", b"console.log(1)\n")
    commit_all(root, "first")
    args = ["gather", str(root), "--layer", "a", "--cache-dir", str(tmp_path / "cache")]
    first = CliRunner().invoke(cli, [*args, "--explain-miss", "manifests"], catch_exceptions=False)
    assert "manifests: no earlier entry for this repository (a first gather)" in first.stderr
    write(root, "package.json", b'{"name": "demo", "dependencies": {"left-pad": "^1.3.0"}}\n')
    second = CliRunner().invoke(cli, [*args, "--explain-miss", "manifests"], catch_exceptions=False)
    assert "codegenie-cli:   changed  package.json" in second.stderr.splitlines()
    assert str(tmp_path) not in "".join(p.name for p in (tmp_path / "cache" / "key-log").rglob("*"))


@requires_tool("git")
def test_a_mode_change_alone_makes_the_tree_dirty_and_misses_the_git_probe(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Found by the cached-equals-uncached state machine: no file's bytes change, so only the
    # git-state token can tell the git probe's cached `dirty: false` is stale.
    isolate_git_config(monkeypatch)
    root = init_repo(tmp_path / "repo")
    write(root, "a.py", b"print(1)\n")
    commit_all(root, "first")
    cache = InMemoryCache()
    assert run(root, cache)[0] == ["ran", "ran"]
    (root / "a.py").chmod(0o755)
    assert run(root, cache)[0][0] == "ran"
