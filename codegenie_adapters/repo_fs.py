"""The local repository's files on disk: the root check and reads that stay inside.

Rule 1: a read resolves the path and refuses one that lands outside the root (a symlink leaving
the repository, `..`); what it opens must be a regular file, opened without blocking, so a FIFO or
device listed by mistake cannot hang a gather.
Rule 2: the walk lives in `repo_walk` (see ADR-0029).
Rule 3: every problem with one file is a `FileProblem` whose reason is one of a few fixed phrases,
so its digest is stable (see ADR-0015).
"""

from __future__ import annotations

import errno
import os
import stat

from codegenie_core.errors import RepoError
from codegenie_core.ports import FileProblem

NO_SUCH_FILE = "no such file"
DANGLING = "dangling symlink"
OUTSIDE = "symlink leads outside the repository"
LOOP = "symlink loop"
NOT_REGULAR = "not a regular file"
DENIED = "permission denied"


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


def read(root: str, path: str) -> bytes | FileProblem:
    """The bytes of the regular file `path` names, or why not (Rules 1 and 3)."""
    real = resolve(root, path)
    if isinstance(real, FileProblem):
        return real
    try:
        fd = os.open(real, os.O_RDONLY | os.O_NONBLOCK | os.O_NOFOLLOW | os.O_CLOEXEC)
    except OSError as error:
        return FileProblem(path=path, reason=_reason(root, path, error))
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return FileProblem(path=path, reason=NOT_REGULAR)
        chunks: list[bytes] = []
        while chunk := os.read(fd, 1 << 20):
            chunks.append(chunk)
        return b"".join(chunks)
    except OSError as error:
        return FileProblem(path=path, reason=_reason(root, path, error))
    finally:
        os.close(fd)


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
