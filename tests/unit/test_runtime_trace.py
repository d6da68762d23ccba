"""The runtime_trace probe against the scripted container runner: every envelope path."""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from typing import Literal

import attrs
import pytest

from codegenie_adapters.fakes import FakeClock, FakeContainerRunner, FakeRepo, ScriptedYaml
from codegenie_core.cache_keys import key_for
from codegenie_core.config import GatherConfig
from codegenie_core.parsers.strace import Connect, TraceFacts
from codegenie_core.ports import TextProblem
from codegenie_core.probe import Envelope, ImageDigestResolver, ProbeContext, ToolUnavailable
from codegenie_core.probes.layer_c.model import (
    AGGREGATE_TIMEOUT_S,
    DEFAULT_SCENARIO_NAMES,
    SLICE_KEYS,
    TRACE_POLICY,
    BuildFailed,
    BuiltImage,
    EngineUnavailable,
    ImageConfig,
    NotLinux,
    Scenario,
    ScenarioCompleted,
    ScenarioResult,
    ScenarioTimeout,
    StraceUnavailable,
)
from codegenie_core.probes.layer_c.runtime_trace import (
    SCHEMA_VERSION,
    ImageReport,
    RuntimeTraceProbe,
    RuntimeTraceSlice,
    ScenarioReport,
    coverage_confidence,
)
from codegenie_core.registry import DEFAULT_REGISTRY

PROBE = RuntimeTraceProbe()
IMAGE = ImageConfig(cmd=("/bin/app", "serve"), healthcheck=("CMD", "/bin/app", "ping"))
SIX_SCENARIOS_YAML = "scenarios:\n  - name: extra\n    argv: [/bin/true]\n"
SIX_SCENARIOS = {"scenarios": [{"name": "extra", "argv": ["/bin/true"]}]}


def _completed(*binaries: str, window: bool = False) -> ScenarioCompleted:
    trace = TraceFacts(binaries_executed=binaries, files_read=("/etc/" + binaries[0][-3:],))
    return ScenarioCompleted(exit_code=0, stopped_after_window=window, elapsed_ms=5, trace=trace)


def _ctx(
    runner: FakeContainerRunner,
    *,
    files: dict[str, bytes] | None = None,
    documents: dict[str, object] | None = None,
    resolver: ImageDigestResolver | Literal["bound"] | None = "bound",
    clock: FakeClock | None = None,
    trace_argv: bool = False,
    timeout_cap_s: float | None = None,
) -> ProbeContext:
    repo = FakeRepo(
        files={"Dockerfile": b"FROM alpine:3.20\nCMD x\n", "app.py": b"x"} | (files or {})
    )

    def resolve() -> str | None:
        return "alpine:3.20=sha256:abc"

    return ProbeContext(
        repo=repo,
        config=GatherConfig(trace_argv=trace_argv, probe_timeout_cap_s=timeout_cap_s),
        clock=clock or FakeClock(),
        yaml=ScriptedYaml(documents=documents or {}),
        containers=runner,
        image_digest_resolver=resolve if resolver == "bound" else resolver,
    )


def _slice(result: object) -> RuntimeTraceSlice:
    assert isinstance(result, Envelope)
    assert isinstance(result.slice, RuntimeTraceSlice)
    return result.slice


def test_the_probe_is_registered_heavy_in_layer_c() -> None:
    registered = DEFAULT_REGISTRY.get("runtime_trace")
    assert registered is not None
    assert (registered.heaviness, registered.spec.layer) == ("heavy", "c")


def test_the_slice_has_exactly_the_expected_keys() -> None:
    assert tuple(f.name for f in attrs.fields(RuntimeTraceSlice)) == SLICE_KEYS


