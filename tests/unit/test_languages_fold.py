"""The `languages` probe's remembered fold (Rule 8, ADR-0094): after an edit it recomputes only
the files git no longer vouches for, and its slice is always the one a from-scratch run gives."""

from __future__ import annotations

import attrs
from hypothesis import given, settings
from hypothesis import strategies as st

from codegenie_adapters.fakes import FakeClock, FakeRepo, ScriptedYaml
from codegenie_core.config import GatherConfig
from codegenie_core.ports import FileFold, GitState
from codegenie_core.probe import Envelope, ProbeContext
from codegenie_core.probes.layer_a import languages
from codegenie_core.probes.layer_a.languages import FOLD, LanguagesProbe, LanguagesSlice

_STATE = GitState(head="c1", branch="main", dirty=False)


def _vouched_repo(files: dict[str, bytes], folds: dict[str, FileFold] | None = None) -> FakeRepo:
    """A fake whose files git vouches for (none changed since HEAD), so the fold is kept."""
    return FakeRepo(
        files=dict(files), git=_STATE, history=["c1"], changes={"c1": []}, folds=folds or {}
    )


def _run(repo: FakeRepo) -> Envelope:
    envelope = LanguagesProbe().run(
        ProbeContext(repo=repo, config=GatherConfig(), clock=FakeClock(), yaml=ScriptedYaml())
    )
    assert isinstance(envelope, Envelope)
    return envelope


def _from_scratch(repo: FakeRepo) -> Envelope:
    """The same repository with nothing remembered and nothing vouched for."""
    scratch = attrs.evolve(
        repo, folds={}, git=None, history=[], changes={}, line_count_calls=[], head_reads=[]
    )
    return _run(scratch)


def _edit(repo: FakeRepo, path: str, data: bytes) -> None:
    repo.files[path] = data
    repo.changes["c1"].append(path)  # git now reports it changed


_FILES = {
    "app/main.py": b"import os\n# hi\n\nprint(1)\n",
    "app/util.py": b"x = 1\n",
    "web/index.ts": b"export const a = 1;\n",
    "vendor/lib/x.go": b"package x\n",
    "notes.txt": b"plain\n",
    "bin/tool": b"#!/usr/bin/env python3\nprint('tool')\n",
    "data.bin.py": b"\x00\x01\xff",
    ".gitattributes": b"*.ts linguist-vendored\n",
}


def test_a_remembered_fold_recomputes_only_the_files_git_no_longer_vouches_for() -> None:
    repo = _vouched_repo(_FILES)
    first = _run(repo)
    assert first == _from_scratch(repo)
    assert FOLD in repo.folds and len(repo.folds[FOLD].paths) == len(_FILES)
    _edit(repo, "app/util.py", b"x = 1\ny = 2\n")
    repo.head_reads.clear()
    repo.line_count_calls.clear()
    second = _run(repo)
    assert second == _from_scratch(repo)
    assert second != first
    assert repo.line_count_calls == [{"app/util.py": "Python"}]  # the one changed file
    assert repo.head_reads == []  # bin/tool's shebang is remembered


def test_a_new_file_and_a_deleted_file_are_added_and_taken_away() -> None:
    repo = _vouched_repo(_FILES)
    _run(repo)
    del repo.files["app/main.py"]
    repo.files["new.go"] = b"package main\n"  # untracked: git does not vouch for it
    repo.changes["c1"].append("new.go")
    assert _run(repo) == _from_scratch(repo)
    assert _run(repo) == _from_scratch(repo)  # twice: the remembered fold is whole


def test_another_gitattributes_discards_the_fold() -> None:
    repo = _vouched_repo(_FILES)
    _run(repo)
    _edit(repo, ".gitattributes", b"*.py linguist-generated\n")
    repo.line_count_calls.clear()
    envelope = _run(repo)
    assert envelope == _from_scratch(repo)
    assert isinstance(envelope.slice, LanguagesSlice)
    assert envelope.slice.generated.files == 3
    assert set(repo.line_count_calls[0]) >= {"web/index.ts"}  # every file again


def test_a_fold_of_another_rules_version_is_not_used() -> None:
    repo = _vouched_repo(_FILES)
    _run(repo)
    kept = repo.folds[FOLD]
    repo.folds[FOLD] = attrs.evolve(kept, key="another")
    repo.line_count_calls.clear()
    assert _run(repo) == _from_scratch(repo)
    assert len(repo.line_count_calls[0]) > 1


