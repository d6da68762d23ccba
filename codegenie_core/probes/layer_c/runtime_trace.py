"""`runtime_trace`: build the repository's root Dockerfile and trace what its container does.

Rule 1: where the engine, strace or Linux is missing the probe returns `ToolUnavailable` (a skip,
which is never cached), so a gather after the daemon comes back traces afresh; every other end
is an envelope whose slice says what happened (see ADR-0012).
Rule 2: an unresolved base-image digest (resolver unbound, returning None, or raising) gives one
and the same envelope, since those paths share one cache key (see ADR-0004): tracing an image
whose base the key cannot follow would cache a trace that goes stale unseen.
Rule 3: scenarios run strictly one at a time, each bounded by its own timeout and by what is left
of the budget: the aggregate timeout, or less when the gather caps probe timeouts lower; a
scenario the budget leaves no time for is reported `not-run`, not run.
Rule 4: an invalid repository scenario is its own report (`invalid`), and a scenarios file that
cannot be used at all is a problem line: either way the valid scenarios and the defaults still run,
and the coverage says what was not traced (see ADR-0023).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Literal, assert_never

import attrs

from codegenie_core.parsers.strace import Connect, TraceFacts
from codegenie_core.parsers.strace_counts import SyscallCount, SyscallCounts, merge_counts
from codegenie_core.ports import ContainerRunner, FileProblem, TextProblem
from codegenie_core.probe import Envelope, ProbeContext, Skip, ToolUnavailable, clip_confidence
from codegenie_core.probes.layer_c.base_images import base_image_refs
from codegenie_core.probes.layer_c.model import (
    AGGREGATE_TIMEOUT_S,
    BUILD_TIMEOUT_S,
    DOCKERFILE,
    IMAGE_REF_PREFIX,
    PROBE_NAME,
    SCENARIOS_FILE,
    TRACE_POLICY,
    BuildFailed,
    BuildRequest,
    BuiltImage,
    CoverageConfidence,
    EngineReady,
    EngineUnavailable,
    ImageDigestUnresolved,
    NotLinux,
    Scenario,
    ScenarioCompleted,
    ScenarioOrigin,
    ScenarioResult,
    ScenarioTimeout,
    StraceUnavailable,
)
from codegenie_core.probes.layer_c.scenarios import (
    InvalidScenario,
    RepoScenario,
    ScenarioFileProblem,
    default_scenarios,
    merge_scenarios,
    parse_scenarios,
)
from codegenie_core.probes.layer_c.seccomp import (
    architectures,
    profile_file_name,
    profile_names,
    profile_text,
)
from codegenie_core.registry import register_probe
from codegenie_core.spec import PortName, ProbeSpec

# 2: scenarios may be `invalid`; 3: status, outcome and origin are Literals; 4: the seccomp_*
# fields of `--seccomp-profile` (ADR-0067)
SCHEMA_VERSION = 4
COORDINATOR_MARGIN_S = 5.0  # finish this long before the coordinator's own bound

TraceStatus = Literal["traced", "image-digest-unresolved", "build-failed"]
# what happened to one scenario: a `ScenarioResult` variant, or never run (budget / invalid)
ScenarioOutcome = Literal[
    "completed",
    "stopped-after-window",
    "timeout",
    "strace-unavailable",
    "engine-unavailable",
    "build-failed",
    "image-digest-unresolved",
    "not-run",
    "invalid",
]


@attrs.frozen(kw_only=True)
class ScenarioReport:
    """One scenario as the slice tells it; `outcome` names the `ScenarioResult` variant."""

    name: str
    task: str
    origin: ScenarioOrigin
    outcome: ScenarioOutcome
    exit_code: int | None = None
    elapsed_ms: int = 0
    env_names: tuple[str, ...] = ()  # values stay out of the slice
    detail: str = ""
    trace: TraceFacts | None = None


@attrs.frozen(kw_only=True)
class RuntimeTraceSlice:
    """What the container did across every scenario (fields in `SLICE_KEYS` order)."""

    status: TraceStatus
    trace_coverage_confidence: CoverageConfidence
    image_ref: str = ""
    base_images: str = ""
    seccomp_bpf: bool = False
    scenarios: tuple[ScenarioReport, ...] = ()
    binaries_executed: tuple[str, ...] = ()
    files_read: tuple[str, ...] = ()
    files_written: tuple[str, ...] = ()
    shared_libraries: tuple[str, ...] = ()
    looked_for_not_found: tuple[str, ...] = ()
    network_connects: tuple[Connect, ...] = ()
    problems: tuple[str, ...] = ()
    # --seccomp-profile (ADR-0067): every syscall the profiling passes observed, with counts
    # summed over scenarios; the profile's architectures; the scenarios whose pass completed
    seccomp_syscalls: tuple[SyscallCount, ...] = ()
    seccomp_architectures: tuple[str, ...] = ()
    seccomp_profiled: tuple[str, ...] = ()


@register_probe()
class RuntimeTraceProbe:
    """Traces the built image's scenarios inside the container (see ADR-0011)."""

    spec = ProbeSpec(
        name=PROBE_NAME,
        version=1,
        layer="c",
        heaviness="heavy",
        timeout_s=BUILD_TIMEOUT_S + AGGREGATE_TIMEOUT_S,
        # A build context can COPY any file not dockerignored, so every file is an input; the image
        # digest token follows the base images, which no file names by content; the options that
        # change what a trace records are in the key too (ADR-0028), and so is what the build may
        # reach (`--build-network` changes the image, ADR-0022). `--keep-images` changes no slice.
        reads=(
            DOCKERFILE,
            ".dockerignore",
            SCENARIOS_FILE,
            "**",
            "image-digest:<resolved>",
            "config:engine",
            "config:trace_argv",
            "config:probe_timeout_cap_s",
            "config:build_network",
            "config:seccomp_profile",
        ),
        ports=frozenset[PortName]({"repo", "clock", "yaml", "containers", "image_digest"}),
        slice_type=RuntimeTraceSlice,
        schema_version=SCHEMA_VERSION,
    )

    def applies(self, ctx: ProbeContext) -> bool:
        return DOCKERFILE in ctx.repo.list_files()

    def run(self, ctx: ProbeContext) -> Envelope | Skip:
        probe_started = ctx.clock.monotonic()
        runner = ctx.containers
        if runner is None:
            return ToolUnavailable(tool=ctx.config.engine, reason="no container runner is bound")
        status = runner.engine_status()
        match status:
            case EngineReady():
                pass
            case EngineUnavailable(engine=engine, reason=reason):
                hint = f"install {engine} and make sure its daemon answers"
                return ToolUnavailable(tool=engine, reason=reason, hint=hint)
            case StraceUnavailable(reason=reason):
                return ToolUnavailable(tool="strace", reason=reason, hint="install strace")
            case NotLinux(platform=platform):
                return ToolUnavailable(tool="linux", reason=f"tracing needs Linux, not {platform}")
            case _:
                assert_never(status)
        repo_scenarios = _repo_scenarios(ctx)
        file_problems: tuple[str, ...] = ()
        if isinstance(repo_scenarios, ScenarioFileProblem):  # Rule 4: the defaults still run
            file_problems = (repo_scenarios.describe(),)
            repo_scenarios = ()
        base_images = _resolve_base_images(ctx)
        if base_images is None:
            unresolved = ImageDigestUnresolved(ref=_base_refs_text(ctx))
            return _envelope(
                status="image-digest-unresolved",
                problems=(f"base image digest unresolved: {unresolved.ref}", *file_problems),
            )
        image_ref = IMAGE_REF_PREFIX + _context_digest(ctx)[:12]
        request = BuildRequest(
            dockerfile=DOCKERFILE, image_ref=image_ref, network=ctx.config.build_network
        )
        built = runner.build(request)
        if isinstance(built, BuildFailed):
            return _envelope(
                status="build-failed",
                image_ref=image_ref,
                base_images=base_images,
                problems=(
                    f"build failed (exit {built.exit_code}): {built.message}",
                    *file_problems,
                ),
            )
        scenarios = merge_scenarios(default_scenarios(built.config), repo_scenarios)
        # Rule 3: finish inside the coordinator's bound too, with a partial but truthful slice,
        # rather than be abandoned mid-scenario with nothing to show.
        spent = ctx.clock.monotonic() - probe_started
        left = self.spec.deadline_s(ctx.config) - spent - COORDINATOR_MARGIN_S
        budget = min(AGGREGATE_TIMEOUT_S, left)
        profiles: dict[str, ScenarioResult] = {}
        reports = _run_all(ctx, runner, built, scenarios, budget, profiles)
        traced = _traced(reports, image_ref, base_images, status.seccomp_bpf, file_problems)
        if not ctx.config.seccomp_profile:
            return traced
        return _with_profile(traced, profiles, architectures(status.machine))


