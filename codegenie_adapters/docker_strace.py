"""`DockerStraceRunner`: builds the repository's image with the engine CLI and runs each scenario
in a fresh hardened container under an injected strace (see ADR-0011, ADR-0012, ADR-0033).

Rule 1: every process goes through `run_external_cli` (bounded output, stdin /dev/null, killed
on timeout): no engine call can prompt or hang.
Rule 2: every container and its volume is named and labelled, and removed in a `finally`, also
after a timeout, a kill or Ctrl-C; `cleanup()` removes anything left with this run's label. A
build always removes its intermediate containers (`--force-rm`), also when a step fails. A
signal's cleanup runs on the main thread while a scenario may be in flight on a probe thread:
`cleanup()` waits for a container start in flight, and afterwards the runner is closed: nothing
new starts (`RunnerClosed`, so no cancelled trace is ever cached; ADR-0023).
Rule 3: images are tagged by content and labelled `codegenie.trace=1`; `cleanup()` removes the
ones this runner built unless `keep_images` (the trace is cached by content, see ADR-0022).
Rule 4: the trace leaves through an anonymous volume and `docker cp` as a tar, never through a
host directory the container can write (`trace_out`, ADR-0022).
Rule 5: a `one_cpu` policy pins the container to one of this process's CPUs, in turn; an engine
that refuses the pin (a remote engine's other CPUs, no cpuset controller) runs this and every
later scenario of the run unpinned: slower to trace, never a failed trace (ADR-0087).
"""

from __future__ import annotations

import os
import platform as host_platform
import shutil
import sys
import threading
import uuid
from collections.abc import Callable
from pathlib import Path

import attrs

from codegenie_adapters.container_flags import (
    engine_family,
    network_flags,
    pick_cpu,
    render_policy,
    volume_mount,
)
from codegenie_adapters.exec import ExecResult, Keep, run_external_cli
from codegenie_adapters.image_inspect import base_image_resolver, image_config
from codegenie_adapters.trace_out import (
    OUT_MOUNT,
    TAR_HEADROOM,
    TRACE_PATH,
    TraceBytes,
    read_trace_tar,
    seed_tar,
)
from codegenie_adapters.trace_ports import INHIBIT_IPV4, PROBER_MOUNT, PROBER_SCRIPT, host_busybox
from codegenie_adapters.tracer_bundle import MOUNT, TracerBundle, build_bundle
from codegenie_core.config import BuildNetwork
from codegenie_core.errors import EXIT_INTERRUPTED, CodegenieError
from codegenie_core.parsers.port_probe import parse_prober_output
from codegenie_core.parsers.strace import TraceFacts, parse_strace_bytes
from codegenie_core.parsers.strace_counts import parse_syscall_counts
from codegenie_core.ports import ContainerRunner, RepoFiles
from codegenie_core.probes.layer_c.model import (
    BUILD_TIMEOUT_S,
    MAX_TRACE_BYTES,
    RUN_LABEL,
    STOP_GRACE_S,
    TRACE_LABEL,
    TRACED_SYSCALLS,
    BuildFailed,
    BuildRequest,
    BuiltImage,
    ContainerPolicy,
    EngineReady,
    EngineStatus,
    EngineUnavailable,
    NotLinux,
    Scenario,
    ScenarioCompleted,
    ScenarioResult,
    ScenarioTimeout,
    StraceUnavailable,
)
from codegenie_core.values.container import (
    MAX_PROBED_PORTS,
    MAX_PROBER_OUTPUT,
    TRACE_POLICY,
    PortProbe,
)

STATUS_TIMEOUT_S = 5.0
ENGINE_CALL_TIMEOUT_S = 60.0


class RunnerClosed(CodegenieError):
    """The run was cancelled and the runner cleaned up: a probe thread still going is refused."""

    exit_code = EXIT_INTERRUPTED


