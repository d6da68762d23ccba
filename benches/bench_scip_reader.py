"""Streaming SCIP read throughput and memory, with protobuf's whole-message parse for scale.

Generates a synthetic index with protoc's standard module (tests/scip_subset_pb2.py; protobuf is a
dev dependency, default ~300 MB), then, each in a fresh
child process, (1) only starts the interpreter and imports the reader (the RSS floor), (2) reads it
with `ScipReader` (streaming, document by document), (3) reads the whole file and
`Index.ParseFromString`s it, then counts the same summary. Peak RSS comes from
`resource.getrusage(RUSAGE_CHILDREN)` after each group of children, so the groups run from the
smallest expected footprint to the largest. Goal (ADR-0032, which replaced ADR-0009's ">= 2x the
whole-message parse" when the reader stopped using protobuf): streaming at >= 25 MB/s (a 300 MB
index in 12 s), with peak RSS under 64 MB. The ratios to protobuf's upb parse are reported, not
judged. Prints one JSON object.
    python benches/bench_scip_reader.py [--mb N] [--runs R]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # a plain script: make the work tree importable
    sys.path.insert(0, str(ROOT))

from tests import scip_subset_pb2 as pb  # noqa: E402 -- after the sys.path bootstrap

SMOKE_ARGV = ("--mb", "2", "--runs", "1")
GOAL_MB_PER_S = 25.0
GOAL_RSS_MB = 64.0

_CHILD = {
    "floor": """
import time
started = time.perf_counter()
from codegenie_adapters.scip_reader import ScipReader
print(time.perf_counter() - started)
""",
    "streaming": """
import sys, time
from codegenie_adapters.scip_reader import ScipReader
started = time.perf_counter()
summary = ScipReader(sys.argv[1]).read(sys.argv[2])
elapsed = time.perf_counter() - started
assert summary.document_count > 0, summary
print(elapsed)
""",
    "whole": """
import os, sys, time
from tests import scip_subset_pb2 as pb
started = time.perf_counter()
with open(os.path.join(sys.argv[1], sys.argv[2]), "rb") as f:
    index = pb.Index.FromString(f.read())
parsed = time.perf_counter() - started
occurrences = definitions = symbols = 0
for document in index.documents:
    occurrences += len(document.occurrences)
    symbols += len(document.symbols)
    definitions += sum(1 for o in document.occurrences if o.symbol_roles & 1)
assert len(index.documents) > 0
print(time.perf_counter() - started, parsed)
""",
}


def _template(variant: int) -> bytes:
    """A serialized Document body (no path) of ~100 KB: occurrences, symbols, documentation."""
    document = pb.Document(language="TypeScript")
    for n in range(400):
        symbol = f"scip-typescript npm pkg 1.0.0 src/`mod{variant}.ts`/Thing{n}#method{n}()."
        document.occurrences.add(
            range=[n, 4, n, 4 + 10], symbol=symbol, symbol_roles=1 if n % 4 == 0 else 8
        )
        if n % 4 == 0:
            document.symbols.add(
                symbol=symbol,
                documentation=[f"```ts\nmethod{n}(): void\n```", "Does a thing. " * 8],
                kind=26,
                display_name=f"method{n}",
            )
    return document.SerializeToString()


def _varint(value: int) -> bytes:
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def generate(path: Path, megabytes: float) -> int:
    """Write an index of about `megabytes` MB field by field; the number of documents."""
    metadata = pb.Metadata(project_root="file:///bench", text_document_encoding=1)
    metadata.tool_info.name = "scip-typescript"
    metadata.tool_info.version = "0.4.0"
    templates = [_template(v) for v in range(8)]
    target = int(megabytes * 1_000_000)
    written = documents = 0
    with path.open("wb") as out:
        meta = metadata.SerializeToString()
        out.write(b"\x0a" + _varint(len(meta)) + meta)
        while written < target:
            name = pb.Document(relative_path=f"src/dir{documents % 97}/mod{documents}.ts")
            body = name.SerializeToString() + templates[documents % len(templates)]
            chunk = b"\x12" + _varint(len(body)) + body
            out.write(chunk)
            written += len(chunk)
            documents += 1
    return documents


def _child(mode: str, directory: Path, name: str) -> list[float]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", _CHILD[mode], str(directory), name],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    return [float(x) for x in done.stdout.split()]


def _peak_children_mb() -> float:
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024  # Linux: kilobytes


def main(argv: Sequence[str] | None = None) -> dict[str, object]:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--mb", type=float, default=300.0, help="size of the synthetic index")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-scip-") as tmp:
        directory = Path(tmp)
        documents = generate(directory / "index.scip", args.mb)
        size = (directory / "index.scip").stat().st_size
        _child("floor", directory, "index.scip")
        floor_rss = _peak_children_mb()
        streaming = [_child("streaming", directory, "index.scip")[0] for _ in range(args.runs)]
        streaming_rss = _peak_children_mb()
        whole_runs = [_child("whole", directory, "index.scip") for _ in range(args.runs)]
        whole_rss = _peak_children_mb()
    stream_s = statistics.median(streaming)
    whole_s = statistics.median(r[0] for r in whole_runs)
    parse_only_s = statistics.median(r[1] for r in whole_runs)
    result: dict[str, object] = {
        "bench": "scip_reader",
        "index_mb": round(size / 1_000_000, 1),
        "documents": documents,
        "streaming_s": round(stream_s, 3),
        "streaming_mb_per_s": round(size / 1_000_000 / stream_s, 1),
        "whole_parse_and_summary_s": round(whole_s, 3),
        "whole_parse_only_s": round(parse_only_s, 3),
        "ratio_whole_over_streaming": round(whole_s / stream_s, 2),
        "ratio_parse_only_over_streaming": round(parse_only_s / stream_s, 2),
        "peak_rss_mb": {
            "interpreter_floor": round(floor_rss, 1),
            "streaming": round(streaming_rss, 1),
            "whole": round(whole_rss, 1),
        },
        "goal": {"mb_per_s_at_least": GOAL_MB_PER_S, "streaming_rss_under_mb": GOAL_RSS_MB},
        "goal_met": size / 1_000_000 / stream_s >= GOAL_MB_PER_S and streaming_rss < GOAL_RSS_MB,
        "runs": args.runs,
    }
    print(json.dumps(result))
    return result


if __name__ == "__main__":
    main()
