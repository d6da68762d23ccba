"""The real runner's own rules that need no engine: once cleaned up, it starts nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from codegenie_adapters.docker_strace import DockerStraceRunner, RunnerClosed
from codegenie_core.probes.layer_c.model import TRACE_POLICY, BuiltImage, ImageConfig, Scenario


def test_after_cleanup_a_scenario_is_refused_and_no_tracer_is_bundled(tmp_path: Path) -> None:
    # A probe thread may still be going when a signal's cleanup runs on the main thread: what it
    # asks next must neither start a container nor leave a new temporary directory behind.
    runner = DockerStraceRunner(str(tmp_path), engine="codegenie-no-such-engine", platform="linux")
    runner.cleanup()
    image = BuiltImage(ref="codegenie-trace:x", config=ImageConfig())
    with pytest.raises(RunnerClosed):
        runner.run_scenario(
            image,
            Scenario(name="s", argv=("x",)),
            timeout_s=1,
            keep_argv=False,
            policy=TRACE_POLICY,
        )
    assert runner._bundle is None  # pyright: ignore[reportPrivateUsage] -- nothing was bundled
