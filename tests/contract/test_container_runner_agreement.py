"""The scripted FakeContainerRunner agrees with DockerStraceRunner where both can be compared:
a missing engine, a missing strace, a real scenario that exits 0, and the container policy a
scenario runs under (the fake records it; the real container shows it: ADR-0033)."""

from __future__ import annotations

import shutil
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from codegenie_adapters.docker_strace import DockerStraceRunner
from codegenie_adapters.fakes import FakeContainerRunner
from codegenie_core.parsers.strace import TraceFacts
from codegenie_core.ports import ContainerRunner
from codegenie_core.probes.layer_c.model import (
    TRACE_POLICY,
    BuildFailed,
    BuildRequest,
    BuiltImage,
    ContainerPolicy,
    EngineReady,
    EngineUnavailable,
    ImageConfig,
    Scenario,
    ScenarioCompleted,
    StraceUnavailable,
)
from tests._ci_support.applied_policy import applied_policy, inspect_first_running
from tests._ci_support.requires_tool import requires_tool

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "runtime"
NO_ENGINE = "codegenie-no-such-engine"
NO_STRACE = "codegenie-no-such-strace"
SHELL = Scenario(name="shell", argv=("/bin/sh", "-c", "exit 0"))
IMAGE = BuiltImage(ref="codegenie-trace:contract", config=ImageConfig())
# Unlike TRACE_POLICY in every field, so a runner that applies a constant cannot pass.
OTHER_POLICY = ContainerPolicy(
    network="default",
    read_only_root=False,
    tmpfs=("/run", "/tmp"),
    cap_drop=("MKNOD", "NET_RAW"),
    cap_add=("SYS_PTRACE", "KILL"),
    no_new_privileges=False,
    pids_limit=97,
    memory_mib=300,
    init=False,
)
HELD = Scenario(name="held", argv=("/bin/sh", "-c", "sleep 30"), timeout_s=30, window_s=3)


def _runner(kind: str, missing: str, root: Path) -> ContainerRunner:
    if kind == "fake":
        if missing == "engine":
            return FakeContainerRunner(status=EngineUnavailable(engine=NO_ENGINE, reason="absent"))
        return FakeContainerRunner(status=StraceUnavailable(reason="absent"))
    if missing == "engine":
        return DockerStraceRunner(repo_root=str(root), engine=NO_ENGINE)
    return DockerStraceRunner(repo_root=str(root), strace=NO_STRACE)


@pytest.mark.parametrize("kind", ["fake", "real"])
def test_a_missing_engine_is_reported_at_once_and_nothing_runs(kind: str, tmp_path: Path) -> None:
    runner = _runner(kind, "engine", tmp_path)
    started = time.monotonic()
    status = runner.engine_status()
    elapsed = time.monotonic() - started
    request = BuildRequest(dockerfile="Dockerfile", image_ref="codegenie-trace:contract")
    built = runner.build(request)
    result = runner.run_scenario(IMAGE, SHELL, timeout_s=5, keep_argv=False, policy=TRACE_POLICY)
    runner.cleanup()
    assert isinstance(status, EngineUnavailable) and elapsed < 1.0
    assert isinstance(built, BuildFailed) and built.exit_code is None
    assert isinstance(result, EngineUnavailable)


@requires_tool("docker")
@pytest.mark.parametrize("kind", ["fake", "real"])
def test_a_missing_strace_is_strace_unavailable_for_status_and_scenarios(
    kind: str, tmp_path: Path
) -> None:
    runner = _runner(kind, "strace", tmp_path)
    started = time.monotonic()
    status = runner.engine_status()
    elapsed = time.monotonic() - started
    result = runner.run_scenario(IMAGE, SHELL, timeout_s=5, keep_argv=False, policy=TRACE_POLICY)
    runner.cleanup()
    assert isinstance(status, StraceUnavailable) and elapsed < 1.0
    assert isinstance(result, StraceUnavailable)


@pytest.fixture
def real_runner(tmp_path: Path) -> Iterator[DockerStraceRunner]:
    shutil.copytree(FIXTURES / "busybox", tmp_path / "ctx")
    source = next(p for p in (Path("/bin/busybox"), Path("/usr/bin/busybox")) if p.exists())
    shutil.copy(source, tmp_path / "ctx" / "busybox")
    runner = DockerStraceRunner(repo_root=str(tmp_path / "ctx"))
    yield runner
    runner.cleanup()


