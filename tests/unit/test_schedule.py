"""`Schedule.reopen` (ADR-0085): a dependant whose cached upstream would not structure goes back to
pending with that upstream, which runs again before it; nothing else is undone."""

from __future__ import annotations

from codegenie_core.outcomes import Cached, Ran
from codegenie_core.probe import CachedEnvelope, Envelope
from codegenie_core.schedule import Schedule, Task
from tests.support import CountSlice


def _envelope(name: str) -> Envelope:
    return Envelope(probe=name, schema_version=1, confidence="high", slice=CountSlice(files=0))


def cached(name: str) -> Cached:
    entry = CachedEnvelope(
        probe=name,
        schema_version=1,
        confidence="high",
        notes=(),
        plain_slice={"files": 0, "upstream": []},
        load=lambda: _envelope(name),
    )
    return Cached(probe=name, entry=entry, duration_ms=0, cache_key="k")


def ran(name: str) -> Ran:
    return Ran(probe=name, envelope=_envelope(name), duration_ms=0, cache_key="k")


def task(name: str, *needs: str) -> Task:
    return Task(name=name, heaviness="light", needs=needs, deadline_s=30.0)


def test_reopen_sends_the_dependant_and_its_cached_upstream_back_in_plan_order() -> None:
    schedule = Schedule([task("base"), task("other"), task("top", "base", "other")], budget=4)
    for name in schedule.ready():
        schedule.started(name, at=0.0)
    schedule.finished("base", cached("base"))
    schedule.finished("other", ran("other"))
    schedule.started("top", at=1.0)
    assert schedule.reopen("top", ("base", "other")) == ("base",)  # a `Ran` is never undone
    assert (schedule.pending, dict(schedule.running)) == (("base", "top"), {})
    assert set(schedule.outcomes) == {"other"}
    assert schedule.ready() == ("base",)  # top waits for base again
    schedule.started("base", at=2.0)
    schedule.finished("base", ran("base"))
    assert schedule.ready() == ("top",)


def test_reopen_leaves_an_upstream_already_sent_back_as_it_is() -> None:
    schedule = Schedule([task("base"), task("left", "base"), task("right", "base")], budget=4)
    schedule.started("base", at=0.0)
    schedule.finished("base", cached("base"))
    schedule.started("left", at=1.0)
    schedule.started("right", at=1.0)
    assert schedule.reopen("left", ("base",)) == ("base",)
    assert schedule.reopen("right", ("base",)) == ()
    assert schedule.pending == ("base", "left", "right")
