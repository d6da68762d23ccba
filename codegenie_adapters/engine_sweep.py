"""`sweep_engine`: remove what the runtime trace left in the container engine, for `cache clear`
and `cache gc` (see ADR-0022).

Rule 1: only what carries the `codegenie.trace=1` label is touched (and, when `run` is given, only
what also carries that run's label), so nobody else's containers, volumes or images go.
Rule 2: `everything` (cache clear) also removes running labelled containers; otherwise (cache gc)
only stopped ones, so a gather running meanwhile is not cut short. Volumes, images and networks
still in use are left by the engine's own prune.
Rule 3: a missing engine is a value (`EngineAbsent`), an engine error one line in `problems`;
nothing here raises.
"""

from __future__ import annotations

import shutil

from codegenie_adapters.exec import ExecResult, run_external_cli
from codegenie_core.maintenance import EngineAbsent, EngineSwept, SweepResult
from codegenie_core.probes.layer_c.model import RUN_LABEL, TRACE_LABEL

SWEEP_CALL_TIMEOUT_S = 120.0

__all__ = ["EngineAbsent", "EngineSwept", "SweepResult", "sweep_engine"]


def sweep_engine(engine: str, *, everything: bool, run: str | None = None) -> SweepResult:
    """Remove codegenie's labelled containers (with their volumes), volumes and images."""
    if shutil.which(engine) is None:
        return EngineAbsent(engine=engine, reason=f"{engine} is not on PATH")
    filters = ("--filter", f"label={TRACE_LABEL}=1")
    if run is not None:
        filters += ("--filter", f"label={RUN_LABEL}={run}")
    problems: list[str] = []

    def call(*args: str) -> ExecResult | None:
        done = run_external_cli((engine, *args), timeout_s=SWEEP_CALL_TIMEOUT_S)
        if done.ok:
            return done
        why = "timed out" if done.timed_out else done.stderr_tail(300).strip()
        problems.append(f"{engine} {' '.join(args[:2])}: {' '.join(why.split())}")
        return None

    states = () if everything else ("--filter", "status=exited", "--filter", "status=created")
    containers = _words(call("ps", "-aq", *filters, *states))
    if containers and call("rm", "-f", "-v", *containers) is None:
        containers = []
    # Counted as listed before and after the prune: the engines word their prune reports apart.
    volumes_before = _words(call("volume", "ls", "-q", *filters))
    call("volume", "prune", "-f", *filters)
    volumes_after = _words(call("volume", "ls", "-q", *filters))
    images_before = _words(call("image", "ls", "-aq", *filters))
    call("image", "prune", "-a", "-f", *filters)  # their untagged build layers go with them
    images_after = _words(call("image", "ls", "-aq", *filters))
    call("network", "prune", "-f", *filters)  # a run's internal network (ADR-0066), once unused
    return EngineSwept(
        engine=engine,
        containers=len(containers),
        volumes=len(set(volumes_before) - set(volumes_after)),
        images=len(set(images_before) - set(images_after)),
        problems=tuple(problems),
    )


def _words(result: ExecResult | None) -> list[str]:
    return [] if result is None else result.stdout.decode("utf-8", "replace").split()
