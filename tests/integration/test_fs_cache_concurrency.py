"""Two real processes hammer one cache directory: no torn entry, no wrong answer, no crash."""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
import subprocess
import sys
from pathlib import Path

import attrs
import pytest
from loguru import logger

from codegenie_adapters import log
from codegenie_adapters.fs_cache import FsCache
from codegenie_adapters.fs_cache_entry import FORMAT_VERSION, decode_entry
from codegenie_adapters.serde import envelope_from_json
from codegenie_core.cache_keys import CacheKey
from codegenie_core.probe import Envelope
from tests.support import typed

LABELS = tuple(f"key-{n}" for n in range(6))
ROUNDS = 60
PAYLOAD_CHARS = 48_000  # well past a page, so a non-atomic write would show as a torn entry


@attrs.frozen(kw_only=True)
class Blob:
    label: str
    writer: int
    round: int
    body: str
    body_sha256: str


def key(label: str) -> CacheKey:
    return CacheKey(hashlib.sha256(label.encode()).hexdigest())


def blob(label: str, writer: int, round_: int) -> Envelope:
    body = (f"{label}:{writer}:{round_};" * PAYLOAD_CHARS)[:PAYLOAD_CHARS]
    value = Blob(
        label=label,
        writer=writer,
        round=round_,
        body=body,
        body_sha256=hashlib.sha256(body.encode()).hexdigest(),
    )
    return Envelope(probe=label, schema_version=1, confidence="high", slice=value)


def check(label: str, found: Envelope | None) -> None:
    """A hit must be a whole, self-consistent entry written for this very key."""
    if found is None:
        return
    value: Blob = found.slice
    assert value.label == label == found.probe, (label, value.label)
    assert hashlib.sha256(value.body.encode()).hexdigest() == value.body_sha256
    assert found == blob(label, value.writer, value.round)


def hammer(root: str, writer: int, max_bytes: int, bounded: bool) -> None:
    warnings: list[str] = []
    log.enable("WARNING")
    logger.add(lambda m: warnings.append(m.record["message"]), level="WARNING")
    cache = FsCache.open(root, max_bytes=max_bytes)
    for round_ in range(ROUNDS):
        for label in LABELS:
            check(label, typed(cache.get(key(label), Blob)))
            cache.put(key(label), blob(label, writer, round_))
            found = typed(cache.get(key(label), Blob))
            check(label, found)
            # Nothing removes an entry but eviction, so without it a get after a put must hit:
            # a torn entry (a non-atomic write) would be read as damage and miss.
            assert bounded or found is not None, f"{label}: miss right after a put"
    assert cache.enabled, "the cache must not have turned itself off"
    assert warnings == [], warnings  # a reader never saw a damaged entry


def run_two_writers(root: Path, max_bytes: int, bounded: bool) -> list[int | None]:
    spawn = multiprocessing.get_context("spawn")
    workers = [
        spawn.Process(target=hammer, args=(str(root), writer, max_bytes, bounded))
        for writer in (1, 2)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=240)
    return [worker.exitcode for worker in workers]


def verify_every_entry(root: Path) -> int:
    entries = 0
    for dirpath, _, files in os.walk(root / f"v{FORMAT_VERSION}" / "entries"):
        for name in files:
            assert name.endswith(".entry"), f"left behind: {name}"
            label_key = name.removesuffix(".entry")
            payload = decode_entry(label_key, (Path(dirpath) / name).read_bytes())
            assert isinstance(payload, bytes), payload
            envelope = envelope_from_json(payload, Blob)
            assert key(envelope.probe).hex == label_key
            check(envelope.probe, envelope)
            entries += 1
    return entries


@pytest.mark.parametrize(
    ("max_bytes", "bounded"),
    [(1 << 30, False), (3 * PAYLOAD_CHARS, True)],
    ids=["roomy", "evicting"],
)
def test_two_processes_on_one_cache_dir_leave_only_whole_entries(
    tmp_path: Path, max_bytes: int, bounded: bool
) -> None:
    assert run_two_writers(tmp_path, max_bytes, bounded) == [0, 0]
    entries = verify_every_entry(tmp_path)
    if bounded:
        assert 0 < entries <= len(LABELS)
    else:
        assert entries == len(LABELS)
    cache = FsCache.open(str(tmp_path))
    for label in LABELS:
        check(label, typed(cache.get(key(label), Blob)))


ROOT = Path(__file__).resolve().parents[2]
FIXTURE = ROOT / "tests" / "fixtures" / "portfolio" / "polyglot-monorepo"


def _facts(document: bytes) -> dict[str, object]:
    """A gather's probe results without how they were obtained (ran or cached) or how long."""
    probes: dict[str, dict[str, object]] = json.loads(document)["probes"]
    drop = {"outcome", "duration_ms", "cache_key"}
    return {
        name: {k: v for k, v in fields.items() if k not in drop} for name, fields in probes.items()
    }


def test_two_gathers_of_one_repo_at_once_on_one_cache_dir_both_succeed(tmp_path: Path) -> None:
    argv = [
        sys.executable, "-m", "codegenie_cli", "gather", str(FIXTURE),
        "--cache-dir", str(tmp_path), "--layer", "a", "--format", "json",
    ]  # fmt: skip
    documents: list[bytes] = []
    for _ in range(3):  # cold (both compute and write), then warm (both read)
        gathers = [
            subprocess.Popen(argv, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            for _ in range(2)
        ]
        for gather in gathers:
            out, err = gather.communicate(timeout=120)
            assert gather.returncode == 0, err.decode(errors="replace")
            assert b"damaged" not in err
            documents.append(out)
    facts = [_facts(d) for d in documents]
    assert facts[1:] == facts[:1] * 5
    assert verify_every_entry_is_whole(tmp_path) > 0


def verify_every_entry_is_whole(root: Path) -> int:
    count = 0
    for dirpath, _, files in os.walk(root / f"v{FORMAT_VERSION}" / "entries"):
        for name in files:
            assert name.endswith(".entry"), f"left behind: {name}"
            payload = decode_entry(name.removesuffix(".entry"), (Path(dirpath) / name).read_bytes())
            assert isinstance(payload, bytes), payload
            count += 1
    return count
