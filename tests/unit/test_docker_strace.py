"""The real runner's own rules that need no engine: once cleaned up, it starts nothing; it
creates a scenario's container with the policy it is given, in its engine's spelling; a
`--build-network none` build never uses the engine's build cache."""

from __future__ import annotations

import os
from pathlib import Path

import attrs
import pytest

from codegenie_adapters import docker_strace
from codegenie_adapters.container_flags import EngineFamily, render_policy
from codegenie_adapters.docker_strace import DockerStraceRunner, RunnerClosed
from codegenie_adapters.exec import ExecResult
from codegenie_adapters.tracer_bundle import TracerBundle
from codegenie_core.config import BuildNetwork
from codegenie_core.probes.layer_c.model import (
    TRACE_POLICY,
    BuildFailed,
    BuildRequest,
    BuiltImage,
    ContainerPolicy,
    EngineUnavailable,
    ImageConfig,
    Scenario,
    ScenarioResult,
)


def test_after_cleanup_a_scenario_is_refused_and_no_tracer_is_bundled(tmp_path: Path) -> None:
    # A probe thread may still be going when a signal's cleanup runs on the main thread: what it
    # asks next must neither start a container nor leave a new temporary directory behind.
    runner = DockerStraceRunner(str(tmp_path), engine="codegenie-no-such-engine", platform="linux")
    runner.cleanup()
    image = BuiltImage(ref="codegenie-trace:x", config=ImageConfig())
    with pytest.raises(RunnerClosed):
        runner.run_scenario(
            image,
            Scenario(name="s", argv=("x",)),
            timeout_s=1,
            keep_argv=False,
            policy=TRACE_POLICY,
        )
    assert runner._bundle is None  # pyright: ignore[reportPrivateUsage] -- nothing was bundled


def _created_with(tmp_path: Path, program: str, policy: ContainerPolicy) -> list[str]:
    """The `create` argv a stand-in engine named `program` receives for one scenario."""
    record = tmp_path / "create.argv"
    engine = tmp_path / program
    engine.write_text(
        f'#!/bin/sh\n[ "$1" = create ] && printf "%s\\n" "$@" > "{record}"\n'
        '[ "$1" = wait ] && echo 0\nexit 0\n'
    )
    engine.chmod(0o755)
    runner = DockerStraceRunner(str(tmp_path), engine=str(engine), platform="linux")
    bundle = TracerBundle(
        directory=str(tmp_path), loader=None, strace_version="6", seccomp_bpf=True
    )
    runner._bundle = bundle  # pyright: ignore[reportPrivateUsage] -- no strace needed here
    image = BuiltImage(ref="codegenie-trace:x", config=ImageConfig())
    scenario = Scenario(name="s", argv=("/bin/true",))
    runner.run_scenario(image, scenario, timeout_s=5, keep_argv=False, policy=policy)
    return record.read_text().splitlines()


@pytest.mark.parametrize("family", ["docker", "podman"])
@pytest.mark.parametrize("pids", [256, 97])
def test_a_container_is_created_with_the_given_policy_in_its_engines_spelling(
    tmp_path: Path, family: EngineFamily, pids: int
) -> None:
    policy = attrs.evolve(TRACE_POLICY, pids_limit=pids)
    created = _created_with(tmp_path, family, policy)
    flags = list(render_policy(policy, family, cpu=min(os.sched_getaffinity(0))))
    at = created.index(flags[0])
    assert created[at : at + len(flags)] == flags


