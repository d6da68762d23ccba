"""The plain walk of a repository that is not a git work tree: the files git would list for it.

Rule 1: the walk applies the listing rules of `codegenie_core.listing` (the same set the git
listing is filtered by) and `.gitignore` files with git's semantics through `pathspec`: a nested
`.gitignore` governs its directory and overrides the ones above it, the last matching pattern of
a file wins, `!` re-includes, a trailing `/` matches directories only, and an ignored directory is
never entered (so nothing under it can be re-included, as in git). As in git, a pattern decides
only for the paths it matches themselves: `pathspec` translates each pattern, but its matching
also applies a pattern to all under a directory it matches (`!dist/` would re-include
`deep/dist/x`), so the walk matches each translation against the whole path (ADR-0050). A
directory holding a `.git` is a nested repository and is not entered, as `git add` does not (see
ADR-0029).
Rule 2: regular files and symlinks are listed (as git records them); a symlink is never descended;
names are decoded with `os.fsdecode` so they round-trip (see ADR-0015).
Rule 3: a directory that cannot be read is recorded as a `FileProblem` with a fixed reason, never
dropped silently: its files are missing from the listing and whoever reports on it says so.
"""

from __future__ import annotations

import errno
import os
import re

import attrs
from pathspec.patterns.gitignore import GitIgnorePatternError
from pathspec.patterns.gitignore.spec import GitIgnoreSpecPattern

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
    rules: tuple[_Rule, ...]


@attrs.frozen(kw_only=True)
class _Rule:
    """One pattern: `exact` matches a path (a directory's with a trailing "/") the pattern
    matches itself, not as something under a directory it matches; `dir_only` for a pattern
    ending in "/"; `ignores` is False for `!`."""

    exact: re.Pattern[str]
    dir_only: bool
    ignores: bool

    def matches(self, subject: str) -> bool:
        return (not self.dir_only or subject.endswith("/")) and self.exact.search(
            subject
        ) is not None


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
    rules = (_rule(line) for line in lines)
    return _Ignores(base=relative, rules=tuple(rule for rule in rules if rule is not None))


def _rule(line: str) -> _Rule | None:
    """The rule of one `.gitignore` line; None for a blank line, a comment, or a pattern git
    matches nothing with (a lone `!`, a trailing `\\`)."""
    # A trailing "/" only restricts a pattern to directories (gitignore(5)); `pathspec` would
    # read `x/**/` as `x/`, which also matches `x` itself.
    dir_only = line.endswith("/")
    try:
        translated, include = GitIgnoreSpecPattern.pattern_to_regex(line[:-1] if dir_only else line)
    except GitIgnorePatternError:
        return None
    if translated is None or include is None:
        return None
    return _Rule(exact=_exact(translated), dir_only=dir_only, ignores=include)


# `pathspec`'s translation of a pattern (the regex its `GitIgnoreSpec` searches for) matches a
# path when it matches the path or a directory above it: `name(?:(?P<ps_d>/)|$)` and
# `name(?P<ps_d>/)` end at the matched name, a trailing `/**` becomes a bare `name/` prefix, and
# `*` or `**` becomes `.`.
_DIR_MARK = "(?P<ps_d>/)"


def _exact(translated: str) -> re.Pattern[str]:
    """`translated` matching only the paths the pattern matches themselves (git's rule): a match
    must end where the path ends; a bare prefix `name/` (from `name/**`) matches what is strictly
    inside it, and `.` (from `*` or `**`) matches any path."""
    if _DIR_MARK in translated:
        tail = ""
    elif translated.endswith("/"):
        tail = ".+"
    else:
        tail = ".*"
    return re.compile(rf"(?:{translated}){tail}\Z")


def _ignored(ignores: tuple[_Ignores, ...], path: str, *, is_dir: bool) -> bool:
    """Whether `path` is ignored: the last pattern matching it in the deepest `.gitignore` with
    one decides."""
    for ignore in reversed(ignores):
        inner = path[len(ignore.base) + 1 :] if ignore.base else path
        subject = inner + "/" if is_dir else inner
        for rule in reversed(ignore.rules):
            if rule.matches(subject):
                return rule.ignores
    return False


def _dir_reason(error: OSError) -> str:
    match error.errno:
        case errno.EACCES | errno.EPERM:
            return repo_fs.DENIED
        case errno.ENOENT:
            return repo_fs.NO_SUCH_FILE
        case _:
            return error.strerror or type(error).__name__