def test_it_applies_whenever_a_dockerfile_can_be_chosen() -> None:
    runner = FakeContainerRunner()
    nested = attrs.evolve(_ctx(runner), repo=FakeRepo(files={"svc/Dockerfile": b"FROM x\n"}))
    two = FakeRepo(files={"a/Dockerfile": b"FROM x\n", "b/Containerfile": b"FROM x\n"})
    none = FakeRepo(files={"app.py": b"x"})
    assert [PROBE.applies(_ctx(runner)), PROBE.applies(nested)] == [True, True]
    assert [PROBE.applies(attrs.evolve(_ctx(runner), repo=r)) for r in (two, none)] == [False] * 2


def test_six_scenarios_run_one_at_a_time_in_order_and_their_facts_are_joined() -> None:
    runner = FakeContainerRunner(
        image=IMAGE,
        results={"default": _completed("/bin/app", window=True), "extra": _completed("/bin/true")},
    )
    files = {".codegenie/scenarios.yaml": SIX_SCENARIOS_YAML.encode()}
    result = PROBE.run(_ctx(runner, files=files, documents={SIX_SCENARIOS_YAML: SIX_SCENARIOS}))
    slice_ = _slice(result)
    assert [name for name, _, _ in runner.runs] == [*DEFAULT_SCENARIO_NAMES, "extra"]
    assert runner.max_running == 1
    assert [r.outcome for r in slice_.scenarios] == ["stopped-after-window", *["completed"] * 5]
    assert slice_.binaries_executed == ("/bin/app", "/bin/true")
    assert slice_.files_read == ("/etc/app", "/etc/rue")
    assert (slice_.status, slice_.trace_coverage_confidence) == ("traced", "high")
    assert isinstance(result, Envelope) and result.confidence == "high"


def test_the_image_is_tagged_by_a_digest_of_the_build_context() -> None:
    runner = FakeContainerRunner(image=IMAGE)
    PROBE.run(_ctx(runner))
    PROBE.run(_ctx(runner, files={"app.py": b"changed"}))
    refs = [b.image_ref for b in runner.builds]
    assert all(re.fullmatch(r"codegenie-trace:[0-9a-f]{12}", ref) for ref in refs)
    assert refs[0] != refs[1]


def test_trace_argv_reaches_the_runner() -> None:
    runner = FakeContainerRunner(image=IMAGE)
    PROBE.run(_ctx(runner, trace_argv=True))
    assert {keep for _, _, keep in runner.runs} == {True}


def test_every_scenario_runs_under_the_container_policy_the_core_decides() -> None:
    runner = FakeContainerRunner(image=IMAGE)
    files = {".codegenie/scenarios.yaml": SIX_SCENARIOS_YAML.encode()}
    PROBE.run(_ctx(runner, files=files, documents={SIX_SCENARIOS_YAML: SIX_SCENARIOS}))
    assert runner.policies == [(name, TRACE_POLICY) for name in [*DEFAULT_SCENARIO_NAMES, "extra"]]


def test_a_failed_build_is_an_envelope_with_unavailable_coverage() -> None:
    runner = FakeContainerRunner(image=BuildFailed(exit_code=1, message="COPY failed: no app.jar"))
    slice_ = _slice(PROBE.run(_ctx(runner)))
    assert (slice_.status, slice_.trace_coverage_confidence) == ("build-failed", "unavailable")
    assert slice_.problems == ("build failed (exit 1): COPY failed: no app.jar",)
    assert runner.runs == []


def _raises() -> str | None:
    raise RuntimeError("daemon went away")


