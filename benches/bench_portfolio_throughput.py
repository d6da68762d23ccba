"""Portfolio throughput: `portfolio gather` on the local executor against a loop of `gather`.

Generates `--repos` small git repositories (default 1,000; each a commit of a few files with its
own content, so no two share a cache entry), then, in one run, times:
- `codegenie-cli portfolio gather DIR --recursive -j 2` cold (an empty cache) and warm (the cache
  the cold run filled; a new store), each the whole command as a user runs it (start-up, planning,
  the pool, the SQLite store);
- a loop of `codegenie-cli gather REPO` (one process per repository, one after another, as a shell
  loop runs it) over the same repositories, cold and warm. The loop is SAMPLED: it runs over the
  first `--loop-sample` repositories (default 100) and its rate is that sample's; the projection
  to all repositories scales it linearly (each iteration is an independent process, so it is
  linear by construction).
Reported: repositories per second of each, the warm ratio (target >= 5x the loop's warm rate) and
the projected wall time of a 10,000-repository warm run on `-j 2` (target < 180 s), projected as
the warm run's start-up plus 10,000 times its time per repository. On a loaded machine that wall
figure measures the load; so the CPU time of each command (`wait4`'s rusage of the child and its
children: driver, workers, git) is reported too, and the idle projection from it: the start-up's
wall time plus 10,000 times the warm run's CPU seconds per repository (beyond the start-up's)
spread over `--cores` cores (default 2; `--jobs` is the pool size, which may exceed it).
The warm run is checked to be what it claims: every repository gathered and no probe run (all
served from the cache), read from its own store (`warm_gathered`, `warm_probes_ran`); a target
is met only when it was. The load average is printed before and after. The store alone: the
warm run's documents recorded again into a new store in this process, records per second (wall
and CPU), the single writer's ceiling.

Run: python benches/bench_portfolio_throughput.py [--repos 1000] [--loop-sample 100] [--jobs 2]
     [--cores 2] [--layer a,b] [--keep DIR] [--enforce]  (--enforce: exit 1 on a missed target)
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SMOKE_ARGV = ("--repos", "4", "--loop-sample", "1")
WARM_RATIO_TARGET = 5.0
PROJECTED_REPOS = 10_000
PROJECTED_TARGET_S = 180.0
_GIT_ENV = {
    "GIT_AUTHOR_NAME": "Bench",
    "GIT_AUTHOR_EMAIL": "bench@example.invalid",
    "GIT_AUTHOR_DATE": "2026-01-01T00:00:00+0000",
    "GIT_COMMITTER_NAME": "Bench",
    "GIT_COMMITTER_EMAIL": "bench@example.invalid",
    "GIT_COMMITTER_DATE": "2026-01-01T00:00:00+0000",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_CONFIG_NOSYSTEM": "1",
}


def child_env() -> dict[str, str]:
    """Ours, with the work tree importable and bytecode cached as an installed package has it."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH", "")) if p)
    return {**env, **_GIT_ENV}


def generate(top: Path, count: int) -> list[Path]:
    """`count` small repositories under `top`, each with its own content; reused if present."""
    repos = [top / f"repo{i:05d}" for i in range(count)]
    env = {**os.environ, **_GIT_ENV}
    for i, repo in enumerate(repos):
        if (repo / ".git" / "HEAD").exists():
            continue
        repo.mkdir(parents=True, exist_ok=True)
        (repo / "app.py").write_text(f"def handler_{i}(event):\n    return {i}\n")
        (repo / "Dockerfile").write_text(f'FROM node:{16 + i % 4}\nCMD ["node", "{i}.js"]\n')
        (repo / "package.json").write_text(json.dumps({"name": f"svc-{i}", "version": "1.0.0"}))
        (repo / "requirements.txt").write_text(f"attrs=={20 + i % 5}.1.0\n")
        for argv in (
            ["git", "init", "-q", "-b", "main"],
            ["git", "add", "-A"],
            ["git", "commit", "-q", "-m", "first"],
        ):
            subprocess.run(argv, cwd=repo, env=env, check=True, capture_output=True)
    return repos


