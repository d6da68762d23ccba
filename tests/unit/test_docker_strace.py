"""The real runner's own rules that need no engine: once cleaned up, it starts nothing; a
`--build-network none` build never uses the engine's build cache."""

from __future__ import annotations

from pathlib import Path

import pytest

from codegenie_adapters import docker_strace
from codegenie_adapters.docker_strace import DockerStraceRunner, RunnerClosed
from codegenie_adapters.exec import ExecResult
from codegenie_core.config import BuildNetwork
from codegenie_core.probes.layer_c.model import (
    BuildFailed,
    BuildRequest,
    BuiltImage,
    ImageConfig,
    Scenario,
)


def test_after_cleanup_a_scenario_is_refused_and_no_tracer_is_bundled(tmp_path: Path) -> None:
    # A probe thread may still be going when a signal's cleanup runs on the main thread: what it
    # asks next must neither start a container nor leave a new temporary directory behind.
    runner = DockerStraceRunner(str(tmp_path), engine="codegenie-no-such-engine", platform="linux")
    runner.cleanup()
    image = BuiltImage(ref="codegenie-trace:x", config=ImageConfig())
    with pytest.raises(RunnerClosed):
        runner.run_scenario(image, Scenario(name="s", argv=("x",)), timeout_s=1, keep_argv=False)
    assert runner._bundle is None  # pyright: ignore[reportPrivateUsage] -- nothing was bundled


@pytest.mark.parametrize(
    ("network", "flags"), [("none", ["--network=none", "--no-cache"]), ("default", [])]
)
def test_a_none_build_never_uses_the_engines_build_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, network: BuildNetwork, flags: list[str]
) -> None:
    # The engine keys a cached step by its parent and text, not its network (ADR-0035): a `none`
    # build that took a cached layer could hold what a step fetched with the network.
    calls: list[tuple[str, ...]] = []

    def engine(argv: tuple[str, ...], **_: object) -> ExecResult:
        calls.append(argv)
        return ExecResult(argv=argv, exit_code=1, stdout=b"", stderr=b"no", duration_s=0.0)

    monkeypatch.setattr(docker_strace, "run_external_cli", engine)
    runner = DockerStraceRunner(str(tmp_path), platform="linux")
    request = BuildRequest(dockerfile="Dockerfile", image_ref="codegenie-trace:x", network=network)
    assert isinstance(runner.build(request), BuildFailed)
    build = calls[0]
    assert build[:3] == ("docker", "build", "--force-rm")
    assert [a for a in build if a.startswith("--network") or a == "--no-cache"] == flags
