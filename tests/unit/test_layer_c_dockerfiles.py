"""Which Dockerfiles runtime_trace builds and traces, with which context (ADR-0065)."""

from __future__ import annotations

import pytest

from codegenie_adapters import image_inspect
from codegenie_adapters.exec import ExecResult
from codegenie_adapters.fakes import FakeClock, FakeContainerRunner, FakeRepo, ScriptedYaml
from codegenie_core.cache_keys import key_for
from codegenie_core.config import GatherConfig
from codegenie_core.errors import ConfigError
from codegenie_core.parsers.strace import TraceFacts
from codegenie_core.probe import Envelope, ProbeContext
from codegenie_core.probes.layer_c.dockerfiles import (
    DockerfileTarget,
    check_dockerfile_option,
    choose_dockerfiles,
)
from codegenie_core.probes.layer_c.model import (
    AGGREGATE_TIMEOUT_S,
    BuildFailed,
    ImageConfig,
    ScenarioCompleted,
)
from codegenie_core.probes.layer_c.runtime_trace import RuntimeTraceProbe, RuntimeTraceSlice

PROBE = RuntimeTraceProbe()
COMPOSE = "services:\n  backend:\n    build: {context: backend}\n"
COMPOSE_DATA = {
    "services": {
        "backend": {"build": {"context": "backend"}},
        "worker": {"build": {"context": "backend", "dockerfile": "Worker.Dockerfile"}},
        "db": {"image": "postgres:16"},
        "escape": {"build": {"context": "../elsewhere"}},
        "again": {"build": "backend"},
    }
}
FROM = b"FROM debian:bookworm-slim\nCMD x\n"


def _repo(files: dict[str, bytes]) -> FakeRepo:
    return FakeRepo(files={"app.py": b"x"} | files)


def _compose_repo(**extra: bytes) -> FakeRepo:
    return _repo(
        {
            "compose.yaml": COMPOSE.encode(),
            "backend/Dockerfile": FROM,
            "backend/Worker.Dockerfile": FROM,
            "other/Dockerfile": FROM,
        }
        | extra
    )


YAML = ScriptedYaml(documents={COMPOSE: COMPOSE_DATA})


def test_the_root_dockerfile_comes_first_and_alone() -> None:
    choice = choose_dockerfiles(_compose_repo(Dockerfile=FROM), YAML)
    assert choice.targets == (
        DockerfileTarget(dockerfile="Dockerfile", context=".", origin="root"),
    )


def test_compose_builds_give_their_dockerfile_and_context_and_an_escape_is_refused() -> None:
    choice = choose_dockerfiles(_compose_repo(), YAML)
    assert [(t.dockerfile, t.context) for t in choice.targets] == [
        ("backend/Dockerfile", "backend"),
        ("backend/Worker.Dockerfile", "backend"),
    ]  # `again` builds the same as `backend`: once
    assert choice.targets[0].origin == "compose compose.yaml service 'backend'"
    assert choice.problems == (
        "compose compose.yaml service 'escape': the build context or Dockerfile leaves the "
        "repository: refused",
    )


def test_the_only_dockerfile_is_built_from_its_directory() -> None:
    choice = choose_dockerfiles(_repo({"svc/api/Containerfile": FROM}), YAML)
    assert choice.targets == (
        DockerfileTarget(dockerfile="svc/api/Containerfile", context="svc/api", origin="only"),
    )


def test_several_dockerfiles_and_no_rule_to_choose_is_a_problem_naming_them() -> None:
    choice = choose_dockerfiles(_repo({"a/Dockerfile": FROM, "b/Dockerfile": FROM}), YAML)
    assert choice.targets == ()
    assert choice.problems == (
        "2 Dockerfiles and no root Dockerfile or compose build to choose one: a/Dockerfile, "
        "b/Dockerfile; name them with --dockerfile",
    )


def test_the_option_wins_over_every_rule() -> None:
    chosen = ("other/Dockerfile", "./backend/Dockerfile")
    choice = choose_dockerfiles(_compose_repo(Dockerfile=FROM), YAML, chosen)
    assert [(t.dockerfile, t.context, t.origin) for t in choice.targets] == [
        ("other/Dockerfile", "other", "option"),
        ("backend/Dockerfile", "backend", "option"),
    ]


@pytest.mark.parametrize(
    ("path", "why"),
    [
        ("../Dockerfile", "the path leaves the repository"),
        ("/etc/Dockerfile", "the path leaves the repository"),
        ("a/../../Dockerfile", "the path leaves the repository"),
        ("nope/Dockerfile", "no such file in the repository"),
    ],
)
def test_an_option_outside_the_repository_or_missing_is_exit_two_naming_it(
    path: str, why: str
) -> None:
    with pytest.raises(ConfigError) as raised:
        check_dockerfile_option(("backend/Dockerfile", path), _compose_repo().list_files())
    assert str(raised.value) == f"--dockerfile {path!r}: {why}"
    assert raised.value.exit_code == 2


def test_the_option_is_normalised() -> None:
    listed = _compose_repo().list_files()
    assert check_dockerfile_option(("./backend/Dockerfile",), listed) == ("backend/Dockerfile",)


def _ctx(runner: FakeContainerRunner, repo: FakeRepo, **config: object) -> ProbeContext:
    def resolve() -> str:
        return "debian:bookworm-slim=sha256:abc"

    return ProbeContext(
        repo=repo,
        config=GatherConfig(**config),  # type: ignore[arg-type]  # reason: test-chosen fields
        clock=runner.clock or FakeClock(),
        yaml=YAML,
        containers=runner,
        image_digest_resolver=resolve,
    )


def _slice(result: object) -> RuntimeTraceSlice:
    assert isinstance(result, Envelope)
    assert isinstance(result.slice, RuntimeTraceSlice)
    return result.slice


