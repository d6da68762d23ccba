"""The proof of `--seccomp-profile` (ADR-0067): the profile written from a real trace lets the same
scenarios run under `--security-opt seccomp=<profile>` with the same exit codes, and without one
syscall the workload needs, a scenario fails. On the scratch busybox image and the real Debian one.
"""

from __future__ import annotations

import json
import platform
import shutil
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import attrs
import pytest

from codegenie_adapters.container_flags import engine_family, render_policy
from codegenie_adapters.docker_strace import DockerStraceRunner, make_image_digest_resolver
from codegenie_adapters.fakes import FakeClock, FakeRepo, ScriptedYaml
from codegenie_adapters.image_inspect import base_image_resolver, image_config
from codegenie_core.config import GatherConfig
from codegenie_core.probe import Envelope, ProbeContext
from codegenie_core.probes.layer_c.model import (
    SCENARIOS_FILE,
    TRACE_LABEL,
    TRACE_POLICY,
    Scenario,
)
from codegenie_core.probes.layer_c.runtime_trace import (
    ImageReport,
    RuntimeTraceProbe,
    RuntimeTraceSlice,
    seccomp_profile_files,
)
from codegenie_core.probes.layer_c.scenarios import (
    default_scenarios,
    merge_scenarios,
    parse_scenarios,
)
from codegenie_core.probes.layer_c.seccomp import RUNTIME_BASE_SYSCALLS, profile_file_name
from tests._ci_support.requires_tool import requires_tool

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "runtime"
BUSYBOX = requires_tool("docker", "strace", "busybox", "linux")
DEBIAN = requires_tool("docker", "strace", "debian-image", "linux")
PODMAN = requires_tool("podman", "strace", "busybox", "linux")
RERUN_TIMEOUT_S = 30


def _root(tmp: Path, fixture: str) -> Path:
    root = tmp / fixture
    shutil.copytree(FIXTURES / fixture, root)
    if fixture == "busybox":
        source = next(p for p in (Path("/bin/busybox"), Path("/usr/bin/busybox")) if p.exists())
        shutil.copy(source, root / "busybox")
    return root


# a scenario whose exit code tells whether its connect was refused (`run.sh` exits 0 whatever it
# meets, and busybox's `cat` falls back from `sendfile` to `read`): without `socket`, nc fails
# before it can be refused
PROBE_SCENARIO = {"name": "refused", "shell": "nc 127.0.0.1 9 </dev/null 2>&1 | grep -q refused"}
SCENARIOS_TEXT = "scenarios: [refused]\n"  # ScriptedYaml answers with the data below for this text
SCENARIOS_DATA = {"scenarios": [PROBE_SCENARIO]}


def _ctx(root: Path, runner: DockerStraceRunner) -> ProbeContext:
    """The probe's context with `--seccomp-profile` and the `refused` scenario, on `runner`'s
    engine."""
    files = {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}
    files[SCENARIOS_FILE] = SCENARIOS_TEXT.encode()
    repo = FakeRepo(files=files)
    return ProbeContext(
        repo=repo,
        config=GatherConfig(seccomp_profile=True, engine=runner.engine),
        clock=FakeClock(),
        yaml=ScriptedYaml(documents={SCENARIOS_TEXT: SCENARIOS_DATA}),
        containers=runner,
        image_digest_resolver=make_image_digest_resolver(runner, repo),
    )


def _scenarios(image_ref: str, engine: str = "docker") -> dict[str, Scenario]:
    """The scenarios the probe ran, as it derived them (the image's defaults and `refused`)."""
    inspected = subprocess.run(
        [engine, "image", "inspect", "--format", "{{json .Config}}", image_ref],
        capture_output=True,
        check=True,
        stdin=subprocess.DEVNULL,
    )
    repo = parse_scenarios(SCENARIOS_DATA, SCENARIOS_TEXT)
    assert isinstance(repo, tuple)
    merged = merge_scenarios(default_scenarios(image_config(inspected.stdout)), repo)
    return {s.name: s for s in merged if isinstance(s, Scenario)}


