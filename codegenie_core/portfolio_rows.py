"""A portfolio result as the store's rows: the repository row, its probe counts and its flattened
facts, derived from the context document alone (pure; the SQLite adapter only writes them).

Rule 1: a document is untrusted shape. A field that is absent or of another type gives no row (or
a NULL column), never an exception: a document from an older or newer codegenie still stores.
Rule 2: `FACT_COLUMNS` names every fact table's columns in order; the store's migrations create
exactly these columns after `repo_id` (a contract test compares them), and `flatten` yields rows
in that order. A dependency's `groups` column is JSON array text (ADR-0084).
Rule 3: a run is identified by what it gathers: its `TaskSpec` and the set of its task keys
(`run_identity`), so a resumed run finds its unfinished run whatever the order of its sources.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping, Sequence
from typing import Literal, assert_never, cast

import attrs

from codegenie_core.portfolio import (
    FailureReason,
    PlainDocument,
    RepoFailed,
    RepoGathered,
    RepoResult,
    RepoTask,
    SourceKind,
    TaskSpec,
)

Scalar = str | int | None
Row = tuple[Scalar, ...]
_EMPTY: Mapping[str, object] = {}
RepoStatus = Literal["gathered", "failed"]

FACT_COLUMNS: Mapping[str, tuple[str, ...]] = {
    "dependencies": (
        "ecosystem", "name", "spec", "effective_spec", "resolved", "purl", "scope", "direct",
        "manifest", "lockfile", "member", "source", "groups",
    ),
    "base_images": (
        "dockerfile", "stage", "stage_name", "final", "base_kind", "written", "reference",
        "registry", "image", "tag", "digest", "platform",
    ),
    "languages": ("language", "files", "bytes", "is_primary", "code", "comment", "blank"),
    "index_health": (
        "health", "index_path", "indexer", "commits_behind", "changed_count", "basis",
        "source_files", "indexed_source_files", "detail",
    ),
    "ci_jobs": ("system", "file", "job", "name", "image"),
    "ci_runners": ("system", "file", "job", "label"),
    "runtime_traces": (
        "status", "coverage", "image_ref", "scenarios", "binaries_executed", "files_read",
        "files_written", "shared_libraries", "network_connects",
    ),
}  # fmt: skip


@attrs.frozen(kw_only=True)
class ProbeCounts:
    """How many probes the gather had, and how many ran, came from cache, were skipped, failed."""

    probes: int = 0
    ran: int = 0
    cached: int = 0
    skipped: int = 0
    failed: int = 0


@attrs.frozen(kw_only=True)
class RepositoryRow:
    """One repository in one state. `state` is the git-state token, else HEAD, else "" (outside
    git, or a failure, which has no document to say which state it saw)."""

    key: str
    state: str
    kind: SourceKind
    name: str | None
    head: str | None
    state_token: str | None
    status: RepoStatus
    reason: FailureReason | None
    message: str | None
    duration_ms: int
    run_id: int


@attrs.frozen(kw_only=True)
class RunSummary:
    """One run: when, how many tasks, and what it recorded so far."""

    run_id: int
    started_at: str
    finished_at: str | None
    tasks: int
    recorded: int
    gathered: int
    failed: int
    counts: ProbeCounts


@attrs.frozen(kw_only=True)
class StoreStatus:
    """A store at a glance, over each repository's latest result: how many, how many failed and
    why (reasons sorted), and the last run."""

    repositories: int
    gathered: int
    failed: int
    failures: tuple[tuple[str, int], ...]
    last_run: RunSummary | None


def repository_row(result: RepoResult, *, run_id: int) -> RepositoryRow:
    """The repository row a result upserts."""
    match result:
        case RepoGathered():
            repo = _map(result.document.get("repo"))
            return RepositoryRow(
                key=result.task.key,
                state=result.state_token or result.head or "",
                kind=result.task.kind,
                name=_text(repo.get("name")),
                head=result.head,
                state_token=result.state_token,
                status="gathered",
                reason=None,
                message=None,
                duration_ms=result.duration_ms,
                run_id=run_id,
            )
        case RepoFailed():
            return RepositoryRow(
                key=result.task.key,
                state="",
                kind=result.task.kind,
                name=None,
                head=None,
                state_token=None,
                status="failed",
                reason=result.reason,
                message=result.message,
                duration_ms=result.duration_ms,
                run_id=run_id,
            )
        case _:
            assert_never(result)


def probe_counts(result: RepoResult) -> ProbeCounts:
    """The document's `gather` counts; a failure ran no probe it can tell of."""
    match result:
        case RepoGathered():
            gather = _map(result.document.get("gather"))
            return ProbeCounts(
                probes=_int(gather.get("probes")) or 0,
                ran=_int(gather.get("ran")) or 0,
                cached=_int(gather.get("cached")) or 0,
                skipped=_int(gather.get("skipped")) or 0,
                failed=_int(gather.get("failed")) or 0,
            )
        case RepoFailed():
            return ProbeCounts()
        case _:
            assert_never(result)


