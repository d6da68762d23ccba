"""SIGTERM and SIGHUP sent to a real `codegenie-cli gather` mid-scenario: it exits 128 + the
signal, writes nothing, and leaves no container and no temporary directory (see ADR-0023).

The engine is a stand-in `docker` on PATH (tests/fixtures/fake_engine/docker) whose scenario
sleeps, so the runner, the injected tracer bundle and the per-scenario trace directory are all
real; the live docker variant is in test_docker_strace.py.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests._ci_support.requires_tool import requires_tool

FAKE_ENGINE = Path(__file__).resolve().parents[1] / "fixtures" / "fake_engine"


def _wait_for(condition: object, timeout_s: float) -> bool:
    assert callable(condition)
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


@requires_tool("strace", "linux")
@pytest.mark.parametrize(
    ("signum", "code"), [(signal.SIGTERM, 143), (signal.SIGHUP, 129)], ids=["SIGTERM", "SIGHUP"]
)
def test_a_signalled_gather_exits_128_plus_signal_and_leaves_nothing(
    tmp_path: Path, signum: int, code: int
) -> None:
    repo, state, scratch, out = (tmp_path / n for n in ("repo", "state", "tmp", "out"))
    for directory in (repo, state, scratch):
        directory.mkdir()
    (repo / "Dockerfile").write_text('FROM scratch\nCMD ["/bin/sleep", "30"]\n')
    env = dict(os.environ)
    env |= {
        "PATH": f"{FAKE_ENGINE}{os.pathsep}{env.get('PATH', '')}",
        "FAKE_ENGINE_STATE": str(state),
        "TMPDIR": str(scratch),
        "CODEGENIE_CACHE_DIR": str(tmp_path / "cache"),
    }
    argv = [sys.executable, "-m", "codegenie_cli", "gather", str(repo), "--layer", "c"]
    process = subprocess.Popen(
        [*argv, "--no-cache", "--output", str(out)],
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        started = _wait_for(lambda: any(state.iterdir()), 60)
        assert started, "the first scenario's container never started"
        assert any(scratch.iterdir()), "the tracer bundle and trace directory live in TMPDIR"
        process.send_signal(signum)
        _, stderr = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    name = signal.Signals(signum).name
    assert process.returncode == code, stderr.decode()[-2000:]
    assert stderr.decode().splitlines()[-1] == (
        f"codegenie-cli: terminated by {name}; no output was written"
    )
    assert not out.exists()
    # the probe thread may still be finishing its own `finally` when the process has exited
    assert _wait_for(lambda: not any(state.iterdir()), 5), sorted(state.iterdir())
    assert sorted(scratch.iterdir()) == []
