"""The filesystem cache: one verified, atomically written file per key, bounded by LRU eviction.

Rule 1: an entry is written to a unique temp file in its own directory, fsynced, then renamed over
the final name, so a reader (in this process or another) sees a whole entry or none.
Rule 2: a read verifies the header and structures the payload; any failure is a miss, logged once,
and the bad entry is removed so the next put replaces it. Never a crash, never a wrong answer.
Rule 3: a cache that cannot be written (permission, read-only, full) logs one warning and turns
itself off; a cache path that is not a directory is a `CacheDirError` (see ADR-0008).
Rule 4: reads bump mtime; a put that takes the running size past `max_bytes` evicts the oldest
mtimes until the total is under 90% of it. The running size is approximate between full scans.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import sys
import threading
import time
from collections.abc import Iterator, Mapping
from typing import Any, Literal

import attrs
from loguru import logger

from codegenie_adapters.fs_cache_entry import FORMAT_VERSION, decode_entry, encode_entry
from codegenie_adapters.serde import (
    STRUCTURE_ERRORS,
    SliceTypeMismatchError,
    envelope_from_json,
    envelope_to_json,
    structure_error_text,
)
from codegenie_core.cache_keys import CacheKey
from codegenie_core.errors import CacheDirError
from codegenie_core.ports import CacheStore
from codegenie_core.probe import Envelope

DEFAULT_MAX_BYTES = 1024 * 2**20
STALE_TEMP_AGE_S = 3600.0
_LOW_WATER = 0.9
_SUFFIX = ".entry"
_TEMP_PREFIX = ".tmp-"


@attrs.frozen(kw_only=True)
class CacheStats:
    root: str
    entries: int
    bytes: int


@attrs.frozen(kw_only=True)
class GcReport:
    entries: int  # evicted to get under the bound
    bytes: int  # evicted to get under the bound
    temp_files: int  # abandoned temp files older than `STALE_TEMP_AGE_S`
    other_versions: int  # files removed with the directories of other format versions


@attrs.frozen(kw_only=True)
class _Entry:
    path: str
    size: int
    mtime: float


def default_cache_dir(
    environ: Mapping[str, str], home: str, *, platform: str = sys.platform
) -> str:
    """`CODEGENIE_CACHE_DIR`, else `$XDG_CACHE_HOME/codegenie`, else the platform cache dir."""
    if explicit := environ.get("CODEGENIE_CACHE_DIR"):
        return explicit
    xdg = environ.get("XDG_CACHE_HOME", "")
    if os.path.isabs(xdg):  # the XDG spec says a relative value is invalid and ignored
        return os.path.join(xdg, "codegenie")
    if platform == "darwin":
        return os.path.join(home, "Library", "Caches", "codegenie")
    return os.path.join(home, ".cache", "codegenie")


def open_cache(
    path: str, *, max_bytes: int, mode: Literal["use", "refresh", "off"] = "use"
) -> FsCache | None:
    """The cache the CLI hands the coordinator: None when `mode` is "off", else an opened
    `FsCache` (which may have turned itself off with a warning). Raises `CacheDirError`."""
    if mode == "off":
        return None
    return FsCache.open(path, max_bytes=max_bytes)


class FsCache:
    """`CacheStore` over `<root>/v1/entries/<hex[:2]>/<hex>.entry`."""

    def __init__(self, root: str, *, max_bytes: int = DEFAULT_MAX_BYTES) -> None:
        assert max_bytes > 0, "the cache size bound is a positive number of bytes"
        self.root = root
        self.max_bytes = max_bytes
        self.enabled = True
        self._entries = os.path.join(root, f"v{FORMAT_VERSION}", "entries")
        self._lock = threading.Lock()
        self._approx_bytes: int | None = None  # None until the first put scans
        self._reported: set[str] = set()

    @classmethod
    def open(cls, root: str, *, max_bytes: int = DEFAULT_MAX_BYTES) -> FsCache:
        """Create the layout; a non-directory in the way raises, an unwritable place turns off."""
        cache = cls(root, max_bytes=max_bytes)
        if os.path.exists(root) and not os.path.isdir(root):
            raise CacheDirError(f"cache directory {root} is not a directory", path=root)
        try:
            os.makedirs(cache._entries, exist_ok=True)
        except (FileExistsError, NotADirectoryError) as error:
            where = error.filename or root
            raise CacheDirError(
                f"cache directory {root} cannot be used: {where} is not a directory", path=root
            ) from error
        except OSError as error:
            cache._disable(error)
        return cache

    @classmethod
    def for_admin(cls, root: str) -> FsCache:
        """A handle for `stats`, `clear` and `gc` that creates nothing; raises `CacheDirError` when
        `root` exists and is not a directory."""
        if os.path.exists(root) and not os.path.isdir(root):
            raise CacheDirError(f"cache directory {root} is not a directory", path=root)
        return cls(root)

    # ---- the port ----------------------------------------------------------------------------
    def get(self, key: CacheKey, slice_type: type[Any]) -> Envelope | None:
        if not self.enabled:
            return None
        path = self._path(key)
        try:
            with open(path, "rb") as handle:
                identity = os.fstat(handle.fileno())
                data = handle.read()
        except FileNotFoundError:
            return None
        except OSError as error:
            self._report(path, f"unreadable ({error.strerror})")
            return None
        payload = decode_entry(key.hex, data)
        if isinstance(payload, str):
            self._discard(path, identity, payload)
            return None
        try:
            envelope = envelope_from_json(payload, slice_type)
        except SliceTypeMismatchError:
            return None  # a sound entry for another slice type: not damage, just not ours
        except STRUCTURE_ERRORS as error:
            self._discard(
                path, identity, f"payload does not structure: {structure_error_text(error)}"
            )
            return None
        # Rule 4: a read is a use; a read-only or vanished entry still answered correctly.
        with contextlib.suppress(OSError):
            os.utime(path)
        return envelope

    def put(self, key: CacheKey, envelope: Envelope) -> None:
        if not self.enabled:
            return
        try:
            data = encode_entry(key.hex, envelope_to_json(envelope))
        except (TypeError, ValueError) as error:  # a slice the converter cannot write
            logger.warning(
                "not caching {}: its slice cannot be serialized: {}", envelope.probe, error
            )
            return
        path = self._path(key)
        temp = os.path.join(
            os.path.dirname(path), f"{_TEMP_PREFIX}{os.getpid()}-{secrets.token_hex(8)}"
        )
        try:
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(temp, "xb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temp, path)
        except OSError as error:
            _remove(temp)
            self._disable(error)
            return
        self._account(len(data))

    # ---- maintenance -------------------------------------------------------------------------
    def stats(self) -> CacheStats:
        entries = list(self._scan())
        return CacheStats(root=self.root, entries=len(entries), bytes=sum(e.size for e in entries))

    def clear(self) -> int:
        """Remove every entry of this format version; returns how many were removed."""
        removed = sum(_remove(entry.path) for entry in self._scan())
        with self._lock:
            self._approx_bytes = 0
        return removed

    def gc(self, max_bytes: int, *, now: float | None = None) -> GcReport:
        """Evict down to `max_bytes`, drop temp files older than an hour and other versions."""
        cutoff = (time.time() if now is None else now) - STALE_TEMP_AGE_S
        temps = 0
        for entry in self._scan(suffix_filter=False):
            if os.path.basename(entry.path).startswith(_TEMP_PREFIX) and entry.mtime < cutoff:
                temps += _remove(entry.path)
        others = 0
        for name in _listdir(self.root):
            version_dir = os.path.join(self.root, name)
            if name != f"v{FORMAT_VERSION}" and name[:1] == "v" and name[1:].isdigit():
                others += sum(len(files) for _, _, files in os.walk(version_dir))
                shutil.rmtree(version_dir, ignore_errors=True)
        with self._lock:
            count, size = self._evict(max_bytes)
        return GcReport(entries=count, bytes=size, temp_files=temps, other_versions=others)

    # ---- internals ---------------------------------------------------------------------------
    def _path(self, key: CacheKey) -> str:
        return os.path.join(self._entries, key.hex[:2], key.hex + _SUFFIX)

    def _scan(self, *, suffix_filter: bool = True) -> Iterator[_Entry]:
        for shard in _listdir(self._entries):
            shard_dir = os.path.join(self._entries, shard)
            try:
                with os.scandir(shard_dir) as listing:
                    for item in listing:
                        if suffix_filter and not item.name.endswith(_SUFFIX):
                            continue
                        try:
                            stat = item.stat(follow_symlinks=False)
                        except OSError:
                            continue  # evicted or replaced by another process meanwhile
                        yield _Entry(path=item.path, size=stat.st_size, mtime=stat.st_mtime)
            except OSError:
                continue

    def _account(self, written: int) -> None:
        with self._lock:
            if self._approx_bytes is None:
                self._approx_bytes = sum(e.size for e in self._scan())
            else:
                self._approx_bytes += written
            if self._approx_bytes > self.max_bytes:
                self._evict(int(self.max_bytes * _LOW_WATER))

    def _evict(self, target: int) -> tuple[int, int]:
        """Remove the oldest entries until the total is at most `target`; caller holds the lock."""
        entries = sorted(self._scan(), key=lambda e: e.mtime)
        total = sum(e.size for e in entries)
        count = size = 0
        for entry in entries:
            if total <= target:
                break
            if _remove(entry.path):
                count, size = count + 1, size + entry.size
            total -= entry.size
        self._approx_bytes = total
        return count, size

    def _report(self, path: str, reason: str) -> None:
        with self._lock:
            if path in self._reported:
                return
            self._reported.add(path)
        logger.warning("cache entry {} is damaged ({}); treating it as a miss", path, reason)

    def _discard(self, path: str, identity: os.stat_result, reason: str) -> None:
        self._report(path, reason)
        try:
            current = os.stat(path)
        except OSError:
            return
        # Remove only the file we read: another process may have just renamed a good one here.
        if (current.st_ino, current.st_dev) == (identity.st_ino, identity.st_dev):
            _remove(path)

    def _disable(self, error: OSError) -> None:
        with self._lock:
            if not self.enabled:
                return
            self.enabled = False
        logger.warning(
            "cache at {} is turned off for this run: {} (see ADR-0008)",
            self.root,
            error.strerror or error,
        )


def _listdir(path: str) -> list[str]:
    try:
        return sorted(os.listdir(path))
    except OSError:
        return []


def _remove(path: str) -> int:
    try:
        os.unlink(path)
    except OSError:
        return 0
    return 1


_CONFORMS: type[CacheStore] = FsCache
