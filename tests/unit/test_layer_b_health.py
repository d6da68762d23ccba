"""Every index-health rule, judged against FakeRepo literals."""

from __future__ import annotations

import attrs

from codegenie_core.digest import blob_digest
from codegenie_core.probes.layer_b.health import (
    NO_DOCUMENTS_HINT,
    REINDEX,
    TIMEOUT_HINT,
    check_samples,
    checkable,
    coverage_of,
    judge_index,
    text_at,
)
from codegenie_core.probes.layer_b.model import (
    CHANGED_FILES_CAP,
    DOCUMENT_PATHS_CAP,
    Corrupt,
    Coverage,
    DefinitionSample,
    Fresh,
    IndexerError,
    IndexReadError,
    SidecarProblem,
    Stale,
)
from tests.layer_b_support import (
    C1,
    C2,
    GREET_SAMPLE,
    MAIN_SAMPLE,
    TS_FILES,
    repo,
    sidecar,
    summary,
)

OWN = ".codegenie/index/scip-typescript/index.scip"
PATHS = ("src/greet.ts", "src/main.ts")
FULL = Coverage(source_files=2, indexed_source_files=2)


def test_sidecar_at_head_with_no_changed_source_is_fresh() -> None:
    index = summary(PATHS, path=OWN)
    health = judge_index(
        OWN, index, sidecar(commit=C2), repo(TS_FILES, changes={C2: ["README.md"]})
    )
    expected = Fresh(
        index_path=OWN,
        indexer="scip-typescript",
        commit=C2,
        basis="sidecar",
        coverage=FULL,
        summary=index,
    )
    assert health == expected


def test_sidecar_at_head_with_an_edited_source_is_stale_naming_it() -> None:
    changes = {C2: ["README.md", "src/main.ts"]}
    health = judge_index(
        OWN, summary(PATHS, path=OWN), sidecar(commit=C2), repo(TS_FILES, changes=changes)
    )
    expected = Stale(
        index_path=OWN,
        indexer="scip-typescript",
        last_indexed=C2,
        commits_behind=0,
        changed_files=("src/main.ts",),
        changed_count=1,
        basis="sidecar",
        coverage=FULL,
    )
    assert health == expected


def test_uncommitted_edits_the_indexer_saw_do_not_make_it_stale_until_edited_again() -> None:
    edited = {**TS_FILES, "src/main.ts": TS_FILES["src/main.ts"] + b"// wip\n"}
    fake = repo(edited, changes={C2: ["src/main.ts"]})
    seen = (("src/main.ts", blob_digest(edited["src/main.ts"])),)
    recorded = attrs.evolve(sidecar(commit=C2), work_tree=seen)
    as_indexed = judge_index(OWN, summary(PATHS, path=OWN), recorded, fake)
    fake.files["src/main.ts"] += b"// more wip\n"
    edited_again = judge_index(OWN, summary(PATHS, path=OWN), recorded, fake)
    assert isinstance(as_indexed, Fresh)
    assert isinstance(edited_again, Stale)
    assert edited_again.changed_files == ("src/main.ts",)


def test_sidecar_behind_head_is_stale_with_commits_behind_and_changed_files() -> None:
    changes = {C1: ["src/greet.ts", "notes.txt"]}
    health = judge_index(
        OWN, summary(PATHS, path=OWN), sidecar(commit=C1), repo(TS_FILES, changes=changes)
    )
    assert isinstance(health, Stale)
    assert (health.commits_behind, health.changed_files, health.changed_count) == (
        1,
        ("src/greet.ts",),
        1,
    )


def test_a_sidecar_commit_git_does_not_know_is_stale_with_unknown_distance() -> None:
    health = judge_index(OWN, summary(PATHS, path=OWN), sidecar(commit="f" * 40), repo(TS_FILES))
    assert isinstance(health, Stale)
    assert (health.commits_behind, health.changed_count) == (None, 0)


def test_changed_files_are_capped_and_counted_in_full() -> None:
    many = [f"src/gen{i:03}.ts" for i in range(CHANGED_FILES_CAP + 7)]
    health = judge_index(
        OWN, summary(PATHS, path=OWN), sidecar(commit=C1), repo(TS_FILES, changes={C1: many})
    )
    assert isinstance(health, Stale)
    assert (len(health.changed_files), health.changed_count) == (
        CHANGED_FILES_CAP,
        CHANGED_FILES_CAP + 7,
    )


