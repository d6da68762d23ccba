"""The SOURCEs of `portfolio gather`, expanded into normalised task keys (see ADR-0062).

Rule 1: a SOURCE is a repository directory; with `--recursive`, a directory whose git work trees
at or below it are the repositories; or a regular file listing one repository per line (a path,
relative to the list's own directory, or a URL git can clone; `#` starts a comment, blank lines
are skipped). A path key is the absolute real path; a URL key is the URL as written, once
`clone_url_problem` accepts it.
Rule 2: the walk of `--recursive` is bounded (`MAX_DEPTH` levels, `MAX_DIRECTORIES` visited),
never follows a symlink, never enters a `.git` directory, and stops at a work tree (a directory
holding `.git`): what is nested in a repository belongs to it. Unreadable directories are passed.
Rule 3: a bad SOURCE is one `PortfolioSourceError` line naming it (and the line of a list), exit 2.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator, Sequence

from codegenie_core.portfolio import (
    PortfolioSourceError,
    SourceKind,
    clone_url_problem,
    looks_like_url,
)

MAX_DEPTH = 8
MAX_DIRECTORIES = 200_000
MAX_LIST_BYTES = 32 * 2**20
MAX_LINE_CHARS = 4096

Source = tuple[str, SourceKind]


def expand_sources(sources: Sequence[str], *, recursive: bool) -> list[Source]:
    """Every repository the SOURCEs name, in order (Rules 1-3); duplicates are left to the plan."""
    expanded: list[Source] = []
    for source in sources:
        expanded.extend(_expand(source, recursive=recursive))
    return expanded


def _expand(source: str, *, recursive: bool) -> Iterator[Source]:
    if not os.path.lexists(source) and looks_like_url(source):
        yield _url(source, source)
        return
    try:
        info = os.stat(source)
    except OSError as error:
        raise PortfolioSourceError(f"{source}: {error.strerror}", source=source) from None
    if stat.S_ISDIR(info.st_mode):
        if recursive:
            yield from _work_trees(source)
        else:
            yield (os.path.realpath(source), "path")
    elif stat.S_ISREG(info.st_mode):
        yield from _listed(source)
    else:
        raise PortfolioSourceError(f"{source}: neither a directory nor a list file", source=source)


def _url(url: str, where: str) -> Source:
    if problem := clone_url_problem(url):
        raise PortfolioSourceError(f"{where}: {problem}", source=where)
    return (url, "url")


def _listed(path: str) -> Iterator[Source]:
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_LIST_BYTES + 1)
    except OSError as error:
        raise PortfolioSourceError(f"{path}: {error.strerror}", source=path) from None
    if len(data) > MAX_LIST_BYTES:
        raise PortfolioSourceError(
            f"{path}: a list file is at most {MAX_LIST_BYTES // 2**20} MiB", source=path
        )
    base = os.path.dirname(os.path.abspath(path))
    for number, raw in enumerate(data.split(b"\n"), start=1):
        where = f"{path}:{number}"
        try:
            line = raw.decode("utf-8").split("#", 1)[0].strip()
        except UnicodeDecodeError:
            raise PortfolioSourceError(f"{where}: not UTF-8", source=path) from None
        if not line:
            continue
        if len(line) > MAX_LINE_CHARS:
            raise PortfolioSourceError(
                f"{where}: longer than {MAX_LINE_CHARS} characters", source=path
            )
        if looks_like_url(line):
            yield _url(line, where)
            continue
        repo = os.path.join(base, line)
        if not os.path.isdir(repo):
            raise PortfolioSourceError(f"{where}: {line!r} is not a directory", source=path)
        yield (os.path.realpath(repo), "path")


def _work_trees(root: str) -> Iterator[Source]:
    """Rule 2: the work trees at or below `root`, breadth first, each directory's in name order."""
    level = [os.path.realpath(root)]
    visited = 0
    found = False
    for _depth in range(MAX_DEPTH + 1):
        below: list[str] = []
        for directory in level:
            visited += 1
            if visited > MAX_DIRECTORIES:
                raise PortfolioSourceError(
                    f"{root}: more than {MAX_DIRECTORIES} directories below it; "
                    "name the repositories in a list file",
                    source=root,
                )
            if os.path.lexists(os.path.join(directory, ".git")):
                found = True
                yield (directory, "path")
                continue
            below.extend(_subdirectories(directory))
        level = below
        if not level:
            break
    if not found:
        raise PortfolioSourceError(
            f"{root}: no git work tree at or below it (within {MAX_DEPTH} levels)", source=root
        )


def _subdirectories(directory: str) -> list[str]:
    try:
        with os.scandir(directory) as entries:
            names = sorted(
                e.name for e in entries if e.name != ".git" and e.is_dir(follow_symlinks=False)
            )
    except OSError:
        return []
    return [os.path.join(directory, name) for name in names]
