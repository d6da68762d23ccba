"""Advisory bench: cold and warm `gather` wall time over the portfolio fixtures (see ADR-0013).

Each gather is timed against a reference measured in the same run (the interpreter starting and
doing nothing), and the verdict compares those ratios with the committed baseline, so a slower or
faster machine moves both sides together. Advisory: it comments at a 50% regression, never fails.

Run: python benches/bench_portfolio_walltime.py [--runs 7] [--fixtures minimal-ts,go-cli]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import NoReturn

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # a plain script: make the work tree importable
    sys.path.insert(0, str(ROOT))

import attrs  # noqa: E402 -- after the sys.path bootstrap above

from benches._bench_kernel import (  # noqa: E402 -- after the sys.path bootstrap above
    load_baseline,
    measure,
    median,
    p95,
    post_comment_if,
    render_markdown,
    run_and_exit,
    run_checked,
    verdict_from_name,
    verdict_name,
)
from codegenie_core.verdicts import (  # noqa: E402 -- after the sys.path bootstrap above
    Ok,
    Threshold,
    Verdict,
    compare_to_baseline,
)

NAME = "portfolio_walltime"
BASELINE_PATH = ROOT / "benches" / "baselines" / f"{NAME}.json"
THRESHOLD = Threshold(comment_pct=50, fail_pct=None, fail_p95_s=None)
PORTFOLIO_DIR = ROOT / "tests" / "fixtures" / "portfolio"
FIXTURES = ("minimal-ts", "python-service", "go-cli", "polyglot-monorepo", "no-docker-lib")
LAYERS = "a,b"
DEFAULT_RUNS = 7  # warm samples per series: the fewest the rank test trusts (MIN_SAMPLES)
SMOKE_ARGV = ("--runs", "1", "--warmup", "0", "--fixtures", "minimal-ts", "--no-compare")


def gather_argv(fixture: Path, cache_dir: Path) -> list[str]:
    """The one place the CLI invocation is spelled."""
    return [
        sys.executable,
        "-m",
        "codegenie_cli",
        "gather",
        str(fixture),
        "--cache-dir",
        str(cache_dir),
        "--layer",
        LAYERS,
        "--format",
        "json",
    ]


def child_env() -> dict[str, str]:
    """The children's environment: ours, with the work tree importable and bytecode cached as
    an installed package has it (an environment setting PYTHONDONTWRITEBYTECODE would make every
    run recompile every module, which no user pays)."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH", "")) if p)
    return env


@attrs.frozen(kw_only=True)
class Collected:
    """One bench run: ratios and their samples for the verdict, seconds for humans."""

    measurements: dict[str, float]
    samples: dict[str, tuple[float, ...]]
    seconds: dict[str, float]
    p95_s: float


REFERENCE_ARGV = (sys.executable, "-c", "pass")
REFERENCE_RUNS = 3  # per timed gather: the median of three bare interpreter starts


def paired_runs(
    gather: Callable[[], list[str]], *, runs: int, warmup: int, env: Mapping[str, str]
) -> tuple[tuple[float, ...], tuple[float, ...]]:
    """`runs` timed gathers, each right after its own reference: (gather seconds, ratios).

    Pairing each gather with a reference taken moments before it means load that comes and goes
    on a shared machine (other jobs, CI neighbours) weighs on both sides of each ratio.
    """
    for _ in range(warmup):
        run_checked(gather(), env=env)
    seconds: list[float] = []
    ratios: list[float] = []
    for _ in range(runs):
        reference = median(measure(REFERENCE_ARGV, REFERENCE_RUNS, 0, env=env))
        argv = gather()
        (took,) = measure(argv, 1, 0, env=env)
        seconds.append(took)
        ratios.append(took / reference)
    return tuple(seconds), tuple(ratios)


def collect(
    *,
    fixtures: Sequence[str],
    runs: int,
    warmup: int,
    env: Mapping[str, str],
    progress: Callable[[str], None] = lambda _line: None,
) -> Collected:
    """Every fixture's cold gathers (an empty cache each time) and warm gathers (a cache primed by
    an untimed gather), each timed against a reference taken just before it."""
    measurements: dict[str, float] = {}
    samples: dict[str, tuple[float, ...]] = {}
    seconds: dict[str, float] = {}
    cold_p95s: list[float] = []
    with tempfile.TemporaryDirectory(prefix="codegenie-bench-") as scratch:
        for fixture in fixtures:
            repo = PORTFOLIO_DIR / fixture
            if not repo.is_dir():
                raise FileNotFoundError(f"portfolio fixture {fixture!r} is missing at {repo}")
            warm_cache = Path(tempfile.mkdtemp(dir=scratch, prefix="warm-"))

            def cold_argv(repo: Path = repo) -> list[str]:
                return gather_argv(repo, Path(tempfile.mkdtemp(dir=scratch, prefix="cold-")))

            def warm_argv(repo: Path = repo, cache: Path = warm_cache) -> list[str]:
                return gather_argv(repo, cache)

            progress(f"{fixture}: cold")
            cold = paired_runs(cold_argv, runs=runs, warmup=warmup, env=env)
            progress(f"{fixture}: warm")
            warm = paired_runs(warm_argv, runs=runs, warmup=max(warmup, 1), env=env)
            for series, (took, ratios) in (("cold", cold), ("warm", warm)):
                key = f"{fixture}.{series}_p50_ratio"
                samples[key] = ratios
                measurements[key] = median(ratios)
                seconds[f"{fixture}.{series}_p50_s"] = median(took)
                seconds[f"{fixture}.{series}_p95_s"] = p95(took)
            cold_p95s.append(p95(cold[0]))
    return Collected(
        measurements=measurements, samples=samples, seconds=seconds, p95_s=max(cold_p95s)
    )