def test_a_failed_run_in_the_sidecar_is_an_indexer_error_even_with_an_old_index() -> None:
    health = judge_index(OWN, summary(PATHS, path=OWN), sidecar(exit_status=2), repo(TS_FILES))
    expected = IndexerError(
        index_path=OWN,
        indexer="scip-typescript",
        reason="the last scip-typescript run exited with status 2",
        exit_status=2,
        stderr_tail="boom\n",
        hint="boom",
    )
    assert health == expected


def test_a_failed_run_hints_with_the_indexers_own_last_line() -> None:
    advice = (
        "Error: no files got indexed. To fix this problem, make sure that the TypeScript "
        'projects ["."] contain input files or reference other projects.'
    )
    recorded = attrs.evolve(
        sidecar(exit_status=1),
        stderr_tail=f"(node:1) Warning: something\n{advice}\n[codegenie] a note of ours\n",
    )
    health = judge_index(OWN, summary(PATHS, path=OWN), recorded, repo(TS_FILES))
    assert isinstance(health, IndexerError)
    assert health.hint == advice


def test_every_indexer_error_carries_a_hint() -> None:
    missing = IndexReadError(path=OWN, kind="missing", message="no file")
    silent = attrs.evolve(sidecar(exit_status=3), stderr_tail="")
    healths = [
        judge_index(
            OWN, summary(PATHS, path=OWN), sidecar(exit_status=None, timed_out=True), repo(TS_FILES)
        ),
        judge_index(OWN, summary(PATHS, path=OWN), silent, repo(TS_FILES)),
        judge_index("index.scip", summary(()), None, repo(TS_FILES)),
        judge_index(OWN, summary(PATHS, path=OWN), sidecar(documents=5), repo(TS_FILES)),
        judge_index(
            OWN, missing, attrs.evolve(sidecar(), stderr_tail="last words\n"), repo(TS_FILES)
        ),
    ]
    hints = [h.hint if isinstance(h, IndexerError) else None for h in healths]
    assert hints == [TIMEOUT_HINT, hints[1], NO_DOCUMENTS_HINT, REINDEX, REINDEX]
    assert hints[1] is not None and hints[1].endswith(REINDEX)
    assert isinstance(healths[4], IndexerError) and healths[4].stderr_tail == "last words\n"


def test_a_run_killed_at_its_timeout_is_an_indexer_error() -> None:
    health = judge_index(
        OWN, summary(PATHS, path=OWN), sidecar(exit_status=None, timed_out=True), repo(TS_FILES)
    )
    assert isinstance(health, IndexerError)
    assert health.reason == "the last scip-typescript run was killed at its timeout"


def test_metadata_without_documents_is_an_indexer_error() -> None:
    health = judge_index("index.scip", summary(()), None, repo(TS_FILES))
    assert isinstance(health, IndexerError)
    assert "no documents" in health.reason


def test_fewer_documents_than_the_sidecar_counted_is_an_indexer_error() -> None:
    health = judge_index(OWN, summary(PATHS, path=OWN), sidecar(documents=5), repo(TS_FILES))
    assert isinstance(health, IndexerError)
    assert "holds 2 documents but the indexer reported 5" in health.reason


def test_a_read_error_is_corrupt_with_its_coordinates() -> None:
    error = IndexReadError(path="index.scip", kind="truncated", message="ends early", offset=17)
    assert judge_index("index.scip", error, None, repo(TS_FILES)) == Corrupt(
        index_path="index.scip", error=error
    )


def test_nothing_at_a_path_without_a_sidecar_is_no_index() -> None:
    missing = IndexReadError(path="index.scip", kind="missing", message="no file")
    assert judge_index("index.scip", missing, None, repo(TS_FILES)) is None


def test_a_successful_sidecar_without_its_index_is_an_indexer_error() -> None:
    missing = IndexReadError(path=OWN, kind="missing", message="no file")
    health = judge_index(OWN, missing, sidecar(), repo(TS_FILES))
    assert isinstance(health, IndexerError)
    assert "index file is missing" in health.reason


def test_without_a_sidecar_matching_samples_and_full_coverage_are_fresh_index_only() -> None:
    index = summary(PATHS, samples=(GREET_SAMPLE, MAIN_SAMPLE))
    health = judge_index("index.scip", index, None, repo(TS_FILES))
    expected = Fresh(
        index_path="index.scip",
        indexer="scip-typescript",
        commit=None,
        basis="index-only",
        coverage=FULL,
        summary=index.for_slice(),
        samples_checked=2,
    )
    assert health == expected


