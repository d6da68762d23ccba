"""Writing a file whole or not at all, for every adapter that writes (see ADR-0003, ADR-0008).

Rule 1: the bytes go to a unique temp file beside the target (`<prefix><pid>-<random>`), are
flushed and fsynced, then renamed over the target: a reader sees the old file or the new one, whole.
Rule 2: the temp file is created with the process umask (not `mkstemp`'s 0600), so an output file
has the permissions any other file the user writes would have.
Rule 3: on any failure, interruption included, the temp file is removed and the error propagates.
"""

from __future__ import annotations

import contextlib
import os
import secrets

DEFAULT_TEMP_PREFIX = ".codegenie-tmp-"


def write_atomically(path: str, data: bytes, *, temp_prefix: str = DEFAULT_TEMP_PREFIX) -> None:
    """Replace `path` with `data` atomically, creating its directory if needed."""
    directory = os.path.dirname(os.path.abspath(path))
    temp = os.path.join(directory, f"{temp_prefix}{os.getpid()}-{secrets.token_hex(8)}")
    try:
        os.makedirs(directory, exist_ok=True)
        with open(temp, "xb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise
