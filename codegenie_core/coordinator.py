"""The coordinator: runs the selected probes as a DAG by `needs` and `writes`, inside a CPU budget.

Rule 1: light probes run concurrently, at most `cpu_budget` at once; heavy probes run one at a
time (and count against the budget while they run).
Rule 2: a probe that raises or overruns its timeout becomes `Failed`; the others go on. A probe
whose upstream failed (or was skipped because of a failure further up) is `Skipped` with that
reason. An upstream that was skipped for its own reasons (not applicable, tool unavailable) does not
block: `needs` means "run after it, and read its slice if it has one",
so the dependant finds no entry for it in `ctx.upstream`. No exception from a probe escapes
`gather` (see ADR-0002).
Rule 3: a probe's cache key folds in the keys of the probes it needs, so a changed upstream busts
its dependants too (see ADR-0004).
Rule 4: KeyboardInterrupt stops scheduling at once and propagates; nothing has been written, since
outputs are written only from the finished result (see ADR-0003).
Rule 5: a cached result is structured into its typed slice only when a probe in the plan needs it
and must run (see `codegenie_core.handover`); otherwise it is rendered as stored (see ADR-0020,
ADR-0085).
Rule 6: a plan is checked before any probe starts: every need is in it, earlier, with no cycle and
no name twice, else a `RegistryError` naming the probe; and should the loop ever find nothing
running and nothing able to start, it raises `UnsatisfiablePlan` instead of spinning (ADR-0029).
Rule 7: the scheduling policy (Rules 1, 2 and 6's guard, deadlines) is the pure
`codegenie_core.schedule.Schedule`; `gather` is only the shell owning threads, queue and clock
(see ADR-0031).
Rule 8: what the shell knows of a probe it reads from its spec: the deadline (`deadline_s`), the
heaviness, and the probes it runs after (`run_after`: its needs, and the writers of what it reads;
the writers only order it, they never skip it). Each probe sees the repository scoped to its reads
and only the ports its spec names; a read outside its reads fails it under `strict_reads`, else
keeps its result out of the cache with a note saying why (see ADR-0030).

Rule 9: a probe registered from the built-in catalog (a `LazyProbe`, ADR-0077) has an `applies`
that is a function of what its key covers, so its cache hit is served before `applies` is asked
(a hit means it applied to these same inputs), and one whose `applies_when` globs match no listed
file is skipped without asking, as one is whose `declines_unless` option is off (with the reason
its `run` gives), or whose `declines_on` hook declines on its upstreams' plain slices (a cached
one's as stored, one computed now as its fields; ADR-0090): a warm gather imports no probe's code,
and a dependant that declines after an edit structures none of its cached upstreams.
Rule 10: a cached upstream whose entry does not structure when a dependant must run is run again,
without reading the cache, and the dependant starts over once it has (`Schedule.reopen`); a cached
outcome of a probe with dependants is reported once they are all decided, so no probe is reported
twice (see ADR-0085).

Probes run on daemon threads: a probe that overruns its timeout is abandoned, not killed (Python
cannot kill a thread); probes that start processes bound them with their own timeouts.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, Literal

import attrs

from codegenie_core.cache_keys import (
    CacheKey,
    InputTables,
    KeyExplanation,
    explain_key,
    recorded_explanation,
    with_upstream,
)
from codegenie_core.config import CacheMode
from codegenie_core.errors import RegistryError
from codegenie_core.globs import matching_paths
from codegenie_core.handover import Unstructured, declines_hook, handed_upstreams, plain_upstreams
from codegenie_core.key_changes import MissWatch, key_change
from codegenie_core.outcomes import Cached, Failed, ProbeOutcome, Ran, Skipped
from codegenie_core.ports import CacheStore, Clock, RepoFiles
from codegenie_core.probe import Envelope, NotApplicable, ProbeContext
from codegenie_core.registry import ProbeRegistry, RegisteredProbe
from codegenie_core.schedule import Schedule, Task
from codegenie_core.scoped_reads import ScopedRepo, context_for, undeclared_note
from codegenie_core.spec import run_after


@attrs.frozen(kw_only=True)
class GatherResult:
    """Every selected probe's outcome, in plan order, and how the gather was run."""

    outcomes: tuple[ProbeOutcome, ...]
    cpu_budget: int
    duration_ms: int


