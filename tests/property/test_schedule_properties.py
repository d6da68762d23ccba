"""Schedule laws over random DAGs, budgets, heaviness and completion orders, without threads.

The budget is never exceeded, at most one heavy probe runs, nothing starts before its needs have
an outcome, every probe ends in exactly one outcome, and a plan that cannot finish is reported as
`UnsatisfiablePlan`, never offered nothing forever (see ADR-0031).
"""

from __future__ import annotations

from hypothesis import event, given, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
)

from codegenie_core.outcomes import Failed, ProbeOutcome, Ran, Skipped, UpstreamUnavailable
from codegenie_core.probe import Envelope, NotApplicable, ToolUnavailable
from codegenie_core.schedule import Schedule, Task, UnsatisfiablePlan
from tests.strategies import schedule_budgets, schedule_tasks
from tests.support import CountSlice

OUTCOME_KINDS = ("ran", "failed", "not-applicable", "tool-unavailable")


def outcome_of(name: str, kind: str) -> ProbeOutcome:
    match kind:
        case "ran":
            envelope = Envelope(
                probe=name, schema_version=1, confidence="high", slice=CountSlice(files=0)
            )
            return Ran(probe=name, envelope=envelope, duration_ms=1, cache_key="k")
        case "failed":
            return Failed(probe=name, error_type="ValueError", message=name, duration_ms=1)
        case "not-applicable":
            return Skipped(probe=name, reason=NotApplicable(reason="nothing here"))
        case _:
            return Skipped(probe=name, reason=ToolUnavailable(tool="t", reason="absent"))


def blocks(outcome: ProbeOutcome | None) -> bool:
    return isinstance(outcome, Failed) or (
        isinstance(outcome, Skipped) and isinstance(outcome.reason, UpstreamUnavailable)
    )


def can_finish(tasks: list[Task]) -> bool:
    """Every need is in the plan and there is no cycle (the plan `validate_plan` accepts)."""
    needs = {t.name: t.needs for t in tasks}
    decided: set[str] = set()
    while len(decided) < len(needs):
        progress = {n for n, ns in needs.items() if n not in decided and set(ns) <= decided}
        if not progress:
            return False
        decided |= progress
    return True


class ScheduleMachine(RuleBasedStateMachine):
    """Drives one Schedule through random starts, completions and clock advances, checking each
    law against a model kept here (what started when, what finished with what)."""

    def __init__(self) -> None:
        super().__init__()
        self.tasks: dict[str, Task] = {}
        self.schedule = Schedule((), budget=1)
        self.satisfiable = True
        self.now = 0.0
        self.started_at: dict[str, float] = {}
        self.given: dict[str, ProbeOutcome] = {}
        self.stuck = False

    @initialize(
        tasks=st.booleans().flatmap(lambda closed: schedule_tasks(closed=closed)),
        budget=schedule_budgets,
    )
    def plan(self, tasks: list[Task], budget: int) -> None:
        self.tasks = {t.name: t for t in tasks}
        self.schedule = Schedule(tasks, budget=budget)
        self.satisfiable = can_finish(tasks)

    def ready_or_stuck(self) -> tuple[str, ...]:
        try:
            return self.schedule.ready()
        except UnsatisfiablePlan as error:
            # Reported only when nothing runs and no waiting probe has all its needs decided.
            assert not self.satisfiable, "a plan that can finish was reported unsatisfiable"
            assert not self.schedule.running
            pending = self.schedule.pending
            assert error.waiting == pending and error.probe == pending[0]
            outcomes = self.schedule.outcomes
            for name in pending:
                assert not all(need in outcomes for need in self.tasks[name].needs)
            self.stuck = True
            event("unsatisfiable plan reported")
            return ()

    @precondition(lambda self: not self.stuck)
    @rule(data=st.data())
    def start_one_ready(self, data: st.DataObject) -> None:
        offered = self.ready_or_stuck()
        if not offered:
            return
        name = data.draw(st.sampled_from(offered))
        outcomes = self.schedule.outcomes
        assert all(need in outcomes for need in self.tasks[name].needs), "started before a need"
        self.schedule.started(name, at=self.now)
        self.started_at[name] = self.now

    @precondition(lambda self: not self.stuck)
    @rule()
    def start_every_ready(self) -> None:
        for name in self.ready_or_stuck():
            outcomes = self.schedule.outcomes
            assert all(need in outcomes for need in self.tasks[name].needs), "started early"
            self.schedule.started(name, at=self.now)
            self.started_at[name] = self.now

    @precondition(lambda self: bool(self.schedule.running))
    @rule(data=st.data(), kind=st.sampled_from(OUTCOME_KINDS))
    def finish_any_running(self, data: st.DataObject, kind: str) -> None:
        name = data.draw(st.sampled_from(sorted(self.schedule.running)))
        self.finish(name, outcome_of(name, kind))

    @rule(seconds=st.integers(min_value=0, max_value=3))
    def advance_the_clock(self, seconds: int) -> None:
        self.now += seconds
        due = {
            name
            for name, at in self.started_at.items()
            if name in self.schedule.running and self.now >= at + self.tasks[name].deadline_s
        }
        expired = self.schedule.expired(self.now)
        assert sorted(expired) == sorted(due)
        for name in expired:
            event("a deadline passed")
            timeout = Failed(probe=name, error_type="ProbeTimeout", message="", duration_ms=0)
            self.finish(name, timeout)

    def finish(self, name: str, outcome: ProbeOutcome) -> None:
        was_pending = set(self.schedule.pending)
        skipped = self.schedule.finished(name, outcome)
        self.given[name] = outcome
        outcomes = self.schedule.outcomes
        for skip in skipped:
            event("a dependant skipped after a failure")
            assert skip.probe in was_pending and skip.probe not in self.started_at
            assert isinstance(skip.reason, UpstreamUnavailable)
            assert skip.reason.upstream in self.tasks[skip.probe].needs
            assert blocks(outcomes[skip.reason.upstream])
        order = [n for n in self.tasks if n in {s.probe for s in skipped}]
        assert [s.probe for s in skipped] == order, "skips come in plan order"

    @invariant()
    def the_budget_is_never_exceeded(self) -> None:
        assert len(self.schedule.running) <= self.schedule.budget

    @invariant()
    def at_most_one_heavy_probe_runs(self) -> None:
        heavy = [r for r in self.schedule.running.values() if r.task.heaviness == "heavy"]
        assert len(heavy) <= 1

    @invariant()
    def every_probe_is_in_exactly_one_state(self) -> None:
        pending = set(self.schedule.pending)
        running = set(self.schedule.running)
        decided = set(self.schedule.outcomes)
        assert not pending & running and not pending & decided and not running & decided
        assert pending | running | decided == set(self.tasks)

    @invariant()
    def an_outcome_given_is_the_outcome_kept(self) -> None:
        outcomes = self.schedule.outcomes
        for name, outcome in self.given.items():
            assert outcomes[name] == outcome

    @invariant()
    def no_waiting_probe_has_a_blocked_need(self) -> None:
        outcomes = self.schedule.outcomes
        for name in self.schedule.pending:
            assert not any(blocks(outcomes.get(need)) for need in self.tasks[name].needs)

    @invariant()
    def nothing_running_and_something_waiting_means_an_offer_or_a_report(self) -> None:
        if not self.stuck and not self.schedule.running and self.schedule.pending:
            assert self.ready_or_stuck() or self.stuck


