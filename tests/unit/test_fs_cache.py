"""The filesystem cache: layout, verification, damage as a miss, turning off, LRU, gc, stats."""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterator
from pathlib import Path

import attrs
import pytest
from loguru import logger

from codegenie_adapters import log
from codegenie_adapters.cache_location import default_cache_dir
from codegenie_adapters.fs_cache import STALE_TEMP_AGE_S, FsCache, open_cache
from codegenie_adapters.fs_cache_entry import FORMAT_VERSION, HEADER_SIZE, encode_entry
from codegenie_core.cache_keys import CacheKey
from codegenie_core.errors import CacheDirError
from codegenie_core.maintenance import CacheStats, GcReport
from codegenie_core.probe import CacheEntryError, Envelope
from tests._ci_support.requires_tool import requires_tool
from tests.support import silence_adapters_log, typed


@attrs.frozen(kw_only=True)
class Facts:
    names: tuple[str, ...]
    count: int


@attrs.frozen(kw_only=True)
class OtherFacts:
    names: tuple[str, ...]
    count: int


def key(label: str) -> CacheKey:
    return CacheKey(hashlib.sha256(label.encode()).hexdigest())


def envelope(count: int = 1, *, padding: int = 0) -> Envelope:
    facts = Facts(names=("x" * padding,), count=count)
    return Envelope(probe="facts", schema_version=1, confidence="high", slice=facts)


@pytest.fixture
def warnings_logged() -> Iterator[list[str]]:
    messages: list[str] = []
    log.enable("WARNING")
    sink = logger.add(lambda m: messages.append(m.record["message"]), level="WARNING")
    yield messages
    logger.remove(sink)
    silence_adapters_log()


def entry_path(root: Path, k: CacheKey) -> Path:
    return root / f"v{FORMAT_VERSION}" / "entries" / k.hex[:2] / f"{k.hex}.entry"


def test_an_entry_round_trips_and_lands_at_its_layout_path(tmp_path: Path) -> None:
    cache = FsCache.open(str(tmp_path))
    cache.put(key("a"), envelope(7))
    assert typed(cache.get(key("a"), Facts)) == envelope(7)
    assert entry_path(tmp_path, key("a")).is_file()
    assert [p.name for p in entry_path(tmp_path, key("a")).parent.iterdir()] == [
        f"{key('a').hex}.entry"
    ]


def test_an_unknown_key_is_a_miss(tmp_path: Path) -> None:
    assert FsCache.open(str(tmp_path)).get(key("nothing"), Facts) is None


def test_another_slice_type_is_a_miss_that_keeps_the_entry(tmp_path: Path) -> None:
    cache = FsCache.open(str(tmp_path))
    cache.put(key("a"), envelope())
    assert cache.get(key("a"), OtherFacts) is None
    assert typed(cache.get(key("a"), Facts)) == envelope()


def _damage(data: bytes) -> dict[str, bytes]:
    flipped = bytearray(data)
    flipped[-2] ^= 0x01
    wrong_version = data[:8] + (99).to_bytes(2, "big") + data[10:]
    return {
        "empty": b"",
        "truncated header": data[: HEADER_SIZE - 1],
        "truncated payload": data[:-3],
        "garbled payload": bytes(flipped),
        "bad magic": b"X" + data[1:],
        "wrong version": wrong_version,
        "trailing bytes": data + b"!",
        "other key": encode_entry(key("other").hex, data[HEADER_SIZE:]),
        "valid checksum, not an envelope": encode_entry(key("a").hex, b'{"probe": 3}'),
        "valid checksum, not json": encode_entry(key("a").hex, b"\xff\xfe"),
    }


@pytest.mark.parametrize("damage", list(_damage(b"\0" * 100)))
def test_a_damaged_entry_is_a_miss_logged_once_and_removed(
    tmp_path: Path, damage: str, warnings_logged: list[str]
) -> None:
    cache = FsCache.open(str(tmp_path))
    cache.put(key("a"), envelope())
    path = entry_path(tmp_path, key("a"))
    path.write_bytes(_damage(path.read_bytes())[damage])
    assert cache.get(key("a"), Facts) is None
    assert not path.exists()
    assert cache.get(key("a"), Facts) is None
    assert len(warnings_logged) == 1
    assert str(path) in warnings_logged[0]
    cache.put(key("a"), envelope(2))
    assert typed(cache.get(key("a"), Facts)) == envelope(2)


def test_a_hit_keeps_the_slice_as_stored_and_structures_it_only_when_asked(
    tmp_path: Path,
) -> None:
    cache = FsCache.open(str(tmp_path))
    cache.put(key("a"), envelope(7))
    hit = cache.get(key("a"), Facts)
    assert hit is not None
    assert (hit.confidence, hit.notes) == ("high", ())
    assert list(hit.plain_slice) == ["names", "count"]  # field order, as the converter wrote it
    assert hit.plain_slice == {"names": [""], "count": 7}
    assert hit.envelope() == envelope(7)
    assert hit.envelope() is hit.envelope()  # built once


