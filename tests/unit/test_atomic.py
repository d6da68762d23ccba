"""Atomic writes: whole or absent, the user's umask, no temp file left behind."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from codegenie_adapters.atomic import NotKept, read_kept_file, write_atomically


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


# ---- read_kept_file (ADR-0026) -----------------------------------------------------------------
def test_a_kept_regular_file_is_read_with_its_identity(tmp_path: Path) -> None:
    kept = tmp_path / "entry"
    kept.write_bytes(b"payload")

    read = read_kept_file(str(kept), max_bytes=7)

    assert isinstance(read, tuple)
    assert (read[0], read[1].st_ino) == (b"payload", kept.stat().st_ino)


def test_a_kept_file_over_its_bound_is_not_read(tmp_path: Path) -> None:
    (tmp_path / "entry").write_bytes(b"payload")

    assert read_kept_file(str(tmp_path / "entry"), max_bytes=6) == NotKept(
        reason="larger than 6 bytes"
    )


def test_a_fifo_at_a_kept_path_is_refused_without_blocking(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "entry")  # no writer: opening it for reading would block forever

    assert read_kept_file(str(tmp_path / "entry"), max_bytes=100) == NotKept(reason="a FIFO")


def test_a_symlink_at_a_kept_path_is_refused_not_followed(tmp_path: Path) -> None:
    (tmp_path / "target").write_bytes(b"payload")
    (tmp_path / "entry").symlink_to("target")

    assert read_kept_file(str(tmp_path / "entry"), max_bytes=100) == NotKept(reason="a symlink")


def test_a_directory_at_a_kept_path_is_refused(tmp_path: Path) -> None:
    (tmp_path / "entry").mkdir()

    assert read_kept_file(str(tmp_path / "entry"), max_bytes=100) == NotKept(reason="a directory")


def test_a_device_at_a_kept_path_is_refused_unopened(tmp_path: Path) -> None:
    (tmp_path / "entry").symlink_to("/dev/zero")  # reading it would never end
    assert read_kept_file(str(tmp_path / "entry"), max_bytes=100) == NotKept(reason="a symlink")
    assert read_kept_file("/dev/zero", max_bytes=100) == NotKept(reason="a device")


def test_a_missing_kept_file_raises_file_not_found(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        read_kept_file(str(tmp_path / "entry"), max_bytes=100)
