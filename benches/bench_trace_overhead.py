"""Tracing overhead on the real Debian image (scripts/build_debian_image): the Python service of
`tests/fixtures/runtime/python-service` started once (it imports the standard library, reads its
config, tries the database port and exits: `app.py once`), in the same hardened container,
untraced, under the injected strace as the trace runs it (with `--seccomp-bpf`, and without it),
and under the counting pass `--seccomp-profile` adds (`strace -f -q -c`, every syscall, no
filter: ADR-0067), all measured in the same run, interleaved. Every traced mode runs as the
product runs it: strace's flags are the runner's own (`docker_strace.strace_flags`) and the
container is pinned to one CPU (ADR-0087); the untraced run is not pinned, as the program runs
without codegenie. The traced run unpinned is measured too (`ratio_bpf_unpinned`): what the pin
buys.

Each ratio compares whole runs over the untraced run, each run being one `docker run` of the
scenario, container start included on both sides: nothing is subtracted, so a workload that takes
less time than starting a container gives a ratio near 1, never a division by almost zero. An
empty container's start (`/bin/true`) is measured too and reported beside them. The profiling
pass is reported apart (`ratio_profiling`): with `--seccomp-profile` a scenario runs traced and
then profiled, so its cost is the sum (`ratio_trace_and_profile`). Beside wall time, the CPU time
of the workload and its tracer (the shell's `times` for its children, inside the container: they
are not this process's children) gives steadier ratios on a loaded machine. The load average is
printed at the start and the end. Target: traced/untraced <= 1.25 with --seccomp-bpf. Needs
docker, strace and the Debian image. Prints one JSON line: medians in seconds, ratios, samples.
Each container starts the service `--repeat` times, so the workload outweighs the container's
start and the CPU time (counted in 10 ms steps) has something to count.
    python benches/bench_trace_overhead.py [--runs R] [--no-bpf-runs R] [--repeat N]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

import attrs

from codegenie_adapters.container_flags import pick_cpu, render_policy
from codegenie_adapters.docker_strace import strace_flags
from codegenie_adapters.trace_out import OUT_DIR_NAME, OUT_MOUNT
from codegenie_adapters.tracer_bundle import MOUNT, TracerBundle, build_bundle
from codegenie_core.probes.layer_c.model import TRACE_POLICY

TARGET_RATIO = 1.25
IMAGE = "codegenie-trace:bench-overhead-debian"
FIXTURE = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "runtime" / "python-service"
# the service's start, once: the argument makes it exit instead of serving (see its app.py)
IMAGE_PYTHON = "python3"  # the image's own interpreter, inside the container: not this host's
WORKLOAD: tuple[str, ...] = (IMAGE_PYTHON, "/srv/app.py", "once")
# dash's `times`: the shell's user and system time, then its children's
_TIMES = re.compile(r"^(\d+)m([\d.]+)s (\d+)m([\d.]+)s$")


def build_image(workdir: Path) -> None:
    context = workdir / "context"
    shutil.copytree(FIXTURE, context)
    subprocess.run(
        ["docker", "build", "-q", "-t", IMAGE, "--label", "codegenie.trace=1", str(context)],
        check=True,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
    )


def tracer_argv(bundle: TracerBundle, mode: str) -> tuple[str, ...]:
    """The injected strace as the runtime trace runs it: `bpf` and `no-bpf` trace the recorded
    syscalls (with and without `--seccomp-bpf`); `profile` counts every syscall (ADR-0067)."""
    flags = strace_flags(seccomp_bpf=mode == "bpf", count_syscalls=mode == "profile")
    return (*bundle.command(), *flags)


def container(
    argv: tuple[str, ...],
    bundle: TracerBundle,
    out: Path,
    *,
    mode: str | None,
    repeat: int = 1,
    pinned: bool = True,
) -> tuple[float, float]:
    """Wall seconds for one hardened container running `argv` `repeat` times, one after another
    (each under its own strace in `mode`, unless None; on one CPU when `pinned`), and the CPU
    seconds of `argv` and its tracer as the container's shell counts them."""
    mounts = (f"--volume={bundle.directory}:{MOUNT}:ro", f"--volume={out}:{OUT_MOUNT}")
    policy = TRACE_POLICY if pinned else attrs.evolve(TRACE_POLICY, one_cpu=False)
    cpu = pick_cpu(os.sched_getaffinity(0), 0)
    command = " ".join((*(tracer_argv(bundle, mode) if mode else ()), *argv))
    loop = f"i=0; while [ $i -lt {repeat} ]; do {command} >/dev/null 2>&1; i=$((i+1)); done"
    script = f"{loop}; times"
    started = time.perf_counter()
    ran = subprocess.run(
        ["docker", "run", "--rm", *render_policy(policy, "docker", cpu=cpu), *mounts,
         "--entrypoint", "/bin/sh", IMAGE, "-c", script],
        check=True, stdin=subprocess.DEVNULL, capture_output=True, text=True,
    )  # fmt: skip
    wall = time.perf_counter() - started
    return wall, children_cpu_s(ran.stdout)


def children_cpu_s(times_output: str) -> float:
    """The children's user + system seconds from dash's `times` (its second line)."""
    lines = [line.strip() for line in times_output.splitlines() if _TIMES.match(line.strip())]
    if len(lines) < 2:
        raise ValueError(f"no `times` output to read: {times_output[-200:]!r}")
    match = _TIMES.match(lines[-1])
    assert match is not None
    user_m, user_s, sys_m, sys_s = match.groups()
    return int(user_m) * 60 + float(user_s) + int(sys_m) * 60 + float(sys_s)


