"""In-memory fakes of every port, with behaviour, for codegenie's tests and other tools' tests.

Rule 1: each fake implements its port structurally (checked by a `_CONFORMS` line) and is held to
the real adapter by an agreement test in tests/contract/ (see ADR-0005).
Rule 2: fakes keep state and record calls as data (`gets`, `puts`, `runs`), built from literals.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any

import attrs

from codegenie_core.cache_keys import CacheKey
from codegenie_core.digest import blob_digest, link_digest, problem_digest, stat_digest
from codegenie_core.errors import GitError
from codegenie_core.line_counts import LineCounts, count_lines
from codegenie_core.maintenance import CacheAdmin, CacheStats, GcReport
from codegenie_core.parsers.strace import TraceFacts
from codegenie_core.parsers.strace_counts import SyscallCount, SyscallCounts
from codegenie_core.portfolio import (
    Executor,
    PlainDocument,
    PortfolioStore,
    RepoFailed,
    RepoGathered,
    RepoResult,
    RepoTask,
    TaskSpec,
)
from codegenie_core.portfolio_rows import (
    FACT_COLUMNS,
    ProbeCounts,
    RepositoryRow,
    Row,
    RunSummary,
    StoreStatus,
    flatten,
    probe_counts,
    repository_row,
    run_identity,
)
from codegenie_core.ports import (
    HEAD_BYTES,
    MAX_READ_BYTES,
    CacheStore,
    Clock,
    ContainerRunner,
    FileFold,
    FileProblem,
    FileStat,
    GitState,
    IndexerRunner,
    IndexReader,
    RepoFiles,
    TextProblem,
    YamlReader,
    too_large_reason,
)
from codegenie_core.probe import CachedEnvelope, Envelope
from codegenie_core.probes.layer_b.model import (
    IndexerFinished,
    IndexerMissing,
    IndexerRun,
    IndexReadError,
    IndexReadResult,
    IndexSidecar,
    IndexSummary,
)
from codegenie_core.probes.layer_b.sidecar import made_index_label, sidecar_json
from codegenie_core.probes.layer_c.model import (
    BuildFailed,
    BuildRequest,
    BuiltImage,
    ContainerPolicy,
    EngineReady,
    EngineStatus,
    EngineUnavailable,
    ImageConfig,
    NotLinux,
    Scenario,
    ScenarioCompleted,
    ScenarioResult,
    StraceUnavailable,
)
from codegenie_core.spec import SliceRef


@attrs.define(kw_only=True)
class FakeRepo:
    """A repository held in memory: `files` maps relative POSIX paths to bytes.

    `history` lists commit ids oldest first (the last is HEAD); `changes` maps a commit id to the
    files changed between it and the work tree. A file over `large_file_bytes` is digested as the
    real adapter does, by identity (`stat_digest`); with no inodes or clock here, its stand-in
    identity is its size and blob id, which change exactly when its bytes do. As git's index
    does for the real adapter, a git state vouches for files unchanged since HEAD: their blob id is
    given whatever their size. `links` marks listed paths that are symlinks, with their link text:
    their bytes (through the link) are in `files`, or their problem in `unreadable`, but
    `file_stats` sees the link itself, never the target, as `lstat` does. `head_reads` records the
    paths `read_head` was asked for, in order."""

    name: str = "fake-repo"
    files: dict[str, bytes] = attrs.field(factory=dict[str, bytes])
    unreadable: dict[str, str] = attrs.field(factory=dict[str, str])  # path -> reason
    unreadable_dirs: dict[str, str] = attrs.field(factory=dict[str, str])  # dir -> reason
    git: GitState | None = None
    git_error: GitError | None = None  # raised by the git questions, as git's refusals are
    history: list[str] = attrs.field(factory=list[str])
    changes: dict[str, list[str]] = attrs.field(factory=dict[str, list[str]])
    digest_calls: list[tuple[str, ...]] = attrs.field(factory=list[tuple[str, ...]])
    large_file_bytes: int = MAX_READ_BYTES
    links: dict[str, str] = attrs.field(factory=dict[str, str])  # path -> link text
    head_reads: list[str] = attrs.field(factory=list[str])
    line_count_calls: list[dict[str, str]] = attrs.field(factory=list[dict[str, str]])
    folds: dict[str, FileFold] = attrs.field(factory=dict[str, FileFold])  # remember_fold's

    def list_files(self) -> Sequence[str]:
        return sorted({*self.files, *self.unreadable})

    def listing_problems(self) -> Sequence[FileProblem]:
        return [FileProblem(path=d, reason=r) for d, r in sorted(self.unreadable_dirs.items())]

    def read_bytes(self, path: str, *, max_bytes: int = MAX_READ_BYTES) -> bytes | FileProblem:
        if path in self.unreadable:
            return FileProblem(path=path, reason=self.unreadable[path])
        if path not in self.files:
            return FileProblem(path=path, reason="no such file")
        if len(self.files[path]) > max_bytes:
            return FileProblem(path=path, reason=too_large_reason(max_bytes))
        return self.files[path]

    def read_head(self, path: str, *, max_bytes: int = HEAD_BYTES) -> bytes | FileProblem:
        self.head_reads.append(path)
        data = self.read_bytes(path, max_bytes=len(self.files.get(path, b"")))
        return data if isinstance(data, FileProblem) else data[:max_bytes]

    def file_sizes(self, paths: Iterable[str]) -> Mapping[str, int]:
        return {
            p: len(self.files[p]) for p in paths if p in self.files and p not in self.unreadable
        }

    def file_stats(self, paths: Iterable[str]) -> Mapping[str, FileStat]:
        stats: dict[str, FileStat] = {}
        for p in paths:
            if p in self.links:
                stats[p] = FileStat(len(self.links[p].encode("utf-8", "surrogateescape")), True)
            elif p in self.files and p not in self.unreadable:
                stats[p] = FileStat(len(self.files[p]), False)
        return stats

    def digests(self, paths: Iterable[str]) -> Mapping[str, str]:
        wanted = tuple(paths)
        self.digest_calls.append(wanted)
        out: dict[str, str] = {}
        for path in wanted:
            data = self.read_bytes(path, max_bytes=len(self.files.get(path, b"")))
            if isinstance(data, FileProblem):
                out[path] = problem_digest(data.reason)
            elif len(data) > self.large_file_bytes and not self._vouched(path):
                out[path] = stat_digest((len(data), int(blob_digest(data), 16)))
            else:
                out[path] = blob_digest(data)
            link = self.links.get(path)
            if link is not None:  # from the work tree: the link text and its target (ADR-0082)
                out[path] = link_digest(link, out[path])
        return out

    def line_counts(self, languages: Mapping[str, str]) -> Mapping[str, LineCounts | FileProblem]:
        """Counted from `files` by the core's counter, as the real adapter counts them; a file
        over `large_file_bytes` is too large, unread; `line_count_calls` records each call."""
        self.line_count_calls.append(dict(languages))
        out: dict[str, LineCounts | FileProblem] = {}
        for path, language in languages.items():
            if path in self.unreadable or path not in self.files:
                out[path] = FileProblem(path=path, reason=self.unreadable.get(path, "no such file"))
                continue
            data = self.files[path]
            if len(data) > self.large_file_bytes:
                out[path] = FileProblem(path=path, reason=too_large_reason(self.large_file_bytes))
            else:
                counted = count_lines((data,), language)
                out[path] = (
                    counted
                    if isinstance(counted, LineCounts)
                    else FileProblem(path=path, reason=counted)
                )
        return out

    def git_state(self) -> GitState | None:
        if self.git_error is not None:
            raise self.git_error
        return self.git

    def clean_blobs(self) -> Mapping[str, str]:
        """The regular, readable files git vouches for (`_vouched`), by their blob id."""
        return {
            path: blob_digest(data)
            for path, data in self.files.items()
            if path not in self.links and path not in self.unreadable and self._vouched(path)
        }

    def recall_fold(self, name: str) -> FileFold | None:
        return self.folds.get(name)

    def remember_fold(self, name: str, fold: FileFold) -> None:
        self.folds[name] = fold

    def _vouched(self, path: str) -> bool:
        """Whether git would know `path`'s blob id: tracked (at HEAD) and unchanged since."""
        return (
            self.git is not None
            and bool(self.history)
            and path not in self.changes.get(self.history[-1], [])
        )

    def commits_between(self, older: str, newer: str) -> int | None:
        if self.git_error is not None:
            raise self.git_error
        if older not in self.history or newer not in self.history:
            return None
        return max(0, self.history.index(newer) - self.history.index(older))

    def changed_since(self, commit: str) -> Sequence[str] | None:
        if self.git_error is not None:
            raise self.git_error
        if self.git is None or commit not in self.history:
            return None
        return sorted(self.changes.get(commit, []))