class DockerStraceRunner:
    """The real `ContainerRunner`, for docker or podman (`engine`)."""

    def __init__(
        self,
        repo_root: str,
        *,
        engine: str = "docker",
        trace_argv: bool = False,  # keep full argv for every scenario (the CLI's --trace-argv)
        keep_images: bool = False,  # the CLI's --keep-images: leave built images for inspection
        strace: str = "strace",
        platform: str = sys.platform,
        max_trace_bytes: int = MAX_TRACE_BYTES,
    ) -> None:
        self.repo_root = repo_root
        self.engine = engine
        self.trace_argv = trace_argv
        self.keep_images = keep_images
        self.strace = strace
        self.platform = platform
        self.max_trace_bytes = max_trace_bytes
        self.run_id = uuid.uuid4().hex[:12]
        self._bundle: TracerBundle | str | None = None
        self._count = 0
        self._images: list[str] = []
        self._lock = threading.Lock()  # a container start, against cleanup()
        self._closed = False
        self._network: str | None = None  # the run's internal network, once made (ADR-0066)
        self._pin = True  # Rule 5: False once the engine refused to pin a container

    def engine_status(self) -> EngineStatus:
        if not self.platform.startswith("linux"):
            return NotLinux(platform=self.platform)
        if shutil.which(self.engine) is None:
            return EngineUnavailable(engine=self.engine, reason=f"{self.engine} is not on PATH")
        if shutil.which(self.strace) is None:
            return StraceUnavailable(reason=f"{self.strace!r} is not installed (not on PATH)")
        answer = self._engine(
            "version", "--format", "{{.Server.Version}}", timeout_s=STATUS_TIMEOUT_S
        )
        if not answer.ok:
            why = "timed out" if answer.timed_out else answer.stderr_tail(300).strip()
            return EngineUnavailable(
                engine=self.engine, reason=f"the daemon does not answer: {why}"
            )
        bundle = self._tracer()
        if isinstance(bundle, str):
            return StraceUnavailable(reason=bundle)
        version = answer.stdout.decode("utf-8", "replace").strip()
        return EngineReady(
            engine=self.engine,
            version=version,
            strace_version=bundle.strace_version,
            seccomp_bpf=bundle.seccomp_bpf,
            machine=host_platform.machine(),
        )

    def build(self, request: BuildRequest) -> BuiltImage | BuildFailed:
        if not self.platform.startswith("linux"):
            return BuildFailed(exit_code=None, message=f"not Linux: {self.platform}")
        labels = ("--label", f"{TRACE_LABEL}=1", "--label", f"{RUN_LABEL}={self.run_id}")
        paths = _inside_repo(self.repo_root, request.dockerfile, request.context)
        if isinstance(paths, str):
            return BuildFailed(exit_code=None, message=paths)
        dockerfile, context = paths
        argv = (
            "build", "--force-rm", *_build_network_flags(request.network), "-f", dockerfile,
            "-t", request.image_ref, *labels, context,
        )  # fmt: skip
        built = self._engine(*argv, timeout_s=BUILD_TIMEOUT_S)
        if not built.ok:
            why = (
                f"timed out after {BUILD_TIMEOUT_S:g} s"
                if built.timed_out
                else built.stderr_tail(1500)
            )
            return BuildFailed(exit_code=built.exit_code, message=why.strip())
        inspected = self._engine(
            "image", "inspect", "--format", "{{json .Config}}", request.image_ref
        )
        if request.image_ref not in self._images:
            self._images.append(request.image_ref)
        if not inspected.ok:
            return BuildFailed(exit_code=inspected.exit_code, message=inspected.stderr_tail(500))
        return BuiltImage(ref=request.image_ref, config=image_config(inspected.stdout))

    def run_scenario(
        self,
        image: BuiltImage,
        scenario: Scenario,
        *,
        timeout_s: float,
        keep_argv: bool,
        policy: ContainerPolicy,
        count_syscalls: bool = False,
    ) -> ScenarioResult:
        if not self.platform.startswith("linux"):
            return EngineUnavailable(engine=self.engine, reason=f"not Linux: {self.platform}")
        bundle = self._tracer()
        if isinstance(bundle, str):
            return StraceUnavailable(reason=bundle)
        with self._lock:
            self._refuse_when_closed()
            self._count += 1
            name = f"codegenie-trace-{self.run_id}-{self._count}"
            cpu = pick_cpu(os.sched_getaffinity(0), self._count - 1)
        busybox: str | None = None
        unprobed: tuple[PortProbe, ...] = ()
        if policy.network == "internal":
            why = self._probe_ready(scenario)
            if isinstance(why, str):  # ports not probed: no network at all, as before
                policy = attrs.evolve(policy, network="none")
                unprobed = tuple(
                    PortProbe(port=p, state="not-probed", detail=why) for p in scenario.ports
                )
            else:
                busybox = why.busybox
        try:
            with self._lock:  # Rule 2: cleanup() waits for this, so it sees the container
                self._refuse_when_closed()
                started = self._start(
                    bundle, image, scenario, name, policy,
                    cpu=cpu, keep_argv=keep_argv, count_syscalls=count_syscalls,
                )  # fmt: skip
            if isinstance(started, EngineUnavailable):
                return started
            windowed = scenario.window_s is not None and scenario.window_s <= timeout_s
            limit = scenario.window_s if windowed and scenario.window_s is not None else timeout_s
            ports = unprobed
            if busybox is not None:
                probed = self._probe_ports(busybox, image, scenario, name, limit)
                ports = probed.ports
                limit = max(limit - probed.duration_s, 0.1)
            waited = self._engine("wait", name, timeout_s=limit)
            if waited.timed_out and not windowed:
                return ScenarioTimeout(
                    elapsed_ms=round((started.duration_s + waited.duration_s) * 1000)
                )
            self._refuse_when_closed()  # removed under it by cleanup(): no result to report
            if waited.timed_out:
                self._engine("stop", "-t", str(STOP_GRACE_S), name)
            exit_text = waited.stdout.decode("ascii", "replace").strip()
            fetched = self._fetch_trace(name)
            trace = fetched if isinstance(fetched, TraceBytes) else TraceBytes(data=b"", cut=False)
            keep = keep_argv or self.trace_argv
            return ScenarioCompleted(
                exit_code=int(exit_text) if exit_text.isdigit() else None,
                stopped_after_window=waited.timed_out,
                elapsed_ms=round((started.duration_s + waited.duration_s) * 1000),
                trace=TraceFacts()
                if count_syscalls
                else parse_strace_bytes(trace.data, keep_argv=keep),
                trace_cut=trace.cut,
                trace_problem=fetched if isinstance(fetched, str) else "",
                syscalls=parse_syscall_counts(trace.data) if count_syscalls else None,
                ports=ports,
            )
        finally:
            if busybox is not None:
                self._engine("rm", "-f", f"{name}-probe")
            self._engine("rm", "-f", "-v", name)  # -v: the anonymous volume goes with it

    def cleanup(self) -> None:
        with self._lock:  # Rule 2: after this, nothing new starts
            self._closed = True
            named = self._count  # a scenario counts itself before it may create a container
        if named:  # a gather that traced nothing (every key hit) starts no engine process here
            listed = self._engine("ps", "-aq", "--filter", f"label={RUN_LABEL}={self.run_id}")
            for container in listed.stdout.decode("ascii", "replace").split():
                self._engine("rm", "-f", "-v", container)
            # the run's internal network exists only once a scenario probed ports (ADR-0066)
            networks = self._engine(
                "network", "ls", "-q", "--filter", f"label={RUN_LABEL}={self.run_id}"
            )
            for network in networks.stdout.decode("ascii", "replace").split():
                self._engine("network", "rm", network)
        self._network = None
        if not self.keep_images:  # Rule 3
            while self._images:
                self._engine("image", "rm", self._images.pop())
        if isinstance(self._bundle, TracerBundle):
            shutil.rmtree(self._bundle.directory, ignore_errors=True)
        self._bundle = None

    def _probe_ready(self, scenario: Scenario) -> _Prober | str:
        """The host's static busybox once the run's internal network exists, or why ports are
        not probed (ADR-0066 Rule 3)."""
        if not scenario.ports:
            return "no port to probe"
        if engine_family(self.engine) == "podman":
            return "ports are probed with docker only"
        busybox = host_busybox()
        if busybox is None:
            return "no static busybox on the host (install busybox-static) to probe ports"
        with self._lock:
            self._refuse_when_closed()
            if self._network is None:
                network = f"codegenie-trace-{self.run_id}"
                made = self._engine(
                    "network", "create", "--internal", "--opt", INHIBIT_IPV4,
                    f"--label={TRACE_LABEL}=1", f"--label={RUN_LABEL}={self.run_id}", network,
                )  # fmt: skip
                if not made.ok:
                    return f"no internal network: {made.stderr_tail(300).strip()}"
                self._network = network
        return _Prober(busybox=busybox)

    def _probe_ports(
        self, busybox: str, image: BuiltImage, scenario: Scenario, name: str, window_s: float
    ) -> _Probed:
        """Probe the scenario's ports from a second container on the internal network."""
        network = self._network or ""
        ports = scenario.ports[:MAX_PROBED_PORTS]
        template = '{{(index .NetworkSettings.Networks "' + network + '").IPAddress}}'
        found = self._engine("inspect", "--format", template, name, timeout_s=STATUS_TIMEOUT_S)
        address = found.stdout.decode("ascii", "replace").strip()
        started = found.duration_s
        if not found.ok or not address:
            why = "the container has no address on the internal network"
            return _Probed(
                ports=tuple(PortProbe(port=p, state="not-probed", detail=why) for p in ports),
                duration_s=started,
            )
        policy = attrs.evolve(
            TRACE_POLICY, network="internal", cap_add=(), init=False, one_cpu=False
        )
        argv = (
            "run", "--rm", f"--name={name}-probe",
            f"--label={TRACE_LABEL}=1", f"--label={RUN_LABEL}={self.run_id}",
            *render_policy(policy, engine_family(self.engine), internal_network=network),
            f"--volume={busybox}:{PROBER_MOUNT}:ro", f"--entrypoint={PROBER_MOUNT}",
            image.ref, "sh", "-c", PROBER_SCRIPT, "sh", address,
            str(max(int(window_s) - 1, 1)), *(str(p) for p in ports),
        )  # fmt: skip
        probed = self._engine(*argv, timeout_s=window_s + 10, max_output_bytes=MAX_PROBER_OUTPUT)
        text = probed.stdout.decode("utf-8", "replace")
        return _Probed(
            ports=parse_prober_output(text, ports)
            + tuple(
                PortProbe(port=p, state="not-probed", detail=f"over {MAX_PROBED_PORTS} ports")
                for p in scenario.ports[MAX_PROBED_PORTS:]
            ),
            duration_s=started + probed.duration_s,
        )

    def _refuse_when_closed(self) -> None:
        if self._closed:
            raise RunnerClosed("the run was cancelled; this runner has been cleaned up")

    def _start(
        self,
        bundle: TracerBundle,
        image: BuiltImage,
        scenario: Scenario,
        name: str,
        policy: ContainerPolicy,
        *,
        cpu: int,
        keep_argv: bool,
        count_syscalls: bool = False,
    ) -> ExecResult | EngineUnavailable:
        """Start the scenario's container, on CPU `cpu` for a `one_cpu` policy; if a pinned
        container does not start, it is removed and started once more unpinned (Rule 5)."""
        # The log shows the scenario's argv as its program and a count (see ADR-0024).
        tail = 0 if keep_argv or self.trace_argv else len(scenario.argv)
        unpinned = attrs.evolve(policy, one_cpu=False)
        pinned = policy.one_cpu and self._pin

        def start(tried: ContainerPolicy) -> ExecResult | EngineUnavailable:
            create = self._create_argv(bundle, image, scenario, name, tried, cpu, count_syscalls)
            return self._start_once(name, create, tail)

        started = start(policy if pinned else unpinned)
        if pinned and isinstance(started, EngineUnavailable):
            self._engine("rm", "-f", "-v", name)
            started = start(unpinned)
            # the pin was what the engine refused only if the unpinned start worked
            self._pin = isinstance(started, EngineUnavailable)
        return started

    def _start_once(
        self, name: str, create: tuple[str, ...], tail: int
    ) -> ExecResult | EngineUnavailable:
        """Create the container (`create`, its last `tail` words the scenario's argv), seed its
        volume's output directory from a tar on stdin (no host directory: Rule 4), then start
        it; the `start` call's result, or why a step failed."""
        steps: tuple[tuple[tuple[str, ...], bytes | None, int], ...] = (
            (create, None, tail),
            (("cp", "-", f"{name}:{OUT_MOUNT}"), seed_tar(), 0),
            (("start", name), None, 0),
        )
        done: ExecResult | None = None
        for argv, stdin, program_tail in steps:
            done = self._engine(*argv, stdin_bytes=stdin, program_tail=program_tail)
            if not done.ok:
                why = done.stderr_tail(500).strip()
                return EngineUnavailable(engine=self.engine, reason=f"{argv[0]}: {why}")
        assert done is not None
        return done

    def _fetch_trace(self, name: str) -> TraceBytes | str:
        """The trace as the engine streams it back in a tar (Rule 4), head-bounded."""
        fetched = self._engine(
            "cp", f"{name}:{TRACE_PATH}", "-",
            max_output_bytes=self.max_trace_bytes + TAR_HEADROOM, keep_stdout="head",
        )  # fmt: skip
        if not fetched.ok and not fetched.truncated:
            return f"no trace file came back: {fetched.stderr_tail(300).strip()}"
        return read_trace_tar(fetched.stdout, cap=self.max_trace_bytes)

    def _create_argv(
        self,
        bundle: TracerBundle,
        image: BuiltImage,
        scenario: Scenario,
        name: str,
        policy: ContainerPolicy,
        cpu: int,
        count_syscalls: bool = False,
    ) -> tuple[str, ...]:
        labels = (f"--label={TRACE_LABEL}=1", f"--label={RUN_LABEL}={self.run_id}")
        hardening = render_policy(  # the core's policy
            policy, engine_family(self.engine), internal_network=self._network or "", cpu=cpu
        )
        task = f"--label={TRACE_LABEL}.scenario={scenario.task}"
        volume = volume_mount(
            OUT_MOUNT,
            (f"{TRACE_LABEL}=1", f"{RUN_LABEL}={self.run_id}"),
            engine_family(self.engine),
        )
        mounts = (f"--volume={bundle.directory}:{MOUNT}:ro", f"--mount={volume}")
        env = tuple(f"--env={key}={value}" for key, value in scenario.env)
        tracer, *tracer_args = bundle.command()
        flags = strace_flags(seccomp_bpf=bundle.seccomp_bpf, count_syscalls=count_syscalls)
        return (
            "create", f"--name={name}", *labels, task, *hardening, *mounts, *env,
            f"--entrypoint={tracer}", image.ref, *tracer_args, *flags, *scenario.argv,
        )  # fmt: skip

    def _tracer(self) -> TracerBundle | str:
        self._refuse_when_closed()  # a bundle made after cleanup() would be left behind
        if self._bundle is None:
            self._bundle = build_bundle(self.strace)
        return self._bundle

    def _engine(
        self,
        *args: str,
        timeout_s: float = ENGINE_CALL_TIMEOUT_S,
        stdin_bytes: bytes | None = None,
        max_output_bytes: int = 1 << 18,
        keep_stdout: Keep = "tail",
        program_tail: int = 0,
    ) -> ExecResult:
        return run_external_cli(
            (self.engine, *args),
            timeout_s=timeout_s,
            stdin_bytes=stdin_bytes,
            max_output_bytes=max_output_bytes,
            keep_stdout=keep_stdout,
            program_tail=program_tail,
        )


