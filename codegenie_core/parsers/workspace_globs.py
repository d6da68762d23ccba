"""Workspace member patterns (`workspaces`, `pnpm-workspace.yaml` `packages`) expanded over the
directories that hold a `package.json`, the way npm and pnpm expand them.

Rule 1: patterns are minimatch-style globs over `/`-separated directory paths relative to the
workspace root: `*` and `?` and `[...]` stay inside one segment, `**` is any number of segments
(zero included). A leading `./` or `/` is dropped, as is a trailing `/` (npm's
`@npmcli/map-workspaces` strips them; pnpm passes the patterns to its globber relative to the
root).
Rule 2: a pattern starting with an odd number of `!` excludes (an even number is plain: `!!a` is
`a`, as in map-workspaces). Order: npm applies the patterns in order, a later `!` removing what
earlier patterns matched and a later plain pattern adding again; pnpm hands every `!` pattern to
its globber as an ignore list, so an exclusion applies whatever its position (`ordered=False`).
Rule 3: directories under `node_modules` are never members (both tools ignore `**/node_modules/**`),
nor is the workspace root itself.
Rule 4: matching is linear in (pattern segments x path segments) per pair: `**` is matched by a
table over positions, never by backtracking.
"""

from __future__ import annotations

import fnmatch

import attrs

__all__ = ["Expansion", "expand", "matches"]


@attrs.frozen(kw_only=True)
class Expansion:
    members: tuple[str, ...]  # root-relative directories, sorted
    unmatched: tuple[str, ...]  # plain patterns, as written, that matched no directory


def _segments(pattern: str) -> list[str]:
    body = pattern
    while body.startswith("./"):
        body = body[2:]
    body = body.strip("/")
    return [s for s in body.split("/") if s not in ("", ".")]


def _segment_matches(pattern: str, segment: str) -> bool:
    if pattern == segment:
        return True
    if not any(c in pattern for c in "*?["):
        return False
    # fnmatch's `*` spans any character, but a segment holds no "/", so it stays in the segment.
    # A hidden directory (".git") is not matched by a wildcard, as in minimatch without `dot`.
    if segment.startswith(".") and not pattern.startswith("."):
        return False
    return fnmatch.fnmatchcase(segment, pattern)


def matches(pattern: str, path: str) -> bool:
    """Rule 1 and 4: whether the root-relative directory `path` matches the glob `pattern`."""
    parts = _segments(pattern)
    names = [s for s in path.split("/") if s]
    # reach[j]: the first i pattern segments can match the first j path segments.
    reach = [True] + [False] * len(names)
    for part in parts:
        if part == "**":
            seen = False
            following: list[bool] = []
            for j, name in enumerate([None, *names]):
                hidden = name is not None and name.startswith(".")
                seen = reach[j] or (seen and not hidden)
                following.append(seen)
            reach = following
        else:
            reach = [False] + [
                reach[j] and _segment_matches(part, names[j]) for j in range(len(names))
            ]
    return reach[-1]


def _negated(pattern: str) -> tuple[bool, str]:
    body = pattern.lstrip("!")
    return (len(pattern) - len(body)) % 2 == 1, body


def expand(patterns: tuple[str, ...], candidates: tuple[str, ...], *, ordered: bool) -> Expansion:
    """Rules 1-3: the members among `candidates` (root-relative directories holding a
    `package.json`) that `patterns` select, and the plain patterns that select none."""
    eligible = [c for c in candidates if c not in ("", ".") and "node_modules" not in c.split("/")]
    chosen: dict[str, None] = {}
    unmatched: list[str] = []
    excludes = [body for negate, body in map(_negated, patterns) if negate]
    for pattern in patterns:
        negate, body = _negated(pattern)
        if negate:
            if ordered:
                for member in [m for m in chosen if matches(body, m)]:
                    del chosen[member]
            continue
        found = [c for c in eligible if matches(body, c)]
        if not found:
            unmatched.append(pattern)
        for member in found:
            chosen[member] = None
    if not ordered:
        for member in [m for m in chosen if any(matches(body, m) for body in excludes)]:
            del chosen[member]
    return Expansion(members=tuple(sorted(chosen)), unmatched=tuple(unmatched))