@requires_tool("docker", "strace", "busybox", "linux")
@pytest.mark.parametrize("kind", ["fake", "real"])
def test_a_shell_scenario_completes_with_exit_zero_on_both(
    kind: str, request: pytest.FixtureRequest
) -> None:
    runner: ContainerRunner = (
        FakeContainerRunner() if kind == "fake" else request.getfixturevalue("real_runner")
    )
    status = runner.engine_status()
    # a tag of its own: the runner removes what it built, and the daemon may be shared
    ref = f"codegenie-trace:contract-{uuid.uuid4().hex[:8]}"
    built = runner.build(BuildRequest(dockerfile="Dockerfile", image_ref=ref))
    assert isinstance(status, EngineReady) and isinstance(built, BuiltImage)
    result = runner.run_scenario(built, SHELL, timeout_s=20, keep_argv=False, policy=TRACE_POLICY)
    runner.cleanup()
    assert isinstance(result, ScenarioCompleted)
    assert (result.exit_code, result.stopped_after_window, result.trace_cut) == (0, False, False)
    assert set(result.trace.binaries_executed) <= {"/bin/sh"}


@requires_tool("docker", "strace", "busybox", "linux")
@pytest.mark.parametrize("policy", [TRACE_POLICY, OTHER_POLICY], ids=["trace", "other"])
@pytest.mark.parametrize("kind", ["fake", "real"])
def test_a_scenario_runs_under_exactly_the_policy_the_runner_is_given(
    kind: str, policy: ContainerPolicy, request: pytest.FixtureRequest
) -> None:
    if kind == "fake":
        fake = FakeContainerRunner()
        fake.run_scenario(IMAGE, HELD, timeout_s=30, keep_argv=False, policy=policy)
        applied = dict(fake.policies)["held"]
    else:
        real: DockerStraceRunner = request.getfixturevalue("real_runner")
        ref = f"codegenie-trace:contract-{uuid.uuid4().hex[:8]}"
        built = real.build(BuildRequest(dockerfile="Dockerfile", image_ref=ref))
        assert isinstance(built, BuiltImage)
        _, inspected = inspect_first_running(
            real.run_id,
            lambda: real.run_scenario(built, HELD, timeout_s=30, keep_argv=False, policy=policy),
        )
        assert inspected, "the scenario's container was never seen running"
        applied = applied_policy(inspected)
    assert applied == policy


@requires_tool("docker", "strace", "busybox", "linux")
@pytest.mark.parametrize("kind", ["fake", "real"])
def test_a_profiling_pass_counts_syscalls_and_leaves_the_trace_empty_on_both(
    kind: str, request: pytest.FixtureRequest
) -> None:
    runner: ContainerRunner = (
        FakeContainerRunner() if kind == "fake" else request.getfixturevalue("real_runner")
    )
    ref = f"codegenie-trace:contract-{uuid.uuid4().hex[:8]}"
    built = runner.build(BuildRequest(dockerfile="Dockerfile", image_ref=ref))
    assert isinstance(built, BuiltImage)
    result = runner.run_scenario(
        built, SHELL, timeout_s=20, keep_argv=False, policy=TRACE_POLICY, count_syscalls=True
    )
    runner.cleanup()
    assert isinstance(result, ScenarioCompleted) and result.exit_code == 0
    assert result.syscalls is not None and {"brk", "execve"} <= set(result.syscalls.names)
    assert result.trace == TraceFacts()


@pytest.mark.parametrize("kind", ["fake", "real"])
def test_a_profiling_pass_without_an_engine_is_engine_unavailable_on_both(
    kind: str, tmp_path: Path
) -> None:
    runner = _runner(kind, "engine", tmp_path)
    result = runner.run_scenario(
        IMAGE, SHELL, timeout_s=5, keep_argv=False, policy=TRACE_POLICY, count_syscalls=True
    )
    runner.cleanup()
    assert isinstance(result, EngineUnavailable)
