"""The `languages` probe: files and bytes per language, with vendored, generated and documentation
files apart, as GitHub's linguist counts them.

Rule 1: sizes come from `RepoFiles.file_stats` (one `lstat` per file), never from reading every
file, so a cold run on a large repository costs one stat per file (see ADR-0015, ADR-0039).
Rule 2: a symlink is counted once, as a link, by its own size: never its target's bytes, whatever
it points at (a file, a directory, nowhere, out of the repository); it is never followed.
Rule 3: a file's language is, first, the one `linguist-language` gives it in `.gitattributes`,
then the one its name says (`codegenie_core.languages`), then, for a file with no extension only,
the one its `#!` line names: a bounded head read (`HEAD_BYTES`), so a repository of 200,000 files
reads the heads of its extension-less scripts, not of every file.
Rule 4: `.gitattributes` files (at the root and below, read through the port, within `**`) can
mark files `linguist-vendored`, `linguist-generated` or `linguist-documentation` (or unmark what
the path rules would mark, with `-attr` or `=false`), with git's precedence (see
`parsers.gitattributes`); vendored beats generated beats documentation beats source. Only source
files are counted per language; the others, and the links, have their own totals, and the slice
says which overrides applied to how many files.
Rule 5: a listed file that cannot be stat'ed is unreadable, as is a directory the listing could
not read (named in `problems`, as are `.gitattributes` lines refused); either lowers confidence.
Rule 6: languages are ordered by bytes, largest first, then by name, so the slice is deterministic.
Its key covers every listed file (`**`): any file added, removed or changed busts it.
Rule 7: each language's source files also give their code, comment and blank lines, as cloc
counts them (`codegenie_core.line_counts`), through `RepoFiles.line_counts`: the adapter counts a
file in the read that hashes it and remembers counts by blob id, so an edit recounts one file. A
binary (or not UTF-8) file, and one too large or unreadable to count, keeps its files and bytes
in its language but adds no lines; they are totalled apart (`binary`, `uncounted`; ADR-0076).
Rule 8: the slice is a fold of each file's contribution (its category: bucket, language, shebang
and overrides; its size; its lines), and the probe remembers the fold through the port
(`recall_fold`, `remember_fold`): a row per file git vouches for (`clean_blobs`), keyed by its
path and blob id, and the totals of those rows, all under a key of the rules' tables and version
(`FOLD_VERSION`) and of every `.gitattributes` read. A run takes away the rows whose path is no
longer listed or whose blob id git no longer vouches for, adds what every other listed file
contributes now, and so stats, classifies and counts only what changed. Another key, a fold not
whole (`_categories`), a path kept twice, or sums its rows would leave negative: the fold is not
used and every file is computed. It is written again only when no usable one was found, or once
its changed rows are 1/`REMEMBER_FRACTION` of it: a fold left as it was is only added to again
(ADR-0094).
"""

from __future__ import annotations

import hashlib
import itertools
import json
import operator
from collections.abc import Callable, Mapping, Sequence
from typing import TypeGuard, cast

import attrs

from codegenie_core.languages import (
    EXTENSIONS,
    FILE_NAMES,
    GENERATED_DIRS,
    GENERATED_SUFFIXES,
    LOCKFILES,
    NON_PROGRAMMING,
    VENDORED_DIRS,
    has_no_extension,
    is_generated,
    is_vendored,
    language_of,
)
from codegenie_core.line_counts import BINARY, COUNTER_VERSION, SYNTAXES, LineCounts
from codegenie_core.parsers.gitattributes import AttributeFile, Attributes, parse_gitattributes
from codegenie_core.parsers.shebang import INTERPRETERS, language_of_head
from codegenie_core.ports import HEAD_BYTES, FileFold, FileProblem, FileStat, RepoFiles
from codegenie_core.probe import Envelope, ProbeContext, Skip
from codegenie_core.probes.layer_a.inputs import InputProblem
from codegenie_core.registry import register_probe
from codegenie_core.spec import PortName, ProbeSpec

