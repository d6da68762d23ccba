"""Read back the ContainerPolicy a running container is under, from `docker inspect`, so live
tests compare what the engine applied with the policy value the runner was given (ADR-0033)."""

from __future__ import annotations

import json
import subprocess
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any, cast

from codegenie_core.probes.layer_c.model import RUN_LABEL, ContainerPolicy


def applied_policy(inspected: Mapping[str, Any]) -> ContainerPolicy:
    """The policy one `docker inspect` record shows, in the policy's own terms."""
    host = cast("Mapping[str, Any]", inspected["HostConfig"])
    security = cast("list[str]", host.get("SecurityOpt") or [])
    return ContainerPolicy(
        network="none" if host["NetworkMode"] == "none" else "default",
        read_only_root=bool(host["ReadonlyRootfs"]),
        tmpfs=tuple(cast("Mapping[str, str]", host.get("Tmpfs") or {})),
        cap_drop=_capabilities(host.get("CapDrop")),
        cap_add=_capabilities(host.get("CapAdd")),
        no_new_privileges=any(o.startswith("no-new-privileges") for o in security),
        pids_limit=host.get("PidsLimit") or None,
        memory_mib=(host.get("Memory") or 0) // 2**20 or None,
        init=bool(host.get("Init")),
        one_cpu=_one_cpu(host.get("CpusetCpus")),
    )


def _one_cpu(cpuset: object) -> bool:
    """Whether the engine's cpuset (`"1"`, `"0-1"`, `"0,2"`, or empty) names exactly one CPU."""
    return isinstance(cpuset, str) and cpuset.isdigit()


def _capabilities(listed: object) -> tuple[str, ...]:
    """Capability names as the policy spells them: the engine may add `CAP_` (docker does for
    all but `ALL`)."""
    return tuple(c.removeprefix("CAP_") for c in cast("list[str]", listed or []))


def inspect_first_running(run_id: str, run: Callable[[], object]) -> tuple[object, dict[str, Any]]:
    """Call `run()`, and meanwhile `docker inspect` the first container of run `run_id` seen
    running; `run()`'s result and that record (empty if none was seen)."""
    seen: list[dict[str, Any]] = []
    stop = threading.Event()

    def poll() -> None:
        label = f"label={RUN_LABEL}={run_id}"
        while not stop.is_set() and not seen:
            listed = _docker("ps", "-q", "--filter", label).split()
            if listed:
                seen.extend(_inspected(listed[0]))
            time.sleep(0.2)

    thread = threading.Thread(target=poll, daemon=True)
    thread.start()
    try:
        result = run()
    finally:
        stop.set()
        thread.join()
    return result, (seen[0] if seen else {})


def _inspected(container: str) -> list[dict[str, Any]]:
    """`docker inspect`'s records of `container`; none when it went away since it was listed (the
    run removes its containers while this polls: inspect then fails, or prints a partial text)."""
    try:
        found = json.loads(_docker("inspect", container) or "[]")
    except json.JSONDecodeError:
        return []
    return cast("list[dict[str, Any]]", found) if isinstance(found, list) else []


def _docker(*args: str) -> str:
    """The standard output of a `docker` command that succeeded, else nothing."""
    done = subprocess.run(
        ["docker", *args], capture_output=True, text=True, check=False, stdin=subprocess.DEVNULL
    )
    return done.stdout if done.returncode == 0 else ""