CPU_S: dict[str, float] = {}  # the CPU seconds of each timed command, by its label


def _children_cpu_s() -> float:
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def _timed(argv: Sequence[str], env: dict[str, str], label: str = "") -> float:
    """The wall seconds of `argv`; its CPU seconds (with its children's) go to `CPU_S[label]`."""
    cpu_before = _children_cpu_s()
    started = time.perf_counter()
    done = subprocess.run(argv, env=env, capture_output=True, check=False)
    took = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"failed ({done.returncode}): {' '.join(argv)}\n{done.stderr.decode()}")
    CPU_S[label] = CPU_S.get(label, 0.0) + _children_cpu_s() - cpu_before
    return took


def store_rate(warm_store: Path, scratch: Path) -> dict[str, float]:
    """The warm run's results recorded again into a new store here: records/s, wall and CPU."""
    import sqlite3

    sys.path.insert(0, str(ROOT))
    from codegenie_adapters.portfolio_store import open_store
    from codegenie_core.config import GatherConfig
    from codegenie_core.portfolio import RepoGathered, RepoTask, TaskSpec

    reader = sqlite3.connect(warm_store)
    rows = reader.execute(
        "SELECT r.key, r.head, r.state_token, d.document FROM repositories r"
        " JOIN documents d USING (repo_id) ORDER BY r.key"
    ).fetchall()
    reader.close()
    results = [
        RepoGathered(
            task=RepoTask(key=key, kind="path", needs_engine=False),
            head=head,
            state_token=token,
            document=json.loads(text),
            duration_ms=1,
        )
        for key, head, token, text in rows
    ]
    store = open_store(str(scratch / "again.sqlite"))
    spec = TaskSpec(config=GatherConfig(), cache_dir=None, cache_max_bytes=1)
    run = store.begin_run(spec, [r.task for r in results])
    cpu_before, started = time.process_time(), time.perf_counter()
    for result in results:
        store.record(run, result)
    store.finish_run(run)
    wall_s, cpu_s = time.perf_counter() - started, time.process_time() - cpu_before
    store.close()
    return {
        "store_records_per_s": len(results) / wall_s,
        "store_cpu_ms_per_record": cpu_s * 1e3 / len(results),
    }


def run_counts(store: Path) -> dict[str, float]:
    """What a run's store says of it: repositories, how many were gathered, probes run/cached."""
    import sqlite3

    reader = sqlite3.connect(store)
    try:
        total, gathered, ran, cached = reader.execute(
            "SELECT count(*), coalesce(sum(status = 'gathered'), 0), coalesce(sum(ran), 0),"
            " coalesce(sum(cached), 0) FROM run_results"
        ).fetchone()
    finally:
        reader.close()
    return {
        "warm_results": float(total),
        "warm_gathered": float(gathered),
        "warm_probes_ran": float(ran),
        "warm_probes_cached": float(cached),
    }


def portfolio_argv(top: Path, store: Path, cache: Path, jobs: int, layers: str) -> list[str]:
    return [
        sys.executable, "-m", "codegenie_cli", "portfolio", "gather", str(top), "--recursive",
        "--store", str(store), "--cache-dir", str(cache), "-j", str(jobs), "--layer", layers, "-q",
    ]  # fmt: skip


def gather_argv(repo: Path, cache: Path, layers: str) -> list[str]:
    return [
        sys.executable, "-m", "codegenie_cli", "gather", str(repo), "--cache-dir", str(cache),
        "--layer", layers, "--format", "json", "-q",
    ]  # fmt: skip