LineCounting = Callable[[Mapping[str, str]], Mapping[str, "LineCounts | FileProblem"]]
GITATTRIBUTES = ".gitattributes"
MAX_GITATTRIBUTES_BYTES = 2**20  # far above any real one; a larger one is a problem, unread
MAX_ATTRIBUTE_LINES = 256  # linguist lines, all files together: each is matched against every file
MAX_PROBLEMS_PER_FILE = 10
MAX_LANGUAGE_CHARS = 64
FOLD = "contributions"  # the name the probe's remembered fold is kept under (Rule 8)
FOLD_VERSION = 1  # bump when a rule of `_contribute` changes: remembered folds are then not reused
REMEMBER_FRACTION = 64  # Rule 8: a fold is written once its changed rows are 1/64 of it or more
VENDORED, GENERATED, DOCUMENTATION, LANGUAGE = (
    "linguist-vendored", "linguist-generated", "linguist-documentation", "linguist-language",
)  # fmt: skip
LINGUIST = frozenset({VENDORED, GENERATED, DOCUMENTATION, LANGUAGE})
# Canonical language names by linguist's spelling in attributes: lowercase, "-" for a space.
_CANONICAL = {
    name.lower().replace(" ", "-"): name
    for name in (*EXTENSIONS.values(), *FILE_NAMES.values(), *INTERPRETERS.values())
}


@attrs.frozen(kw_only=True)
class LanguageTotal:
    """Source files of one language, their bytes, and their lines (Rule 7)."""

    language: str
    files: int
    bytes: int
    code: int = 0
    comment: int = 0
    blank: int = 0


@attrs.frozen(kw_only=True)
class FileTotal:
    """A count of files and their bytes."""

    files: int = 0
    bytes: int = 0


@attrs.frozen(kw_only=True)
class OverrideTotal:
    """The files a `.gitattributes` override applied to: `attribute` (`linguist-vendored`, ...)
    in state `value` ("set", "unset", or the language `linguist-language` names)."""

    attribute: str
    value: str
    files: int
    bytes: int


@attrs.frozen(kw_only=True)
class LanguagesSlice:
    """Languages of the source files; vendored, generated, documentation, unrecognized files and
    symlinks apart."""

    languages: tuple[LanguageTotal, ...]
    primary: str | None  # the programming language with the most bytes of source, if any
    vendored: FileTotal
    generated: FileTotal
    unrecognized: FileTotal  # source files no table names a language for
    unreadable: int  # listed files that could not be stat'ed, and directories not listed
    documentation: FileTotal = FileTotal()  # marked `linguist-documentation`
    links: FileTotal = FileTotal()  # symlinks, by their own size, never followed
    shebangs: FileTotal = FileTotal()  # source files whose language their `#!` line named
    overrides: tuple[OverrideTotal, ...] = ()
    problems: tuple[InputProblem, ...] = ()  # unread directories, refused `.gitattributes` lines
    binary: FileTotal = FileTotal()  # source files not text (a NUL, or not UTF-8): no lines
    uncounted: FileTotal = FileTotal()  # source files too large or unreadable to count lines


_NONE: Mapping[str, bool | str] = {}  # no attribute given (never written to)


def _flag(state: bool | str | None) -> bool | None:
    """A linguist boolean attribute: set or "true" marks, unset or "false" unmarks."""
    if state is True or state == "true":
        return True
    if state is False or state == "false":
        return False
    return None


def _marked(state: bool | str | None, *, by_path: bool) -> bool:
    flag = _flag(state)
    return by_path if flag is None else flag


def _override_value(attribute: str, state: bool | str) -> str | None:
    if attribute == LANGUAGE:
        return _language_named(state) if isinstance(state, str) else None
    flag = _flag(state)
    return None if flag is None else ("set" if flag else "unset")


def _language_named(value: str) -> str:
    """The canonical name of a `linguist-language` value, else the value itself, clipped."""
    return _CANONICAL.get(value.lower().replace(" ", "-"), value[:MAX_LANGUAGE_CHARS])