def _repo_scenarios(ctx: ProbeContext) -> tuple[RepoScenario, ...] | ScenarioFileProblem:
    if SCENARIOS_FILE not in ctx.repo.list_files():
        return ()
    data = ctx.repo.read_bytes(SCENARIOS_FILE)
    if isinstance(data, FileProblem):
        return ScenarioFileProblem(path=SCENARIOS_FILE, line=None, message=data.reason)
    text = data.decode("utf-8", "replace")
    parsed = ctx.yaml.parse(text)
    if isinstance(parsed, TextProblem):
        return ScenarioFileProblem(path=SCENARIOS_FILE, line=parsed.line, message=parsed.message)
    return parse_scenarios(parsed, text)


def _resolve_base_images(ctx: ProbeContext) -> str | None:
    resolver = ctx.image_digest_resolver
    if resolver is None:
        return None
    try:
        return resolver() or None
    except Exception:  # Rule 2: a raising resolver is unresolved, exactly as cache_keys folds it
        return None


def _base_refs_text(ctx: ProbeContext) -> str:
    data = ctx.repo.read_bytes(DOCKERFILE)
    refs = () if isinstance(data, FileProblem) else base_image_refs(data.decode("utf-8", "replace"))
    return ", ".join(refs) or DOCKERFILE


