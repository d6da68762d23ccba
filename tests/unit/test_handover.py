"""The hand-over of upstream results (ADR-0085): a cached upstream stays plain until a dependant
must run; one that does not structure runs again, reported once; `declines_on` decides on the
plain slices."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

from codegenie_adapters.fakes import FakeRepo, InMemoryCache
from codegenie_core.cache_keys import CacheKey
from codegenie_core.coordinator import gather
from codegenie_core.handover import Handed, Unstructured, handed_upstreams, plain_upstreams
from codegenie_core.outcomes import Cached, ProbeOutcome, Ran, Skipped
from codegenie_core.probe import (
    CachedEnvelope,
    CacheEntryError,
    Envelope,
    NotApplicable,
    ProbeContext,
    Skip,
)
from codegenie_core.registry import RegisteredProbe
from tests.support import CountSlice, FakeClock, context, count_files, scripted

HOOK = f"{__name__}:decline_without_files"
heard: list[Mapping[str, Any]] = []


def decline_without_files(upstream: Mapping[str, Any]) -> str | None:
    """A `declines_on` hook: declines when the base saw no `.txt` file, by its plain slice."""
    heard.append(upstream)
    base = upstream.get("base")
    return "the base saw no text file" if base is not None and base["files"] == 0 else None


@attrs.define
class CountingCache:
    """An `InMemoryCache` whose hits count how often each is structured; `broken` names the
    probes whose entries do not structure."""

    inner: InMemoryCache = attrs.field(factory=InMemoryCache)
    broken: set[str] = attrs.field(factory=set[str])
    structured: list[str] = attrs.field(factory=list[str])

    def get(self, key: CacheKey, slice_type: Any) -> CachedEnvelope | None:
        hit = self.inner.get(key, slice_type)
        if hit is None:
            return None
        load, probe = hit.load, hit.probe

        def counted() -> Envelope:
            self.structured.append(probe)
            if probe in self.broken:
                raise CacheEntryError(f"cache entry of {probe} does not structure")
            return load()

        return attrs.evolve(hit, load=counted)

    def put(self, key: CacheKey, envelope: Envelope) -> None:
        self.inner.put(key, envelope)


@attrs.define
class Runs:
    names: list[str] = attrs.field(factory=list[str])

    def counted(self, name: str, reads: str) -> Any:
        inner = count_files(name)

        def behaviour(ctx: ProbeContext) -> Envelope | Skip:
            self.names.append(name)
            return inner(ctx)

        return scripted(name, behaviour=behaviour, declared_inputs=(reads,))


def plan(runs: Runs, *, declines_on: str | None = None) -> list[RegisteredProbe]:
    """`base` (reads `*.txt`) and `top` (reads `*.py`, needs `base`), registered as catalogued
    probes are (`keyed_applies`)."""
    base, top = runs.counted("base", "*.txt"), runs.counted("top", "*.py")
    top = attrs.evolve(top, needs=("base",))
    return [
        RegisteredProbe(probe=base, spec=base.spec, source="test", keyed_applies=True),
        RegisteredProbe(
            probe=top, spec=top.spec, source="test", keyed_applies=True, declines_on=declines_on
        ),
    ]


def run(
    probes: list[RegisteredProbe], repo: FakeRepo, cache: CountingCache
) -> tuple[dict[str, ProbeOutcome], list[str]]:
    reported: list[ProbeOutcome] = []
    result = gather(
        probes,
        base_ctx=context(repo),
        cache=cache,
        cache_mode="use",
        cpu_budget=2,
        clock=FakeClock(),
        on_outcome=reported.append,
    )
    return {o.probe: o for o in result.outcomes}, [o.probe for o in reported]


def kinds(outcomes: Mapping[str, ProbeOutcome]) -> dict[str, str]:
    return {name: type(outcome).__name__ for name, outcome in outcomes.items()}


def repo() -> FakeRepo:
    return FakeRepo(files={"a.txt": b"a", "b.py": b"b"})


def test_a_dependant_that_hits_never_structures_its_cached_upstream() -> None:
    runs, cache, files = Runs(), CountingCache(), repo()
    run(plan(runs), files, cache)
    outcomes, reported = run(plan(runs), files, cache)
    assert kinds(outcomes) == {"base": "Cached", "top": "Cached"}
    assert (cache.structured, runs.names, reported) == ([], ["base", "top"], ["base", "top"])


def test_a_dependant_that_misses_reads_its_upstream_structured_from_the_cache() -> None:
    runs, cache, files = Runs(), CountingCache(), repo()
    run(plan(runs), files, cache)
    files.files["b.py"] = b"edited"  # only top's key changes
    outcomes, reported = run(plan(runs), files, cache)
    top = outcomes["top"]
    assert isinstance(outcomes["base"], Cached) and isinstance(top, Ran)
    assert top.envelope.slice == CountSlice(files=1, upstream=("base",))
    assert (cache.structured, runs.names) == (["base"], ["base", "top", "top"])
    assert reported == ["base", "top"]


def test_an_upstream_that_does_not_structure_runs_again_and_is_reported_once() -> None:
    runs, cache, files = Runs(), CountingCache(), repo()
    run(plan(runs), files, cache)
    files.files["b.py"] = b"edited"
    cache.broken.add("base")
    outcomes, reported = run(plan(runs), files, cache)
    assert kinds(outcomes) == {"base": "Ran", "top": "Ran"}
    assert runs.names == ["base", "top", "base", "top"]  # run again without reading the cache
    assert cache.structured == ["base"]
    assert reported == ["base", "top"]  # never "base" cached, then "base" ran


def test_declines_on_decides_on_the_plain_slices_without_structuring_or_running() -> None:
    runs, cache = Runs(), CountingCache()
    files = FakeRepo(files={"b.py": b"b"})  # base sees no text file
    heard.clear()
    run(plan(runs, declines_on=HOOK), files, cache)
    assert heard == [{"base": {"files": 0, "upstream": []}}]  # cold: base's fields, as it ran
    assert runs.names == ["base"]
    heard.clear()
    files.files["b.py"] = b"edited"
    runs.names.clear()
    outcomes, _ = run(plan(runs, declines_on=HOOK), files, cache)
    reason = NotApplicable(reason="the base saw no text file")
    assert outcomes["top"] == Skipped(probe="top", reason=reason, duration_ms=0)
    assert (cache.structured, runs.names) == ([], [])
    assert heard == [{"base": {"files": 0, "upstream": []}}]


def test_declines_on_that_says_run_hands_over_the_typed_upstream() -> None:
    runs, cache, files = Runs(), CountingCache(), repo()
    run(plan(runs, declines_on=HOOK), files, cache)
    files.files["b.py"] = b"edited"
    outcomes, _ = run(plan(runs, declines_on=HOOK), files, cache)
    assert isinstance(outcomes["top"], Ran)
    assert cache.structured == ["base"]


def test_declines_on_after_an_upstream_ran_structures_no_cached_upstream() -> None:
    """ADR-0090: one upstream ran (its file was edited), another is cached; a dependant whose
    hook declines on the computed slice's fields never structures the cached one."""
    runs, cache = Runs(), CountingCache()
    files = FakeRepo(files={"b.py": b"b", "c.md": b"c"})  # base sees no text file
    other = runs.counted("other", "*.md")
    probes = plan(runs, declines_on=HOOK)
    top = probes[1]
    probes = [
        probes[0],
        RegisteredProbe(probe=other, spec=other.spec, source="test", keyed_applies=True),
        attrs.evolve(top, spec=attrs.evolve(top.spec, needs=("base", "other"))),
    ]
    run(probes, files, cache)
    files.files["x.txt"] = b""  # base runs again; other stays cached
    files.files["b.py"] = b"edited"
    runs.names.clear()
    heard.clear()
    outcomes, _ = run(probes, files, cache)
    # base now sees one text file: its computed fields make the hook say "run"
    assert kinds(outcomes) == {"base": "Ran", "other": "Cached", "top": "Ran"}
    assert heard == [{"base": {"files": 1, "upstream": []}, "other": {"files": 1, "upstream": []}}]
    del files.files["x.txt"]
    files.files["b.py"] = b"edited again"
    runs.names.clear()
    cache.structured.clear()
    heard.clear()
    outcomes, _ = run(probes, files, cache)
    assert kinds(outcomes) == {"base": "Cached", "other": "Cached", "top": "Skipped"}
    files.files["a.md"] = b"a"  # other runs again, base is cached and declines top
    files.files["b.py"] = b"edited a third time"
    runs.names.clear()
    cache.structured.clear()
    heard.clear()
    outcomes, _ = run(probes, files, cache)
    assert kinds(outcomes) == {"base": "Cached", "other": "Ran", "top": "Skipped"}
    assert heard == [{"base": {"files": 0, "upstream": []}, "other": {"files": 2, "upstream": []}}]
    assert (cache.structured, runs.names) == ([], ["other"])


