"""Coordinator laws over random probe DAGs: one outcome each, upstream first, failures contained."""

from __future__ import annotations

import threading

from hypothesis import given, settings
from hypothesis import strategies as st

from codegenie_adapters.clock import SystemClock
from codegenie_core.coordinator import gather, select_probes
from codegenie_core.outcomes import Failed, Ran, Skipped, UpstreamUnavailable
from codegenie_core.probe import Envelope, ProbeContext, Skip
from codegenie_core.registry import ProbeRegistry
from tests.support import context, count_files, scripted


def blocked(outcome: object) -> bool:
    """A failed upstream, or one skipped because of a failure further up, blocks its dependants."""
    return isinstance(outcome, Failed) or (
        isinstance(outcome, Skipped) and isinstance(outcome.reason, UpstreamUnavailable)
    )


@st.composite
def dags(draw: st.DrawFn) -> list[tuple[str, tuple[str, ...], bool, bool]]:
    """(name, needs, heavy, fails) rows; a probe needs only earlier ones, so there is no cycle."""
    size = draw(st.integers(min_value=1, max_value=8))
    rows: list[tuple[str, tuple[str, ...], bool, bool]] = []
    for index in range(size):
        earlier = [f"p{i}" for i in range(index)]
        needs = (
            tuple(draw(st.lists(st.sampled_from(earlier), unique=True, max_size=3)))
            if earlier
            else ()
        )
        rows.append((f"p{index}", needs, draw(st.booleans()), draw(st.booleans())))
    return rows


@settings(max_examples=40)
@given(dags(), st.integers(min_value=1, max_value=4))
def test_every_probe_gets_one_outcome_after_its_upstreams(rows, budget: int) -> None:
    finished: list[str] = []
    lock = threading.Lock()
    registry = ProbeRegistry()

    def behaviour(name: str, fails: bool):
        def run(ctx: ProbeContext) -> Envelope | Skip:
            with lock:
                finished.append(name)
            if fails:
                raise ValueError(name)
            return count_files(name)(ctx)

        return run

    for name, needs, heavy, fails in rows:
        registry.add(
            scripted(
                name,
                needs=needs,
                behaviour=behaviour(name, fails),
                heaviness="heavy" if heavy else "light",
            ),
            source="test",
        )
    plan = select_probes(registry, names=[], layers=frozenset({"a"}))
    result = gather(
        plan,
        base_ctx=context(),
        cache=None,
        cache_mode="off",
        cpu_budget=budget,
        clock=SystemClock(),
    )
    outcomes = {o.probe: o for o in result.outcomes}
    assert sorted(outcomes) == sorted(name for name, *_ in rows)
    for name, needs, _heavy, fails in rows:
        outcome = outcomes[name]
        if any(blocked(outcomes[upstream]) for upstream in needs):
            assert isinstance(outcome, Skipped)
            assert name not in finished
            continue
        assert isinstance(outcome, Failed if fails else Ran)
        for upstream in needs:
            assert finished.index(upstream) < finished.index(name)