def _context_digest(ctx: ProbeContext) -> str:
    """A digest of the build context: every file's path and content digest, sorted."""
    hasher = hashlib.sha256()
    for path, digest in sorted(ctx.repo.digests(ctx.repo.list_files()).items()):
        for text in (path, digest):
            data = text.encode("utf-8", "surrogateescape")
            hasher.update(len(data).to_bytes(8, "big") + data)
    return hasher.hexdigest()


def _run_all(
    ctx: ProbeContext,
    runner: ContainerRunner,
    image: BuiltImage,
    scenarios: Sequence[RepoScenario],
    budget_s: float,
    profiles: dict[str, ScenarioResult],
) -> tuple[ScenarioReport, ...]:
    """Each scenario traced, then (`--seccomp-profile`) its profiling pass, whose result goes
    into `profiles` by scenario name; both passes share the budget (Rule 3)."""
    started = ctx.clock.monotonic()
    reports: list[ScenarioReport] = []
    for scenario in scenarios:  # Rule 3: one at a time, never concurrently
        if isinstance(scenario, InvalidScenario):  # Rule 4: reported, never run
            reports.append(_invalid_report(scenario))
            continue
        remaining = budget_s - (ctx.clock.monotonic() - started)
        if remaining <= 0:
            detail = f"not run: the time budget of {max(budget_s, 0):g} s was spent"
            reports.append(_report(scenario, "not-run", detail=detail))
            continue
        timeout = min(scenario.timeout_s, remaining)
        result = runner.run_scenario(
            image,
            scenario,
            timeout_s=timeout,
            keep_argv=ctx.config.trace_argv,
            policy=TRACE_POLICY,  # the core decides the confinement; the runner renders it
        )
        reports.append(_report_result(scenario, result))
        remaining = budget_s - (ctx.clock.monotonic() - started)
        if ctx.config.seccomp_profile and isinstance(result, ScenarioCompleted) and remaining > 0:
            profiles[scenario.name] = runner.run_scenario(
                image,
                scenario,
                timeout_s=min(scenario.timeout_s, remaining),
                keep_argv=False,
                policy=TRACE_POLICY,
                count_syscalls=True,
            )
    return tuple(reports)


