"""Portfolio gathers: many repositories in one run (issue #13). Pure: values and ports only.

Rule 1: the driver plans `RepoTask`s from the sources (`plan_tasks`), hands them to an `Executor`
(a process pool on one machine, Ray on a cluster: adapters), and is the single writer of the
`PortfolioStore`. Every task yields exactly one `RepoResult`, in completion order; a repository's
failure, a worker's crash or a timeout is a `RepoFailed` value, never an exception.
Rule 2: everything a task carries is plain and picklable (it crosses processes and machines), and
holds no secret: the remote cache's auth header is read from the environment where the task runs.
Rule 3: a task's `key` names the repository within the portfolio (an absolute path, or a URL git
can clone, carrying no userinfo: credentials come from git's own helpers), so a resumed run skips
exactly the keys the store already recorded for it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Generator, Iterable, Iterator, Mapping, Sequence
from typing import Any, Literal, Protocol

import attrs

from codegenie_core.config import CacheMode, GatherConfig
from codegenie_core.errors import CodegenieError

SourceKind = Literal["path", "url"]
# Why a repository has no document: its gather raised a CodegenieError ("error"), its worker
# process died ("crash"), it outlived the per-repository timeout ("timeout"), its clone failed
# ("clone"), or the executor lost it more times than its retries allow ("lost").
FailureReason = Literal["error", "crash", "timeout", "clone", "lost"]
FAILURE_REASONS: tuple[FailureReason, ...] = ("error", "crash", "timeout", "clone", "lost")

PlainDocument = Mapping[str, Any]  # a context document as json would produce it


@attrs.frozen(kw_only=True)
class RepoTask:
    """One repository to gather. `key` is its path or URL and its identity in the portfolio
    (Rule 3); `needs_engine` asks for a node with a container engine (layer C)."""

    key: str
    kind: SourceKind
    needs_engine: bool


@attrs.frozen(kw_only=True)
class TaskSpec:
    """What every task of a run gathers with: the same for all, so it is sent once per worker.
    `timeout_s` bounds one repository's gather; `remote_cache` is the URL only (Rule 2)."""

    config: GatherConfig
    cache_dir: str | None
    cache_mode: CacheMode = "use"
    cache_max_bytes: int
    jobs_per_repo: int = 1
    timeout_s: float = 600.0
    remote_cache: str | None = None


@attrs.frozen(kw_only=True)
class RepoGathered:
    """A repository gathered: its context document (`to_document()` of the gather) and where it
    stood. `head` and `state_token` say which state of the repository the document describes
    (None outside git); the probe counts are in the document's `gather` section."""

    task: RepoTask
    head: str | None
    state_token: str | None
    document: PlainDocument
    duration_ms: int


@attrs.frozen(kw_only=True)
class RepoFailed:
    """A repository with no document, and why, in one line naming what went wrong."""

    task: RepoTask
    reason: FailureReason
    message: str
    duration_ms: int


RepoResult = RepoGathered | RepoFailed


class Executor(Protocol):
    """Runs tasks somewhere and yields their results as they complete (Rule 1).

    Agreement, for every adapter: each task's result is yielded exactly once (by `task.key`);
    a task whose worker is lost is retried, up to the adapter's documented bound, then yielded as
    `RepoFailed(reason="lost")`; closing the iterator early (Ctrl-C in the driver) cancels what
    has not started and returns without waiting for running gathers longer than their timeout."""

    def run(self, tasks: Sequence[RepoTask], spec: TaskSpec) -> Iterator[RepoResult]: ...

    def close(self) -> None:
        """Release workers, processes and connections; safe to call twice."""
        ...


class PortfolioStore(Protocol):
    """Where a portfolio's results live; written by the driver alone (Rule 1)."""

    def begin_run(self, spec: TaskSpec, tasks: Sequence[RepoTask]) -> int:
        """A run id for these tasks: a new run, or the unfinished run of the same spec and
        tasks to resume."""
        ...

    def recorded(self, run_id: int) -> frozenset[str]:
        """The task keys that run already has a result for."""
        ...

    def record(self, run_id: int, result: RepoResult) -> None:
        """Store one result atomically: the repository's row, its document and its facts."""
        ...

    def finish_run(self, run_id: int) -> None: ...


def plan_tasks(
    sources: Iterable[tuple[str, SourceKind]], *, needs_engine: bool, done: frozenset[str]
) -> tuple[RepoTask, ...]:
    """The tasks for `sources` (each a normalised key and its kind, in the order given), each key
    once, leaving out those in `done` (a resumed run's recorded keys)."""
    seen: set[str] = set()
    tasks: list[RepoTask] = []
    for key, kind in sources:
        if key in seen or key in done:
            continue
        seen.add(key)
        tasks.append(RepoTask(key=key, kind=kind, needs_engine=needs_engine))
    return tuple(tasks)


class PortfolioSourceError(CodegenieError):
    """A SOURCE of `portfolio gather` cannot be planned: missing, unreadable, a list line that is
    neither a path nor an acceptable URL, a directory tree too deep or too wide (see ADR-0062)."""

    def __init__(self, message: str, *, source: str) -> None:
        super().__init__(message)
        self.source = source


