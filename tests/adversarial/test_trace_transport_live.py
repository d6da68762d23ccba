"""Hostile scenarios against the real runner (see ADR-0022): what a container running as root
leaves for the trace never reaches the host as a file, a followed symlink or a blocking FIFO; an
oversized trace is cut, not fatal; a failing build step leaves no container; the core's
container policy is what docker applied to the running container (ADR-0033); images and volumes
do not pile up."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, cast

import pytest

from codegenie_adapters.docker_strace import DockerStraceRunner
from codegenie_adapters.engine_sweep import EngineAbsent, EngineSwept, sweep_engine
from codegenie_core.config import BuildNetwork
from codegenie_core.probes.layer_c.model import (
    RUN_LABEL,
    TRACE_LABEL,
    TRACE_POLICY,
    BuildFailed,
    BuildRequest,
    BuiltImage,
    Scenario,
    ScenarioCompleted,
)
from tests._ci_support.applied_policy import applied_policy, inspect_first_running
from tests._ci_support.requires_tool import requires_tool

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "runtime"
NEEDS = requires_tool("docker", "strace", "busybox", "linux")
# The output directory under the current design, then the old one: a hostile scenario tries both.
OUT_DIRS = "/cg-out/out /cg-out"


def _docker(*args: str) -> str:
    done = subprocess.run(
        ["docker", *args], capture_output=True, text=True, check=False, stdin=subprocess.DEVNULL
    )
    return done.stdout


def _mounts(container: str) -> list[dict[str, Any]]:
    """The mounts of a running container; none once it is gone: the run removes it while the
    poller looks, and `inspect` then fails, printing an empty line (not JSON) on stdout."""
    done = subprocess.run(
        ["docker", "inspect", "--format", "{{json .Mounts}}", container],
        capture_output=True, text=True, check=False, stdin=subprocess.DEVNULL,
    )  # fmt: skip
    if done.returncode != 0:
        return []
    return cast("list[dict[str, Any]]", json.loads(done.stdout or "[]") or [])


def _busybox_context(tmp: Path) -> Path:
    root = tmp / "busybox"
    shutil.copytree(FIXTURES / "busybox", root)
    source = next(p for p in (Path("/bin/busybox"), Path("/usr/bin/busybox")) if p.exists())
    shutil.copy(source, root / "busybox")
    return root


@pytest.fixture(scope="module")
def context_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _busybox_context(tmp_path_factory.mktemp("hostile"))


@pytest.fixture
def runner(context_root: Path) -> Iterator[DockerStraceRunner]:
    real = DockerStraceRunner(repo_root=str(context_root))
    yield real
    real.cleanup()


@pytest.fixture
def image(runner: DockerStraceRunner) -> BuiltImage:
    ref = f"codegenie-trace:hostile-{uuid.uuid4().hex[:8]}"
    built = runner.build(BuildRequest(dockerfile="Dockerfile", image_ref=ref))
    assert isinstance(built, BuiltImage), built
    return built


def _shell(name: str, script: str, *, window_s: float | None = None) -> Scenario:
    return Scenario(name=name, argv=("/bin/sh", "-c", script), timeout_s=30, window_s=window_s)


def _while_running(
    runner: DockerStraceRunner, look: Callable[[str], None]
) -> tuple[threading.Thread, threading.Event]:
    """Call `look(container id)` repeatedly while this run's container is running."""
    stop = threading.Event()

    def poll() -> None:
        label = f"label={RUN_LABEL}={runner.run_id}"
        while not stop.is_set():
            for container in _docker("ps", "-q", "--filter", label).split():
                look(container)
            time.sleep(0.2)

    thread = threading.Thread(target=poll, daemon=True)
    thread.start()
    return thread, stop


def _host_files_named(name: str, roots: list[Path]) -> list[Path]:
    """`name` anywhere up to three levels under `roots` (where a host temp dir would be). Temp
    dirs come and go while this looks (the gather under test makes and removes its own): a
    directory gone mid-walk is skipped, never an error in the polling thread."""
    found: list[Path] = []
    for root in roots:
        for top, directories, files in os.walk(root, onerror=lambda _error: None):
            relative = os.path.relpath(top, root)
            depth = 0 if relative == "." else relative.count(os.sep) + 1
            if depth >= 3:  # files up to three levels under the root, as before
                directories.clear()
            found.extend(Path(top) / f for f in (*files, *directories) if f == name)
    return found