@pytest.mark.parametrize(
    "resolver", [None, lambda: None, _raises], ids=["unbound", "none", "raises"]
)
def test_an_unresolved_base_image_digest_gives_one_envelope_and_no_build(
    resolver: ImageDigestResolver | None,
) -> None:
    runner = FakeContainerRunner(image=IMAGE)
    result = PROBE.run(_ctx(runner, resolver=resolver))
    assert result == Envelope(
        probe="runtime_trace",
        schema_version=SCHEMA_VERSION,
        confidence="low",
        slice=RuntimeTraceSlice(
            status="image-digest-unresolved",
            trace_coverage_confidence="unavailable",
            problems=(
                "base image digest unresolved: alpine:3.20",
                "base image alpine:3.20 is not present: `docker pull alpine:3.20` or --pull",
            ),
            images=(
                ImageReport(
                    dockerfile="Dockerfile",
                    context=".",
                    origin="root",
                    status="not-run",
                    detail="base image digest unresolved: alpine:3.20",
                ),
            ),
        ),
        notes=(
            "trace coverage: unavailable",
            "base image digest unresolved: alpine:3.20",
            "base image alpine:3.20 is not present: `docker pull alpine:3.20` or --pull",
        ),
    )
    assert runner.builds == []


def test_the_unresolved_paths_share_one_cache_key_and_a_resolved_digest_another() -> None:
    runner = FakeContainerRunner()
    keys = {key_for(PROBE, c.repo, c) for c in (_ctx(runner, resolver=r) for r in (None, _raises))}
    assert len(keys) == 1
    assert key_for(PROBE, _ctx(runner).repo, _ctx(runner)) not in keys


def test_an_invalid_scenario_is_its_own_report_and_the_others_and_the_defaults_run() -> None:
    text = (
        "scenarios:\n  - name: slow\n    argv: [/bin/sleep, '9']\n    timeout_s: 900\n"
        "  - name: extra\n    argv: [/bin/true]\n"
    )
    data = {
        "scenarios": [
            {"name": "slow", "argv": ["/bin/sleep", "9"], "timeout_s": 900},
            {"name": "extra", "argv": ["/bin/true"]},
        ]
    }
    runner = FakeContainerRunner(image=IMAGE, results={"default": _completed("/bin/app")})
    ctx = _ctx(runner, files={".codegenie/scenarios.yaml": text.encode()}, documents={text: data})
    result = PROBE.run(ctx)
    slice_ = _slice(result)
    problem = (
        ".codegenie/scenarios.yaml:2: scenarios[0] (name 'slow'): 'timeout_s' must be a number "
        "> 0 and <= 120, got 900"
    )
    assert [name for name, _, _ in runner.runs] == [*DEFAULT_SCENARIO_NAMES, "extra"]
    assert [(r.name, r.outcome) for r in slice_.scenarios][-2:] == [
        ("slow", "invalid"),
        ("extra", "completed"),
    ]
    assert slice_.scenarios[-2].detail == problem
    assert (slice_.status, slice_.trace_coverage_confidence) == ("traced", "medium")
    assert isinstance(result, Envelope)
    assert f"scenario 'slow': invalid {problem}" in result.notes


def test_a_scenarios_file_that_is_not_yaml_is_a_problem_and_the_defaults_still_run() -> None:
    runner = FakeContainerRunner(image=IMAGE, results={"default": _completed("/bin/app")})
    ctx = _ctx(runner, files={".codegenie/scenarios.yaml": b"scenarios: [\n"})
    ctx = attrs.evolve(ctx, yaml=_FailingYaml())
    slice_ = _slice(PROBE.run(ctx))
    assert slice_.problems == (".codegenie/scenarios.yaml:2: unexpected end",)
    assert [name for name, _, _ in runner.runs] == list(DEFAULT_SCENARIO_NAMES)
    assert (slice_.status, slice_.trace_coverage_confidence) == ("traced", "medium")


def test_a_scenarios_file_that_is_not_a_mapping_is_a_problem_and_the_defaults_still_run() -> None:
    text = "- name: x\n"
    runner = FakeContainerRunner(image=IMAGE, results={"default": _completed("/bin/app")})
    files = {".codegenie/scenarios.yaml": text.encode()}
    slice_ = _slice(PROBE.run(_ctx(runner, files=files, documents={text: [{"name": "x"}]})))
    assert slice_.problems == (
        ".codegenie/scenarios.yaml: the document must be a mapping with a 'scenarios' list",
    )
    assert [r.name for r in slice_.scenarios] == list(DEFAULT_SCENARIO_NAMES)
    assert slice_.trace_coverage_confidence == "medium"


