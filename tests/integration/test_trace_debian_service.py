"""Live: a Python HTTP service on the real Debian image (scripts/build_debian_image), traced, and a
compose repository whose service builds `backend/Dockerfile` (ADR-0065)."""

from __future__ import annotations

import shutil
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from codegenie_adapters.config_yaml import RuamelYamlReader
from codegenie_adapters.docker_strace import DockerStraceRunner
from codegenie_adapters.engine_sweep import EngineSwept, sweep_engine
from codegenie_adapters.fakes import FakeClock, FakeRepo
from codegenie_adapters.image_inspect import base_image_resolver
from codegenie_core.config import GatherConfig
from codegenie_core.probe import Envelope, ProbeContext
from codegenie_core.probes.layer_c.dockerfiles import choose_dockerfiles
from codegenie_core.probes.layer_c.model import RUN_LABEL, TRACE_LABEL
from codegenie_core.probes.layer_c.runtime_trace import RuntimeTraceProbe, RuntimeTraceSlice
from tests._ci_support.requires_tool import requires_tool

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "runtime"
NEEDS = requires_tool("debian-image", "docker", "strace", "busybox", "linux")  # busybox: the prober


def _repo(root: Path) -> FakeRepo:
    files = {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}
    return FakeRepo(files=files)


def _trace(root: Path, runner: DockerStraceRunner) -> RuntimeTraceSlice:
    repo, yaml = _repo(root), RuamelYamlReader()

    def dockerfiles() -> tuple[str, ...]:
        return tuple(t.dockerfile for t in choose_dockerfiles(repo, yaml).targets)

    ctx = ProbeContext(
        repo=repo,
        config=GatherConfig(),
        clock=FakeClock(),
        yaml=yaml,
        containers=runner,
        image_digest_resolver=base_image_resolver(repo, dockerfiles=dockerfiles),
    )
    result = RuntimeTraceProbe().run(ctx)
    assert isinstance(result, Envelope), result
    assert isinstance(result.slice, RuntimeTraceSlice)
    return result.slice


@pytest.fixture
def service_root(tmp_path: Path) -> Path:
    root = tmp_path / "python-service"
    shutil.copytree(FIXTURES / "python-service", root)
    return root


@pytest.fixture
def runner(service_root: Path) -> Iterator[DockerStraceRunner]:
    real = DockerStraceRunner(repo_root=str(service_root))
    yield real
    real.cleanup()
    assert _networks(real) == ""


def _left(runner: DockerStraceRunner) -> str:
    listed = subprocess.run(
        ["docker", "ps", "-aq", "--filter", f"label={RUN_LABEL}={runner.run_id}"],
        capture_output=True,
        text=True,
        check=True,
        stdin=subprocess.DEVNULL,
    )
    return listed.stdout.strip()


def _networks(runner: DockerStraceRunner) -> str:
    listed = subprocess.run(
        ["docker", "network", "ls", "-q", "--filter", f"label={RUN_LABEL}={runner.run_id}"],
        capture_output=True,
        text=True,
        check=True,
        stdin=subprocess.DEVNULL,
    )
    return listed.stdout.strip()


@NEEDS
def test_the_python_service_on_debian_shows_python_its_config_glibc_and_the_database_attempt(
    service_root: Path, runner: DockerStraceRunner
) -> None:
    slice_ = _trace(service_root, runner)
    assert slice_.status == "traced", slice_.problems
    (image,) = slice_.images
    assert (image.dockerfile, image.context, image.status) == ("Dockerfile", ".", "traced")
    default = next(r for r in slice_.scenarios if r.name == "default")
    assert default.outcome == "stopped-after-window", default
    assert any(b.endswith("/python3") or "/python3." in b for b in slice_.binaries_executed)
    assert "/srv/service.ini" in slice_.files_read
    assert "/srv/app.py" in slice_.files_read
    assert any("/libc.so.6" in lib for lib in slice_.shared_libraries), slice_.shared_libraries
    stdlib = [p for p in slice_.files_read if p.startswith("/usr/lib/python3")]
    assert any("configparser" in p for p in stdlib), stdlib[:20]  # the stdlib, imported
    # a connect with a timeout is non-blocking: the call answers EINPROGRESS, then is refused
    attempts = [c for c in slice_.network_connects if (c.address, c.port) == ("127.0.0.1", 5432)]
    assert [c.family for c in attempts] == ["AF_INET"], slice_.network_connects
    assert slice_.base_images.startswith("debian:bookworm-slim=")
    (port,) = default.ports  # EXPOSE 8080, probed from a second container (ADR-0066)
    assert (port.port, port.state, port.http_status) == (8080, "http", 200), port
    assert port.server.startswith("codegenie-fixture/1.0 Python/3")
    assert port.content_type == "application/json"
    assert port.first_listen_ms is not None and port.first_listen_ms < 10_000
    assert all(r.ports == () for r in slice_.scenarios if r.name != "default")
    assert _left(runner) == ""
    assert _networks(runner) != ""  # the run's internal network: removed by cleanup()


@NEEDS
def test_a_compose_service_building_backend_dockerfile_is_traced(tmp_path: Path) -> None:
    root = tmp_path / "compose-backend"
    shutil.copytree(FIXTURES / "compose-backend", root)
    runner = DockerStraceRunner(repo_root=str(root))
    try:
        slice_ = _trace(root, runner)
    finally:
        runner.cleanup()
    assert slice_.status == "traced", slice_.problems
    (image,) = slice_.images
    assert (image.dockerfile, image.context, image.status) == (
        "backend/Dockerfile",
        "backend",
        "traced",
    )
    assert image.origin == "compose compose.yaml service 'backend'"
    assert "/srv/service.ini" in slice_.files_read
    assert _left(runner) == ""


@requires_tool("docker", "linux")
def test_the_engine_sweep_removes_a_runs_left_internal_network() -> None:
    run = f"la-sweep-{uuid.uuid4().hex[:8]}"
    subprocess.run(
        ["docker", "network", "create", "--internal", f"--label={TRACE_LABEL}=1",
         f"--label={RUN_LABEL}={run}", f"codegenie-trace-{run}"],
        check=True, capture_output=True, stdin=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        swept = sweep_engine("docker", everything=True, run=run)
        assert isinstance(swept, EngineSwept) and swept.problems == ()
        listed = subprocess.run(
            ["docker", "network", "ls", "-q", "--filter", f"label={RUN_LABEL}={run}"],
            capture_output=True, text=True, check=True, stdin=subprocess.DEVNULL,
        )  # fmt: skip
        assert listed.stdout.strip() == ""
    finally:
        subprocess.run(
            ["docker", "network", "rm", f"codegenie-trace-{run}"],
            capture_output=True, stdin=subprocess.DEVNULL, check=False,
        )  # fmt: skip
