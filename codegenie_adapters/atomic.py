"""Writing a file whole or not at all, for every adapter that writes (see ADR-0003, ADR-0008),
and reading back one of the files they keep (cache entries, the stat index) without trusting it.

Rule 1: the bytes go to a unique temp file beside the target (`<prefix><pid>-<random>`), are
flushed and fsynced, then renamed over the target: a reader sees the old file or the new one, whole.
Rule 2: the temp file is created with the process umask (not `mkstemp`'s 0600), so an output file
has the permissions any other file the user writes would have.
Rule 3: on any failure, interruption included, the temp file is removed and the error propagates.
Rule 4: `read_kept_file` never follows a symlink, never opens anything but a regular file (checked
by `lstat` before the open and `fstat` after it, opened `O_NOFOLLOW | O_NONBLOCK`, so a FIFO or
device planted there cannot hang or touch anything), and reads at most its bound plus one byte;
each refusal is a `NotKept` value, a miss for the caller (see ADR-0026).
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
from collections.abc import Generator
from typing import IO

import attrs

from codegenie_adapters.repo_fs import read_at_most

DEFAULT_TEMP_PREFIX = ".codegenie-tmp-"


def write_atomically(path: str, data: bytes, *, temp_prefix: str = DEFAULT_TEMP_PREFIX) -> None:
    """Replace `path` with `data` atomically, creating its directory if needed."""
    with atomic_output(path, temp_prefix=temp_prefix) as handle:
        handle.write(data)


@contextlib.contextmanager
def atomic_output(path: str, *, temp_prefix: str = DEFAULT_TEMP_PREFIX) -> Generator[IO[bytes]]:
    """A temp file beside `path` to write as a stream (creating the directory if needed); on
    success it is flushed, fsynced and renamed over `path`, on any failure removed (Rules 1-3)."""
    directory = os.path.dirname(os.path.abspath(path))
    import secrets  # only a write needs it, and a warm gather writes nothing (ADR-0091)

    temp = os.path.join(directory, f"{temp_prefix}{os.getpid()}-{secrets.token_hex(8)}")
    try:
        os.makedirs(directory, exist_ok=True)
        with open(temp, "xb") as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise


@attrs.frozen(kw_only=True)
class NotKept:
    """Why what is at a kept file's path is not one to read: not a regular file, or too big."""

    reason: str


def read_kept_file(path: str, *, max_bytes: int) -> tuple[bytes, os.stat_result] | NotKept:
    """The bytes of the regular file at `path` and its `fstat` (its identity), read by Rule 4.
    `FileNotFoundError` and other `OSError`s propagate: the caller knows what absence means."""
    try:
        before = os.lstat(path)
    except OSError:
        before = None  # vanished, or unreadable: the open says which
    if before is not None and not stat.S_ISREG(before.st_mode):
        return NotKept(reason=_kind(before.st_mode))
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError as error:
        if error.errno == errno.ELOOP:  # a symlink put there after the lstat
            return NotKept(reason="a symlink")
        raise
    try:
        identity = os.fstat(fd)
        if not stat.S_ISREG(identity.st_mode):
            return NotKept(reason=_kind(identity.st_mode))
        data = None if identity.st_size > max_bytes else read_at_most(fd, max_bytes)
        if data is None:
            return NotKept(reason=f"larger than {max_bytes} bytes")
        return data, identity
    finally:
        os.close(fd)


def _kind(mode: int) -> str:
    if stat.S_ISLNK(mode):
        return "a symlink"
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "not a regular file"
