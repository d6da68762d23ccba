"""One gather from ports to documents: the pure path both the CLI and the Python API take.

Rule 1: the ports come from a `PortFactory` (codegenie_core.request); which adapters serve it is
the caller's choice (the CLI's composition root, `codegenie_adapters.gather_repository`, or a
test's fakes), and this module imports none (see ADR-0034).
Rule 2: the options travel as one frozen `GatherRequest`; what the probes see is its `config`.
Rule 3: `Gathered.to_document()` is the context document the CLI writes, byte for byte once dumped:
there is one way from outcomes to a document.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import attrs

from codegenie_core import __version__
from codegenie_core.cache_keys import InputTables
from codegenie_core.config import GatherConfig
from codegenie_core.coordinator import drafted_tables, select_probes
from codegenie_core.coordinator import gather as run_plan
from codegenie_core.cpu_budget import FORCE_CPU_COUNT_VARIABLE, effective_cpu_count
from codegenie_core.errors import ConfigError, GitError
from codegenie_core.key_changes import KeyChange, MissWatch
from codegenie_core.outcomes import Cached, Failed, ProbeOutcome, Ran, Skipped
from codegenie_core.ports import CacheStore, GitState, RepoFiles
from codegenie_core.probe import ProbeContext
from codegenie_core.registry import DEFAULT_REGISTRY, ProbeRegistry, RegisteredProbe
from codegenie_core.report.context import PlainData, RepoIdentity, ToPlain, build_context
from codegenie_core.report.markdown import render_markdown
from codegenie_core.request import CacheMode, GatherRequest, OpenedRepo, PortFactory
from codegenie_core.spec import ports_for


def cpu_budget(ports: PortFactory, jobs: int | None) -> int:
    """`jobs` when given, else `effective_cpu_count` of the factory's environment; a bad
    `CODEGENIE_FORCE_CPU_COUNT` is a `ConfigError` naming it."""
    if jobs is not None:
        return jobs
    try:
        return effective_cpu_count(ports.environ(), ports.cpu_count())
    except ValueError as error:
        raise ConfigError(str(error), variable=FORCE_CPU_COUNT_VARIABLE) from None


def probe_context(
    ports: PortFactory, config: GatherConfig, plan: Sequence[RegisteredProbe], opened: OpenedRepo
) -> ProbeContext:
    """Only the ports some probe of `plan` names in its spec are built (see ADR-0030)."""
    wanted = ports_for(r.spec for r in plan)
    root, cache_dir = opened.root, opened.cache_dir
    engine = "containers" in wanted or "image_digest" in wanted
    containers = ports.containers(root, config) if engine else None
    return ProbeContext(
        repo=opened.repo,
        config=config,
        clock=ports.clock(),
        yaml=ports.yaml(),
        containers=containers if "containers" in wanted else None,
        index_reader=ports.index_reader(root, cache_dir) if "index_reader" in wanted else None,
        indexer=ports.indexer(root, config, cache_dir) if "indexer" in wanted else None,
        image_digest_resolver=(
            ports.image_digest_resolver(containers, opened.repo, root)
            if "image_digest" in wanted
            else None
        ),
    )


@attrs.frozen(kw_only=True)
class Gathered:
    """One gather's result: every selected probe's outcome in plan order, and what the documents
    need. `to_document()` and `to_markdown()` give what the CLI writes."""

    repo: RepoIdentity
    plan: tuple[RegisteredProbe, ...]
    outcomes: tuple[ProbeOutcome, ...]
    cpu_budget: int
    duration_ms: int
    to_plain: ToPlain = attrs.field(eq=False, repr=False)

    def to_document(self) -> dict[str, PlainData]:
        """The context document as plain, ordered data (`context.json` / `context.yaml`)."""
        return build_context(
            repo=self.repo,
            plan=self.plan,
            outcomes=self.outcomes,
            cpu_budget=self.cpu_budget,
            duration_ms=self.duration_ms,
            generator_version=__version__,
            to_plain=self.to_plain,
        )

    def to_markdown(
        self,
        document: dict[str, PlainData] | None = None,
        *,
        generated_at: str | None = None,
        document_file: str | None = None,
    ) -> str:
        """The Markdown report (`report.md`); pass `document` when it is already built,
        `generated_at` to say when the gather ran, and `document_file` when the context document
        is written beside the report."""
        context = self.to_document() if document is None else document
        return render_markdown(
            repo=self.repo,
            plan=self.plan,
            outcomes=self.outcomes,
            context=context,
            generated_at=generated_at,
            document_file=document_file,
        )


def gather(
    ctx: ProbeContext,
    *,
    to_plain: ToPlain,
    plan: Sequence[RegisteredProbe] | None = None,
    registry: ProbeRegistry = DEFAULT_REGISTRY,
    cache: CacheStore | None = None,
    cache_mode: CacheMode = "use",
    cpu_budget: int = 1,
    on_outcome: Callable[[ProbeOutcome], None] | None = None,
    strict_reads: bool = False,
    misses: MissWatch | None = None,
    tables: InputTables | None = None,
) -> Gathered:
    """Run a gather over the ports in `ctx`, any ports (fakes included), and never raise for a
    probe's failure: each outcome is a value. `plan` defaults to `registry`'s probes that
    `ctx.config` selects (its `probes`, else its `layers`); `DEFAULT_REGISTRY` holds the built-in
    probes once `codegenie_core.probes.load_builtin_probes()` has run. `to_plain` turns a
    computed slice into plain data (`codegenie_adapters.serde.plain_data`); a slice it cannot
    turn fails its probe. `strict_reads` makes a read outside a probe's declared reads fail that
    probe; otherwise such a result is not cached and says why (see ADR-0030). `misses` hears why
    each probe missed the cache and keeps what each new entry was keyed on (ADR-0072); `tables`
    are `coordinator.drafted_tables` of `ctx.repo` and `plan`, when made before (ADR-0095).
    Raises `RegistryError` for an unknown probe name or a dependency cycle."""
    if plan is None:
        plan = select_probes(registry, names=ctx.config.probes, layers=ctx.config.layers)
    result = run_plan(
        plan,
        base_ctx=ctx,
        cache=None if cache_mode == "off" else cache,
        cache_mode=cache_mode,
        cpu_budget=cpu_budget,
        clock=ctx.clock,
        on_outcome=on_outcome,
        strict_reads=strict_reads,
        misses=misses,
        tables=tables,
    )
    checked = _CheckedPlain(to_plain)
    return Gathered(
        repo=RepoIdentity(name=ctx.repo.name, git=_git_identity(ctx.repo)),
        plan=tuple(plan),
        outcomes=tuple(_renderable(outcome, checked) for outcome in result.outcomes),
        cpu_budget=result.cpu_budget,
        duration_ms=result.duration_ms,
        to_plain=checked,
    )


class _CheckedPlain:
    """`to_plain`, remembering the plain data of each slice `_renderable` checked until the first
    document takes it: a slice is turned into plain data once for the check and the first
    document, not twice (a 10,000-package inventory takes seconds). Later documents compute their
    own, so no two documents share mutable data."""

    def __init__(self, to_plain: ToPlain) -> None:
        self._to_plain = to_plain
        self._checked: dict[int, tuple[object, PlainData]] = {}

    def check(self, value: object) -> None:
        self._checked[id(value)] = (value, self._to_plain(value))

    def __call__(self, value: object) -> PlainData:
        held = self._checked.pop(id(value), None)
        if held is not None and held[0] is value:
            return held[1]
        return self._to_plain(value)


def gather_with(
    ports: PortFactory,
    request: GatherRequest,
    opened: OpenedRepo,
    *,
    registry: ProbeRegistry = DEFAULT_REGISTRY,
    on_outcome: Callable[[ProbeOutcome], None] | None = None,
    on_plan: Callable[[Sequence[RegisteredProbe]], None] | None = None,
    strict_reads: bool = False,
    on_miss: Callable[[KeyChange], None] | None = None,
) -> Gathered:
    """The whole gather of an opened repository: select the plan, build its ports from `ports`,
    open the cache (unless `cache_mode` is "off") and run. `on_plan` hears the plan first;
    `on_miss` hears why each probe missed the cache (ADR-0072)."""
    budget = cpu_budget(ports, request.jobs)
    config = request.config
    plan = select_probes(registry, names=config.probes, layers=config.layers)
    if on_plan is not None:
        on_plan(plan)
    tables = drafted_tables(opened.repo, plan)  # started before the ports are built (ADR-0095)
    ctx = probe_context(ports, config, plan, opened)
    cache = (
        None
        if request.cache_mode == "off"
        else ports.open_cache(
            opened.cache_dir,
            max_bytes=request.cache_max_bytes,
            remote_cache=request.remote_cache,
        )
    )
    key_log = None if cache is None else ports.key_log(opened.cache_dir, opened.root)
    return gather(
        ctx,
        to_plain=ports.to_plain,
        plan=plan,
        cache=cache,
        cache_mode=request.cache_mode,
        cpu_budget=budget,
        on_outcome=on_outcome,
        strict_reads=strict_reads,
        misses=None if key_log is None else MissWatch(log=key_log, heard=on_miss),
        tables=tables,
    )


def _git_identity(repo: RepoFiles) -> GitState | None:
    """The git state for the document's head; where git refuses, the `git` probe has already
    failed with the reason, and the document names no commit (see ADR-0029)."""
    try:
        return repo.git_state()
    except GitError:
        return None


def _renderable(outcome: ProbeOutcome, to_plain: _CheckedPlain) -> ProbeOutcome:
    """A computed slice the context document cannot hold (a value JSON cannot write, such as a
    datetime) fails its probe, as any other probe bug does, instead of failing the gather."""
    match outcome:
        case Ran(envelope=envelope):
            try:
                to_plain.check(envelope.slice)
            except (TypeError, ValueError) as error:
                return Failed(
                    probe=outcome.probe,
                    error_type=type(error).__name__,
                    message=f"its slice cannot be written to the context document: {error}",
                    duration_ms=outcome.duration_ms,
                )
            return outcome
        case Cached() | Skipped() | Failed():
            return outcome
