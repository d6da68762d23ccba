"""Judging a SCIP index's health from the index, its sidecar and the repository (pure).

Rule 1 (Fresh): a sidecar's `last_indexed` equals HEAD and no source file of the indexed languages
differs between that commit and the work tree, except files that still hold the content the
sidecar recorded for them when the indexer ran (uncommitted edits the index already reflects).
Rule 2 (Stale): HEAD moved on since `last_indexed` (commits behind, changed source files), or the
work tree changed source files since it.
Rule 3 (IndexerError): the sidecar records a failed or killed run, or the index has a known failed
shape: metadata and no documents, or fewer documents than the sidecar counted. It carries the
recorded output's tail and a hint: the indexer's own last line for a failed run (where
scip-typescript says "To fix this problem, ..."), else what to run for a good index.
Rule 4 (Corrupt): the reader could not read the index. (Missing): nothing was found.
Rule 5: without a sidecar (or one that pins no commit) the index is judged from itself: coverage
of the indexed languages' source files and a sampled check that the source text at definition
ranges still spells the defined names. That basis is "index-only" and graded lower (see ADR-0010).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from codegenie_core.ports import FileProblem, RepoFiles
from codegenie_core.probes.layer_b.model import (
    CHANGED_FILES_CAP,
    MISSING_FILES_CAP,
    Corrupt,
    Coverage,
    DefinitionSample,
    Fresh,
    IndexerError,
    IndexHealth,
    IndexReadResult,
    IndexSidecar,
    IndexSummary,
    SidecarProblem,
    Stale,
)
from codegenie_core.probes.layer_b.sidecar import INDEX_DIR
from codegenie_core.probes.layer_b.symbols import last_descriptor

# The source files each indexer reads; extensions seen in an index's documents are added to these.
INDEXER_EXTENSIONS: dict[str, tuple[str, ...]] = {
    "scip-typescript": (".ts", ".tsx", ".mts", ".cts"),
    "scip-python": (".py",),
}
# Every source extension a supported indexer may read: the probes' declared input globs.
SOURCE_EXTENSIONS = (".ts", ".tsx", ".mts", ".cts", ".js", ".jsx", ".mjs", ".cjs", ".py", ".pyi")
ADVICE_CAP = 300
REINDEX = "run `codegenie-cli gather --index` to make the index again"
TIMEOUT_HINT = (
    "the indexer needs more time than it was given: run `codegenie-cli gather --index` on a less "
    "loaded machine, or index the repository yourself and pass the index with --index-path"
)
NO_DOCUMENTS_HINT = (
    "check which files the indexer's project includes (tsconfig.json `include`, the Python "
    "sources), then run `codegenie-cli gather --index` again"
)
# Meta descriptors are left out: indexers append disambiguating digits to them (`hello0:`).
_CHECKED_SUFFIXES = frozenset({"type", "term", "method"})


def extension_of(path: str) -> str:
    name = path.rpartition("/")[2]
    dot = name.rfind(".")
    return name[dot:] if dot > 0 else ""


def indexed_extensions(summary: IndexSummary) -> frozenset[str]:
    """The source extensions this index speaks for: its tool's, plus those of its documents."""
    seen = {extension_of(p) for p in summary.document_paths} & set(SOURCE_EXTENSIONS)
    return frozenset(seen | set(INDEXER_EXTENSIONS.get(summary.tool_name, ())))


def source_files(paths: Iterable[str], extensions: frozenset[str]) -> list[str]:
    """Paths with one of `extensions`, outside codegenie's own directory, sorted."""
    return sorted(
        p for p in paths if extension_of(p) in extensions and not p.startswith(INDEX_DIR + "/")
    )


def coverage_of(summary: IndexSummary, files: Sequence[str]) -> Coverage:
    sources = source_files(files, indexed_extensions(summary))
    documents = set(summary.document_paths)
    missing = [p for p in sources if p not in documents]
    return Coverage(
        source_files=len(sources),
        indexed_source_files=len(sources) - len(missing),
        missing=tuple(missing[:MISSING_FILES_CAP]),
        missing_count=len(missing),
    )