def _report(
    scenario: Scenario,
    outcome: ScenarioOutcome,
    *,
    exit_code: int | None = None,
    elapsed_ms: int = 0,
    detail: str = "",
    trace: TraceFacts | None = None,
) -> ScenarioReport:
    names = tuple(name for name, _ in scenario.env)
    return ScenarioReport(
        name=scenario.name, task=scenario.task, origin=scenario.origin, outcome=outcome,
        exit_code=exit_code, elapsed_ms=elapsed_ms, env_names=names, detail=detail, trace=trace,
    )  # fmt: skip


def _invalid_report(invalid: InvalidScenario) -> ScenarioReport:
    return ScenarioReport(
        name=invalid.name,
        task=invalid.task,
        origin="repo",
        outcome="invalid",
        detail=invalid.problem.describe(),
    )


def _report_result(scenario: Scenario, result: ScenarioResult) -> ScenarioReport:
    match result:
        case ScenarioCompleted(exit_code=code, stopped_after_window=stopped, elapsed_ms=ms):
            outcome = "stopped-after-window" if stopped else "completed"
            if result.trace_problem:  # ran, but nothing it left can be trusted as its trace
                detail = f"trace refused: {result.trace_problem}"
                return _report(scenario, outcome, exit_code=code, elapsed_ms=ms, detail=detail)
            detail = "trace cut at its size bound" if result.trace_cut else ""
            return _report(
                scenario, outcome, exit_code=code, elapsed_ms=ms, detail=detail, trace=result.trace
            )
        case ScenarioTimeout(elapsed_ms=ms):
            detail = f"killed after {ms} ms"
            return _report(scenario, "timeout", elapsed_ms=ms, detail=detail)
        case StraceUnavailable(reason=reason):
            return _report(scenario, "strace-unavailable", detail=reason)
        case EngineUnavailable(reason=reason):
            return _report(scenario, "engine-unavailable", detail=reason)
        case BuildFailed(message=message):
            return _report(scenario, "build-failed", detail=message)
        case ImageDigestUnresolved(ref=ref):
            return _report(scenario, "image-digest-unresolved", detail=ref)
        case _:
            assert_never(result)


def coverage_confidence(
    reports: Sequence[ScenarioReport], *, scenarios_file_ok: bool = True
) -> CoverageConfidence:
    """high: every scenario traced completely, `default` among them, and the scenarios file (if
    any) usable; medium: `default` traced but another was not (an `invalid` one included), a trace
    was cut or partly unreadable, or the scenarios file could not be used; low: something was
    traced, but not `default`; unavailable: nothing was traced."""
    traced = [r for r in reports if r.trace is not None]
    if not traced:
        return "unavailable"
    if not any(r.name == "default" for r in traced):
        return "low"
    damaged = any(r.detail or (r.trace and r.trace.unparsed_lines) for r in traced)
    complete = len(traced) == len(reports) and scenarios_file_ok
    return "high" if complete and not damaged else "medium"


def confidence_lines(slice_: RuntimeTraceSlice) -> tuple[str, ...]:
    """Why the slice's coverage is what it is, one line per reason, for the report."""
    lines = [f"trace coverage: {slice_.trace_coverage_confidence}"]
    for report in slice_.scenarios:
        if report.trace is None:
            lines.append(f"scenario {report.name!r}: {report.outcome} {report.detail}".rstrip())
        elif report.detail:
            lines.append(f"scenario {report.name!r}: {report.detail}")
        elif report.trace.unparsed_lines:
            lines.append(f"scenario {report.name!r}: {report.trace.unparsed_lines} lines unread")
    if slice_.status == "traced" and not slice_.seccomp_bpf:
        lines.append("strace lacks --seccomp-bpf: traced without it, far slower")
    if slice_.seccomp_syscalls:
        lines.append(
            f"seccomp profile: {len(slice_.seccomp_syscalls)} syscalls observed over "
            f"{len(slice_.seccomp_profiled)} scenarios; --output DIR writes it as "
            f"{profile_file_name(DOCKERFILE)}"
        )
    lines.extend(slice_.problems)
    return tuple(lines)


