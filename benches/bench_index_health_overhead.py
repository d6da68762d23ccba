"""The index_health probe's share of a cold gather (layers a and b) on the minimal-ts fixture.

A copy of `tests/fixtures/portfolio/minimal-ts` becomes a git repository with fixed dates; when
scip-typescript is installed it is indexed once beforehand (outside the timing), so index_health
has a real index and sidecar to judge. Two references, both measured in the same run:
- a cold CLI gather (`python -m codegenie_cli gather`, a fresh cache directory): its wall time, and
  index_health's `duration_ms` from that gather's own context document — the user's cold gather;
- a cold in-process `codegenie_core.coordinator.gather` with the real adapters and no cache: the
  coordinator's work alone, without interpreter start-up and imports (a much smaller denominator).
Target (ADR-0010): index_health <= 5% of the cold CLI gather. Prints one JSON object.
    python benches/bench_index_health_overhead.py [--runs R]
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

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # a plain script: make the work tree importable
    sys.path.insert(0, str(ROOT))

from codegenie_adapters.clock import SystemClock  # noqa: E402 -- after the sys.path bootstrap
from codegenie_adapters.config_yaml import RuamelYamlReader  # noqa: E402 -- same
from codegenie_adapters.local_repo import open_repo  # noqa: E402 -- same
from codegenie_adapters.scip_indexer import ScipIndexerRunner  # noqa: E402 -- same
from codegenie_adapters.scip_reader import ScipReader  # noqa: E402 -- same
from codegenie_core.config import GatherConfig  # noqa: E402 -- same
from codegenie_core.coordinator import gather, select_probes  # noqa: E402 -- same
from codegenie_core.outcomes import Cached, Failed, Ran, Skipped  # noqa: E402 -- same
from codegenie_core.probe import ProbeContext  # noqa: E402 -- same
from codegenie_core.probes import load_builtin_probes  # noqa: E402 -- same
from codegenie_core.registry import DEFAULT_REGISTRY  # noqa: E402 -- same

FIXTURE = ROOT / "tests" / "fixtures" / "portfolio" / "minimal-ts"
SMOKE_ARGV = ("--runs", "1")
TARGET_FRACTION = 0.05
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


def _git(root: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", *args], cwd=root, env={**os.environ, **_GIT_ENV}, capture_output=True, check=True
    )
    return done.stdout.decode().strip()


def prepare(into: Path) -> tuple[Path, bool]:
    """A git copy of minimal-ts, indexed when scip-typescript exists; (root, indexed)."""
    root = into / "minimal-ts"
    shutil.copytree(FIXTURE, root, ignore=shutil.ignore_patterns("node_modules", ".codegenie"))
    _git(root, "init", "-q", "-b", "main")
    _git(root, "add", "-A")
    _git(root, "commit", "-q", "-m", "fixture")
    if shutil.which("scip-typescript") is None:
        return root, False
    head = _git(root, "rev-parse", "HEAD")
    runner = ScipIndexerRunner(str(root), made_dir=str(_made_dir(root)))
    runner.run("scip-typescript", commit=head, timeout_s=300.0)
    return root, True


def _made_dir(root: Path) -> Path:
    """Where the bench keeps the index it made, outside the work tree (as a gather does)."""
    return root.parent / "made-index"


def _ms(outcome: Ran | Cached | Skipped | Failed) -> int:
    return outcome.duration_ms


def cold_gather(root: Path) -> tuple[int, int, str]:
    """One cold gather of layers a and b: (gather ms, index_health ms, its verdict kind)."""
    load_builtin_probes()
    plan = select_probes(DEFAULT_REGISTRY, names=(), layers=frozenset({"a", "b"}))
    clock = SystemClock()
    ctx = ProbeContext(
        repo=open_repo(str(root)),
        config=GatherConfig(layers=frozenset({"a", "b"})),
        clock=clock,
        yaml=RuamelYamlReader(),
        index_reader=ScipReader(str(root), made_dir=str(_made_dir(root))),
    )
    result = gather(plan, base_ctx=ctx, cache=None, cache_mode="off", cpu_budget=2, clock=clock)
    (health,) = [o for o in result.outcomes if o.probe == "index_health"]
    verdict = type(health.envelope.slice.indexes[0]).__name__ if isinstance(health, Ran) else "-"
    return result.duration_ms, _ms(health), verdict


def cold_cli_gather(root: Path, cache_dir: Path) -> tuple[float, int]:
    """One cold CLI gather: (wall ms, index_health's duration_ms in its context document)."""
    argv = [sys.executable, "-m", "codegenie_cli", "gather", str(root), "--cache-dir"]
    argv += [str(cache_dir), "--layer", "a,b", "--format", "json"]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    started = time.perf_counter()
    done = subprocess.run(argv, capture_output=True, text=True, env=env, check=True)
    wall_ms = (time.perf_counter() - started) * 1000
    context = json.loads(done.stdout)
    return wall_ms, int(context["probes"]["index_health"]["duration_ms"])


def main(argv: Sequence[str] | None = None) -> dict[str, object]:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-index-health-") as tmp:
        root, indexed = prepare(Path(tmp))
        cli = [cold_cli_gather(root, Path(tmp) / f"cache-{n}") for n in range(args.runs)]
        runs = [cold_gather(root) for _ in range(args.runs)]
    cli_fraction = statistics.median(health / max(1.0, wall) for wall, health in cli)
    in_process = statistics.median(health / max(1, total) for total, health, _ in runs)
    result: dict[str, object] = {
        "bench": "index_health_overhead",
        "fixture": "minimal-ts",
        "indexed": indexed,
        "verdicts": sorted({verdict for _, _, verdict in runs}),
        "cli_cold_gather_ms_median": round(statistics.median(wall for wall, _ in cli), 1),
        "cli_index_health_ms_median": statistics.median(health for _, health in cli),
        "fraction_of_cli_cold_gather": round(cli_fraction, 4),
        "in_process_gather_ms_median": statistics.median(total for total, _, _ in runs),
        "in_process_index_health_ms_median": statistics.median(h for _, h, _ in runs),
        "fraction_of_in_process_gather": round(in_process, 4),
        "target_fraction_at_most": TARGET_FRACTION,
        "goal_met": cli_fraction <= TARGET_FRACTION,
        "runs": args.runs,
    }
    print(json.dumps(result))
    return result


if __name__ == "__main__":
    main()