# A category is everything a file contributes besides its size and lines: its bucket (one of
# `_APART`, or `_LANGUAGE_PREFIX` and the language), whether its `#!` line named that language,
# and the overrides that applied to it. Its totals are `_WIDTH` sums, indexed as below.
_APART = ("vendored", "generated", "documentation", "unrecognized", "links")
_LANGUAGE_PREFIX = "="
_FILES, _BYTES, _CODE, _COMMENT, _BLANK, _BINARY_FILES, _BINARY_BYTES, _UNCOUNTED_FILES = range(8)
_UNCOUNTED_BYTES = 8
_WIDTH = 9
_BITS = 25  # a packed count's fields (a counted file, <= 16 MiB, has at most 2**24 lines)
_MASK = (1 << _BITS) - 1
_NO_LINES = 0  # the packed lines of a file no count covers (not source, or no counting asked)
_BINARY_LINES, _UNCOUNTED_LINES = -1, -2
Category = tuple[str, bool, tuple[tuple[str, str], ...]]
Totals = dict[Category, list[int]]


def _pack(counts: LineCounts | FileProblem) -> int:
    if isinstance(counts, FileProblem):
        return _BINARY_LINES if counts.reason == BINARY else _UNCOUNTED_LINES
    return counts.code + (counts.comment << _BITS) + (counts.blank << 2 * _BITS)


def _add(row: list[int], size: int, lines: int, sign: int = 1) -> None:
    """Add (or, with `sign` -1, take away) one file's contribution to its category's `row`."""
    row[_FILES] += sign
    row[_BYTES] += sign * size
    if lines == _BINARY_LINES:
        row[_BINARY_FILES] += sign
        row[_BINARY_BYTES] += sign * size
    elif lines == _UNCOUNTED_LINES:
        row[_UNCOUNTED_FILES] += sign
        row[_UNCOUNTED_BYTES] += sign * size
    elif lines:
        row[_CODE] += sign * (lines & _MASK)
        row[_COMMENT] += sign * ((lines >> _BITS) & _MASK)
        row[_BLANK] += sign * (lines >> 2 * _BITS)


@attrs.frozen
class _Contributions:
    """What each of some files contributes (Rules 2-4, 7), in the order asked; a file that could
    not be stat'ed contributes nothing and is `unreadable`."""

    paths: list[str]
    categories: list[Category]
    sizes: list[int]
    lines: list[int]
    unreadable: int


def _contribute(
    paths: Sequence[str],
    stats: Mapping[str, FileStat],
    attributes: Attributes | None,
    read_head: Callable[[str], bytes | FileProblem] | None,
    count_lines: LineCounting | None,
) -> _Contributions:
    kept: list[str] = []
    categories: list[Category] = []
    sizes: list[int] = []
    counted_as: dict[str, str] = {}
    shared: dict[Category, Category] = {}  # one tuple per distinct category, not one per file
    unreadable = 0
    for path in paths:
        stat = stats.get(path)
        if stat is None:
            unreadable += 1
            continue
        kept.append(path)
        sizes.append(stat.size)
        if stat.link:  # Rule 2
            categories.append(("links", False, ()))
            continue
        given: Mapping[str, bool | str] = _NONE if attributes is None else attributes.of(path)
        applied: tuple[tuple[str, str], ...] = ()
        if given:
            applied = tuple(
                sorted(
                    (attribute, value)
                    for attribute, state in given.items()
                    if (value := _override_value(attribute, state)) is not None
                )
            )
        kind: str | None = None
        if not given:  # the path alone decides, as `_marked` does for None: no call per attribute
            kind = "vendored" if is_vendored(path) else "generated" if is_generated(path) else None
        elif _marked(given.get(VENDORED), by_path=is_vendored(path)):
            kind = "vendored"
        elif _marked(given.get(GENERATED), by_path=is_generated(path)):
            kind = "generated"
        elif _marked(given.get(DOCUMENTATION), by_path=False):
            kind = "documentation"
        if kind is not None:
            categories.append((kind, False, applied))
            continue
        named = given.get(LANGUAGE)
        language = _language_named(named) if isinstance(named, str) else language_of(path)
        by_shebang = False
        if language is None and read_head is not None and has_no_extension(path):
            head = read_head(path)
            if not isinstance(head, FileProblem) and (language := language_of_head(head)):
                by_shebang = True
        category: Category
        if language is None:
            category = ("unrecognized", False, applied)
        else:
            category = (_LANGUAGE_PREFIX + language, by_shebang, applied)
            counted_as[path] = language
        categories.append(shared.setdefault(category, category))
    lines = [_NO_LINES] * len(kept)
    if count_lines is not None and counted_as:
        counts = count_lines(counted_as)
        lines = [
            _NO_LINES if (found := counts.get(path)) is None else _pack(found) for path in kept
        ]
    return _Contributions(kept, categories, sizes, lines, unreadable)