@attrs.define(kw_only=True)
class FakeClock:
    """A clock that moves only when told (`advance`) or by `step` on every `monotonic` call."""

    now: float = 1000.0
    step: float = 0.0

    def monotonic(self) -> float:
        self.now += self.step
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@attrs.define(kw_only=True)
class ScriptedYaml:
    """A YAML reader that knows the answer for each text it was given; other texts are problems."""

    documents: dict[str, object] = attrs.field(factory=dict[str, object])

    def parse(self, text: str) -> object | TextProblem:
        if text in self.documents:
            return self.documents[text]
        return TextProblem(message="text not scripted in ScriptedYaml", line=1, column=1)


@attrs.define(kw_only=True)
class InMemoryKeyLog:
    """A `KeyLog` in a dict, per probe; `records` counts what was recorded, in order. Like the
    real one, it hands out a copy: a caller never changes what is kept."""

    kept: dict[str, dict[str, Any]] = attrs.field(factory=dict[str, dict[str, Any]])
    records: list[str] = attrs.field(factory=list[str])

    def last(self, probe: str) -> Mapping[str, Any] | None:
        found = self.kept.get(probe)
        return None if found is None else json.loads(json.dumps(found))

    def record(self, probe: str, recorded: Mapping[str, Any]) -> None:
        self.kept[probe] = json.loads(json.dumps(dict(recorded)))
        self.records.append(probe)


