"""Warm-cache `gather --layer a` on the big generated repository, against a reference measured in
the same run: `python3 -c pass && git status --porcelain` (start an interpreter, ask git what
changed: the least a cached answer can cost).

Target: warm/reference <= 3.0 (goal 1.5). Warm and reference runs alternate, so drift on a shared
machine hits both. Prints one JSON line: medians in seconds, the ratio, and the samples. Run:
    python benches/bench_cache_warm_path.py [--files N] [--runs R] [--repo DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from _gen_repo import DEFAULT_FILES, generate  # beside this script, so on sys.path when it runs

# Children run as an installed package does: with bytecode cached. An environment that sets
# PYTHONDONTWRITEBYTECODE would make every run recompile every module, which no user pays.
CHILD_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}

TARGET_RATIO = 3.0
GOAL_RATIO = 1.5
SMOKE_ARGV = ("--files", "60", "--runs", "2")


def timed(argvs: Sequence[Sequence[str]], cwd: Path) -> float:
    """Seconds to run `argvs` one after another (as `a && b`), each required to exit 0."""
    started = time.perf_counter()
    for argv in argvs:
        subprocess.run(
            argv,
            cwd=cwd,
            check=True,
            stdout=subprocess.DEVNULL,
            stdin=subprocess.DEVNULL,
            env=CHILD_ENV,
        )
    return time.perf_counter() - started


def gather_argv(repo: Path, cache_dir: Path) -> list[str]:
    return [
        sys.executable, "-m", "codegenie_cli", "gather", str(repo),
        "--cache-dir", str(cache_dir), "--layer", "a", "--format", "json",
    ]  # fmt: skip


def cached_count(repo: Path, cache_dir: Path) -> dict[str, object]:
    """The gather's own summary of a warm run (how many probes came from the cache)."""
    done = subprocess.run(
        gather_argv(repo, cache_dir),
        capture_output=True,
        check=True,
        stdin=subprocess.DEVNULL,
        env=CHILD_ENV,
    )
    summary = json.loads(done.stdout).get("gather", {})
    return summary if isinstance(summary, dict) else {}


def measure(repo: Path, cache_dir: Path, runs: int) -> dict[str, object]:
    root = Path(__file__).resolve().parents[1]
    cold = timed([gather_argv(repo, cache_dir)], root)
    warm: list[float] = []
    reference: list[float] = []
    for _ in range(runs):
        warm.append(timed([gather_argv(repo, cache_dir)], root))
        reference.append(
            timed([[sys.executable, "-c", "pass"], ["git", "status", "--porcelain"]], repo)
        )
    ratio = statistics.median(warm) / statistics.median(reference)
    return {
        "bench": "cache_warm_path",
        "cold_s": cold,
        "warm_median_s": statistics.median(warm),
        "reference_median_s": statistics.median(reference),
        "ratio": ratio,
        "target_ratio": TARGET_RATIO,
        "goal_ratio": GOAL_RATIO,
        "within_target": ratio <= TARGET_RATIO,
        "warm_gather": cached_count(repo, cache_dir),
        "runs": runs,
        "warm_samples_s": warm,
        "reference_samples_s": reference,
    }


def main(argv: Sequence[str] | None = None) -> dict[str, object]:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--files", type=int, default=DEFAULT_FILES)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--repo", type=Path, help="where to generate (reused if already there)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="codegenie-bench-") as scratch:
        repo = args.repo or Path(tempfile.gettempdir()) / f"codegenie-bench-repo-{args.files}"
        size = generate(repo, args.files)
        result = {
            "files": args.files,
            "repo_bytes": size,
            **measure(repo, Path(scratch), args.runs),
        }
    print(json.dumps(result))
    return result


if __name__ == "__main__":
    main()