def text_at(text: str, range_: tuple[int, ...], position_encoding: int) -> str | None:
    """The single-line text a SCIP range covers; None for a multi-line or out-of-bounds range.

    Columns count UTF-8 bytes (encoding 1), code points (3) or UTF-16 code units (2, and 0, the
    unspecified default that LSP-derived indexers use)."""
    if len(range_) == 3:
        line, start, end = range_
    elif len(range_) == 4 and range_[0] == range_[2]:
        line, start, _, end = range_
    else:
        return None
    lines = text.split("\n")
    if not 0 <= line < len(lines) or not 0 <= start <= end:
        return None
    row = lines[line]
    match position_encoding:
        case 1:
            raw = row.encode("utf-8", "surrogatepass")
            return raw[start:end].decode("utf-8", "replace") if end <= len(raw) else None
        case 3:
            return row[start:end] if end <= len(row) else None
        case _:
            raw = row.encode("utf-16-le", "surrogatepass")
            if 2 * end > len(raw):
                return None
            return raw[2 * start : 2 * end].decode("utf-16-le", "replace")


def checkable(sample: DefinitionSample) -> str | None:
    """The name a sample's range should spell, when it is a named, non-empty global definition."""
    r = sample.range
    if len(r) not in (3, 4) or (r[1] == r[-1] and (len(r) == 3 or r[0] == r[2])):
        return None  # an empty range marks a file or module, not a spelled name
    descriptor = last_descriptor(sample.symbol)
    if descriptor is None or descriptor.suffix not in _CHECKED_SUFFIXES:
        return None
    name = descriptor.name
    if not name or not all(c in "_$" or c.isalnum() for c in name):
        return None  # synthetic names (`<constructor>`) never appear in the text
    return name


def check_samples(summary: IndexSummary, repo: RepoFiles) -> tuple[int, list[str]]:
    """How many sampled definitions were checked, and the files where one no longer matches."""
    texts: dict[str, str | None] = {}
    checked = 0
    mismatched: set[str] = set()
    for sample in summary.definition_samples:
        name = checkable(sample)
        if name is None:
            continue
        if sample.path not in texts:
            data = repo.read_bytes(sample.path)
            texts[sample.path] = (
                None if isinstance(data, FileProblem) else data.decode("utf-8", "replace")
            )
        text = texts[sample.path]
        checked += 1
        if text is None or text_at(text, sample.range, sample.position_encoding) != name:
            mismatched.add(sample.path)
    return checked, sorted(mismatched)


def failed_shape(summary: IndexSummary, sidecar: IndexSidecar | None) -> str | None:
    """Why an index that parsed is still the leftover of a failed run, or None."""
    if summary.document_count == 0:
        return "the index has metadata and no documents: the indexer found or indexed nothing"
    if (
        sidecar is not None
        and sidecar.document_count is not None
        and summary.document_count < sidecar.document_count
    ):
        return (
            f"the index holds {summary.document_count} documents but the indexer reported "
            f"{sidecar.document_count}: it was cut short or overwritten"
        )
    return None


def judge_index(
    index_path: str,
    read: IndexReadResult,
    sidecar: IndexSidecar | SidecarProblem | None,
    repo: RepoFiles,
) -> IndexHealth | None:
    """The health of one index; None when there is neither an index nor a sidecar at the path."""
    recorded = sidecar if isinstance(sidecar, IndexSidecar) else None
    indexer = recorded.indexer if recorded is not None else ""
    if recorded is not None and (recorded.timed_out or recorded.exit_status != 0):
        how = (
            "was killed at its timeout"
            if recorded.timed_out
            else f"exited with status {recorded.exit_status}"
        )
        return IndexerError(
            index_path=index_path,
            indexer=indexer,
            reason=f"the last {indexer} run {how}",
            exit_status=recorded.exit_status,
            stderr_tail=recorded.stderr_tail,
            hint=TIMEOUT_HINT if recorded.timed_out else _advice(recorded.stderr_tail),
        )
    if not isinstance(read, IndexSummary):
        if read.kind == "missing":
            if recorded is None:
                return None
            return IndexerError(
                index_path=index_path,
                indexer=indexer,
                reason="the sidecar records a successful run but the index file is missing",
                exit_status=recorded.exit_status,
                stderr_tail=recorded.stderr_tail,
                hint=REINDEX,
            )
        return Corrupt(index_path=index_path, error=read)
    indexer = indexer or read.tool_name
    shape = failed_shape(read, recorded)
    if shape is not None:
        return IndexerError(
            index_path=index_path,
            indexer=indexer,
            reason=shape,
            exit_status=recorded.exit_status if recorded else None,
            stderr_tail=recorded.stderr_tail if recorded else "",
            hint=NO_DOCUMENTS_HINT if read.document_count == 0 else REINDEX,
        )
    files = repo.list_files()
    coverage = coverage_of(read, files)
    git = repo.git_state()
    head = git.head if git is not None else None
    if recorded is not None and recorded.last_indexed is not None and head is not None:
        return _judge_by_commit(index_path, indexer, read, recorded, head, coverage, repo)
    return _judge_by_index(index_path, indexer, read, coverage, files, repo)


