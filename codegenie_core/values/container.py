"""Layer C's values: the runtime-trace constants, what the container runner is asked and answers,
the container policy, and the `ScenarioResult` sum type.

Rule 1: the hardening policy, timeouts and names are decided here, in the core, as values
(`ContainerPolicy`, `TRACE_POLICY`); the runner (`codegenie_adapters.docker_strace`) renders them
in its engine's CLI spelling and applies them. No engine flag is spelled in the core (ADR-0033).
Rule 2: `ScenarioResult` is closed: consumers `match` it and end with `assert_never`.
"""

from __future__ import annotations

from typing import Literal

import attrs
from attrs import validators as v

from codegenie_core.config import BuildNetwork
from codegenie_core.parsers.port_probe import PortProbe
from codegenie_core.parsers.strace import TraceFacts
from codegenie_core.parsers.strace_counts import SyscallCounts

PROBE_NAME = "runtime_trace"
DOCKERFILE = "Dockerfile"
SCENARIOS_FILE = ".codegenie/scenarios.yaml"
IMAGE_REF_PREFIX = "codegenie-trace:"
SCENARIO_TASK_PREFIX = "codegenie-scenario:"
# every image, container and volume created carries `codegenie.trace=1`
TRACE_LABEL = "codegenie.trace"
RUN_LABEL = "codegenie.trace.run"  # and `codegenie.trace.run=<run id>` for the run that made it
SCENARIO_TIMEOUT_S = 120.0
AGGREGATE_TIMEOUT_S = 600.0
BUILD_TIMEOUT_S = 600.0
DEFAULT_WINDOW_S = 10.0  # a default scenario still running after this long is stopped: normal
STOP_GRACE_S = 3  # seconds `docker stop` waits between SIGTERM and SIGKILL
MAX_TRACE_BYTES = 64 << 20  # a longer trace is cut, and the slice says so
# Bounds of `.codegenie/scenarios.yaml` (see ADR-0023): a file with more scenarios is refused whole;
# a scenario over any other bound, or holding a NUL byte, is refused alone.
MAX_SCENARIOS = 128
MAX_NAME_CHARS = 63
MAX_ARGV_ITEMS = 256
MAX_ARGV_BYTES = 64 << 10  # UTF-8 bytes of every argv word together (a `shell` is one word)
MAX_ENV_ENTRIES = 64
MAX_ENV_BYTES = 32 << 10  # UTF-8 bytes of every `NAME=value` together

TRACED_SYSCALLS: tuple[str, ...] = (
    "execve",
    "execveat",
    "open",
    "openat",
    "openat2",
    "creat",
    "connect",
    # clones tie a child to its parent, so a re-exec through /proc/self/exe can be attributed
    "clone",
    "clone3",
    "fork",
    "vfork",
)
DEFAULT_SCENARIO_NAMES: tuple[str, ...] = ("default", "help", "version", "healthcheck", "shell")
SLICE_KEYS: tuple[str, ...] = (
    "status",
    "trace_coverage_confidence",
    "image_ref",
    "base_images",
    "seccomp_bpf",
    "scenarios",
    "binaries_executed",
    "files_read",
    "files_written",
    "shared_libraries",
    "looked_for_not_found",
    "network_connects",
    "problems",
    "images",
    "seccomp_syscalls",
    "seccomp_architectures",
    "seccomp_profiled",
)

CoverageConfidence = Literal["high", "medium", "low", "unavailable"]
ScenarioOrigin = Literal["default", "repo"]


@attrs.frozen(kw_only=True)
class Scenario:
    """One way to run the image: the argv, how long it may take, and when a server is stopped."""

    name: str
    argv: tuple[str, ...]
    timeout_s: float = SCENARIO_TIMEOUT_S
    window_s: float | None = None  # None: run to exit; else stop after this long, normally
    env: tuple[tuple[str, str], ...] = ()
    origin: ScenarioOrigin = "default"
    # TCP ports probed from outside while it runs (ADR-0066): only with the `internal` network
    ports: tuple[int, ...] = ()

    @property
    def task(self) -> str:
        return SCENARIO_TASK_PREFIX + self.name


@attrs.frozen(kw_only=True)
class ImageConfig:
    """What the built image declares (from the engine's image config, base images included)."""

    entrypoint: tuple[str, ...] = ()
    cmd: tuple[str, ...] = ()
    healthcheck: tuple[str, ...] = ()  # as the engine stores it: ("CMD", ...) / ("CMD-SHELL", s)
    user: str = ""
    exposed_tcp_ports: tuple[int, ...] = ()  # EXPOSE, base images included, sorted


@attrs.frozen(kw_only=True)
class BuildRequest:
    """Build `dockerfile` (repo-relative) with `context` (repo-relative, "." the root) as its
    build context, tagged `image_ref`."""

    dockerfile: str
    image_ref: str
    network: BuildNetwork = "default"  # "none": the build's RUN steps get no network
    context: str = "."


@attrs.frozen(kw_only=True)
class BuiltImage:
    ref: str
    config: ImageConfig


# ---- the container policy (ADR-0033) ---------------------------------------------------------
# "default": the engine's own default network; "internal": a network codegenie creates for the
# run with no route out and no address of the host on it, shared only with the port prober
# (ADR-0066); a build never uses it
NetworkMode = Literal["none", "default", "internal"]
# A Linux capability as the engines name it without `CAP_`, or `ALL`: an upper-case identifier.
_CAPABILITY = v.matches_re(r"[A-Z][A-Z0-9_]*")
# An absolute container path with no character an engine CLI reads as a separator.
_CONTAINER_PATH = v.matches_re(r"/[A-Za-z0-9._/-]*")


