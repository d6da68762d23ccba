"""Stateful, over real git: after any sequence of edits, stages, commits, checkouts, untracked
additions, deletions and ignore changes, a cached gather's document equals a `--no-cache` gather's
(modulo timing and the ran/cached outcome). A remembered answer is only valid while what it
depends on is provably unchanged (ADR-0054, ADR-0055): this is the law that guards them."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from codegenie_adapters import line_index
from codegenie_adapters.api import gather_repository
from codegenie_core.probes.layer_a import languages
from tests._ci_support.requires_tool import requires_tool
from tests.git_repos import git, init_repo, isolate_git_config, write

# Paths several probes read (languages, manifests, licence, git); no Dockerfile, so the runtime
# trace stays "not applicable" and the test needs no engine.
_PATHS = (
    "a.py",
    "src/b.ts",
    "src/c.ts",
    "package.json",
    "requirements.txt",
    "README.md",
    "LICENSE",
    "deep/d/e.go",
    "go.mod",
    "bin/tool",
    "build.log",
)
_CONTENTS = (
    b"print(1)\n",
    b"print(2)\n",  # the same size as the one above: only content and ctime tell them apart
    b"export const x = 1;\n",
    b'{"name": "x", "version": "1.0.0", "dependencies": {"left-pad": "^1.0.0"}}\n',
    b"requests==2.31.0\n",
    b"#!/usr/bin/env python3\nprint('tool')\n",
    b"module example.com/m\n\ngo 1.22\n",
    b"MIT License\n",
    b"",
    b"\x00\x01binary\xff",
)
_IGNORES = (b"", b"*.log\n", b"deep/\n", b"src/c.ts\n!src/\n")
# `.gitattributes` files the languages fold's categories depend on (ADR-0094): vendored,
# generated, documentation and language overrides, by pattern and by directory.
_ATTRIBUTE_FILES = (".gitattributes", "src/.gitattributes", "deep/.gitattributes")
_ATTRIBUTES = (
    b"",
    b"*.ts linguist-vendored\n",
    b"*.py linguist-generated\n",
    b"*.md -linguist-documentation\nREADME.md linguist-documentation\n",
    b"bin/* linguist-language=Ruby\n",
    b"* linguist-language=Go\n",
    b"d/** linguist-vendored=false linguist-documentation\n",
)
_SHEBANGS = (b"#!/bin/sh\necho x\n", b"#!/usr/bin/env ruby\nputs 1\n", b"no shebang\n")

_TIMING = frozenset({"duration_ms"})
_WRITE_FRACTION = line_index.WRITE_FRACTION
_REMEMBER_FRACTION = languages.REMEMBER_FRACTION


def _normalised(document: object) -> object:
    """The document without what may differ between a cached and a computed gather: durations,
    the ran/cached word and the gather's ran/cached counts."""
    if isinstance(document, dict):
        out: dict[str, object] = {}
        for key, value in document.items():
            if key in _TIMING:
                continue
            if key == "outcome" and value in ("ran", "cached"):
                out[key] = "ran-or-cached"
                continue
            out[key] = _normalised(value)
        gather = out.get("gather")
        if isinstance(gather, dict) and "ran" in gather and "cached" in gather:
            ran, cached = gather.pop("ran"), gather.pop("cached")
            assert isinstance(ran, int) and isinstance(cached, int)
            gather["ran+cached"] = ran + cached
        return out
    if isinstance(document, list):
        return [_normalised(item) for item in document]
    return document


@pytest.fixture(autouse=True, scope="module")
def _no_user_git_config() -> Iterator[None]:
    with pytest.MonkeyPatch.context() as patch:
        isolate_git_config(patch)
        yield


