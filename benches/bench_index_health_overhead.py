"""The index_health probe's share of a cold gather (layers a and b) on the minimal-ts fixture.

A copy of `tests/fixtures/portfolio/minimal-ts` becomes a git repository with fixed dates; when
scip-typescript is installed it is indexed once beforehand (outside the timing), so index_health
has a real index and sidecar to judge. Two references, both measured in the same run:
- a cold CLI gather (`python -m codegenie_cli gather`, a fresh cache directory): its wall time, and
  index_health's `duration_ms` from that gather's own context document — the user's cold gather;
- a cold in-process `codegenie_core.coordinator.gather` with the real adapters and no cache: the
  coordinator's work alone, without interpreter start-up and imports (a much smaller denominator).
Both fractions go through `compare_to_baseline` against the committed
`benches/baselines/index_health_overhead.json` (ADR-0013, ADR-0025): the verdict is the exit
code. Target (issue #14, stricter than ADR-0010's 5%): index_health <= 3% of the cold CLI gather,
reported beside the verdict.
Metamorphic check: `--inject-delay-ms N` sleeps N ms inside index_health's `run`, in both gathers;
the fractions must rise and, for a delay well above the probe's own time, the verdict must fail
(tests/unit/test_bench_index_health.py).
    python benches/bench_index_health_overhead.py [--runs R] [--baseline FILE] [--no-compare]
                                                  [--inject-delay-ms N]
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
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import NoReturn

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # a plain script: make the work tree importable
    sys.path.insert(0, str(ROOT))

import attrs  # noqa: E402 -- after the sys.path bootstrap

from benches._bench_kernel import (  # noqa: E402 -- same
    Baseline,
    load_baseline,
    median,
    render_markdown,
    run_and_exit,
)
from codegenie_adapters.clock import SystemClock  # noqa: E402 -- same
from codegenie_adapters.config_yaml import RuamelYamlReader  # noqa: E402 -- same
from codegenie_adapters.local_repo import open_repo  # noqa: E402 -- same
from codegenie_adapters.scip_indexer import ScipIndexerRunner  # noqa: E402 -- same
from codegenie_adapters.scip_reader import ScipReader  # noqa: E402 -- same
from codegenie_core.config import GatherConfig  # noqa: E402 -- same
from codegenie_core.coordinator import gather, select_probes  # noqa: E402 -- same
from codegenie_core.outcomes import Cached, Failed, Ran, Skipped  # noqa: E402 -- same
from codegenie_core.probe import ProbeContext  # noqa: E402 -- same
from codegenie_core.probes import load_builtin_probes  # noqa: E402 -- same
from codegenie_core.probes.layer_b.index_health import IndexHealthProbe  # noqa: E402 -- same
from codegenie_core.registry import DEFAULT_REGISTRY  # noqa: E402 -- same
from codegenie_core.verdicts import (  # noqa: E402 -- same
    Ok,
    Threshold,
    Verdict,
    compare_to_baseline,
)

NAME = "index_health_overhead"
BASELINE_PATH = ROOT / "benches" / "baselines" / f"{NAME}.json"
# As the portfolio gate: comment at +50%, fail at +100% when the rank test agrees (ADR-0013).
THRESHOLD = Threshold(comment_pct=50, fail_pct=100, fail_p95_s=None)
FIXTURE = ROOT / "tests" / "fixtures" / "portfolio" / "minimal-ts"
# One run against the committed baseline: too few samples to fail, enough to check the path.
SMOKE_ARGV = ("--runs", "1")
TARGET_FRACTION = 0.03  # issue #14's target; ADR-0010 had 5%
CLI_KEY = "minimal-ts.index_health_fraction_of_cli_cold_gather"
IN_PROCESS_KEY = "minimal-ts.index_health_fraction_of_in_process_gather"
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


@contextmanager
def delayed_index_health(delay_s: float) -> Iterator[None]:
    """index_health's `run` sleeps `delay_s` first, for as long as the block lasts (the metamorphic
    check's injected slowness; 0 changes nothing)."""
    if delay_s <= 0:
        yield
        return
    original = IndexHealthProbe.run

    def slowed(self: IndexHealthProbe, ctx: ProbeContext) -> object:
        time.sleep(delay_s)
        return original(self, ctx)

    IndexHealthProbe.run = slowed  # the injected delay, undone below
    try:
        yield
    finally:
        IndexHealthProbe.run = original


def cold_gather(root: Path, delay_s: float = 0.0) -> tuple[int, int, str]:
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
    with delayed_index_health(delay_s):
        result = gather(plan, base_ctx=ctx, cache=None, cache_mode="off", cpu_budget=2, clock=clock)
    (health,) = [o for o in result.outcomes if o.probe == "index_health"]
    verdict = type(health.envelope.slice.indexes[0]).__name__ if isinstance(health, Ran) else "-"
    return result.duration_ms, _ms(health), verdict


# The CLI with index_health slowed, for the metamorphic check: argv[1] is the delay in seconds.
_DELAYED_CLI = """
import sys, time
from codegenie_core.probes.layer_b.index_health import IndexHealthProbe
delay_s, original = float(sys.argv.pop(1)), IndexHealthProbe.run
def slowed(self, ctx):
    time.sleep(delay_s)
    return original(self, ctx)
IndexHealthProbe.run = slowed
from codegenie_cli.main import main
main()
"""