def measure(args: argparse.Namespace, scratch: Path) -> dict[str, float]:
    env = child_env()
    top = Path(args.keep) if args.keep else scratch / "repos"
    print(f"[throughput] generating {args.repos} repositories in {top}", file=sys.stderr)
    repos = generate(top, args.repos)
    cache = scratch / "portfolio-cache"
    print("[throughput] portfolio gather: cold, then warm", file=sys.stderr)
    load_before = os.getloadavg()
    cold_s = _timed(portfolio_argv(top, scratch / "cold.sqlite", cache, args.jobs, args.layer), env)
    warm_s = _timed(
        portfolio_argv(top, scratch / "warm.sqlite", cache, args.jobs, args.layer), env, "warm"
    )
    # Start-up of a warm run: the same command over one repository (start, pool, store, finish).
    one = scratch / "one"
    one.mkdir()
    shutil.copytree(repos[0], one / repos[0].name, symlinks=True)
    fixed_s = _timed(
        portfolio_argv(one, scratch / "one.sqlite", cache, args.jobs, args.layer), env, "one"
    )
    sample = repos[: args.loop_sample]
    loop_cache = scratch / "loop-cache"
    print(
        f"[throughput] gather loop over {len(sample)} repositories: cold, then warm",
        file=sys.stderr,
    )
    loop_cold_s = sum(_timed(gather_argv(r, loop_cache, args.layer), env) for r in sample)
    loop_warm_s = sum(_timed(gather_argv(r, loop_cache, args.layer), env) for r in sample)
    n = len(repos)
    per_repo_warm_s = max(warm_s - fixed_s, 0.0) / max(n - 1, 1)
    cpu_per_repo_s = max(CPU_S["warm"] - CPU_S["one"], 0.0) / max(n - 1, 1)
    results = {
        "repositories": float(n),
        "loop_sample": float(len(sample)),
        "portfolio_cold_rps": n / cold_s,
        "portfolio_warm_rps": n / warm_s,
        "loop_cold_rps": len(sample) / loop_cold_s,
        "loop_warm_rps": len(sample) / loop_warm_s,
        "portfolio_warm_startup_s": fixed_s,
    }
    results["warm_ratio"] = results["portfolio_warm_rps"] / results["loop_warm_rps"]
    results["cold_ratio"] = results["portfolio_cold_rps"] / results["loop_cold_rps"]
    results["projected_10k_warm_s"] = fixed_s + PROJECTED_REPOS * per_repo_warm_s
    results["loop_projected_all_warm_s"] = n / results["loop_warm_rps"]
    results["portfolio_warm_cpu_ms_per_repo"] = cpu_per_repo_s * 1e3
    results["portfolio_warm_startup_cpu_s"] = CPU_S["one"]
    results["projected_10k_warm_idle_s"] = fixed_s + PROJECTED_REPOS * cpu_per_repo_s / args.cores
    results.update(run_counts(scratch / "warm.sqlite"))
    results.update(store_rate(scratch / "warm.sqlite", scratch))
    results["load_before"], results["load_after"] = load_before[0], os.getloadavg()[0]
    return results


def main(argv: Sequence[str] | None = None) -> int:
    options = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    options.add_argument("--repos", type=int, default=1000)
    options.add_argument("--loop-sample", type=int, default=100)
    options.add_argument("--jobs", type=int, default=2)
    options.add_argument("--cores", type=int, default=2, help="the CPU projection's core count")
    options.add_argument("--layer", default="a,b")
    options.add_argument("--keep", default=None, help="generate (or reuse) the repositories here")
    options.add_argument("--enforce", action="store_true", help="exit 1 when a target is missed")
    args = options.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="codegenie-throughput-") as scratch:
        results = measure(args, Path(scratch))
    truly_warm = (
        results["warm_gathered"] == results["repositories"] == results["warm_results"]
        and results["warm_probes_ran"] == 0
        and results["warm_probes_cached"] > 0
    )
    met = {
        "the warm run gathered every repository from the cache alone": truly_warm,
        f"warm >= {WARM_RATIO_TARGET:g}x the loop": (
            truly_warm and results["warm_ratio"] >= WARM_RATIO_TARGET
        ),
        f"projected {PROJECTED_REPOS} warm < {PROJECTED_TARGET_S:g} s": (
            truly_warm and results["projected_10k_warm_s"] < PROJECTED_TARGET_S
        ),
    }
    print(json.dumps({"results": results, "targets": met}))  # one line: render_readme reads it
    return 1 if args.enforce and not all(met.values()) else 0


# Guarded: the pool's workers are spawned and import this file again as `__mp_main__`.
if __name__ == "__main__":
    sys.exit(main())
