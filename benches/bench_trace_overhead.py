"""Tracing overhead: the same syscall-heavy scenario in the same hardened container, untraced and
under the injected strace (with `--seccomp-bpf`, and without it), measured in the same run.

The scenario does mostly untraced syscalls (a byte-at-a-time `dd`) and some traced ones (execs and
opens). Each ratio compares whole runs, traced over untraced, each run being one `docker run` of
the scenario, container start included on both sides: nothing is subtracted, so a workload that
takes less time than starting a container gives a ratio near 1, never a division by almost zero.
An empty container's start (`/bin/true`) is measured too and reported beside them, with the share
of the untraced run it accounts for, so a reader can tell how much of each run is the workload.
The mode without --seccomp-bpf runs a smaller workload (it is slow) against an untraced run of
that same size. Target: traced/untraced <= 1.25 with --seccomp-bpf; without it a ptrace stop on
every syscall costs 20x or worse. Needs docker, strace and busybox-static. Prints one JSON line:
medians in seconds, ratios, samples.
    python benches/bench_trace_overhead.py [--runs R] [--bytes N] [--no-bpf-runs R]
                                           [--no-bpf-bytes N]
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from codegenie_adapters.container_flags import render_policy
from codegenie_adapters.tracer_bundle import MOUNT, TracerBundle, build_bundle
from codegenie_core.probes.layer_c.model import TRACE_POLICY, TRACED_SYSCALLS

TARGET_RATIO = 1.25
IMAGE = "codegenie-trace:bench-overhead"
FIXTURE = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "runtime" / "busybox"


def build_image(workdir: Path) -> None:
    context = workdir / "context"
    shutil.copytree(FIXTURE, context)
    busybox = next(p for p in (Path("/bin/busybox"), Path("/usr/bin/busybox")) if p.exists())
    shutil.copy(busybox, context / "busybox")
    subprocess.run(
        ["docker", "build", "-q", "-t", IMAGE, "--label", "codegenie.trace=1", str(context)],
        check=True,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
    )


def workload(size: int) -> tuple[str, ...]:
    script = (
        f"dd if=/dev/zero of=/dev/null bs=1 count={size} 2>/dev/null; "
        "i=0; while [ $i -lt 50 ]; do cat /etc/motd >/dev/null; i=$((i+1)); done"
    )
    return ("/bin/sh", "-c", script)


def container(
    argv: tuple[str, ...], bundle: TracerBundle, out: Path, *, trace: str | None
) -> float:
    """Seconds for one hardened container running `argv` (under strace unless `trace` is None)."""
    mounts = (f"--volume={bundle.directory}:{MOUNT}:ro", f"--volume={out}:/cg-out")
    command: tuple[str, ...] = ("--entrypoint", argv[0], IMAGE, *argv[1:])
    if trace is not None:
        tracer, *rest = bundle.command()
        flags = ("-f", *((trace,) if trace else ()), "-q", "-e", "signal=none", "-s", "4096")
        syscalls = "trace=" + ",".join(f"?{s}" for s in TRACED_SYSCALLS)
        command = (
            "--entrypoint", tracer, IMAGE, *rest, *flags, "-e", syscalls, "-o", "/cg-out/trace",
            *argv,
        )  # fmt: skip
    started = time.perf_counter()
    subprocess.run(
        ["docker", "run", "--rm", *render_policy(TRACE_POLICY, "docker"), *mounts, *command],
        check=True,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
    )
    return time.perf_counter() - started


def overhead_ratios(medians: dict[str, float]) -> dict[str, object]:
    """Whole-run ratios from the medians: traced over untraced with --seccomp-bpf (`ratio_bpf`,
    judged against the target) and without it (`ratio_no_bpf`, when measured), and how much of an
    untraced run an empty container's start is (`startup_share_of_untraced`)."""
    untraced = medians["untraced"]
    ratio_bpf = medians["traced_bpf"] / untraced
    no_bpf = medians.get("traced_no_bpf")
    small = medians.get("untraced_small")
    return {
        "ratio_bpf": ratio_bpf,
        "ratio_no_bpf": None if no_bpf is None or small is None else no_bpf / small,
        "startup_s": medians["startup"],
        "startup_share_of_untraced": medians["startup"] / untraced,
        "within_target": ratio_bpf <= TARGET_RATIO,
    }


def main(argv: Sequence[str] | None = None) -> dict[str, object]:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--bytes", type=int, default=2_000_000)
    parser.add_argument("--no-bpf-runs", type=int, default=3, help="0 skips the slow mode")
    parser.add_argument("--no-bpf-bytes", type=int, default=100_000, help="smaller: it is slow")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="codegenie-bench-trace-") as temp:
        workdir = Path(temp)
        build_image(workdir)
        bundle = build_bundle("strace")
        assert isinstance(bundle, TracerBundle), bundle
        out = workdir / "out"
        out.mkdir(mode=0o777)
        scenario, small = workload(args.bytes), workload(args.no_bpf_bytes)
        samples: dict[str, list[float]] = {"startup": [], "untraced": [], "traced_bpf": []}
        samples |= {"untraced_small": [], "traced_no_bpf": []}
        try:
            for run in range(args.runs):
                samples["startup"].append(container(("/bin/true",), bundle, out, trace=None))
                samples["untraced"].append(container(scenario, bundle, out, trace=None))
                samples["traced_bpf"].append(
                    container(scenario, bundle, out, trace="--seccomp-bpf")
                )
                if run < args.no_bpf_runs:
                    samples["untraced_small"].append(container(small, bundle, out, trace=None))
                    samples["traced_no_bpf"].append(container(small, bundle, out, trace=""))
        finally:
            shutil.rmtree(bundle.directory, ignore_errors=True)
    medians = {mode: statistics.median(s) for mode, s in samples.items() if s}
    result: dict[str, object] = {
        "bench": "trace_overhead",
        "bytes": args.bytes,
        "runs": args.runs,
        "medians_s": medians,
        **overhead_ratios(medians),
        "no_bpf_bytes": args.no_bpf_bytes,
        "target_ratio": TARGET_RATIO,
        "samples_s": samples,
    }
    print(json.dumps(result))
    return result


if __name__ == "__main__":
    main()
