"""The page directory writer's permissions: the user's umask, read without being set."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from codegenie_adapters import page_directory
from codegenie_adapters.page_directory import MARKER, write_directory


def test_the_page_directory_has_the_permissions_the_umask_gives(tmp_path: Path) -> None:
    previous = os.umask(0o027)
    try:
        write_directory(str(tmp_path / "page"), [("index.html", "<p>x</p>")])
    finally:
        os.umask(previous)
    assert stat.S_IMODE((tmp_path / "page").stat().st_mode) == 0o750
    assert stat.S_IMODE((tmp_path / "page" / "index.html").stat().st_mode) == 0o640
    assert sorted(os.listdir(tmp_path)) == ["page"]


def test_no_other_user_can_reach_the_page_while_it_is_written(tmp_path: Path) -> None:
    """Rule 5: even with umask 0 (the user's mode is then 0777), the temp directory is 0700 until
    every file is in it, so nobody can plant a file or a symlink among them."""
    seen: list[int] = []

    def files() -> Iterator[tuple[str, str]]:
        for name in ("index.html", "repos/a.md"):
            (temp,) = (p for p in tmp_path.iterdir() if p.name.startswith(".page.tmp-"))
            seen.append(stat.S_IMODE(temp.stat().st_mode))
            yield name, "x"

    previous = os.umask(0)
    try:
        write_directory(str(tmp_path / "page"), files())
    finally:
        os.umask(previous)
    assert seen == [0o700, 0o700]
    assert stat.S_IMODE((tmp_path / "page").stat().st_mode) == 0o777


def test_the_process_umask_is_never_changed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Setting the umask to read it changes it, for a moment, for every thread (Rule 5)."""

    def refuse(mask: int) -> int:
        raise AssertionError(f"os.umask({mask:o}) called")

    monkeypatch.setattr(page_directory.os, "umask", refuse)
    write_directory(str(tmp_path / "page"), [("a/b.html", "b")])
    assert sorted(os.listdir(tmp_path / "page")) == sorted([MARKER, "a"])
