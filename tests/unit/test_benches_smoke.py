"""Smoke tests of every `benches/bench_*.py`: each imports, and each that offers a tiny run runs.

Benches are plain scripts that may set process-wide state on import (the hosted-runner bench
forces CODEGENIE_FORCE_CPU_COUNT), so each is imported and run in its own interpreter.
A bench opts into the tiny run by defining `SMOKE_ARGV` (a tuple of options) and `main(argv)`.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import cast

import pytest

ROOT = Path(__file__).resolve().parents[2]
BENCHES = sorted((ROOT / "benches").glob("bench_*.py"))
# A cheap textual pre-filter at collection time; the run test confirms it on the live module.
SMOKEABLE = [bench for bench in BENCHES if "SMOKE_ARGV" in bench.read_text(encoding="utf-8")]

# Runs the bench file as a module that is not __main__, then reports what it offers.
_INSPECT = """
import json, runpy, sys
namespace = runpy.run_path(sys.argv[1], run_name="bench_smoke")
smoke = namespace.get("SMOKE_ARGV")
print(json.dumps({"main": callable(namespace.get("main")),
                  "smoke_argv": None if smoke is None else [str(a) for a in smoke]}))
"""


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(
        p for p in (str(ROOT), str(ROOT / "benches"), env.get("PYTHONPATH", "")) if p
    )
    return env


def _inspect(bench: Path) -> dict[str, object]:
    done = subprocess.run(
        [sys.executable, "-c", _INSPECT, str(bench)],
        capture_output=True,
        text=True,
        env=_env(),
        cwd=ROOT,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_the_portfolio_benches_are_discovered() -> None:
    names = {bench.stem for bench in BENCHES}

    assert {"bench_portfolio_walltime", "bench_portfolio_walltime_hosted_runner"} <= names


def test_the_scenario_linearity_bench_offers_a_tiny_run() -> None:
    assert "bench_scenario_linearity" in {bench.stem for bench in SMOKEABLE}


@pytest.mark.parametrize("bench", BENCHES, ids=[b.stem for b in BENCHES])
def test_each_bench_imports_without_running(bench: Path) -> None:
    offered = _inspect(bench)

    assert set(offered) == {"main", "smoke_argv"}


@pytest.mark.parametrize("bench", SMOKEABLE, ids=[b.stem for b in SMOKEABLE])
def test_each_bench_with_a_tiny_option_runs_it_and_exits_zero(bench: Path) -> None:
    offered = _inspect(bench)
    smoke_argv = offered["smoke_argv"]
    assert offered["main"] is True
    assert isinstance(smoke_argv, list)

    done = subprocess.run(
        [sys.executable, str(bench), *(str(a) for a in cast("list[object]", smoke_argv))],
        capture_output=True,
        text=True,
        env=_env(),
        cwd=ROOT,
        timeout=120,
        check=False,
    )

    assert done.returncode == 0, done.stderr[-3000:]


def test_the_hosted_runner_bench_forces_two_cpus_for_itself_and_its_gathers() -> None:
    code = (
        "import os, runpy, sys\n"
        "os.environ.pop('CODEGENIE_FORCE_CPU_COUNT', None)\n"
        "ns = runpy.run_path(sys.argv[1], run_name='bench_smoke')\n"
        "print(os.environ['CODEGENIE_FORCE_CPU_COUNT'],"
        " ns['walltime'].child_env()['CODEGENIE_FORCE_CPU_COUNT'])\n"
    )
    bench = ROOT / "benches" / "bench_portfolio_walltime_hosted_runner.py"

    done = subprocess.run(
        [sys.executable, "-c", code, str(bench)],
        capture_output=True,
        text=True,
        env=_env(),
        cwd=ROOT,
        timeout=60,
        check=False,
    )

    assert (done.returncode, done.stdout.split()) == (0, ["2", "2"]), done.stderr[-2000:]


@pytest.mark.parametrize(("verdict", "code"), [("comment", 0), ("ok", 0), ("FAIL", 1)])
def test_the_comment_step_replays_a_stored_result_without_measuring(
    tmp_path: Path, verdict: str, code: int
) -> None:
    results = {"bench": "portfolio_walltime", "verdict": verdict, "reasons": ["a reason"]}
    (tmp_path / "results.json").write_text(json.dumps(results), encoding="utf-8")
    (tmp_path / "comment.md").write_text("### stored comment\n", encoding="utf-8")
    env = {k: v for k, v in _env().items() if not k.startswith("GITHUB_")}
    bench = ROOT / "benches" / "bench_portfolio_walltime.py"

    done = subprocess.run(
        [sys.executable, str(bench), "--comment-from", str(tmp_path)],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=60,
        check=False,
    )

    assert (done.returncode, done.stdout.strip()) == (code, "### stored comment")