@NEEDS
def test_a_setuid_copy_the_container_makes_never_lands_on_a_host_path_and_its_volume_goes(
    runner: DockerStraceRunner, image: BuiltImage, context_root: Path
) -> None:
    marker = f"cg-suid-{uuid.uuid4().hex[:8]}"
    script = (
        f"for d in {OUT_DIRS}; do cp /bin/busybox $d/{marker} && chmod 4755 $d/{marker} "
        f"&& break; done; ls -l $d/{marker}; sleep 3"
    )
    roots = [Path(tempfile.gettempdir()), context_root, Path.cwd()]
    seen_on_host: list[Path] = []
    writable_binds: list[dict[str, Any]] = []

    def look(container: str) -> None:
        seen_on_host.extend(_host_files_named(marker, roots))
        writable_binds.extend(
            m for m in _mounts(container) if m.get("Type") == "bind" and m.get("RW")
        )

    thread, stop = _while_running(runner, look)
    try:
        result = runner.run_scenario(image, _shell("suid", script, window_s=2.5), timeout_s=30,
                                     keep_argv=False, policy=TRACE_POLICY)  # fmt: skip
    finally:
        stop.set()
        thread.join()
    assert isinstance(result, ScenarioCompleted) and result.trace.binaries_executed
    assert any(p.endswith(f"/{marker}") for p in result.trace.files_written)  # it made the copy
    assert (seen_on_host, writable_binds) == ([], [])
    assert _host_files_named(marker, roots) == []
    assert _docker("volume", "ls", "-q", "--filter", f"label={RUN_LABEL}={runner.run_id}") == ""


@NEEDS
def test_a_trace_replaced_by_a_symlink_to_a_host_file_never_brings_that_file_in(
    runner: DockerStraceRunner, image: BuiltImage, tmp_path: Path
) -> None:
    secret = tmp_path / "host-secret"
    marker = f"/host-secret-{uuid.uuid4().hex[:8]}"
    secret.write_text(f'1 execve("{marker}", ["x"], 0x0 /* 0 vars */) = 0\n')
    script = (
        f"for d in {OUT_DIRS}; do [ -e $d/trace ] && rm $d/trace && ln -s {secret} $d/trace; done"
    )
    result = runner.run_scenario(
        image, _shell("symlink", script), timeout_s=30, keep_argv=False, policy=TRACE_POLICY
    )
    assert isinstance(result, ScenarioCompleted)
    assert marker not in repr(result)
    assert result.trace_problem == "the trace file is a symlink, not a regular file"


@NEEDS
def test_a_trace_replaced_by_a_fifo_is_refused_in_bounded_time(
    runner: DockerStraceRunner, image: BuiltImage
) -> None:
    script = f"for d in {OUT_DIRS}; do [ -e $d/trace ] && rm $d/trace && mkfifo $d/trace; done"
    results: list[object] = []
    worker = threading.Thread(
        target=lambda: results.append(
            runner.run_scenario(
                image, _shell("fifo", script), timeout_s=30, keep_argv=False, policy=TRACE_POLICY
            )
        ),
        daemon=True,
    )
    started = time.monotonic()
    worker.start()
    worker.join(60)
    assert not worker.is_alive(), "the runner blocked on the FIFO"
    assert time.monotonic() - started < 60
    [result] = results
    assert isinstance(result, ScenarioCompleted)
    assert result.trace_problem == "the trace file is a FIFO, not a regular file"


@NEEDS
def test_a_trace_over_the_cap_is_cut_at_the_cap_and_its_head_still_read(
    context_root: Path, image: BuiltImage
) -> None:
    cap = 4096
    runner = DockerStraceRunner(repo_root=str(context_root), max_trace_bytes=cap, keep_images=True)
    script = "i=0; while [ $i -lt 300 ]; do cat /etc/motd >/dev/null; i=$((i+1)); done"
    try:
        result = runner.run_scenario(
            image, _shell("big", script), timeout_s=30, keep_argv=False, policy=TRACE_POLICY
        )
    finally:
        runner.cleanup()
    assert isinstance(result, ScenarioCompleted)
    assert (result.trace_cut, result.trace_problem, result.exit_code) == (True, "", 0)
    assert result.trace.binaries_executed == ("/bin/sh",)  # the head was parsed


def _containers_running_command_with(marker: str) -> list[str]:
    """Every container, labelled or not, whose command holds `marker`: a build's intermediate
    containers carry none of the build's labels (the legacy builder adds them in a last step)."""
    listed = _docker("ps", "-a", "--no-trunc", "--format", "{{.ID}} {{.Command}}")
    return [line.split()[0] for line in listed.splitlines() if marker in line]