@attrs.frozen(kw_only=True)
class _Prober:
    busybox: str


@attrs.frozen(kw_only=True)
class _Probed:
    ports: tuple[PortProbe, ...]
    duration_s: float


def strace_flags(*, seccomp_bpf: bool, count_syscalls: bool) -> tuple[str, ...]:
    """strace's flags for a scenario, `-o` included, before the traced argv: the recorded
    syscalls (through `--seccomp-bpf` where the bundle's strace has it), or with
    `count_syscalls` every syscall counted (ADR-0067: no filter, so no `--seccomp-bpf`)."""
    if count_syscalls:
        return ("-f", "-q", "-c", "-o", TRACE_PATH)
    return (
        "-f", *(("--seccomp-bpf",) if seccomp_bpf else ()),
        "-q", "-e", "signal=none", "-s", "4096",
        "-e", "trace=" + ",".join(f"?{s}" for s in TRACED_SYSCALLS),
        "-o", TRACE_PATH,
    )  # fmt: skip


def _inside_repo(root: str, dockerfile: str, context: str) -> tuple[str, str] | str:
    """The Dockerfile and the context as absolute paths, or why not: either one reaching outside
    the repository, also through a symbolic link, is refused (ADR-0065)."""
    top = Path(root).resolve()
    resolved: list[str] = []
    for what, relative in (("Dockerfile", dockerfile), ("build context", context)):
        path = (top / relative).resolve()
        if path != top and top not in path.parents:
            return f"the {what} {relative!r} leaves the repository: refused"
        resolved.append(str(path))
    return resolved[0], resolved[1]


def _build_network_flags(network: BuildNetwork) -> tuple[str, ...]:
    """The build's network flags; `none` also passes `--no-cache`: the engine's build cache keys
    a step by its parent and text, not the network it ran under, so without it a `none` build
    could take a layer an earlier build made with the network, and the image would not be what
    `none` promises (ADR-0035). A `default` build may reuse a layer a `none` build made: the
    network is allowed there, not required."""
    return (*network_flags(network), "--no-cache") if network == "none" else network_flags(network)


def make_image_digest_resolver(
    runner: DockerStraceRunner, repo: RepoFiles
) -> Callable[[], str | None]:
    """`ProbeContext.image_digest_resolver` for `runner`'s engine (the root Dockerfile's bases)."""
    return base_image_resolver(repo, engine=runner.engine)


_CONFORMS: type[ContainerRunner] = DockerStraceRunner
