"""The remote cache's auth header is a secret: it reaches the server, and no output, log line,
document, report or cache file (ADR-0051). Each gather runs as its own `codegenie-cli` process at
`-vv`, against a remote that works, one that refuses (403), and one that fails (503)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.http_cache_server import serving

ROOT = Path(__file__).resolve().parents[2]
SECRET = "Bearer cg-s3cr3t-9f8e7d6c5b4a"
TIMEOUT_S = 60


def _repo(root: Path) -> Path:
    root.mkdir(parents=True)
    (root / "package.json").write_text('{"name": "demo", "dependencies": {"left-pad": "1.0.0"}}')
    (root / "app.py").write_text("print('hi')\n")
    return root


def _everything_written(*places: Path) -> bytes:
    return b"".join(p.read_bytes() for place in places for p in place.rglob("*") if p.is_file())


@pytest.mark.parametrize("behaviour", ["store", "403", "500"])
def test_the_auth_header_reaches_the_server_and_nothing_else(
    tmp_path: Path, behaviour: str
) -> None:
    repo = _repo(tmp_path / "repo")
    with serving() as server:
        server.behaviour = behaviour
        argv = [
            sys.executable, "-m", "codegenie_cli", "gather", str(repo), "-vv", "--layer", "a",
            "--cache-dir", str(tmp_path / "cache"), "--output", str(tmp_path / "out"),
        ]  # fmt: skip
        env = {
            **os.environ,
            "CODEGENIE_REMOTE_CACHE": server.url,
            "CODEGENIE_REMOTE_CACHE_HEADER": f"Authorization: {SECRET}",
        }
        done = subprocess.run(
            argv, cwd=ROOT, env=env, capture_output=True, timeout=TIMEOUT_S, check=False
        )
    assert done.returncode == 0, done.stderr.decode(errors="replace")
    assert server.requests
    assert {r.headers.get("Authorization") for r in server.requests} == {SECRET}
    if behaviour != "store":
        assert done.stderr.count(b"is turned off for this gather") == 1
    written = _everything_written(tmp_path / "out", tmp_path / "cache")
    for secret in (SECRET.encode(), b"cg-s3cr3t"):
        assert secret not in done.stdout + done.stderr
        assert secret not in written