@pytest.mark.parametrize(
    ("network", "flags"), [("none", ["--network=none", "--no-cache"]), ("default", [])]
)
def test_a_none_build_never_uses_the_engines_build_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, network: BuildNetwork, flags: list[str]
) -> None:
    # The engine keys a cached step by its parent and text, not its network (ADR-0035): a `none`
    # build that took a cached layer could hold what a step fetched with the network.
    calls: list[tuple[str, ...]] = []

    def engine(argv: tuple[str, ...], **_: object) -> ExecResult:
        calls.append(argv)
        return ExecResult(argv=argv, exit_code=1, stdout=b"", stderr=b"no", duration_s=0.0)

    monkeypatch.setattr(docker_strace, "run_external_cli", engine)
    runner = DockerStraceRunner(str(tmp_path), platform="linux")
    request = BuildRequest(dockerfile="Dockerfile", image_ref="codegenie-trace:x", network=network)
    assert isinstance(runner.build(request), BuildFailed)
    build = calls[0]
    assert build[:3] == ("docker", "build", "--force-rm")
    assert [a for a in build if a.startswith("--network") or a == "--no-cache"] == flags


def _recording_engine(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, ...]]:
    calls: list[tuple[str, ...]] = []

    def engine(argv: tuple[str, ...], **_: object) -> ExecResult:
        calls.append(argv)
        return ExecResult(argv=argv, exit_code=0, stdout=b"", stderr=b"", duration_s=0.0)

    monkeypatch.setattr(docker_strace, "run_external_cli", engine)
    return calls