def _damaged(fold: FileFold) -> list[FileFold]:
    """Folds no sound write gives: each must be ignored, never trusted."""
    first = list(fold.totals[0])
    row = list(fold.paths).index("notes.txt")  # the row the edit below takes away
    huge = list(fold.sizes)
    huge[row] = 10**9  # taken away, it leaves its category's bytes negative
    return [
        attrs.evolve(fold, categories=("not json", *fold.categories[1:])),
        attrs.evolve(fold, categories=('["=Go",1,[]]', *fold.categories[1:])),
        attrs.evolve(fold, categories=(fold.categories[1], *fold.categories[1:])),
        attrs.evolve(fold, totals=((*first, 0), *fold.totals[1:])),
        attrs.evolve(fold, totals=((first[0] + 1, *first[1:]), *fold.totals[1:])),
        attrs.evolve(fold, sizes=list(fold.sizes)[1:]),
        attrs.evolve(fold, category_of=[len(fold.categories), *fold.category_of[1:]]),
        attrs.evolve(fold, sizes=huge),
        _twice(fold, row=list(fold.paths).index("app/main.py")),
    ]


def _twice(fold: FileFold, *, row: int) -> FileFold:
    """`fold` with one kept row written twice, its totals agreeing (a path counted twice)."""
    totals = [list(t) for t in fold.totals]
    totals[fold.category_of[row]][0] += 1
    totals[fold.category_of[row]][1] += fold.sizes[row]
    return attrs.evolve(
        fold,
        totals=tuple(map(tuple, totals)),
        paths=[*fold.paths, fold.paths[row]],
        blobs=[*fold.blobs, fold.blobs[row]],
        category_of=[*fold.category_of, fold.category_of[row]],
        sizes=[*fold.sizes, fold.sizes[row]],
        lines=[*fold.lines, 0],
    )


def test_a_damaged_fold_is_never_trusted() -> None:
    for damaged in _damaged(_vouched_fold()):
        repo = _vouched_repo(_FILES, {FOLD: damaged})
        _edit(repo, "notes.txt", b"changed\n")
        assert _run(repo) == _from_scratch(repo), damaged


def _vouched_fold() -> FileFold:
    repo = _vouched_repo(_FILES)
    _run(repo)
    return repo.folds[FOLD]


def test_a_small_change_leaves_a_large_fold_unwritten_and_the_next_run_still_adds_up() -> None:
    files = {f"src/f{n}.py": b"x = %d\n" % n for n in range(200)}
    repo = _vouched_repo(files)
    _run(repo)
    written = repo.folds[FOLD]
    _edit(repo, "src/f7.py", b"x = 7\ny = 8\n")
    assert _run(repo) == _from_scratch(repo)
    assert repo.folds[FOLD] is written  # 1 of 200 changed: below 1/64, not rewritten
    _edit(repo, "src/f9.py", b"")
    assert _run(repo) == _from_scratch(repo)


_NAMES = st.sampled_from(
    ["a.py", "b.ts", "c.md", "d", "vendor/e.js", "f.txt", "g/.gitattributes", ".gitattributes"]
)
_DATA = st.sampled_from(
    [
        b"",
        b"x = 1\n",
        b"#!/bin/sh\necho\n",
        b"\x00binary",
        b"* linguist-documentation\n",
        b"*.py linguist-language=Ruby\n",
        b"*.js -linguist-vendored\n",
    ]
)


@settings(max_examples=150, deadline=None)
@given(
    start=st.dictionaries(_NAMES, _DATA, max_size=8),
    steps=st.lists(
        st.tuples(st.sampled_from(["edit", "delete", "vouch", "fraction"]), _NAMES, _DATA),
        max_size=8,
    ),
)
def test_every_run_with_a_fold_equals_a_run_from_scratch(
    start: dict[str, bytes], steps: list[tuple[str, str, bytes]]
) -> None:
    repo = _vouched_repo(start)
    fraction = languages.REMEMBER_FRACTION
    try:
        assert _run(repo) == _from_scratch(repo)
        for action, path, data in steps:
            if action == "edit":
                _edit(repo, path, data)
            elif action == "delete":
                repo.files.pop(path, None)
            elif action == "vouch":  # committed: git vouches for every file again
                repo.changes["c1"].clear()
            else:  # the fold kept as it was, or written every time
                languages.REMEMBER_FRACTION = 0 if data else fraction
            assert _run(repo) == _from_scratch(repo)
    finally:
        languages.REMEMBER_FRACTION = fraction