@NEEDS
def test_a_failing_run_step_leaves_no_container_behind(tmp_path: Path) -> None:
    root = _busybox_context(tmp_path)
    marker = f"cg-failing-step-{uuid.uuid4().hex[:8]}"
    (root / "Dockerfile").write_text(
        f'FROM scratch\nCOPY busybox /bin/busybox\nRUN ["/bin/busybox", "false", "{marker}"]\n'
    )
    runner = DockerStraceRunner(repo_root=str(root))
    label = f"label={RUN_LABEL}={runner.run_id}"
    try:
        ref = f"codegenie-trace:hostile-fail-{uuid.uuid4().hex[:8]}"
        built = runner.build(BuildRequest(dockerfile="Dockerfile", image_ref=ref))
        left = _containers_running_command_with(marker)
        labelled = _docker("ps", "-aq", "--filter", label, "--filter", f"label={TRACE_LABEL}=1")
    finally:
        for container in _containers_running_command_with(marker):  # never leave junk
            _docker("rm", "-f", "-v", container)
        runner.cleanup()
    assert isinstance(built, BuildFailed) and built.exit_code not in (0, None)
    assert (left, labelled) == ([], "")


@NEEDS
def test_the_running_container_carries_every_hardening_flag(
    runner: DockerStraceRunner, image: BuiltImage
) -> None:
    # The core decides the policy, the runner renders it: docker's view of the running container
    # must be that policy, field by field (removing any flag from `render_policy` fails this).
    _, seen = inspect_first_running(
        runner.run_id,
        lambda: runner.run_scenario(
            image, _shell("hold", "sleep 30", window_s=3), timeout_s=30, keep_argv=False,
            policy=TRACE_POLICY,
        ),
    )  # fmt: skip
    assert seen, "the scenario's container was never seen running"
    assert applied_policy(seen) == TRACE_POLICY
    host = seen["HostConfig"]
    assert (host["NetworkMode"], host["Tmpfs"], host["Memory"]) == ("none", {"/tmp": ""}, 512 << 20)
    # docker's init is tini; the variable makes a stop reach the whole process group
    assert "TINI_KILL_PROCESS_GROUP=1" in seen["Config"]["Env"]
    assert seen["Config"]["Labels"][f"{TRACE_LABEL}"] == "1"
    assert [(m["Type"], m["Destination"], m["RW"]) for m in seen["Mounts"]
            if m["RW"]] == [("volume", "/cg-out", True)]  # fmt: skip


@NEEDS
def test_built_images_are_removed_at_cleanup_unless_kept(context_root: Path) -> None:
    refs: dict[bool, str] = {}
    for keep in (False, True):
        runner = DockerStraceRunner(repo_root=str(context_root), keep_images=keep)
        refs[keep] = f"codegenie-trace:hostile-keep-{uuid.uuid4().hex[:8]}"
        built = runner.build(BuildRequest(dockerfile="Dockerfile", image_ref=refs[keep]))
        assert isinstance(built, BuiltImage)
        runner.cleanup()
    try:
        assert _docker("image", "ls", "-q", refs[False]) == ""
        assert _docker("image", "ls", "-q", refs[True]) != ""
    finally:
        _docker("image", "rm", refs[True])


@NEEDS
def test_the_engine_sweep_removes_a_runs_labelled_container_volume_and_image(
    context_root: Path,
) -> None:
    runner = DockerStraceRunner(repo_root=str(context_root), keep_images=True)
    ref = f"codegenie-trace:hostile-sweep-{uuid.uuid4().hex[:8]}"
    built = runner.build(BuildRequest(dockerfile="Dockerfile", image_ref=ref))
    assert isinstance(built, BuiltImage)
    labels = (f"--label={TRACE_LABEL}=1", f"--label={RUN_LABEL}={runner.run_id}")
    run_label = f"{RUN_LABEL}={runner.run_id}"
    volume = f"type=volume,dst=/x,volume-label={TRACE_LABEL}=1,volume-label={run_label}"
    _docker("create", *labels, f"--mount={volume}", "--entrypoint=/bin/true", ref)
    _docker("volume", "create", f"--label={TRACE_LABEL}=1", f"--label={RUN_LABEL}={runner.run_id}")
    try:
        gentle = sweep_engine("docker", everything=False, run=runner.run_id)
        swept = sweep_engine("docker", everything=True, run=runner.run_id)
    finally:
        runner.cleanup()
    assert isinstance(gentle, EngineSwept) and isinstance(swept, EngineSwept)
    # the created (never started) container goes with its volume, then the other volume is
    # pruned, then the image no container uses
    assert (gentle.containers, gentle.volumes, gentle.images, gentle.problems) == (1, 1, 1, ())
    assert _docker("volume", "ls", "-q", "--filter", f"label={run_label}") == ""
    assert (swept.containers, swept.volumes, swept.images) == (0, 0, 0)
    assert _docker("image", "ls", "-q", ref) == ""


