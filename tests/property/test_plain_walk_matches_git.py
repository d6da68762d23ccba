"""Metamorphic: a plain tree and the same tree committed with git give the same `languages` and
`manifests` slices, so the walk lists what git lists (see ADR-0029)."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import example, given, settings

from codegenie_adapters.fakes import FakeClock, ScriptedYaml
from codegenie_adapters.local_repo import LocalRepo
from codegenie_core.config import GatherConfig
from codegenie_core.probe import Envelope, ProbeContext
from codegenie_core.probes.layer_a.languages import LanguagesProbe
from codegenie_core.probes.layer_a.manifests import ManifestsProbe
from tests._ci_support.requires_tool import requires_tool
from tests.git_repos import commit_all, init_repo, isolate_git_config, write
from tests.strategies import repo_trees


@pytest.fixture(autouse=True, scope="module")
def _no_user_git_config() -> Iterator[None]:
    with pytest.MonkeyPatch.context() as patch:
        isolate_git_config(patch)
        yield


def slices(root: Path) -> tuple[object, object]:
    repo = LocalRepo(str(root))
    ctx = ProbeContext(repo=repo, config=GatherConfig(), clock=FakeClock(), yaml=ScriptedYaml())
    out: list[object] = []
    for probe in (LanguagesProbe(), ManifestsProbe()):
        result = probe.run(ctx) if probe.applies(ctx) else None
        out.append(result.slice if isinstance(result, Envelope) else result)
    return out[0], out[1]


@requires_tool("git")
@settings(max_examples=25)
@given(tree=repo_trees())
@example(tree={".gitignore": b"deep/**/x\n!dist/\n", "deep/dist/x/main.py": b"x = 1\n"})
def test_a_plain_tree_and_the_same_tree_committed_give_equal_slices(
    tree: dict[str, bytes],
) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        plain, committed = Path(scratch) / "plain", Path(scratch) / "committed"
        for path, data in tree.items():
            write(plain, path, data)
            write(committed, path, data)
        init_repo(committed)
        commit_all(committed, "everything")
        assert LocalRepo(str(committed)).git_state() is not None
        assert slices(plain) == slices(committed)
