"""`codegenie-cli portfolio gather` end to end, over real generated git repositories and the real
local executor and store: each repository exactly once, a crashing and a hanging one recorded
with their reasons, a killed driver resumed doing only what is left, SIGTERM stopping cleanly."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner

from codegenie_adapters.portfolio_store import open_store
from codegenie_cli.main import cli
from codegenie_cli.wiring import real_portfolio_adapters
from tests._ci_support.requires_tool import requires_tool
from tests.git_repos import commit_all, init_repo, isolate_git_config, write
from tests.portfolio_tasks import LOG_VARIABLE, real_or_scripted

ROOT = Path(__file__).resolve().parents[2]
REPOS = 20

pytestmark = [requires_tool("git"), pytest.mark.integration]


def _portfolio(top: Path, *, extra: tuple[str, ...] = ()) -> list[str]:
    """`REPOS` small repositories under `top` (and `extra` ones whose names script a fault);
    their keys."""
    keys = []
    for i, name in enumerate([f"repo{i:02d}" for i in range(REPOS)] + list(extra)):
        root = init_repo(top / name)
        write(root, "app.py", f"print({i})\n".encode())
        write(root, "Dockerfile", f"FROM node:{16 + i % 3}\n".encode())
        commit_all(root, "first")
        keys.append(str(root.resolve()))
    return keys


def _args(top: Path, store: Path, cache: Path, *more: str) -> list[str]:
    return [
        "portfolio", "gather", str(top), "--recursive", "--store", str(store),
        "--cache-dir", str(cache), "--layer", "a", "-j", "2", *more,
    ]  # fmt: skip


def _rows(store: Path) -> list[tuple[str, str, str | None, str | None]]:
    opened = open_store(str(store))
    try:
        return [(r.key, r.status, r.reason, r.message) for r in opened.repositories()]
    finally:
        opened.close()


def test_each_repository_once_with_a_crash_and_a_timeout_recorded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    isolate_git_config(monkeypatch)
    keys = _portfolio(tmp_path / "top", extra=("crash", "hang"))
    store = tmp_path / "portfolio.sqlite"
    result = CliRunner().invoke(
        cli,
        _args(tmp_path / "top", store, tmp_path / "cache", "--repo-timeout", "3"),
        obj=real_portfolio_adapters(gather=real_or_scripted),
    )
    assert result.exit_code == 0, result.output
    rows = _rows(store)
    assert Counter(key for key, *_ in rows) == Counter(keys)
    by_name = {Path(key).name: (status, reason, message) for key, status, reason, message in rows}
    assert by_name["crash"] == ("failed", "crash", "its worker process died (exit status 3)")
    assert by_name["hang"] == (
        "failed",
        "timeout",
        "its gather outlived the per-repository timeout (3 s)",
    )
    assert all(by_name[f"repo{i:02d}"][0] == "gathered" for i in range(REPOS))
    assert "22 repositories; 20 gathered, 2 failed (crash 1, timeout 1)" in result.output


_DRIVER = """
import sys
from codegenie_cli.main import cli
from codegenie_cli.wiring import real_portfolio_adapters
from tests.portfolio_tasks import real_or_scripted
cli.main(args=sys.argv[1:], obj=real_portfolio_adapters(gather=real_or_scripted),
         prog_name="codegenie-cli")
