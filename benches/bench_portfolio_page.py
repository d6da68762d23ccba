"""`portfolio report --html` over a store of `--repos` generated repositories (issue #15): its
time and memory, against the same command over a tenth of them in the same run (n vs 10n), so
a bound is shown as a ratio, not a single number on a loaded machine.

Builds two stores of generated documents (benches/_gen_portfolio.py, `--deps` inventory entries
each), then runs `codegenie-cli portfolio report` in a child process on each, alternately, `--runs`
times, and reports per store: the median wall time, the child's CPU time (`wait4`), its peak
resident memory, the files written, and the load average. Bounded means: memory about the same
for both stores (the page holds only its capped tables and one document at a time), and time
about ten times (one report per repository).
Run:
    python benches/bench_portfolio_page.py [--repos N] [--deps N] [--runs N]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import _gen_portfolio

from codegenie_adapters.portfolio_store import open_store
from codegenie_core.config import GatherConfig
from codegenie_core.portfolio import RepoFailed, RepoGathered, RepoTask, TaskSpec

SMOKE_ARGV = ("--repos", "40", "--deps", "5", "--runs", "1")


def _build(path: str, repos: int, deps: int) -> None:
    spec = TaskSpec(config=GatherConfig(), cache_dir=None, cache_max_bytes=1 << 30)
    tasks = [RepoTask(key=f"/portfolio/repo-{i:05d}", kind="path", needs_engine=False)
             for i in range(repos)]  # fmt: skip
    store = open_store(path)
    run = store.begin_run(spec, tasks)
    for i, task in enumerate(tasks):
        if i % 50 == 7:
            store.record(run, RepoFailed(task=task, reason="timeout", message="600 s",
                                         duration_ms=1))  # fmt: skip
            continue
        document = _gen_portfolio.document(i, deps=deps)
        store.record(run, RepoGathered(task=task, head=f"h{i}", state_token=None,
                                       document=document, duration_ms=1))  # fmt: skip
    store.finish_run(run)
    store.close()


def _report(store: str, out: str) -> tuple[float, float, int, int]:
    """Wall seconds, CPU seconds, peak RSS (KiB) and files written of one report run."""
    shutil.rmtree(out, ignore_errors=True)
    command = [sys.executable, "-m", "codegenie_cli", "portfolio", "report", "--store", store,
               "--html", out]  # fmt: skip
    started = time.perf_counter()
    child = subprocess.Popen(command, stdin=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - started
    assert child.stderr is not None
    stderr = child.stderr.read().decode()
    child.stderr.close()
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"portfolio report failed: {stderr}")
    files = sum(len(names) for _, _, names in os.walk(out))
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss, files


def main(argv: Sequence[str] | None = None) -> dict[str, object]:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repos", type=int, default=10_000)
    parser.add_argument("--deps", type=int, default=40)
    parser.add_argument("--runs", type=int, default=2)
    args = parser.parse_args(argv)
    sizes = (max(1, args.repos // 10), args.repos)
    samples: dict[int, list[tuple[float, float, int, int]]] = {n: [] for n in sizes}
    with tempfile.TemporaryDirectory(prefix="bench-portfolio-page-") as temp:
        for n in sizes:
            _build(str(Path(temp) / f"store-{n}.sqlite"), n, args.deps)
        for _ in range(args.runs):
            for n in sizes:  # alternately, so a change of load moves both
                store = str(Path(temp) / f"store-{n}.sqlite")
                samples[n].append(_report(store, str(Path(temp) / f"page-{n}")))
    result: dict[str, object] = {"load_average": [round(x, 1) for x in os.getloadavg()]}
    for n in sizes:
        runs = samples[n]
        result[str(n)] = {
            "wall_s": round(statistics.median(r[0] for r in runs), 2),
            "cpu_s": round(statistics.median(r[1] for r in runs), 2),
            "peak_rss_mib": round(max(r[2] for r in runs) / 1024, 1),
            "files": runs[-1][3],
            "wall_samples_s": [round(r[0], 2) for r in runs],
        }
    small, large = (result[str(n)] for n in sizes)
    assert isinstance(small, dict) and isinstance(large, dict)
    result["cpu_ratio"] = round(large["cpu_s"] / max(small["cpu_s"], 1e-9), 2)
    result["wall_ratio"] = round(large["wall_s"] / max(small["wall_s"], 1e-9), 2)
    result["rss_ratio"] = round(large["peak_rss_mib"] / max(small["peak_rss_mib"], 1e-9), 2)
    print(json.dumps(result))
    return result


if __name__ == "__main__":
    main()
