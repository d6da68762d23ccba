"""`--seccomp-profile` (ADR-0067): the `strace -c` parser, the profile's text, and the profiling
passes runtime_trace adds per scenario (against the scripted runner)."""

from __future__ import annotations

import json
from pathlib import Path

import attrs
from hypothesis import given

from codegenie_adapters.documents import write_outputs
from codegenie_adapters.fakes import FakeClock, FakeContainerRunner, FakeRepo, ScriptedYaml
from codegenie_cli import run as run_module
from codegenie_core.cache_keys import key_for
from codegenie_core.config import GatherConfig
from codegenie_core.outcomes import Ran
from codegenie_core.parsers.strace import TraceFacts
from codegenie_core.parsers.strace_counts import SyscallCount, parse_syscall_counts
from codegenie_core.probe import Envelope, ProbeContext
from codegenie_core.probes.layer_c.model import (
    EngineReady,
    ImageConfig,
    ScenarioCompleted,
    ScenarioResult,
    ScenarioTimeout,
)
from codegenie_core.probes.layer_c.runtime_trace import (
    RuntimeTraceProbe,
    RuntimeTraceSlice,
    seccomp_profile_files,
)
from codegenie_core.probes.layer_c.seccomp import (
    RUNTIME_BASE_SYSCALLS,
    architectures,
    profile_file_name,
    profile_file_names,
    profile_names,
    profile_text,
)
from tests.strategies import syscall_tables

PROBE = RuntimeTraceProbe()
STRACE_C = b"""\
% time     seconds  usecs/call     calls    errors syscall
------ ----------- ----------- --------- --------- ----------------
 40.00    0.000040           4        10           read
 30.00    0.000030           1        28         3 newfstatat
  0.00    0.000000           0         1           execve
------ ----------- ----------- --------- --------- ----------------
100.00    0.000070           1        39         3 total
System call usage summary for 32 bit mode:
% time     seconds  usecs/call     calls    errors syscall
------ ----------- ----------- --------- --------- ----------------
100.00    0.000001           1         2           read
------ ----------- ----------- --------- --------- ----------------
100.00    0.000001           1         2           total
"""


def test_a_summary_gives_each_syscall_once_with_its_calls_summed_over_personalities() -> None:
    parsed = parse_syscall_counts(STRACE_C)
    assert parsed.counts == (
        SyscallCount(name="execve", calls=1),
        SyscallCount(name="newfstatat", calls=28),
        SyscallCount(name="read", calls=12),
    )
    assert parsed.unparsed_lines == 0


def test_rows_it_does_not_understand_are_counted_never_kept() -> None:
    parsed = parse_syscall_counts(b"garbage here\n 1 2 3 x4 openat\n1.0 2 3 4 Open(at)\n\xff\n")
    assert (parsed.counts, parsed.unparsed_lines) == ((), 4)


@given(syscall_tables())
def test_any_summary_parses_to_its_totals_whatever_the_row_order(
    table: tuple[str, dict[str, int]],
) -> None:
    text, totals = table
    parsed = parse_syscall_counts(text.encode())
    assert {c.name: c.calls for c in parsed.counts} == totals
    assert list(parsed.names) == sorted(totals)
    assert parsed.unparsed_lines == 0


def test_the_profile_denies_by_default_and_allows_the_observed_and_base_syscalls() -> None:
    names = profile_names((SyscallCount(name="socket", calls=2),))
    text = profile_text(names, architectures("x86_64"))
    profile = json.loads(text)
    assert profile["defaultAction"] == "SCMP_ACT_ERRNO"
    assert profile["architectures"] == ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"]
    (rule,) = profile["syscalls"]
    assert rule["action"] == "SCMP_ACT_ALLOW"
    assert rule["names"] == sorted({"socket", *RUNTIME_BASE_SYSCALLS})
    assert {"execve", "openat", "futex", "wait4"} <= set(rule["names"])
    assert text == profile_text(reversed(names), architectures("x86_64"))  # same bytes
    assert architectures("pdp11") == ()


def test_the_profile_file_is_named_after_the_dockerfile() -> None:
    assert profile_file_name("Dockerfile") == "seccomp/Dockerfile.json"
    assert profile_file_name("backend/Dockerfile") == "seccomp/backend_Dockerfile.json"


def _ctx(runner: FakeContainerRunner, *, seccomp_profile: bool) -> ProbeContext:
    def resolve() -> str | None:
        return "alpine:3.20=sha256:abc"

    return ProbeContext(
        repo=FakeRepo(files={"Dockerfile": b"FROM alpine:3.20\nCMD x\n"}),
        config=GatherConfig(seccomp_profile=seccomp_profile),
        clock=FakeClock(),
        yaml=ScriptedYaml(),
        containers=runner,
        image_digest_resolver=resolve,
    )


def _runner(
    *,
    syscalls: tuple[str, ...] = ("brk", "execve"),
    profiles: dict[str, ScenarioResult] | None = None,
) -> FakeContainerRunner:
    ready = EngineReady(
        engine="fake", version="0", strace_version="6.1", seccomp_bpf=True, machine="x86_64"
    )
    return FakeContainerRunner(
        status=ready,
        image=ImageConfig(cmd=("/bin/app",)),
        syscalls=syscalls,
        profiles=profiles or {},
    )


def _slice(result: object) -> RuntimeTraceSlice:
    assert isinstance(result, Envelope) and isinstance(result.slice, RuntimeTraceSlice)
    return result.slice


def test_without_the_option_no_scenario_is_profiled_and_nothing_is_written() -> None:
    runner = _runner()
    slice_ = _slice(PROBE.run(_ctx(runner, seccomp_profile=False)))
    assert runner.profiled == []
    assert (slice_.seccomp_syscalls, slice_.seccomp_profiled) == ((), ())
    assert seccomp_profile_files(slice_) == {}


