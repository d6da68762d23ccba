"""Scoped reads: a probe sees the repository through its spec's reads; an undeclared read fails
it in strict mode and otherwise keeps its result out of the cache, with a note (ADR-0030)."""

from __future__ import annotations

import pytest

from codegenie_adapters.clock import SystemClock
from codegenie_adapters.fakes import FakeRepo, InMemoryCache
from codegenie_core.coordinator import gather
from codegenie_core.errors import UndeclaredRead
from codegenie_core.outcomes import Cached, Failed, Ran
from codegenie_core.ports import FileProblem
from codegenie_core.probe import Envelope, ProbeContext, Skip
from codegenie_core.scoped_reads import ScopedRepo
from tests.support import CountSlice, context, plan_of, registry_of, scripted

REPO = FakeRepo(files={"app.cfg": b"x=1\n", "secret.txt": b"hidden\n", "src/a.py": b"print(1)\n"})


def reads_secret(ctx: ProbeContext) -> Envelope | Skip:
    """A sloppy probe: it declares `*.cfg` and also reads `secret.txt`."""
    data = ctx.repo.read_bytes("secret.txt")
    assert not isinstance(data, FileProblem)
    return Envelope(
        probe="sloppy", schema_version=1, confidence="high", slice=CountSlice(files=len(data))
    )


def sloppy_registry():
    return registry_of(
        (scripted("sloppy", behaviour=reads_secret, declared_inputs=("*.cfg",)), "light")
    )


def run(*, strict: bool, cache: InMemoryCache):
    return gather(
        plan_of(sloppy_registry()),
        base_ctx=context(REPO),
        cache=cache,
        cache_mode="use",
        cpu_budget=1,
        clock=SystemClock(),
        strict_reads=strict,
    )


def test_the_view_lists_and_reads_only_what_the_spec_declares() -> None:
    probe = scripted("p", declared_inputs=("*.cfg", "src/**"))
    view = ScopedRepo(REPO, probe.spec, strict=True)

    assert list(view.list_files()) == ["app.cfg", "src/a.py"]
    assert view.read_bytes("app.cfg") == b"x=1\n"
    assert dict(view.digests(["src/a.py"])) == dict(REPO.digests(["src/a.py"]))
    with pytest.raises(UndeclaredRead, match=r"'secret\.txt'"):
        view.file_sizes(["secret.txt"])


def test_in_strict_mode_a_sloppy_probe_fails_naming_the_path() -> None:
    cache = InMemoryCache()

    (outcome,) = run(strict=True, cache=cache).outcomes

    assert isinstance(outcome, Failed)
    assert outcome.error_type == "UndeclaredRead"
    assert "'secret.txt'" in outcome.message and "ADR-0030" in outcome.message
    assert cache.puts == []


def test_in_normal_mode_a_sloppy_probe_runs_uncached_with_a_note_saying_why() -> None:
    cache = InMemoryCache()

    (first,) = run(strict=False, cache=cache).outcomes
    (second,) = run(strict=False, cache=cache).outcomes

    assert isinstance(first, Ran)
    assert first.envelope.notes == ("read undeclared path secret.txt; not cached",)
    assert first.envelope.slice == CountSlice(files=len(b"hidden\n"))
    assert cache.puts == []
    assert isinstance(second, Ran)  # never served from the cache: it ran again


def test_a_probe_reading_only_what_it_declares_is_cached() -> None:
    def reads_cfg(ctx: ProbeContext) -> Envelope | Skip:
        ctx.repo.read_bytes("app.cfg")
        return Envelope(
            probe="tidy", schema_version=1, confidence="high", slice=CountSlice(files=1)
        )

    registry = registry_of(
        (scripted("tidy", behaviour=reads_cfg, declared_inputs=("*.cfg",)), "light")
    )
    cache = InMemoryCache()
    outcomes = [
        gather(
            plan_of(registry),
            base_ctx=context(REPO),
            cache=cache,
            cache_mode="use",
            cpu_budget=1,
            clock=SystemClock(),
            strict_reads=True,
        ).outcomes[0]
        for _ in range(2)
    ]

    assert [type(o) for o in outcomes] == [Ran, Cached]
    assert isinstance(outcomes[0], Ran) and outcomes[0].envelope.notes == ()


def test_a_probe_sees_only_the_ports_its_spec_names() -> None:
    seen: list[object] = []

    def look(ctx: ProbeContext) -> Envelope | Skip:
        seen.append(ctx.index_reader)
        return Envelope(probe="p", schema_version=1, confidence="high", slice=CountSlice(files=0))

    registry = registry_of((scripted("p", behaviour=look, ports=frozenset({"repo"})), "light"))
    marker = object()
    gather(
        plan_of(registry),
        base_ctx=context(REPO, index_reader=marker),
        cache=None,
        cache_mode="off",
        cpu_budget=1,
        clock=SystemClock(),
    )

    assert seen == [None]