def test_scenarios_that_take_time_never_overlap() -> None:
    # Each scenario holds the runner for real time, so running two at once would be recorded.
    runner = FakeContainerRunner(image=IMAGE, dwell_s=0.1)
    files = {".codegenie/scenarios.yaml": SIX_SCENARIOS_YAML.encode()}
    PROBE.run(_ctx(runner, files=files, documents={SIX_SCENARIOS_YAML: SIX_SCENARIOS}))
    assert len(runner.runs) == 6
    assert (runner.overlaps, runner.max_running) == ([], 1)


def test_the_overlap_recording_fake_sees_concurrent_scenarios() -> None:
    # The check above can fail: the same fake, driven concurrently, records the overlap.
    runner = FakeContainerRunner(image=IMAGE, dwell_s=5.0)
    built = BuiltImage(ref="r", config=IMAGE)
    scenarios = [Scenario(name=n, argv=("x",)) for n in ("a", "b")]

    def run(scenario: Scenario) -> ScenarioResult:
        return runner.run_scenario(
            built, scenario, timeout_s=1, keep_argv=False, policy=TRACE_POLICY
        )

    with ThreadPoolExecutor(max_workers=2) as pool:
        list(pool.map(run, scenarios))
    assert runner.max_running == 2 and len(runner.overlaps) == 1


@attrs.define
class _FailingYaml:
    def parse(self, text: str) -> object | TextProblem:
        del text
        return TextProblem(message="unexpected end", line=2, column=1)


@pytest.mark.parametrize(
    ("status", "tool"),
    [
        (NotLinux(platform="darwin"), "linux"),
        (EngineUnavailable(engine="docker", reason="docker is not on PATH"), "docker"),
        (StraceUnavailable(reason="'strace' is not installed"), "strace"),
    ],
)
def test_a_missing_engine_strace_or_linux_is_a_skip_that_is_never_cached(
    status: NotLinux | EngineUnavailable | StraceUnavailable, tool: str
) -> None:
    runner = FakeContainerRunner(status=status)
    result = PROBE.run(_ctx(runner))
    assert isinstance(result, ToolUnavailable) and result.tool == tool
    assert (runner.builds, runner.runs) == ([], [])


def test_the_aggregate_timeout_leaves_later_scenarios_unrun_and_says_so() -> None:
    clock = FakeClock()
    seconds = {"default": AGGREGATE_TIMEOUT_S / 2, "help": AGGREGATE_TIMEOUT_S / 2}
    runner = FakeContainerRunner(image=IMAGE, clock=clock, seconds=seconds)
    slice_ = _slice(PROBE.run(_ctx(runner, clock=clock)))
    assert [name for name, _, _ in runner.runs] == ["default", "help"]
    assert [r.outcome for r in slice_.scenarios] == ["completed", "completed", *["not-run"] * 3]
    assert slice_.problems == (
        "time budget for scenarios spent (at most 600 s, less if the probe timeout is shorter); "
        "not run: version, healthcheck, shell",
    )
    assert slice_.trace_coverage_confidence == "medium"


def test_a_scenarios_timeout_is_bounded_by_what_the_aggregate_leaves() -> None:
    clock = FakeClock()
    runner = FakeContainerRunner(image=IMAGE, clock=clock, seconds={"default": 550.0})
    PROBE.run(_ctx(runner, clock=clock))
    assert runner.runs[1] == ("help", pytest.approx(50.0), False)


def test_a_default_scenario_timeout_makes_coverage_low_and_says_why() -> None:
    runner = FakeContainerRunner(
        image=IMAGE, results={"default": ScenarioTimeout(elapsed_ms=120000)}
    )
    result = PROBE.run(_ctx(runner))
    assert _slice(result).trace_coverage_confidence == "low"
    assert isinstance(result, Envelope)
    assert result.confidence == "low"
    assert "scenario 'default': timeout killed after 120000 ms" in result.notes