def select_probes(
    registry: ProbeRegistry, *, names: Sequence[str], layers: frozenset[str]
) -> list[RegisteredProbe]:
    """The probes to run: the named ones (or every one of the selected layers), plus everything
    they transitively need, in a topological order. Unknown names and cycles are errors."""
    if names:
        unknown = [n for n in names if registry.get(n) is None]
        if unknown:
            raise RegistryError(
                f"unknown probe {unknown[0]!r}; valid names: {', '.join(registry.names())}",
                probe=unknown[0],
            )
        wanted = list(dict.fromkeys(names))
    else:
        wanted = [r.name for r in registry if r.spec.layer in layers]
    # First what is selected (the wanted probes and what they need), then an order over it that
    # also puts a writer before the probes reading what it writes (Rule 7).
    selected: dict[str, RegisteredProbe] = {}

    def pull(name: str, chain: tuple[str, ...]) -> None:
        if name in selected:
            return
        registered = registry.get(name)
        if registered is None:
            raise RegistryError(
                f"probe {chain[-1]!r} needs unknown probe {name!r}", probe=chain[-1]
            )
        selected[name] = registered
        for upstream in registered.spec.needs:
            pull(upstream, (*chain, name))

    for name in wanted:
        pull(name, ())
    after = run_after(r.spec for r in selected.values())
    return [selected[name] for name in _dependency_order(selected, after)]


def validate_plan(plan: Sequence[RegisteredProbe]) -> None:
    """Rule 6: `RegistryError` unless every probe's needs are in `plan`, without a cycle, and no
    name is there twice."""
    by_name: dict[str, RegisteredProbe] = {}
    for registered in plan:
        if registered.name in by_name:
            raise RegistryError(
                f"probe {registered.name!r} is in the plan twice", probe=registered.name
            )
        by_name[registered.name] = registered
    after = run_after(r.spec for r in plan)
    for registered in plan:
        for upstream in registered.spec.needs:
            if upstream not in by_name:
                raise RegistryError(
                    f"probe {registered.name!r} needs probe {upstream!r}, which is not in the plan",
                    probe=registered.name,
                )
    _dependency_order((r.name for r in plan), after)


def _dependency_order(names: Iterable[str], after: Mapping[str, Sequence[str]]) -> list[str]:
    """`names`, each after the probes it runs after (`run_after`); a cycle is a `RegistryError`
    naming it. Every name `after` mentions must be a key of `after`."""
    ordered: list[str] = []
    state: dict[str, Literal["visiting", "done"]] = {}

    def visit(name: str, chain: tuple[str, ...]) -> None:
        if state.get(name) == "done":
            return
        if state.get(name) == "visiting":
            raise RegistryError(
                f"probe dependency cycle: {' -> '.join((*chain, name))}", probe=name
            )
        state[name] = "visiting"
        for upstream in after[name]:
            visit(upstream, (*chain, name))
        state[name] = "done"
        ordered.append(name)

    for name in names:
        visit(name, ())
    return ordered


@attrs.frozen(kw_only=True)
class _Finished:
    name: str
    outcome: ProbeOutcome | Unstructured


def drafted_tables(repo: RepoFiles, plan: Sequence[RegisteredProbe]) -> InputTables:
    """The input tables of a gather of `plan` over `repo`, what every probe's key needs of the
    listing's draft being made on a thread of their own while the listing is asked (ADR-0095)."""
    tables = InputTables(repo)
    specs = [r.spec for r in plan]
    threading.Thread(target=tables.draft, args=(specs,), name="draft-keys", daemon=True).start()
    return tables


