"""The real runner: builds a scratch+busybox image offline and traces it with injected strace."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from codegenie_adapters.docker_strace import DockerStraceRunner, make_image_digest_resolver
from codegenie_adapters.fakes import FakeClock, FakeRepo, ScriptedYaml
from codegenie_core.config import GatherConfig
from codegenie_core.parsers.strace import Connect
from codegenie_core.probe import Envelope, ProbeContext
from codegenie_core.probes.layer_c.model import (
    RUN_LABEL,
    TRACE_LABEL,
    TRACE_POLICY,
    BuildRequest,
    BuiltImage,
    Scenario,
    ScenarioCompleted,
    ScenarioTimeout,
)
from codegenie_core.probes.layer_c.runtime_trace import RuntimeTraceProbe, RuntimeTraceSlice
from tests._ci_support.requires_tool import requires_tool

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "runtime"
NEEDS = requires_tool("docker", "strace", "busybox", "linux")


def _context(tmp: Path, fixture: str) -> Path:
    root = tmp / fixture
    shutil.copytree(FIXTURES / fixture, root)
    # requires_tool("busybox") has checked that one of these exists
    source = next(p for p in (Path("/bin/busybox"), Path("/usr/bin/busybox")) if p.exists())
    shutil.copy(source, root / "busybox")
    return root


def _containers(label: str) -> set[str]:
    listed = subprocess.run(
        ["docker", "ps", "-aq", "--filter", f"label={label}"],
        capture_output=True,
        text=True,
        check=True,
        stdin=subprocess.DEVNULL,
    )
    return set(listed.stdout.split())


@pytest.fixture(scope="module")
def busybox_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _context(tmp_path_factory.mktemp("runtime"), "busybox")


@pytest.fixture
def runner(busybox_root: Path) -> Iterator[DockerStraceRunner]:
    real = DockerStraceRunner(repo_root=str(busybox_root))
    yield real
    real.cleanup()


@pytest.fixture
def image(runner: DockerStraceRunner) -> BuiltImage:
    built = runner.build(
        BuildRequest(
            dockerfile="Dockerfile", image_ref=f"codegenie-trace:it-{uuid.uuid4().hex[:8]}"
        )
    )
    assert isinstance(built, BuiltImage), built
    return built


def _probe_ctx(root: Path, runner: DockerStraceRunner, files: dict[str, bytes]) -> ProbeContext:
    on_disk = {
        p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()
    }
    documents: dict[str, object] = {}
    if ".codegenie/scenarios.yaml" in files:
        documents = {files[".codegenie/scenarios.yaml"].decode(): _SLEEPERS}
    repo = FakeRepo(files=on_disk | files)
    return ProbeContext(
        repo=repo,
        config=GatherConfig(),
        clock=FakeClock(),
        yaml=ScriptedYaml(documents=documents),
        containers=runner,
        image_digest_resolver=make_image_digest_resolver(runner, repo),
    )


_SLEEPERS = {
    "scenarios": [{"name": f"nap{i}", "shell": "sleep 1", "timeout_s": 20} for i in range(3)]
}


@NEEDS
def test_every_default_scenario_completes_and_reports_binaries_files_and_connects(
    busybox_root: Path, runner: DockerStraceRunner
) -> None:
    result = RuntimeTraceProbe().run(_probe_ctx(busybox_root, runner, {}))
    assert isinstance(result, Envelope)
    slice_ = result.slice
    assert isinstance(slice_, RuntimeTraceSlice)
    assert [(r.name, r.outcome, r.exit_code) for r in slice_.scenarios] == [
        ("default", "completed", 0),
        ("help", "completed", 0),
        ("version", "completed", 0),
        ("healthcheck", "completed", 0),
        ("shell", "completed", 0),
    ]
    assert {"/bin/sh", "/bin/cat"} <= set(slice_.binaries_executed)
    assert {"/app/run.sh", "/etc/motd"} <= set(slice_.files_read)
    assert "/tmp/out" in slice_.files_written
    connect = Connect(family="AF_INET", address="127.0.0.1", port=9, outcome="ECONNREFUSED")
    assert connect in slice_.network_connects
    assert (slice_.trace_coverage_confidence, slice_.seccomp_bpf) == ("high", True)
    assert slice_.base_images == "scratch"
    # This run's label, not every codegenie container: other gathers may share the daemon.
    assert _containers(f"{RUN_LABEL}={runner.run_id}") == set()


@NEEDS
def test_a_loopback_connect_under_network_none_is_recorded(
    runner: DockerStraceRunner, image: BuiltImage
) -> None:
    scenario = Scenario(name="dial", argv=("/bin/nc", "127.0.0.1", "9"), timeout_s=20)
    result = runner.run_scenario(
        image, scenario, timeout_s=20, keep_argv=False, policy=TRACE_POLICY
    )
    assert isinstance(result, ScenarioCompleted)
    assert result.trace.network_connects == (
        Connect(family="AF_INET", address="127.0.0.1", port=9, outcome="ECONNREFUSED"),
    )
    assert result.trace.binaries_executed == ("/bin/nc",)


@NEEDS
def test_a_scenario_sleeping_past_its_timeout_is_a_timeout_and_leaves_no_container(
    runner: DockerStraceRunner, image: BuiltImage
) -> None:
    scenario = Scenario(name="sleeper", argv=("/bin/sleep", "1000"), timeout_s=2, origin="repo")
    result = runner.run_scenario(image, scenario, timeout_s=2, keep_argv=False, policy=TRACE_POLICY)
    assert isinstance(result, ScenarioTimeout)
    assert 2000 <= result.elapsed_ms < 10000
    assert _containers(f"{RUN_LABEL}={runner.run_id}") == set()


@NEEDS
def test_a_server_still_running_when_its_window_closes_is_a_normal_completion(
    runner: DockerStraceRunner, image: BuiltImage
) -> None:
    scenario = Scenario(name="server", argv=("/bin/sh", "-c", "sleep 1000"), window_s=1.5)
    result = runner.run_scenario(
        image, scenario, timeout_s=30, keep_argv=False, policy=TRACE_POLICY
    )
    assert isinstance(result, ScenarioCompleted)
    assert result.stopped_after_window
    assert result.trace.binaries_executed == ("/bin/sh",)
    assert [e.argv0 for e in result.trace.executions] == ["/bin/sh", "sleep"]


@NEEDS
def test_full_argv_is_kept_only_with_trace_argv(
    runner: DockerStraceRunner, image: BuiltImage
) -> None:
    scenario = Scenario(name="args", argv=("/bin/echo", "--token=s3cret"))
    hidden = runner.run_scenario(
        image, scenario, timeout_s=20, keep_argv=False, policy=TRACE_POLICY
    )
    shown = runner.run_scenario(image, scenario, timeout_s=20, keep_argv=True, policy=TRACE_POLICY)
    assert isinstance(hidden, ScenarioCompleted) and isinstance(shown, ScenarioCompleted)
    assert "s3cret" not in repr(hidden.trace)
    assert shown.trace.executions[0].argv == ("/bin/echo", "--token=s3cret")


@NEEDS
def test_a_runner_built_with_trace_argv_keeps_full_argv(
    busybox_root: Path, image: BuiltImage
) -> None:
    runner = DockerStraceRunner(str(busybox_root), trace_argv=True)
    scenario = Scenario(name="args", argv=("/bin/echo", "--token=s3cret"))
    try:
        result = runner.run_scenario(
            image, scenario, timeout_s=20, keep_argv=False, policy=TRACE_POLICY
        )
    finally:
        runner.cleanup()
    assert isinstance(result, ScenarioCompleted)
    assert result.trace.executions[0].argv == ("/bin/echo", "--token=s3cret")


@NEEDS
def test_scenarios_are_observed_to_run_at_most_one_at_a_time(
    busybox_root: Path, runner: DockerStraceRunner
) -> None:
    seen: list[int] = []
    stop = threading.Event()

    def poll() -> None:
        while not stop.is_set():
            seen.append(len(_running(f"{RUN_LABEL}={runner.run_id}")))
            time.sleep(0.1)

    poller = threading.Thread(target=poll, daemon=True)
    poller.start()
    files = {".codegenie/scenarios.yaml": b"# three one-second naps\n"}
    try:
        result = RuntimeTraceProbe().run(_probe_ctx(busybox_root, runner, files))
    finally:
        stop.set()
        poller.join()
    assert isinstance(result, Envelope)
    naps = [r for r in result.slice.scenarios if r.name.startswith("nap")]
    assert [r.outcome for r in naps] == ["completed"] * 3
    assert max(seen) == 1  # observed running, and never two at once


def _running(label: str) -> set[str]:
    listed = subprocess.run(
        ["docker", "ps", "-q", "--filter", f"label={label}"],
        capture_output=True,
        text=True,
        check=True,
        stdin=subprocess.DEVNULL,
    )
    return set(listed.stdout.split())


@NEEDS
def test_an_image_with_a_non_root_user_is_traced(tmp_path: Path) -> None:
    root = _context(tmp_path, "busybox-user")
    runner = DockerStraceRunner(repo_root=str(root))
    try:
        built = runner.build(
            BuildRequest(
                dockerfile="Dockerfile", image_ref=f"codegenie-trace:it-user-{uuid.uuid4().hex[:8]}"
            )
        )
        assert isinstance(built, BuiltImage) and built.config.user == "1000:1000"
        scenario = Scenario(name="default", argv=built.config.cmd)
        result = runner.run_scenario(
            built, scenario, timeout_s=20, keep_argv=False, policy=TRACE_POLICY
        )
    finally:
        runner.cleanup()
    assert isinstance(result, ScenarioCompleted) and result.exit_code == 0
    assert result.trace.looked_for_not_found == ("/etc/motd",)


@NEEDS
def test_a_build_that_fails_is_build_failed_with_the_engines_message(tmp_path: Path) -> None:
    (tmp_path / "Dockerfile").write_text("FROM scratch\nCOPY missing-file /x\n")
    runner = DockerStraceRunner(repo_root=str(tmp_path))
    try:
        built = runner.build(
            BuildRequest(dockerfile="Dockerfile", image_ref="codegenie-trace:it-bad")
        )
    finally:
        runner.cleanup()
    assert not isinstance(built, BuiltImage)
    assert "missing-file" in built.message


@NEEDS
def test_the_resolver_follows_base_images_and_is_unresolved_for_unknown_ones(
    runner: DockerStraceRunner, image: BuiltImage
) -> None:
    local = FakeRepo(files={"Dockerfile": f"FROM {image.ref} AS base\nFROM base\n".encode()})
    unknown = FakeRepo(files={"Dockerfile": b"FROM codegenie-no-such-image:0\n"})
    resolved = make_image_digest_resolver(runner, local)()
    assert resolved is not None and resolved.startswith(f"{image.ref}=sha256:")
    assert make_image_digest_resolver(runner, unknown)() is None
    assert make_image_digest_resolver(runner, FakeRepo())() is None


@NEEDS
def test_the_container_root_is_read_only_and_only_tmp_is_writable(
    runner: DockerStraceRunner, image: BuiltImage
) -> None:
    scenario = Scenario(name="writer", argv=("/bin/sh", "-c", "touch /rootfile; touch /tmp/ok"))
    result = runner.run_scenario(
        image, scenario, timeout_s=20, keep_argv=False, policy=TRACE_POLICY
    )
    assert isinstance(result, ScenarioCompleted)
    assert result.trace.failed_opens == (("/rootfile", "EROFS"),)
    assert result.trace.files_written == ("/tmp/ok",)


@NEEDS
def test_cleanup_removes_a_container_an_interruption_left_behind(
    runner: DockerStraceRunner, image: BuiltImage
) -> None:
    # What a Ctrl-C between `docker run` and its `finally` could leave: a labelled container, of
    # a scenario that had counted itself first (as `run_scenario` does before it creates one; a
    # runner that counted none has nothing to list, and asks the engine nothing).
    runner._count += 1  # pyright: ignore[reportPrivateUsage] -- the scenario's own first step
    subprocess.run(
        ["docker", "run", "-d", "--label", f"{RUN_LABEL}={runner.run_id}", "--entrypoint",
         "/bin/sleep", image.ref, "1000"],
        check=True, capture_output=True, stdin=subprocess.DEVNULL,
    )  # fmt: skip
    left = _containers(f"{RUN_LABEL}={runner.run_id}")
    runner.cleanup()
    assert (len(left), _containers(f"{RUN_LABEL}={runner.run_id}")) == (1, set())


@NEEDS
def test_sigterm_mid_trace_exits_143_and_leaves_no_container_of_its_run(tmp_path: Path) -> None:
    root = _context(tmp_path, "busybox")
    nonce = uuid.uuid4().hex[:12]  # other runs may trace at the same time: find ours by name
    (root / ".codegenie").mkdir()
    (root / ".codegenie" / "scenarios.yaml").write_text(
        f"scenarios:\n  - name: sleeper-{nonce}\n    argv: [/bin/sleep, '30']\n    timeout_s: 60\n"
    )
    scratch, out = tmp_path / "tmp", tmp_path / "out"
    scratch.mkdir()
    env = os.environ | {"TMPDIR": str(scratch), "CODEGENIE_CACHE_DIR": str(tmp_path / "cache")}
    argv = [sys.executable, "-m", "codegenie_cli", "gather", str(root), "--layer", "c"]
    process = subprocess.Popen(
        [*argv, "--no-cache", "--output", str(out)],
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    run_id = ""
    try:
        deadline = time.monotonic() + 180
        while not run_id and time.monotonic() < deadline and process.poll() is None:
            sleeper = _running(f"{TRACE_LABEL}.scenario=codegenie-scenario:sleeper-{nonce}")
            for container in sleeper:
                run_id = _run_label_of(container)
            time.sleep(0.2)
        assert run_id, "the sleeping scenario was never seen running"
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=120)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    left = _containers(f"{RUN_LABEL}={run_id}")
    for container in left:  # a failing run must not leave its sleeper on the shared daemon
        subprocess.run(["docker", "rm", "-f", container], capture_output=True, check=False)
    assert process.returncode == 143, stderr.decode()[-2000:]
    assert not out.exists()
    assert left == set()
    assert sorted(scratch.iterdir()) == []


def _run_label_of(container: str) -> str:
    inspected = subprocess.run(
        ["docker", "inspect", "--format", f'{{{{index .Config.Labels "{RUN_LABEL}"}}}}', container],
        capture_output=True,
        text=True,
        check=False,
        stdin=subprocess.DEVNULL,
    )
    return inspected.stdout.strip()