ScheduleMachine.TestCase.settings = settings(max_examples=150, stateful_step_count=40)
test_schedule_machine = ScheduleMachine.TestCase


@settings(max_examples=200)
@given(
    st.booleans().flatmap(lambda closed: schedule_tasks(closed=closed)),
    schedule_budgets,
    st.data(),
)
def test_a_drive_to_the_end_decides_every_probe_once_or_reports_the_plan(
    tasks: list[Task], budget: int, data: st.DataObject
) -> None:
    """The shell's loop (start every offer, finish one running probe) takes at most one turn per
    probe: each probe decided exactly once, or `UnsatisfiablePlan` for a plan that cannot end."""
    schedule = Schedule(tasks, budget=budget)
    decided: list[str] = []
    turns = 0
    try:
        while not schedule.done:
            turns += 1
            assert turns <= len(tasks), "the loop took a turn that decided nothing"
            for name in schedule.ready():
                schedule.started(name, at=0.0)
            assert schedule.running, "nothing runs and nothing can start, yet nothing was reported"
            name = data.draw(st.sampled_from(sorted(schedule.running)))
            kind = data.draw(st.sampled_from(OUTCOME_KINDS))
            skipped = schedule.finished(name, outcome_of(name, kind))
            decided += [name, *(s.probe for s in skipped)]
    except UnsatisfiablePlan as error:
        assert not can_finish(tasks)
        assert set(error.waiting) == {t.name for t in tasks} - set(decided)
        return
    assert sorted(decided) == sorted(t.name for t in tasks)
    assert sorted(schedule.outcomes) == sorted(decided)


def test_a_need_outside_the_plan_is_reported_at_once() -> None:
    schedule = Schedule(
        [Task(name="top", heaviness="light", needs=("base",), deadline_s=1.0)], budget=2
    )
    try:
        schedule.ready()
    except UnsatisfiablePlan as error:
        assert (str(error), error.probe, error.waiting) == (
            "probes that can never start: top",
            "top",
            ("top",),
        )
    else:
        raise AssertionError("an unsatisfiable plan was not reported")


def test_a_heavy_probe_takes_one_slot_of_the_budget_and_light_ones_fill_the_rest() -> None:
    tasks = [
        Task(name="h1", heaviness="heavy", needs=(), deadline_s=1.0),
        Task(name="h2", heaviness="heavy", needs=(), deadline_s=1.0),
        Task(name="l1", heaviness="light", needs=(), deadline_s=1.0),
        Task(name="l2", heaviness="light", needs=(), deadline_s=1.0),
    ]
    schedule = Schedule(tasks, budget=3)
    assert schedule.ready() == ("h1", "l1", "l2")


def test_a_writer_gates_its_reader_start_but_its_failure_never_skips_it() -> None:
    # `after` (ADR-0030): index_health reads the index scip_index writes, so it waits for it, yet a
    # failed scip_index leaves index_health to judge what is there rather than skipping it.
    tasks = [
        Task(name="writer", heaviness="light", needs=(), deadline_s=1.0),
        Task(name="reader", heaviness="light", needs=(), after=("writer",), deadline_s=1.0),
    ]
    schedule = Schedule(tasks, budget=2)
    assert schedule.ready() == ("writer",)
    schedule.started("writer", at=0.0)
    assert schedule.ready() == ()
    failed = Failed(probe="writer", error_type="X", message="boom", duration_ms=1)
    assert schedule.finished("writer", failed) == ()
    assert schedule.ready() == ("reader",)
