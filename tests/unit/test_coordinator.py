"""The coordinator: DAG order, CPU budget, heavy probes alone, failures as values, the cache."""

from __future__ import annotations

import time

import pytest

from codegenie_adapters.clock import SystemClock
from codegenie_adapters.fakes import FakeRepo, InMemoryCache
from codegenie_core.config import GatherConfig
from codegenie_core.coordinator import gather, select_probes
from codegenie_core.errors import RegistryError
from codegenie_core.outcomes import Cached, Failed, Ran, Skipped, UpstreamUnavailable
from codegenie_core.probe import Envelope, NotApplicable, ProbeContext, Skip, ToolUnavailable
from codegenie_core.schedule import UnsatisfiablePlan
from tests.support import (
    ConcurrencyMeter,
    CountSlice,
    context,
    plan_of,
    registry_of,
    scripted,
    shim_warning,
)


def run_all(registry, *, budget=2, cache=None, mode="use", ctx=None):
    return gather(
        plan_of(registry),
        base_ctx=ctx or context(),
        cache=cache,
        cache_mode=mode,
        cpu_budget=budget,
        clock=SystemClock(),
    )


def boom(ctx: ProbeContext) -> Envelope | Skip:
    raise RuntimeError("the probe broke")


def test_every_probe_gets_exactly_one_outcome_in_plan_order() -> None:
    registry = registry_of((scripted("b"), "light"), (scripted("a"), "light"))
    result = run_all(registry)
    assert [o.probe for o in result.outcomes] == ["a", "b"]
    assert all(isinstance(o, Ran) for o in result.outcomes)


def test_a_probe_reads_the_slices_of_the_probes_it_needs() -> None:
    registry = registry_of((scripted("base"), "light"), (scripted("top", needs=("base",)), "light"))
    result = run_all(registry)
    top = result.outcomes[[o.probe for o in result.outcomes].index("top")]
    assert isinstance(top, Ran)
    assert top.envelope.slice == CountSlice(files=1, upstream=("base",))


def test_select_probes_adds_what_the_named_probes_need_before_them() -> None:
    registry = registry_of(
        (scripted("base"), "light"),
        (scripted("top", needs=("base",)), "light"),
        (scripted("other"), "light"),
    )
    plan = select_probes(registry, names=["top"], layers=frozenset({"a"}))
    assert [r.name for r in plan] == ["base", "top"]


def test_select_probes_rejects_an_unknown_name_listing_the_valid_ones() -> None:
    registry = registry_of((scripted("languages"), "light"))
    with pytest.raises(RegistryError, match="unknown probe 'nope'; valid names: languages"):
        select_probes(registry, names=["nope"], layers=frozenset({"a"}))


def test_select_probes_reports_a_dependency_cycle() -> None:
    registry = registry_of(
        (scripted("x", needs=("y",)), "light"), (scripted("y", needs=("x",)), "light")
    )
    with pytest.raises(RegistryError, match="cycle"):
        select_probes(registry, names=[], layers=frozenset({"a"}))


def test_select_probes_filters_by_layer() -> None:
    registry = registry_of((scripted("static"), "light"), (scripted("runtime", layer="c"), "heavy"))
    assert [r.name for r in select_probes(registry, names=[], layers=frozenset({"a"}))] == [
        "static"
    ]


def test_a_probe_that_raises_becomes_failed_and_the_others_go_on() -> None:
    registry = registry_of((scripted("bad", behaviour=boom), "light"), (scripted("good"), "light"))
    outcomes = {o.probe: o for o in run_all(registry).outcomes}
    assert isinstance(outcomes["good"], Ran)
    bad = outcomes["bad"]
    assert isinstance(bad, Failed)
    assert (bad.error_type, bad.message) == ("RuntimeError", "the probe broke")


def test_a_probe_past_its_timeout_becomes_failed_without_waiting_for_it() -> None:
    meter = ConcurrencyMeter()
    registry = registry_of(
        (scripted("slow", behaviour=meter.hold("slow", 3.0), timeout_s=0.2), "light"),
        (scripted("fast"), "light"),
    )
    started = time.monotonic()
    outcomes = {o.probe: o for o in run_all(registry).outcomes}
    assert time.monotonic() - started < 2.5
    slow = outcomes["slow"]
    assert isinstance(slow, Failed)
    assert slow.error_type == "ProbeTimeout"
    assert isinstance(outcomes["fast"], Ran)


