"""The stat index: trusted entries, git's racy rule, object formats, atomic saves."""

from __future__ import annotations

import json
import os
from pathlib import Path

from codegenie_adapters.stat_index import FORMAT, StatIndex

KEY = (10, 1_000, 2_000, 42)  # size, mtime_ns, ctime_ns, inode: mtime long before any write
LATER = 10**6  # a file system clock read after every mtime used here


def test_a_saved_entry_is_found_again_only_under_the_same_stat(tmp_path: Path) -> None:
    path = str(tmp_path / "index.json")
    index = StatIndex(path, object_format="sha1")
    index.record("a.py", KEY, "d1", hashed_after_ns=LATER)
    index.save()
    loaded = StatIndex(path, object_format="sha1")
    changed = [(11, 1_000, 2_000, 42), (10, 1_001, 2_000, 42), (10, 1_000, 2_001, 42),
               (10, 1_000, 2_000, 43)]  # fmt: skip
    assert [loaded.lookup("a.py", KEY), *(loaded.lookup("a.py", k) for k in changed)] == [
        "d1", None, None, None, None
    ]  # fmt: skip


def test_entries_not_older_than_the_index_write_are_dropped_on_load(tmp_path: Path) -> None:
    path = tmp_path / "index.json"
    index = StatIndex(str(path), object_format="sha1")
    index.record("old.py", KEY, "d-old", hashed_after_ns=LATER)
    index.record("racy.py", (10, 4_000, 4_000, 7), "d-racy", hashed_after_ns=LATER)
    index.save()
    os.utime(path, ns=(4_000, 4_000))  # the index was written in racy.py's tick
    loaded = StatIndex(str(path), object_format="sha1")
    assert (loaded.lookup("old.py", KEY), loaded.lookup("racy.py", (10, 4_000, 4_000, 7))) == (
        "d-old",
        None,
    )


def test_an_index_of_another_object_format_is_ignored(tmp_path: Path) -> None:
    path = str(tmp_path / "index.json")
    index = StatIndex(path, object_format="sha1")
    index.record("a.py", KEY, "d1", hashed_after_ns=LATER)
    index.save()
    assert StatIndex(path, object_format="sha256").lookup("a.py", KEY) is None


def test_save_keeps_only_the_given_paths_and_leaves_no_temp_files(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "index.json"
    index = StatIndex(str(path), object_format="sha1")
    index.record("kept.py", KEY, "d1", hashed_after_ns=LATER)
    index.record("gone.py", KEY, "d2", hashed_after_ns=LATER)
    index.save(keep={"kept.py"})
    document = json.loads(path.read_text())
    assert (sorted(os.listdir(path.parent)), document) == (
        ["index.json"],
        {"format": FORMAT, "object_format": "sha1", "entries": {"kept.py": [*KEY, "d1"]}},
    )


def test_an_unchanged_index_is_not_rewritten(tmp_path: Path) -> None:
    path = tmp_path / "index.json"
    index = StatIndex(str(path), object_format="sha1")
    index.record("a.py", KEY, "d1", hashed_after_ns=LATER)
    index.save()
    os.utime(path, ns=(5_000, 5_000))
    loaded = StatIndex(str(path), object_format="sha1")
    loaded.record("a.py", KEY, "d1", hashed_after_ns=LATER)
    loaded.save()
    assert (loaded.dirty, path.stat().st_mtime_ns) == (False, 5_000)


def test_a_file_changed_at_or_after_the_clock_read_before_hashing_is_not_recorded(
    tmp_path: Path,
) -> None:
    index = StatIndex(str(tmp_path / "index.json"), object_format="sha1")
    index.record("same-tick.py", (10, 5_000, 5_000, 1), "d1", hashed_after_ns=5_000)
    index.record("before.py", (10, 4_999, 4_999, 2), "d2", hashed_after_ns=5_000)
    assert (
        index.lookup("same-tick.py", (10, 5_000, 5_000, 1)),
        index.lookup("before.py", (10, 4_999, 4_999, 2)),
    ) == (None, "d2")


def test_the_clock_is_read_from_the_file_system_once_and_leaves_nothing_behind(
    tmp_path: Path,
) -> None:
    written = tmp_path / "written-before"
    written.write_bytes(b"")
    index = StatIndex(str(tmp_path / "cache" / "index.json"), object_format="sha1")
    first = index.clock_ns()
    assert first is not None
    assert (
        first >= written.stat().st_mtime_ns,
        index.clock_ns(),
        os.listdir(tmp_path / "cache"),
    ) == (
        True,
        first,
        [],
    )


def test_a_symlink_at_the_index_path_is_not_followed_and_a_save_replaces_it(
    tmp_path: Path,
) -> None:
    sound = str(tmp_path / "elsewhere.json")
    index = StatIndex(sound, object_format="sha1")
    index.record("a.py", KEY, "d1", hashed_after_ns=LATER)
    index.save()
    link = tmp_path / "index.json"
    link.symlink_to("elsewhere.json")

    loaded = StatIndex(str(link), object_format="sha1")
    assert loaded.lookup("a.py", KEY) is None  # a miss, though the target is a sound index
    loaded.record("b.py", KEY, "d2", hashed_after_ns=LATER)
    loaded.save()
    assert not link.is_symlink()  # replaced by a file of its own, the target left as it was
    assert StatIndex(sound, object_format="sha1").lookup("b.py", KEY) is None


def test_a_fifo_at_the_index_path_is_an_empty_index_not_a_hang(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "index.json")

    assert StatIndex(str(tmp_path / "index.json"), object_format="sha1").lookup("a", KEY) is None
