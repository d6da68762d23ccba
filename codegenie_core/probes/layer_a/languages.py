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
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import attrs

from codegenie_core.languages import (
    EXTENSIONS,
    FILE_NAMES,
    NON_PROGRAMMING,
    has_no_extension,
    is_generated,
    is_vendored,
    language_of,
)
from codegenie_core.line_counts import BINARY, LineCounts
from codegenie_core.parsers.gitattributes import AttributeFile, Attributes, parse_gitattributes
from codegenie_core.parsers.shebang import INTERPRETERS, language_of_head
from codegenie_core.ports import FileProblem, FileStat, RepoFiles
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
    line counts of source files by language (Rule 7)."""
    per_language: dict[str, list[int]] = {}
    counted_as: dict[str, str] = {}
    apart: dict[str, list[int]] = {
        k: [0, 0]
        for k in ("vendored", "generated", "documentation", "unrecognized", "links", "shebangs")
    }
    overrides: dict[tuple[str, str], list[int]] = {}
    unreadable = len(listing_problems)
    for path in paths:
        stat = stats.get(path)
        if stat is None:
            unreadable += 1
            continue
        size = stat.size
        if stat.link:  # Rule 2
            bucket = apart["links"]
            bucket[0] += 1
            bucket[1] += size
            continue
        given: Mapping[str, bool | str] = _NONE if attributes is None else attributes.of(path)
        for attribute, state in given.items():
            value = _override_value(attribute, state)
            if value is not None:
                counted = overrides.setdefault((attribute, value), [0, 0])
                counted[0] += 1
                counted[1] += size
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
            bucket = apart[kind]
        else:
            named = given.get(LANGUAGE)
            language = _language_named(named) if isinstance(named, str) else language_of(path)
            if language is None and read_head is not None and has_no_extension(path):
                head = read_head(path)
                if not isinstance(head, FileProblem) and (language := language_of_head(head)):
                    apart["shebangs"][0] += 1
                    apart["shebangs"][1] += size
            if language is None:
                bucket = apart["unrecognized"]
            else:
                bucket = per_language.setdefault(language, [0, 0, 0, 0, 0])
                counted_as[path] = language
        bucket[0] += 1
        bucket[1] += size
    binary, uncounted = [0, 0], [0, 0]
    if count_lines is not None and counted_as:
        for path, counts in count_lines(counted_as).items():
            if isinstance(counts, FileProblem):
                apart_total = binary if counts.reason == BINARY else uncounted
                apart_total[0] += 1
                apart_total[1] += stats[path].size
                continue
            lines = per_language[counted_as[path]]
            lines[2] += counts.code
            lines[3] += counts.comment
            lines[4] += counts.blank
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
        binary=FileTotal(files=binary[0], bytes=binary[1]),
        uncounted=FileTotal(files=uncounted[0], bytes=uncounted[1]),
        unreadable=unreadable,
        overrides=tuple(
            OverrideTotal(attribute=a, value=v, files=f, bytes=b)
            for (a, v), (f, b) in sorted(overrides.items())
        ),
        problems=(
            *(InputProblem(path=p.path, message=p.reason) for p in listing_problems),
            *attribute_problems,
        ),
    )


def read_attributes(
    repo: RepoFiles, paths: Sequence[str], stats: Mapping[str, FileStat]
) -> tuple[Attributes | None, tuple[InputProblem, ...]]:
    """The `.gitattributes` files among `paths`, parsed for linguist's attributes, and the
    problems reading them (Rule 4). A symlinked one is not read: git does not follow it either."""
    files: list[AttributeFile] = []
    problems: list[InputProblem] = []
    budget = MAX_ATTRIBUTE_LINES
    for path in paths:
        base, _, name = path.rpartition("/")
        stat = stats.get(path)
        if name != GITATTRIBUTES or stat is None or stat.link:
            continue
        data = repo.read_bytes(path, max_bytes=MAX_GITATTRIBUTES_BYTES)
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
        stats = ctx.repo.file_stats(paths)
        attributes, attribute_problems = read_attributes(ctx.repo, paths, stats)
        result = summarize(
            paths,
            stats,
            skipped_dirs,
            attributes=attributes,
            read_head=ctx.repo.read_head,
            attribute_problems=attribute_problems,
            count_lines=ctx.repo.line_counts,
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
