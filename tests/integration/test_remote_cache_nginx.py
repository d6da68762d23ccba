"""The shared cache against a real nginx serving WebDAV PUT on 127.0.0.1 (ADR-0051): a second
machine (a fresh local cache) is served entirely from the remote, a corrupt object planted in
nginx's root is a miss that the next put repairs, and the auth header reaches nginx unlogged.

nginx runs in the foreground from a config written into tmp_path (its root, temp paths, pid and
logs all there); as root (as CI runs) its workers run as root too (`user root;`), since a worker
dropped to `nobody` could not write into pytest's 0700 tmp directories."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import attrs
import pytest

from tests._ci_support.requires_tool import nginx_binary, requires_tool
from tests.git_repos import commit_all, init_repo, isolate_git_config, write

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
SECRET = "Bearer nginx-s3cr3t-never-logged"
TIMEOUT_S = 60


@attrs.frozen
class Nginx:
    url: str
    objects: Path  # where PUT files land: the root's `cache/` directory
    access_log: Path


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _config(prefix: Path, port: int) -> str:
    user = "user root;\n" if os.geteuid() == 0 else ""
    return f"""{user}worker_processes 1;
events {{ worker_connections 64; }}
http {{
    log_format withauth '$request_method $uri $status auth=$http_authorization';
    access_log {prefix}/access.log withauth;
    client_body_temp_path {prefix}/tmp/body;
    proxy_temp_path {prefix}/tmp/proxy;
    fastcgi_temp_path {prefix}/tmp/fastcgi;
    uwsgi_temp_path {prefix}/tmp/uwsgi;
    scgi_temp_path {prefix}/tmp/scgi;
    client_max_body_size 300m;
    server {{
        listen 127.0.0.1:{port};
        root {prefix}/root;
        location /cache/ {{
            dav_methods PUT;
            create_full_put_path on;
            dav_access user:rw;
        }}
    }}
}}
"""


@pytest.fixture
def nginx(tmp_path: Path) -> Iterator[Nginx]:
    binary = nginx_binary()
    assert binary is not None
    prefix = tmp_path / "nginx"
    for directory in ("root/cache", "tmp", "logs"):
        (prefix / directory).mkdir(parents=True)
    port = _free_port()
    conf = prefix / "nginx.conf"
    conf.write_text(_config(prefix, port))
    argv = [
        binary, "-p", str(prefix), "-c", str(conf), "-e", str(prefix / "logs" / "error.log"),
        "-g", f"daemon off; pid {prefix}/nginx.pid; error_log {prefix}/logs/error.log;",
    ]  # fmt: skip
    process = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 15
        while True:
            if process.poll() is not None:
                stderr = process.stderr.read().decode(errors="replace") if process.stderr else ""
                pytest.fail(f"nginx exited {process.returncode}: {stderr}")
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    pytest.fail("nginx did not listen within 15 s")
                time.sleep(0.05)
        yield Nginx(
            url=f"http://127.0.0.1:{port}/cache",
            objects=prefix / "root" / "cache",
            access_log=prefix / "access.log",
        )
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _repo(root: Path) -> Path:
    init_repo(root)
    write(root, "package.json", b'{"name": "demo", "dependencies": {"left-pad": "1.3.0"}}\n')
    write(root, "app.py", b"print('hi')\n")
    write(root, "Dockerfile", b"FROM python:3.11-slim\nCOPY app.py /\nCMD python /app.py\n")
    commit_all(root, "first")
    return root


@attrs.frozen
class Gathered:
    outcomes: dict[str, str]  # probe -> ran / cached / skipped / failed
    stdout: str
    stderr: str


def _gather(repo: Path, cache: Path, url: str) -> Gathered:
    argv = [
        sys.executable, "-m", "codegenie_cli", "gather", str(repo),
        "--layer", "a", "--cache-dir", str(cache), "--format", "json", "-v",
    ]  # fmt: skip
    env = {
        **os.environ,
        "CODEGENIE_REMOTE_CACHE": url,
        "CODEGENIE_REMOTE_CACHE_HEADER": f"Authorization: {SECRET}",
    }
    done = subprocess.run(
        argv, cwd=ROOT, env=env, capture_output=True, text=True, timeout=TIMEOUT_S, check=False
    )
    assert done.returncode == 0, done.stderr
    outcomes: dict[str, str] = {}
    for line in done.stderr.splitlines():
        words = line.split()
        if len(words) == 6 and words[0] == "codegenie-cli:" and words[4] == "ms":
            outcomes[words[1]] = words[2]
    return Gathered(outcomes=outcomes, stdout=done.stdout, stderr=done.stderr)


@requires_tool("nginx", "git")
def test_a_fresh_machine_is_served_entirely_from_nginx_and_a_corrupt_object_is_a_miss(
    tmp_path: Path, nginx: Nginx, monkeypatch: pytest.MonkeyPatch
) -> None:
    isolate_git_config(monkeypatch)
    repo = _repo(tmp_path / "repo")
    first = _gather(repo, tmp_path / "machine-1", nginx.url)
    ran = sorted(probe for probe, kind in first.outcomes.items() if kind == "ran")
    assert ran, first.stderr
    objects = sorted(p.name for p in nginx.objects.iterdir())
    assert len(objects) == len(ran)  # one PUT per probe that ran

    second = _gather(repo, tmp_path / "machine-2", nginx.url)
    assert sorted(p for p, kind in second.outcomes.items() if kind == "cached") == ran
    assert "ran" not in second.outcomes.values()  # 0 probes ran: all from the remote
    machine_2 = sorted(
        p.name.removesuffix(".entry") for p in (tmp_path / "machine-2").rglob("*.entry")
    )
    assert machine_2 == objects  # and each remote hit was written into the local tier

    victim = nginx.objects / objects[0]
    victim.write_bytes(b"CGNCACHE" + b"\x00" * 100)
    third = _gather(repo, tmp_path / "machine-3", nginx.url)
    reran = [p for p, kind in third.outcomes.items() if kind == "ran"]
    assert len(reran) == 1, third.stderr
    assert f"remote cache entry {nginx.url}/{objects[0]} is damaged" in third.stderr
    assert "turned off" not in third.stderr
    repaired = tmp_path / "machine-3" / "v2" / "entries" / objects[0][:2] / f"{objects[0]}.entry"
    assert victim.read_bytes() == repaired.read_bytes()  # the put replaced the corrupt object

    log = nginx.access_log.read_text()
    assert f"auth={SECRET}" in log  # nginx received the header on every request
    assert "auth=-" not in log
    for run in (first, second, third):
        assert "s3cr3t" not in run.stdout + run.stderr
