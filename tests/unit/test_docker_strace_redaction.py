"""The runner's engine command lines are logged without a scenario's env values or its argv."""

from __future__ import annotations

from pathlib import Path

from codegenie_adapters.docker_strace import DockerStraceRunner
from codegenie_adapters.tracer_bundle import TracerBundle
from codegenie_core.probes.layer_c.model import TRACE_POLICY, BuiltImage, ImageConfig, Scenario
from tests.unit.test_exec import _debug_log

SCENARIO = Scenario(
    name="serve",
    argv=("/app/server", "--api-key", "tok-argv-1", "https://u:tok-url@host/x"),
    env=(("API_TOKEN", "tok-env-1"),),
    origin="repo",
)


def _logged_run(tmp_path: Path, *, trace_argv: bool) -> str:
    engine = tmp_path / "engine"
    # A stand-in engine: `wait` prints the container's exit code, every other call succeeds.
    engine.write_text('#!/bin/sh\n[ "$1" = wait ] && echo 0\nexit 0\n')
    engine.chmod(0o755)
    runner = DockerStraceRunner(
        str(tmp_path), engine=str(engine), trace_argv=trace_argv, platform="linux"
    )
    bundle = TracerBundle(
        directory=str(tmp_path), loader=None, strace_version="6", seccomp_bpf=True
    )
    runner._bundle = bundle  # pyright: ignore[reportPrivateUsage] -- no strace needed here
    image = BuiltImage(ref="codegenie-trace:x", config=ImageConfig())
    return _debug_log(
        lambda: runner.run_scenario(
            image, SCENARIO, timeout_s=5, keep_argv=False, policy=TRACE_POLICY
        )
    )


def test_a_scenarios_env_values_and_argv_are_not_logged(tmp_path: Path) -> None:
    logged = _logged_run(tmp_path, trace_argv=False)
    leaked = [t for t in ("tok-env-1", "tok-argv-1", "tok-url", "--api-key") if t in logged]
    assert (leaked, "--env=API_TOKEN=***" in logged, "3 arguments hidden" in logged) == (
        [], True, True,
    )  # fmt: skip


def test_with_trace_argv_the_argv_is_logged_but_env_values_and_url_credentials_are_not(
    tmp_path: Path,
) -> None:
    logged = _logged_run(tmp_path, trace_argv=True)
    leaked = [t for t in ("tok-env-1", "tok-url") if t in logged]
    assert (leaked, "'--api-key', 'tok-argv-1', 'https://host/x'" in logged) == ([], True)
