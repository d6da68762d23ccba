"""Linearity of the parsers: for each input family, the time of a 10n input over an n input
(target <= 12: linear is 10), and a 10,000-line Dockerfile's parse time against reading its file.

Each family is the shape that once made a parser quadratic: many ENV lines, many EXPOSE ports, a
long chain of stages (`FROM s1 AS s2`), a long chain of ARG defaults (`ARG A2=$A1`), a long chain
of `/proc/self/exe` re-execs across cloned pids, plain strace lines, and a pnpm lockfile of n
packages read by the lockfile YAML subset parser (ADR-0047), and the TOML lockfiles' rtoml
pre-scan over nine shapes repeated 20n times (ADR-0048; it was a timed unit test). Samples
alternate n and 10n, so a noisy machine moves both alike, and time is the process's CPU time
(`time.process_time`), which waiting for a core shared with other processes does not inflate.
Two ratios are printed, of the medians (judged against the target) and of the minimums.

Prints one JSON line: per family the medians, both ratios, whether it is within the target and
the samples; for two 10,000-line Dockerfiles (a chain of realistic stages, and the hostile
shapes above a quarter each) the parse and read medians and their ratio; for a generated pnpm
lockfile of `--pnpm-packages` packages, the MB/s of the subset parser and of the `YamlReader`
port (ruamel, the fallback), each followed by `read_pnpm_lock`.
    python benches/bench_parser_linearity.py [--n N] [--runs R] [--dockerfile-lines L]
        [--pnpm-packages P]
"""

from __future__ import annotations

import argparse
import gc
import json
import statistics
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from codegenie_adapters.config_yaml import RuamelYamlReader
from codegenie_core.parsers.dockerfile_facts import describe_dockerfile
from codegenie_core.parsers.lock_toml import rtoml_agrees
from codegenie_core.parsers.lock_yaml import NotInSubset, parse_lock_yaml
from codegenie_core.parsers.pnpm_lock import read_pnpm_lock
from codegenie_core.parsers.strace import parse_strace

try:
    from benches._gen_lock_pnpm import generate as generate_pnpm
except ImportError:  # run as a script: the generator is beside it, on sys.path
    from _gen_lock_pnpm import generate as generate_pnpm

SMOKE_ARGV = (
    "--n", "40", "--runs", "1", "--dockerfile-lines", "400", "--pnpm-packages", "50",
)  # fmt: skip
TARGET_RATIO = 12.0


def dockerfile_env(n: int) -> str:
    return "FROM scratch\n" + "".join(f"ENV NAME_{i}=value{i} OTHER_{i}=x\n" for i in range(n))


def dockerfile_expose(n: int) -> str:
    lines = (f"EXPOSE {1 + i % 65535}/tcp {1 + (i * 7) % 65535}/udp\n" for i in range(n))
    return "FROM scratch\n" + "".join(lines)


def dockerfile_stage_chain(n: int) -> str:
    lines = (f"FROM s{i} AS s{i + 1}\nENV STAGE_{i}=1\n" for i in range(n))
    return "FROM alpine:3.20 AS s0\n" + "".join(lines)


def dockerfile_arg_chain(n: int) -> str:
    lines = (f"ARG A{i + 1}=$A{i}\n" for i in range(n))
    return "ARG A0=alpine\n" + "".join(lines) + f"FROM ${{A{n}}}\n"


def strace_clone_chain(n: int) -> str:
    """Pid 1000+i clones 1000+i+1, which re-execs itself twice: every exec walks up to pid 1000."""
    lines = ['1000 execve("/bin/busybox", ["sh"], 0x1 /* 3 vars */) = 0']
    for i in range(n):
        parent, child = 1000 + i, 1001 + i
        lines.append(f"{parent} clone(child_stack=NULL, flags=SIGCHLD) = {child}")
        for _ in range(2):
            lines.append(f'{child} execve("/proc/self/exe", ["sh", "-c"], 0x2 /* 3 vars */) = 0')
    return "\n".join(lines)


