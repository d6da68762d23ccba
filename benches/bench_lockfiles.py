"""Lockfile parse throughput, and what reading lockfiles adds to a cold `--layer a` gather.

Issue #11's measure: a 20,000-file monorepo with 50 workspace members and a 10,000-package
lockfile in each of pnpm, npm, yarn, Cargo, uv and Poetry form. For each format, the lockfile
a `benches/_gen_lock_<format>.py` generator writes is parsed by the reader the `manifests` probe
uses (YAML formats through the same YAML reader), and the throughput is printed in MB/s. Then the
cold `--layer a` gather (`--no-cache`, in-process through the public API, the median of `--runs`)
of the monorepo with its lockfiles is compared with the same gather of a copy without them, each
written as YAML as the CLI prints it, the two sampled alternately: the target is a ratio of at
most 1.5. Run:
    python benches/bench_lockfiles.py [--packages N] [--members N] [--files N] [--runs N]
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import posixpath
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from codegenie_adapters.api import gather_repository
from codegenie_adapters.config_yaml import RuamelYamlReader
from codegenie_adapters.documents import to_yaml
from codegenie_core.config import GatherConfig
from codegenie_core.parsers.lock_yaml import NotInSubset, parse_lock_yaml
from codegenie_core.ports import TextProblem
from codegenie_core.probes.layer_a.inventory_sources import LOCK_READERS

SMOKE_ARGV = ("--packages", "200", "--members", "4", "--files", "300", "--runs", "1")
# format -> generator module under benches/ (each has `generate(packages, members)`)
GENERATORS: dict[str, str] = {
    "pnpm": "_gen_lock_pnpm",
    "npm": "_gen_lock_package_lock",
    "yarn": "_gen_lock_yarn",
    "cargo": "_gen_lock_cargo",
    "uv": "_gen_lock_uv",
    "poetry": "_gen_lock_poetry",
}
TARGET_RATIO = 1.5


def _generator(module: str) -> Callable[[int, int], Mapping[str, str]]:
    return importlib.import_module(module).generate


def _lockfile_of(files: Mapping[str, str]) -> tuple[str, str]:
    for path, text in files.items():
        for lock in LOCK_READERS:
            if lock.reader.matches(path) and lock.reader.read is not None:
                return path, text
    raise SystemExit(f"the generator wrote no lockfile a reader matches: {sorted(files)[:5]}")


def _parse_seconds(path: str, text: str, runs: int) -> float:
    lock = next(g for g in LOCK_READERS if g.reader.matches(path))
    read = lock.reader.read
    assert read is not None
    yaml = RuamelYamlReader()
    samples: list[float] = []
    for _ in range(runs):
        started = time.perf_counter()
        document: object = text
        if lock.reader.yaml:  # as the probe reads it: the subset parser, ruamel outside it
            document = parse_lock_yaml(text)
            if isinstance(document, NotInSubset):
                document = yaml.parse(text)
            assert not isinstance(document, TextProblem), document
        parsed = read(path, document)
        samples.append(time.perf_counter() - started)
        assert parsed.value is not None and parsed.value.packages, (path, parsed.problems[:3])
    return statistics.median(samples)


def _write(root: Path, files: Mapping[str, str]) -> None:
    for relative, text in files.items():
        target = root / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")


def _filler(root: Path, count: int) -> None:
    for index in range(count):
        target = root / "src" / f"pkg{index % 50}" / f"module_{index}.ts"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(f"export const value{index} = {index};\n" * (index % 20 + 1))


def _cold_gather_seconds(root: Path) -> tuple[float, float]:
    """One cold gather of layer A, its document built and written as YAML included (what
    `codegenie-cli gather --layer a --no-cache` prints when piped): (wall, CPU) seconds, the CPU
    time of the whole process (every probe thread), steadier than wall time on a loaded
    machine."""
    config = GatherConfig(layers=frozenset({"a"}))
    with tempfile.TemporaryDirectory(prefix="bench-lock-cache-") as cache:
        started, cpu = time.perf_counter(), time.process_time()
        result = gather_repository(str(root), config=config, cache_dir=cache, cache_mode="off")
        text = to_yaml(result.to_document())
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    assert "\nmanifests:" in text or "  manifests:" in text, "the manifests probe did not run"
    return seconds, cpu


def _interleaved(
    with_locks: Path, without_locks: Path, runs: int
) -> tuple[tuple[float, float], tuple[float, float]]:
    """The medians (wall, CPU) of both gathers, sampled alternately, so a machine whose load
    changes moves both alike instead of whichever phase it happened to fall in."""
    samples: tuple[list[tuple[float, float]], list[tuple[float, float]]] = ([], [])
    for _ in range(runs):
        samples[0].append(_cold_gather_seconds(with_locks))
        samples[1].append(_cold_gather_seconds(without_locks))
    return _medians(samples[0]), _medians(samples[1])


def _medians(samples: list[tuple[float, float]]) -> tuple[float, float]:
    return statistics.median(s[0] for s in samples), statistics.median(s[1] for s in samples)


def main(argv: Sequence[str] | None = None) -> dict[str, object]:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--packages", type=int, default=10_000)
    parser.add_argument("--members", type=int, default=50)
    parser.add_argument("--files", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    throughput: dict[str, float] = {}
    workspaces: dict[str, Mapping[str, str]] = {}
    for name, module in GENERATORS.items():
        files = _generator(module)(args.packages, args.members)
        workspaces[name] = files
        path, text = _lockfile_of(files)
        seconds = _parse_seconds(path, text, args.runs)
        throughput[name] = len(text.encode("utf-8")) / 1e6 / seconds
    with tempfile.TemporaryDirectory(prefix="bench-lockfiles-") as temp:
        roots = (Path(temp) / "with-lockfiles", Path(temp) / "without-lockfiles")
        for root in roots:
            written = 0
            for name, files in workspaces.items():
                _write(root / name, files)
                written += len(files)
            _filler(root, max(0, args.files - written))
        for name, files in workspaces.items():  # the same monorepo, its lockfiles removed
            for p in files:
                if any(g.reader.matches(posixpath.join(name, p)) for g in LOCK_READERS):
                    os.unlink(roots[1] / name / p)
        with_locks, without_locks = _interleaved(roots[0], roots[1], args.runs)
    ratio = with_locks[0] / without_locks[0]
    result: dict[str, object] = {
        "load_average_1m": round(os.getloadavg()[0], 2),
        "packages": args.packages,
        "members": args.members,
        "files": args.files,
        "parse_mb_per_s": {k: round(v, 2) for k, v in throughput.items()},
        "cold_layer_a_with_lockfiles_s": round(with_locks[0], 4),
        "cold_layer_a_without_lockfiles_s": round(without_locks[0], 4),
        "ratio": round(ratio, 3),
        "cold_layer_a_with_lockfiles_cpu_s": round(with_locks[1], 4),
        "cold_layer_a_without_lockfiles_cpu_s": round(without_locks[1], 4),
        "cpu_ratio": round(with_locks[1] / without_locks[1], 3),
        "target_ratio": TARGET_RATIO,
        "meets_target": ratio <= TARGET_RATIO,
    }
    print(json.dumps(result))
    return result


if __name__ == "__main__":
    main()
