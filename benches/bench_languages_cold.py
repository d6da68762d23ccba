"""The `languages` probe's cold run against an `os.lstat` of every listed file, in the same run.

Issue 14 found the probe resolving every file with `os.path.realpath` (about 15 us a file against
2.7 us for a stat). Its floor is one `lstat` per file (ADR-0039). A synthetic tree of `--files`
files (one in a hundred an extension-less script, a `.gitattributes`, a few symlinks) is built
once as a git work tree; each run takes a fresh `LocalRepo`, lists it (untimed: the listing is
git's, shared by every probe) and times the probe's `run`, then times `os.lstat` of every listed
file. Prints one JSON line of medians (seconds) and their ratio. Run:
    python benches/bench_languages_cold.py [--files N] [--runs N]
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

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from codegenie_adapters.fakes import FakeClock, ScriptedYaml
from codegenie_adapters.local_repo import LocalRepo
from codegenie_core.config import GatherConfig
from codegenie_core.probe import ProbeContext
from codegenie_core.probes.layer_a.languages import LanguagesProbe

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
        directory = root / f"pkg{index % 40}" / f"sub{index % 7}"
        directory.mkdir(parents=True, exist_ok=True)
        if index % 100 == 0:
            (directory / f"tool_{index}").write_bytes(b"#!/usr/bin/env python3\nprint(1)\n")
        else:
            (directory / f"module_{index}.py").write_bytes(b"x = 1\n" * (index % 50 + 1))
    (root / ".gitattributes").write_bytes(b"pkg0/** linguist-vendored\n*.py text eol=lf\n")
    for index in range(5):
        os.symlink(f"pkg{index}", root / f"link{index}")


def _probe_run(root: Path) -> float:
    repo = LocalRepo(str(root))
    repo.list_files()
    ctx = ProbeContext(repo=repo, config=GatherConfig(), clock=FakeClock(), yaml=ScriptedYaml())
    started = time.perf_counter()
    LanguagesProbe().run(ctx)
    return time.perf_counter() - started


def _lstat_all(root: Path) -> float:
    paths = [os.path.join(root, path) for path in LocalRepo(str(root)).list_files()]
    started = time.perf_counter()
    for path in paths:
        os.lstat(path)
    return time.perf_counter() - started


def main(argv: Sequence[str] | None = None) -> dict[str, float]:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--files", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args(argv)
    os.environ.update(GIT_CONFIG_GLOBAL=os.devnull, GIT_CONFIG_NOSYSTEM="1")
    with tempfile.TemporaryDirectory(prefix="bench-languages-") as temp:
        root = Path(temp) / "repo"
        root.mkdir()
        _populate(root, args.files)
        _git(root, "init", "-q", "-b", "main")
        _git(root, "add", "-A")
        _git(root, "commit", "-q", "-m", "bench")
        probe = [_probe_run(root) for _ in range(args.runs)]
        lstat = [_lstat_all(root) for _ in range(args.runs)]
    med = statistics.median
    result = {
        "files": args.files,
        "runs": args.runs,
        "probe_cold_median_s": med(probe),
        "lstat_every_file_median_s": med(lstat),
        "probe_to_lstat_ratio": med(probe) / med(lstat),
    }
    print(json.dumps(result))
    return result


if __name__ == "__main__":
    main()