def cold_cli_gather(root: Path, cache_dir: Path, delay_s: float = 0.0) -> tuple[float, int]:
    """One cold CLI gather: (wall ms, index_health's duration_ms in its context document)."""
    launcher = ["-m", "codegenie_cli"] if delay_s <= 0 else ["-c", _DELAYED_CLI, str(delay_s)]
    argv = [sys.executable, *launcher, "gather", str(root), "--cache-dir"]
    argv += [str(cache_dir), "--layer", "a,b", "--format", "json"]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    started = time.perf_counter()
    done = subprocess.run(argv, capture_output=True, text=True, env=env, check=False)
    wall_ms = (time.perf_counter() - started) * 1000
    if done.returncode != 0:
        raise RuntimeError(f"the CLI gather exited {done.returncode}: {done.stderr[-2000:]}")
    context = json.loads(done.stdout)
    return wall_ms, int(context["probes"]["index_health"]["duration_ms"])


@attrs.frozen(kw_only=True)
class Collected:
    """One bench run: the two fractions and their samples for the verdict, the rest for humans."""

    measurements: dict[str, float]
    samples: dict[str, tuple[float, ...]]
    details: dict[str, object]


def collect(root: Path, *, runs: int, indexed: bool, delay_s: float = 0.0) -> Collected:
    """`runs` cold CLI gathers and `runs` cold in-process gathers of the prepared `root`."""
    if runs < 1:
        raise ValueError(f"--runs must be at least 1, got {runs}")
    with tempfile.TemporaryDirectory(prefix="bench-index-health-cache-") as caches:
        cli = [cold_cli_gather(root, Path(caches) / f"cache-{n}", delay_s) for n in range(runs)]
    in_process = [cold_gather(root, delay_s) for _ in range(runs)]
    cli_fractions = tuple(health / max(1.0, wall) for wall, health in cli)
    in_process_fractions = tuple(health / max(1, total) for total, health, _ in in_process)
    samples = {CLI_KEY: cli_fractions, IN_PROCESS_KEY: in_process_fractions}
    cli_fraction = median(cli_fractions)
    details: dict[str, object] = {
        "bench": NAME,
        "fixture": "minimal-ts",
        "indexed": indexed,
        "verdicts": sorted({verdict for _, _, verdict in in_process}),
        "cli_cold_gather_ms_median": round(statistics.median(wall for wall, _ in cli), 1),
        "cli_index_health_ms_median": statistics.median(health for _, health in cli),
        "fraction_of_cli_cold_gather": round(cli_fraction, 4),
        "in_process_gather_ms_median": statistics.median(total for total, _, _ in in_process),
        "in_process_index_health_ms_median": statistics.median(h for _, h, _ in in_process),
        "fraction_of_in_process_gather": round(median(in_process_fractions), 4),
        "target_fraction_at_most": TARGET_FRACTION,
        "goal_met": cli_fraction <= TARGET_FRACTION,
        "injected_delay_ms": round(delay_s * 1000),
        "runs": runs,
    }
    return Collected(
        measurements={key: median(values) for key, values in samples.items()},
        samples=samples,
        details=details,
    )


def parser() -> argparse.ArgumentParser:
    options = argparse.ArgumentParser(description=__doc__)
    options.add_argument("--runs", type=int, default=7, help="cold gathers of each kind")
    options.add_argument("--baseline", type=Path, default=None, help="baseline JSON to compare")
    options.add_argument("--no-compare", action="store_true", help="measure and print only")
    options.add_argument(
        "--inject-delay-ms",
        type=float,
        default=0.0,
        help="metamorphic check: index_health sleeps this long in every gather",
    )
    return options


def collect_from_argv(argv: Sequence[str] | None) -> Collected:
    """Measure as the options say; `refresh_baseline.py` calls this."""
    args = parser().parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-index-health-") as tmp:
        root, indexed = prepare(Path(tmp))
        return collect(root, runs=args.runs, indexed=indexed, delay_s=args.inject_delay_ms / 1000.0)


def verdict_for(collected: Collected, baseline: Baseline) -> Verdict:
    """The kernel's verdict on both fractions against the baseline (ADR-0013)."""
    return compare_to_baseline(
        collected.measurements,
        baseline.measurements,
        THRESHOLD,
        current_samples=collected.samples,
        baseline_samples=baseline.samples,
    )


def evaluate(argv: Sequence[str] | None = None) -> Verdict:
    """Measure, compare with the baseline, print the numbers and the verdict's Markdown."""
    args = parser().parse_args(argv)
    collected = collect_from_argv(argv)
    print(json.dumps(collected.details))
    if args.no_compare:
        return Ok(reasons=("measured only (--no-compare)",))
    baseline = load_baseline(args.baseline or BASELINE_PATH)
    verdict = verdict_for(collected, baseline)
    goal = "met" if collected.details["goal_met"] else "NOT met"
    context = [
        "",
        f"Target (issue #14): at most {TARGET_FRACTION:.0%} of the cold CLI gather: {goal}.",
    ]
    print(
        render_markdown(
            title=NAME,
            verdict=verdict,
            current=collected.measurements,
            baseline=baseline,
            context=context,
        )
    )
    return verdict


def main(argv: Sequence[str] | None = None) -> NoReturn:
    run_and_exit(lambda: evaluate(argv))


if __name__ == "__main__":
    main()