def strace_plain(n: int) -> str:
    """Ordinary trace lines over 64 pids (opens, execs, connects), four per n."""
    out: list[str] = []
    for i in range(n):
        pid = 100 + i % 64
        out.append(f'{pid} openat(AT_FDCWD, "/usr/lib/lib{i % 97}.so.6", O_RDONLY|O_CLOEXEC) = 3')
        out.append(f'{pid} openat(AT_FDCWD, "/etc/app/{i}.conf", O_RDONLY) = -1 ENOENT (No such)')
        out.append(f'{pid} execve("/usr/bin/tool{i % 13}", ["tool", "-x"], 0x1 /* 2 vars */) = 0')
        address = f'sin_port=htons({1000 + i % 50}), sin_addr=inet_addr("10.0.0.{i % 250}")'
        out.append(f"{pid} connect(3, {{sa_family=AF_INET, {address}}}, 16) = 0")
    return "\n".join(out)


def parse_trace_text(text: str) -> object:
    return parse_strace(text.split("\n"))


def pnpm_lock(n: int) -> str:
    """A pnpm 9.0 lockfile of n packages and three workspace members."""
    return generate_pnpm(n, 3)["pnpm-lock.yaml"]


# Shapes that once made `rtoml_agrees`' pre-scan (ADR-0048) quadratic: unclosed strings, escaped
# quotes, runs of backslashes, unclosed inline tables; each repeated 20 n times.
TOML_PRESCAN_UNITS = {
    "quote_backslash": '"\\"',
    "triple_quote_backslash": '"""\\"""',
    "literal_run": "'''''x",
    "bare_quotes": 'a""',
    "backslash": "\\",
    "comma": ", ",
    "unclosed_inline_table": "[{a=1\n",
    "quote_newline": "\"\n'",
    "brace": "{",
}


def _repeated(unit: str) -> Callable[[int], str]:
    return lambda n: unit * (20 * n)


# family -> (input of size n, the parser it exercises)
INPUTS: dict[str, tuple[Callable[[int], str], Callable[[str], object]]] = {
    "dockerfile_env": (dockerfile_env, describe_dockerfile),
    "dockerfile_expose": (dockerfile_expose, describe_dockerfile),
    "dockerfile_stage_chain": (dockerfile_stage_chain, describe_dockerfile),
    "dockerfile_arg_chain": (dockerfile_arg_chain, describe_dockerfile),
    "strace_clone_chain": (strace_clone_chain, parse_trace_text),
    "strace_plain": (strace_plain, parse_trace_text),
    "lock_yaml_pnpm": (pnpm_lock, parse_lock_yaml),
    **{
        f"toml_prescan_{name}": (_repeated(unit), rtoml_agrees)
        for name, unit in TOML_PRESCAN_UNITS.items()
    },
}

_STAGE = """\
# stage {i}: build, test, then a runtime image
FROM s{prev} AS s{i}
ARG BUILD_{i}=release
ENV PATH_{i}=/opt/{i}/bin \\
    MODE_{i}=production
WORKDIR /src/{i}
COPY --chown=app:app pkg{i}/ ./pkg{i}/
RUN apt-get update \\
    && apt-get install -y --no-install-recommends curl ca-certificates \\
    && rm -rf /var/lib/apt/lists/*
RUN <<BUILD
set -eu
make -C pkg{i} all
BUILD
EXPOSE {port}/tcp {port2}/udp
USER app:app
HEALTHCHECK --interval=30s --timeout=3s CMD ["curl", "-f", "http://localhost:{port}/health"]
LABEL org.example.stage="{i}"
ENTRYPOINT ["/opt/{i}/bin/server"]
CMD ["--port", "{port}"]
"""


def dockerfile_realistic(lines: int) -> str:
    """A Dockerfile of about `lines` lines: a chain of full stages, each built on the last."""
    out = ["# syntax=docker/dockerfile:1.7\nARG BASE=debian:12-slim\nFROM ${BASE} AS s0\n"]
    count, i = 3, 1
    while count < lines:
        stage = _STAGE.format(i=i, prev=i - 1, port=1024 + i % 60000, port2=2048 + i % 60000)
        out.append(stage)
        count += stage.count("\n")
        i += 1
    return "".join(out)


