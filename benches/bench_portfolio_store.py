"""The portfolio store's base-image question over 10,000 repositories' facts (issue #13).

Builds a store of `--repos` generated documents (benches/_gen_portfolio.py: shaped like the
goldens, `--deps` inventory entries each), recorded in batches (ADR-0078) as the driver
records them, then times on a read-only connection, as `portfolio query` opens it (median of
`--runs`):
- the question, "which repositories build FROM node:16", over the `base_images` fact table and
  its index: the target is under 50 ms;
- the reference, the same question answered by scanning every stored document's JSON with
  `json_each`/`json_extract` (what a store without fact tables would do), whose answer must be
  the same; the ratio is printed.
Run:
    python benches/bench_portfolio_store.py [--repos N] [--deps N] [--runs N]
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import _gen_portfolio

from codegenie_adapters.portfolio_read import open_reader
from codegenie_adapters.portfolio_store import open_store
from codegenie_core.config import GatherConfig
from codegenie_core.portfolio import RepoGathered, RepoTask, TaskSpec

SMOKE_ARGV = ("--repos", "200", "--deps", "10", "--runs", "3")
TARGET_MS = 50.0
QUESTION = (
    "SELECT DISTINCT r.key FROM base_images b JOIN repositories r USING (repo_id)"
    " WHERE b.image = 'node' AND b.tag = '16' ORDER BY r.key"
)
REFERENCE = (
    "SELECT DISTINCT r.key FROM documents d JOIN repositories r USING (repo_id),"
    " json_each(d.document, '$.probes.dockerfile.slice.dockerfiles') f,"
    " json_each(f.value, '$.stages') s"
    " WHERE json_extract(s.value, '$.base.name') = 'node'"
    " AND json_extract(s.value, '$.base.tag') = '16' ORDER BY r.key"
)


def _build(path: str, repos: int, deps: int) -> float:
    spec = TaskSpec(config=GatherConfig(), cache_dir=None, cache_max_bytes=1 << 30)
    tasks = [RepoTask(key=f"/portfolio/repo-{i:05d}", kind="path", needs_engine=False)
             for i in range(repos)]  # fmt: skip
    store = open_store(path)
    started = time.perf_counter()
    run = store.begin_run(spec, tasks)
    for i, task in enumerate(tasks):
        document = _gen_portfolio.document(i, deps=deps)
        result = RepoGathered(task=task, head=f"h{i}", state_token=None, document=document,
                              duration_ms=1)  # fmt: skip
        store.record(run, result)
    store.finish_run(run)
    seconds = time.perf_counter() - started
    store.close()
    return seconds


def _median_ms(conn: sqlite3.Connection, sql: str, runs: int) -> tuple[float, list[str]]:
    times: list[float] = []
    keys: list[str] = []
    for _ in range(runs):
        started = time.perf_counter()
        keys = [key for (key,) in conn.execute(sql).fetchall()]
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), keys


def main(argv: Sequence[str] | None = None) -> dict[str, object]:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repos", type=int, default=10_000)
    parser.add_argument("--deps", type=int, default=40)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-portfolio-store-") as temp:
        path = str(Path(temp) / "portfolio.sqlite")
        build_s = _build(path, args.repos, args.deps)
        conn = open_reader(path)
        plan = [row[-1] for row in conn.execute(f"EXPLAIN QUERY PLAN {QUESTION}")]
        question_ms, found = _median_ms(conn, QUESTION, args.runs)
        reference_ms, expected = _median_ms(conn, REFERENCE, max(1, args.runs // 5))
        facts = conn.execute("SELECT count(*) FROM base_images").fetchone()[0]
        deps = conn.execute("SELECT count(*) FROM dependencies").fetchone()[0]
        conn.close()
        size_mb = Path(path).stat().st_size / 1e6
    seeded = [
        f"/portfolio/repo-{i:05d}" for i in range(args.repos) if _gen_portfolio.seeded_node16(i)
    ]
    if not found == expected == seeded:
        raise SystemExit(f"the answers differ: {len(found)} by facts, {len(expected)} by scan")
    result: dict[str, object] = {
        "repos": args.repos,
        "base_image_rows": facts,
        "dependency_rows": deps,
        "store_mb": round(size_mb, 1),
        "build_repos_per_s": round(args.repos / build_s, 1),
        "answer": len(found),
        "plan": plan,
        "question_ms": round(question_ms, 3),
        "reference_full_scan_ms": round(reference_ms, 3),
        "ratio_to_reference": round(question_ms / reference_ms, 5),
        "target_ms": TARGET_MS,
        "meets_target": question_ms < TARGET_MS,
    }
    print(json.dumps(result))
    return result


if __name__ == "__main__":
    main()
