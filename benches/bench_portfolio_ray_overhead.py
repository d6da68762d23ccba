"""Ray executor overhead per repository, against the local executor (issue #13, see ADR-0064).

The same task function (the real `gather_task`, layer A), the same generated repositories and the
same number of worker slots, measured in the same run: the local process pool with `--jobs`
workers, and a local Ray it starts with `--jobs` CPUs. Both are measured warm (the cache filled
and Ray's workers started by an unmeasured pass), each at N/2 and N repositories: the slope
between the two is the cost of one more repository without what a run costs once (the local
pool spawns its workers per run), and Ray's slope minus the pool's is what Ray adds per task:
submission, scheduling, argument and result transfer. Target: at most 20 ms per repository.
Prints one JSON line; exits 1 when the target is missed.

    python benches/bench_portfolio_ray_overhead.py [--repos N] [--jobs J] [--runs R]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # a plain script: make the work tree importable
    sys.path.insert(0, str(ROOT))

from codegenie_adapters.local_executor import LocalExecutor  # noqa: E402 -- after sys.path
from codegenie_adapters.portfolio_worker import gather_task  # noqa: E402 -- after sys.path
from codegenie_adapters.ray_executor import RayExecutor  # noqa: E402 -- after sys.path
from codegenie_core.config import GatherConfig  # noqa: E402 -- after sys.path
from codegenie_core.portfolio import Executor, RepoGathered, RepoTask, TaskSpec  # noqa: E402

TARGET_MS_PER_REPO = 20.0


def generate(root: Path, count: int) -> list[RepoTask]:
    """`count` small repositories: a manifest, a Dockerfile and a few sources each."""
    tasks: list[RepoTask] = []
    for i in range(count):
        repo = root / f"repo-{i:05d}"
        (repo / "src").mkdir(parents=True)
        (repo / "package.json").write_text(
            json.dumps({"name": f"r{i}", "version": "1.0.0", "dependencies": {"left-pad": "1.3.0"}})
        )
        (repo / "Dockerfile").write_text(f'FROM node:{16 + i % 3}\nCOPY . .\nCMD ["node", "a"]\n')
        for j in range(5):
            (repo / "src" / f"m{j}.js").write_text(f"module.exports.f{j} = (x) => x * {i};\n")
        tasks.append(RepoTask(key=str(repo), kind="path", needs_engine=False))
    return tasks


def timed_pass(executor: Executor, tasks: Sequence[RepoTask], spec: TaskSpec) -> float:
    started = time.perf_counter()
    results = list(executor.run(tasks, spec))
    elapsed = time.perf_counter() - started
    bad = [r for r in results if not isinstance(r, RepoGathered)]
    assert len(results) == len(tasks) and not bad, bad[:3]
    return elapsed


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repos", type=int, default=200)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    half = args.repos // 2
    with tempfile.TemporaryDirectory(prefix="codegenie-bench-ray-") as scratch:
        tasks = generate(Path(scratch) / "repos", args.repos)
        spec = TaskSpec(
            config=GatherConfig(layers=frozenset({"a"})),
            cache_dir=str(Path(scratch) / "cache"),
            cache_max_bytes=1 << 30,
        )
        local = LocalExecutor(gather=gather_task, jobs=args.jobs)
        ray = RayExecutor(gather_task, num_cpus=args.jobs, max_in_flight=4 * args.jobs)
        samples: dict[str, list[float]] = {
            f"{name}_{size}": [] for name in ("local", "ray") for size in (half, args.repos)
        }
        try:
            timed_pass(local, tasks, spec)  # fills the cache
            timed_pass(ray, tasks, spec)  # starts Ray's workers and their imports
            for _ in range(args.runs):  # interleaved: both see the same load
                for name, executor in (("local", local), ("ray", ray)):
                    for size in (half, args.repos):
                        samples[f"{name}_{size}"].append(timed_pass(executor, tasks[:size], spec))
        finally:
            local.close()
            ray.close()
    medians = {key: statistics.median(values) for key, values in samples.items()}
    # The marginal cost of one more repository (the slope between the two sizes) leaves out what
    # a run costs once: starting the local pool's workers, connecting, the first wait.
    per_repo_ms = {
        name: (medians[f"{name}_{args.repos}"] - medians[f"{name}_{half}"])
        / (args.repos - half)
        * 1000
        for name in ("local", "ray")
    }
    overhead_ms = per_repo_ms["ray"] - per_repo_ms["local"]
    print(
        json.dumps(
            {
                "repos": [half, args.repos],
                "jobs": args.jobs,
                "median_s": {key: round(value, 3) for key, value in medians.items()},
                "local_ms_per_repo": round(per_repo_ms["local"], 2),
                "ray_ms_per_repo": round(per_repo_ms["ray"], 2),
                "overhead_ms_per_repo": round(overhead_ms, 2),
                "target_ms_per_repo": TARGET_MS_PER_REPO,
                "samples": samples,
            }
        )
    )
    return 0 if overhead_ms <= TARGET_MS_PER_REPO else 1


if __name__ == "__main__":
    raise SystemExit(main())