def test_each_traced_scenario_gets_a_profiling_pass_and_their_counts_are_summed() -> None:
    runner = _runner(syscalls=("execve", "socket"))
    slice_ = _slice(PROBE.run(_ctx(runner, seccomp_profile=True)))
    names = [r.name for r in slice_.scenarios]
    assert runner.profiled == names == list(slice_.seccomp_profiled)
    assert [r.name for r in slice_.scenarios] == [n for n, _, _ in runner.runs]
    assert slice_.seccomp_syscalls == (
        SyscallCount(name="execve", calls=len(names)),
        SyscallCount(name="socket", calls=len(names)),
    )
    assert slice_.seccomp_architectures == architectures("x86_64")
    (path, text) = seccomp_profile_files(slice_).popitem()
    assert path == "seccomp/Dockerfile.json"
    assert "socket" in json.loads(text)["syscalls"][0]["names"]


def test_a_failed_profiling_pass_is_a_problem_and_its_scenario_is_left_out() -> None:
    timeout = ScenarioTimeout(elapsed_ms=7)
    empty = ScenarioCompleted(
        exit_code=0, stopped_after_window=False, elapsed_ms=1, trace=TraceFacts(),
        trace_problem="no trace file came back",
    )  # fmt: skip
    runner = _runner(profiles={"default": timeout, "help": empty})
    slice_ = _slice(PROBE.run(_ctx(runner, seccomp_profile=True)))
    assert "default" not in slice_.seccomp_profiled and "help" not in slice_.seccomp_profiled
    assert "seccomp profiling of 'default': killed after 7 ms" in slice_.problems
    assert "seccomp profiling of 'help': no syscall counts no trace file came back" in (
        slice_.problems
    )
    assert slice_.trace_coverage_confidence == "high"  # the traces themselves are whole


def test_seccomp_profile_is_in_the_cache_key() -> None:
    ctx = _ctx(_runner(), seccomp_profile=False)
    on = attrs.evolve(ctx, config=GatherConfig(seccomp_profile=True))
    assert key_for(PROBE, ctx.repo, ctx) != key_for(PROBE, on.repo, on)


def test_output_writes_the_profile_under_seccomp_beside_the_documents(tmp_path: Path) -> None:
    slice_ = _slice(PROBE.run(_ctx(_runner(syscalls=("socket",)), seccomp_profile=True)))
    envelope = Envelope(probe="runtime_trace", schema_version=4, confidence="high", slice=slice_)
    outcomes = (Ran(probe="runtime_trace", envelope=envelope, duration_ms=1, cache_key="k"),)
    files = {"context.yaml": "a: 1\n", **run_module.seccomp_files(outcomes)}
    written = write_outputs(str(tmp_path / "out"), files)
    target = tmp_path / "out" / "seccomp" / "Dockerfile.json"
    assert str(target) in written
    assert "socket" in json.loads(target.read_text(encoding="utf-8"))["syscalls"][0]["names"]


def test_each_traced_image_gets_its_own_profile_of_its_own_scenarios() -> None:
    files = {
        "api/Dockerfile": b"FROM alpine:3.20\nCMD x\n",
        "worker/Dockerfile": b"FROM alpine:3.20\nCMD y\n",
    }
    runner = _runner()
    runner = attrs.evolve(
        runner,
        syscalls_by_dockerfile={"api/Dockerfile": ("socket",), "worker/Dockerfile": ("pipe2",)},
    )
    ctx = attrs.evolve(
        _ctx(runner, seccomp_profile=True),
        repo=FakeRepo(files=files),
        config=GatherConfig(
            seccomp_profile=True, dockerfiles=("api/Dockerfile", "worker/Dockerfile")
        ),
    )
    slice_ = _slice(PROBE.run(ctx))
    assert [i.status for i in slice_.images] == ["traced", "traced"]
    assert not any("covers" in p for p in slice_.problems), slice_.problems
    profiles = {
        path: set(json.loads(text)["syscalls"][0]["names"])
        for path, text in seccomp_profile_files(slice_).items()
    }
    assert set(profiles) == {"seccomp/api_Dockerfile.json", "seccomp/worker_Dockerfile.json"}
    assert "socket" in profiles["seccomp/api_Dockerfile.json"]
    assert "pipe2" not in profiles["seccomp/api_Dockerfile.json"]
    assert "pipe2" in profiles["seccomp/worker_Dockerfile.json"]
    assert "socket" not in profiles["seccomp/worker_Dockerfile.json"]
    for image in slice_.images:
        assert image.seccomp_profiled == tuple(r.name for r in image.scenarios)
    assert {c.name for c in slice_.seccomp_syscalls} == {"socket", "pipe2"}
    run = PROBE.run(ctx)
    assert isinstance(run, Envelope)
    notes = " ".join(run.notes)
    assert "seccomp/api_Dockerfile.json" in notes and "seccomp/worker_Dockerfile.json" in notes


def test_profile_file_names_are_safe_bounded_and_never_shared() -> None:
    assert profile_file_name("../x/Dockerfile") == "seccomp/_x_Dockerfile.json"
    assert profile_file_name("a b/Docker;file\n") == "seccomp/a_b_Docker_file_.json"
    long = profile_file_name("d/" * 200 + "Dockerfile")
    assert len(long) <= len("seccomp/.json") + 120 and "/" not in long.removeprefix("seccomp/")
    first, second = profile_file_names(["a/b_Dockerfile", "a_b/Dockerfile"])
    assert first == "seccomp/a_b_Dockerfile.json" and second != first
    assert second.startswith("seccomp/a_b_Dockerfile-") and second.endswith(".json")