"""


def _driver(args: list[str], log: Path, sleep_s: str) -> subprocess.Popen[bytes]:
    env = {**os.environ, LOG_VARIABLE: str(log), "CODEGENIE_TEST_TASK_SLEEP": sleep_s}
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")])
    return subprocess.Popen(
        [sys.executable, "-c", _DRIVER, *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def _recorded(store: Path) -> frozenset[str]:
    opened = open_store(str(store))
    try:
        return opened.recorded(1)
    finally:
        opened.close()


def _wait_for(predicate: object, timeout_s: float) -> None:
    assert callable(predicate)
    deadline = time.monotonic() + timeout_s
    while not predicate():
        assert time.monotonic() < deadline, "timed out waiting"
        time.sleep(0.1)


def _settled(log: Path) -> list[str]:
    """The log once no orphaned worker has appended to it for 2 s."""
    size, still = -1, 0.0
    while still < 2.0:
        now = log.stat().st_size if log.exists() else 0
        size, still = now, (still + 0.2 if now == size else 0.0)
        time.sleep(0.2)
    return log.read_text().split() if log.exists() else []


def test_a_killed_driver_resumes_doing_only_what_is_left(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    isolate_git_config(monkeypatch)
    keys = _portfolio(tmp_path / "top")
    store, log = tmp_path / "portfolio.sqlite", tmp_path / "ran.log"
    args = _args(tmp_path / "top", store, tmp_path / "cache")
    first = _driver(args, log, "0.4")
    _wait_for(lambda: store.exists() and len(_recorded(store)) >= 6, timeout_s=120)
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=10)
    first_ran = _settled(log)  # orphaned workers finish the gather they had, then exit
    recorded = _recorded(store)
    assert 6 <= len(recorded) < REPOS
    log.write_text("")
    second = _driver(args, log, "0")
    _, err = second.communicate(timeout=300)
    assert second.returncode == 0, err.decode()
    second_ran = log.read_text().split()
    assert Counter(second_ran) == Counter(set(keys) - recorded), "only what was left, once each"
    assert set(first_ran) >= recorded
    assert _recorded(store) == frozenset(keys)
    assert Counter(key for key, *_ in _rows(store)) == Counter(keys)
    assert f"{len(recorded)} recorded before" in err.decode()


def test_sigterm_stops_the_workers_and_leaves_the_run_resumable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    isolate_git_config(monkeypatch)
    keys = _portfolio(tmp_path / "top")
    store, log = tmp_path / "portfolio.sqlite", tmp_path / "ran.log"
    args = _args(tmp_path / "top", store, tmp_path / "cache")
    first = _driver(args, log, "0.4")
    _wait_for(lambda: store.exists() and len(_recorded(store)) >= 2, timeout_s=120)
    first.send_signal(signal.SIGTERM)
    _, err = first.communicate(timeout=30)
    assert first.returncode == 143, err.decode()
    assert "terminated by SIGTERM; " in err.decode()
    assert "run the same command again to resume" in err.decode()
    at_exit = log.read_text().split()
    assert _settled(log) == at_exit  # the workers were stopped before the driver exited
    recorded = _recorded(store)
    second = _driver(args, log, "0")
    _, err = second.communicate(timeout=300)
    assert second.returncode == 0, err.decode()
    assert _recorded(store) == frozenset(keys)
    assert f"{len(recorded)} recorded before" in err.decode()


def test_bad_sources_and_options_are_one_line_exit_2(tmp_path: Path) -> None:
    runner = CliRunner()
    missing = runner.invoke(
        cli, ["portfolio", "gather", str(tmp_path / "nope"), "--store", str(tmp_path / "s")]
    )
    assert missing.exit_code == 2
    assert missing.output == (
        f"codegenie-cli: error: {tmp_path / 'nope'}: No such file or directory\n"
    )
    listing = tmp_path / "list.txt"
    listing.write_text("https://user:secret@example.com/x.git\n")
    refused = runner.invoke(
        cli, ["portfolio", "gather", str(listing), "--store", str(tmp_path / "s")]
    )
    assert refused.exit_code == 2
    assert "secret" not in refused.output
    assert refused.output.endswith("list.txt:1: a URL may not carry a password; "
                                   "let git's credential helper supply it\n")  # fmt: skip
    address = runner.invoke(
        cli, ["portfolio", "gather", str(tmp_path), "--store", "s", "--ray-address", "auto"]
    )
    assert address.exit_code == 2
    assert address.output == "codegenie-cli: error: --ray-address needs --executor ray\n"
    assert not (tmp_path / "s").exists()


def test_executor_ray_without_its_adapter_or_ray_says_so_in_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "codegenie_adapters.ray_executor", None)
    (tmp_path / "repo").mkdir()
    result = CliRunner().invoke(
        cli,
        ["portfolio", "gather", str(tmp_path / "repo"), "--store", str(tmp_path / "s"),
         "--executor", "ray"],
    )  # fmt: skip
    assert result.exit_code == 2
    lines = result.output.splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("codegenie-cli: error: --executor ray needs Ray, which is not")
    assert lines[0].endswith("pip install 'codegenie[ray]' (see ADR-0064)")


def test_the_store_holds_the_documents_the_gathers_made(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    isolate_git_config(monkeypatch)
    root = init_repo(tmp_path / "one")
    write(root, "Dockerfile", b"FROM node:16\n")
    head = commit_all(root, "first")
    store = tmp_path / "s.sqlite"
    result = CliRunner().invoke(
        cli,
        ["portfolio", "gather", str(root), "--store", str(store), "--layer", "a",
         "--cache-dir", str(tmp_path / "cache"), "-j", "1", "-q"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert result.output == ""
    opened = open_store(str(store))
    try:
        (row,) = opened.repositories()
        (document,) = opened.conn.execute("SELECT document FROM documents").fetchone()
    finally:
        opened.close()
    assert (row.key, row.head, row.status) == (str(root.resolve()), head, "gathered")
    assert row.state_token is not None and row.state_token.startswith("sha256:")
    assert json.loads(document)["repo"]["git"]["head"] == head


def test_python_dash_m_runs_a_portfolio(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Spawned workers import the parent's main module again, except a package's `__main__`.
    isolate_git_config(monkeypatch)
    root = init_repo(tmp_path / "top" / "one")
    write(root, "app.py", b"print(1)\n")
    commit_all(root, "first")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-m", "codegenie_cli", *_args(tmp_path / "top", tmp_path / "s.sqlite",
         tmp_path / "cache")],
        env=env, cwd=tmp_path, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "1 repositories; 1 gathered, 0 failed" in done.stderr
