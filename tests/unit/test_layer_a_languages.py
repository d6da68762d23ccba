"""The `languages` probe over a fake repository."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from codegenie_adapters.fakes import FakeClock, FakeRepo, ScriptedYaml
from codegenie_core.config import GatherConfig
from codegenie_core.ports import MAX_READ_BYTES, FileStat
from codegenie_core.probe import Envelope, ProbeContext
from codegenie_core.probes.layer_a.inputs import InputProblem
from codegenie_core.probes.layer_a.languages import (
    FileTotal,
    LanguagesProbe,
    LanguagesSlice,
    LanguageTotal,
    OverrideTotal,
    summarize,
)
from codegenie_core.scoped_reads import context_for


def context(repo: FakeRepo) -> ProbeContext:
    return ProbeContext(repo=repo, config=GatherConfig(), clock=FakeClock(), yaml=ScriptedYaml())


def test_bytes_per_language_with_vendored_generated_and_unknown_apart() -> None:
    repo = FakeRepo(
        files={
            "app/main.py": b"x" * 30,
            "app/util.py": b"x" * 20,
            "web/index.ts": b"x" * 50,
            "web/b.ts": b"x" * 10,
            "Dockerfile": b"x" * 5,
            "Makefile": b"x" * 5,
            "vendor/lib/x.go": b"x" * 100,
            "static/app.min.js": b"x" * 70,
            "package-lock.json": b"x" * 9,
            "LICENSE": b"x" * 11,
        },
        unreadable={"broken-link": "dangling symlink"},
    )
    envelope = LanguagesProbe().run(context(repo))
    assert envelope == Envelope(
        probe="languages",
        schema_version=4,
        confidence="medium",
        slice=LanguagesSlice(
            languages=(
                LanguageTotal(language="TypeScript", files=2, bytes=60, code=2),
                LanguageTotal(language="Python", files=2, bytes=50, code=2),
                LanguageTotal(language="Dockerfile", files=1, bytes=5, code=1),
                LanguageTotal(language="Makefile", files=1, bytes=5, code=1),
            ),
            primary="TypeScript",
            vendored=FileTotal(files=1, bytes=100),
            generated=FileTotal(files=2, bytes=79),
            unrecognized=FileTotal(files=1, bytes=11),
            unreadable=1,
        ),
        notes=("1 listed file(s) could not be sized and are not counted",),
    )


def test_an_empty_repository_has_no_primary_language_and_high_confidence() -> None:
    envelope = LanguagesProbe().run(context(FakeRepo()))
    assert isinstance(envelope, Envelope)
    assert (envelope.confidence, envelope.slice) == (
        "high",
        LanguagesSlice(
            languages=(),
            primary=None,
            vendored=FileTotal(),
            generated=FileTotal(),
            unrecognized=FileTotal(),
            unreadable=0,
        ),
    )


def test_an_unreadable_directory_counts_as_unreadable_names_its_path_and_lowers_confidence() -> (
    None
):
    repo = FakeRepo(files={"a.py": b"abc"}, unreadable_dirs={"locked": "permission denied"})
    envelope = LanguagesProbe().run(context(repo))
    assert isinstance(envelope, Envelope)
    assert (envelope.confidence, envelope.slice.unreadable, envelope.slice.problems) == (
        "medium",
        1,
        (InputProblem(path="locked", message="permission denied"),),
    )
    assert envelope.notes == (
        "1 directory(ies) could not be read, so their files are not counted: locked",
    )


def test_the_probe_reads_contents_only_to_count_lines_of_source_files() -> None:
    class CountingRepo(FakeRepo):
        def read_bytes(self, path: str, *, max_bytes: int = MAX_READ_BYTES) -> bytes:
            raise AssertionError(f"read {path}: sizes must come from file_stats")

    repo = CountingRepo(files={"a.py": b"abc", "notes.txt": b"#!/bin/sh\n"})
    envelope = LanguagesProbe().run(context(repo))
    assert isinstance(envelope, Envelope)
    assert envelope.slice.languages == (LanguageTotal(language="Python", files=1, bytes=3, code=1),)
    assert repo.head_reads == []  # a file with an extension is never read, even unrecognized
    assert repo.line_count_calls == [{"a.py": "Python"}]  # the unrecognized file is not counted


def sized(**sizes: int) -> dict[str, FileStat]:
    return {path.replace("_", "."): FileStat(size, False) for path, size in sizes.items()}


def test_the_primary_language_is_a_programming_language_even_when_data_files_are_bigger() -> None:
    paths = ["config.yaml", "app.py"]
    assert summarize(paths, sized(config_yaml=10_000, app_py=10)).primary == "Python"


def test_a_repository_of_data_files_only_has_no_primary_language() -> None:
    assert summarize(["a.json", "b.yaml"], sized(a_json=5, b_yaml=5)).primary is None


def test_extension_less_scripts_take_the_language_of_their_shebang_and_only_they_are_read() -> None:
    repo = FakeRepo(
        files={
            "bin/tool": b"#!/usr/bin/env python3\nprint(1)\n",  # 32 bytes
            "bin/serve": b"#!/usr/bin/env -S node --flag\n",  # 30
            "bin/build": b"#!/bin/sh\nmake\n",  # 15
            "bin/lint": b"#!/usr/bin/perl -w\n",  # 19
            "bin/new": b"#! /opt/py/bin/python3.12\n",  # 26
            "bin/odd": b"#!/usr/bin/unheard-of\n",  # 22: no table names it
            "LICENSE": b"MIT\n",  # 4: no #! line
            "Makefile": b"#!/bin/sh\n",  # 10: its name says Makefile, unread
            "notes.txt": b"#!/bin/sh\n",  # 10: an extension, unread
            "vendor/bin/tool": b"#!/bin/sh\n",  # 10: vendored, unread
        },
    )
    envelope = LanguagesProbe().run(context(repo))
    assert isinstance(envelope, Envelope)
    assert envelope.slice.languages == (
        # a leading #! line is code in these languages, as cloc counts it
        LanguageTotal(language="Python", files=2, bytes=58, code=3),
        LanguageTotal(language="JavaScript", files=1, bytes=30, code=1),
        LanguageTotal(language="Perl", files=1, bytes=19, code=1),
        LanguageTotal(language="Shell", files=1, bytes=15, code=2),
        LanguageTotal(language="Makefile", files=1, bytes=10, code=1),
    )
    assert envelope.slice.shebangs == FileTotal(files=5, bytes=122)
    assert envelope.slice.unrecognized == FileTotal(files=3, bytes=36)
    assert repo.head_reads == [
        "LICENSE", "bin/build", "bin/lint", "bin/new", "bin/odd", "bin/serve", "bin/tool"
    ]  # fmt: skip


ROOT_ATTRIBUTES = b"""# linguist overrides
third/*.js linguist-vendored
vendor/** -linguist-vendored
docs/** linguist-documentation
*.inc linguist-language=php
gen/* linguist-generated=true
keep.min.js linguist-generated=false
[z-a] linguist-vendored
!neg linguist-vendored
* text=auto
"""
SUB_ATTRIBUTES = b"""*.inc linguist-language=Perl
docs/** -linguist-documentation
"""


def test_gitattributes_overrides_mark_unmark_and_name_languages_with_gits_precedence() -> None:
    repo = FakeRepo(
        files={
            ".gitattributes": ROOT_ATTRIBUTES,  # 246 bytes, unrecognized
            "sub/.gitattributes": SUB_ATTRIBUTES,  # 61 bytes, unrecognized
            "third/lib.js": b"x" * 100,  # vendored by attribute
            "vendor/ours.go": b"x" * 7,  # unvendored: source Go
            "docs/guide.py": b"x" * 11,  # documentation
            "sub/docs/tool.py": b"x" * 13,  # the deeper file unmarks it: source Python
            "a.inc": b"x" * 5,  # PHP
            "sub/b.inc": b"x" * 3,  # the deeper file names Perl
            "gen/api.py": b"x" * 17,  # generated by attribute
            "keep.min.js": b"x" * 19,  # its name says generated; the attribute unmarks it
        },
    )
    envelope = LanguagesProbe().run(context(repo))
    assert isinstance(envelope, Envelope)
    assert envelope.slice.languages == (
        LanguageTotal(language="JavaScript", files=1, bytes=19, code=1),
        LanguageTotal(language="Python", files=1, bytes=13, code=1),
        LanguageTotal(language="Go", files=1, bytes=7, code=1),
        LanguageTotal(language="PHP", files=1, bytes=5, code=1),
        LanguageTotal(language="Perl", files=1, bytes=3, code=1),
    )
    assert (
        envelope.slice.vendored,
        envelope.slice.generated,
        envelope.slice.documentation,
        envelope.slice.unrecognized,
    ) == (
        FileTotal(files=1, bytes=100),
        FileTotal(files=1, bytes=17),
        FileTotal(files=1, bytes=11),
        FileTotal(files=2, bytes=len(ROOT_ATTRIBUTES) + len(SUB_ATTRIBUTES)),
    )
    assert envelope.slice.overrides == (
        OverrideTotal(attribute="linguist-documentation", value="set", files=1, bytes=11),
        OverrideTotal(attribute="linguist-documentation", value="unset", files=1, bytes=13),
        OverrideTotal(attribute="linguist-generated", value="set", files=1, bytes=17),
        OverrideTotal(attribute="linguist-generated", value="unset", files=1, bytes=19),
        OverrideTotal(attribute="linguist-language", value="PHP", files=1, bytes=5),
        OverrideTotal(attribute="linguist-language", value="Perl", files=1, bytes=3),
        OverrideTotal(attribute="linguist-vendored", value="set", files=1, bytes=100),
        OverrideTotal(attribute="linguist-vendored", value="unset", files=1, bytes=7),
    )
    assert envelope.slice.problems == (
        InputProblem(
            path=".gitattributes",
            message="line 8: invalid character class (bad character range z-a)",
        ),
        InputProblem(path=".gitattributes", message="line 9: negative patterns are ignored"),
    )
    assert envelope.confidence == "medium"
    assert envelope.notes == ("2 .gitattributes problem(s): some overrides may be missing",)


def test_a_symlink_is_counted_once_as_a_link_by_its_own_size_never_as_its_target() -> None:
    repo = FakeRepo(
        files={"src/app.py": b"x" * 40, "app-link.py": b"x" * 40},
        unreadable={"to-dir": "not a regular file", "gone": "dangling symlink",
                    "out": "symlink leads outside the repository"},
        links={"app-link.py": "src/app.py", "to-dir": "src", "gone": "nowhere",
               "out": "../../etc/passwd"},
    )  # fmt: skip
    envelope = LanguagesProbe().run(context(repo))
    assert isinstance(envelope, Envelope)
    assert (envelope.confidence, envelope.slice.unreadable, envelope.slice.links) == (
        "high",
        0,
        FileTotal(files=4, bytes=len("src/app.pysrcnowhere../../etc/passwd")),
    )
    assert envelope.slice.languages == (
        LanguageTotal(language="Python", files=1, bytes=40, code=1),
    )
    assert repo.head_reads == []  # a link is never read, extension-less or not


def test_the_probe_reads_only_what_it_declares_under_strict_scoped_reads() -> None:
    repo = FakeRepo(files={".gitattributes": b"* linguist-vendored\n", "bin/x": b"#!/bin/sh\n"})
    ctx, view = context_for(context(repo), LanguagesProbe.spec, upstream={}, strict=True)
    envelope = LanguagesProbe().run(ctx)
    assert isinstance(envelope, Envelope)
    assert (envelope.slice.vendored, view.undeclared) == (FileTotal(files=2, bytes=30), ())


_SEGMENTS = ("src", "vendor", "node_modules", "dist", "build", "docs", "a")
_NAMES = ("x.py", "y.min.js", "Makefile", "tool", "README.md", "z.txt", "q.pb.go", ".gitignore",
          "package-lock.json", "v.ts")  # fmt: skip


@given(
    st.dictionaries(
        st.builds(
            lambda dirs, name: "/".join((*dirs, name)),
            st.lists(st.sampled_from(_SEGMENTS), max_size=3),
            st.sampled_from(_NAMES),
        ),
        st.integers(min_value=0, max_value=1000),
        max_size=30,
    )
)
def test_with_no_attributes_the_path_alone_classifies_as_linguist_precedence_says(
    sizes: dict[str, int],
) -> None:
    """With no `.gitattributes`, a file is vendored by its path, else generated by its path, else
    of the language its name says, else unrecognized: the fast path of `summarize` (ADR-0090)
    against that rule written out."""
    from codegenie_core.languages import is_generated, is_vendored, language_of

    paths = sorted(sizes)
    result = summarize(paths, {p: FileStat(sizes[p], False) for p in paths})
    expected: dict[str, list[int]] = {}
    for path in paths:
        kind = (
            "vendored" if is_vendored(path)
            else "generated" if is_generated(path)
            else language_of(path) or "unrecognized"
        )  # fmt: skip
        total = expected.setdefault(kind, [0, 0])
        total[0] += 1
        total[1] += sizes[path]
    got = {t.language: [t.files, t.bytes] for t in result.languages}
    for kind in ("vendored", "generated", "unrecognized"):
        bucket: FileTotal = getattr(result, kind)
        if bucket.files:
            got[kind] = [bucket.files, bucket.bytes]
    assert got == expected
    assert result.documentation == FileTotal()