def gather(
    plan: Sequence[RegisteredProbe],
    *,
    base_ctx: ProbeContext,
    cache: CacheStore | None,
    cache_mode: CacheMode,
    cpu_budget: int,
    clock: Clock,
    on_outcome: Callable[[ProbeOutcome], None] | None = None,
    strict_reads: bool = False,
    misses: MissWatch | None = None,
    tables: InputTables | None = None,
) -> GatherResult:
    """Run `plan` (as `select_probes` orders it) and return every outcome.

    The policy is the pure `Schedule`; this shell owns the threads, the queue and the clock.
    `on_outcome` is called on the calling thread as each outcome is known (for progress lines).
    `strict_reads` makes a read outside a probe's declared reads fail that probe (Rule 8);
    `misses` hears why each probe missed the cache and records what its new entry was keyed on;
    `tables` (`drafted_tables` of `base_ctx.repo` and `plan`, made earlier) replaces the gather's
    own."""
    assert cpu_budget >= 1, "the CPU budget is a positive integer"
    validate_plan(plan)
    gather_started = clock.monotonic()
    by_name = {r.name: r for r in plan}
    after = run_after(r.spec for r in plan)
    schedule = Schedule(
        (
            Task(
                name=r.name,
                heaviness=r.heaviness,
                needs=r.spec.needs,
                after=tuple(name for name in after[r.name] if name not in r.spec.needs),
                deadline_s=r.spec.deadline_s(base_ctx.config),
            )
            for r in plan
        ),
        budget=cpu_budget,
    )
    keys: dict[str, CacheKey] = {}
    finished: queue.Queue[_Finished] = queue.Queue()
    if tables is None:  # probes declaring the same globs share one expansion
        tables = drafted_tables(base_ctx.repo, plan)
    dependants = {r.name: [d.name for d in plan if r.name in d.spec.needs] for r in plan}
    rerun: set[str] = set()  # cached upstreams that did not structure: run without a read
    held: dict[str, Cached] = {}  # a cached upstream is reported once its dependants are decided

    def start(registered: RegisteredProbe) -> None:
        outcomes = schedule.outcomes
        upstream = {name: outcomes[name] for name in registered.spec.needs}
        upstream_keys = [(name, keys[name]) for name in registered.spec.needs if name in keys]
        schedule.started(registered.name, at=clock.monotonic())
        mode: CacheMode = (
            "refresh" if registered.name in rerun and cache_mode == "use" else cache_mode
        )

        def scoped(envelopes: Mapping[str, Envelope]) -> _Scoped:
            ctx, view = context_for(
                base_ctx, registered.spec, upstream=envelopes, strict=strict_reads, tables=tables
            )
            return _Scoped(ctx=ctx, view=view, base=base_ctx)

        def work() -> None:
            outcome, key = _attempt(
                registered,
                _Upstream(outcomes=upstream, keys=upstream_keys, scoped=scoped, base=base_ctx),
                cache,
                mode,
                clock,
                tables,
                misses=misses,
            )
            if key is not None:
                keys[registered.name] = key
            finished.put(_Finished(name=registered.name, outcome=outcome))

        threading.Thread(target=work, name=f"probe:{registered.name}", daemon=True).start()

    def report(outcome: ProbeOutcome) -> None:
        if isinstance(outcome, Cached) and dependants[outcome.probe]:
            held[outcome.probe] = outcome  # it may yet have to run again (Rule 10)
            return
        decided = schedule.outcomes
        shown = [held.pop(n) for n in list(held) if all(d in decided for d in dependants[n])]
        for each in (*shown, outcome):
            if on_outcome is not None:
                on_outcome(each)

    def record(name: str, outcome: ProbeOutcome | Unstructured) -> None:
        if isinstance(outcome, Unstructured):  # Rule 10: run those upstreams again first
            for upstream in schedule.reopen(name, outcome.upstreams):
                rerun.add(upstream)
                del held[upstream]
            return
        for decided in (outcome, *schedule.finished(name, outcome)):
            report(decided)

    while not schedule.done:
        for name in schedule.ready():  # raises UnsatisfiablePlan rather than spin (Rule 6)
            start(by_name[name])
        nearest = schedule.next_deadline()
        assert nearest is not None, "ready() raises when nothing runs and nothing can start"
        try:
            done = finished.get(timeout=max(0.0, nearest - clock.monotonic()))
        except queue.Empty:
            done = None
        if done is not None and done.name in schedule.running:  # else it overran and was failed
            record(done.name, done.outcome)
        now = clock.monotonic()
        for name in schedule.expired(now):
            run = schedule.running[name]
            failed = Failed(
                probe=name,
                error_type="ProbeTimeout",
                message=f"probe {name!r} exceeded its timeout of {run.task.deadline_s:g} s",
                duration_ms=_ms(now - run.started_at),
            )
            record(name, failed)

    assert not held, "every dependant of a held upstream is decided when the schedule is done"
    outcomes = schedule.outcomes
    return GatherResult(
        outcomes=tuple(outcomes[r.name] for r in plan),
        cpu_budget=cpu_budget,
        duration_ms=_ms(clock.monotonic() - gather_started),
    )


