"""The Ray executor without a cluster: Ray is optional and imported only when used (ADR-0064)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from codegenie_core.config import GatherConfig
from codegenie_core.portfolio import RepoGathered, RepoResult, RepoTask, TaskSpec

_MODULES_AFTER = (
    "import sys, json\n"
    "{body}\n"
    "print(json.dumps(sorted(m for m in sys.modules if m == 'ray' or m.startswith('ray.'))))\n"
)


def ray_modules_loaded_by(body: str) -> list[str]:
    code = _MODULES_AFTER.format(body=body)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.splitlines()[-1])


def test_importing_the_ray_executor_module_does_not_import_ray() -> None:
    assert ray_modules_loaded_by("import codegenie_adapters.ray_executor") == []


@pytest.mark.parametrize("argv", [["--help"], ["portfolio", "gather", "--help"]])
def test_the_cli_help_does_not_import_ray(argv: list[str]) -> None:
    body = (
        "from codegenie_cli.main import main\n"
        "try:\n"
        f"    main({argv!r})\n"
        "except SystemExit as done:\n"
        "    assert not done.code, done.code\n"
    )
    assert ray_modules_loaded_by(body) == []


def never_runs(task: RepoTask, spec: TaskSpec) -> RepoResult:
    return RepoGathered(task=task, head=None, state_token=None, document={}, duration_ms=0)


def test_without_ray_the_executor_says_so_in_one_line_and_exits_2(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from codegenie_adapters.ray_executor import RayExecutor, RayUnavailable

    monkeypatch.setitem(sys.modules, "ray", None)  # `import ray` raises ImportError
    with pytest.raises(RayUnavailable) as raised:
        RayExecutor(never_runs)
    assert raised.value.exit_code == 2
    assert "pip install 'codegenie[ray]'" in str(raised.value)
    assert "\n" not in str(raised.value)


def test_a_spec_and_its_tasks_survive_the_pickling_ray_gives_them() -> None:
    import pickle

    spec = TaskSpec(config=GatherConfig(layers=frozenset({"a"})), cache_dir="/c", cache_max_bytes=9)
    task = RepoTask(key="https://example.com/r.git", kind="url", needs_engine=True)
    assert pickle.loads(pickle.dumps((task, spec))) == (task, spec)


def test_an_address_no_cluster_answers_is_one_line_and_exit_2_in_bounded_time() -> None:
    import socket
    import time

    from codegenie_adapters.ray_executor import RayClusterError, RayExecutor

    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]  # bound, never listening: connections are refused
        started = time.monotonic()
        with pytest.raises(RayClusterError) as raised:
            RayExecutor(never_runs, address=f"127.0.0.1:{port}")
    assert time.monotonic() - started < 15
    assert raised.value.exit_code == 2
    assert str(raised.value).startswith(f"--ray-address 127.0.0.1:{port}: no Ray cluster answers")
    assert "\n" not in str(raised.value)