@attrs.define(kw_only=True)
class InMemoryCache:
    """A cache in a dict. A stored envelope whose slice is not of the asked type is a miss, as a
    damaged entry is for the real cache."""

    entries: dict[str, Envelope] = attrs.field(factory=dict[str, Envelope])
    root: str = "memory:"
    gets: list[str] = attrs.field(factory=list[str])
    puts: list[str] = attrs.field(factory=list[str])

    def get(self, key: CacheKey, slice_type: type[Any] | SliceRef) -> CachedEnvelope | None:
        self.gets.append(key.hex)
        found = self.entries.get(key.hex)
        admitted = slice_type.resolve() if isinstance(slice_type, SliceRef) else slice_type
        if found is None or not isinstance(found.slice, admitted):
            return None
        return cached_entry(found)

    def put(self, key: CacheKey, envelope: Envelope) -> None:
        from codegenie_adapters.serde import plain_data

        self.puts.append(key.hex)
        try:
            plain_data(envelope.slice)
        except (TypeError, ValueError):  # as the real cache: a slice JSON cannot write is not kept
            return
        self.entries[key.hex] = envelope

    # ---- CacheAdmin: an entry's size is its envelope's JSON, oldest put evicted first ----------
    def stats(self) -> CacheStats:
        sizes = [_entry_size(envelope) for envelope in self.entries.values()]
        return CacheStats(root=self.root, entries=len(sizes), bytes=sum(sizes))

    def clear(self) -> int:
        removed = len(self.entries)
        self.entries.clear()
        return removed

    def gc(self, max_bytes: int) -> GcReport:
        evicted = evicted_bytes = 0
        while self.entries and self.stats().bytes > max_bytes:
            oldest = next(iter(self.entries))
            evicted += 1
            evicted_bytes += _entry_size(self.entries.pop(oldest))
        return GcReport(entries=evicted, bytes=evicted_bytes, temp_files=0, other_versions=0)


def _entry_size(envelope: Envelope) -> int:
    from codegenie_adapters.serde import envelope_to_json

    return len(envelope_to_json(envelope))


def cached_entry(envelope: Envelope) -> CachedEnvelope:
    """`envelope` as a cache hands it back: its slice as plain data, typed on demand."""
    from codegenie_adapters.serde import plain_data

    return CachedEnvelope(
        probe=envelope.probe,
        schema_version=envelope.schema_version,
        confidence=envelope.confidence,
        notes=envelope.notes,
        plain_slice=plain_data(envelope.slice),
        load=lambda: envelope,
    )