def _fold(contributions: _Contributions, totals: Totals | None = None) -> Totals:
    """`totals` (a new table when None) with every contribution added."""
    table: Totals = {} if totals is None else totals
    for category, size, lines in zip(
        contributions.categories, contributions.sizes, contributions.lines, strict=True
    ):
        row = table.get(category)
        if row is None:
            row = table[category] = [0] * _WIDTH
        _add(row, size, lines)
    return table


def _slice(
    tables: Sequence[Totals],
    unreadable: int,
    listing_problems: Sequence[FileProblem],
    attribute_problems: Sequence[InputProblem],
) -> LanguagesSlice:
    """The slice the category `tables` add up to (a category with no files left is none)."""
    per_language: dict[str, list[int]] = {}
    apart: dict[str, list[int]] = {k: [0, 0] for k in (*_APART, "shebangs", "binary", "uncounted")}
    overrides: dict[tuple[str, str], list[int]] = {}
    for table in tables:
        for (bucket, by_shebang, applied), row in table.items():
            files, size = row[_FILES], row[_BYTES]
            if files == 0:
                continue
            for override in applied:
                counted = overrides.setdefault(override, [0, 0])
                counted[0] += files
                counted[1] += size
            if not bucket.startswith(_LANGUAGE_PREFIX):
                apart[bucket][0] += files
                apart[bucket][1] += size
                continue
            language = per_language.setdefault(bucket[len(_LANGUAGE_PREFIX) :], [0] * 5)
            for i in (_FILES, _BYTES, _CODE, _COMMENT, _BLANK):
                language[i] += row[i]
            if by_shebang:
                apart["shebangs"][0] += files
                apart["shebangs"][1] += size
            for name, at in (("binary", _BINARY_FILES), ("uncounted", _UNCOUNTED_FILES)):
                apart[name][0] += row[at]
                apart[name][1] += row[at + 1]
    languages = tuple(
        sorted(
            (
                LanguageTotal(language=name, files=f, bytes=b, code=c, comment=m, blank=k)
                for name, (f, b, c, m, k) in per_language.items()
            ),
            key=lambda t: (-t.bytes, t.language),
        )
    )

    def total(kind: str) -> FileTotal:
        return FileTotal(files=apart[kind][0], bytes=apart[kind][1])

    return LanguagesSlice(
        languages=languages,
        primary=next((t.language for t in languages if t.language not in NON_PROGRAMMING), None),
        vendored=total("vendored"),
        generated=total("generated"),
        documentation=total("documentation"),
        unrecognized=total("unrecognized"),
        links=total("links"),
        shebangs=total("shebangs"),
        binary=total("binary"),
        uncounted=total("uncounted"),
        unreadable=unreadable + len(listing_problems),
        overrides=tuple(
            OverrideTotal(attribute=a, value=v, files=f, bytes=b)
            for (a, v), (f, b) in sorted(overrides.items())
            if f
        ),
        problems=(
            *(InputProblem(path=p.path, message=p.reason) for p in listing_problems),
            *attribute_problems,
        ),
    )


def summarize(
    paths: Sequence[str],
    stats: Mapping[str, FileStat],
    listing_problems: Sequence[FileProblem] = (),
    *,
    attributes: Attributes | None = None,
    read_head: Callable[[str], bytes | FileProblem] | None = None,
    attribute_problems: Sequence[InputProblem] = (),
    count_lines: LineCounting | None = None,
) -> LanguagesSlice:
    """The slice for the listed `paths`, given their stats, the directories the listing could not
    read, the attributes `.gitattributes` gives, a head read for extension-less scripts, and the
    line counts of source files by language (Rule 7): every file's contribution, added up."""
    contributions = _contribute(paths, stats, attributes, read_head, count_lines)
    return _slice(
        [_fold(contributions)], contributions.unreadable, listing_problems, attribute_problems
    )


