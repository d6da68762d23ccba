"""Is the scenario validator linear in its input? Times `parse_scenarios` over a generated
scenarios file of n and of 10n scenarios and prints the 10n/n ratio (linear is ~10; the target is
at most 12; a quadratic validator gives ~100).

Prints one JSON line: the sizes, medians in seconds, the ratio of the fastest samples (and of
the medians), samples.
    python benches/bench_scenario_linearity.py [--scenarios N] [--runs R]
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections.abc import Sequence

from codegenie_core.probes.layer_c.model import MAX_SCENARIOS
from codegenie_core.probes.layer_c.scenarios import parse_scenarios

SMOKE_ARGV = ("--scenarios", "4", "--runs", "2")
TARGET_RATIO = 12.0


def generate(count: int) -> tuple[dict[str, object], str]:
    """`count` scenarios (each with a few argv words and env entries) as the plain data a YAML
    reader returns, and the text it was read from, with a comment block per scenario."""
    items: list[dict[str, object]] = []
    lines = ["scenarios:"]
    for index in range(count):
        name = f"scenario-{index}"
        argv = ["/bin/app", "serve", f"--port={8000 + index}", *(f"--flag{i}" for i in range(8))]
        env = {f"VAR_{i}": f"value-{index}-{i}" for i in range(6)}
        items.append({"name": name, "argv": argv, "timeout_s": 30, "window_s": 5, "env": env})
        lines.extend(f"  # scenario {index}, note {i}: what it exercises and why" for i in range(6))
        lines.append(f"  - name: {name}")
        lines.append(f"    argv: [{', '.join(argv)}]")
        lines.append("    timeout_s: 30")
        lines.append("    window_s: 5")
        lines.append("    env:")
        lines.extend(f"      {key}: {value}" for key, value in env.items())
    return {"scenarios": items}, "\n".join(lines) + "\n"


def measure(count: int, runs: int, repeat: int) -> list[float]:
    """Seconds per validation of `count` scenarios; each sample validates `repeat` times, so the
    n and the 10n samples take about as long and the timer's noise weighs the same on both."""
    data, text = generate(count)
    samples: list[float] = []
    for _ in range(runs):
        started = time.perf_counter()
        for _ in range(repeat):
            parse_scenarios(data, text)
        samples.append((time.perf_counter() - started) / repeat)
    return samples


def main(argv: Sequence[str] | None = None) -> dict[str, object]:
    parser = argparse.ArgumentParser(description=__doc__)
    # 10n must stay within the validator's own bound, or 10n measures a refusal
    parser.add_argument("--scenarios", type=int, default=MAX_SCENARIOS // 10)
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args(argv)
    small = measure(args.scenarios, args.runs, repeat=10)
    large = measure(args.scenarios * 10, args.runs, repeat=1)
    # The least-disturbed sample of each side: on a shared machine the median carries other
    # processes' load, which a quadratic validator's ~100x would dwarf but a linear 10x does not.
    ratio = min(large) / min(small)
    result: dict[str, object] = {
        "bench": "scenario_linearity",
        "n": args.scenarios,
        "n_median_s": statistics.median(small),
        "10n_median_s": statistics.median(large),
        "ratio": ratio,
        "median_ratio": statistics.median(large) / statistics.median(small),
        "target_ratio": TARGET_RATIO,
        "runs": args.runs,
        "n_samples_s": small,
        "10n_samples_s": large,
    }
    print(json.dumps(result))
    return result


if __name__ == "__main__":
    main()