def run_identity(spec: TaskSpec, tasks: Sequence[RepoTask]) -> str:
    """A digest of the spec and the set of tasks: the same for a resumed run (Rule 3)."""
    plain = {
        "spec": _plain(spec),
        "tasks": sorted([t.key, t.kind, t.needs_engine] for t in tasks),
    }
    text = json.dumps(plain, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# version  = release [ "-" prerelease ] [ "+" build ] ; after an optional leading "v"
# release  = 1*DIGIT *( "." 1*DIGIT )
_VERSION = re.compile(r"v?(?P<release>[0-9]+(?:\.[0-9]+)*)(?:-(?P<pre>[0-9A-Za-z.-]+))?(?:\+.*)?")
_WIDTH = 12


def version_key(version: object) -> str | None:
    """A text that sorts as `version` does, for the store's `version_key()` SQL function: each
    release number zero-padded (at least three), a prerelease before its release. None when
    `version` is not a dotted version (a range, a URL, a git ref)."""
    if not isinstance(version, str) or len(version) > 200:
        return None
    found = _VERSION.fullmatch(version)
    if found is None:
        return None
    numbers = [int(n) for n in found["release"].split(".")]
    if any(n >= 10**_WIDTH for n in numbers):
        return None
    numbers += [0] * (3 - len(numbers))
    release = ".".join(str(n).zfill(_WIDTH) for n in numbers)
    # " " < "!" < ".": 1.0.0-rc1 < 1.0.0 < 1.0.0.1; prereleases compare as text
    return f"{release} {found['pre']}" if found["pre"] else f"{release}!"


def flatten(document: PlainDocument) -> dict[str, list[Row]]:
    """Every fact table's rows for one document, by table, in `FACT_COLUMNS` order (Rule 1)."""
    probes = _map(document.get("probes"))
    ci_jobs, ci_runners = _ci(_slice(probes, "ci"))
    return {
        "dependencies": _dependencies(_slice(probes, "manifests")),
        "base_images": _base_images(_slice(probes, "dockerfile")),
        "languages": _languages(_slice(probes, "languages")),
        "index_health": _index_health(_slice(probes, "index_health")),
        "ci_jobs": ci_jobs,
        "ci_runners": ci_runners,
        "runtime_traces": _runtime_traces(_slice(probes, "runtime_trace")),
    }


def _dependencies(manifests: Mapping[str, object]) -> list[Row]:
    rows: list[Row] = []
    for item in _seq(manifests.get("inventory")):
        entry = _map(item)
        name = _text(entry.get("name"))
        if name is None:
            continue
        rows.append(
            (
                _text(entry.get("ecosystem")),
                name,
                _text(entry.get("spec")),
                _text(entry.get("effective_spec")),
                _text(entry.get("resolved")),
                _text(entry.get("purl")),
                _text(entry.get("scope")),
                _flag(entry.get("direct")),
                _text(entry.get("manifest")),
                _text(entry.get("lockfile")),
                _text(entry.get("member")),
                _text(entry.get("source")),
                _json_strings(entry.get("groups")),
            )
        )
    return rows


def _base_images(dockerfile: Mapping[str, object]) -> list[Row]:
    rows: list[Row] = []
    for path, facts in _items(dockerfile.get("dockerfiles")):
        stages = _seq(_map(facts).get("stages"))
        for position, item in enumerate(stages):
            stage = _map(item)
            base = _map(stage.get("base"))
            rows.append(
                (
                    path,
                    _int(stage.get("index")),
                    _text(stage.get("name")),
                    _flag(position == len(stages) - 1),
                    _text(base.get("kind")),
                    _text(base.get("written")),
                    _text(base.get("resolved")),
                    _text(base.get("registry")),
                    _text(base.get("name")),
                    _text(base.get("tag")),
                    _text(base.get("digest")),
                    _text(base.get("platform")),
                )
            )
    return rows


def _languages(languages: Mapping[str, object]) -> list[Row]:
    primary = _text(languages.get("primary"))
    rows: list[Row] = []
    for item in _seq(languages.get("languages")):
        entry = _map(item)
        language = _text(entry.get("language"))
        if language is not None:
            files, size = _int(entry.get("files")), _int(entry.get("bytes"))
            lines = (_int(entry.get("code")), _int(entry.get("comment")), _int(entry.get("blank")))
            rows.append((language, files, size, _flag(language == primary), *lines))
    return rows


def _index_health(health: Mapping[str, object]) -> list[Row]:
    rows: list[Row] = []
    for item in _seq(health.get("indexes")):
        entry = _map(item)
        coverage = _map(entry.get("coverage"))
        error = _map(entry.get("error"))
        detail = _text(entry.get("reason")) or _text(error.get("message"))
        rows.append(
            (
                _text(entry.get("kind")),
                _text(entry.get("index_path")),
                _text(entry.get("indexer")),
                _int(entry.get("commits_behind")),
                _int(entry.get("changed_count")),
                _text(entry.get("basis")),
                _int(coverage.get("source_files")),
                _int(coverage.get("indexed_source_files")),
                detail,
            )
        )
    return rows


# The file each system's pipeline starts from (its jobs are the merged pipeline's)
_ENTRY_FILES: Mapping[str, str] = {
    "gitlab-ci": ".gitlab-ci.yml",
    "circleci": ".circleci/config.yml",
    "azure-pipelines": "azure-pipelines.yml",
    "travis": ".travis.yml",
    "bitbucket-pipelines": "bitbucket-pipelines.yml",
}


def _ci(ci: Mapping[str, object]) -> tuple[list[Row], list[Row]]:
    """CI jobs (system, file, job, name, image) and their runner labels (system, file, job,
    label): GitHub Actions' `runs-on`, CircleCI's machine/macOS/executor, Azure's vmImage/pool,
    Travis's os/dist; GitLab and Bitbucket jobs name images, not runners."""
    jobs: list[Row] = []
    runners: list[Row] = []

    def job(system: str, file: str, name: str, title: object, image: object,
            labels: Sequence[object] = ()) -> None:  # fmt: skip
        jobs.append((system, file, name, _text(title), _text(image)))
        runners.extend((system, file, name, label) for label in map(_text, labels) if label)

    for path, workflow in _items(ci.get("workflows")):
        for name, item in _items(_map(workflow).get("jobs")):
            entry = _map(item)
            image = _map(entry.get("container")).get("image")
            job("github-actions", path, name, entry.get("name"), image, _seq(entry.get("runs_on")))
    gitlab = _map(ci.get("gitlab"))
    for name, item in _items(gitlab.get("jobs")):
        image = _map(item).get("image") or gitlab.get("default_image")
        job("gitlab-ci", _ENTRY_FILES["gitlab-ci"], name, None, image)
    for name, item in _items(_map(ci.get("circleci")).get("jobs")):
        entry = _map(item)
        labels = [entry.get("machine"), entry.get("macos"), entry.get("executor")]
        job(
            "circleci",
            _ENTRY_FILES["circleci"],
            name,
            None,
            (*_seq(entry.get("docker")), None)[0],
            labels,
        )
    for position, item in enumerate(_seq(_map(ci.get("azure")).get("jobs"))):
        entry = _map(item)
        name = _text(entry.get("name")) or str(position)
        labels = [entry.get("vm_image"), entry.get("pool")]
        job(
            "azure-pipelines",
            _ENTRY_FILES["azure-pipelines"],
            name,
            entry.get("name"),
            entry.get("container"),
            labels,
        )
    for position, item in enumerate(_seq(_map(ci.get("travis")).get("include"))):
        entry = _map(item)
        labels = [entry.get("os"), entry.get("dist")]
        job("travis", _ENTRY_FILES["travis"], str(position), entry.get("name"), None, labels)
    for position, item in enumerate(_seq(_map(ci.get("bitbucket")).get("steps"))):
        entry = _map(item)
        job(
            "bitbucket-pipelines",
            _ENTRY_FILES["bitbucket-pipelines"],
            str(position),
            entry.get("name"),
            entry.get("image"),
        )
    return jobs, runners


def _runtime_traces(trace: Mapping[str, object]) -> list[Row]:
    status = _text(trace.get("status"))
    if status is None:
        return []
    return [
        (
            status,
            _text(trace.get("trace_coverage_confidence")),
            _text(trace.get("image_ref")),
            len(_seq(trace.get("scenarios"))),
            len(_seq(trace.get("binaries_executed"))),
            len(_seq(trace.get("files_read"))),
            len(_seq(trace.get("files_written"))),
            len(_seq(trace.get("shared_libraries"))),
            len(_seq(trace.get("network_connects"))),
        )
    ]


# ---- reading an untrusted shape (Rule 1) ------------------------------------------------------
def _slice(probes: Mapping[str, object], name: str) -> Mapping[str, object]:
    return _map(_map(probes.get(name)).get("slice"))


def _map(value: object) -> Mapping[str, object]:
    """`value` when it is a mapping (not copied: a lookup by a text key is safe whatever the other
    keys are; iterations go through `_items`), else an empty one."""
    return cast("Mapping[str, object]", value) if isinstance(value, Mapping) else _EMPTY


def _items(value: object) -> list[tuple[str, object]]:
    """A mapping's text-keyed items, sorted by key (a path, a job name)."""
    items = cast("Mapping[object, object]", value) if isinstance(value, Mapping) else _EMPTY
    return sorted(((k, v) for k, v in items.items() if isinstance(k, str)), key=lambda kv: kv[0])


def _seq(value: object) -> Sequence[object]:
    if isinstance(value, list | tuple):
        return cast("Sequence[object]", value)
    return ()


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _json_strings(value: object) -> str | None:
    """A list of strings as compact JSON array text (`["group:tests","extra:async"]`, queried
    with SQLite's `json_each`); its other members are left out; None when it is no list."""
    if not isinstance(value, list | tuple):
        return None
    items = [v for v in cast("Sequence[object]", value) if isinstance(v, str)]
    return json.dumps(items, separators=(",", ":"), ensure_ascii=False)


def _int(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _flag(value: object) -> int | None:
    return int(value) if isinstance(value, bool) else None


def _plain(value: object) -> object:
    """`value` as JSON would hold it, with sets sorted, so its digest is stable (Rule 3)."""
    if attrs.has(type(value)):
        return {f.name: _plain(getattr(value, f.name)) for f in attrs.fields(type(value))}
    if isinstance(value, Mapping):
        items = cast("Mapping[object, object]", value)
        return {str(k): _plain(v) for k, v in items.items()}
    if isinstance(value, frozenset | set):
        members = cast("frozenset[object]", value)
        return sorted((_plain(m) for m in members), key=lambda m: json.dumps(m, sort_keys=True))
    if isinstance(value, list | tuple):
        return [_plain(v) for v in cast("Sequence[object]", value)]
    if value is None or isinstance(value, str | int | float):
        return value
    return repr(value)  # a field type added later (an enum, a path): its repr is stable