def test_a_probe_whose_upstream_failed_is_skipped_with_that_reason() -> None:
    registry = registry_of(
        (scripted("bad", behaviour=boom), "light"), (scripted("after", needs=("bad",)), "light")
    )
    outcomes = {o.probe: o for o in run_all(registry).outcomes}
    assert outcomes["after"] == Skipped(
        probe="after", reason=UpstreamUnavailable(upstream="bad", upstream_outcome="failed")
    )


def test_a_skipped_upstream_does_not_block_its_dependant() -> None:
    registry = registry_of(
        (scripted("optional", applicable=False), "heavy"),
        (scripted("after", needs=("optional",)), "light"),
    )
    outcomes = {o.probe: o for o in run_all(registry).outcomes}
    assert isinstance(outcomes["optional"], Skipped)
    after = outcomes["after"]
    assert isinstance(after, Ran)
    assert after.envelope.slice.upstream == ()


def test_a_skip_returned_by_run_is_recorded_as_skipped() -> None:
    missing = ToolUnavailable(tool="docker", reason="not on PATH", hint="apt install docker.io")
    registry = registry_of((scripted("trace", behaviour=lambda ctx: missing), "heavy"))
    [outcome] = run_all(registry).outcomes
    assert isinstance(outcome, Skipped)
    assert outcome.reason == missing


def test_a_probe_that_does_not_apply_is_skipped_as_not_applicable() -> None:
    registry = registry_of((scripted("dockerfile", applicable=False), "light"))
    [outcome] = run_all(registry).outcomes
    assert isinstance(outcome, Skipped)
    assert isinstance(outcome.reason, NotApplicable)


def test_light_probes_never_exceed_the_cpu_budget() -> None:
    meter = ConcurrencyMeter()
    probes = [(scripted(f"p{i}", behaviour=meter.hold(f"p{i}", 0.05)), "light") for i in range(8)]
    run_all(registry_of(*probes), budget=3)
    assert meter.peak <= 3
    assert meter.peak >= 2  # they did overlap: the budget is used, not wasted


def test_heavy_probes_run_one_at_a_time_even_with_budget_to_spare() -> None:
    meter = ConcurrencyMeter()
    probes = [
        (scripted(f"h{i}", behaviour=meter.hold(f"h{i}", 0.05, heavy=True)), "heavy")
        for i in range(4)
    ]
    run_all(registry_of(*probes), budget=4)
    assert meter.heavy_peak == 1


def test_a_budget_of_one_runs_everything_sequentially() -> None:
    meter = ConcurrencyMeter()
    probes = [(scripted(f"p{i}", behaviour=meter.hold(f"p{i}", 0.02)), "light") for i in range(4)]
    run_all(registry_of(*probes), budget=1)
    assert meter.peak == 1


def test_a_second_gather_is_served_from_the_cache() -> None:
    cache = InMemoryCache()
    registry = registry_of((scripted("a"), "light"))
    first = run_all(registry, cache=cache).outcomes[0]
    second = run_all(registry, cache=cache).outcomes[0]
    assert isinstance(first, Ran)
    assert isinstance(second, Cached)
    assert second.cache_key == first.cache_key
    assert second.envelope == first.envelope


def test_refresh_recomputes_and_overwrites() -> None:
    cache = InMemoryCache()
    registry = registry_of((scripted("a"), "light"))
    run_all(registry, cache=cache)
    again = run_all(registry, cache=cache, mode="refresh").outcomes[0]
    assert isinstance(again, Ran)
    assert len(cache.puts) == 2


def test_cache_off_neither_reads_nor_writes() -> None:
    cache = InMemoryCache()
    run_all(registry_of((scripted("a"), "light")), cache=cache, mode="off")
    assert (cache.gets, cache.puts) == ([], [])


def test_editing_an_upstream_input_busts_the_dependants_key() -> None:
    cache = InMemoryCache()
    registry = registry_of(
        (scripted("base", declared_inputs=("src/*.py",)), "light"),
        (scripted("top", needs=("base",), declared_inputs=("README.md",)), "light"),
    )
    repo = FakeRepo(files={"src/a.py": b"1", "README.md": b"hi"})
    run_all(registry, cache=cache, ctx=context(repo))
    repo.files["src/a.py"] = b"2"
    outcomes = {o.probe: o for o in run_all(registry, cache=cache, ctx=context(repo)).outcomes}
    assert isinstance(outcomes["base"], Ran)
    assert isinstance(outcomes["top"], Ran)


def test_failures_are_not_cached() -> None:
    cache = InMemoryCache()
    run_all(registry_of((scripted("bad", behaviour=boom), "light")), cache=cache)
    assert cache.puts == []