def read_attributes(
    repo: RepoFiles,
    paths: Sequence[str],
    stats: Mapping[str, FileStat],
    *,
    sources: list[tuple[str, bytes | str]] | None = None,
) -> tuple[Attributes | None, tuple[InputProblem, ...]]:
    """The `.gitattributes` files among `paths`, parsed for linguist's attributes, and the
    problems reading them (Rule 4). A symlinked one is not read: git does not follow it either.
    `sources`, when given, receives each one read, in order: its path and its bytes (or why they
    could not be read), which is all the attributes depend on."""
    files: list[AttributeFile] = []
    problems: list[InputProblem] = []
    budget = MAX_ATTRIBUTE_LINES
    for path in paths:
        base, _, name = path.rpartition("/")
        stat = stats.get(path)
        if name != GITATTRIBUTES or stat is None or stat.link:
            continue
        data = repo.read_bytes(path, max_bytes=MAX_GITATTRIBUTES_BYTES)
        if sources is not None:
            sources.append((path, data.reason if isinstance(data, FileProblem) else data))
        if isinstance(data, FileProblem):
            problems.append(InputProblem(path=path, message=data.reason))
            continue
        lines, refused = parse_gitattributes(
            data.decode("utf-8", "surrogateescape"), wanted=LINGUIST
        )
        messages = [f"line {p.line}: {p.message}" for p in refused]
        if len(lines) > budget:
            messages.append(
                f"line {lines[budget].line} and after: more than {MAX_ATTRIBUTE_LINES} linguist "
                "lines in all; the rest are ignored"
            )
            lines = lines[:budget]
        budget -= len(lines)
        if len(messages) > MAX_PROBLEMS_PER_FILE:
            left = len(messages) - MAX_PROBLEMS_PER_FILE
            messages = [*messages[:MAX_PROBLEMS_PER_FILE], f"and {left} more line(s) refused"]
        problems.extend(InputProblem(path=path, message=m) for m in messages)
        if lines:
            files.append(AttributeFile(base=base, lines=lines))
    return (Attributes(files) if files else None), tuple(problems)


def fold_key(sources: Sequence[tuple[str, bytes | str]]) -> str:
    """Rule 8's key: this module's version of the rules, the tables and bounds the rules read, and
    every `.gitattributes` read (path and bytes, or why unread), in the order read."""
    digest = hashlib.sha256()
    digest.update(_RULES_FINGERPRINT.encode())
    for path, data in sources:
        raw = data if isinstance(data, bytes) else data.encode("utf-8", "surrogateescape")
        name = path.encode("utf-8", "surrogateescape")
        digest.update(b"%d:%d:%d:" % (len(name), isinstance(data, bytes), len(raw)))
        digest.update(name)
        digest.update(raw)
    return digest.hexdigest()


def _fingerprint() -> str:
    """What a file's category depends on besides its path, attributes and bytes (Rule 8)."""
    tables = (
        FOLD_VERSION,
        COUNTER_VERSION,
        HEAD_BYTES,
        MAX_ATTRIBUTE_LINES,
        MAX_LANGUAGE_CHARS,
        sorted(EXTENSIONS.items()),
        sorted(FILE_NAMES.items()),
        sorted(INTERPRETERS.items()),
        sorted(NON_PROGRAMMING),
        sorted(VENDORED_DIRS),
        sorted(GENERATED_DIRS),
        sorted(LOCKFILES),
        GENERATED_SUFFIXES,
        sorted(SYNTAXES.items()),
    )
    return hashlib.sha256(repr(tables).encode()).hexdigest()


_RULES_FINGERPRINT = _fingerprint()
_both: Callable[[bool, bool], bool] = bool.__and__  # in C, no frame per file


