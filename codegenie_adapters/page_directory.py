"""Writing a directory of files whole or not at all (the portfolio page): the files go to a temp
directory beside the target, which then replaces it (see ADR-0075).

Rule 1: a reader sees the old directory or the new one, whole: the new one is complete before
the swap, which is two renames (the old directory aside, the new one into place; the old one is
then removed). Between the two renames the target is briefly absent; Linux's atomic exchange
(`renameat2`) is not in Python's standard library.
Rule 2: only a directory this writer made is replaced: the target may be absent, an empty
directory, or a directory holding `MARKER`; anything else (a file, a symlink, a directory of
other files) is refused in one line, so `--html ~` cannot remove a home directory.
Rule 3: on any failure, interruption included, the temp directory is removed and the old one
is left (or put back) in place.
Rule 4: a file name is relative, of `[A-Za-z0-9._-]` words joined by `/`, never `..` or a
dot-file, and is created exclusively: nothing is written outside the temp directory.
Rule 5: the temp directory is private (0700) while it is filled, so no other local user can
plant a file or a symlink in it; just before the swap it takes the mode any directory the user
makes has (0777 less the umask). The umask is learnt from a directory the kernel makes inside
it, never by setting it (that would change it, for a moment, for every thread of the process).
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import shutil
import stat
import tempfile
from collections.abc import Iterable

from codegenie_core.errors import OutputError

MARKER = ".codegenie-portfolio-page"
_NAME = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9._-]*(?:/[A-Za-z0-9_-][A-Za-z0-9._-]*)*")


def check_target(target: str) -> None:
    """Refuse a target this writer may not replace (Rule 2), before any work is done."""
    try:
        found = os.lstat(target)
    except FileNotFoundError:
        return
    if stat.S_ISLNK(found.st_mode) or not stat.S_ISDIR(found.st_mode):
        raise OutputError(f"--html {target}: exists and is not a directory", path=target)
    entries = os.listdir(target)
    if entries and MARKER not in entries:
        raise OutputError(
            f"--html {target}: a directory of other files (no {MARKER}); give a new or empty"
            " directory, or one a previous `portfolio report` wrote",
            path=target,
        )


def write_directory(target: str, files: Iterable[tuple[str, str]]) -> int:
    """Replace `target` with a directory of `files` ((name, text) pairs, UTF-8) and the marker
    (Rules 1-4). Returns how many files were written."""
    target = os.path.abspath(target)
    check_target(target)
    parent, base = os.path.split(target)
    os.makedirs(parent, exist_ok=True)
    temp = tempfile.mkdtemp(prefix=f".{base}.tmp-", dir=parent)  # 0700 (Rule 5)
    aside = os.path.join(parent, f".{base}.old-{secrets.token_hex(6)}")
    count = 0
    try:
        mode = _mode_the_umask_gives(temp)
        for name, text in files:
            _write(temp, name, text)
            count += 1
        with open(os.path.join(temp, MARKER), "x", encoding="utf-8") as marker:
            marker.write("written by codegenie-cli portfolio report\n")
        os.chmod(temp, mode)  # Rule 5: the user's mode once the files are whole
        check_target(target)  # again: it may have changed while the files were written
        swapped = os.path.lexists(target)
        if swapped:
            os.rename(target, aside)
        try:
            os.rename(temp, target)
        except BaseException:
            if swapped:
                os.rename(aside, target)
            raise
    except BaseException:
        shutil.rmtree(temp, ignore_errors=True)
        raise
    with contextlib.suppress(OSError):
        shutil.rmtree(aside)
    return count


def _write(root: str, name: str, text: str) -> None:
    assert _NAME.fullmatch(name) and ".." not in name.split("/"), name  # Rule 4
    path = os.path.join(root, name)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "x", encoding="utf-8", newline="\n") as handle:
        handle.write(text)


def _mode_the_umask_gives(private: str) -> int:
    """The mode of a directory made with 0777 now (Rule 5), asked of the kernel inside `private`
    (a dot name, which no page file can have: Rule 4)."""
    probe = os.path.join(private, ".umask")
    os.mkdir(probe, 0o777)
    try:
        return stat.S_IMODE(os.lstat(probe).st_mode)
    finally:
        os.rmdir(probe)
