"""`render_policy` spells the core's ContainerPolicy as engine CLI flags: every field is rendered,
docker and podman differ only where their CLIs do, and a policy value cannot smuggle a flag."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import attrs
import pytest

from codegenie_adapters.container_flags import (
    EngineFamily,
    engine_family,
    network_flags,
    pick_cpu,
    render_policy,
)
from codegenie_core.probes.layer_c.model import TRACE_POLICY, ContainerPolicy

DOCKER_TRACE_FLAGS = (
    "--network=none",
    "--read-only",
    "--tmpfs=/tmp",
    "--cap-drop=ALL",
    "--cap-add=SYS_PTRACE",
    "--security-opt=no-new-privileges",
    "--pids-limit=256",
    "--memory=512m",
    "--init",
    "--env=TINI_KILL_PROCESS_GROUP=1",
    "--cpuset-cpus=0",
)
# For each policy field, a value other than TRACE_POLICY's.
OTHER_VALUE: dict[str, Any] = {
    "network": "default",
    "read_only_root": False,
    "tmpfs": ("/run", "/tmp"),
    "cap_drop": ("NET_RAW",),
    "cap_add": ("SYS_PTRACE", "CHOWN"),
    "no_new_privileges": False,
    "pids_limit": 64,
    "memory_mib": 128,
    "init": False,
    "one_cpu": False,
}


def test_the_trace_policy_renders_as_the_docker_hardening_flags() -> None:
    assert render_policy(TRACE_POLICY, "docker") == DOCKER_TRACE_FLAGS


def test_podman_keeps_its_read_only_root_free_of_extra_tmpfs_and_gets_no_tini_variable() -> None:
    assert render_policy(TRACE_POLICY, "podman") == (
        "--network=none",
        "--read-only",
        "--read-only-tmpfs=false",
        "--tmpfs=/tmp",
        "--cap-drop=ALL",
        "--cap-add=SYS_PTRACE",
        "--security-opt=no-new-privileges",
        "--pids-limit=256",
        "--memory=512m",
        "--init",
        "--cpuset-cpus=0",
    )


@pytest.mark.parametrize("family", ["docker", "podman"])
@pytest.mark.parametrize("field", [f.name for f in attrs.fields(ContainerPolicy)])
def test_every_policy_field_reaches_the_rendered_flags(field: str, family: EngineFamily) -> None:
    # A field added to ContainerPolicy has no OTHER_VALUE entry and fails here until rendered.
    changed = attrs.evolve(TRACE_POLICY, **{field: OTHER_VALUE[field]})
    assert render_policy(changed, family) != render_policy(TRACE_POLICY, family)


def test_a_one_cpu_policy_runs_on_the_cpu_the_runner_picked_and_others_on_any() -> None:
    assert render_policy(TRACE_POLICY, "docker", cpu=1)[-1] == "--cpuset-cpus=1"
    unpinned = attrs.evolve(TRACE_POLICY, one_cpu=False)
    assert not any("cpuset" in flag for flag in render_policy(unpinned, "docker", cpu=1))


def test_the_allowed_cpus_are_taken_in_turn_lowest_first() -> None:
    assert [pick_cpu({6, 2, 4}, turn) for turn in range(4)] == [2, 4, 6, 2]
    assert pick_cpu(set(), 3) == 0  # an affinity that says nothing: the first CPU


def test_the_field_table_covers_every_policy_field() -> None:
    assert set(OTHER_VALUE) == {f.name for f in attrs.fields(ContainerPolicy)}


def test_an_empty_policy_renders_only_what_it_asks_for() -> None:
    empty = ContainerPolicy(network="default", read_only_root=False, no_new_privileges=False)
    assert render_policy(empty, "docker") == ()


def test_the_build_network_default_passes_no_flag_and_none_passes_one() -> None:
    assert (network_flags("default"), network_flags("none")) == ((), ("--network=none",))


@pytest.mark.parametrize(
    ("engine", "family"),
    [("docker", "docker"), ("podman", "podman"), ("/usr/bin/podman", "podman"),
     ("/opt/docker", "docker"), ("podman-remote", "podman")],
)  # fmt: skip
def test_the_engine_family_is_read_from_the_program_name(engine: str, family: str) -> None:
    assert engine_family(engine) == family


@pytest.mark.parametrize(
    "bad",
    [
        {"cap_add": ("SYS_PTRACE --privileged",)},
        {"cap_drop": ("all",)},
        {"tmpfs": ("/tmp:exec",)},
        {"tmpfs": ("tmp",)},
        {"pids_limit": 0},
        {"memory_mib": 1},
    ],
)
def test_a_policy_value_that_would_smuggle_a_flag_or_make_no_sense_is_refused(
    bad: dict[str, Any],
) -> None:
    with pytest.raises(ValueError):
        ContainerPolicy(**bad)


def test_no_engine_run_flag_is_spelled_in_the_core() -> None:
    # The core decides the policy as a value; its CLI spelling lives only in the adapter.
    flags = {word.split("=")[0] for word in render_policy(TRACE_POLICY, "podman")}
    flags |= {word.split("=")[0] for word in DOCKER_TRACE_FLAGS}
    flags.discard("--env")  # not a hardening flag; `redact` reads it in argv it redacts
    core = Path(__file__).resolve().parents[2] / "codegenie_core"
    spelled = {
        (str(path.relative_to(core)), flag)
        for path in sorted(core.rglob("*.py"))
        for flag in flags
        if f'"{flag}' in path.read_text(encoding="utf-8")
    }
    assert spelled == set()
