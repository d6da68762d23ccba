"""The `languages` probe over a fake repository."""

from __future__ import annotations

from codegenie_adapters.fakes import FakeClock, FakeRepo, ScriptedYaml
from codegenie_core.config import GatherConfig
from codegenie_core.ports import MAX_READ_BYTES
from codegenie_core.probe import Envelope, ProbeContext
from codegenie_core.probes.layer_a.inputs import InputProblem
from codegenie_core.probes.layer_a.languages import (
    FileTotal,
    LanguagesProbe,
    LanguagesSlice,
    LanguageTotal,
    summarize,
)


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
        schema_version=2,
        confidence="medium",
        slice=LanguagesSlice(
            languages=(
                LanguageTotal(language="TypeScript", files=2, bytes=60),
                LanguageTotal(language="Python", files=2, bytes=50),
                LanguageTotal(language="Dockerfile", files=1, bytes=5),
                LanguageTotal(language="Makefile", files=1, bytes=5),
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


def test_the_probe_reads_no_file_contents() -> None:
    class CountingRepo(FakeRepo):
        def read_bytes(self, path: str, *, max_bytes: int = MAX_READ_BYTES) -> bytes:
            raise AssertionError(f"read {path}: sizes must come from file_sizes")

    repo = CountingRepo(files={"a.py": b"abc"})
    envelope = LanguagesProbe().run(context(repo))
    assert isinstance(envelope, Envelope)
    assert envelope.slice.languages == (LanguageTotal(language="Python", files=1, bytes=3),)


def test_the_primary_language_is_a_programming_language_even_when_data_files_are_bigger() -> None:
    paths = ["config.yaml", "app.py"]
    assert summarize(paths, {"config.yaml": 10_000, "app.py": 10}).primary == "Python"


def test_a_repository_of_data_files_only_has_no_primary_language() -> None:
    assert summarize(["a.json", "b.yaml"], {"a.json": 5, "b.yaml": 5}).primary is None
