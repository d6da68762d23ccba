"""`runtime_trace`: build the repository's Dockerfiles and trace what their containers do.

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
Rule 5: the Dockerfiles are chosen as `dockerfiles.choose_dockerfiles` says (ADR-0065) and built
one after another, each with its own image; every image's scenarios share the one budget, and an
image the budget leaves no time for is reported `not-run`, not built. The top-level facts merge
every image's traces; `images` says per Dockerfile what was traced.
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
from codegenie_core.probes.layer_c.dockerfiles import (
    DockerfileChoice,
    DockerfileTarget,
    choose_dockerfiles,
)
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
    profile_file_names,
    profile_names,
    profile_text,
)
from codegenie_core.registry import register_probe
from codegenie_core.spec import PortName, ProbeSpec
from codegenie_core.values.container import PORT_PROBE_POLICY, ImageConfig, PortProbe

# 2: scenarios may be `invalid`; 3: status, outcome and origin are Literals; 4: `images`, and
# the scenarios' probed `ports`; 5: the seccomp_* fields of `--seccomp-profile` (ADR-0067);
# 6: each image's own seccomp_syscalls and seccomp_profiled, one profile per image (ADR-0074)
SCHEMA_VERSION = 7
COORDINATOR_MARGIN_S = 5.0  # finish this long before the coordinator's own bound

# "not-run": no image was built, none failed (the time budget was spent before the first)
TraceStatus = Literal["traced", "image-digest-unresolved", "build-failed", "not-run"]
# what happened to one Dockerfile's image: built and its scenarios run, or why not
ImageStatus = Literal["traced", "build-failed", "not-run"]
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
    ports: tuple[PortProbe, ...] = ()  # what answered on the probed ports (ADR-0066)


@attrs.frozen(kw_only=True)
class ImageReport:
    """One Dockerfile as the slice tells it: where it was built from, and its scenarios."""

    dockerfile: str
    context: str
    origin: str  # why it was chosen: option, root, a compose service, the only one
    image_ref: str = ""
    status: ImageStatus = "not-run"
    detail: str = ""
    scenarios: tuple[ScenarioReport, ...] = ()
    # --seccomp-profile: this image's profiling passes, its own profile's syscalls (ADR-0074)
    seccomp_syscalls: tuple[SyscallCount, ...] = ()
    seccomp_profiled: tuple[str, ...] = ()


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
    # per Dockerfile (ADR-0065); `image_ref` and `scenarios` above: the first built image's ref,
    # and every image's scenarios in order
    images: tuple[ImageReport, ...] = ()
    # --seccomp-profile (ADR-0067): every syscall the profiling passes observed, with counts
    # summed over scenarios and images; the profiles' architectures; the scenarios whose pass
    # completed (each image's own in `images`, ADR-0074)
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
            "config:dockerfiles",
            "config:seccomp_profile",
        ),
        ports=frozenset[PortName]({"repo", "clock", "yaml", "containers", "image_digest"}),
        slice_type=RuntimeTraceSlice,
        schema_version=SCHEMA_VERSION,
    )

    def applies(self, ctx: ProbeContext) -> bool:
        return bool(_choice(ctx).targets)

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
        choice = _choice(ctx)
        repo_scenarios = _repo_scenarios(ctx)
        file_problems: tuple[str, ...] = ()
        if isinstance(repo_scenarios, ScenarioFileProblem):  # Rule 4: the defaults still run
            file_problems = (repo_scenarios.describe(),)
            repo_scenarios = ()
        base_images = _resolve_base_images(ctx)
        if base_images is None:
            unresolved = ImageDigestUnresolved(ref=_base_refs_text(ctx, choice))
            line = f"base image digest unresolved: {unresolved.ref}"
            return _envelope(
                status="image-digest-unresolved",
                problems=(line, *choice.problems, *file_problems, *_pull_hint(ctx, unresolved)),
                images=tuple(_unbuilt(t, "not-run", line) for t in choice.targets),
            )
        context_digest = _context_digest(ctx)
        images: list[ImageReport] = []
        # --seccomp-profile: each traced image's profiling passes, by Dockerfile (ADR-0074)
        profiles: dict[str, dict[str, ScenarioResult]] = {}
        scenario_spent = 0.0
        for target in choice.targets:  # Rule 5: one image after another
            image_ref = IMAGE_REF_PREFIX + _target_digest(context_digest, target)[:12]
            # Rule 3: finish inside the coordinator's bound too, with a partial but truthful
            # slice, rather than be abandoned mid-scenario with nothing to show.
            spent = ctx.clock.monotonic() - probe_started
            left = self.spec.deadline_s(ctx.config) - spent - COORDINATOR_MARGIN_S
            budget = min(AGGREGATE_TIMEOUT_S - scenario_spent, left)
            if budget <= 0:
                detail = f"not built: the time budget of {AGGREGATE_TIMEOUT_S:g} s was spent"
                images.append(_unbuilt(target, "not-run", detail, image_ref=image_ref))
                continue
            request = BuildRequest(
                dockerfile=target.dockerfile,
                image_ref=image_ref,
                network=ctx.config.build_network,
                context=target.context,
            )
            built = runner.build(request)
            if isinstance(built, BuildFailed):
                detail = f"build failed (exit {built.exit_code}): {built.message}"
                images.append(_unbuilt(target, "build-failed", detail, image_ref=image_ref))
                continue
            defaults = _with_ports(default_scenarios(built.config), built.config, target)
            scenarios = merge_scenarios(defaults, repo_scenarios)
            began = ctx.clock.monotonic()
            passes = profiles.setdefault(target.dockerfile, {})
            reports = _run_all(ctx, runner, built, scenarios, budget, passes)
            scenario_spent += ctx.clock.monotonic() - began
            images.append(
                ImageReport(
                    dockerfile=target.dockerfile,
                    context=target.context,
                    origin=target.origin,
                    image_ref=image_ref,
                    status="traced",
                    scenarios=reports,
                )
            )
        problems = (*choice.problems, *file_problems)
        traced_images = [image for image in images if image.status == "traced"]
        if not traced_images:
            return _untraced(tuple(images), base_images, problems)
        traced = _traced(tuple(images), base_images, status.seccomp_bpf, problems)
        if not ctx.config.seccomp_profile:
            return traced
        return _with_profile(traced, profiles, architectures(status.machine))


def _with_ports(
    defaults: Sequence[Scenario], config: ImageConfig, target: DockerfileTarget
) -> tuple[Scenario, ...]:
    """The `default` scenario probes the EXPOSEd TCP ports and the compose ones (ADR-0066)."""
    ports = tuple(sorted({*config.exposed_tcp_ports, *target.ports}))
    return tuple(
        attrs.evolve(s, ports=ports) if s.name == "default" and ports else s for s in defaults
    )


def _pull_hint(ctx: ProbeContext, unresolved: ImageDigestUnresolved) -> tuple[str, ...]:
    """The next step for an unresolved base image (a note; `--pull` is not in the key)."""
    if ctx.config.pull:
        return (f"base image {unresolved.ref}: not present even after --pull",)
    engine = ctx.config.engine
    first = unresolved.ref.split(", ")[0]
    return (f"base image {unresolved.ref} is not present: `{engine} pull {first}` or --pull",)


def _choice(ctx: ProbeContext) -> DockerfileChoice:
    return choose_dockerfiles(ctx.repo, ctx.yaml, ctx.config.dockerfiles)


def _unbuilt(
    target: DockerfileTarget, status: ImageStatus, detail: str, *, image_ref: str = ""
) -> ImageReport:
    return ImageReport(
        dockerfile=target.dockerfile,
        context=target.context,
        origin=target.origin,
        image_ref=image_ref,
        status=status,
        detail=detail,
    )


def _target_digest(context_digest: str, target: DockerfileTarget) -> str:
    """The image's content tag: the context's digest for the root Dockerfile built from the root
    (as before ADR-0065), else that digest with the Dockerfile and context folded in."""
    if (target.dockerfile, target.context) == (DOCKERFILE, "."):
        return context_digest
    hasher = hashlib.sha256()
    for text in (context_digest, target.dockerfile, target.context):
        data = text.encode("utf-8", "surrogateescape")
        hasher.update(len(data).to_bytes(8, "big") + data)
    return hasher.hexdigest()


def _untraced(
    images: tuple[ImageReport, ...], base_images: str, problems: tuple[str, ...]
) -> Envelope:
    """No image was traced: every build failed or none had time; the first failure leads."""
    several = len(images) > 1
    lines = tuple(
        f"{image.dockerfile}: {image.detail}" if several else image.detail
        for image in images
        if image.detail
    )
    failed = any(image.status == "build-failed" for image in images)
    return _envelope(
        status="build-failed" if failed else "not-run",
        image_ref=images[0].image_ref if images else "",
        base_images=base_images,
        problems=(*lines, *problems),
        images=images,
    )


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


def _base_refs_text(ctx: ProbeContext, choice: DockerfileChoice) -> str:
    refs: list[str] = []
    for target in choice.targets:
        data = ctx.repo.read_bytes(target.dockerfile)
        if not isinstance(data, FileProblem):
            found = base_image_refs(data.decode("utf-8", "replace"))
            refs.extend(ref for ref in found if ref not in refs)
    return ", ".join(refs) or ", ".join(t.dockerfile for t in choice.targets) or DOCKERFILE


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
    profiles: dict[str, ScenarioResult] | None,
) -> tuple[ScenarioReport, ...]:
    """Each scenario traced, then (`--seccomp-profile`, when `profiles` is given) its profiling
    pass, whose result goes into `profiles` by scenario name; both passes share the budget
    (Rule 3)."""
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
            # the core decides the confinement; the runner renders it
            policy=PORT_PROBE_POLICY if scenario.ports else TRACE_POLICY,
        )
        reports.append(_report_result(scenario, result))
        remaining = budget_s - (ctx.clock.monotonic() - started)
        profiling = profiles is not None and ctx.config.seccomp_profile
        if profiling and isinstance(result, ScenarioCompleted) and remaining > 0:
            assert profiles is not None
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
    ports: tuple[PortProbe, ...] = (),
) -> ScenarioReport:
    names = tuple(name for name, _ in scenario.env)
    return ScenarioReport(
        name=scenario.name, task=scenario.task, origin=scenario.origin, outcome=outcome,
        exit_code=exit_code, elapsed_ms=elapsed_ms, env_names=names, detail=detail, trace=trace,
        ports=ports,
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
                scenario, outcome, exit_code=code, elapsed_ms=ms, detail=detail,
                trace=result.trace, ports=result.ports,
            )  # fmt: skip
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
    profiled = [image for image in slice_.images if image.seccomp_syscalls]
    paths = profile_file_names([image.dockerfile for image in profiled])
    for path, image in zip(paths, profiled, strict=True):
        lines.append(
            f"seccomp profile of {image.dockerfile}: {len(image.seccomp_syscalls)} syscalls "
            f"observed over {len(image.seccomp_profiled)} scenarios; --output DIR writes it as "
            f"{path}"
        )
    lines.extend(slice_.problems)
    return tuple(lines)


def _envelope(
    *,
    status: TraceStatus,
    image_ref: str = "",
    base_images: str = "",
    problems: tuple[str, ...],
    images: tuple[ImageReport, ...] = (),
) -> Envelope:
    """The envelope of a run that traced nothing: nothing to cover, so coverage is unavailable."""
    slice_ = RuntimeTraceSlice(
        status=status,
        trace_coverage_confidence="unavailable",
        image_ref=image_ref,
        base_images=base_images,
        problems=problems,
        images=images,
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
    images: tuple[ImageReport, ...],
    base_images: str,
    seccomp_bpf: bool,
    problems: tuple[str, ...],
) -> Envelope:
    reports = tuple(r for image in images for r in image.scenarios)
    traces = [r.trace for r in reports if r.trace is not None]
    image_ref = next(image.image_ref for image in images if image.status == "traced")
    several = len(images) > 1
    unbuilt = tuple(
        f"{image.dockerfile}: {image.detail}" if several else image.detail
        for image in images
        if image.status != "traced" and image.detail
    )

    slice_ = RuntimeTraceSlice(
        status="traced",
        trace_coverage_confidence=_coverage(images, scenarios_file_ok=not problems),
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
        problems=(*unbuilt, *problems, *_aggregate_problem(reports)),
        images=images,
    )
    return _wrap(slice_)


def _coverage(images: Sequence[ImageReport], *, scenarios_file_ok: bool) -> CoverageConfidence:
    """Every image's coverage, the lowest of them; an image not traced lowers high to medium."""
    order: tuple[CoverageConfidence, ...] = ("unavailable", "low", "medium", "high")
    grades: list[CoverageConfidence] = [
        coverage_confidence(image.scenarios, scenarios_file_ok=scenarios_file_ok)
        for image in images
        if image.status == "traced"
    ]
    lowest: CoverageConfidence = "unavailable"
    if grades:
        lowest = min(grades, key=order.index)
    if lowest == "high" and len(grades) < len(images):
        return "medium"
    return lowest


