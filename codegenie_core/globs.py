"""Repository globs and special tokens: how a probe's declared inputs are read, and matched.

Rule 1: a declared input is either a glob relative to the repository root (POSIX separators, `**`
for any number of directories, case-sensitive) or a special token `name:<resolved>` (or a
configuration token `config:<field>`); `special_token_name` tells them apart.
Rule 2: `matching_paths` is the one match of globs against a listing: the cache key, a probe's
scoped view and its "does not apply" reason all use it. This module imports nothing of the core,
so the spec and the key algebra both stand on it (see ADR-0040).
Rule 3: a glob matches a path by the path alone, so a match on a draft of the listing, corrected
by what the listing added to and removed from the draft (`matched_after`), is the match on the
listing itself (ADR-0095).
"""

from __future__ import annotations

import functools
import operator
import re
from collections.abc import Collection, Iterable, Sequence

import attrs

# special-token = token-name ":<resolved>"   ; token-name = 1*( %x61-7A / DIGIT / "_" / "-" )
SPECIAL_TOKEN = re.compile(r"^([a-z0-9_-]+):<resolved>$")
# config-token = "config:" field-name
# field-name   = ( %x61-7A / "_" ) *( %x61-7A / DIGIT / "_" )   ; a GatherConfig field
CONFIG_TOKEN = re.compile(r"^config:([a-z_][a-z0-9_]*)$")


@functools.lru_cache(maxsize=4096)
def special_token_name(declared_input: str) -> str | None:
    """The token name when `declared_input` is a special token, else None (it is a glob). A
    configuration token's name is the declared input itself (`config:trace_argv`): the colon keeps
    it apart from every other token name. Cached: the same few declared inputs are asked about
    many times per gather, and for every repository of a portfolio worker (ADR-0078)."""
    if CONFIG_TOKEN.match(declared_input):
        return declared_input
    match = SPECIAL_TOKEN.match(declared_input)
    return match.group(1) if match else None


@functools.lru_cache(maxsize=1024)
def compile_glob(pattern: str) -> re.Pattern[str]:
    """Translate a repository glob to a regex over relative POSIX paths.

    glob      = segment *( "/" segment )
    segment   = "**" / 1*( "*" / "?" / class / literal )
    "**"      matches zero or more whole directories (or everything below, at the end);
    "*"       any run of characters but "/"; "?" one character but "/";
    class     "[" ["!"] 1*char "]" as in fnmatch.
    """
    parts: list[str] = []
    segments = pattern.split("/")
    for index, segment in enumerate(segments):
        last = index == len(segments) - 1
        if segment == "**":
            # "(?:.*/)?" is "(?:[^/]*/)*" (any run of whole directories) without its backtracking.
            parts.append(".*" if last else "(?:.*/)?")
            continue
        parts.append(_translate_segment(segment))
        if not last:
            parts.append("/")
    return re.compile("".join(parts) + r"\Z", re.DOTALL)


def _translate_segment(segment: str) -> str:
    out: list[str] = []
    i = 0
    while i < len(segment):
        char = segment[i]
        if char == "*":
            out.append("[^/]*")
        elif char == "?":
            out.append("[^/]")
        elif char == "[":
            # As fnmatch: a "!" negates, and a "]" right after "[" or "[!" is a literal member.
            start = i + 1 + (segment[i + 1 : i + 2] == "!")
            end = segment.find("]", start + (segment[start : start + 1] == "]"))
            if end == -1:
                out.append(re.escape(char))
            else:
                negate = segment[i + 1] == "!"
                members = segment[start:end].replace("/", "")  # a class never matches "/"
                escaped = "".join("-" if c == "-" else re.escape(c) for c in members)
                if escaped:
                    out.append(("[^" if negate else "[") + escaped + "]")
                else:
                    out.append("[^/]" if negate else "(?!)")
                i = end
        else:
            out.append(re.escape(char))
        i += 1
    return "".join(out)


def matching_paths(globs: Sequence[str], files: Iterable[str]) -> list[str]:
    """The files any of `globs` matches, sorted and without duplicates."""
    if not globs:
        return []
    if "**" in globs:
        # Every file. A listing from `RepoFiles.list_files` is sorted and unique already, which
        # one linear check confirms far faster than a set and a sort of 20,000 paths.
        listing = list(files)
        if all(map(operator.lt, listing, listing[1:])):  # strictly ascending, checked in C
            return listing
        return sorted(set(listing))
    matcher = _glob_matcher(tuple(sorted(set(globs))))
    listing = files if isinstance(files, list | tuple) else list(files)
    # Speed matters here (every key of every probe runs it over every file): the loops below run
    # C-level calls only, no Python frame per path.
    hits: set[str] = set()
    if matcher.tails:
        candidates = [path for path in listing if path.endswith(matcher.tails)]
        if matcher.exact:  # a suffix alone decides these: no regex runs for their matches
            hits.update([path for path in candidates if path.endswith(matcher.exact)])
            hits.update(matcher.names.intersection(candidates))
        if matcher.tailed is not None:
            hits.update(filter(matcher.tailed.match, candidates))
    for core, pattern in matcher.cored:
        hits.update(filter(pattern.match, [path for path in listing if core in path]))
    if matcher.untailed is not None:
        hits.update(filter(matcher.untailed.match, listing))
    return sorted(hits)