def test_the_timeout_cap_in_the_configuration_bounds_every_probe() -> None:
    meter = ConcurrencyMeter()
    registry = registry_of((scripted("slow", behaviour=meter.hold("slow", 3.0)), "light"))
    ctx = context(config=GatherConfig(probe_timeout_cap_s=0.1))
    [outcome] = run_all(registry, ctx=ctx).outcomes
    assert isinstance(outcome, Failed)


def test_a_failure_propagates_through_a_chain_of_needs() -> None:
    registry = registry_of(
        (scripted("a", behaviour=boom), "light"),
        (scripted("b", needs=("a",)), "light"),
        (scripted("c", needs=("b",)), "light"),
    )
    outcomes = {o.probe: o for o in run_all(registry).outcomes}
    assert outcomes["c"] == Skipped(
        probe="c",
        reason=UpstreamUnavailable(upstream="b", upstream_outcome="skipped after a failure"),
    )


# ---- plans that cannot run (see ADR-0029) ----------------------------------------------------
def gather_within(plan, seconds: float = 10.0):
    """`gather` on a thread: a regression that spins fails here instead of hanging the suite."""
    import threading

    box: list[object] = []

    def work() -> None:
        try:
            box.append(
                gather(plan, base_ctx=context(), cache=None, cache_mode="off", cpu_budget=2,
                       clock=SystemClock())
            )  # fmt: skip
        except Exception as error:
            box.append(error)

    thread = threading.Thread(target=work, daemon=True)
    thread.start()
    thread.join(seconds)
    assert box, f"gather did not return within {seconds} s"
    return box[0]


def test_a_plan_missing_a_needed_probe_is_refused_before_any_probe_starts() -> None:
    started: list[str] = []

    def note(ctx: ProbeContext) -> Envelope | Skip:
        started.append("free")
        return Envelope(
            probe="free", schema_version=1, confidence="high", slice=CountSlice(files=0)
        )

    registry = registry_of(
        (scripted("base"), "light"),
        (scripted("top", needs=("base",)), "light"),
        (scripted("free", behaviour=note), "light"),
    )
    plan = [r for r in plan_of(registry) if r.name != "base"]
    error = gather_within(plan)
    assert isinstance(error, RegistryError)
    assert (str(error), error.probe, started) == (
        "probe 'top' needs probe 'base', which is not in the plan",
        "top",
        [],
    )


def test_a_plan_with_a_cycle_is_refused() -> None:
    registry = registry_of(
        (scripted("a", needs=("b",)), "light"), (scripted("b", needs=("a",)), "light")
    )
    error = gather_within(plan_of(registry))
    assert isinstance(error, RegistryError)
    assert str(error) == "probe dependency cycle: a -> b -> a"


def test_the_loop_raises_rather_than_spins_when_nothing_can_start(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from codegenie_core import coordinator

    monkeypatch.setattr(coordinator, "validate_plan", lambda plan: None)  # reach the loop's guard
    registry = registry_of((scripted("base"), "light"), (scripted("top", needs=("base",)), "light"))
    error = gather_within([r for r in plan_of(registry) if r.name == "top"])
    assert isinstance(error, UnsatisfiablePlan)
    assert isinstance(error, RegistryError)  # still exit 2 and a `probe`, as before ADR-0031
    assert str(error) == "probes that can never start: top"


def test_entry_point_probes_declaring_heavy_run_one_at_a_time() -> None:
    from codegenie_core.registry import ProbeRegistry
    from tests.unit.test_registry import FakeEntryPoint

    meter = ConcurrencyMeter()

    def heavy_class(probe_name: str) -> type:
        hold = meter.hold(probe_name, 0.2, heavy=True)

        class Plugin:
            name = probe_name
            version = 1
            layer = "a"
            declared_inputs: tuple[str, ...] = ()
            needs: tuple[str, ...] = ()
            slice_type = CountSlice
            schema_version = 1
            timeout_s = 10.0
            heaviness = "heavy"

            def applies(self, ctx: ProbeContext) -> bool:
                return True

            def run(self, ctx: ProbeContext) -> Envelope | Skip:
                return hold(ctx)

        return Plugin

    registry = ProbeRegistry()
    classes = {name: heavy_class(name) for name in ("t1", "t2", "t3")}
    with shim_warning() as caught:
        registry.discover(
            [FakeEntryPoint(name, f"acme:{name}", lambda c=cls: c) for name, cls in classes.items()]
        )
    assert sorted(str(w.message).split("'")[1] for w in caught) == ["t1", "t2", "t3"]
    result = run_all(registry, budget=4)
    assert all(isinstance(o, Ran) for o in result.outcomes)
    assert (meter.heavy_peak, meter.peak) == (1, 1)