def test_a_slice_that_does_not_structure_raises_when_asked_and_is_removed(
    tmp_path: Path, warnings_logged: list[str]
) -> None:
    cache = FsCache.open(str(tmp_path))
    cache.put(key("a"), envelope())
    path = entry_path(tmp_path, key("a"))
    payload = json.loads(path.read_bytes()[HEADER_SIZE:])
    payload["slice"]["count"] = "many"  # a sound entry, checksum and head, of another shape
    path.write_bytes(encode_entry(key("a").hex, json.dumps(payload).encode()))
    hit = cache.get(key("a"), Facts)
    assert hit is not None and hit.plain_slice["count"] == "many"
    with pytest.raises(CacheEntryError, match="does not structure"):
        hit.envelope()
    assert not path.exists()
    assert len(warnings_logged) == 1 and "expected int @ $.count" in warnings_logged[0]


def test_a_read_bumps_the_entry_mtime(tmp_path: Path) -> None:
    cache = FsCache.open(str(tmp_path))
    cache.put(key("a"), envelope())
    path = entry_path(tmp_path, key("a"))
    os.utime(path, (1_000_000, 1_000_000))
    cache.get(key("a"), Facts)
    assert path.stat().st_mtime > 1_000_000


def test_a_put_past_the_bound_evicts_least_recently_used_first(tmp_path: Path) -> None:
    probe_cache = FsCache.open(str(tmp_path / "probe"))
    probe_cache.put(key("a"), envelope(padding=1000))
    size = probe_cache.stats().bytes  # every entry below has exactly this size
    cache = FsCache.open(str(tmp_path / "c"), max_bytes=size * 7 // 2)
    tmp_path = tmp_path / "c"
    for index, label in enumerate(["a", "b", "c"]):
        cache.put(key(label), envelope(padding=1000))
        os.utime(entry_path(tmp_path, key(label)), (1_000_000 + index, 1_000_000 + index))
    cache.get(key("a"), Facts)  # "a" is now the most recently used
    cache.put(key("d"), envelope(padding=1000))
    survivors = {label for label in "abcd" if entry_path(tmp_path, key(label)).exists()}
    assert survivors == {"a", "c", "d"}
    assert cache.stats().bytes == size * 3


def test_stats_count_entries_and_bytes(tmp_path: Path) -> None:
    cache = FsCache.open(str(tmp_path))
    cache.put(key("a"), envelope())
    cache.put(key("b"), envelope(2))
    expected = sum(entry_path(tmp_path, key(x)).stat().st_size for x in "ab")
    assert cache.stats() == CacheStats(root=str(tmp_path), entries=2, bytes=expected)


def test_clear_removes_every_entry_and_says_how_many(tmp_path: Path) -> None:
    cache = FsCache.open(str(tmp_path))
    for label in "abc":
        cache.put(key(label), envelope())
    assert cache.clear() == 3
    assert cache.stats().entries == 0
    assert cache.get(key("a"), Facts) is None


def test_gc_evicts_to_the_bound_and_removes_old_temps_and_other_versions(tmp_path: Path) -> None:
    cache = FsCache.open(str(tmp_path))
    for index, label in enumerate("abc"):
        cache.put(key(label), envelope())
        os.utime(entry_path(tmp_path, key(label)), (1_000_000 + index, 1_000_000 + index))
    one_entry = entry_path(tmp_path, key("a")).stat().st_size
    shard = entry_path(tmp_path, key("a")).parent
    (shard / ".tmp-1-old").write_bytes(b"partial")
    os.utime(shard / ".tmp-1-old", (1_000_000, 1_000_000))
    (shard / ".tmp-2-fresh").write_bytes(b"partial")
    old_version = tmp_path / "v0" / "entries" / "ab"
    old_version.mkdir(parents=True)
    (old_version / "x.entry").write_bytes(b"old")
    report = cache.gc(one_entry, now=1_000_000 + STALE_TEMP_AGE_S + 1)
    assert report == GcReport(entries=2, bytes=2 * one_entry, temp_files=1, other_versions=1)
    assert typed(cache.get(key("c"), Facts)) == envelope()
    assert (shard / ".tmp-2-fresh").exists()
    assert not (tmp_path / "v0").exists()


def test_a_cache_path_that_is_a_regular_file_is_a_cache_dir_error(tmp_path: Path) -> None:
    target = tmp_path / "cache"
    target.write_text("not a directory")
    with pytest.raises(CacheDirError) as caught:
        FsCache.open(str(target))
    assert caught.value.path == str(target)
    assert str(target) in str(caught.value)


def test_an_admin_handle_creates_nothing_and_refuses_a_regular_file(tmp_path: Path) -> None:
    missing = tmp_path / "never-made"
    assert (FsCache.for_admin(str(missing)).stats().entries, missing.exists()) == (0, False)
    (tmp_path / "file").write_text("x")
    with pytest.raises(CacheDirError):
        FsCache.for_admin(str(tmp_path / "file"))


def test_a_regular_file_inside_the_layout_is_a_cache_dir_error(tmp_path: Path) -> None:
    (tmp_path / f"v{FORMAT_VERSION}").write_text("in the way")
    with pytest.raises(CacheDirError):
        FsCache.open(str(tmp_path))


@requires_tool("linux")
def test_an_unwritable_cache_dir_turns_the_cache_off_with_one_warning(
    warnings_logged: list[str],
) -> None:
    cache = FsCache.open("/sys/codegenie-cache-test")  # sysfs refuses even root
    cache.put(key("a"), envelope())
    cache.put(key("b"), envelope())
    assert (cache.enabled, cache.get(key("a"), Facts)) == (False, None)
    assert len(warnings_logged) == 1
    assert "turned off" in warnings_logged[0]


def test_a_failing_first_put_turns_the_cache_off_with_one_warning(
    tmp_path: Path, warnings_logged: list[str]
) -> None:
    cache = FsCache.open(str(tmp_path))
    cache.put(key("a"), envelope())
    entries = tmp_path / f"v{FORMAT_VERSION}" / "entries"
    for shard in entries.iterdir():
        for item in shard.iterdir():
            item.unlink()
        shard.rmdir()
    entries.rmdir()
    entries.write_text("the layout was broken under us")  # every write now fails
    cache.put(key("b"), envelope())
    cache.put(key("c"), envelope())
    assert (cache.enabled, cache.get(key("b"), Facts)) == (False, None)
    assert len(warnings_logged) == 1


def test_open_cache_creates_the_layout_of_the_current_format(tmp_path: Path) -> None:
    cache = open_cache(str(tmp_path / "c"), max_bytes=10)
    assert (cache.enabled, (tmp_path / "c" / f"v{FORMAT_VERSION}" / "entries").is_dir()) == (
        True,
        True,
    )


@pytest.mark.parametrize(
    ("environ", "platform", "expected"),
    [
        ({"CODEGENIE_CACHE_DIR": "/c", "XDG_CACHE_HOME": "/x"}, "linux", "/c"),
        ({"XDG_CACHE_HOME": "/x"}, "linux", "/x/codegenie"),
        ({"XDG_CACHE_HOME": "relative"}, "linux", "/h/.cache/codegenie"),
        ({"CODEGENIE_CACHE_DIR": ""}, "linux", "/h/.cache/codegenie"),
        ({}, "linux", "/h/.cache/codegenie"),
        ({}, "darwin", "/h/Library/Caches/codegenie"),
        ({"XDG_CACHE_HOME": "/x"}, "darwin", "/x/codegenie"),
    ],
)
def test_default_cache_dir_follows_env_then_xdg_then_platform(
    environ: dict[str, str], platform: str, expected: str
) -> None:
    assert default_cache_dir(environ, "/h", platform=platform) == expected


@attrs.frozen(kw_only=True)
class Opaque:
    handle: object  # the converter passes it through; JSON cannot write it


def test_a_slice_that_cannot_be_written_is_not_cached_and_does_not_raise(
    tmp_path: Path, warnings_logged: list[str]
) -> None:
    cache = FsCache.open(str(tmp_path))
    bad = Envelope(
        probe="opaque", schema_version=1, confidence="low", slice=Opaque(handle=object())
    )
    cache.put(key("a"), bad)
    assert (cache.get(key("a"), Opaque), cache.enabled, cache.stats().entries) == (None, True, 0)
    assert len(warnings_logged) == 1
    assert "not caching opaque" in warnings_logged[0]


@pytest.mark.parametrize("planted", ["fifo", "symlink", "directory"])
def test_what_is_planted_at_an_entry_path_is_a_miss_and_a_put_still_works(
    tmp_path: Path, planted: str, warnings_logged: list[str]
) -> None:
    cache = FsCache.open(str(tmp_path))
    cache.put(key("k"), envelope(1))
    path = entry_path(tmp_path, key("k"))
    sound = tmp_path / "sound.entry"
    os.replace(path, sound)
    match planted:
        case "fifo":
            os.mkfifo(path)
        case "symlink":
            path.symlink_to(sound)  # a sound entry, but reached through a symlink
        case _:
            path.mkdir()

    assert cache.get(key("k"), Facts) is None
    cache.put(key("k"), envelope(2))
    assert cache.enabled and warnings_logged == []
    if planted != "directory":  # the put replaced what was planted with an entry of its own
        found = cache.get(key("k"), Facts)
        assert found is not None and found.envelope().slice == Facts(names=("",), count=2)