def fold_remembered(
    repo: RepoFiles,
    paths: Sequence[str],
    listing_problems: Sequence[FileProblem] = (),
    *,
    attributes: Attributes | None,
    attribute_problems: Sequence[InputProblem] = (),
    key: str,
) -> LanguagesSlice:
    """`summarize` of `paths` through `repo`, adding up only what changed since the fold it
    remembers (Rule 8): a remembered file whose blob id git still vouches for, and still listed,
    contributes what it did; every other file is stat'ed, classified and counted again."""
    clean = repo.clean_blobs()
    memory = repo.recall_fold(FOLD) if clean else None
    categories = None if memory is None or memory.key != key else _categories(memory)
    if categories is None:
        memory = None
    remembered: Totals = {}
    stale = 0
    if memory is None or categories is None:
        fresh = paths
        keep: list[bool] = []
    else:
        listed = set(paths)
        # C-level passes, no frame per file: a row is kept while its path is listed and git
        # vouches for the same blob id it was computed from.
        clean_of = cast("Callable[[str], str | None]", clean.get)
        keep = list(
            map(
                _both,
                map(operator.eq, map(clean_of, memory.paths), memory.blobs),
                map(listed.__contains__, memory.paths),
            )
        )
        remembered = {c: list(row) for c, row in zip(categories, memory.totals, strict=True)}
        for i in itertools.compress(range(len(keep)), map(operator.not_, keep)):
            _add(
                remembered[categories[memory.category_of[i]]],
                memory.sizes[i],
                memory.lines[i],
                sign=-1,
            )
            stale += 1
        kept = set(itertools.compress(memory.paths, keep))
        # not its rows' sums, or a path kept twice: any doubt, and every file is computed
        if len(kept) != sum(keep) or any(n < 0 for row in remembered.values() for n in row):
            return summarize(
                paths,
                repo.file_stats(paths),
                listing_problems,
                attributes=attributes,
                read_head=repo.read_head,
                attribute_problems=attribute_problems,
                count_lines=repo.line_counts,
            )
        fresh = list(itertools.filterfalse(kept.__contains__, paths))
    stats = repo.file_stats(fresh)
    contributions = _contribute(fresh, stats, attributes, repo.read_head, repo.line_counts)
    vouched = [
        not stats[p].link and p in clean for p in contributions.paths
    ]  # a link's contribution is its own size, which no blob id vouches for
    others: Totals = {}
    for category, size, lines, is_clean in zip(
        contributions.categories,
        contributions.sizes,
        contributions.lines,
        vouched,
        strict=True,
    ):
        table = remembered if is_clean else others
        row = table.get(category)
        if row is None:
            row = table[category] = [0] * _WIDTH
        _add(row, size, lines)
    added = sum(vouched)
    rows = (len(memory.paths) - stale if memory is not None else 0) + added
    if clean and (memory is None or (stale + added) * REMEMBER_FRACTION >= max(rows, 1)):
        repo.remember_fold(
            FOLD, _remembered(key, memory, keep, remembered, contributions, vouched, clean)
        )
    return _slice(
        [remembered, others], contributions.unreadable, listing_problems, attribute_problems
    )


def _category(text: str) -> Category:
    """A category as `_category_text` wrote it; `ValueError` when it is not one."""
    parsed: object = json.loads(text)
    if isinstance(parsed, list) and len(cast("list[object]", parsed)) == 3:
        bucket, by_shebang, applied = cast("list[object]", parsed)
        if (
            isinstance(bucket, str)
            and (bucket in _APART or bucket.startswith(_LANGUAGE_PREFIX))
            and isinstance(by_shebang, bool)
            and isinstance(applied, list)
        ):
            pairs = [p for p in cast("list[object]", applied) if _is_pair(p)]
            if len(pairs) == len(cast("list[object]", applied)):
                return (bucket, by_shebang, tuple((a, v) for a, v in pairs))
    raise ValueError(f"not a category: {text[:80]!r}")


def _is_pair(value: object) -> TypeGuard[list[str]]:
    return (
        isinstance(value, list)
        and len(cast("list[object]", value)) == 2
        and all(isinstance(v, str) for v in cast("list[object]", value))
    )


def _categories(memory: FileFold) -> list[Category] | None:
    """The categories of a recalled fold, when it is whole: every category readable, one row of
    `_WIDTH` totals each, columns of one length, indices in range, and the files the totals
    count are its rows (Rule 8: any doubt, and the fold is not used)."""
    try:
        categories = [_category(c) for c in memory.categories]
    except ValueError:
        return None
    rows = len(memory.paths)
    if (
        len(memory.totals) != len(categories)
        or any(len(row) != _WIDTH for row in memory.totals)
        or not rows == len(memory.blobs) == len(memory.category_of)
        or not rows == len(memory.sizes) == len(memory.lines)
        or (rows and (min(memory.category_of) < 0 or max(memory.category_of) >= len(categories)))
        or sum(row[_FILES] for row in memory.totals) != rows
        or len(set(categories)) != len(categories)
    ):
        return None
    return categories


