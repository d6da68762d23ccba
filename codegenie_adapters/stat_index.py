"""A persistent stat index: file digests outside git, trusted only while a file's stat is unchanged.

Rule 1: an entry is trusted only when size, mtime_ns, ctime_ns and inode all match the file now,
and its mtime_ns is older than the index file's own last write (git's racy-timestamp rule: a file
changed in the same clock tick as the index was written may hide a same-size rewrite). Racy
entries are dropped when the index is loaded, so they are rehashed and never carried forward.
Rule 2: ctime is compared too: a rewrite with the same size and the old mtime put back (`os.utime`)
still moves ctime, which user space cannot set.
Rule 2b: an entry is recorded only when its mtime is older than the file system's clock read
before the file was hashed (`clock_ns`, taken once per index instance before its first hash).
This closes the window git's rule leaves open: a same-size rewrite in the same tick as the hash,
with the index written in a later tick. A later rewrite always gets a later mtime, so it shows.
Rule 3: the index is written atomically (temp file in the same directory, flush, fsync, rename);
a damaged, foreign or other-object-format index is ignored and rebuilt, never a crash; a write
that fails is logged and skipped (see ADR-0015).
Rule 4: the index is read only when it is a regular file of at most `MAX_INDEX_BYTES` (never
through a symlink, never a FIFO or device opened); anything else at its path is ignored, logged
once at debug, as an empty index (see ADR-0026).
"""

from __future__ import annotations

import json
import os
import tempfile
import threading
from collections.abc import Collection
from typing import Any, cast

from codegenie_adapters import log
from codegenie_adapters.atomic import NotKept, read_kept_file, write_atomically

FORMAT = "codegenie-stat-index/1"
MAX_INDEX_BYTES = 256 * 2**20
"""The largest stat index read: about two million files' entries (Rule 4)."""

StatKey = tuple[int, int, int, int]  # size, mtime_ns, ctime_ns, inode


def stat_key(st: os.stat_result) -> StatKey:
    return (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)


class StatIndex:
    """Digests by relative path, loaded from `path` (if sound) and saved back when changed."""

    def __init__(self, path: str, *, object_format: str) -> None:
        self._path = path
        self._object_format = object_format
        self._lock = threading.Lock()
        self._entries: dict[str, tuple[StatKey, str]] = self._load()
        self._dirty = False
        self._clock_ns: int | None = None

    @property
    def dirty(self) -> bool:
        """Whether entries were recorded since the last load or save."""
        with self._lock:
            return self._dirty

    def lookup(self, path: str, key: StatKey) -> str | None:
        """The recorded digest of `path` when its stat still matches `key` (Rules 1 and 2)."""
        with self._lock:
            found = self._entries.get(path)
        return found[1] if found is not None and found[0] == key else None

    def clock_ns(self) -> int | None:
        """The file system's clock now (Rule 2b), read from a scratch file made beside the index
        and removed; taken once, on the first call. None when the directory is not writable."""
        with self._lock:
            if self._clock_ns is None:
                try:
                    directory = os.path.dirname(self._path) or "."
                    os.makedirs(directory, exist_ok=True)
                    fd, scratch = tempfile.mkstemp(prefix=".stat-clock.", dir=directory)
                    try:
                        self._clock_ns = os.fstat(fd).st_mtime_ns
                    finally:
                        os.close(fd)
                        os.unlink(scratch)
                except OSError as error:
                    log.warning("stat index {} unusable: {}", self._path, error)
                    self._clock_ns = -1
            return None if self._clock_ns < 0 else self._clock_ns

    def record(self, path: str, key: StatKey, digest: str, *, hashed_after_ns: int) -> None:
        """Keep `digest` for `path` at stat `key`, when the file was last changed before
        `hashed_after_ns` (a `clock_ns` read before it was hashed; Rule 2b)."""
        if key[1] >= hashed_after_ns:
            return
        with self._lock:
            if self._entries.get(path) != (key, digest):
                self._entries[path] = (key, digest)
                self._dirty = True

    def save(self, keep: Collection[str] | None = None) -> None:
        """Write the index if it changed, keeping only `keep` paths when given (Rule 3)."""
        with self._lock:
            if not self._dirty:
                return
            entries = {
                path: [*key, digest]
                for path, (key, digest) in sorted(self._entries.items())
                if keep is None or path in keep
            }
            document = {"format": FORMAT, "object_format": self._object_format, "entries": entries}
            try:
                write_atomically(self._path, json.dumps(document).encode("ascii"))
            except OSError as error:
                log.warning("stat index {} not written: {}", self._path, error)
                return
            self._dirty = False

    def _load(self) -> dict[str, tuple[StatKey, str]]:
        try:
            read = read_kept_file(self._path, max_bytes=MAX_INDEX_BYTES)
        except OSError:
            return {}
        if isinstance(read, NotKept):  # Rule 4
            log.debug("stat index {} is {}; ignored and rebuilt", self._path, read.reason)
            return {}
        raw, identity = read
        written_ns = identity.st_mtime_ns
        try:
            return _trusted_entries(json.loads(raw), self._object_format, written_ns)
        except (
            ValueError,
            KeyError,
        ) as error:  # JSON errors and UnicodeDecodeError are ValueErrors
            log.info("stat index {} ignored and rebuilt: {}", self._path, error)
            return {}


def _trusted_entries(
    document: Any, object_format: str, written_ns: int
) -> dict[str, tuple[StatKey, str]]:
    """The sound, non-racy entries of a parsed index; `ValueError` when it is not one of ours."""
    if not isinstance(document, dict):
        raise ValueError("not a codegenie stat index")
    fields_of: dict[str, Any] = cast("dict[str, Any]", document)
    if fields_of.get("format") != FORMAT:
        raise ValueError("not a codegenie stat index")
    if fields_of.get("object_format") != object_format:
        return {}
    raw_entries: Any = fields_of["entries"]
    if not isinstance(raw_entries, dict):
        raise ValueError("entries is not a mapping")
    entries: dict[str, tuple[StatKey, str]] = {}
    for path, fields in cast("dict[Any, Any]", raw_entries).items():
        if not (
            isinstance(path, str)
            and isinstance(fields, list)
            and len(cast("list[Any]", fields)) == 5
            and all(isinstance(f, int) for f in cast("list[Any]", fields)[:4])
            and isinstance(cast("list[Any]", fields)[4], str)
        ):
            raise ValueError(f"malformed entry for {path!r}")
        size, mtime_ns, ctime_ns, inode, digest = cast("tuple[int, int, int, int, str]", fields)
        if mtime_ns < written_ns:  # Rule 1: a racy entry is dropped, so it is rehashed
            entries[path] = ((size, mtime_ns, ctime_ns, inode), digest)
    return entries