def _envelope(
    *, status: TraceStatus, image_ref: str = "", base_images: str = "", problems: tuple[str, ...]
) -> Envelope:
    """The envelope of a run that traced nothing: nothing to cover, so coverage is unavailable."""
    slice_ = RuntimeTraceSlice(
        status=status,
        trace_coverage_confidence="unavailable",
        image_ref=image_ref,
        base_images=base_images,
        problems=problems,
    )
    return _wrap(slice_)


def _wrap(slice_: RuntimeTraceSlice) -> Envelope:
    return Envelope(
        probe=PROBE_NAME,
        schema_version=SCHEMA_VERSION,
        confidence=clip_confidence(slice_.trace_coverage_confidence),
        slice=slice_,
        notes=confidence_lines(slice_),
    )


def _traced(
    reports: tuple[ScenarioReport, ...],
    image_ref: str,
    base_images: str,
    seccomp_bpf: bool,
    file_problems: tuple[str, ...],
) -> Envelope:
    traces = [r.trace for r in reports if r.trace is not None]

    slice_ = RuntimeTraceSlice(
        status="traced",
        trace_coverage_confidence=coverage_confidence(reports, scenarios_file_ok=not file_problems),
        image_ref=image_ref,
        base_images=base_images,
        seccomp_bpf=seccomp_bpf,
        scenarios=reports,
        binaries_executed=tuple(sorted({b for t in traces for b in t.binaries_executed})),
        files_read=tuple(sorted({f for t in traces for f in t.files_read})),
        files_written=tuple(sorted({f for t in traces for f in t.files_written})),
        shared_libraries=tuple(sorted({f for t in traces for f in t.shared_libraries})),
        looked_for_not_found=tuple(sorted({f for t in traces for f in t.looked_for_not_found})),
        network_connects=tuple(sorted({c for t in traces for c in t.network_connects}, key=repr)),
        problems=(*file_problems, *_aggregate_problem(reports)),
    )
    return _wrap(slice_)


def _aggregate_problem(reports: Sequence[ScenarioReport]) -> tuple[str, ...]:
    skipped = [r.name for r in reports if r.outcome == "not-run"]
    if not skipped:
        return ()
    return (
        f"time budget for scenarios spent (at most {AGGREGATE_TIMEOUT_S:g} s, less if the "
        f"probe timeout is shorter); not run: {', '.join(skipped)}",
    )


def _with_profile(
    traced: Envelope, profiles: dict[str, ScenarioResult], arches: tuple[str, ...]
) -> Envelope:
    """The traced envelope with the profiling passes' syscalls (ADR-0067): a pass that did not
    complete with a readable count is a problem line, and its scenario is not in the profile."""
    assert isinstance(traced.slice, RuntimeTraceSlice)
    counted: list[SyscallCounts] = []
    profiled: list[str] = []
    problems: list[str] = []
    for name, result in profiles.items():
        match result:
            case ScenarioCompleted(syscalls=SyscallCounts() as syscalls) if syscalls.counts:
                counted.append(syscalls)
                profiled.append(name)
            case ScenarioCompleted(trace_problem=why):
                problems.append(f"seccomp profiling of {name!r}: no syscall counts {why}".rstrip())
            case ScenarioTimeout(elapsed_ms=ms):
                problems.append(f"seccomp profiling of {name!r}: killed after {ms} ms")
            case (
                StraceUnavailable(reason=why)
                | EngineUnavailable(reason=why)
                | BuildFailed(message=why)
                | ImageDigestUnresolved(ref=why)
            ):
                problems.append(f"seccomp profiling of {name!r}: {why}")
            case _:
                assert_never(result)
    slice_ = attrs.evolve(
        traced.slice,
        seccomp_syscalls=merge_counts(tuple(counted)),
        seccomp_architectures=arches if counted else (),
        seccomp_profiled=tuple(profiled),
        problems=(*traced.slice.problems, *problems),
    )
    return _wrap(slice_)


def seccomp_profile_files(slice_: RuntimeTraceSlice) -> dict[str, str]:
    """The seccomp profile `--output DIR` writes, by its path under DIR (ADR-0067): none when no
    profiling pass counted anything."""
    if not slice_.seccomp_syscalls:
        return {}
    names = profile_names(slice_.seccomp_syscalls)
    return {profile_file_name(DOCKERFILE): profile_text(names, slice_.seccomp_architectures)}