def _rerun(image_ref: str, scenario: Scenario, profile: Path, engine: str = "docker") -> int:
    """The scenario without strace, under the trace's own confinement and `profile`."""
    name = f"codegenie-seccomp-it-{uuid.uuid4().hex[:8]}"
    program, *args = scenario.argv
    argv = [
        engine, "run", "--pull=never", f"--name={name}", f"--label={TRACE_LABEL}=1",
        *render_policy(TRACE_POLICY, engine_family(engine)), f"--security-opt=seccomp={profile}",
        f"--entrypoint={program}", image_ref, *args,
    ]  # fmt: skip
    try:
        ran = subprocess.run(
            argv,
            check=False,
            capture_output=True,
            timeout=RERUN_TIMEOUT_S,
            stdin=subprocess.DEVNULL,
        )
    finally:
        subprocess.run([engine, "rm", "-f", name], capture_output=True, check=False)
    return ran.returncode


def _without(profile: Path, syscall: str, target: Path) -> Path:
    """`profile` with `syscall` taken out of its one allow rule, written to `target`."""
    loaded = json.loads(profile.read_text(encoding="utf-8"))
    (rule,) = loaded["syscalls"]
    names: list[str] = rule["names"]
    assert syscall in names
    rule["names"] = [name for name in names if name != syscall]
    target.write_text(json.dumps(loaded), encoding="utf-8")
    return target


