"""The values of layer B: what a SCIP index holds, why it could not be read, and its health.

Rule 1: every value here is frozen and keyword-only; `IndexHealth`, `IndexReadResult` and
`IndexerRun` are closed sum types consumed with `match` and `assert_never` (see ADR-0010).
Rule 2: lists that grow with the repository are capped (`*_CAP`) and carry their full count beside
them, so a slice stays small on a large repository and still says how much was left out.
Rule 3: paths are repository-relative POSIX strings, as at every port.
"""

from __future__ import annotations

from typing import Literal

import attrs

CHANGED_FILES_CAP = 50
MISSING_FILES_CAP = 50
DOCUMENT_PATHS_CAP = 2000
SAMPLES_PER_DOCUMENT = 3
SAMPLE_SCAN = 64  # occurrences looked at per document for samples
SAMPLES_CAP = 200

# Metadata.text_document_encoding and Document.position_encoding, by their wire numbers.
POSITION_ENCODINGS = {0: "unspecified", 1: "utf-8", 2: "utf-16", 3: "utf-32"}


# ---- what the reader returns ------------------------------------------------------------------
@attrs.frozen(kw_only=True)
class DefinitionSample:
    """One definition occurrence: where the index says `symbol` is defined (0-based range)."""

    path: str
    symbol: str
    range: tuple[
        int, ...
    ]  # [start line, start col, end col] or [start line, start col, end line, end col]
    position_encoding: int = 0


@attrs.frozen(kw_only=True)
class IndexSummary:
    """What one SCIP index holds, counted while streaming it."""

    path: str
    tool_name: str
    tool_version: str
    tool_arguments: tuple[str, ...]
    project_root: str
    text_encoding: int
    position_encodings: tuple[int, ...]  # distinct Document.position_encoding values, sorted
    document_count: int
    document_paths: tuple[str, ...]  # sorted; all of them (coverage needs every one)
    occurrence_count: int
    definition_count: int  # occurrences with the Definition role bit (symbol_roles & 1)
    symbol_count: int
    external_symbol_count: int
    languages: tuple[str, ...]  # distinct Document.language values, sorted
    definition_samples: tuple[DefinitionSample, ...] = ()

    def for_slice(self) -> IndexSummary:
        """This summary as a slice carries it: document paths capped, samples (evidence the
        judgement used) left out; `document_count` still says how many documents there are."""
        return attrs.evolve(
            self, document_paths=self.document_paths[:DOCUMENT_PATHS_CAP], definition_samples=()
        )


IndexReadErrorKind = Literal[
    "missing",  # no file at the path
    "not-a-file",  # a directory (or other non-regular file) in its place
    "unreadable",  # permission or I/O error
    "empty",  # zero bytes
    "truncated",  # the stream ends inside a field
    "malformed",  # bytes that are not an Index: bad tag, bad varint, a message that does not parse
    "wrong-wire-type",  # a known field number with a wire type the schema does not allow
    "missing-metadata",  # no Index.metadata, or not first as streaming consumers require
]


@attrs.frozen(kw_only=True)
class IndexReadError:
    """Why an index could not be read, with the byte offset where the reader gave up."""

    path: str
    kind: IndexReadErrorKind
    message: str
    offset: int | None = None


IndexReadResult = IndexSummary | IndexReadError


# ---- the sidecar codegenie writes beside an index it made -------------------------------------
@attrs.frozen(kw_only=True)
class IndexSidecar:
    """How codegenie made an index: the `index.json` beside it (see ADR-0010, ADR-0028)."""

    indexer: str
    indexer_version: str
    last_indexed: str | None  # the commit indexed; None when the repository was not a git tree
    argv: tuple[str, ...]
    exit_status: int | None  # None when the run was killed (timeout) or never started
    timed_out: bool
    document_count: int | None
    stderr_tail: str
    started_at: str
    ended_at: str
    # Source files that differed from `last_indexed` when the indexer ran, with their content
    # digests then: the index reflects those edits, so they are not "changed since" while they
    # still have that content.
    work_tree: tuple[tuple[str, str], ...] = ()


@attrs.frozen(kw_only=True)
class SidecarProblem:
    """A sidecar that is not the JSON object codegenie writes."""

    path: str
    message: str


# ---- health ---------------------------------------------------------------------------------
@attrs.frozen(kw_only=True)
class Coverage:
    """Source files of the index's languages, and those the index lacks (capped)."""

    source_files: int
    indexed_source_files: int
    missing: tuple[str, ...] = ()
    missing_count: int = 0


@attrs.frozen(kw_only=True)
class Fresh:
    """The index describes the work tree as it is.

    `basis` is "sidecar" when a codegenie sidecar pins the commit, "index-only" when judged from
    the index itself (coverage and sampled definitions), which is weaker evidence."""

    index_path: str
    indexer: str
    commit: str | None
    basis: Literal["sidecar", "index-only"]
    coverage: Coverage
    summary: IndexSummary  # `IndexSummary.for_slice()`: paths capped, no samples
    samples_checked: int = 0


@attrs.frozen(kw_only=True)
class Stale:
    """The work tree moved on since the index was made."""

    index_path: str
    indexer: str
    last_indexed: str | None
    commits_behind: int | None  # None when the indexed commit is unknown or unreachable
    changed_files: tuple[str, ...]  # source files of the indexed languages, capped
    changed_count: int
    basis: Literal["sidecar", "index-only"]
    coverage: Coverage
    mismatched_definitions: int = 0


@attrs.frozen(kw_only=True)
class Missing:
    """No index was found where codegenie looks."""

    searched: tuple[str, ...]


@attrs.frozen(kw_only=True)
class IndexerError:
    """The indexer failed, was killed, or left an index of a known failed shape."""

    index_path: str
    indexer: str
    reason: str
    exit_status: int | None = None
    stderr_tail: str = ""
    hint: str = ""  # what to do for a good index: the indexer's own advice, or codegenie's


@attrs.frozen(kw_only=True)
class Corrupt:
    """The index exists but cannot be read."""

    index_path: str
    error: IndexReadError


IndexHealth = Fresh | Stale | Missing | IndexerError | Corrupt


# ---- what the indexer runner returns ------------------------------------------------------------
@attrs.frozen(kw_only=True)
class IndexerFinished:
    """The indexer ran (successfully or not) and its sidecar was written."""

    indexer: str
    index_path: str  # its label, `made_index_label(indexer)` (it lives outside the work tree)
    sidecar: IndexSidecar
    duration_s: float


@attrs.frozen(kw_only=True)
class IndexerMissing:
    """The indexer is not installed; `hint` says how to install it."""

    indexer: str
    hint: str


IndexerRun = IndexerFinished | IndexerMissing