@NEEDS
def test_the_gentle_sweep_leaves_a_running_container_and_the_full_one_removes_it(
    runner: DockerStraceRunner, image: BuiltImage
) -> None:
    labels = (f"--label={TRACE_LABEL}=1", f"--label={RUN_LABEL}={runner.run_id}")
    _docker("run", "-d", *labels, "--entrypoint=/bin/sleep", image.ref, "1000")
    gentle = sweep_engine("docker", everything=False, run=runner.run_id)
    running = _docker("ps", "-q", "--filter", f"label={RUN_LABEL}={runner.run_id}")
    full = sweep_engine("docker", everything=True, run=runner.run_id)
    assert isinstance(gentle, EngineSwept) and isinstance(full, EngineSwept)
    assert (gentle.containers, running != "", full.containers) == (0, True, 1)
    assert _docker("ps", "-aq", "--filter", f"label={RUN_LABEL}={runner.run_id}") == ""


def test_no_engine_on_path_is_a_skip_value(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", os.devnull)
    assert isinstance(sweep_engine("docker", everything=True), EngineAbsent)


@NEEDS
@pytest.mark.parametrize(("network", "builds"), [("none", True), ("default", False)])
def test_build_network_none_gives_the_builds_run_steps_no_network(
    tmp_path: Path, network: BuildNetwork, builds: bool
) -> None:
    root = _busybox_context(tmp_path)
    # The step fails where it sees a network interface. Its text is this test's own, so the
    # engine's build cache (shared by every run on the daemon) has no layer for it.
    (root / "Dockerfile").write_text(
        "FROM scratch\nCOPY busybox /bin/busybox\n"
        'RUN ["/bin/busybox", "sh", "-c", '
        f'"! /bin/busybox ls /sys/class/net | /bin/busybox grep -v lo # {uuid.uuid4().hex}"]\n'
    )
    runner = DockerStraceRunner(repo_root=str(root))
    ref = f"codegenie-trace:hostile-net-{uuid.uuid4().hex[:8]}"
    try:
        built = runner.build(BuildRequest(dockerfile="Dockerfile", image_ref=ref, network=network))
    finally:
        runner.cleanup()
    assert isinstance(built, BuiltImage) == builds, built


@NEEDS
def test_a_none_build_never_takes_a_layer_an_earlier_build_made_with_the_network(
    tmp_path: Path,
) -> None:
    """The engine's build cache ignores the network a step ran under (ADR-0035): a step that
    succeeds only with a network interface is built and kept under `default`; the same step under
    `none` must run again, without one, and fail, not be served the cached layer."""
    root = _busybox_context(tmp_path)
    (root / "Dockerfile").write_text(
        "FROM scratch\nCOPY busybox /bin/busybox\n"
        'RUN ["/bin/busybox", "sh", "-c", '
        f'"/bin/busybox ls /sys/class/net | /bin/busybox grep -v lo # {uuid.uuid4().hex}"]\n'
    )
    kept = f"codegenie-trace:hostile-netcache-{uuid.uuid4().hex[:8]}"
    first = DockerStraceRunner(repo_root=str(root), keep_images=True)
    try:
        with_network = first.build(BuildRequest(dockerfile="Dockerfile", image_ref=kept))
        first.cleanup()
        assert isinstance(with_network, BuiltImage), with_network  # its layer is now cached
        second = DockerStraceRunner(repo_root=str(root))
        try:
            ref = f"codegenie-trace:hostile-netcache-{uuid.uuid4().hex[:8]}"
            without = second.build(BuildRequest(dockerfile="Dockerfile", image_ref=ref,
                                                network="none"))  # fmt: skip
        finally:
            second.cleanup()
        assert isinstance(without, BuildFailed), without
    finally:
        _docker("image", "rm", kept)