def _aggregate_problem(reports: Sequence[ScenarioReport]) -> tuple[str, ...]:
    skipped = [r.name for r in reports if r.outcome == "not-run"]
    if not skipped:
        return ()
    return (
        f"time budget for scenarios spent (at most {AGGREGATE_TIMEOUT_S:g} s, less if the "
        f"probe timeout is shorter); not run: {', '.join(skipped)}",
    )


def _with_profile(
    traced: Envelope, profiles: dict[str, dict[str, ScenarioResult]], arches: tuple[str, ...]
) -> Envelope:
    """The traced envelope with the profiling passes' syscalls (ADR-0067), each image's own on its
    `ImageReport` and their sum at the top (ADR-0074): a pass that did not complete with a
    readable count is a problem line, and its scenario is in no profile."""
    assert isinstance(traced.slice, RuntimeTraceSlice)
    several = sum(1 for image in traced.slice.images if image.status == "traced") > 1
    images: list[ImageReport] = []
    every: list[SyscallCounts] = []
    profiled: list[str] = []
    problems: list[str] = []
    for image in traced.slice.images:
        passes = profiles.get(image.dockerfile) if image.status == "traced" else None
        if passes is None:
            images.append(image)
            continue
        where = f"{image.dockerfile}: " if several else ""
        counted, names, lines = _counted(passes)
        every.extend(counted)
        profiled.extend(names)
        problems.extend(where + line for line in lines)
        images.append(
            attrs.evolve(
                image, seccomp_syscalls=merge_counts(tuple(counted)), seccomp_profiled=names
            )
        )
    slice_ = attrs.evolve(
        traced.slice,
        images=tuple(images),
        seccomp_syscalls=merge_counts(tuple(every)),
        seccomp_architectures=arches if every else (),
        seccomp_profiled=tuple(profiled),
        problems=(*traced.slice.problems, *problems),
    )
    return _wrap(slice_)


def _counted(
    passes: dict[str, ScenarioResult],
) -> tuple[list[SyscallCounts], tuple[str, ...], list[str]]:
    """One image's profiling passes: the counts that came back, their scenarios, and a problem
    line for each pass that gave none."""
    counted: list[SyscallCounts] = []
    profiled: list[str] = []
    problems: list[str] = []
    for name, result in passes.items():
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
    return counted, tuple(profiled), problems


def seccomp_profile_files(slice_: RuntimeTraceSlice) -> dict[str, str]:
    """The seccomp profiles `--output DIR` writes, by path under DIR: one per traced image whose
    profiling passes counted something, each allowing that image's own syscalls (ADR-0074)."""
    profiled = [image for image in slice_.images if image.seccomp_syscalls]
    paths = profile_file_names([image.dockerfile for image in profiled])
    return {
        path: profile_text(profile_names(image.seccomp_syscalls), slice_.seccomp_architectures)
        for path, image in zip(paths, profiled, strict=True)
    }
