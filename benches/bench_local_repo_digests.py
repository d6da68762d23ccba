"""Warm-path digests of `LocalRepo` against `git status` itself, measured in the same run.

The issue's target: "a warm gather as fast as asking git what changed". A synthetic repository of
`--files` files is built once in a temp dir (a git work tree with a few edits and untracked files,
and the same tree without git). For each run, a fresh `LocalRepo` lists and digests every file, as
a probe matching `**` makes the key computation do:
- git: warm digests vs the reference `git status --porcelain=v1 -z --untracked-files=all`;
- walk: warm digests (stat index from an earlier run) vs cold digests (no index, every byte read).
Prints one JSON line of medians (seconds) and ratios. Run:
    python benches/bench_local_repo_digests.py [--files N] [--runs N]
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
from collections.abc import Callable, Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from codegenie_adapters.local_repo import LocalRepo

SMOKE_ARGV = ("--files", "60", "--runs", "2")
_ENV = {
    **os.environ,
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_AUTHOR_NAME": "bench",
    "GIT_AUTHOR_EMAIL": "bench@example.invalid",
    "GIT_COMMITTER_NAME": "bench",
    "GIT_COMMITTER_EMAIL": "bench@example.invalid",
}


def _git(root: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=root, env=_ENV, check=True, capture_output=True)


def _populate(root: Path, files: int) -> None:
    for index in range(files):
        path = root / f"pkg{index % 40}" / f"module_{index}.py"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(f"# module {index}\n".encode() + b"x = 1\n" * (index % 200 + 1))


def _time(action: Callable[[], object], runs: int) -> list[float]:
    samples: list[float] = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        samples.append(time.perf_counter() - started)
    return samples


def _digest_all(root: Path, index: str | None) -> Callable[[], object]:
    def run() -> object:
        repo = LocalRepo(str(root), stat_index_path=index)
        return repo.digests(repo.list_files())

    return run


def main(argv: Sequence[str] | None = None) -> dict[str, float]:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--files", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args(argv)
    os.environ.update(GIT_CONFIG_GLOBAL=os.devnull, GIT_CONFIG_NOSYSTEM="1")
    with tempfile.TemporaryDirectory(prefix="bench-local-repo-") as temp:
        git_root, walk_root = Path(temp) / "git", Path(temp) / "walk"
        for root in (git_root, walk_root):
            root.mkdir()
            _populate(root, args.files)
        _git(git_root, "init", "-q", "-b", "main")
        _git(git_root, "add", "-A")
        _git(git_root, "commit", "-q", "-m", "bench")
        for index in range(0, args.files, max(1, args.files // 10)):  # ~10 edits, ~10 new files
            (git_root / f"pkg{index % 40}" / f"module_{index}.py").write_bytes(b"edited\n")
            (git_root / f"pkg{index % 40}" / f"new_{index}.py").write_bytes(b"new\n")
        status = ["git", "status", "--porcelain=v1", "-z", "--untracked-files=all"]
        reference = _time(
            lambda: subprocess.run(status, cwd=git_root, env=_ENV, check=True, capture_output=True),
            args.runs,
        )
        git_warm = _time(_digest_all(git_root, None), args.runs)
        index = str(Path(temp) / "stat-index.json")
        walk_cold = _time(_digest_all(walk_root, None), args.runs)
        _digest_all(walk_root, index)()
        time.sleep(0.05)  # leave the racy tick, as a real second gather would
        _digest_all(walk_root, index)()
        walk_warm = _time(_digest_all(walk_root, index), args.runs)
    med = statistics.median
    result = {
        "files": args.files,
        "runs": args.runs,
        "git_status_median_s": med(reference),
        "git_warm_digests_median_s": med(git_warm),
        "git_ratio_to_status": med(git_warm) / med(reference),
        "walk_cold_median_s": med(walk_cold),
        "walk_warm_median_s": med(walk_warm),
        "walk_warm_to_cold_ratio": med(walk_warm) / med(walk_cold),
    }
    print(json.dumps(result))
    return result


if __name__ == "__main__":
    main()