def test_connects_from_every_scenario_are_joined_without_duplicates() -> None:
    connect = Connect(family="AF_INET", address="127.0.0.1", port=9, outcome="ECONNREFUSED")
    trace = TraceFacts(binaries_executed=("/bin/nc",), network_connects=(connect,))
    done = ScenarioCompleted(exit_code=1, stopped_after_window=False, elapsed_ms=1, trace=trace)
    runner = FakeContainerRunner(image=IMAGE, results={"default": done, "help": done})
    assert _slice(PROBE.run(_ctx(runner))).network_connects == (connect,)


def test_coverage_is_unavailable_when_nothing_was_traced() -> None:
    report = ScenarioReport(name="default", task="t", origin="default", outcome="timeout")
    assert coverage_confidence([report]) == "unavailable"


def test_a_lower_probe_timeout_cap_shrinks_the_budget_so_the_probe_ends_in_time() -> None:
    clock = FakeClock()
    runner = FakeContainerRunner(image=IMAGE, clock=clock, seconds={"default": 60.0})
    slice_ = _slice(PROBE.run(_ctx(runner, clock=clock, timeout_cap_s=100.0)))
    assert runner.runs[0] == ("default", pytest.approx(95.0), False)
    assert runner.runs[1] == ("help", pytest.approx(35.0), False)
    assert [r.outcome for r in slice_.scenarios][:2] == ["completed", "completed"]


def test_a_budget_spent_before_the_first_build_is_not_run_never_traced() -> None:
    # A cap below the coordinator margin leaves no time to build: nothing was traced, nothing
    # failed, and the status says exactly that (it said "traced").
    runner = FakeContainerRunner(image=IMAGE)
    slice_ = _slice(PROBE.run(_ctx(runner, timeout_cap_s=2.0)))
    assert (slice_.status, slice_.trace_coverage_confidence) == ("not-run", "unavailable")
    assert [image.status for image in slice_.images] == ["not-run"]
    assert runner.runs == []


def test_a_refused_trace_is_a_problem_line_in_its_scenario_and_the_others_are_unaffected() -> None:
    refused = ScenarioCompleted(
        exit_code=0,
        stopped_after_window=False,
        elapsed_ms=5,
        trace=TraceFacts(),
        trace_problem="the trace file is a FIFO, not a regular file",
    )
    runner = FakeContainerRunner(
        image=IMAGE, results={"default": _completed("/bin/app"), "help": refused}
    )
    slice_ = _slice(PROBE.run(_ctx(runner)))
    by_name = {r.name: r for r in slice_.scenarios}
    assert by_name["help"].detail == "trace refused: the trace file is a FIFO, not a regular file"
    assert by_name["help"].trace is None and by_name["default"].trace is not None
    assert [r.outcome for r in slice_.scenarios] == ["completed"] * 5
    assert slice_.trace_coverage_confidence == "medium"
    assert slice_.binaries_executed == ("/bin/app",)


def test_the_build_network_reaches_the_build_request() -> None:
    runner = FakeContainerRunner(image=IMAGE)
    ctx = _ctx(runner)
    PROBE.run(ctx)
    PROBE.run(attrs.evolve(ctx, config=GatherConfig(build_network="none")))
    assert [b.network for b in runner.builds] == ["default", "none"]


def test_build_network_is_in_the_cache_key_and_keep_images_is_not() -> None:
    ctx = _ctx(FakeContainerRunner())
    base = key_for(PROBE, ctx.repo, ctx)
    no_network = key_for(
        PROBE, ctx.repo, attrs.evolve(ctx, config=GatherConfig(build_network="none"))
    )
    kept = key_for(PROBE, ctx.repo, attrs.evolve(ctx, config=GatherConfig(keep_images=True)))
    assert no_network != base
    assert kept == base