def test_coverage_uses_every_document_while_the_slice_caps_the_paths_it_carries() -> None:
    paths = tuple(f"src/m{i:05}.ts" for i in range(DOCUMENT_PATHS_CAP + 5))
    fake = repo(dict.fromkeys(paths, b"export {};\n"), changes={})
    health = judge_index(OWN, summary(paths, path=OWN), sidecar(commit=C2), fake)
    assert isinstance(health, Fresh)
    assert (health.coverage.missing_count, len(health.summary.document_paths)) == (
        0,
        DOCUMENT_PATHS_CAP,
    )
    assert health.summary.document_count == DOCUMENT_PATHS_CAP + 5


def test_an_unparseable_sidecar_falls_back_to_judging_the_index_itself() -> None:
    index = summary(PATHS, path=OWN, samples=(GREET_SAMPLE,))
    problem = SidecarProblem(path=".codegenie/index/scip-typescript/index.json", message="not JSON")
    health = judge_index(OWN, index, problem, repo(TS_FILES))
    assert isinstance(health, Fresh)
    assert health.basis == "index-only"


def test_without_a_sidecar_a_definition_that_moved_makes_it_stale() -> None:
    edited = {**TS_FILES, "src/greet.ts": b"// a new first line\n" + TS_FILES["src/greet.ts"]}
    index = summary(PATHS, samples=(GREET_SAMPLE, MAIN_SAMPLE))
    health = judge_index("index.scip", index, None, repo(edited))
    assert isinstance(health, Stale)
    assert (health.changed_files, health.mismatched_definitions, health.commits_behind) == (
        ("src/greet.ts",),
        1,
        None,
    )


def test_without_a_sidecar_a_source_file_the_index_lacks_makes_it_stale() -> None:
    added = {**TS_FILES, "src/new.ts": b"export const x = 1;\n"}
    health = judge_index("index.scip", summary(PATHS), None, repo(added))
    assert isinstance(health, Stale)
    assert (health.changed_files, health.coverage.missing) == (("src/new.ts",), ("src/new.ts",))


def test_without_a_sidecar_a_document_whose_file_is_gone_makes_it_stale() -> None:
    gone = {k: v for k, v in TS_FILES.items() if k != "src/main.ts"}
    health = judge_index("index.scip", summary(PATHS), None, repo(gone))
    assert isinstance(health, Stale)
    assert health.changed_files == ("src/main.ts",)


def test_coverage_counts_only_the_indexed_languages_outside_codegenie_dir() -> None:
    files = ["src/a.ts", "src/b.ts", "tool.py", ".codegenie/index/x/stray.ts", "lib/c.js"]
    coverage = coverage_of(summary(("src/a.ts", "lib/c.js")), files)
    assert coverage == Coverage(
        source_files=3, indexed_source_files=2, missing=("src/b.ts",), missing_count=1
    )


def test_text_at_counts_utf16_code_units_by_default_and_bytes_for_utf8() -> None:
    line = "const é𝄞 = 1; function greet() {}\n"
    start = line.index("greet")
    utf16 = len(line[:start].encode("utf-16-le")) // 2
    utf8 = len(line[:start].encode("utf-8"))
    assert text_at(line, (0, utf16, utf16 + 5), 0) == "greet"
    assert text_at(line, (0, utf8, utf8 + 5), 1) == "greet"
    assert text_at(line, (0, start, start + 5), 3) == "greet"


def test_text_at_refuses_multi_line_and_out_of_bounds_ranges() -> None:
    assert [text_at("ab\ncd\n", r, 0) for r in [(0, 0, 1, 1), (5, 0, 1), (0, 1, 9), (0, 2, 1)]] == [
        None,
        None,
        None,
        None,
    ]


def test_checkable_skips_empty_ranges_locals_parameters_metas_and_synthetic_names() -> None:
    def sample(symbol: str, range_: tuple[int, ...] = (0, 1, 4)) -> DefinitionSample:
        return DefinitionSample(path="a.ts", symbol=symbol, range=range_)

    header = "scip-typescript npm . . "
    names = [
        checkable(sample(header + "`a.ts`/", (0, 0, 0))),
        checkable(sample("local 3")),
        checkable(sample(header + "`a.ts`/f().(x)")),
        checkable(sample(header + "`a.ts`/hello0:")),
        checkable(sample(header + "`a.ts`/C#`<constructor>`().")),
        checkable(sample(header + "`a.ts`/C#run().")),
    ]
    assert names == [None, None, None, None, None, "run"]


def test_check_samples_counts_an_unreadable_file_as_a_mismatch() -> None:
    fake = repo(TS_FILES)
    fake.unreadable["src/main.ts"] = "permission denied"
    checked, mismatched = check_samples(summary(PATHS, samples=(GREET_SAMPLE, MAIN_SAMPLE)), fake)
    assert (checked, mismatched) == (2, ["src/main.ts"])