def parser(description: str) -> argparse.ArgumentParser:
    options = argparse.ArgumentParser(description=description)
    options.add_argument("--runs", type=int, default=DEFAULT_RUNS, help="timed runs per series")
    options.add_argument("--warmup", type=int, default=1, help="untimed runs before each series")
    options.add_argument("--fixtures", default=",".join(FIXTURES), help="comma-separated names")
    options.add_argument("--baseline", type=Path, default=None, help="baseline JSON to compare")
    options.add_argument(
        "--out-dir", type=Path, default=None, help="write results.json, comment.md"
    )
    options.add_argument("--no-compare", action="store_true", help="measure and print only")
    options.add_argument(
        "--post-comment", action="store_true", help="post the Markdown as a PR comment when due"
    )
    options.add_argument(
        "--comment-from",
        type=Path,
        default=None,
        metavar="OUT_DIR",
        help="measure nothing: post the comment an earlier --out-dir run left (CI's comment step)",
    )
    return options


def collect_from_argv(argv: Sequence[str] | None, *, name: str = NAME) -> Collected:
    """Measure as the options say; `refresh_baseline.py` calls this."""
    args = parser(name).parse_args(argv)
    return collect(
        fixtures=[f for f in str(args.fixtures).split(",") if f],
        runs=args.runs,
        warmup=args.warmup,
        env=child_env(),
        progress=lambda line: print(f"[{name}] {line}", file=sys.stderr),
    )


def evaluate(
    argv: Sequence[str] | None,
    *,
    name: str = NAME,
    baseline_path: Path = BASELINE_PATH,
    threshold: Threshold = THRESHOLD,
) -> Verdict:
    """Measure, compare with the baseline, report; the verdict decides the exit code."""
    args = parser(name).parse_args(argv)
    if args.comment_from is not None:
        stored = json.loads((args.comment_from / "results.json").read_text(encoding="utf-8"))
        verdict = verdict_from_name(str(stored["verdict"]), [str(r) for r in stored["reasons"]])
        post_comment_if(verdict, (args.comment_from / "comment.md").read_text(encoding="utf-8"))
        return verdict
    collected = collect_from_argv(argv, name=name)
    if args.no_compare:
        verdict = Ok(reasons=("measured only (--no-compare)",))
        markdown = f"### {name}: measured only\n\n```json\n{json.dumps(collected.seconds)}\n```\n"
    else:
        verdict, markdown = _compare(
            collected, name=name, path=args.baseline or baseline_path, threshold=threshold
        )
    if args.out_dir is not None:
        write_results(args.out_dir, name=name, verdict=verdict, markdown=markdown, got=collected)
    if args.post_comment:
        post_comment_if(verdict, markdown)
    else:
        print(markdown)
    return verdict


def _compare(
    collected: Collected, *, name: str, path: Path, threshold: Threshold
) -> tuple[Verdict, str]:
    baseline = load_baseline(path)  # a missing or malformed baseline is an error, not a verdict
    verdict = compare_to_baseline(
        collected.measurements,
        baseline.measurements,
        threshold,
        collected.p95_s,
        current_samples=collected.samples,
        baseline_samples=baseline.samples,
    )
    markdown = render_markdown(
        title=name,
        verdict=verdict,
        current=collected.measurements,
        baseline=baseline,
        context=[
            "",
            f"Worst cold p95: {collected.p95_s:.3f} s. Ratios are each gather's time over a "
            "bare interpreter start timed just before it.",
        ],
    )
    return verdict, markdown


def write_results(
    out_dir: Path, *, name: str, verdict: Verdict, markdown: str, got: Collected
) -> None:
    """`results.json` and `comment.md` for the CI artifact and the comment step."""
    out_dir.mkdir(parents=True, exist_ok=True)
    results = {
        "bench": name,
        "verdict": verdict_name(verdict),
        "reasons": list(verdict.reasons),
        "measurements": got.measurements,
        "samples": {k: list(v) for k, v in got.samples.items()},
        "seconds": got.seconds,
        "p95_s": got.p95_s,
    }
    (out_dir / "results.json").write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    (out_dir / "comment.md").write_text(markdown, encoding="utf-8")


def main(argv: Sequence[str] | None = None) -> NoReturn:
    run_and_exit(lambda: evaluate(argv))


if __name__ == "__main__":
    main()