_REPO: type[RepoFiles] = FakeRepo
_CLOCK: type[Clock] = FakeClock
_YAML: type[YamlReader] = ScriptedYaml
_CACHE: type[CacheStore] = InMemoryCache
_CACHE_ADMIN: type[CacheAdmin] = InMemoryCache


# ---- layer B: SCIP indexes ---------------------------------------------------------------------
@attrs.define(kw_only=True)
class FakeIndexReader:
    """Indexes held as their summaries or read errors; any other path is "missing", as it is for
    the real reader. `made` holds the indexes codegenie made (by indexer) and `made_sidecars`
    their sidecars' bytes, as the real reader finds them outside the work tree. `reads` records
    every path asked for (a made index as its label)."""

    indexes: dict[str, IndexReadResult] = attrs.field(factory=dict[str, IndexReadResult])
    made: dict[str, IndexReadResult] = attrs.field(factory=dict[str, IndexReadResult])
    made_sidecars: dict[str, bytes] = attrs.field(factory=dict[str, bytes])
    reads: list[str] = attrs.field(factory=list[str])

    def read(self, path: str) -> IndexReadResult:
        self.reads.append(path)
        found = self.indexes.get(path)
        if found is None:
            return IndexReadError(path=path, kind="missing", message="no file at this path")
        return found

    def read_made(self, indexer: str) -> IndexReadResult:
        label = made_index_label(indexer)
        self.reads.append(label)
        found = self.made.get(indexer)
        if found is None:
            return IndexReadError(path=label, kind="missing", message="no file at this path")
        return found

    def made_sidecar(self, indexer: str) -> bytes | None:
        return self.made_sidecars.get(indexer)

    def made_state(self) -> str:
        if not self.made and not self.made_sidecars:
            return ""
        parts = [
            f"{name}={self.made.get(name)!r}|{self.made_sidecars.get(name, b'').hex()}"
            for name in sorted({*self.made, *self.made_sidecars})
        ]
        return "sha256:" + hashlib.sha256("\n".join(parts).encode()).hexdigest()


@attrs.define(kw_only=True)
class FakeIndexerRunner:
    """An indexer runner that "indexes" by publishing a scripted summary and a sidecar into
    `reader`'s made indexes, as the real one writes them outside the work tree.

    `available` names the installed indexers; `produces` maps an indexer to the summary a run
    yields; `exit_statuses` scripts failures (a non-zero run publishes no index); `runs` records
    `(indexer, commit)` and `timeouts` the time allowed, for every call. `repo` is the work tree
    indexed; nothing is written into it."""

    reader: FakeIndexReader
    repo: FakeRepo
    available: set[str] = attrs.field(factory=set[str])
    produces: dict[str, IndexSummary] = attrs.field(factory=dict[str, IndexSummary])
    exit_statuses: dict[str, int] = attrs.field(factory=dict[str, int])
    duration_s: float = 1.0
    runs: list[tuple[str, str | None]] = attrs.field(factory=list[tuple[str, str | None]])
    timeouts: list[float] = attrs.field(factory=list[float])

    def run(
        self,
        indexer: str,
        *,
        commit: str | None,
        timeout_s: float,
        work_tree: tuple[tuple[str, str], ...] = (),
    ) -> IndexerRun:
        self.runs.append((indexer, commit))
        self.timeouts.append(timeout_s)
        if indexer not in self.available:
            return IndexerMissing(indexer=indexer, hint=f"npm install -g @sourcegraph/{indexer}")
        label = made_index_label(indexer)
        status = self.exit_statuses.get(indexer, 0)
        produced = self.produces.get(indexer)
        if status == 0 and produced is not None:
            self.reader.made[indexer] = attrs.evolve(produced, path=label)
        sidecar = IndexSidecar(
            indexer=indexer,
            indexer_version="0.0.0-fake",
            last_indexed=commit,
            argv=(indexer, "index"),
            exit_status=status,
            timed_out=False,
            document_count=produced.document_count if status == 0 and produced else None,
            stderr_tail="" if status == 0 else f"{indexer}: scripted failure",
            started_at="2026-01-01T00:00:00Z",
            ended_at="2026-01-01T00:00:01Z",
            work_tree=work_tree,
        )
        self.reader.made_sidecars[indexer] = sidecar_json(sidecar).encode()
        return IndexerFinished(
            indexer=indexer, index_path=label, sidecar=sidecar, duration_s=self.duration_s
        )


