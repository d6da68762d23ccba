"""Refresh a bench's committed baseline: run it, write the JSON, show old -> new (see ADR-0013).

Run: python benches/refresh_baseline.py --bench portfolio_walltime --reason "why" [-- --runs 9]
Options after `--` go to the bench. The machine description defaults to this host's platform and
CPU count; say where it was measured with --machine when that is not obvious. Every measurement
must come with the raw samples it is the median of; a bench that gives one without them is an
error (exit 2) and the old baseline stays.
"""

from __future__ import annotations

import argparse
import getpass
import importlib
import math
import os
import platform
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # a plain script: make the work tree importable
    sys.path.insert(0, str(ROOT))

from benches._bench_kernel import (  # noqa: E402 -- after the sys.path bootstrap above
    EXIT_CANNOT_MEASURE,
    Baseline,
    BaselineError,
    BaselineMetadata,
    load_baseline,
    median,
    utc_now_iso,
    write_baseline,
)


def this_machine() -> str:
    return (
        f"{platform.node() or 'unknown host'}: {platform.system()} {platform.machine()}, "
        f"{os.cpu_count() or '?'} CPUs, Python {platform.python_version()}"
    )


def head_commit() -> str:
    done = subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "HEAD"], capture_output=True, text=True, check=False
    )
    return done.stdout.strip() if done.returncode == 0 and done.stdout.strip() else "unknown"


def who() -> str:
    done = subprocess.run(
        ["git", "-C", str(ROOT), "config", "user.name"], capture_output=True, text=True, check=False
    )
    return done.stdout.strip() or getpass.getuser()


def changes(old: Baseline | None, new: Baseline) -> list[str]:
    """One line per key: old -> new, with the change in percent."""
    before = {} if old is None else old.measurements
    lines: list[str] = []
    for key in sorted(before.keys() | new.measurements.keys()):
        was, now = before.get(key), new.measurements.get(key)
        if was is None:
            lines.append(f"  {key}: (new) -> {now:.4g}")
        elif now is None:
            lines.append(f"  {key}: {was:.4g} -> (dropped)")
        else:
            pct = f"{(now / was - 1) * 100:+.1f}%" if was > 0 else "n/a"
            lines.append(f"  {key}: {was:.4g} -> {now:.4g} ({pct})")
    return lines


def unsampled(measurements: dict[str, float], samples: dict[str, tuple[float, ...]]) -> list[str]:
    """Why a refresh cannot be written: a measurement without the raw samples behind it, or one
    that is not their median (the rank test and a reader of the file both need the samples)."""
    problems: list[str] = []
    for key in sorted(measurements):
        values = samples.get(key, ())
        if not values:
            problems.append(f"{key}: no raw samples behind the measurement")
        elif not math.isclose(median(values), measurements[key], rel_tol=1e-9, abs_tol=1e-12):
            problems.append(
                f"{key}: the measurement {measurements[key]:.6g} is not the median of its "
                f"{len(values)} samples ({median(values):.6g})"
            )
    return problems


def main(argv: Sequence[str] | None = None) -> int:
    args_in = list(sys.argv[1:] if argv is None else argv)
    bench_args: list[str] = []
    if "--" in args_in:
        split = args_in.index("--")
        args_in, bench_args = args_in[:split], args_in[split + 1 :]
    options = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    options.add_argument("--bench", required=True, help="NAME of benches/bench_NAME.py")
    options.add_argument("--reason", required=True, help="why the baseline moves (kept in it)")
    options.add_argument("--machine", default=None, help="where it was measured")
    args = options.parse_args(args_in)
    if not args.reason.strip():
        options.error("--reason must say why")

    module = importlib.import_module(f"benches.bench_{args.bench}")
    path: Path = module.BASELINE_PATH
    try:
        old: Baseline | None = load_baseline(path)
    except BaselineError as error:
        print(f"no usable previous baseline ({error.field}): starting fresh", file=sys.stderr)
        old = None
    collected = module.collect_from_argv(bench_args)
    if problems := unsampled(dict(collected.measurements), dict(collected.samples)):
        for problem in problems:
            print(f"error: benches/bench_{args.bench}.py: {problem}", file=sys.stderr)
        print(f"{path.name} left as it was: a baseline carries its raw samples", file=sys.stderr)
        return EXIT_CANNOT_MEASURE
    new = Baseline(
        metadata=BaselineMetadata(
            refreshed_at=utc_now_iso(),
            refreshed_by=who(),
            reason=args.reason,
            commit=head_commit(),
            machine=args.machine or this_machine(),
        ),
        measurements=dict(collected.measurements),
        samples=dict(collected.samples),
    )
    write_baseline(path, new)
    shown = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
    print(f"{shown} refreshed ({args.reason}):")
    print("\n".join(changes(old, new)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
