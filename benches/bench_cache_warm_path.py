"""Warm-cache `gather --layer a` on the big generated repository, against a reference measured in
the same run: `sys.executable -c pass && git status --porcelain` (start the interpreter that runs
codegenie, never a launcher found on PATH; ask git what changed: the least a cached answer can
cost).

Target: warm/reference <= 3.0 (goal 1.5). Warm and reference runs alternate, so drift on a shared
machine hits both. Also timed, against the same reference: a gather after one source file is
edited, which must re-run exactly the probes whose globs match it (`git` and `languages` read
`**`; manifests, dockerfile and ci stay cached); the file is restored after each run. Prints one
JSON line: medians in seconds, the ratios, which probes re-ran, and the samples. Run:
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
from typing import Any

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


EXPECTED_RERUN = ["git", "languages"]  # the `**` probes; no other glob matches a .py file


def python_source(repo: Path) -> str:
    """The first tracked Python file: what the one-file edit touches."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--", "*.py"], cwd=repo, capture_output=True, check=True
    )
    return sorted(os.fsdecode(p) for p in listed.stdout.split(b"\0") if p)[0]


def gather_document(repo: Path, cache_dir: Path) -> dict[str, Any]:
    """The context document of one gather."""
    done = subprocess.run(
        gather_argv(repo, cache_dir),
        capture_output=True,
        check=True,
        stdin=subprocess.DEVNULL,
        env=CHILD_ENV,
    )
    document: dict[str, Any] = json.loads(done.stdout)
    return document


def rerun_probes(document: dict[str, Any]) -> list[str]:
    probes: dict[str, dict[str, Any]] = document.get("probes", {})
    return sorted(name for name, entry in probes.items() if entry.get("outcome") == "ran")


def edited_gather(repo: Path, cache_dir: Path, path: str, run: int) -> tuple[float, list[str]]:
    """Seconds for a gather after `path` is edited (new content every run, so never cached), and
    the probes it re-ran; the file is restored afterwards."""
    target = repo / path
    original = target.read_bytes()
    target.write_bytes(original + f"# edit {run} {time.time_ns()}\n".encode())
    try:
        started = time.perf_counter()
        document = gather_document(repo, cache_dir)
        elapsed = time.perf_counter() - started
    finally:
        target.write_bytes(original)
    return elapsed, rerun_probes(document)


def measure(repo: Path, cache_dir: Path, runs: int) -> dict[str, object]:
    root = Path(__file__).resolve().parents[1]
    cold = timed([gather_argv(repo, cache_dir)], root)
    warm: list[float] = []
    reference: list[float] = []
    edited: list[float] = []
    reran: set[tuple[str, ...]] = set()
    edited_file = python_source(repo)
    for _ in range(runs):
        warm.append(timed([gather_argv(repo, cache_dir)], root))
        reference.append(
            timed([[sys.executable, "-c", "pass"], ["git", "status", "--porcelain"]], repo)
        )
    # Apart, after the warm runs: a restored file has a new mtime, which git would re-check.
    for run in range(runs):
        seconds, probes = edited_gather(repo, cache_dir, edited_file, run)
        edited.append(seconds)
        reran.add(tuple(probes))
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
        "warm_gather": gather_document(repo, cache_dir).get("gather", {}),
        "one_file_edited": {
            "file": edited_file,
            "median_s": statistics.median(edited),
            "ratio": statistics.median(edited) / statistics.median(reference),
            "rerun": sorted(reran),
            "only_matching_probes_rerun": reran == {tuple(EXPECTED_RERUN)},
        },
        "runs": runs,
        "warm_samples_s": warm,
        "reference_samples_s": reference,
        "edited_samples_s": edited,
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