_INDEX_READER: type[IndexReader] = FakeIndexReader
_INDEXER: type[IndexerRunner] = FakeIndexerRunner


@attrs.define(kw_only=True)
class FakeContainerRunner:
    """A container runner answering from a script: `status` for the engine, `image` (or a
    `BuildFailed`) for every build, `results` by scenario name (an exit-0 empty trace otherwise).

    When the engine is not ready, builds fail and scenarios answer with the engine's state, as the
    real runner does. `seconds` advances `clock` per scenario name, to spend the aggregate budget.
    `dwell_s` makes each scenario occupy the runner for that many real seconds (ending early when
    another scenario enters), so a caller running scenarios concurrently is seen: every entry
    while another scenario runs is recorded in `overlaps` as (running, entering).
    Calls are recorded: `builds`, `runs` (name, timeout, keep_argv), `policies` (name, the
    `ContainerPolicy` the caller decided), `ports` (name, the ports to probe), `cleanups`,
    `max_running`."""

    status: EngineStatus = attrs.field(
        factory=lambda: EngineReady(
            engine="fake", version="0", strace_version="6.1", seccomp_bpf=True
        )
    )
    image: ImageConfig | BuildFailed = attrs.field(factory=ImageConfig)
    results: dict[str, ScenarioResult] = attrs.field(factory=dict[str, ScenarioResult])
    clock: FakeClock | None = None
    seconds: dict[str, float] = attrs.field(factory=dict[str, float])
    builds: list[BuildRequest] = attrs.field(factory=list[BuildRequest])
    runs: list[tuple[str, float, bool]] = attrs.field(factory=list[tuple[str, float, bool]])
    policies: list[tuple[str, ContainerPolicy]] = attrs.field(
        factory=list[tuple[str, ContainerPolicy]]
    )
    ports: list[tuple[str, tuple[int, ...]]] = attrs.field(
        factory=list[tuple[str, tuple[int, ...]]]
    )  # (name, ports) of every scenario asked to probe ports
    dwell_s: float = 0.0
    # profiling passes (`count_syscalls`): `profiles` by scenario name, else an exit-0 pass that
    # counted `syscalls` once each (or, for an image built from a Dockerfile named in
    # `syscalls_by_dockerfile`, that Dockerfile's); `profiled` records the scenarios profiled
    profiles: dict[str, ScenarioResult] = attrs.field(factory=dict[str, ScenarioResult])
    syscalls: tuple[str, ...] = ("brk", "execve")
    syscalls_by_dockerfile: dict[str, tuple[str, ...]] = attrs.field(
        factory=dict[str, tuple[str, ...]]
    )
    profiled: list[str] = attrs.field(factory=list[str])
    cleanups: int = 0
    running: int = 0
    max_running: int = 0
    overlaps: list[tuple[str, str]] = attrs.field(factory=list[tuple[str, str]])
    _active: list[str] = attrs.field(factory=list[str], init=False, repr=False)
    _changed: threading.Condition = attrs.field(
        factory=threading.Condition, init=False, repr=False, eq=False
    )

    def engine_status(self) -> EngineStatus:
        return self.status

    def build(self, request: BuildRequest) -> BuiltImage | BuildFailed:
        self.builds.append(request)
        match self.status:
            case EngineUnavailable(reason=reason):
                return BuildFailed(exit_code=None, message=reason)
            case NotLinux(platform=platform):
                return BuildFailed(exit_code=None, message=f"not Linux: {platform}")
            case EngineReady() | StraceUnavailable():
                pass  # building needs no tracer
        if isinstance(self.image, BuildFailed):
            return self.image
        return BuiltImage(ref=request.image_ref, config=self.image)

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
        with self._changed:
            if count_syscalls:  # a profiling pass: recorded apart, answered after the status
                self.profiled.append(scenario.name)
            else:
                self.runs.append((scenario.name, timeout_s, keep_argv))
            self.policies.append((scenario.name, policy))
            if scenario.ports:
                self.ports.append((scenario.name, scenario.ports))
            self.overlaps.extend((other, scenario.name) for other in self._active)
            self._active.append(scenario.name)
            self.running += 1
            self.max_running = max(self.max_running, self.running)
            self._changed.notify_all()
        try:
            if self.dwell_s > 0:
                with self._changed:
                    self._changed.wait_for(lambda: len(self._active) > 1, timeout=self.dwell_s)
            match self.status:
                case EngineUnavailable() | StraceUnavailable():
                    return self.status
                case NotLinux(platform=platform):
                    return EngineUnavailable(engine="fake", reason=f"not Linux: {platform}")
                case EngineReady():
                    pass
            if self.clock is not None:
                self.clock.advance(self.seconds.get(scenario.name, 0.0))
            if count_syscalls:
                built = {b.image_ref: b.dockerfile for b in self.builds}
                dockerfile = built.get(image.ref, "")
                names = self.syscalls_by_dockerfile.get(dockerfile, self.syscalls)
                return self.profiles.get(scenario.name, _counted(names))
            default = ScenarioCompleted(
                exit_code=0, stopped_after_window=False, elapsed_ms=0, trace=TraceFacts()
            )
            return self.results.get(scenario.name, default)
        finally:
            with self._changed:
                self._active.remove(scenario.name)
                self.running -= 1

    def cleanup(self) -> None:
        self.cleanups += 1