class CachedGatherEqualsUncached(RuleBasedStateMachine):
    """One repository, one cache directory kept across steps; every step may change what git or
    the work tree says, and every check compares a cached gather with an uncached one."""

    def __init__(self) -> None:
        super().__init__()
        self.scratch = Path(tempfile.mkdtemp(prefix="cg-cache-law-"))
        self.root = init_repo(self.scratch / "repo")
        self.cache = str(self.scratch / "cache")
        self.commits = 0
        write(self.root, "a.py", b"print(0)\n")
        # tracked from the start, so git vouches for files and the languages fold is reused
        # (ADR-0094); the untracked a.py stays as it was, for the untracked paths' sake
        write(self.root, "src/b.ts", b"export const x = 1;\n")
        write(self.root, "bin/tool", b"#!/bin/sh\necho x\n")
        write(self.root, "README.md", b"MIT License\n")
        git(self.root, "add", "--", "src/b.ts", "bin/tool", "README.md")
        self._commit()

    def teardown(self) -> None:
        line_index.WRITE_FRACTION = _WRITE_FRACTION
        languages.REMEMBER_FRACTION = _REMEMBER_FRACTION
        shutil.rmtree(self.scratch, ignore_errors=True)

    def _commit(self) -> None:
        git(self.root, "commit", "-q", "--allow-empty", "-m", f"step {self.commits}")
        git(self.root, "branch", "-f", f"c{self.commits}")
        self.commits += 1

    def _path(self, relative: str) -> Path:
        return self.root / relative

    @rule(path=st.sampled_from(_PATHS), data=st.sampled_from(_CONTENTS))
    def write_file(self, path: str, data: bytes) -> None:
        write(self.root, path, data)

    @rule(path=st.sampled_from(_PATHS), data=st.sampled_from(_CONTENTS))
    def write_keeping_mtime(self, path: str, data: bytes) -> None:
        """An edit git can only see by ctime, size or content: the mtime is put back."""
        target = self._path(path)
        if not target.is_file() or target.is_symlink():
            return
        before = os.stat(target)
        write(self.root, path, data)
        os.utime(target, ns=(before.st_atime_ns, before.st_mtime_ns))

    @rule(path=st.sampled_from(_PATHS))
    def delete(self, path: str) -> None:
        target = self._path(path)
        if target.is_symlink() or target.is_file():
            target.unlink()

    @rule(path=st.sampled_from(_PATHS), to=st.sampled_from(_PATHS))
    def symlink(self, path: str, to: str) -> None:
        target = self._path(path)
        if target.is_symlink() or target.is_file():
            target.unlink()
        target.parent.mkdir(parents=True, exist_ok=True)
        os.symlink(os.path.relpath(self._path(to), target.parent), target)

    @rule(path=st.sampled_from(_PATHS))
    def toggle_executable(self, path: str) -> None:
        target = self._path(path)
        if target.is_file() and not target.is_symlink():
            os.chmod(target, os.stat(target).st_mode ^ 0o100)

    @rule(path=st.sampled_from(_ATTRIBUTE_FILES), data=st.sampled_from(_ATTRIBUTES))
    def attributes(self, path: str, data: bytes) -> None:
        """Write (or, with no bytes, delete) a `.gitattributes`: every remembered category may
        change, so the languages fold must not be reused."""
        target = self._path(path)
        if target.is_symlink() or target.is_file():
            target.unlink()
        if data:
            write(self.root, path, data)

    @rule(data=st.sampled_from(_SHEBANGS))
    def shebang(self, data: bytes) -> None:
        """Change the `#!` line of the extension-less `bin/tool`: its language is its head's."""
        target = self._path("bin/tool")
        if target.is_symlink():
            target.unlink()
        write(self.root, "bin/tool", data)

    @rule(writes=st.booleans())
    def fold_writes(self, writes: bool) -> None:
        """The languages fold remembered as usual, or only when it has none (Rule 8 skips a write
        when few rows changed; a repository this small always has enough, so this forces the
        skip): a fold left as it was is still only added to, never served stale."""
        languages.REMEMBER_FRACTION = _REMEMBER_FRACTION if writes else 0

    @rule(data=st.sampled_from(_IGNORES))
    def ignore(self, data: bytes) -> None:
        write(self.root, ".gitignore", data)

    @rule(path=st.sampled_from(_PATHS))
    def stage(self, path: str) -> None:
        """`git add` of one path; by its directory, so an ignored or absent path is no error."""
        parent = os.path.dirname(path) or "."
        if self._path(parent).is_dir():
            git(self.root, "add", "-A", "--", parent)

    @rule()
    def stage_everything(self) -> None:
        git(self.root, "add", "-A")

    @rule(path=st.sampled_from(_PATHS))
    def unstage(self, path: str) -> None:
        # -f: staged content that differs from both the file and HEAD (a mode toggled after `add`)
        # is unstaged too; with --cached the work-tree file stays
        git(self.root, "rm", "-q", "--cached", "-f", "--ignore-unmatch", "--", path)

    @rule()
    def commit(self) -> None:
        self._commit()

    @rule(path=st.sampled_from(_PATHS), data=st.sampled_from(_CONTENTS))
    def commit_an_edit(self, path: str, data: bytes) -> None:
        """Edit a file and commit everything in one step: git then vouches for other bytes
        under the same path, so a remembered row must be checked by its blob id, not its path."""
        write(self.root, path, data)
        self.commit_everything()

    @rule()
    def commit_everything(self) -> None:
        """Stage and commit all: every file is then one git vouches for."""
        git(self.root, "add", "-A")
        self._commit()

    @precondition(lambda self: self.commits > 1)
    @rule(data=st.data())
    def checkout(self, data: st.DataObject) -> None:
        """Check out an earlier commit (detached, work tree forced to it) or go back to main."""
        target = data.draw(st.sampled_from([f"c{n}" for n in range(self.commits)] + ["main"]))
        if target != "main":
            git(self.root, "checkout", "-q", "-f", "--detach", target)
        else:
            git(self.root, "checkout", "-q", "-f", "main")

    @rule(writes=st.booleans())
    def line_index_writes(self, writes: bool) -> None:
        """The line index written as usual, or never (Rule 6 of `line_index` skips a write when
        few records are new; a repository this small always has enough, so this forces the
        skip): what it did not write is read again, never served stale (ADR-0090)."""
        line_index.WRITE_FRACTION = _WRITE_FRACTION if writes else 0

    @invariant()
    def a_cached_gather_equals_an_uncached_one(self) -> None:
        root = str(self.root)
        cached = gather_repository(root, cache_dir=self.cache, cache_mode="use", jobs=1)
        fresh = gather_repository(root, cache_dir=self.cache, cache_mode="off", jobs=1)
        assert _normalised(cached.to_document()) == _normalised(fresh.to_document())


CachedGatherEqualsUncached.TestCase.settings = settings(
    max_examples=int(os.environ.get("CODEGENIE_CACHE_LAW_EXAMPLES", "12")),
    stateful_step_count=12,
    deadline=None,
)
test_a_cached_gather_equals_an_uncached_one = requires_tool("git")(
    CachedGatherEqualsUncached.TestCase
)
