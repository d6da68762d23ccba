"""`codegenie-cli --help` start-up time against the bare interpreter, in the same run.

Prints one JSON line: medians in seconds and the ratio help/reference. Run:
    python benches/bench_cli_startup.py [--runs N]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence

# Children run as an installed package does: with bytecode cached (see bench_cache_warm_path.py).
CHILD_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
SMOKE_ARGV = ("--runs", "1")


def _time(argv: Sequence[str], runs: int) -> list[float]:
    samples: list[float] = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(
            argv, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=CHILD_ENV
        )
        samples.append(time.perf_counter() - started)
    return samples


def main(argv: Sequence[str] | None = None) -> dict[str, float]:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args(argv)
    reference = _time([sys.executable, "-c", "pass"], args.runs)
    help_run = _time([sys.executable, "-m", "codegenie_cli", "--help"], args.runs)
    result = {
        "reference_median_s": statistics.median(reference),
        "help_median_s": statistics.median(help_run),
        "ratio": statistics.median(help_run) / statistics.median(reference),
        "runs": args.runs,
    }
    print(json.dumps(result))
    return result


if __name__ == "__main__":
    main()