def test_plain_upstreams_hold_a_computed_slice_as_its_fields() -> None:
    envelope = Envelope(probe="a", schema_version=1, confidence="high", slice=CountSlice(files=1))
    ran = Ran(probe="a", envelope=envelope, duration_ms=0, cache_key="k")
    skipped = Skipped(probe="b", reason=NotApplicable(reason="none"))
    assert plain_upstreams(("a", "b"), {"a": ran, "b": skipped}) == {
        "a": {"files": 1, "upstream": []}
    }
    assert plain_upstreams(("b",), {"b": skipped}) == {}
    opaque = attrs.evolve(envelope, slice={"files": 1})  # not an attrs slice: cannot tell
    assert plain_upstreams(("a",), {"a": attrs.evolve(ran, envelope=opaque)}) is None
    empty = attrs.evolve(envelope, slice=None)
    assert plain_upstreams(("a",), {"a": attrs.evolve(ran, envelope=empty)}) == {"a": None}
    assert handed_upstreams(("a", "b"), {"a": ran, "b": skipped}) == Handed(
        envelopes={"a": envelope}
    )


def test_handed_upstreams_names_every_cached_one_that_does_not_structure() -> None:
    def broken() -> Envelope:
        raise CacheEntryError("no")

    def cached(name: str) -> Cached:
        entry = CachedEnvelope(
            probe=name, schema_version=1, confidence="high", notes=(), plain_slice={}, load=broken
        )
        return Cached(probe=name, entry=entry, duration_ms=0, cache_key="k")

    outcomes: dict[str, ProbeOutcome] = {"a": cached("a"), "b": cached("b")}
    assert handed_upstreams(("a", "b"), outcomes) == Unstructured(upstreams=("a", "b"))