def test_a_runner_that_named_no_container_cleans_up_without_asking_the_engine(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A warm gather (every key hit) builds the runner but traces nothing: its cleanup must not
    # pay an engine process to list containers that cannot exist.
    calls = _recording_engine(monkeypatch)
    DockerStraceRunner(str(tmp_path), platform="linux").cleanup()
    assert calls == []


def test_a_runner_that_named_a_container_lists_and_removes_what_is_left(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = _recording_engine(monkeypatch)
    runner = DockerStraceRunner(str(tmp_path), platform="linux")
    runner._bundle = TracerBundle(  # pyright: ignore[reportPrivateUsage] -- no strace needed
        directory=str(tmp_path / "bundle"), loader=None, strace_version="6", seccomp_bpf=True
    )
    image = BuiltImage(ref="codegenie-trace:x", config=ImageConfig())
    scenario = Scenario(name="s", argv=("/bin/true",))
    runner.run_scenario(image, scenario, timeout_s=5, keep_argv=False, policy=TRACE_POLICY)
    calls.clear()
    runner.cleanup()
    assert [call[1] for call in calls] == ["ps", "network"]  # containers, then the run's network


def test_a_build_context_reaching_outside_through_a_link_is_refused_before_any_engine_call(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[tuple[str, ...]] = []

    def engine(argv: tuple[str, ...], **_: object) -> ExecResult:
        calls.append(argv)
        return ExecResult(argv=argv, exit_code=0, stdout=b"{}", stderr=b"", duration_s=0.0)

    monkeypatch.setattr(docker_strace, "run_external_cli", engine)
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "Dockerfile").write_text("FROM scratch\n")
    repo = tmp_path / "repo"
    (repo / "svc").mkdir(parents=True)
    (repo / "svc" / "Dockerfile").write_text("FROM scratch\n")
    (repo / "elsewhere").symlink_to(outside)
    runner = DockerStraceRunner(str(repo), platform="linux")
    linked = BuildRequest(dockerfile="svc/Dockerfile", image_ref="t:1", context="elsewhere")
    assert runner.build(linked) == BuildFailed(
        exit_code=None, message="the build context 'elsewhere' leaves the repository: refused"
    )
    through = BuildRequest(dockerfile="elsewhere/Dockerfile", image_ref="t:2", context="svc")
    refused = runner.build(through)
    assert (
        isinstance(refused, BuildFailed) and "Dockerfile 'elsewhere/Dockerfile'" in refused.message
    )
    assert calls == []
    inside = runner.build(BuildRequest(dockerfile="svc/Dockerfile", image_ref="t:3", context="svc"))
    assert not isinstance(inside, BuildFailed)
    assert calls[0][-1] == str((repo / "svc").resolve())  # the context, not the repository root
    assert calls[0][calls[0].index("-f") + 1] == str((repo / "svc" / "Dockerfile").resolve())


def _pin_refusing_engine(
    monkeypatch: pytest.MonkeyPatch, *, refuse_all: bool = False
) -> list[tuple[str, ...]]:
    """A stand-in engine that refuses every pinned `create` as docker does for a CPU it lacks
    (or, with `refuse_all`, every `create`); the calls it received."""
    calls: list[tuple[str, ...]] = []

    def engine(argv: tuple[str, ...], **_: object) -> ExecResult:
        calls.append(argv)
        pinned = any(a.startswith("--cpuset-cpus=") for a in argv)
        if argv[1] == "create" and (pinned or refuse_all):
            why = b"Requested CPUs are not available - requested 7, available: 0-1"
            return ExecResult(argv=argv, exit_code=125, stdout=b"", stderr=why, duration_s=0.0)
        out = b"0" if argv[1] == "wait" else b""
        return ExecResult(argv=argv, exit_code=0, stdout=out, stderr=b"", duration_s=0.0)

    monkeypatch.setattr(docker_strace, "run_external_cli", engine)
    return calls


def _trace_twice(tmp_path: Path) -> list[ScenarioResult]:
    runner = DockerStraceRunner(str(tmp_path), platform="linux")
    runner._bundle = TracerBundle(  # pyright: ignore[reportPrivateUsage] -- no strace needed
        directory=str(tmp_path / "bundle"), loader=None, strace_version="6", seccomp_bpf=True
    )
    image = BuiltImage(ref="codegenie-trace:x", config=ImageConfig())
    scenario = Scenario(name="s", argv=("/bin/true",))
    return [
        runner.run_scenario(image, scenario, timeout_s=5, keep_argv=False, policy=TRACE_POLICY)
        for _ in range(2)
    ]


def test_an_engine_that_refuses_the_pin_traces_unpinned_and_is_not_asked_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Rule 5: a remote engine without this CPU, or no cpuset controller, costs speed, never the
    # trace; the refused container is removed before the unpinned one takes its name.
    calls = _pin_refusing_engine(monkeypatch)
    results = _trace_twice(tmp_path)
    assert [type(r).__name__ for r in results] == ["ScenarioCompleted", "ScenarioCompleted"]
    creates = [c for c in calls if c[1] == "create"]
    pins = [any(a.startswith("--cpuset-cpus=") for a in c) for c in creates]
    assert pins == [True, False, False]  # refused once, then unpinned for the rest of the run
    first_rm = next(c for c in calls if c[1] == "rm")
    assert calls.index(first_rm) == calls.index(creates[1]) - 1
    assert first_rm[-1] == creates[0][2].removeprefix("--name=")


def test_an_engine_that_refuses_every_container_keeps_the_pin_for_the_next_scenario(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The unpinned retry failing too says the pin was not the problem: the next scenario is
    # pinned again, and the failure is reported with the engine's own words.
    calls = _pin_refusing_engine(monkeypatch, refuse_all=True)
    results = _trace_twice(tmp_path)
    refused = [r for r in results if isinstance(r, EngineUnavailable)]
    assert len(refused) == 2
    assert all("Requested CPUs" in r.reason for r in refused)
    creates = [c for c in calls if c[1] == "create"]
    pins = [any(a.startswith("--cpuset-cpus=") for a in c) for c in creates]
    assert pins == [True, False, True, False]


def test_scenarios_take_the_allowed_cpus_in_turn(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = _recording_engine(monkeypatch)

    def affinity(_pid: int) -> set[int]:
        return {3, 5}

    monkeypatch.setattr(docker_strace.os, "sched_getaffinity", affinity)
    _trace_twice(tmp_path)
    _trace_twice(tmp_path)  # a second runner starts at the first CPU again
    pinned = [a for c in calls if c[1] == "create" for a in c if a.startswith("--cpuset-cpus=")]
    assert pinned == ["--cpuset-cpus=3", "--cpuset-cpus=5"] * 2