def _advice(tail: str) -> str:
    """A failed run's hint: the last line the indexer printed (its error, and often how to fix
    it), capped; codegenie's own advice when it printed nothing."""
    lines = [line.strip() for line in tail.splitlines() if line.strip()]
    own = [line for line in lines if not line.startswith("[codegenie]")]
    if not own:
        return "the indexer printed nothing; run it by hand to see why, then " + REINDEX
    return own[-1][:ADVICE_CAP]


def unchanged_since_indexing(
    changed: Sequence[str], sidecar: IndexSidecar, repo: RepoFiles
) -> set[str]:
    """Changed files that still hold the content the indexer saw (recorded in the sidecar)."""
    recorded = dict(sidecar.work_tree)
    candidates = [p for p in changed if p in recorded]
    if not candidates:
        return set()
    now = repo.digests(candidates)
    return {p for p in candidates if now.get(p) == recorded[p]}


def _judge_by_commit(
    index_path: str,
    indexer: str,
    summary: IndexSummary,
    sidecar: IndexSidecar,
    head: str,
    coverage: Coverage,
    repo: RepoFiles,
) -> IndexHealth:
    last_indexed = sidecar.last_indexed
    assert last_indexed is not None, "judged by commit only when the sidecar pins one"
    extensions = indexed_extensions(summary)
    changed_all = source_files(repo.changed_since(last_indexed) or (), extensions)
    as_indexed = unchanged_since_indexing(changed_all, sidecar, repo)
    changed = [p for p in changed_all if p not in as_indexed]
    behind = 0 if last_indexed == head else repo.commits_between(last_indexed, head)
    if last_indexed == head and not changed:
        return Fresh(
            index_path=index_path,
            indexer=indexer,
            commit=head,
            basis="sidecar",
            coverage=coverage,
            summary=summary.for_slice(),
        )
    return Stale(
        index_path=index_path,
        indexer=indexer,
        last_indexed=last_indexed,
        commits_behind=behind,
        changed_files=tuple(changed[:CHANGED_FILES_CAP]),
        changed_count=len(changed),
        basis="sidecar",
        coverage=coverage,
    )


def _judge_by_index(
    index_path: str,
    indexer: str,
    summary: IndexSummary,
    coverage: Coverage,
    files: Sequence[str],
    repo: RepoFiles,
) -> IndexHealth:
    checked, mismatched = check_samples(summary, repo)
    present = set(files)
    vanished = [p for p in summary.document_paths if p not in present]
    changed = sorted({*mismatched, *vanished, *coverage.missing})
    changed_count = len({*mismatched, *vanished}) + coverage.missing_count
    if changed_count == 0:
        return Fresh(
            index_path=index_path,
            indexer=indexer,
            commit=None,
            basis="index-only",
            coverage=coverage,
            summary=summary.for_slice(),
            samples_checked=checked,
        )
    return Stale(
        index_path=index_path,
        indexer=indexer,
        last_indexed=None,
        commits_behind=None,
        changed_files=tuple(changed[:CHANGED_FILES_CAP]),
        changed_count=changed_count,
        basis="index-only",
        coverage=coverage,
        mismatched_definitions=len(mismatched),
    )
