"""The filesystem cache: one verified, atomically written file per key, bounded by LRU eviction.

Rule 1: an entry is written to a unique temp file in its own directory, fsynced, then renamed over
the final name, so a reader (in this process or another) sees a whole entry or none.
Rule 2: a read verifies the header (format, key, length, checksum) and the envelope's head; any
failure is a miss, logged once, and the bad entry is removed so the next put replaces it. Never a
crash. The slice is structured when a typed envelope is first asked for; one that does not
structure is reported and removed the same way, and raises `CacheEntryError`. A slice nothing
structures is rendered as it was stored for this key (see ADR-0020).
Rule 3: a cache that cannot be written (permission, read-only, full) logs one warning and turns
itself off; a cache path that is not a directory is a `CacheDirError` (see ADR-0008).
Rule 3b: what is at an entry's path is read only if it is a regular file (never through a symlink,
never a FIFO or device opened, at most `MAX_ENTRY_BYTES`); anything else there is a miss, logged
once at debug, and left alone (see ADR-0026).
Rule 4: reads bump mtime; a put that takes the running size past `max_bytes` evicts the oldest
mtimes until the total is under 90% of it. The running size is approximate between full scans.
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
from typing import TYPE_CHECKING, Any

from codegenie_adapters import fs_cache_files as files
from codegenie_adapters import log
from codegenie_adapters.atomic import NotKept
from codegenie_adapters.envelope_json import (
    EnvelopeDocument,
    admits,
    read_envelope_json,
)
from codegenie_adapters.fs_cache_entry import FORMAT_VERSION, decode_entry, encode_entry
from codegenie_core.cache_keys import CacheKey
from codegenie_core.errors import CacheDirError
from codegenie_core.ports import CacheStore
from codegenie_core.probe import CachedEnvelope, CacheEntryError, Envelope
from codegenie_core.spec import SliceRef

if TYPE_CHECKING:  # the maintenance commands' values, imported by them (ADR-0091)
    from codegenie_core.maintenance import CacheAdmin, CacheStats, GcReport

DEFAULT_MAX_BYTES = 1024 * 2**20
STALE_TEMP_AGE_S = 3600.0
_LOW_WATER = 0.9


def open_cache(path: str, *, max_bytes: int) -> FsCache:
    """The cache the composition root hands the coordinator: an opened `FsCache` (which may have
    turned itself off with a warning). Raises `CacheDirError`."""
    return FsCache.open(path, max_bytes=max_bytes)


class FsCache:
    """`CacheStore` and `CacheAdmin` over `<root>/v<FORMAT_VERSION>/entries/<hex[:2]>/<hex>.entry`
    (format 2 today; other versions' directories are removed by `gc`)."""

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
    def get(self, key: CacheKey, slice_type: type[Any] | SliceRef) -> CachedEnvelope | None:
        if not self.enabled:
            return None
        path = self._path(key)
        try:
            read = files.read_with_identity(path)
        except FileNotFoundError:
            return None
        except OSError as error:
            self._report(path, f"unreadable ({error.strerror})")
            return None
        if isinstance(read, NotKept):  # Rule 3b
            self._note_not_an_entry(path, read.reason)
            return None
        data, identity = read
        payload = decode_entry(key.hex, data)
        if isinstance(payload, str):
            self._report(path, payload)
            files.remove_if_same(path, identity)
            return None
        try:
            document = read_envelope_json(payload)
        except (ValueError, TypeError) as error:
            self._report(path, f"payload is not an envelope: {_error_text(error)}")
            files.remove_if_same(path, identity)
            return None
        if not admits(slice_type, document.slice_type):
            return None  # a sound entry for another slice type: not damage, just not ours
        # Rule 4: a read is a use; a read-only or vanished entry still answered correctly.
        with contextlib.suppress(OSError, NotImplementedError):
            os.utime(path, follow_symlinks=False)
        return CachedEnvelope(
            probe=document.probe,
            schema_version=document.schema_version,
            confidence=document.confidence,
            notes=document.notes,
            plain_slice=document.plain_slice,
            load=lambda: self._structure(document, slice_type, path, identity),
        )

    def _structure(
        self,
        document: EnvelopeDocument,
        slice_type: type[Any] | SliceRef,
        path: str,
        identity: os.stat_result,
    ) -> Envelope:
        """Rule 2 for the slice, when a typed one is first asked for (see ADR-0020)."""
        from codegenie_adapters.serde import structured_or_problem

        structured = structured_or_problem(document, slice_type)
        if isinstance(structured, str):
            self._report(path, structured)
            files.remove_if_same(path, identity)
            raise CacheEntryError(f"cache entry {path} {structured}")
        return structured

    def put(self, key: CacheKey, envelope: Envelope) -> None:
        data = self.encode(key, envelope)
        if data is not None:
            self.adopt(key, data)

    def encode(self, key: CacheKey, envelope: Envelope) -> bytes | None:
        """The entry bytes `put` writes for `envelope` (the same bytes a remote tier stores), or
        None, logged, when it cannot be cached or the cache is off."""
        if not self.enabled:
            return None
        from codegenie_adapters.serde import envelope_to_json

        try:
            data = encode_entry(key.hex, envelope_to_json(envelope))
        except (TypeError, ValueError) as error:  # a slice the converter cannot write
            log.warning("not caching {}: its slice cannot be serialized: {}", envelope.probe, error)
            return None
        if len(data) > files.MAX_ENTRY_BYTES:  # it could never be read back (Rule 3b)
            log.warning("not caching {}: its entry would be {} bytes", envelope.probe, len(data))
            return None
        return data

    def adopt(self, key: CacheKey, data: bytes) -> bool:
        """Write `data`, an encoded entry for `key`, atomically (Rule 1); False when it was not
        written (the cache is off, or turned off now)."""
        if not self.enabled:
            return False
        try:
            files.write_atomically(self._path(key), data)
        except IsADirectoryError as error:  # Rule 3b: a directory planted at this entry's path
            self._note_not_an_entry(error.filename or self._path(key), "a directory")
            return False
        except OSError as error:
            self._disable(error)
            return False
        self._account(len(data))
        return True

    # ---- maintenance -------------------------------------------------------------------------
    def stats(self) -> CacheStats:
        from codegenie_core.maintenance import CacheStats

        entries = list(files.scan(self._entries))
        return CacheStats(root=self.root, entries=len(entries), bytes=sum(e.size for e in entries))

    def clear(self) -> int:
        """Remove every entry of this format version; returns how many were removed."""
        removed = sum(files.remove(entry.path) for entry in files.scan(self._entries))
        with self._lock:
            self._approx_bytes = 0
        return removed

    def gc(self, max_bytes: int, *, now: float | None = None) -> GcReport:
        """Evict down to `max_bytes`, drop temp files older than an hour and other versions."""
        from codegenie_core.maintenance import GcReport

        cutoff = (time.time() if now is None else now) - STALE_TEMP_AGE_S
        temps = files.sweep_temps(self._entries, older_than=cutoff)
        others = files.sweep_other_versions(self.root, current=f"v{FORMAT_VERSION}")
        with self._lock:
            count, size, self._approx_bytes = files.evict_oldest(self._entries, max_bytes)
        return GcReport(entries=count, bytes=size, temp_files=temps, other_versions=others)

    # ---- internals ---------------------------------------------------------------------------
    def _path(self, key: CacheKey) -> str:
        return os.path.join(self._entries, key.hex[:2], key.hex + files.ENTRY_SUFFIX)

    def _account(self, written: int) -> None:
        with self._lock:
            if self._approx_bytes is None:  # first put of this process: one scan
                self._approx_bytes = sum(e.size for e in files.scan(self._entries))
            else:
                self._approx_bytes += written
            if self._approx_bytes > self.max_bytes:
                target = int(self.max_bytes * _LOW_WATER)
                _, _, self._approx_bytes = files.evict_oldest(self._entries, target)

    def _report(self, path: str, reason: str) -> None:
        with self._lock:
            if path in self._reported:
                return
            self._reported.add(path)
        log.warning("cache entry {} is damaged ({}); treating it as a miss", path, reason)

    def _note_not_an_entry(self, path: str, what: str) -> None:
        with self._lock:
            if path in self._reported:
                return
            self._reported.add(path)
        log.debug("cache entry path {} holds {}; treating it as a miss", path, what)

    def _disable(self, error: OSError) -> None:
        with self._lock:
            if not self.enabled:
                return
            self.enabled = False
        log.warning(
            "cache at {} is turned off for this run: {} (see ADR-0008)",
            self.root,
            error.strerror or error,
        )


def _error_text(error: BaseException) -> str:
    from codegenie_adapters.serde import structure_error_text  # a damaged entry: rare, so lazy

    return structure_error_text(error)


_CONFORMS: type[CacheStore] = FsCache
if TYPE_CHECKING:  # verified by the type checker without importing the maintenance values
    _ADMINISTERS: type[CacheAdmin] = FsCache