def dockerfile_hostile(lines: int) -> str:
    """About `lines` lines of the shapes that were quadratic, a quarter each: an ARG chain, a
    stage chain, then ENV and EXPOSE lines in the final stage."""
    quarter = max(1, lines // 4)
    args = "ARG A0=alpine:3.20\n" + "".join(f"ARG A{i + 1}=$A{i}\n" for i in range(quarter))
    stages = f"FROM ${{A{quarter}}} AS s0\n" + "".join(
        f"FROM s{i} AS s{i + 1}\n" for i in range(quarter)
    )
    env = "".join(f"ENV NAME_{i}=value{i}\n" for i in range(quarter))
    expose = "".join(f"EXPOSE {1 + i % 65535}/tcp\n" for i in range(quarter))
    return args + stages + env + expose


def _timed(parse: Callable[[str], object], text: str) -> float:
    gc.collect()
    started = time.process_time()
    parse(text)
    return time.process_time() - started


def family(name: str, n: int, runs: int) -> dict[str, object]:
    generate, parse = INPUTS[name]
    small, large = generate(n), generate(10 * n)
    small_samples: list[float] = []
    large_samples: list[float] = []
    for _ in range(runs):
        small_samples.append(_timed(parse, small))
        large_samples.append(_timed(parse, large))
    small_median, large_median = statistics.median(small_samples), statistics.median(large_samples)
    ratio = large_median / small_median if small_median else None
    small_min, large_min = min(small_samples), min(large_samples)
    ratio_of_minimums = large_min / small_min if small_min else None
    return {
        "n": n,
        "n_median_s": small_median,
        "ten_n_median_s": large_median,
        "ratio": ratio,
        "ratio_of_minimums": ratio_of_minimums,
        "within_target": ratio is not None and ratio <= TARGET_RATIO,
        "n_samples_s": small_samples,
        "ten_n_samples_s": large_samples,
    }


def dockerfile_file(text: str, runs: int) -> dict[str, object]:
    with tempfile.TemporaryDirectory(prefix="codegenie-bench-") as directory:
        path = Path(directory) / "Dockerfile"
        path.write_text(text, encoding="utf-8")
        parsed: list[float] = []
        read: list[float] = []
        for _ in range(runs):
            gc.collect()
            started = time.process_time()
            path.read_text(encoding="utf-8")
            read.append(time.process_time() - started)
            parsed.append(_timed(describe_dockerfile, text))
    parse_median, read_median = statistics.median(parsed), statistics.median(read)
    return {
        "lines": text.count("\n"),
        "bytes": len(text.encode("utf-8")),
        "parse_median_s": parse_median,
        "read_median_s": read_median,
        "ratio": parse_median / read_median if read_median else None,
        "parse_samples_s": parsed,
        "read_samples_s": read,
    }


def _subset_then_read(text: str) -> object:
    document = parse_lock_yaml(text)
    assert not isinstance(document, NotInSubset), document
    return read_pnpm_lock("pnpm-lock.yaml", document)


def _port_then_read(text: str) -> object:
    reader = RuamelYamlReader(max_nodes=2**62, max_chars=2**62)  # measure, do not refuse
    return read_pnpm_lock("pnpm-lock.yaml", reader.parse(text))


def pnpm_lock_paths(packages: int, runs: int) -> dict[str, object]:
    """MB/s of the two ways the manifests probe reads a pnpm lockfile, each with read_pnpm_lock."""
    text = pnpm_lock(packages)
    megabytes = len(text.encode("utf-8")) / 1e6
    subset = statistics.median(_timed(_subset_then_read, text) for _ in range(runs))
    port = statistics.median(_timed(_port_then_read, text) for _ in range(max(1, runs // 3)))
    return {
        "packages": packages,
        "megabytes": megabytes,
        "subset_median_s": subset,
        "subset_mb_per_s": megabytes / subset if subset else None,
        "port_median_s": port,
        "port_mb_per_s": megabytes / port if port else None,
        "speedup": port / subset if subset else None,
    }


def main(argv: Sequence[str] | None = None) -> dict[str, object]:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--dockerfile-lines", type=int, default=10_000)
    parser.add_argument("--pnpm-packages", type=int, default=10_000)
    args = parser.parse_args(argv)
    families = {name: family(name, args.n, args.runs) for name in INPUTS}
    result: dict[str, object] = {
        "bench": "parser_linearity",
        "target_ratio": TARGET_RATIO,
        "families": families,
        "all_within_target": all(f["within_target"] for f in families.values()),
        "dockerfile_10k": dockerfile_file(dockerfile_realistic(args.dockerfile_lines), args.runs),
        "dockerfile_10k_hostile": dockerfile_file(
            dockerfile_hostile(args.dockerfile_lines), args.runs
        ),
        "pnpm_lock": pnpm_lock_paths(args.pnpm_packages, args.runs),
        "runs": args.runs,
    }
    print(json.dumps(result))
    return result


if __name__ == "__main__":
    main()
