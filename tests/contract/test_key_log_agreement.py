"""The fake key log and the one on disk agree: what was recorded is what `last` gives back, per
probe, replaced by each record, and a copy the caller cannot change."""

from __future__ import annotations

import gzip
import json
import os
from collections.abc import Callable
from pathlib import Path

import pytest

from codegenie_adapters.fakes import InMemoryKeyLog
from codegenie_adapters.key_log import FORMAT, MAX_COMPRESSED_BYTES, FsKeyLog, key_log_dir
from codegenie_core.key_changes import KeyLog

Factory = Callable[[Path], KeyLog]
LOGS: list[tuple[str, Factory]] = [
    ("fake", lambda tmp: InMemoryKeyLog()),
    ("disk", lambda tmp: FsKeyLog(str(tmp / "cache"), str(tmp / "repo"))),
]


@pytest.fixture(params=LOGS, ids=[name for name, _ in LOGS])
def key_log(request: pytest.FixtureRequest, tmp_path: Path) -> KeyLog:
    factory: Factory = request.param[1]
    return factory(tmp_path)


def test_nothing_recorded_is_none(key_log: KeyLog) -> None:
    assert key_log.last("probe") is None


def test_the_last_record_of_each_probe_is_given_back(key_log: KeyLog) -> None:
    key_log.record("a", {"key": "1", "inputs": [{"path": "x\udcff", "digest": "d"}]})
    key_log.record("b", {"key": "2"})
    key_log.record("a", {"key": "3"})
    assert key_log.last("a") == {"key": "3"}
    assert key_log.last("b") == {"key": "2"}


def test_what_last_gives_is_a_copy(key_log: KeyLog) -> None:
    key_log.record("a", {"key": "1", "inputs": []})
    first = key_log.last("a")
    assert first is not None
    first["inputs"].append("changed")  # pyright: ignore[reportUnknownMemberType]  -- plain data
    assert key_log.last("a") == {"key": "1", "inputs": []}


def _file(tmp_path: Path, probe: str) -> Path:
    return Path(key_log_dir(str(tmp_path / "cache"), str(tmp_path / "repo"))) / f"{probe}.json.gz"


@pytest.mark.parametrize(
    "content",
    [
        b"not gzip",
        gzip.compress(b"not json"),
        gzip.compress(b"[1, 2]"),
        gzip.compress(json.dumps({"format": "other", "probe": "a", "recorded": {}}).encode()),
        gzip.compress(
            json.dumps({"format": "codegenie-key-log/1", "probe": "b", "recorded": {}}).encode()
        ),
    ],
    ids=["not-gzip", "not-json", "not-a-mapping", "foreign-format", "another-probe"],
)
def test_a_damaged_or_foreign_file_on_disk_is_nothing_recorded(
    tmp_path: Path, content: bytes
) -> None:
    log = FsKeyLog(str(tmp_path / "cache"), str(tmp_path / "repo"))
    log.record("a", {"key": "1"})
    _file(tmp_path, "a").write_bytes(content)
    assert log.last("a") is None


def test_an_oversized_file_is_not_read(tmp_path: Path) -> None:
    log = FsKeyLog(str(tmp_path / "cache"), str(tmp_path / "repo"))
    log.record("a", {"key": "1"})
    _file(tmp_path, "a").write_bytes(b"\0" * (MAX_COMPRESSED_BYTES + 1))
    assert log.last("a") is None


def test_a_decompression_bomb_is_not_inflated(tmp_path: Path) -> None:
    log = FsKeyLog(str(tmp_path / "cache"), str(tmp_path / "repo"))
    log.record("a", {"key": "1"})
    valid = json.dumps({"format": FORMAT, "probe": "a", "recorded": {"key": "1"}})
    padded = valid.encode() + b" " * (65 * 2**20)  # valid JSON, were it read whole
    _file(tmp_path, "a").write_bytes(gzip.compress(padded, compresslevel=9))
    assert log.last("a") is None
    _file(tmp_path, "a").write_bytes(gzip.compress(valid.encode()))
    assert log.last("a") == {"key": "1"}


def test_an_unwritable_cache_is_logged_not_raised(tmp_path: Path) -> None:
    (tmp_path / "cache").write_text("a file where the cache directory should be")
    log = FsKeyLog(str(tmp_path / "cache"), str(tmp_path / "repo"))
    log.record("a", {"key": "1"})  # no exception
    assert log.last("a") is None


def test_no_machine_path_names_the_file(tmp_path: Path) -> None:
    log = FsKeyLog(str(tmp_path / "cache"), str(tmp_path / "repo"))
    log.record("../../escape", {"key": "1"})
    written = [os.path.join(d, f) for d, _, fs in os.walk(tmp_path / "cache") for f in fs]
    assert len(written) == 1 and "repo" not in written[0] and "escape" not in written[0]
    assert log.last("../../escape") == {"key": "1"}


def test_a_record_of_the_first_format_is_nothing_recorded(tmp_path: Path) -> None:
    # Format 1 kept one mapping per file (ADR-0088): after an upgrade its records are not read
    # as format 2's, so the first miss says "no earlier entry" rather than a wrong difference.
    log = FsKeyLog(str(tmp_path / "cache"), str(tmp_path / "repo"))
    log.record("a", {"key": "1"})
    old = {"format": "codegenie-key-log/1", "probe": "a", "recorded": {"key": "1"}}
    _file(tmp_path, "a").write_bytes(gzip.compress(json.dumps(old).encode()))
    assert log.last("a") is None