CLONE_SCHEMES = frozenset({"https", "ssh", "git", "file"})
# RFC 3986 section 3: scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ), then "://" authority
_SCHEME_URL = re.compile(r"^(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*)://(?P<authority>[^/?#]*)")
# git's scp-like syntax (git-clone(1), GIT URLS): [user@]host:path, "only recognized if there are
# no slashes before the first colon"
_SCP_LIKE = re.compile(r"^(?P<authority>[^/:]+):")
# git's "<transport>::<address>" (gitremote-helpers(7)): a remote helper, e.g. ext:: runs a command
_HELPER = re.compile(r"^[A-Za-z0-9+.-]+::")


def looks_like_url(text: str) -> bool:
    """Whether git would take `text` as a URL rather than a local path (git-clone(1), GIT URLS)."""
    return bool(_SCHEME_URL.match(text) or _HELPER.match(text) or _SCP_LIKE.match(text))


def clone_url_problem(url: str) -> str | None:
    """What makes `url` unacceptable as a repository to clone, or None (see ADR-0062): a scheme
    other than https, ssh, git or file (a remote helper such as `ext::` included), a password in
    any URL, a user name outside ssh (in https it is where tokens go), a leading "-" (git would
    read an option), whitespace or control characters."""
    if url.startswith("-"):
        return "a URL may not start with '-'"
    if _HELPER.match(url):
        return "a git remote helper (<transport>::<address>) is not cloned (see ADR-0062)"
    if any(ch.isspace() or ord(ch) < 0x20 or ord(ch) == 0x7F for ch in url):
        return "a URL may not hold whitespace or control characters"
    if matched := _SCHEME_URL.match(url):
        scheme, authority = matched["scheme"].lower(), matched["authority"]
        if scheme not in CLONE_SCHEMES:
            return f"scheme {scheme!r} is not cloned; use https, ssh, git or file"
    elif matched := _SCP_LIKE.match(url):
        scheme, authority = "ssh", matched["authority"]
    else:
        return "not a URL git can clone"
    if "@" not in authority:
        return None
    userinfo = authority.rsplit("@", 1)[0]
    if ":" in userinfo:
        return "a URL may not carry a password; let git's credential helper supply it"
    if scheme != "ssh":
        return f"a {scheme} URL may not carry a user name (a token's place; see ADR-0062)"
    return None


@attrs.frozen(kw_only=True)
class Progress:
    """Where a run stands after one more result: `done` of `total` tasks of this invocation
    (`resumed` more were recorded by an earlier, interrupted one), `failed` of them failed."""

    done: int
    total: int
    failed: int
    resumed: int
    last: RepoResult


@attrs.frozen(kw_only=True)
class RunOutcome:
    """A finished run: its id, how many repositories it has in all, how many an earlier
    invocation had recorded, and this invocation's gathered and failed counts (by reason)."""

    run_id: int
    repositories: int
    resumed: int
    gathered: int
    failed: Mapping[FailureReason, int]


def run_portfolio(
    sources: Sequence[tuple[str, SourceKind]],
    *,
    spec: TaskSpec,
    needs_engine: bool,
    store: PortfolioStore,
    executor: Executor,
    on_progress: Callable[[Progress], None] | None = None,
) -> RunOutcome:
    """The driver (Rule 1): plan every task, begin (or resume) the run of those tasks in `store`,
    hand the executor only the tasks the run has not recorded, record each result as it arrives
    (the one writer; a key is recorded once even if an executor yields it twice), and finish the
    run. An exception (Ctrl-C included) closes the executor's iterator and leaves the run
    unfinished, so the next invocation with the same sources and spec does only what is left."""
    everything = plan_tasks(sources, needs_engine=needs_engine, done=frozenset())
    run_id = store.begin_run(spec, everything)
    done = store.recorded(run_id)
    tasks = tuple(t for t in everything if t.key not in done)
    given = frozenset(t.key for t in tasks)
    wanted = set(given)
    failed: dict[FailureReason, int] = {}
    gathered = 0
    results = executor.run(tasks, spec)
    try:
        for result in results:
            key = result.task.key
            assert key in given, f"the executor returned a task it was not given: {key}"
            if key not in wanted:
                continue  # already recorded: once only
            wanted.discard(key)
            store.record(run_id, result)
            match result:
                case RepoGathered():
                    gathered += 1
                case RepoFailed(reason=reason):
                    failed[reason] = failed.get(reason, 0) + 1
            if on_progress is not None:
                on_progress(
                    Progress(
                        done=len(tasks) - len(wanted),
                        total=len(tasks),
                        failed=sum(failed.values()),
                        resumed=len(done),
                        last=result,
                    )
                )
    finally:
        if isinstance(results, Generator):
            results.close()
    assert not wanted, f"the executor returned no result for {len(wanted)} tasks"
    store.finish_run(run_id)
    return RunOutcome(
        run_id=run_id,
        repositories=len(everything),
        resumed=len(done),
        gathered=gathered,
        failed=failed,
    )