def test_each_compose_image_is_built_with_its_context_and_traced_in_order() -> None:
    trace = TraceFacts(binaries_executed=("/usr/bin/python3",))
    done = ScenarioCompleted(exit_code=0, stopped_after_window=False, elapsed_ms=1, trace=trace)
    runner = FakeContainerRunner(
        image=ImageConfig(cmd=("python3", "app.py")), results={"default": done}
    )
    slice_ = _slice(PROBE.run(_ctx(runner, _compose_repo())))
    assert [(b.dockerfile, b.context) for b in runner.builds] == [
        ("backend/Dockerfile", "backend"),
        ("backend/Worker.Dockerfile", "backend"),
    ]
    assert [(i.dockerfile, i.status) for i in slice_.images] == [
        ("backend/Dockerfile", "traced"),
        ("backend/Worker.Dockerfile", "traced"),
    ]
    refs = [i.image_ref for i in slice_.images]
    assert len(set(refs)) == 2 and slice_.image_ref == refs[0]
    assert [r.name for r in slice_.images[0].scenarios] == ["default", "help", "version", "shell"]
    assert len(slice_.scenarios) == 8  # every image's scenarios, in order
    assert slice_.binaries_executed == ("/usr/bin/python3",)
    assert slice_.status == "traced"
    assert any("'escape'" in p for p in slice_.problems)


def test_an_image_the_budget_leaves_no_time_for_is_not_built_and_said() -> None:
    clock = FakeClock()
    runner = FakeContainerRunner(clock=clock, seconds={"shell": AGGREGATE_TIMEOUT_S})
    slice_ = _slice(PROBE.run(_ctx(runner, _compose_repo())))
    assert len(runner.builds) == 1
    second = slice_.images[1]
    assert (second.status, second.image_ref != "") == ("not-run", True)
    assert second.detail == f"not built: the time budget of {AGGREGATE_TIMEOUT_S:g} s was spent"
    assert f"backend/Worker.Dockerfile: {second.detail}" in slice_.problems
    assert slice_.trace_coverage_confidence != "high"


def test_a_failed_build_of_one_image_leaves_the_other_traced() -> None:
    runner = FakeContainerRunner(image=BuildFailed(exit_code=1, message="no base"))
    slice_ = _slice(PROBE.run(_ctx(runner, _compose_repo())))
    assert slice_.status == "build-failed"
    assert [i.status for i in slice_.images] == ["build-failed", "build-failed"]
    assert slice_.problems[:2] == (
        "backend/Dockerfile: build failed (exit 1): no base",
        "backend/Worker.Dockerfile: build failed (exit 1): no base",
    )


def test_the_choice_is_in_the_key() -> None:
    runner = FakeContainerRunner()
    repo = _compose_repo()
    keys = {
        key_for(PROBE, repo, _ctx(runner, repo, dockerfiles=chosen))
        for chosen in ((), ("other/Dockerfile",), ("backend/Dockerfile",))
    }
    assert len(keys) == 3


def test_pull_pulls_a_missing_base_image_then_reads_its_digest(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls: list[tuple[str, ...]] = []
    present: set[str] = set()

    def engine(argv: tuple[str, ...], **_: object) -> ExecResult:
        calls.append(argv)
        ref = argv[-1]
        if argv[1] == "pull":
            present.add(ref)
            return ExecResult(argv=argv, exit_code=0, stdout=b"", stderr=b"", duration_s=0.0)
        known = ref in present
        out = b"sha256:feed\n" if known else b""
        return ExecResult(
            argv=argv, exit_code=0 if known else 1, stdout=out, stderr=b"", duration_s=0.0
        )

    monkeypatch.setattr(image_inspect, "run_external_cli", engine)
    repo = _repo({"Dockerfile": b"FROM debian:bookworm-slim\nFROM -evil\n"})
    assert image_inspect.base_image_resolver(repo)() is None
    assert [c[1] for c in calls] == ["image"]  # no pull without --pull
    calls.clear()
    assert image_inspect.base_image_resolver(repo, pull=True)() is None  # `-evil` is never pulled
    assert ("docker", "pull", "debian:bookworm-slim") in calls
    assert not any(c[1] == "pull" and c[-1] == "-evil" for c in calls)
    present.add("-evil")
    resolved = image_inspect.base_image_resolver(repo, pull=True)()
    assert resolved == "debian:bookworm-slim=sha256:feed;-evil=sha256:feed"


def test_a_resolver_asks_the_engine_once_for_the_key_and_the_run(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Rule 2 of image_inspect (ADR-0090): the second answer is the first, with no process."""
    calls: list[tuple[str, ...]] = []

    def engine(argv: tuple[str, ...], **_: object) -> ExecResult:
        calls.append(argv)
        return ExecResult(argv=argv, exit_code=0, stdout=b"sha256:feed\n", stderr=b"",
                          duration_s=0.0)  # fmt: skip

    monkeypatch.setattr(image_inspect, "run_external_cli", engine)
    resolver = image_inspect.base_image_resolver(_repo({"Dockerfile": FROM}))
    assert [resolver(), resolver()] == ["debian:bookworm-slim=sha256:feed"] * 2
    assert len(calls) == 1


def test_an_unresolved_base_image_says_the_next_step() -> None:
    runner = FakeContainerRunner()
    ctx = _ctx(runner, _repo({"Dockerfile": FROM}))
    unresolved = ProbeContext(
        repo=ctx.repo, config=ctx.config, clock=ctx.clock, yaml=ctx.yaml, containers=runner
    )
    slice_ = _slice(PROBE.run(unresolved))
    assert slice_.problems[-1] == (
        "base image debian:bookworm-slim is not present: `docker pull debian:bookworm-slim` "
        "or --pull"
    )