@attrs.frozen(kw_only=True)
class _Scoped:
    """One probe's context, the scoped view inside it, and the gather's own context (for keys)."""

    ctx: ProbeContext
    view: ScopedRepo
    base: ProbeContext


@attrs.frozen(kw_only=True)
class _Upstream:
    """What a probe is started with: its needs' outcomes and keys, the gather's own context (for
    keys and `applies_when`), and how to build its context once its upstreams are typed."""

    outcomes: Mapping[str, ProbeOutcome]
    keys: Sequence[tuple[str, CacheKey]]
    scoped: Callable[[Mapping[str, Envelope]], _Scoped]
    base: ProbeContext


def probe_key(
    registered: RegisteredProbe,
    ctx: ProbeContext,
    upstream_keys: Sequence[tuple[str, CacheKey]],
    tables: InputTables | None = None,
) -> tuple[KeyExplanation, CacheKey]:
    """The explanation of a probe's own key, and its key with its upstreams folded in."""
    explanation = explain_key(registered.spec, ctx.repo, ctx, tables=tables)
    return explanation, with_upstream(explanation.key, upstream_keys)


def _attempt(
    registered: RegisteredProbe,
    upstream: _Upstream,
    cache: CacheStore | None,
    cache_mode: CacheMode,
    clock: Clock,
    tables: InputTables,
    misses: MissWatch | None = None,
) -> tuple[ProbeOutcome | Unstructured, CacheKey | None]:
    """One probe, start to finish, as a value. Exceptions from the probe become `Failed`.

    A cache hit is trusted as stored (it is only rendered, and a dependant that hits or declines
    never types it); a dependant that must run has its cached upstreams structured first, and
    returns `Unstructured` naming those that do not, so it never meets a broken upstream (Rule 5,
    Rule 10). A probe that read outside its declared reads is not cached, and says so (Rule 8).
    A catalogued probe (Rule 9) is skipped without its code when no listed file matches its
    `applies_when`, its hit is served before its `applies` is asked, and its `declines_on` hook
    decides on its upstreams' plain slices before any cached one is typed."""
    probe, spec = registered.probe, registered.spec
    started = clock.monotonic()
    key: CacheKey | None = None
    base, upstream_keys = upstream.base, upstream.keys

    def not_applicable() -> Skipped:
        reason = NotApplicable(reason=spec.not_applicable_reason(base.repo.list_files()))
        return Skipped(probe=spec.name, reason=reason)

    def hit_of(key: CacheKey) -> Cached | None:
        if cache is None or cache_mode != "use":
            return None
        hit = cache.get(key, spec.slice_type)
        if hit is None:
            return None
        elapsed = _ms(clock.monotonic() - started)
        return Cached(probe=spec.name, entry=hit, duration_ms=elapsed, cache_key=key.hex)

    def declined(explanation: KeyExplanation, key: CacheKey, reason: str) -> Skipped:
        _heard_miss(misses, explanation, key, upstream_keys, cache, cache_mode)
        elapsed = _ms(clock.monotonic() - started)
        return Skipped(probe=spec.name, reason=NotApplicable(reason=reason), duration_ms=elapsed)

    try:
        when = registered.applies_when
        # `applies_when` globs are among the probe's reads, so the files its key matches (one
        # match per set of globs, shared) hold every file they match (ADR-0077).
        if when is not None and not matching_paths(when, tables.paths(spec.reads)):
            return not_applicable(), None
        if registered.keyed_applies:
            explanation, key = probe_key(registered, base, upstream_keys, tables)
            if (cached := hit_of(key)) is not None:
                return cached, key
            if (declines := registered.declines_unless) is not None:
                field, reason = declines
                if not getattr(base.config, field):
                    return declined(explanation, key, reason), key
            plain = plain_upstreams(spec.needs, upstream.outcomes)
            if registered.declines_on is not None and plain is not None:
                reason = declines_hook(registered.declines_on)(plain)
                if reason is not None:
                    return declined(explanation, key, reason), key
            handed = handed_upstreams(spec.needs, upstream.outcomes)
            if isinstance(handed, Unstructured):
                return handed, key
            scoped = upstream.scoped(handed.envelopes)
            if not probe.applies(scoped.ctx):
                return not_applicable(), None
        else:
            handed = handed_upstreams(spec.needs, upstream.outcomes)
            if isinstance(handed, Unstructured):
                return handed, None
            scoped = upstream.scoped(handed.envelopes)
            if not probe.applies(scoped.ctx):
                return not_applicable(), None
            explanation, key = probe_key(registered, base, upstream_keys, tables)
            if (cached := hit_of(key)) is not None:
                return cached, key
        recorded = _heard_miss(misses, explanation, key, upstream_keys, cache, cache_mode)
        result = probe.run(scoped.ctx)
        elapsed = _ms(clock.monotonic() - started)
        if not isinstance(result, Envelope):
            return Skipped(probe=spec.name, reason=result, duration_ms=elapsed), key
        undeclared = scoped.view.undeclared
        if undeclared:
            notes = tuple(undeclared_note(path) for path in undeclared)
            result = attrs.evolve(result, notes=(*result.notes, *notes))
        elif cache is not None and cache_mode != "off":
            cache.put(key, result)
            if misses is not None and recorded is not None:
                misses.log.record(spec.name, recorded)
        return Ran(probe=spec.name, envelope=result, duration_ms=elapsed, cache_key=key.hex), key
    except Exception as error:  # Rule 2: a probe's exception is its outcome, never the gather's
        elapsed = _ms(clock.monotonic() - started)
        failed = Failed(
            probe=spec.name,
            error_type=type(error).__name__,
            message=str(error) or repr(error),
            duration_ms=elapsed,
        )
        return failed, key


def _heard_miss(
    misses: MissWatch | None,
    explanation: KeyExplanation,
    key: CacheKey,
    upstream_keys: Sequence[tuple[str, CacheKey]],
    cache: CacheStore | None,
    cache_mode: CacheMode,
) -> dict[str, Any] | None:
    """On a miss of a gather that writes the cache: tell `misses` what changed since the last
    entry, and return the form to record once the new entry is written."""
    if misses is None or cache is None or cache_mode == "off":
        return None
    current = recorded_explanation(explanation, key, upstream_keys)
    if misses.heard is not None:
        misses.heard(key_change(misses.log.last(explanation.probe), current))
    return current


def _ms(seconds: float) -> int:
    return max(0, round(seconds * 1000))
