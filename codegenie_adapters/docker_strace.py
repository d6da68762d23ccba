"""`DockerStraceRunner`: builds the repository's image with the engine CLI and runs each scenario
in a fresh hardened container under an injected strace (see ADR-0011, ADR-0012).

Rule 1: every process goes through `run_external_cli` (bounded output, stdin /dev/null, killed
on timeout): no engine call can prompt or hang.
Rule 2: every container is named and labelled, and removed in a `finally`, also after a timeout,
a kill or Ctrl-C; `cleanup()` removes anything left with this run's label, and every temporary
directory. A signal's cleanup runs on the main thread while a scenario may be in flight on a
probe thread: `cleanup()` waits for a container start in flight, and afterwards the runner is
closed: nothing new starts (`RunnerClosed`, so no cancelled trace is ever cached; ADR-0023).
Rule 3: images are tagged by content and kept (labelled `codegenie.trace=1`), so a rebuild of an
unchanged context is the engine's own cache hit.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import threading
import uuid
from collections.abc import Callable
from pathlib import Path

from codegenie_adapters.exec import ExecResult, run_external_cli
from codegenie_adapters.image_inspect import base_image_resolver, image_config
from codegenie_adapters.tracer_bundle import MOUNT, TracerBundle, build_bundle
from codegenie_core.errors import EXIT_INTERRUPTED, CodegenieError
from codegenie_core.parsers.strace import parse_strace_bytes
from codegenie_core.ports import ContainerRunner, RepoFiles
from codegenie_core.probes.layer_c.model import (
    BUILD_TIMEOUT_S,
    HARDENING_FLAGS,
    MAX_TRACE_BYTES,
    RUN_LABEL,
    STOP_GRACE_S,
    TRACE_LABEL,
    TRACED_SYSCALLS,
    BuildFailed,
    BuildRequest,
    BuiltImage,
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

OUT_MOUNT = "/cg-out"
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
        strace: str = "strace",
        platform: str = sys.platform,
    ) -> None:
        self.repo_root = repo_root
        self.engine = engine
        self.trace_argv = trace_argv
        self.strace = strace
        self.platform = platform
        self.run_id = uuid.uuid4().hex[:12]
        self._bundle: TracerBundle | str | None = None
        self._count = 0
        self._lock = threading.Lock()  # a container start, against cleanup()
        self._closed = False
        self._out_dirs: set[Path] = set()

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
        )

    def build(self, request: BuildRequest) -> BuiltImage | BuildFailed:
        if not self.platform.startswith("linux"):
            return BuildFailed(exit_code=None, message=f"not Linux: {self.platform}")
        labels = ("--label", f"{TRACE_LABEL}=1", "--label", f"{RUN_LABEL}={self.run_id}")
        dockerfile = str(Path(self.repo_root) / request.dockerfile)
        argv = ("build", "-f", dockerfile, "-t", request.image_ref, *labels, self.repo_root)
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
        if not inspected.ok:
            return BuildFailed(exit_code=inspected.exit_code, message=inspected.stderr_tail(500))
        return BuiltImage(ref=request.image_ref, config=image_config(inspected.stdout))

    def run_scenario(
        self, image: BuiltImage, scenario: Scenario, *, timeout_s: float, keep_argv: bool
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
            out = Path(tempfile.mkdtemp(prefix="codegenie-trace-out-"))
            self._out_dirs.add(out)
        out.chmod(0o777)  # an image's non-root USER writes the trace here
        try:
            # The log shows the scenario's argv as its program and a count (see ADR-0024).
            tail = 0 if keep_argv or self.trace_argv else len(scenario.argv)
            with self._lock:  # Rule 2: cleanup() waits for this, so it sees the container
                self._refuse_when_closed()
                argv = self._run_argv(bundle, image, scenario, name, out)
                started = self._engine(*argv, program_tail=tail)
            if not started.ok:
                return EngineUnavailable(
                    engine=self.engine, reason=started.stderr_tail(500).strip()
                )
            windowed = scenario.window_s is not None and scenario.window_s <= timeout_s
            limit = scenario.window_s if windowed and scenario.window_s is not None else timeout_s
            waited = self._engine("wait", name, timeout_s=limit)
            if waited.timed_out and not windowed:
                return ScenarioTimeout(
                    elapsed_ms=round((started.duration_s + waited.duration_s) * 1000)
                )
            self._refuse_when_closed()  # removed under it by cleanup(): no result to report
            if waited.timed_out:
                self._engine("stop", "-t", str(STOP_GRACE_S), name)
            exit_text = waited.stdout.decode("ascii", "replace").strip()
            trace, cut = _read_bounded(out / "trace")
            return ScenarioCompleted(
                exit_code=int(exit_text) if exit_text.isdigit() else None,
                stopped_after_window=waited.timed_out,
                elapsed_ms=round((started.duration_s + waited.duration_s) * 1000),
                trace=parse_strace_bytes(trace, keep_argv=keep_argv or self.trace_argv),
                trace_cut=cut,
            )
        finally:
            self._engine("rm", "-f", name)
            shutil.rmtree(out, ignore_errors=True)
            self._out_dirs.discard(out)

    def cleanup(self) -> None:
        with self._lock:  # Rule 2: after this, nothing new starts
            self._closed = True
        listed = self._engine("ps", "-aq", "--filter", f"label={RUN_LABEL}={self.run_id}")
        for container in listed.stdout.decode("ascii", "replace").split():
            self._engine("rm", "-f", container)
        for out in list(self._out_dirs):
            shutil.rmtree(out, ignore_errors=True)
        if isinstance(self._bundle, TracerBundle):
            shutil.rmtree(self._bundle.directory, ignore_errors=True)
        self._bundle = None

    def _refuse_when_closed(self) -> None:
        if self._closed:
            raise RunnerClosed("the run was cancelled; this runner has been cleaned up")

    def _run_argv(
        self, bundle: TracerBundle, image: BuiltImage, scenario: Scenario, name: str, out: Path
    ) -> tuple[str, ...]:
        labels = (f"--label={TRACE_LABEL}=1", f"--label={RUN_LABEL}={self.run_id}")
        task = f"--label={TRACE_LABEL}.scenario={scenario.task}"
        mounts = (f"--volume={bundle.directory}:{MOUNT}:ro", f"--volume={out}:{OUT_MOUNT}")
        env = tuple(f"--env={key}={value}" for key, value in scenario.env)
        tracer, *tracer_args = bundle.command()
        strace_flags = (
            "-f", *(("--seccomp-bpf",) if bundle.seccomp_bpf else ()),
            "-q", "-e", "signal=none", "-s", "4096",
            "-e", "trace=" + ",".join(f"?{s}" for s in TRACED_SYSCALLS),
            "-o", f"{OUT_MOUNT}/trace",
        )  # fmt: skip
        return (
            "run", "--detach", f"--name={name}", *labels, task, *HARDENING_FLAGS, *mounts, *env,
            f"--entrypoint={tracer}", image.ref, *tracer_args, *strace_flags, *scenario.argv,
        )  # fmt: skip

    def _tracer(self) -> TracerBundle | str:
        self._refuse_when_closed()  # a bundle made after cleanup() would be left behind
        if self._bundle is None:
            self._bundle = build_bundle(self.strace)
        return self._bundle

    def _engine(
        self, *args: str, timeout_s: float = ENGINE_CALL_TIMEOUT_S, program_tail: int = 0
    ) -> ExecResult:
        return run_external_cli(
            (self.engine, *args),
            timeout_s=timeout_s,
            max_output_bytes=1 << 18,
            program_tail=program_tail,
        )


def _read_bounded(path: Path) -> tuple[bytes, bool]:
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_TRACE_BYTES + 1)
    except OSError:
        return b"", False
    return data[:MAX_TRACE_BYTES], len(data) > MAX_TRACE_BYTES


def make_image_digest_resolver(
    runner: ContainerRunner, repo: RepoFiles
) -> Callable[[], str | None]:
    """The CLI's binding for `ProbeContext.image_digest_resolver`, asking `runner`'s engine."""
    engine = runner.engine if isinstance(runner, DockerStraceRunner) else "docker"
    return base_image_resolver(repo, engine=engine)


_CONFORMS: type[ContainerRunner] = DockerStraceRunner
