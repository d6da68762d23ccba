"""Gating bench: the portfolio gathers as a 2-CPU GitHub hosted runner sees them (see ADR-0013).

`CODEGENIE_FORCE_CPU_COUNT=2` is set before anything from codegenie is imported, so this process
and every gather it starts budget for two CPUs whatever the machine has. It fails (exit 1) at a
significant 100% regression of any ratio, or when the worst cold p95 passes 360 s; it comments
at 50%. The nightly workflow runs it on `ubuntu-24.04`.

Run: python benches/bench_portfolio_walltime_hosted_runner.py [--runs 7]
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

# Before any codegenie import: the coordinator reads its CPU budget here; children inherit it.
os.environ["CODEGENIE_FORCE_CPU_COUNT"] = "2"

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # a plain script: make the work tree importable
    sys.path.insert(0, str(ROOT))

from benches import bench_portfolio_walltime as walltime  # noqa: E402 -- after the env is forced
from benches._bench_kernel import run_and_exit  # noqa: E402 -- as above
from codegenie_core.verdicts import Threshold, Verdict  # noqa: E402 -- as above

NAME = "portfolio_walltime_hosted_runner"
BASELINE_PATH = ROOT / "benches" / "baselines" / f"{NAME}.json"
THRESHOLD = Threshold(comment_pct=50, fail_pct=100, fail_p95_s=360)
SMOKE_ARGV = walltime.SMOKE_ARGV


def collect_from_argv(argv: Sequence[str] | None) -> walltime.Collected:
    """Measure as the options say; `refresh_baseline.py` calls this."""
    return walltime.collect_from_argv(argv, name=NAME)


def evaluate(argv: Sequence[str] | None) -> Verdict:
    return walltime.evaluate(argv, name=NAME, baseline_path=BASELINE_PATH, threshold=THRESHOLD)


def main(argv: Sequence[str] | None = None) -> NoReturn:
    run_and_exit(lambda: evaluate(argv))


if __name__ == "__main__":
    main()
