"""Tracing overhead: the same syscall-heavy scenario in the same hardened container, untraced and
under the injected strace (with `--seccomp-bpf`, and without it), measured in the same run.

The scenario does mostly untraced syscalls (a byte-at-a-time `dd`) and some traced ones (execs and
opens). Wall time includes container start, so a `/bin/true` container is measured too and the
`net_*` ratios subtract it. The mode without --seccomp-bpf runs a smaller workload (it is slow)
against an untraced run of that same size. Target: net traced/untraced <= 1.25 with
--seccomp-bpf; without it a ptrace stop on every syscall costs 20x or worse. Needs docker, strace
and busybox-static. Prints one JSON line: medians in seconds, ratios, samples.
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
    startup = medians["startup"]

    def net(mode: str, reference: str) -> float | None:
        if mode not in medians:
            return None
        return (medians[mode] - startup) / max(medians[reference] - startup, 1e-9)

    result: dict[str, object] = {
        "bench": "trace_overhead",
        "bytes": args.bytes,
        "runs": args.runs,
        "medians_s": medians,
        "ratio_bpf": medians["traced_bpf"] / medians["untraced"],
        "net_ratio_bpf": net("traced_bpf", "untraced"),
        "net_ratio_no_bpf": net("traced_no_bpf", "untraced_small"),
        "no_bpf_bytes": args.no_bpf_bytes,
        "target_ratio": TARGET_RATIO,
        "within_target": (net("traced_bpf", "untraced") or 0.0) <= TARGET_RATIO,
        "samples_s": samples,
    }
    print(json.dumps(result))
    return result


if __name__ == "__main__":
    main()