@pytest.fixture
def traced(
    request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[tuple[RuntimeTraceSlice, Path]]:
    fixture, engine = str(request.param).partition("@")[::2]
    root = _root(tmp_path, fixture)
    runner = DockerStraceRunner(repo_root=str(root), engine=engine or "docker")
    try:
        result = RuntimeTraceProbe().run(_ctx(root, runner))
        assert isinstance(result, Envelope) and isinstance(result.slice, RuntimeTraceSlice)
        yield result.slice, tmp_path
    finally:
        runner.cleanup()


def _profile(slice_: RuntimeTraceSlice, tmp: Path) -> tuple[dict[str, object], Path]:
    files = seccomp_profile_files(slice_)
    assert list(files) == ["seccomp/Dockerfile.json"]
    path = tmp / "profile.json"
    path.write_text(files["seccomp/Dockerfile.json"], encoding="utf-8")
    loaded: dict[str, object] = json.loads(files["seccomp/Dockerfile.json"])
    return loaded, path


def _same_exit_codes_under(slice_: RuntimeTraceSlice, profile: Path, engine: str) -> None:
    scenarios = _scenarios(slice_.image_ref, engine)
    traced = {r.name: r.exit_code for r in slice_.scenarios if r.outcome == "completed"}
    assert set(traced) == set(slice_.seccomp_profiled) == set(scenarios)
    rerun = {name: _rerun(slice_.image_ref, scenarios[name], profile, engine) for name in traced}
    assert rerun == traced


def _proves(
    slice_: RuntimeTraceSlice, tmp: Path, *, needed: str, by: str, engine: str = "docker"
) -> None:
    """The profile runs every scenario with its traced exit code; without `needed` (observed,
    and not in the base set: the workload's own), scenario `by` fails."""
    profile, path = _profile(slice_, tmp)
    assert profile["defaultAction"] == "SCMP_ACT_ERRNO"
    assert profile["architectures"] == list(slice_.seccomp_architectures)
    assert "SCMP_ARCH_X86_64" in slice_.seccomp_architectures or platform.machine() != "x86_64"
    observed = {c.name for c in slice_.seccomp_syscalls}
    assert {"execve", "openat", needed} <= observed
    assert needed not in RUNTIME_BASE_SYSCALLS
    _same_exit_codes_under(slice_, path, engine)
    pruned = _without(path, needed, tmp / f"without-{needed}.json")
    assert _rerun(slice_.image_ref, _scenarios(slice_.image_ref, engine)[by], pruned, engine) != 0


@BUSYBOX
@pytest.mark.parametrize("traced", ["busybox"], indirect=True)
def test_the_busybox_profile_runs_every_scenario_and_a_refused_connect_needs_socket(
    traced: tuple[RuntimeTraceSlice, Path],
) -> None:
    slice_, tmp = traced
    _proves(slice_, tmp, needed="socket", by="refused")


@DEBIAN
@pytest.mark.parametrize("traced", ["debian-seccomp"], indirect=True)
def test_the_debian_python_profile_runs_every_scenario_and_the_app_needs_socket(
    traced: tuple[RuntimeTraceSlice, Path],
) -> None:
    slice_, tmp = traced
    assert "python3" in " ".join(slice_.binaries_executed)
    _proves(slice_, tmp, needed="socket", by="default")


@pytest.fixture
def podman_conf(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A containers.conf without podman's default ulimits, which this machine refuses ("error
    setting rlimit type 7"); catatonit is podman's init, tini (docker's) where it is missing."""
    lines = ["[containers]", "default_ulimits = []"]
    catatonit = Path("/usr/libexec/podman/catatonit")
    tini = Path("/usr/bin/tini-static")
    if not catatonit.exists() and tini.exists():
        lines.append(f'init_path = "{tini}"')
    conf = tmp_path / "containers.conf"
    conf.write_text("\n".join(lines) + "\n", encoding="utf-8")
    monkeypatch.setenv("CONTAINERS_CONF", str(conf))
    return conf


@PODMAN
@pytest.mark.parametrize("traced", ["busybox@podman"], indirect=True)
def test_podman_traces_every_scenario_hardened_and_its_profile_runs_them(
    podman_conf: Path, traced: tuple[RuntimeTraceSlice, Path]
) -> None:
    slice_, tmp = traced
    assert podman_conf.exists()
    outcomes = {r.name: (r.outcome, r.exit_code) for r in slice_.scenarios}
    # podman builds OCI images, which carry no HEALTHCHECK: no healthcheck scenario
    assert outcomes == dict.fromkeys(
        ("default", "help", "version", "shell", "refused"), ("completed", 0)
    )
    assert {"/app/run.sh", "/etc/motd"} <= set(slice_.files_read)
    assert slice_.trace_coverage_confidence == "high"
    _proves(slice_, tmp, needed="socket", by="refused", engine="podman")


def _image_proves(image: ImageReport, text: str, tmp: Path, *, needed: str, by: str) -> set[str]:
    """One image's own profile (ADR-0074) runs each of its scenarios with its traced exit code,
    and without `needed`, its scenario `by` fails; the profile's names are returned."""
    path = tmp / f"{image.dockerfile.replace('/', '_')}.json"
    path.write_text(text, encoding="utf-8")
    scenarios = _scenarios(image.image_ref)
    traced = {r.name: r.exit_code for r in image.scenarios if r.outcome == "completed"}
    assert set(traced) == set(image.seccomp_profiled) == set(scenarios)
    rerun = {name: _rerun(image.image_ref, scenarios[name], path) for name in traced}
    assert rerun == traced
    pruned = _without(path, needed, tmp / f"without-{needed}-{path.name}")
    assert _rerun(image.image_ref, scenarios[by], pruned) != 0
    (rule,) = json.loads(text)["syscalls"]
    return set(rule["names"])


@requires_tool("docker", "strace", "busybox", "debian-image", "linux")
def test_two_traced_images_each_get_a_profile_that_runs_their_own_scenarios(
    tmp_path: Path,
) -> None:
    root = tmp_path / "two"
    _root(root, "busybox")
    _root(root, "debian-seccomp")
    runner = DockerStraceRunner(repo_root=str(root))
    dockerfiles = ("busybox/Dockerfile", "debian-seccomp/Dockerfile")
    try:
        ctx = _ctx(root, runner)
        config = GatherConfig(seccomp_profile=True, engine=runner.engine, dockerfiles=dockerfiles)
        resolver = base_image_resolver(ctx.repo, dockerfiles=lambda: dockerfiles)
        ctx = attrs.evolve(ctx, config=config, image_digest_resolver=resolver)
        result = RuntimeTraceProbe().run(ctx)
        assert isinstance(result, Envelope) and isinstance(result.slice, RuntimeTraceSlice)
        slice_ = result.slice
        assert [i.status for i in slice_.images] == ["traced", "traced"], slice_.problems
        assert not any("covers" in line for line in slice_.problems)
        files = seccomp_profile_files(slice_)
        busybox, debian = slice_.images
        assert list(files) == [profile_file_name(d) for d in dockerfiles]
        small = _image_proves(
            busybox, files[profile_file_name(busybox.dockerfile)], tmp_path, needed="socket",
            by="refused",
        )  # fmt: skip
        large = _image_proves(
            debian, files[profile_file_name(debian.dockerfile)], tmp_path, needed="socket",
            by="default",
        )  # fmt: skip
        assert small != large  # each image's own observation, not one shared list
    finally:
        runner.cleanup()
