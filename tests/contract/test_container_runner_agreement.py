"""The scripted FakeContainerRunner agrees with DockerStraceRunner where both can be compared:
a missing engine, a missing strace, and a real scenario that exits 0."""

from __future__ import annotations

import shutil
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from codegenie_adapters.docker_strace import DockerStraceRunner
from codegenie_adapters.fakes import FakeContainerRunner
from codegenie_core.ports import ContainerRunner
from codegenie_core.probes.layer_c.model import (
    TRACE_POLICY,
    BuildFailed,
    BuildRequest,
    BuiltImage,
    EngineReady,
    EngineUnavailable,
    ImageConfig,
    Scenario,
    ScenarioCompleted,
    StraceUnavailable,
)
from tests._ci_support.requires_tool import requires_tool

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "runtime"
NO_ENGINE = "codegenie-no-such-engine"
NO_STRACE = "codegenie-no-such-strace"
SHELL = Scenario(name="shell", argv=("/bin/sh", "-c", "exit 0"))
IMAGE = BuiltImage(ref="codegenie-trace:contract", config=ImageConfig())


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
