"""Cold cache-key computation for every registered probe over the big generated repository,
against a reference measured in the same run: reading the bytes of the same files once.

"Cold" means a fresh `LocalRepo` per run with no stat index: the listing, git's answers and every
digest are computed anew (the OS page cache is warm for both sides, as the reference reads first).
Target: cold-key/reference <= 1.5. Prints one JSON line: medians in seconds, the ratio, samples.
    python benches/bench_cold_key.py [--files N] [--runs R] [--repo DIR]
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from _gen_repo import DEFAULT_FILES, generate  # beside this script, so on sys.path when it runs

from codegenie_adapters.local_repo import LocalRepo
from codegenie_core.cache_keys import globs_of, key_for, matching_paths
from codegenie_core.probes import load_builtin_probes
from codegenie_core.registry import DEFAULT_REGISTRY

TARGET_RATIO = 1.5
SMOKE_ARGV = ("--files", "60", "--runs", "2")


def cold_keys(repo_root: Path) -> tuple[float, int]:
    """Seconds to key every registered probe from a fresh adapter, and how many keys."""
    started = time.perf_counter()
    repo = LocalRepo(str(repo_root))
    keys = {r.name: key_for(r.probe, repo) for r in DEFAULT_REGISTRY}
    return time.perf_counter() - started, len(keys)


def read_once(repo_root: Path, paths: Sequence[str]) -> float:
    """Seconds to read the bytes of `paths` once each."""
    started = time.perf_counter()
    for path in paths:
        with (repo_root / path).open("rb") as handle:
            handle.read()
    return time.perf_counter() - started


def main(argv: Sequence[str] | None = None) -> dict[str, object]:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--files", type=int, default=DEFAULT_FILES)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--repo", type=Path, help="where to generate (reused if already there)")
    args = parser.parse_args(argv)
    repo_root = args.repo or Path(tempfile.gettempdir()) / f"codegenie-bench-repo-{args.files}"
    size = generate(repo_root, args.files)
    load_builtin_probes()
    listing = LocalRepo(str(repo_root)).list_files()
    globs = [g for r in DEFAULT_REGISTRY for g in globs_of(r.spec.reads)]
    matched = matching_paths(globs, listing)
    read_once(repo_root, matched)  # warm the page cache for both sides
    keyed: list[float] = []
    reference: list[float] = []
    probes = 0
    for _ in range(args.runs):
        reference.append(read_once(repo_root, matched))
        seconds, probes = cold_keys(repo_root)
        keyed.append(seconds)
    ratio = statistics.median(keyed) / statistics.median(reference)
    result: dict[str, object] = {
        "bench": "cold_key",
        "files": args.files,
        "repo_bytes": size,
        "probes": probes,
        "matched_files": len(matched),
        "cold_key_median_s": statistics.median(keyed),
        "reference_median_s": statistics.median(reference),
        "ratio": ratio,
        "target_ratio": TARGET_RATIO,
        "within_target": ratio <= TARGET_RATIO,
        "runs": args.runs,
        "cold_key_samples_s": keyed,
        "reference_samples_s": reference,
    }
    print(json.dumps(result))
    return result


if __name__ == "__main__":
    main()
