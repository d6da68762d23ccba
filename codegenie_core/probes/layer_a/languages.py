"""The `languages` probe: files and bytes per language, with vendored and generated code apart.

Rule 1: sizes come from `RepoFiles.file_sizes` (stat only), never from reading every file, so a
cold run on a large repository costs one stat per file (see ADR-0015).
Rule 2: only source files are counted per language; vendored and generated files are counted in
their own totals, and a listed file whose size cannot be had is counted as unreadable, as is a
directory the listing could not read (named in `problems`); either lowers confidence.
Rule 3: languages are ordered by bytes, largest first, then by name, so the slice is deterministic.
Its key covers every listed file (`**`): any file added, removed or changed busts it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import attrs

from codegenie_core.languages import NON_PROGRAMMING, language_of, origin_of
from codegenie_core.ports import FileProblem
from codegenie_core.probe import Envelope, ProbeContext, Skip
from codegenie_core.probes.layer_a.inputs import InputProblem
from codegenie_core.registry import register_probe
from codegenie_core.spec import PortName, ProbeSpec


@attrs.frozen(kw_only=True)
class LanguageTotal:
    """Source files of one language, and their bytes."""

    language: str
    files: int
    bytes: int


@attrs.frozen(kw_only=True)
class FileTotal:
    """A count of files and their bytes."""

    files: int = 0
    bytes: int = 0


@attrs.frozen(kw_only=True)
class LanguagesSlice:
    """Languages of the source files; vendored, generated and unrecognized files apart."""

    languages: tuple[LanguageTotal, ...]
    primary: str | None  # the programming language with the most bytes of source, if any
    vendored: FileTotal
    generated: FileTotal
    unrecognized: FileTotal  # source files no table names a language for
    unreadable: int  # listed files whose size could not be had, and directories not listed
    problems: tuple[InputProblem, ...] = ()  # the directories the listing could not read


def summarize(
    paths: Sequence[str], sizes: Mapping[str, int], listing_problems: Sequence[FileProblem] = ()
) -> LanguagesSlice:
    """The slice for the listed `paths`, given the sizes of those that could be read and the
    directories the listing could not read."""
    per_language: dict[str, list[int]] = {}
    apart: dict[str, list[int]] = {"vendored": [0, 0], "generated": [0, 0], "unrecognized": [0, 0]}
    unreadable = len(listing_problems)
    for path in paths:
        size = sizes.get(path)
        if size is None:
            unreadable += 1
            continue
        origin = origin_of(path)
        language = language_of(path)
        if origin != "source":
            bucket = apart[origin]
        elif language is None:
            bucket = apart["unrecognized"]
        else:
            bucket = per_language.setdefault(language, [0, 0])
        bucket[0] += 1
        bucket[1] += size
    languages = tuple(
        sorted(
            (
                LanguageTotal(language=name, files=f, bytes=b)
                for name, (f, b) in per_language.items()
            ),
            key=lambda t: (-t.bytes, t.language),
        )
    )
    return LanguagesSlice(
        languages=languages,
        primary=next((t.language for t in languages if t.language not in NON_PROGRAMMING), None),
        vendored=FileTotal(files=apart["vendored"][0], bytes=apart["vendored"][1]),
        generated=FileTotal(files=apart["generated"][0], bytes=apart["generated"][1]),
        unrecognized=FileTotal(files=apart["unrecognized"][0], bytes=apart["unrecognized"][1]),
        unreadable=unreadable,
        problems=tuple(InputProblem(path=p.path, message=p.reason) for p in listing_problems),
    )


@register_probe()
class LanguagesProbe:
    """Files and bytes per language."""

    spec = ProbeSpec(
        name="languages",
        version=1,
        layer="a",
        heaviness="light",
        timeout_s=60.0,
        reads=("**",),
        ports=frozenset[PortName]({"repo"}),
        slice_type=LanguagesSlice,
        schema_version=2,
    )

    def applies(self, ctx: ProbeContext) -> bool:
        return True

    def run(self, ctx: ProbeContext) -> Envelope | Skip:
        paths = ctx.repo.list_files()
        skipped_dirs = ctx.repo.listing_problems()
        result = summarize(paths, ctx.repo.file_sizes(paths), skipped_dirs)
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
        return Envelope(
            probe=self.spec.name,
            schema_version=self.spec.schema_version,
            confidence="high" if result.unreadable == 0 else "medium",
            slice=result,
            notes=notes,
        )
