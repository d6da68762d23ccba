"""The scheduling policy of a gather as a pure state machine: which probe may start, and when.

No threads, no queue, no clock: time arrives as an argument, and the coordinator's shell drives
the machine (see ADR-0031). A probe is `pending`, then `running`, then has exactly one outcome.

Rule 1: `ready()` offers pending probes in plan order whose needs (and `after`) all have an
outcome, as many as
fit: running plus offered never exceeds the budget, and a heavy probe is offered only when no heavy
probe runs and no other heavy one is offered, so heavy probes run one at a time and each takes one
slot of the budget while it runs. `started` accepts only a name `ready()` offers.
Rule 2: when an outcome blocks (a `Failed`, or a `Skipped` because of a failure further up), every
pending probe needing it is decided at once as `Skipped` with `UpstreamUnavailable`, naming its
first blocked need; `finished` returns those skips, in plan order, so the caller records them. A
need that was skipped for its own reasons does not block.
Rule 3: `expired(now)` names the running probes whose deadline (start plus their deadline seconds)
is at or before `now`; the caller decides their outcome through `finished`.
Rule 4: when nothing runs and nothing can start while probes are pending (a need outside the plan,
a cycle), `ready()` raises `UnsatisfiablePlan` rather than offering nothing forever.
Rule 5: `reopen(name, upstreams)` puts a running probe back to pending, with each of those needs
whose outcome is `Cached` (its entry would not structure for the hand-over): the needs run again
and the probe waits for them, as at first (see ADR-0085). A need already run again is left as it
is; no other outcome is undone.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import attrs

from codegenie_core.errors import RegistryError
from codegenie_core.outcomes import Cached, Failed, ProbeOutcome, Ran, Skipped, UpstreamUnavailable
from codegenie_core.probe_types import Heaviness


class UnsatisfiablePlan(RegistryError):
    """Nothing runs and nothing can start, yet probes wait: their needs can never be met."""

    def __init__(self, waiting: Sequence[str]) -> None:
        super().__init__(f"probes that can never start: {', '.join(waiting)}", probe=waiting[0])
        self.waiting = tuple(waiting)


@attrs.frozen(kw_only=True)
class Task:
    """What the schedule knows of one probe: plain values, wherever they come from."""

    name: str
    heaviness: Heaviness
    needs: tuple[str, ...]
    deadline_s: float
    # Probes it runs after without reading their slices (the writer of what it reads, ADR-0030):
    # they gate its start as needs do (Rule 1), but their failure never skips it (Rule 2).
    after: tuple[str, ...] = ()


@attrs.frozen(kw_only=True)
class Running:
    """A started probe: when it started and when it is due."""

    task: Task
    started_at: float

    @property
    def deadline(self) -> float:
        return self.started_at + self.task.deadline_s


class Schedule:
    """The state of one gather's scheduling; transitions are method calls returning values."""

    def __init__(self, tasks: Iterable[Task], *, budget: int) -> None:
        assert budget >= 1, "the CPU budget is a positive integer"
        self._budget = budget
        self._tasks: dict[str, Task] = {}
        for task in tasks:
            assert task.name not in self._tasks, f"probe {task.name!r} is scheduled twice"
            self._tasks[task.name] = task
        self._pending: list[str] = list(self._tasks)
        self._running: dict[str, Running] = {}
        self._outcomes: dict[str, ProbeOutcome] = {}

    @property
    def budget(self) -> int:
        return self._budget

    @property
    def pending(self) -> tuple[str, ...]:
        return tuple(self._pending)

    @property
    def running(self) -> Mapping[str, Running]:
        return dict(self._running)

    @property
    def outcomes(self) -> Mapping[str, ProbeOutcome]:
        return dict(self._outcomes)

    @property
    def done(self) -> bool:
        return not self._pending and not self._running

    def ready(self) -> tuple[str, ...]:
        """Rule 1: the probes that may start now, in plan order; Rule 4 when there are none."""
        offered: list[str] = []
        heavy_busy = any(r.task.heaviness == "heavy" for r in self._running.values())
        for name in self._pending:
            if len(self._running) + len(offered) >= self._budget:
                break
            task = self._tasks[name]
            if not all(need in self._outcomes for need in (*task.needs, *task.after)):
                continue
            if task.heaviness == "heavy":
                if heavy_busy:
                    continue
                heavy_busy = True
            offered.append(name)
        if not offered and not self._running and self._pending:
            raise UnsatisfiablePlan(self._pending)
        return tuple(offered)

    def started(self, name: str, *, at: float) -> None:
        """`name` started at time `at` (any monotonic reading the caller also gives `expired`)."""
        assert name in self.ready(), f"probe {name!r} is not ready to start"
        self._pending.remove(name)
        self._running[name] = Running(task=self._tasks[name], started_at=at)

    def finished(self, name: str, outcome: ProbeOutcome) -> tuple[Skipped, ...]:
        """`name` ended with `outcome`; returns the dependants this decides as skipped (Rule 2)."""
        assert name in self._running, f"probe {name!r} is not running"
        assert outcome.probe == name, f"outcome of {outcome.probe!r} given for {name!r}"
        del self._running[name]
        self._outcomes[name] = outcome
        return self._skip_blocked()

    def reopen(self, name: str, upstreams: Iterable[str]) -> tuple[str, ...]:
        """Rule 5: `name` goes back to pending, and so do those of `upstreams` (its needs) whose
        outcome is `Cached`; returns the ones reopened, which must run again."""
        assert name in self._running, f"probe {name!r} is not running"
        task = self._tasks[name]
        reopened: list[str] = []
        for upstream in upstreams:
            assert upstream in task.needs, f"{upstream!r} is not a need of {name!r}"
            if isinstance(self._outcomes.get(upstream), Cached):
                del self._outcomes[upstream]
                reopened.append(upstream)
        del self._running[name]
        waiting = {*self._pending, name, *reopened}
        self._pending = [task_name for task_name in self._tasks if task_name in waiting]
        return tuple(reopened)

    def expired(self, now: float) -> tuple[str, ...]:
        """Rule 3: the running probes whose deadline is at or before `now`."""
        return tuple(name for name, run in self._running.items() if now >= run.deadline)

    def next_deadline(self) -> float | None:
        """The earliest deadline among the running probes; None when nothing runs."""
        return min((run.deadline for run in self._running.values()), default=None)

    def _skip_blocked(self) -> tuple[Skipped, ...]:
        skipped: list[Skipped] = []
        changed = True
        while changed:  # one pass suffices in plan order; repeat for a plan in any order
            changed = False
            for name in list(self._pending):
                blocker = self._blocking_need(self._tasks[name])
                if blocker is not None:
                    outcome = Skipped(probe=name, reason=blocker)
                    self._pending.remove(name)
                    self._outcomes[name] = outcome
                    skipped.append(outcome)
                    changed = True
        order = {name: index for index, name in enumerate(self._tasks)}
        return tuple(sorted(skipped, key=lambda outcome: order[outcome.probe]))

    def _blocking_need(self, task: Task) -> UpstreamUnavailable | None:
        for need in task.needs:
            match self._outcomes.get(need):
                case Failed():
                    return UpstreamUnavailable(upstream=need, upstream_outcome="failed")
                case Skipped(reason=UpstreamUnavailable()):
                    # A failure propagates: the need is missing because something it needs failed.
                    return UpstreamUnavailable(
                        upstream=need, upstream_outcome="skipped after a failure"
                    )
                case Ran() | Cached() | Skipped() | None:
                    pass
        return None