def matched_after(
    globs: Sequence[str],
    drafted: Sequence[str],
    added: Sequence[str],
    removed: Collection[str],
) -> list[str]:
    """`matching_paths(globs, listing)` from `drafted`, the same globs' match on a draft of the
    listing, where the listing is the draft less `removed` plus `added` (Rule 3): only the added
    paths are matched; a removed path is dropped."""
    if not added and not removed:
        return list(drafted)
    kept = [path for path in drafted if path not in removed] if removed else drafted
    return sorted({*kept, *matching_paths(globs, added)})


@attrs.frozen
class _GlobMatcher:
    """A probe's globs, sorted by the cheapest test that rejects most paths before any regex
    runs: those ending in a literal (`**/*.ts`, `**/package.json`), reached through one C-level
    `endswith`, among which a suffix alone decides most (`**/*.ts` is a path ending `.ts`,
    `**/package.json` one ending `/package.json`, or `package.json` itself) and only the others
    (`**/requirements*.txt`) run their regex; those whose last segment holds a literal
    (`**/Dockerfile.*`), reached through a substring test; and the rest (`src/**`), tried on
    every path."""

    exact: tuple[str, ...]
    names: frozenset[str]
    tails: tuple[str, ...]
    tailed: re.Pattern[str] | None
    cored: tuple[tuple[str, re.Pattern[str]], ...]
    untailed: re.Pattern[str] | None


@functools.lru_cache(maxsize=256)
def _glob_matcher(globs: tuple[str, ...]) -> _GlobMatcher:
    tailed = [g for g in globs if _literal_tail(g)]
    decided = {g: suffix for g in tailed if (suffix := _deciding_suffix(g))}
    matched = [g for g in tailed if g not in decided]
    cored = [g for g in globs if not _literal_tail(g) and _literal_core(g)]
    untailed = [compile_glob(g) for g in globs if not _literal_tail(g) and not _literal_core(g)]
    return _GlobMatcher(
        exact=tuple(sorted(set(decided.values()))),
        names=frozenset(g[3:] for g, suffix in decided.items() if suffix.startswith("/")),
        tails=tuple(_literal_tail(g) for g in tailed),
        tailed=_alternation([compile_glob(g) for g in matched]) if matched else None,
        cored=tuple((_literal_core(g), compile_glob(g)) for g in cored),
        untailed=_alternation(untailed) if untailed else None,
    )


def _deciding_suffix(glob: str) -> str:
    """The suffix that alone decides a match of `glob`, "" when none does. `**/LIT` (LIT literal,
    slashes allowed) matches LIT and every path ending "/LIT"; `**/*LIT` (LIT literal, no slash)
    every path ending LIT (the `*` stays inside the last segment, which LIT cannot leave)."""
    rest = glob[3:] if glob.startswith("**/") else ""
    if rest.startswith("*"):
        literal = rest[1:]
        return literal if literal and not any(c in literal for c in "*?[]/") else ""
    return "/" + rest if rest and not any(c in rest for c in "*?[]") else ""


def _literal_core(glob: str) -> str:
    """The longest literal run of `glob`'s last segment, which every match's file name holds
    ("" when the segment has a character class, whose brackets are not literal text)."""
    last = glob.rsplit("/", 1)[-1]
    if "[" in last or "]" in last:
        return ""
    return max(re.split(r"[*?]", last), key=len)


def _alternation(patterns: Sequence[re.Pattern[str]]) -> re.Pattern[str]:
    if not patterns:
        return re.compile(r"(?!)")  # matches nothing
    return re.compile("|".join(f"(?:{p.pattern})" for p in patterns), re.DOTALL)


def _literal_tail(glob: str) -> str:
    """The literal text every match of `glob` ends with ("" when it ends in a wildcard)."""
    last = glob.rsplit("/", 1)[-1]
    cut = max(last.rfind(c) for c in "*?[]")
    return last[cut + 1 :]


def globs_of(declared_inputs: Iterable[str]) -> list[str]:
    return [d for d in declared_inputs if special_token_name(d) is None]


def tokens_of(declared_inputs: Iterable[str]) -> list[str]:
    return sorted({name for d in declared_inputs if (name := special_token_name(d)) is not None})
