"""The ports: every way the pure core reaches the world, as `typing.Protocol`s named by role.

Rule 1: the core calls only these; adapters implement them; fakes in
`codegenie_adapters.fakes` implement them too and are held to the real ones by contract tests.
Rule 2: a port returns values for problems with one input (a vanished file, a corrupt index) and
raises only for misuse.
Rule 3: paths crossing a port are repository-relative POSIX strings; a file name that is not UTF-8
arrives with `surrogateescape` escapes, so it round-trips to the same bytes.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol, runtime_checkable

import attrs

if TYPE_CHECKING:
    from codegenie_core.line_counts import LineCounts
    from codegenie_core.values.container import (
        BuildFailed,
        BuildRequest,
        BuiltImage,
        ContainerPolicy,
        EngineStatus,
        Scenario,
        ScenarioResult,
    )
    from codegenie_core.values.envelope import CachedEnvelope, Envelope
    from codegenie_core.values.key import CacheKey
    from codegenie_core.values.scip import IndexerRun, IndexReadResult
    from codegenie_core.values.slice_ref import SliceRef


# ---- the repository -------------------------------------------------------------------------
MAX_READ_BYTES = 16 * 2**20
"""The most bytes `RepoFiles.read_bytes` returns unless told otherwise: 16 MiB, far above any
manifest, lockfile, workflow or Dockerfile; a larger file is a `FileProblem` (see ADR-0026)."""


def too_large_reason(max_bytes: int) -> str:
    """The fixed `FileProblem` reason for a file over `max_bytes` ("larger than 16 MiB")."""
    if max_bytes % 2**20 == 0:
        return f"larger than {max_bytes // 2**20} MiB"
    return f"larger than {max_bytes} bytes"


HEAD_BYTES = 256
"""The most bytes `RepoFiles.read_head` returns unless told otherwise: enough for a `#!` line."""


class FileStat(NamedTuple):
    """What one `lstat` says of a listed file. A NamedTuple, not an attrs class: a repository has
    one per file (see `IndexEntry` in the git adapter for the cost of 20,000 attrs instances)."""

    size: int  # a regular file's bytes; a symlink's own size (its link text), never its target's
    link: bool  # a symbolic link: never followed, whatever it points at (see ADR-0039)


@attrs.frozen(kw_only=True)
class FileProblem:
    """A listed file that cannot be read (vanished, no permission, a symlink leaving the repo)."""

    path: str
    reason: str


@attrs.frozen(kw_only=True)
class FileFold:
    """What a probe remembers of a fold over files, so its next run adds up only what changed
    (ADR-0094). `key` names everything a file's contribution depends on besides its bytes (the
    probe's rules and tables, `.gitattributes`); a row per remembered file: its path, the blob id
    its contribution was computed from, and the contribution (an index into `categories`, a size
    and a packed count of lines); `totals` holds, per category, the sums over those rows. Columns,
    not an object per file: 100,000 files load and save as a few lists."""

    key: str
    categories: Sequence[str]
    totals: Sequence[Sequence[int]]  # one row of sums per category
    paths: Sequence[str]
    blobs: Sequence[str]
    category_of: Sequence[int]
    sizes: Sequence[int]
    lines: Sequence[int]


@attrs.frozen(kw_only=True)
class Remote:
    """A git remote as configured; URLs may hold credentials until a probe strips them."""

    name: str
    url: str


@attrs.frozen(kw_only=True)
class GitState:
    """What git says about the work tree. `head` is None on an unborn branch."""

    head: str | None
    branch: str | None  # None when HEAD is detached
    dirty: bool
    remotes: tuple[Remote, ...] = ()


class RepoFiles(Protocol):
    """The repository under study, seen through relative paths only."""

    @property
    def name(self) -> str:
        """The repository's directory name: its identity without an absolute path."""
        ...

    def list_files(self) -> Sequence[str]:
        """Every file worth studying, sorted: tracked plus untracked-not-ignored in a git work
        tree, else a walk honouring `.gitignore` the same way; both through the one rule set of
        `codegenie_core.listing` (see ADR-0029)."""
        ...

    def listing_problems(self) -> Sequence[FileProblem]:
        """The directories the listing could not read (their files are missing from it), by
        path; empty when nothing was left out."""
        ...

    def read_bytes(self, path: str, *, max_bytes: int = MAX_READ_BYTES) -> bytes | FileProblem:
        """The bytes of one listed file, or why they cannot be had; a file of more than
        `max_bytes` is never read whole: it is the problem `too_large_reason(max_bytes)`."""
        ...

    def file_sizes(self, paths: Iterable[str]) -> Mapping[str, int]:
        """Sizes in bytes of the given files from stat alone, without reading them (see
        ADR-0015); a file `read_bytes` could not read is absent."""
        ...

    def file_stats(self, paths: Iterable[str]) -> Mapping[str, FileStat]:
        """What one `lstat` per file says of the given files: a symlink is a link with its own
        size, never followed (to a directory, outside the repository or nowhere alike); a path
        that cannot be stat'ed, or that lies beyond a symlinked directory, is absent (ADR-0039)."""
        ...

    def read_head(self, path: str, *, max_bytes: int = HEAD_BYTES) -> bytes | FileProblem:
        """The first `max_bytes` bytes (fewer when the file is shorter) of one listed regular
        file, whatever its size, or why they cannot be had, as `read_bytes` says it."""
        ...

    def digests(self, paths: Iterable[str]) -> Mapping[str, str]:
        """Content digests (`codegenie_core.digest.blob_digest` form) of the given files, hashed
        as a stream, never loaded whole.

        An unreadable file gets a digest of its problem, so the key still changes when it heals.
        A file larger than `MAX_READ_BYTES` that git's index does not vouch for gets a
        `stat_digest` of its identity instead (see ADR-0026): no probe reads its bytes, and any
        write to it changes that identity."""
        ...

    def line_counts(self, languages: Mapping[str, str]) -> Mapping[str, LineCounts | FileProblem]:
        """Code, comment and blank lines of each given file, counted as the language it maps to
        (`codegenie_core.line_counts`), each file read at most once per gather and its counts
        remembered by content identity, so an unchanged file is not read again (ADR-0076). A
        binary file is the problem `BINARY`; a file over `MAX_READ_BYTES` is its too-large
        problem, unread; an unreadable one its problem."""
        ...

    def clean_blobs(self) -> Mapping[str, str]:
        """The files whose work-tree bytes git vouches for, each with that blob id (the id
        `digests` answers for it): tracked regular files git's status does not report. It may
        name paths the listing leaves out; empty when git cannot say or this is not git."""
        ...

    def recall_fold(self, name: str) -> FileFold | None:
        """What `remember_fold(name, ...)` last kept for this repository, if it is still whole;
        None when nothing is kept (no cache, a damaged or foreign file: ADR-0094)."""
        ...

    def remember_fold(self, name: str, fold: FileFold) -> None:
        """Keep `fold` for the next gather of this repository (written whole or not at all; a
        failure loses only remembered work). Nothing is kept without a cache."""
        ...

    def git_state(self) -> GitState | None:
        """HEAD, branch, dirty state and remotes; None when the repository is not a git work
        tree. This and the two questions below raise `GitError` where git refuses to answer
        (a corrupt index, dubious ownership; see ADR-0029)."""
        ...

    def commits_between(self, older: str, newer: str) -> int | None:
        """How many commits `newer` is ahead of `older`; None when either is unknown."""
        ...

    def changed_since(self, commit: str) -> Sequence[str] | None:
        """Files that differ between `commit` and the work tree (committed, staged, unstaged and
        untracked changes), sorted; None when the commit is unknown or this is not git."""
        ...


