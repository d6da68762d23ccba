"""The plain walk of a repository that is not a git work tree: the files git would list for it.

Rule 1: the walk applies the listing rules of `codegenie_core.listing` (the same set the git
listing is filtered by) and `.gitignore` files with git's semantics through `pathspec`: a nested
`.gitignore` governs its directory and overrides the ones above it, the last matching pattern of
a file wins, `!` re-includes, a trailing `/` matches directories only, and an ignored directory is
never entered (so nothing under it can be re-included, as in git). A directory holding a `.git`
is a nested repository and is not entered, as `git add` does not (see ADR-0029).
Rule 2: regular files and symlinks are listed (as git records them); a symlink is never descended;
names are decoded with `os.fsdecode` so they round-trip (see ADR-0015).
Rule 3: a directory that cannot be read is recorded as a `FileProblem` with a fixed reason, never
dropped silently: its files are missing from the listing and whoever reports on it says so.
"""

from __future__ import annotations

import errno
import os

import attrs
from pathspec import GitIgnoreSpec

from codegenie_adapters import log, repo_fs
from codegenie_core.listing import NEVER_LISTED_DIRS
from codegenie_core.ports import FileProblem

GITIGNORE = ".gitignore"


@attrs.frozen(kw_only=True)
class Walked:
    """The walk's answer: the sorted listing, and the directories it could not read."""

    files: tuple[str, ...]
    problems: tuple[FileProblem, ...]


@attrs.frozen(kw_only=True)
class _Ignores:
    """The `.gitignore` of the directory `base` ("" is the root)."""

    base: str
    spec: GitIgnoreSpec


def walk(root: str) -> Walked:
    """Every file under `root` the listing rules and `.gitignore` keep (Rules 1 to 3)."""
    never_b = {os.fsencode(name) for name in NEVER_LISTED_DIRS}
    root_b = os.fsencode(root)
    files: list[str] = []
    problems: list[FileProblem] = []
    pending: list[tuple[bytes, tuple[_Ignores, ...]]] = [(b"", ())]
    while pending:
        relative, inherited = pending.pop()
        try:
            with os.scandir(os.path.join(root_b, relative) if relative else root_b) as it:
                entries = list(it)
        except OSError as error:
            where = os.fsdecode(relative)
            log.warning("unreadable directory {!r}: {}", where, error)
            problems.append(FileProblem(path=where, reason=_dir_reason(error)))
            continue
        names = {entry.name for entry in entries}
        if relative and b".git" in names:  # a nested repository (Rule 1)
            continue
        ignores = inherited
        if os.fsencode(GITIGNORE) in names:
            own = _load_ignores(root, os.fsdecode(relative), entries)
            if own is not None:
                ignores = (*inherited, own)
        for entry in entries:
            path_b = relative + b"/" + entry.name if relative else entry.name
            path = os.fsdecode(path_b)
            if entry.is_symlink() or entry.is_file(follow_symlinks=False):
                if not _ignored(ignores, path, is_dir=False):
                    files.append(path)
            elif (
                entry.is_dir(follow_symlinks=False)
                and entry.name not in never_b
                and not _ignored(ignores, path, is_dir=True)
            ):
                pending.append((path_b, ignores))
    return Walked(files=tuple(sorted(files)), problems=tuple(sorted(problems, key=_by_path)))


def _by_path(problem: FileProblem) -> str:
    return problem.path


def _load_ignores(root: str, relative: str, entries: list[os.DirEntry[bytes]]) -> _Ignores | None:
    """The patterns of the directory's `.gitignore` when it is a regular file (git does not
    follow a symlinked `.gitignore` either); None when there is none to apply."""
    entry = next(e for e in entries if e.name == os.fsencode(GITIGNORE))
    if entry.is_symlink() or not entry.is_file(follow_symlinks=False):
        return None
    data = repo_fs.read(root, f"{relative}/{GITIGNORE}" if relative else GITIGNORE)
    if isinstance(data, FileProblem):
        return None
    lines = data.decode("utf-8", "surrogateescape").splitlines()
    return _Ignores(base=relative, spec=GitIgnoreSpec.from_lines(lines))


def _ignored(ignores: tuple[_Ignores, ...], path: str, *, is_dir: bool) -> bool:
    """Whether `path` is ignored: the deepest `.gitignore` with a matching pattern decides."""
    for ignore in reversed(ignores):
        inner = path[len(ignore.base) + 1 :] if ignore.base else path
        verdict = ignore.spec.check_file(inner + "/" if is_dir else inner).include
        if verdict is not None:
            return verdict
    return False


def _dir_reason(error: OSError) -> str:
    match error.errno:
        case errno.EACCES | errno.EPERM:
            return repo_fs.DENIED
        case errno.ENOENT:
            return repo_fs.NO_SUCH_FILE
        case _:
            return error.strerror or type(error).__name__
