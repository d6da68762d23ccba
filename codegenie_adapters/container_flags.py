"""The engine CLI's spelling of the core's `ContainerPolicy`: the one place container hardening
becomes `docker create` / `podman create` flags (see ADR-0033).

Rule 1: `render_policy` renders every field of the policy, and nothing the policy does not say;
a field added to `ContainerPolicy` must be rendered here (the unit tests enumerate the fields).
Rule 2: docker and podman share the flag family; where podman's spelling or defaults differ, the
podman rendering says so, so that both engines apply the same policy.
"""

from __future__ import annotations

from pathlib import PurePath
from typing import Literal

from codegenie_core.probes.layer_c.model import ContainerPolicy, NetworkMode

EngineFamily = Literal["docker", "podman"]


def engine_family(engine: str) -> EngineFamily:
    """`podman` for a podman CLI (by its program name, also as a path), else `docker`."""
    return "podman" if PurePath(engine).name.startswith("podman") else "docker"


def network_flags(network: NetworkMode, internal: str = "") -> tuple[str, ...]:
    """`default` passes nothing (each engine's own default: docker and podman name it apart);
    `internal` joins the run's internal network `internal`, and without its name, none at all:
    never more than the policy says (ADR-0066)."""
    match network:
        case "none":
            return ("--network=none",)
        case "internal":
            return (f"--network={internal}",) if internal else ("--network=none",)
        case "default":
            return ()


def render_policy(
    policy: ContainerPolicy, family: EngineFamily, *, internal_network: str = "", cpu: int = 0
) -> tuple[str, ...]:
    """The `create` flags that apply `policy` on `family`'s engine, in a fixed order; a
    `one_cpu` policy runs on CPU `cpu` (the runner picks it: `pick_cpu`)."""
    flags: list[str] = [*network_flags(policy.network, internal_network)]
    if policy.read_only_root:
        flags.append("--read-only")
        if family == "podman":
            # podman's --read-only also mounts tmpfs on /dev/shm, /run, /tmp and /var/tmp unless
            # told not to; the policy's tmpfs list is the whole of what is writable
            flags.append("--read-only-tmpfs=false")
    flags.extend(f"--tmpfs={path}" for path in policy.tmpfs)
    flags.extend(f"--cap-drop={cap}" for cap in policy.cap_drop)
    flags.extend(f"--cap-add={cap}" for cap in policy.cap_add)
    if policy.no_new_privileges:
        flags.append("--security-opt=no-new-privileges")
    if policy.pids_limit is not None:
        flags.append(f"--pids-limit={policy.pids_limit}")
    if policy.memory_mib is not None:
        flags.append(f"--memory={policy.memory_mib}m")
    if policy.init:
        flags.append("--init")
        if family == "docker":
            # docker's init is tini: this makes a stop reach the traced program's whole process
            # group, not only strace (podman's init is catatonit; see ADR-0033)
            flags.append("--env=TINI_KILL_PROCESS_GROUP=1")
    if policy.one_cpu:
        flags.append(f"--cpuset-cpus={cpu}")
    return tuple(flags)


def pick_cpu(allowed: frozenset[int] | set[int], turn: int) -> int:
    """The CPU of a `one_cpu` container: the allowed CPUs taken in turn, so that scenarios
    traced side by side do not share one CPU while another idles (ADR-0087)."""
    cpus = sorted(allowed)
    return cpus[turn % len(cpus)] if cpus else 0


def volume_mount(destination: str, labels: tuple[str, ...], family: EngineFamily) -> str:
    """`--mount`'s value for the anonymous volume the trace leaves through (ADR-0022). docker:
    `volume-nocopy` and one `volume-label` per label. podman (4.3) refuses both options: its
    anonymous volume goes unlabelled, removed with its container (`rm -v`), whose label
    `cleanup()` and `cache clear` follow; the image has nothing at `destination` to copy in."""
    if family == "podman":
        return f"type=volume,dst={destination}"
    options = ",".join(f"volume-label={label}" for label in labels)
    return f"type=volume,dst={destination},volume-nocopy,{options}"