def _counted(names: tuple[str, ...]) -> ScenarioCompleted:
    counts = SyscallCounts(counts=tuple(SyscallCount(name=n, calls=1) for n in sorted(set(names))))
    return ScenarioCompleted(
        exit_code=0, stopped_after_window=False, elapsed_ms=0, trace=TraceFacts(), syscalls=counts
    )


_CONTAINERS: type[ContainerRunner] = FakeContainerRunner


@attrs.define(kw_only=True)
class FakeRun:
    """One run the fake store began: its identity (`run_identity`), and when it started and
    finished (`now()`'s text)."""

    run_id: int
    identity: str
    tasks: int
    started_at: str
    finished_at: str | None = None


@attrs.frozen(kw_only=True)
class FakeResult:
    """What one run recorded for one key: the row it upserted and its probe counts."""

    row: RepositoryRow
    counts: ProbeCounts


def _fixed_now() -> str:
    return "2026-12-02T00:00:00.000+00:00"


@attrs.define(kw_only=True)
class FakePortfolioStore:
    """A portfolio store in dicts, with the SQLite store's semantics (see ADR-0063): `begin_run`
    resumes the latest unfinished run of the same identity; a repository has one row per (key,
    state), upserted with its document and facts; a run has one result per key, the last recorded.
    `records` lists every `record` call as (run id, key), in order."""

    now: Callable[[], str] = _fixed_now
    runs: list[FakeRun] = attrs.field(factory=list[FakeRun])
    rows: dict[tuple[str, str], RepositoryRow] = attrs.field(
        factory=dict[tuple[str, str], RepositoryRow]
    )
    documents: dict[tuple[str, str], PlainDocument] = attrs.field(
        factory=dict[tuple[str, str], PlainDocument]
    )
    facts: dict[tuple[str, str], dict[str, list[Row]]] = attrs.field(
        factory=dict[tuple[str, str], dict[str, list[Row]]]
    )
    results: dict[int, dict[str, FakeResult]] = attrs.field(
        factory=dict[int, dict[str, FakeResult]]
    )
    records: list[tuple[int, str]] = attrs.field(factory=list[tuple[int, str]])

    def begin_run(self, spec: TaskSpec, tasks: Sequence[RepoTask]) -> int:
        identity = run_identity(spec, tasks)
        for run in reversed(self.runs):
            if run.identity == identity and run.finished_at is None:
                return run.run_id
        run = FakeRun(
            run_id=len(self.runs) + 1,
            identity=identity,
            tasks=len({t.key for t in tasks}),
            started_at=self.now(),
        )
        self.runs.append(run)
        return run.run_id

    def recorded(self, run_id: int) -> frozenset[str]:
        return frozenset(self.results.get(run_id, {}))

    def record(self, run_id: int, result: RepoResult) -> None:
        assert any(r.run_id == run_id for r in self.runs), f"no run {run_id}"
        self.records.append((run_id, result.task.key))
        row = repository_row(result, run_id=run_id)
        where = (row.key, row.state)
        self.rows[where] = row
        self.documents.pop(where, None)
        self.facts.pop(where, None)
        if isinstance(result, RepoGathered):
            self.documents[where] = result.document
            self.facts[where] = flatten(result.document)
        self.results.setdefault(run_id, {})[row.key] = FakeResult(
            row=row, counts=probe_counts(result)
        )

    def finish_run(self, run_id: int) -> None:
        for run in self.runs:
            if run.run_id == run_id:
                run.finished_at = self.now()

    def close(self) -> None:
        return None

    # ---- reading, as SqliteStore reads ---------------------------------------------------------
    def repositories(self) -> tuple[RepositoryRow, ...]:
        return tuple(self.rows[where] for where in sorted(self.rows))

    def fact_rows(self, table: str) -> tuple[Row, ...]:
        assert table in FACT_COLUMNS, table
        rows = [
            (key, state, *row)
            for (key, state), tables in self.facts.items()
            for row in tables[table]
        ]
        return tuple(sorted(rows, key=lambda r: tuple((v is None, str(v)) for v in r)))

    def status(self) -> StoreStatus:
        latest: dict[str, FakeResult] = {}
        for run_id in sorted(self.results):
            latest.update(self.results[run_id])
        failed = [r.row.reason for r in latest.values() if r.row.status == "failed"]
        reasons = sorted({str(reason) for reason in failed})
        last_run = None
        if self.runs:
            last = self.runs[-1]
            results = list(self.results.get(last.run_id, {}).values())
            gathered = sum(r.row.status == "gathered" for r in results)
            last_run = RunSummary(
                run_id=last.run_id,
                started_at=last.started_at,
                finished_at=last.finished_at,
                tasks=last.tasks,
                recorded=len(results),
                gathered=gathered,
                failed=len(results) - gathered,
                counts=ProbeCounts(
                    probes=sum(r.counts.probes for r in results),
                    ran=sum(r.counts.ran for r in results),
                    cached=sum(r.counts.cached for r in results),
                    skipped=sum(r.counts.skipped for r in results),
                    failed=sum(r.counts.failed for r in results),
                ),
            )
        return StoreStatus(
            repositories=len(latest),
            gathered=len(latest) - len(failed),
            failed=len(failed),
            failures=tuple((reason, [str(f) for f in failed].count(reason)) for reason in reasons),
            last_run=last_run,
        )


