"""strace parser throughput on a large generated `strace -f` trace, against `for line in f: pass`
over the same file in the same run (ADR-0053, ADR-0079).

The trace holds what the layer C tracer asks strace for (`-e trace=` the recorded calls only, see
`TRACED_SYSCALLS`), weighted as a container start shows them: openat successes, ENOENT probes,
writes and directories, a path with escapes now and then; execve successes and PATH-search
failures; connects; clones; exits; a few calls split into `<unfinished ...>` and `resumed`. Pids
come from 4000 and names from a million values, so almost every line is distinct and nothing a
parser remembers can flatter it.
Both sides read the same file: the reference line by line, the parser in 1 MiB blocks through
`parse_strace_chunks` (what a file-sized trace is parsed with, ADR-0079), building the facts.

Prints one JSON line (and writes it to --json PATH): lines per second of both sides, their medians
in seconds, the parser/reference ratio, the same in CPU time (which waiting for a core shared with
other processes does not inflate), the load average, the distinct line count, and the raw samples.
    python benches/bench_strace_parser.py [--lines N] [--runs R] [--json PATH]
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # a plain script: make the work tree importable
    sys.path.insert(0, str(ROOT))

from codegenie_core.parsers.strace import parse_strace_chunks  # noqa: E402 -- after the sys.path bootstrap

# Trace lines are quoted verbatim as strace writes them, however long:
# ruff: noqa: E501

SMOKE_ARGV = ("--lines", "2000", "--runs", "2")
NAME = "strace_parser"
TARGET_LINES_PER_SECOND = 1_000_000
_WORDS = ("node", "python3", "sh", "nginx", "java", "libc", "ssl", "crypto", "app", "z", "ffi")
# (weight, line) templates: w a word, i a number below a million, p the pid
_TEMPLATES: tuple[tuple[int, Callable[[str, int, int], str]], ...] = (
    (
        24,
        lambda w, i, p: (
            f'openat(AT_FDCWD, "/usr/lib/x86_64-linux-gnu/lib{w}.so.{i % 9}", O_RDONLY|O_CLOEXEC) = {3 + i % 40}'
        ),
    ),
    (
        24,
        lambda w, i, p: (
            f'openat(AT_FDCWD, "/etc/{w}/{i}.conf", O_RDONLY) = -1 ENOENT (No such file or directory)'
        ),
    ),
    (
        8,
        lambda w, i, p: (
            f'openat(AT_FDCWD, "/var/log/{w}-{i}.log", O_WRONLY|O_CREAT|O_APPEND, 0644) = {3 + i % 40}'
        ),
    ),
    (
        8,
        lambda w, i, p: (
            f'openat(AT_FDCWD, "/srv/{w}/d{i}", O_RDONLY|O_NONBLOCK|O_CLOEXEC|O_DIRECTORY) = {3 + i % 40}'
        ),
    ),
    (8, lambda w, i, p: f'openat(AT_FDCWD, "/srv/{w}/{i}.js", O_RDONLY|O_CLOEXEC) = {3 + i % 40}'),
    (
        1,
        lambda w, i, p: (
            f'openat(AT_FDCWD, "/srv/{w}/data\\n\\303\\251{i}", O_RDONLY) = {3 + i % 40}'
        ),
    ),
    (
        8,
        lambda w, i, p: (
            f'execve("/usr/bin/{w}{i % 50}", ["{w}", "--flag", "v{i}"], 0x7ffd{i:05x} /* {i % 30} vars */) = 0'
        ),
    ),
    (
        6,
        lambda w, i, p: (
            f'execve("/usr/local/sbin/{w}{i % 7}", ["{w}"], 0x7ffd0 /* 12 vars */) = -1 ENOENT (No such file or directory)'
        ),
    ),
    (
        3,
        lambda w, i, p: (
            f'connect({3 + i % 40}, {{sa_family=AF_INET, sin_port=htons({1000 + i % 5000}), sin_addr=inet_addr("10.0.{i % 250}.{i % 200}")}}, 16) = -1 ECONNREFUSED (Connection refused)'
        ),
    ),
    (
        6,
        lambda w, i, p: (
            f"clone(child_stack=NULL, flags=CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD, child_tidptr=0x7f{i:x}) = {p + 1 + i % 7}"
        ),
    ),
    (2, lambda w, i, p: f"+++ exited with {i % 3} +++"),
    (
        2,
        lambda w, i, p: (
            f'openat(AT_FDCWD, "/proc/{i}/stat", O_RDONLY <unfinished ...>\n{p}  <... openat resumed>) = 7'
        ),
    ),
)
_WEIGHTS = tuple(weight for weight, _ in _TEMPLATES)


def generate(lines: int, seed: int = 7) -> list[str]:
    """A deterministic trace of `lines` lines: templates (by weight), pids and names at random."""
    rng = random.Random(seed)
    templates = rng.choices([make for _, make in _TEMPLATES], weights=_WEIGHTS, k=lines)
    text = "\n".join(
        f"{(pid := 100 + rng.randrange(4000))}  {make(rng.choice(_WORDS), rng.randrange(1_000_000), pid)}"
        for make in templates
    )
    return text.split("\n")[:lines]  # a split call is two lines


CHUNK_BYTES = 1 << 20
# the clocks every sample is read on: wall time, and the process's CPU time (which waiting for a
# core shared with other processes does not inflate)
CLOCKS: dict[str, Callable[[], float]] = {"wall": time.perf_counter, "cpu": time.process_time}


def reference(path: Path) -> None:
    """`for line in f: pass` over the trace file."""
    with path.open(encoding="utf-8") as f:
        for _line in f:
            pass


def parse(path: Path) -> None:
    """Read the trace file in blocks and parse it into its facts, as layer C parses a trace."""
    with path.open("rb") as f:
        parse_strace_chunks(iter(functools.partial(f.read, CHUNK_BYTES), b""))


def timed(side: Callable[[Path], None], path: Path) -> dict[str, float]:
    """Seconds of one run of `side` on every clock in `CLOCKS`."""
    started = {name: clock() for name, clock in CLOCKS.items()}
    side(path)
    return {name: clock() - started[name] for name, clock in CLOCKS.items()}


def main(argv: Sequence[str] | None = None) -> dict[str, object]:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--lines", type=int, default=500_000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--json", type=Path, default=None, help="also write the result row here")
    args = parser.parse_args(argv)
    lines = generate(args.lines)
    samples: dict[str, dict[str, list[float]]] = {
        side.__name__: {clock: [] for clock in CLOCKS} for side in (reference, parse)
    }
    with tempfile.TemporaryDirectory(prefix="codegenie-bench-strace-") as scratch:
        path = Path(scratch) / "trace.txt"
        path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
        size = path.stat().st_size
        for _ in range(args.runs):  # alternated, so a noisy machine moves both sides alike
            for side in (reference, parse):
                for clock, seconds in timed(side, path).items():
                    samples[side.__name__][clock].append(seconds)
    parsed, parsed_cpu = samples["parse"]["wall"], samples["parse"]["cpu"]
    baseline, baseline_cpu = samples["reference"]["wall"], samples["reference"]["cpu"]
    parse_median = statistics.median(parsed)
    reference_median = statistics.median(baseline)
    lines_per_second = args.lines / parse_median
    result: dict[str, object] = {
        "bench": NAME,
        "lines": args.lines,
        "distinct_lines": len(set(lines)),
        "bytes": size,
        "lines_per_second": lines_per_second,
        "reference_lines_per_second": args.lines / reference_median,
        "target_lines_per_second": TARGET_LINES_PER_SECOND,
        "meets_target": lines_per_second >= TARGET_LINES_PER_SECOND,
        "target_verdict": "met" if lines_per_second >= TARGET_LINES_PER_SECOND else "not met",
        "parse_median_s": parse_median,
        "reference_median_s": reference_median,
        "ratio": parse_median / reference_median,
        # CPU time: what waiting for a core shared with other processes does not inflate
        "cpu_lines_per_second": args.lines / statistics.median(parsed_cpu),
        "cpu_ratio": statistics.median(parsed_cpu) / statistics.median(baseline_cpu),
        "load_average": os.getloadavg()[0] if hasattr(os, "getloadavg") else None,
        "parse_ns_per_line": parse_median / args.lines * 1e9,
        "reference_ns_per_line": reference_median / args.lines * 1e9,
        "runs": args.runs,
        "parse_samples_s": parsed,
        "reference_samples_s": baseline,
        "parse_cpu_samples_s": parsed_cpu,
        "reference_cpu_samples_s": baseline_cpu,
    }
    text = json.dumps(result)
    print(text)
    if args.json is not None:
        write_row(args.json, text)
    return result


def write_row(path: Path, text: str) -> None:
    """Write a result row atomically (temp file + rename)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.write_text(text + "\n", encoding="utf-8")
    temporary.replace(path)


if __name__ == "__main__":
    main()