@attrs.frozen(kw_only=True)
class ListingChanges:
    """How `RepoFiles.list_files` differs from a `DraftedListing`'s draft: the paths it holds that
    the draft does not (sorted), the draft's paths it does not hold, and the paths whose digest
    may not be the draft's (`DraftedListing.draft_digests`)."""

    added: tuple[str, ...]
    removed: frozenset[str]
    changed: frozenset[str] = frozenset()

    @property
    def none(self) -> bool:
        """Whether the listing is the draft, each path with its drafted digest."""
        return not (self.added or self.removed or self.changed)


@runtime_checkable
class DraftedListing(Protocol):
    """A repository whose listing can be drafted before it is known (ADR-0095): a git work tree's
    index is listed before `git status` says what the work tree changed, so the core may match
    its globs on the draft while git works, and correct the match by the changes."""

    def listing_draft(self) -> Sequence[str] | None:
        """The listing as it is when the work tree changed nothing that the listing shows,
        available before `list_files` is; None when there is no draft (not git, or git refused)."""
        ...

    def draft_digests(self) -> Mapping[str, str] | None:
        """Digests known with the draft (a work tree's index); for a drafted path that
        `listing_changes` names in neither `removed` nor `changed`, the digest `digests` gives.
        A drafted path may be missing here (then `digests` alone says). None with no draft."""
        ...

    def listing_changes(self) -> ListingChanges:
        """What `list_files` added to and removed from `listing_draft` (all of `list_files` added
        when there is no draft), and which paths' digests may not be `draft_digests`'; waits for
        `list_files`. The two sets of paths are exact: the listing's paths are the draft's, less
        `removed`, plus `added`."""
        ...


