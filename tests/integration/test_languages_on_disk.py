"""The `languages` probe over a real directory and the same tree as a git work tree: symlinks of
every kind counted once as links, scripts by their `#!` line, `.gitattributes` overrides."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from codegenie_adapters.fakes import FakeClock, ScriptedYaml
from codegenie_adapters.local_repo import LocalRepo
from codegenie_core.config import GatherConfig
from codegenie_core.probe import Envelope, ProbeContext
from codegenie_core.probes.layer_a.languages import (
    FileTotal,
    LanguagesProbe,
    LanguageTotal,
    OverrideTotal,
)
from codegenie_core.scoped_reads import context_for
from tests._ci_support.requires_tool import requires_tool
from tests.git_repos import commit_all, init_repo, isolate_git_config, write

APP = b"print('hello')\n" * 4  # 60 bytes
BIG_OUTSIDE = b"x" * 100_000  # what a followed link would add
LINKS = {  # name -> link text
    "app-link.py": "src/app.py",  # to a file inside: its bytes must not count twice
    "src-link": "src",  # to a directory: a link, not "unreadable"
    "dangling": "missing-target",
    "escape.py": "../outside/big.py",  # out of the repository: never followed
}


def build(root: Path, outside: Path) -> None:
    write(outside, "big.py", BIG_OUTSIDE)
    write(root, "src/app.py", APP)
    write(root, "bin/tool", b"#!/usr/bin/env python3\nprint(1)\n")  # 32 bytes
    write(root, "docs/guide.py", b"# docs\n")  # 7 bytes, documentation by attribute
    write(root, ".gitattributes", b"docs/** linguist-documentation\n")  # 31 bytes
    for name, target in LINKS.items():
        os.symlink(target, root / name)


def plain(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    build(root, tmp_path / "outside")
    return root


def committed(tmp_path: Path) -> Path:
    root = init_repo(tmp_path / "repo")
    build(root, tmp_path / "outside")
    commit_all(root, "all")
    return root


@pytest.mark.parametrize(
    "make",
    [
        pytest.param(plain, id="plain"),
        pytest.param(committed, id="git", marks=requires_tool("git")),
    ],
)
def test_links_are_counted_once_as_links_and_never_followed(
    make: Callable[[Path], Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    isolate_git_config(monkeypatch)
    repo = LocalRepo(str(make(tmp_path)))
    base = ProbeContext(repo=repo, config=GatherConfig(), clock=FakeClock(), yaml=ScriptedYaml())
    ctx, view = context_for(base, LanguagesProbe.spec, upstream={}, strict=True)
    envelope = LanguagesProbe().run(ctx)
    assert isinstance(envelope, Envelope)
    result = envelope.slice
    assert (envelope.confidence, result.unreadable, result.problems, view.undeclared) == (
        "high",
        0,
        (),
        (),
    )
    assert result.links == FileTotal(files=4, bytes=sum(len(target) for target in LINKS.values()))
    assert result.languages == (
        # bin/tool's `#!` line is code, as cloc counts it
        LanguageTotal(language="Python", files=2, bytes=60 + 32, code=4 + 2, comment=0),
    )
    # Each file is read once: a file git does not vouch for is counted in the read that hashes
    # it (a script by its `#!` line, from the same bytes); a clean tracked one in the count's.
    assert (repo.hashed, repo.counted) == (
        (["bin/tool", "src/app.py"], []) if make is plain else ([], ["bin/tool", "src/app.py"])
    )
    assert (result.shebangs, result.documentation) == (
        FileTotal(files=1, bytes=32),
        FileTotal(files=1, bytes=7),
    )
    assert result.overrides == (
        OverrideTotal(attribute="linguist-documentation", value="set", files=1, bytes=7),
    )
    assert result.unrecognized == FileTotal(files=1, bytes=31)  # .gitattributes itself