def _as_set(items: tuple[str, ...]) -> tuple[str, ...]:
    """Capabilities and mounts are sets: one spelling of each policy (engines sort them too)."""
    return tuple(sorted(set(items)))


@attrs.frozen(kw_only=True)
class ContainerPolicy:
    """How a scenario's container is confined: what the core decides and each engine adapter
    renders in its own CLI spelling (`codegenie_adapters.container_flags.render_policy`)."""

    network: NetworkMode = "none"
    read_only_root: bool = True
    # writable in-memory mounts on a read-only root (`/tmp` as a program expects it)
    tmpfs: tuple[str, ...] = attrs.field(
        default=(), converter=_as_set, validator=v.deep_iterable(_CONTAINER_PATH)
    )
    cap_drop: tuple[str, ...] = attrs.field(
        default=(), converter=_as_set, validator=v.deep_iterable(_CAPABILITY)
    )
    cap_add: tuple[str, ...] = attrs.field(
        default=(), converter=_as_set, validator=v.deep_iterable(_CAPABILITY)
    )
    no_new_privileges: bool = True
    pids_limit: int | None = attrs.field(default=None, validator=v.optional(v.ge(1)))
    memory_mib: int | None = attrs.field(default=None, validator=v.optional(v.ge(6)))
    # an init as pid 1 that reaps, and passes a stop on to the whole process group, so a stop
    # reaches the traced program and not only strace
    init: bool = False
    # every process of the container on one CPU: a tracer and its tracee then hand each other
    # the CPU at each ptrace stop instead of waking an idle CPU (ADR-0087)
    one_cpu: bool = False


# The policy of every scenario container (ADR-0012 §5, ADR-0033): no network, a read-only root
# with `/tmp` in memory, every capability dropped but the one strace needs, no new privileges,
# at most 256 processes and 512 MiB, an init that stops the process group, and one CPU (ADR-0087).
TRACE_POLICY = ContainerPolicy(
    network="none",
    read_only_root=True,
    tmpfs=("/tmp",),
    cap_drop=("ALL",),
    cap_add=("SYS_PTRACE",),
    no_new_privileges=True,
    pids_limit=256,
    memory_mib=512,
    init=True,
    one_cpu=True,
)


# The policy of a scenario whose ports are probed: the same, on the run's internal network.
PORT_PROBE_POLICY = attrs.evolve(TRACE_POLICY, network="internal")
PORT_POLL_S = 0.25  # between two attempts to reach a port that does not answer yet
PORT_HTTP_TIMEOUT_S = 2  # the prober's `GET /` gives up after this long
MAX_PROBER_OUTPUT = 64 << 10  # what the prober may print, every port together
MAX_PROBED_PORTS = 16  # ports probed per scenario; more are reported `not-probed`


# ---- the engine's state ---------------------------------------------------------------------
@attrs.frozen(kw_only=True)
class EngineReady:
    engine: str
    version: str
    strace_version: str
    seccomp_bpf: bool  # strace >= 5.3 filters in the kernel; without it tracing is far slower
    machine: str = ""  # the host's `uname -m` (the seccomp profile's architectures, ADR-0067)


@attrs.frozen(kw_only=True)
class EngineUnavailable:
    """The engine CLI is missing or its daemon does not answer."""

    engine: str
    reason: str


@attrs.frozen(kw_only=True)
class StraceUnavailable:
    """No strace on the host, or it cannot be bundled for injection."""

    reason: str


@attrs.frozen(kw_only=True)
class NotLinux:
    """Tracing needs Linux ptrace; this host is something else."""

    platform: str


EngineStatus = EngineReady | EngineUnavailable | StraceUnavailable | NotLinux


# ---- one scenario's result ------------------------------------------------------------------
@attrs.frozen(kw_only=True)
class ScenarioCompleted:
    """The scenario ran: it exited (`exit_code`), or it was still running when its window closed
    (`stopped_after_window`, a normal end for a server)."""

    exit_code: int | None
    stopped_after_window: bool
    elapsed_ms: int
    trace: TraceFacts
    trace_cut: bool = False  # the trace file was longer than MAX_TRACE_BYTES
    # Why no trace could be read (what came back was a symlink, FIFO, device or directory, or
    # nothing): `trace` is then empty and the scenario counts as not traced (see ADR-0022).
    trace_problem: str = ""
    # a profiling pass (`count_syscalls`, ADR-0067): every syscall with its count; `trace` empty
    syscalls: SyscallCounts | None = None
    ports: tuple[PortProbe, ...] = ()  # the scenario's probed ports, in its order (ADR-0066)


@attrs.frozen(kw_only=True)
class ScenarioTimeout:
    elapsed_ms: int


@attrs.frozen(kw_only=True)
class BuildFailed:
    exit_code: int | None
    message: str


@attrs.frozen(kw_only=True)
class ImageDigestUnresolved:
    ref: str


ScenarioResult = (
    ScenarioCompleted
    | ScenarioTimeout
    | StraceUnavailable
    | BuildFailed
    | ImageDigestUnresolved
    | EngineUnavailable
)
