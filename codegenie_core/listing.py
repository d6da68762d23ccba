"""What a repository listing holds, whichever way it is made: git's answer or the plain walk.

Rule 1: one rule set for both listings (see ADR-0029). A path under a directory of
`NEVER_LISTED_DIRS` (VCS metadata, virtualenvs, tool caches: nobody's source, at any depth) is in
neither. Vendored and generated directories (`vendor/`, `node_modules/`, `build/`, `dist/`...)
are listed by both and told apart by `codegenie_core.languages.origin_of`, in one place.
Rule 2: `.gitignore` decides the rest: git applies it itself; the walk applies it with the same
semantics (nested files, negations, directory-only patterns), so a plain tree and the same tree
committed list the same files.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

NEVER_LISTED_DIRS = frozenset(
    {".git", ".hg", ".svn", ".venv", "venv", "__pycache__", ".tox", ".nox", ".mypy_cache",
     ".pytest_cache", ".ruff_cache"}
)  # fmt: skip

# path = *( segment "/" ) name ; a path is dropped when one of its directory segments is a name
# of NEVER_LISTED_DIRS. One regex search per path: the git listing of a 20,000-file repository
# passes through it on every warm gather.
_NEVER_LISTED = re.compile(
    r"(?:^|/)(?:" + "|".join(re.escape(d) for d in sorted(NEVER_LISTED_DIRS)) + r")/"
)


# A necessary condition over the whole listing at once: a never-listed segment is its name and a
# "/" somewhere in the joined paths (which hold no NUL). `.` starts most names, so they share one
# branch. One C-level scan that finds none (the usual listing) spares every path its own search.
#   any-never-listed = ( "." dot-name / plain-name ) "/"
#   dot-name = a name of NEVER_LISTED_DIRS without its "." ; plain-name = one without a "."
_ANY_NEVER_LISTED = re.compile(
    r"(?:\.(?:"
    + "|".join(re.escape(d[1:]) for d in sorted(NEVER_LISTED_DIRS) if d.startswith("."))
    + r")|"
    + "|".join(re.escape(d) for d in sorted(NEVER_LISTED_DIRS) if not d.startswith("."))
    + r")/"
)


def is_listed(path: str) -> bool:
    """Whether the repository-relative POSIX `path` may be listed at all (Rule 1)."""
    return _NEVER_LISTED.search(path) is None


def listed(paths: Iterable[str]) -> list[str]:
    """The paths of `paths` that Rule 1 lets through, in their order."""
    candidates = list(paths)
    if _ANY_NEVER_LISTED.search("\0".join(candidates)) is None:
        return candidates
    search = _NEVER_LISTED.search
    return [path for path in candidates if search(path) is None]