def _category_text(category: Category) -> str:
    return json.dumps(category, separators=(",", ":"))


def _remembered(
    key: str,
    memory: FileFold | None,
    keep: Sequence[bool],
    totals: Totals,
    contributions: _Contributions,
    vouched: Sequence[bool],
    clean: Mapping[str, str],
) -> FileFold:
    """The fold to remember: the rows kept from `memory` and the vouched-for fresh ones, with
    `totals` (their sums, per category) and every category any row or total names."""
    texts = [] if memory is None else list(memory.categories)
    index = {_category(t): i for i, t in enumerate(texts)}
    for category in (*totals, *itertools.compress(contributions.categories, vouched)):
        if category not in index:
            index[category] = len(texts)
            texts.append(_category_text(category))
    by_index = {i: c for c, i in index.items()}
    empty = [0] * _WIDTH
    new_paths = list(itertools.compress(contributions.paths, vouched))
    paths: list[str] = []
    blobs: list[str] = []
    category_of: list[int] = []
    sizes: list[int] = []
    lines: list[int] = []
    if memory is not None:
        paths.extend(itertools.compress(memory.paths, keep))
        blobs.extend(itertools.compress(memory.blobs, keep))
        category_of.extend(itertools.compress(memory.category_of, keep))
        sizes.extend(itertools.compress(memory.sizes, keep))
        lines.extend(itertools.compress(memory.lines, keep))
    paths.extend(new_paths)
    blobs.extend(map(clean.__getitem__, new_paths))
    category_of.extend(
        map(index.__getitem__, itertools.compress(contributions.categories, vouched))
    )
    sizes.extend(itertools.compress(contributions.sizes, vouched))
    lines.extend(itertools.compress(contributions.lines, vouched))
    return FileFold(
        key=key,
        categories=tuple(texts),
        totals=tuple(tuple(totals.get(by_index[i], empty)) for i in range(len(texts))),
        paths=paths,
        blobs=blobs,
        category_of=category_of,
        sizes=sizes,
        lines=lines,
    )


@register_probe()
class LanguagesProbe:
    """Files and bytes per language."""

    spec = ProbeSpec(
        name="languages",
        version=2,
        layer="a",
        heaviness="light",
        timeout_s=60.0,
        reads=("**",),
        ports=frozenset[PortName]({"repo"}),
        slice_type=LanguagesSlice,
        schema_version=4,
    )

    def applies(self, ctx: ProbeContext) -> bool:
        return True

    def run(self, ctx: ProbeContext) -> Envelope | Skip:
        paths = ctx.repo.list_files()
        skipped_dirs = ctx.repo.listing_problems()
        named = [p for p in paths if p.endswith(GITATTRIBUTES)]  # `read_attributes` checks more
        sources: list[tuple[str, bytes | str]] = []
        attributes, attribute_problems = read_attributes(
            ctx.repo, named, ctx.repo.file_stats(named), sources=sources
        )
        result = fold_remembered(
            ctx.repo,
            paths,
            skipped_dirs,
            attributes=attributes,
            attribute_problems=attribute_problems,
            key=fold_key(sources),
        )
        notes: tuple[str, ...] = ()
        if unsized := result.unreadable - len(skipped_dirs):
            notes += (f"{unsized} listed file(s) could not be sized and are not counted",)
        if skipped_dirs:
            shown = ", ".join(p.path for p in skipped_dirs[:5])
            more = f" and {len(skipped_dirs) - 5} more" if len(skipped_dirs) > 5 else ""
            notes += (
                f"{len(skipped_dirs)} directory(ies) could not be read, so their files are not "
                f"counted: {shown}{more}",
            )
        if result.uncounted.files:
            notes += (
                f"{result.uncounted.files} source file(s) too large or unreadable to count their "
                "lines",
            )
        if attribute_problems:
            notes += (
                f"{len(attribute_problems)} .gitattributes problem(s): some overrides may be "
                "missing",
            )
        return Envelope(
            probe=self.spec.name,
            schema_version=self.spec.schema_version,
            confidence="high" if result.unreadable == 0 and not attribute_problems else "medium",
            slice=result,
            notes=notes,
        )
