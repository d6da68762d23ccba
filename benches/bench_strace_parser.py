"""strace parser throughput on a large generated `strace -f` trace, against a reference measured in
the same run: the least any line parser does (split the text into lines and match the pid prefix).

Prints one JSON line: lines per second, medians in seconds, the parser/reference ratio, samples.
    python benches/bench_strace_parser.py [--lines N] [--runs R]
"""

from __future__ import annotations

import argparse
import json
import random
import re
import statistics
import time
from collections.abc import Sequence

from codegenie_core.parsers.strace import parse_strace

# Trace lines are quoted verbatim as strace writes them, however long:
# ruff: noqa: E501

SMOKE_ARGV = ("--lines", "2000", "--runs", "2")
_TEMPLATES = (
    'execve("/usr/bin/{w}", ["{w}", "--flag", "value"], 0x7ffd0 /* 12 vars */) = 0',
    'execve("/usr/local/sbin/{w}", ["{w}"], 0x7ffd0 /* 12 vars */) = -1 ENOENT (No such file or directory)',
    'execve("/proc/self/exe", ["{w}", "/etc/{w}"], 0x1905 /* 6 vars */) = 0',
    'openat(AT_FDCWD, "/usr/lib/x86_64-linux-gnu/lib{w}.so.6", O_RDONLY|O_CLOEXEC) = 3',
    'openat(AT_FDCWD, "/etc/{w}.conf", O_RDONLY) = -1 ENOENT (No such file or directory)',
    'openat(AT_FDCWD, "/var/log/{w}.log", O_WRONLY|O_CREAT|O_APPEND, 0644) = 4',
    'openat(AT_FDCWD, "/srv/{w}/data\\n\\x41", O_RDONLY <unfinished ...>',
    "<... openat resumed>) = 5",
    'connect(3, {{sa_family=AF_INET, sin_port=htons(5432), sin_addr=inet_addr("10.0.0.{n}")}}, 16) = -1 ECONNREFUSED (Connection refused)',
    "clone(child_stack=NULL, flags=CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD, child_tidptr=0x1) = {n}",
    "+++ exited with 0 +++",
)


def generate(lines: int, seed: int = 7) -> list[str]:
    """A deterministic trace of `lines` lines over 64 pids and a small vocabulary of names."""
    rng = random.Random(seed)
    words = ["node", "python3", "sh", "nginx", "java", "libc", "ssl", "crypto", "app"]
    out: list[str] = []
    template_index = 0
    while len(out) < lines:
        pid = 100 + rng.randrange(64)
        template = _TEMPLATES[template_index % len(_TEMPLATES)]
        template_index += 1
        body = template.format(w=rng.choice(words), n=rng.randrange(200, 400))
        out.append(f"{pid}  {body}")
    return out


_PID = re.compile(r"^(\d+) +(.*)$", re.DOTALL | re.ASCII)


def reference(text: str) -> float:
    """Seconds to split `text` into lines and match each line's pid prefix."""
    started = time.perf_counter()
    count = 0
    for line in text.split("\n"):
        if _PID.match(line) is not None:
            count += 1
    return time.perf_counter() - started


def parse(text: str) -> float:
    started = time.perf_counter()
    parse_strace(text.split("\n"))
    return time.perf_counter() - started


def main(argv: Sequence[str] | None = None) -> dict[str, object]:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--lines", type=int, default=500_000)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args(argv)
    text = "\n".join(generate(args.lines))
    parsed: list[float] = []
    baseline: list[float] = []
    for _ in range(args.runs):
        baseline.append(reference(text))
        parsed.append(parse(text))
    median = statistics.median(parsed)
    result: dict[str, object] = {
        "bench": "strace_parser",
        "lines": args.lines,
        "bytes": len(text),
        "lines_per_second": args.lines / median if median else None,
        "parse_median_s": median,
        "reference_median_s": statistics.median(baseline),
        "ratio": median / statistics.median(baseline),
        "runs": args.runs,
        "parse_samples_s": parsed,
        "reference_samples_s": baseline,
    }
    print(json.dumps(result))
    return result


if __name__ == "__main__":
    main()