# ---- small services -------------------------------------------------------------------------
class Clock(Protocol):
    """Monotonic time, for timings and deadlines; fakes make it deterministic."""

    def monotonic(self) -> float: ...


@attrs.frozen(kw_only=True)
class TextProblem:
    """Why a structured text (YAML) could not be read, with 1-based coordinates when known."""

    message: str
    line: int | None = None
    column: int | None = None


class YamlReader(Protocol):
    """Turns YAML text into plain data (dict, list, str, int, float, bool, None)."""

    def parse(self, text: str) -> object | TextProblem: ...


# ---- layer B: code indexes ------------------------------------------------------------------
# Owned by the SCIP work (issue 4); the value types live in codegenie_core.values.scip.
class IndexReader(Protocol):
    """Reads one SCIP index (a repo-relative path, or the one codegenie made with an indexer,
    kept outside the work tree: see ADR-0028) into a summary or a typed read error."""

    def read(self, path: str) -> IndexReadResult:
        """Stream the index at `path`; every problem with the file is an `IndexReadError` value
        (kind "missing" when there is no file), never an exception."""
        ...

    def read_made(self, indexer: str) -> IndexReadResult:
        """Stream the index `IndexerRunner.run(indexer)` made, reported under the path
        `made_index_label(indexer)`; kind "missing" when there is none."""
        ...

    def made_sidecar(self, indexer: str) -> bytes | None:
        """The sidecar written beside that index (the JSON text of `sidecar_json`), or None."""
        ...

    def made_state(self) -> str:
        """A text that changes whenever a made index or its sidecar changes, and is "" when
        nothing was made: the resolved value of the `made-index` key token. Cheap: no index is
        read to answer it."""
        ...


class IndexerRunner(Protocol):
    """Runs a SCIP indexer over the repository and records its sidecar (see ADR-0010)."""

    def run(
        self,
        indexer: str,
        *,
        commit: str | None,
        timeout_s: float,
        work_tree: tuple[tuple[str, str], ...] = (),
    ) -> IndexerRun:
        """Index the repository with `indexer` ("scip-typescript", "scip-python") within
        `timeout_s`, outside the work tree, where `IndexReader.read_made` finds it (ADR-0028),
        writing its sidecar with
        `commit` as `last_indexed` and `work_tree` (uncommitted source files and their digests);
        a missing indexer is `IndexerMissing`, a failed or killed run is recorded in the sidecar."""
        ...


# ---- layer C: containers --------------------------------------------------------------------
# Owned by the runtime-trace work (issue 5); value types live in codegenie_core.probes.layer_c.
class ContainerRunner(Protocol):
    """Builds the repository's image and runs traced scenarios in it, one at a time (see
    ADR-0011, ADR-0012). Every answer is a value; nothing here raises for an engine problem."""

    def engine_status(self) -> EngineStatus:
        """Whether the engine, its daemon, strace and Linux are there; quick, never prompts."""
        ...

    def build(self, request: BuildRequest) -> BuiltImage | BuildFailed:
        """Build the repository's Dockerfile into `request.image_ref`, with the image's config."""
        ...

    def run_scenario(
        self,
        image: BuiltImage,
        scenario: Scenario,
        *,
        timeout_s: float,
        keep_argv: bool,
        policy: ContainerPolicy,
        count_syscalls: bool = False,
    ) -> ScenarioResult:
        """Run one scenario under strace in a fresh container confined by `policy` (the core's
        decision, rendered by the adapter in its engine's spelling: ADR-0033), removed after.
        `count_syscalls`: a profiling pass instead, counting every syscall (`syscalls` of the
        `ScenarioCompleted`, its `trace` empty; ADR-0067)."""
        ...

    def cleanup(self) -> None:
        """Remove every container and temporary file this runner made (also on Ctrl-C)."""
        ...


# ---- the cache ------------------------------------------------------------------------------
class CacheStore(Protocol):
    """Content-addressed store of envelopes. A damaged entry is a miss, never an exception; a
    hit's slice that does not structure raises `CacheEntryError` only from `envelope()`."""

    def get(self, key: CacheKey, slice_type: type[Any] | SliceRef) -> CachedEnvelope | None:
        """The verified entry under `key` whose recorded slice class `slice_type` admits, or None
        (a miss); its slice is structured with `slice_type` when `envelope()` is first called. A
        `SliceRef` admits the class names it lists, and is resolved only to structure."""
        ...

    def put(self, key: CacheKey, envelope: Envelope) -> None:
        """Store atomically; a write that fails is logged by the adapter and otherwise ignored."""
        ...