def overhead_ratios(medians: dict[str, float]) -> dict[str, object]:
    """Whole-run ratios from the medians: traced over untraced with --seccomp-bpf (`ratio_bpf`,
    judged against the target) and without it (`ratio_no_bpf`, over `untraced_small` when that
    was measured, else over `untraced`), the profiling pass over untraced (`ratio_profiling`) and
    a scenario traced then profiled (`ratio_trace_and_profile`), when measured; and how much of
    an untraced run an empty container's start is (`startup_share_of_untraced`); the traced run
    without the one-CPU pin over untraced (`ratio_bpf_unpinned`), when measured."""
    untraced = medians["untraced"]
    ratio_bpf = medians["traced_bpf"] / untraced
    no_bpf = medians.get("traced_no_bpf")
    reference = medians.get("untraced_small", untraced)
    profiling = medians.get("profiling")
    unpinned = medians.get("traced_bpf_unpinned")
    return {
        "ratio_bpf": ratio_bpf,
        "ratio_bpf_unpinned": None if unpinned is None else unpinned / untraced,
        "ratio_no_bpf": None if no_bpf is None else no_bpf / reference,
        "ratio_profiling": None if profiling is None else profiling / untraced,
        "ratio_trace_and_profile": (
            None if profiling is None else (medians["traced_bpf"] + profiling) / untraced
        ),
        "startup_s": medians["startup"],
        "startup_share_of_untraced": medians["startup"] / untraced,
        "within_target": ratio_bpf <= TARGET_RATIO,
    }


def cpu_ratios(cpu: dict[str, float]) -> dict[str, float | None]:
    """The same ratios in CPU seconds (workload and tracer), where measured."""
    untraced = cpu.get("untraced")
    if not untraced:
        return {
            "cpu_ratio_bpf": None, "cpu_ratio_bpf_unpinned": None,
            "cpu_ratio_no_bpf": None, "cpu_ratio_profiling": None,
        }  # fmt: skip

    def over(mode: str) -> float | None:
        value = cpu.get(mode)
        return None if value is None else value / untraced

    return {
        "cpu_ratio_bpf": over("traced_bpf"),
        "cpu_ratio_bpf_unpinned": over("traced_bpf_unpinned"),
        "cpu_ratio_no_bpf": over("traced_no_bpf"),
        "cpu_ratio_profiling": over("profiling"),
    }


def main(argv: Sequence[str] | None = None) -> dict[str, object]:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--no-bpf-runs", type=int, default=3, help="0 skips the slow mode")
    parser.add_argument(
        "--repeat", type=int, default=5, help="service starts per container (CPU time is in 10 ms)"
    )
    args = parser.parse_args(argv)
    load_before = os.getloadavg()[0]
    modes: dict[str, str | None] = {
        "untraced": None, "traced_bpf": "bpf", "traced_bpf_unpinned": "bpf",
        "profiling": "profile", "traced_no_bpf": "no-bpf",
    }  # fmt: skip
    samples: dict[str, list[float]] = {"startup": [], **{mode: [] for mode in modes}}
    cpu_samples: dict[str, list[float]] = {mode: [] for mode in modes}
    with tempfile.TemporaryDirectory(prefix="codegenie-bench-trace-") as temp:
        workdir = Path(temp)
        build_image(workdir)
        bundle = build_bundle("strace")
        assert isinstance(bundle, TracerBundle), bundle
        out = workdir / "out"
        # Where the runner's strace writes (trace_out): the fixture's image runs as root, the
        # owner of these directories when the bench runs (as docker needs it), so nothing here
        # is writable by another local user or by a container of another uid.
        out.mkdir(mode=0o700)
        (out / OUT_DIR_NAME).mkdir(mode=0o700)
        try:
            for run in range(args.runs):  # interleaved: a change of load moves every mode
                started = container(("/bin/true",), bundle, out, mode=None, pinned=False)
                samples["startup"].append(started[0])
                for name, mode in modes.items():
                    if name == "traced_no_bpf" and run >= args.no_bpf_runs:
                        continue
                    wall, cpu = container(
                        WORKLOAD, bundle, out, mode=mode, repeat=args.repeat,
                        pinned=mode is not None and name != "traced_bpf_unpinned",
                    )  # fmt: skip
                    samples[name].append(wall)
                    cpu_samples[name].append(cpu)
        finally:
            shutil.rmtree(bundle.directory, ignore_errors=True)
            subprocess.run(["docker", "rmi", "-f", IMAGE], capture_output=True, check=False)
    medians = {mode: statistics.median(s) for mode, s in samples.items() if s}
    cpu = {mode: statistics.median(s) for mode, s in cpu_samples.items() if s}
    result: dict[str, object] = {
        "bench": "trace_overhead",
        "workload": "debian python-service, app.py once",
        "runs": args.runs,
        "repeat": args.repeat,
        "no_bpf_runs": args.no_bpf_runs,
        "medians_s": medians,
        "cpu_medians_s": cpu,
        **overhead_ratios(medians),
        **cpu_ratios(cpu),
        "target_ratio": TARGET_RATIO,
        "load_average": max(load_before, os.getloadavg()[0]),
        "load_before": load_before,
        "load_after": os.getloadavg()[0],
        "samples_s": samples,
        "cpu_samples_s": cpu_samples,
    }
    print(json.dumps(result))
    return result


if __name__ == "__main__":
    main()