_PORTFOLIO_STORE: type[PortfolioStore] = FakePortfolioStore


@attrs.define
class FakeExecutor:
    """An executor in this process: runs `gather` on each task in order, as the pool's workers
    do (an exception from it is a `RepoFailed` "error"), so it cannot survive a task that kills
    its process or hangs: use it for drivers, not for faults. `interrupt_after` raises
    KeyboardInterrupt once that many results were yielded (Ctrl-C in the middle of a run);
    `given` lists the task keys of each `run` call, `closed` counts `close` calls."""

    gather: Callable[[RepoTask, TaskSpec], RepoResult]
    interrupt_after: int | None = None
    given: list[tuple[str, ...]] = attrs.field(factory=list[tuple[str, ...]])
    closed: int = 0
    yielded: int = 0

    def run(self, tasks: Sequence[RepoTask], spec: TaskSpec) -> Iterator[RepoResult]:
        self.given.append(tuple(t.key for t in tasks))
        for task in tasks:
            if self.interrupt_after is not None and self.yielded >= self.interrupt_after:
                raise KeyboardInterrupt
            try:
                result = self.gather(task, spec)
            except Exception as error:
                message = f"internal error, please report: {type(error).__name__}: {error}"
                result = RepoFailed(task=task, reason="error", message=message, duration_ms=0)
            self.yielded += 1
            yield result

    def close(self) -> None:
        self.closed += 1


_EXECUTOR: type[Executor] = FakeExecutor
