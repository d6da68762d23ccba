"""The file a probe's remembered fold is kept in (`file_fold`, ADR-0094): written whole, read back
as written, and ignored, never trusted or crashed on, when it is not sound."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from codegenie_adapters import file_fold
from codegenie_adapters.local_repo import LocalRepo
from codegenie_core.ports import FileFold
from tests._ci_support.requires_tool import requires_tool
from tests.git_repos import git, init_repo, write

_FOLD = FileFold(
    key="k1",
    categories=('["=Python",false,[]]', '["unrecognized",false,[]]'),
    totals=((1, 9, 1, 0, 0, 0, 0, 0, 0), (1, 4, 0, 0, 0, 0, 0, 0, 0)),
    paths=["a.py", "dir with space/n\u00e9.txt"],
    blobs=["b" * 40, "c" * 40],
    category_of=[0, 1],
    sizes=[9, 4],
    lines=[1, 0],
)
_WHERE = {"object_format": "sha1", "large_file_bytes": 16 * 2**20}


def _same(read: FileFold | None, written: FileFold) -> bool:
    return read is not None and (
        read.key,
        tuple(read.categories),
        tuple(map(tuple, read.totals)),
        list(read.paths),
        list(read.blobs),
        list(read.category_of),
        list(read.sizes),
        list(read.lines),
    ) == (
        written.key,
        tuple(written.categories),
        tuple(map(tuple, written.totals)),
        list(written.paths),
        list(written.blobs),
        list(written.category_of),
        list(written.sizes),
        list(written.lines),
    )


def test_a_fold_round_trips_in_columns(tmp_path: Path) -> None:
    path = str(tmp_path / "x.fold.json")
    file_fold.save(path, _FOLD, **_WHERE)
    document = json.loads(Path(path).read_text())
    assert document["paths"] == "a.py\0dir with space/n\u00e9.txt"
    assert document["blobs"] == "b" * 40 + " " + "c" * 40
    assert _same(file_fold.load(path, **_WHERE), _FOLD)


def test_an_empty_fold_round_trips(tmp_path: Path) -> None:
    empty = FileFold(
        key="k", categories=(), totals=(), paths=[], blobs=[], category_of=[], sizes=[], lines=[]
    )
    path = str(tmp_path / "x.fold.json")
    file_fold.save(path, empty, **_WHERE)
    assert _same(file_fold.load(path, **_WHERE), empty)


def test_a_fold_written_for_another_format_or_bound_is_not_read(tmp_path: Path) -> None:
    path = str(tmp_path / "x.fold.json")
    file_fold.save(path, _FOLD, **_WHERE)
    assert file_fold.load(path, object_format="sha256", large_file_bytes=16 * 2**20) is None
    assert file_fold.load(path, object_format="sha1", large_file_bytes=1024) is None


def test_a_path_holding_the_separator_is_never_written(tmp_path: Path) -> None:
    path = tmp_path / "x.fold.json"
    file_fold.save(str(path), _with(paths=["a\0b", "c"]), **_WHERE)
    file_fold.save(str(path), _with(blobs=["b b", "c"]), **_WHERE)
    assert not path.exists()


def _with(**fields: object) -> FileFold:
    document = {
        "key": _FOLD.key,
        "categories": _FOLD.categories,
        "totals": _FOLD.totals,
        "paths": _FOLD.paths,
        "blobs": _FOLD.blobs,
        "category_of": _FOLD.category_of,
        "sizes": _FOLD.sizes,
        "lines": _FOLD.lines,
        **fields,
    }
    return FileFold(**document)  # pyright: ignore[reportArgumentType] - the fields above


@pytest.mark.parametrize(
    "change",
    [
        {"format": "codegenie-file-fold/0"},
        {"key": 3},
        {"paths": ["a.py"]},
        {"blobs": "b" * 40},  # one blob id for two paths
        {"sizes": [9, True]},
        {"lines": [1]},
        {"category_of": [0, 2]},
        {"category_of": [-1, 0]},
        {"categories": ["x", 1]},
        {"totals": [[1, 9]]},
        {"totals": [[1, "9"], [1]]},
    ],
)
def test_a_damaged_fold_is_ignored(tmp_path: Path, change: dict[str, object]) -> None:
    path = tmp_path / "x.fold.json"
    file_fold.save(str(path), _FOLD, **_WHERE)
    document = json.loads(path.read_text())
    document.update(change)
    path.write_text(json.dumps(document))
    assert file_fold.load(str(path), **_WHERE) is None


@pytest.mark.parametrize("content", [b"", b"not json", b"[1, 2]", b'{"format": 1}', b"\xff\xfe"])
def test_a_file_that_is_no_fold_is_ignored(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "x.fold.json"
    path.write_bytes(content)
    assert file_fold.load(str(path), **_WHERE) is None


def test_an_oversized_fold_and_one_not_a_regular_file_are_ignored(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "x.fold.json"
    file_fold.save(str(path), _FOLD, **_WHERE)
    monkeypatch.setattr(file_fold, "MAX_FOLD_BYTES", 16)
    assert file_fold.load(str(path), **_WHERE) is None
    monkeypatch.undo()
    os.replace(path, tmp_path / "real.json")
    os.symlink(tmp_path / "real.json", path)
    assert file_fold.load(str(path), **_WHERE) is None
    assert file_fold.load(str(tmp_path / "absent.json"), **_WHERE) is None


def test_a_fold_that_cannot_be_written_is_skipped(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    file_fold.save(str(blocker / "x.fold.json"), _FOLD, **_WHERE)  # its directory is a file
    assert not (blocker / "x.fold.json").exists()


@requires_tool("git")
def test_the_local_repo_keeps_folds_beside_its_stat_index_and_none_without_one(
    tmp_path: Path,
) -> None:
    root = init_repo(tmp_path / "repo")
    write(root, "a.py", b"print(1)\n")
    write(root, "b.py", b"print(2)\n")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "one")
    write(root, "b.py", b"print(3)\n")
    index = str(tmp_path / "cache" / "stat-index" / "r.json")
    repo = LocalRepo(str(root), stat_index_path=index)
    blob = subprocess.run(
        ["git", "rev-parse", "HEAD:a.py"], cwd=root, capture_output=True, text=True, check=True
    ).stdout.strip()
    assert repo.clean_blobs() == {"a.py": blob}  # b.py changed: git does not vouch for it
    assert repo.recall_fold("languages.contributions") is None
    repo.remember_fold("languages.contributions", _FOLD)
    assert os.path.exists(
        str(tmp_path / "cache" / "stat-index" / "r.languages.contributions.fold.json")
    )
    assert _same(
        LocalRepo(str(root), stat_index_path=index).recall_fold("languages.contributions"), _FOLD
    )
    without = LocalRepo(str(root))
    without.remember_fold("languages.contributions", _FOLD)
    assert without.recall_fold("languages.contributions") is None
    with pytest.raises(ValueError, match="not a fold name"):
        repo.recall_fold("../escape")
    walked = tmp_path / "plain"
    walked.mkdir()
    (walked / "c.py").write_bytes(b"x\n")
    assert LocalRepo(str(walked), stat_index_path=index).clean_blobs() == {}
