"""The filesystem cache's files: atomic writes, scans, removal, and the gc sweeps.

Rule 1: `write_atomically` writes a unique temp file beside the target (`.tmp-<pid>-<random>`),
fsyncs it and renames it over the target, so readers see a whole file or none (see ADR-0008).
Rule 2: a file that vanishes under a scan or a removal was taken by another process; that is
never an error here.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import attrs

from codegenie_adapters import atomic

ENTRY_SUFFIX = ".entry"
MAX_ENTRY_BYTES = 256 * 2**20
"""The largest entry read or written: far above any envelope; a larger one is a miss (ADR-0026)."""
TEMP_PREFIX = ".tmp-"


@attrs.frozen(kw_only=True)
class EntryFile:
    path: str
    size: int
    mtime: float


def write_atomically(path: str, data: bytes) -> None:
    """Rule 1, with the prefix `gc` recognizes stale temp files by."""
    atomic.write_atomically(path, data, temp_prefix=TEMP_PREFIX)


def read_with_identity(path: str) -> tuple[bytes, os.stat_result] | atomic.NotKept:
    """The bytes of `path` and the identity (inode) of the very file they came from, or why what
    is there is not an entry to read (a symlink, FIFO, device, directory, or too big)."""
    return atomic.read_kept_file(path, max_bytes=MAX_ENTRY_BYTES)


def remove_if_same(path: str, identity: os.stat_result) -> None:
    """Remove `path` only if it is still the file `identity` describes: another process may have
    renamed a good entry over the bad one meanwhile."""
    try:
        current = os.stat(path)
    except OSError:
        return
    if (current.st_ino, current.st_dev) == (identity.st_ino, identity.st_dev):
        remove(path)


def scan(entries_dir: str, *, entries_only: bool = True) -> Iterator[EntryFile]:
    """Every entry (or, with `entries_only=False`, every file) in the shard directories."""
    for shard in listdir(entries_dir):
        try:
            with os.scandir(os.path.join(entries_dir, shard)) as listing:
                for item in listing:
                    if entries_only and not item.name.endswith(ENTRY_SUFFIX):
                        continue
                    try:
                        stat = item.stat(follow_symlinks=False)
                    except OSError:
                        continue  # Rule 2
                    yield EntryFile(path=item.path, size=stat.st_size, mtime=stat.st_mtime)
        except OSError:
            continue  # a stray file where a shard directory should be, or a vanished shard


def evict_oldest(entries_dir: str, target: int) -> tuple[int, int, int]:
    """Remove the least recently used entries until their total is at most `target`.
    Returns (entries removed, bytes removed, bytes left)."""
    entries = sorted(scan(entries_dir), key=lambda e: e.mtime)
    total = sum(e.size for e in entries)
    count = size = 0
    for entry in entries:
        if total <= target:
            break
        if remove(entry.path):
            count, size = count + 1, size + entry.size
        total -= entry.size
    return count, size, total


def sweep_temps(entries_dir: str, *, older_than: float) -> int:
    """Remove temp files (abandoned by killed writers) last modified before `older_than`."""
    return sum(
        remove(f.path)
        for f in scan(entries_dir, entries_only=False)
        if os.path.basename(f.path).startswith(TEMP_PREFIX) and f.mtime < older_than
    )


def sweep_other_versions(root: str, *, current: str) -> int:
    """Remove every `v<N>` directory under `root` but `current`; returns how many files went."""
    removed = 0
    for name in listdir(root):
        if name != current and name[:1] == "v" and name[1:].isdigit():
            version_dir = os.path.join(root, name)
            removed += sum(len(files) for _, _, files in os.walk(version_dir))
            import shutil  # only `cache gc` sweeps (ADR-0091)

            shutil.rmtree(version_dir, ignore_errors=True)
    return removed


def listdir(path: str) -> list[str]:
    try:
        return sorted(os.listdir(path))
    except OSError:
        return []


def remove(path: str) -> int:
    """1 when `path` was removed, 0 when it was not there (or could not be removed)."""
    try:
        os.unlink(path)
    except OSError:
        return 0
    return 1
