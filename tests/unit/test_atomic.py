"""Atomic writes: whole or absent, the user's umask, no temp file left behind."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from codegenie_adapters.atomic import write_atomically


def test_an_atomic_write_replaces_the_old_file_whole_and_leaves_no_temp(tmp_path: Path) -> None:
    target = tmp_path / "context.json"
    target.write_text("old")
    write_atomically(str(target), b"new")
    assert target.read_bytes() == b"new"
    assert os.listdir(tmp_path) == ["context.json"]


def test_the_written_file_has_the_permissions_the_umask_gives(tmp_path: Path) -> None:
    previous = os.umask(0o022)
    try:
        write_atomically(str(tmp_path / "report.md"), b"x")
    finally:
        os.umask(previous)
    assert stat.S_IMODE((tmp_path / "report.md").stat().st_mode) == 0o644


def test_a_failed_rename_removes_the_temp_file_and_keeps_the_old_one(tmp_path: Path) -> None:
    target = tmp_path / "out"
    target.mkdir()  # a directory cannot be replaced by a file
    (target / "keep").write_text("x")
    with pytest.raises(OSError):
        write_atomically(str(target), b"new")
    assert sorted(os.listdir(tmp_path)) == ["out"]
    assert (target / "keep").read_text() == "x"


def test_the_temp_prefix_is_the_callers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[str] = []
    real_replace = os.replace

    def spy(src: str, dst: str) -> None:
        seen.append(os.path.basename(src))
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", spy)
    write_atomically(str(tmp_path / "entry"), b"x", temp_prefix=".tmp-")
    assert seen[0].startswith(f".tmp-{os.getpid()}-")
