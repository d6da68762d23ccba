"""The local repository's files on disk: the root check and reads that stay inside.

Rule 1: a read resolves the path and refuses one that lands outside the root (a symlink leaving
the repository, `..`); what it opens must be a regular file, opened without blocking, so a FIFO or
device listed by mistake cannot hang a gather.
Rule 2: the walk lives in `repo_walk` (see ADR-0029).
Rule 3: every problem with one file is a `FileProblem` whose reason is one of a few fixed phrases,
so its digest is stable (see ADR-0015).
Rule 4: no file is read whole without a bound (see ADR-0026): a read checks the size `fstat` gives
against its cap before reading and reads at most cap + 1 bytes (a file growing meanwhile is still
refused); a digest streams the bytes in chunks, and a file over the cap is digested by its
identity from that same `fstat`, never read.
Rule 5: lines are counted from the chunks a digest hashes, never from a second read (ADR-0076).
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Iterator

from codegenie_core.digest import blob_digest, stat_digest, streamed_blob_digest
from codegenie_core.errors import RepoError
from codegenie_core.line_counts import LineCounter
from codegenie_core.ports import MAX_READ_BYTES, FileProblem, too_large_reason

NO_SUCH_FILE = "no such file"
DANGLING = "dangling symlink"
OUTSIDE = "symlink leads outside the repository"
LOOP = "symlink loop"
NOT_REGULAR = "not a regular file"
DENIED = "permission denied"
CHANGED = "changed while read"
_CHUNK = 1 << 20


def check_root(root: str) -> str:
    """The real path of `root`; `RepoError` when it is missing, not a directory or unreadable."""
    try:
        st = os.stat(root)
    except FileNotFoundError:
        raise RepoError(f"repository path does not exist: {root}", path=root) from None
    except OSError as error:
        raise RepoError(
            f"repository path cannot be read: {root}: {error.strerror}", path=root
        ) from None
    if not stat.S_ISDIR(st.st_mode):
        raise RepoError(f"repository path is not a directory: {root}", path=root)
    try:
        with os.scandir(root):
            pass
    except OSError as error:
        raise RepoError(
            f"repository path cannot be read: {root}: {error.strerror}", path=root
        ) from None
    return os.path.realpath(root)


def resolve(root: str, path: str) -> str | FileProblem:
    """The real path `path` names, when it stays inside `root` (Rule 1)."""
    if not path or path.startswith("/") or "\0" in path:
        return FileProblem(path=path, reason=NO_SUCH_FILE)
    full = os.path.join(root, path)
    real = os.path.realpath(full)
    if real != root and not real.startswith(root + os.sep):
        return FileProblem(path=path, reason=OUTSIDE)
    return real


def read(root: str, path: str, *, max_bytes: int = MAX_READ_BYTES) -> bytes | FileProblem:
    """The bytes of the regular file `path` names, or why not (Rules 1, 3 and 4)."""
    opened = _open_regular(root, path)
    if isinstance(opened, FileProblem):
        return opened
    fd, st = opened
    try:
        data = None if st.st_size > max_bytes else read_at_most(fd, max_bytes)
        if data is None:  # over the cap by fstat, or grown past it since
            return FileProblem(path=path, reason=too_large_reason(max_bytes))
        return data
    except OSError as error:
        return FileProblem(path=path, reason=_reason(root, path, error))
    finally:
        os.close(fd)


def head(root: str, path: str, *, max_bytes: int) -> bytes | FileProblem:
    """The first `max_bytes` bytes of the regular file `path` names, whatever its size (Rule 1)."""
    opened = _open_regular(root, path)
    if isinstance(opened, FileProblem):
        return opened
    fd, _ = opened
    try:
        chunks: list[bytes] = []
        left = max_bytes
        while left > 0 and (chunk := os.read(fd, left)):
            chunks.append(chunk)
            left -= len(chunk)
        return b"".join(chunks)
    except OSError as error:
        return FileProblem(path=path, reason=_reason(root, path, error))
    finally:
        os.close(fd)


def digest(
    root: str,
    path: str,
    *,
    object_format: str,
    large_bytes: int = MAX_READ_BYTES,
    counter: LineCounter | None = None,
    opened: tuple[int, os.stat_result] | None = None,
) -> str | FileProblem:
    """The blob id of the file `path` names, hashed in chunks; the `stat_digest` of its identity
    when it is larger than `large_bytes`; or why it cannot be had (Rule 4). The chunks hashed are
    fed to `counter` too, when one is given: the lines are counted in the same read (Rule 5).
    `opened` is a descriptor `open_checked` gave for the same file, closed here."""
    found = _open_regular(root, path) if opened is None else opened
    if isinstance(found, FileProblem):
        return found
    fd, st = found
    try:
        if st.st_size > large_bytes:
            return stat_digest((st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino))
        if st.st_size < _CHUNK:  # most files: one read, which also sees a file that grew
            data = os.read(fd, st.st_size + 1)
            if len(data) != st.st_size:
                return FileProblem(path=path, reason=CHANGED)
            if counter is not None:
                counter.feed(data)
            return blob_digest(data, object_format=object_format)
        chunks = _chunks(fd) if counter is None else _fed(_chunks(fd), counter)
        found = streamed_blob_digest(st.st_size, chunks, object_format=object_format)
        return FileProblem(path=path, reason=CHANGED) if found is None else found
    except OSError as error:
        return FileProblem(path=path, reason=_reason(root, path, error))
    finally:
        os.close(fd)


def open_checked(full: str) -> tuple[int, os.stat_result] | None:
    """An open descriptor of the regular file at `full` and its `fstat`, opened without following
    a final symlink and without blocking, for a path whose directories the caller has checked
    (`repo_stat`, no `realpath`: ADR-0039); None on any failure, which `digest` then explains."""
    try:
        fd = os.open(full, os.O_RDONLY | os.O_NONBLOCK | os.O_NOFOLLOW | os.O_CLOEXEC)
    except (OSError, ValueError):  # ValueError: a NUL in the path
        return None
    try:
        st = os.fstat(fd)
    except OSError:
        st = None
    if st is None or not stat.S_ISREG(st.st_mode):
        os.close(fd)
        return None
    return fd, st


def read_opened(opened: tuple[int, os.stat_result], max_bytes: int) -> bytes | None:
    """The bytes of a descriptor `open_checked` gave, read whole, and closed; None when the file
    is over `max_bytes`, changed size since its `fstat`, or the read failed (the caller then
    streams it through `digest`, which says why)."""
    fd, st = opened
    try:
        if st.st_size > max_bytes:
            return None
        data = os.read(fd, st.st_size + 1)
        return data if len(data) == st.st_size else None
    except OSError:
        return None
    finally:
        os.close(fd)


def _open_regular(root: str, path: str) -> tuple[int, os.stat_result] | FileProblem:
    """An open descriptor of the regular file `path` names and its `fstat` (Rule 1): opened
    without following a final symlink and without blocking, so a FIFO or device never hangs."""
    real = resolve(root, path)
    if isinstance(real, FileProblem):
        return real
    try:
        fd = os.open(real, os.O_RDONLY | os.O_NONBLOCK | os.O_NOFOLLOW | os.O_CLOEXEC)
    except OSError as error:
        return FileProblem(path=path, reason=_reason(root, path, error))
    try:
        st = os.fstat(fd)
    except OSError as error:
        os.close(fd)
        return FileProblem(path=path, reason=_reason(root, path, error))
    if not stat.S_ISREG(st.st_mode):
        os.close(fd)
        return FileProblem(path=path, reason=NOT_REGULAR)
    return fd, st


def read_at_most(fd: int, max_bytes: int) -> bytes | None:
    """What `fd` holds from its offset, or None when that is more than `max_bytes`: at most
    `max_bytes + 1` bytes are read, so a file that grew past its `fstat` size is still refused."""
    chunks: list[bytes] = []
    left = max_bytes + 1
    while left > 0 and (chunk := os.read(fd, min(_CHUNK, left))):
        chunks.append(chunk)
        left -= len(chunk)
    return None if left <= 0 else b"".join(chunks)


def _chunks(fd: int) -> Iterator[bytes]:
    while chunk := os.read(fd, _CHUNK):
        yield chunk


def _fed(chunks: Iterator[bytes], counter: LineCounter) -> Iterator[bytes]:
    for chunk in chunks:
        counter.feed(chunk)
        yield chunk


def size(root: str, path: str) -> int | None:
    """The size of the regular file `path` names, from stat alone; None when it cannot be read."""
    real = resolve(root, path)
    if isinstance(real, FileProblem):
        return None
    try:
        st = os.stat(real)
    except OSError:
        return None
    return st.st_size if stat.S_ISREG(st.st_mode) else None


def _reason(root: str, path: str, error: OSError) -> str:
    match error.errno:
        case errno.ENOENT | errno.ENOTDIR:
            return DANGLING if os.path.islink(os.path.join(root, path)) else NO_SUCH_FILE
        case errno.ELOOP:
            return LOOP
        case errno.EACCES | errno.EPERM:
            return DENIED
        case errno.EISDIR:
            return NOT_REGULAR
        case _:
            return error.strerror or type(error).__name__
