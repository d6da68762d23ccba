"""The issue's end-to-end portfolio (issue #13): 200 generated repositories gathered on a real
3-node Ray cluster (and the same suite on the local process pool), a worker lost after 50
results, the store queried, and a second run served entirely from a real nginx remote cache.

Every repository exactly once (counted where the executor yields, before the driver's own
once-only guard), every document valid (whole, of this repository, its probe counts adding up,
and equal, timings aside, to a direct single-repository gather), then every local cache wiped
and a second run in which no probe runs, and a base-image query answering exactly the 20
repositories seeded with that image."""

from __future__ import annotations

import json
import os
import shutil
import signal
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import attrs
import pytest
from click.testing import CliRunner

from codegenie_adapters.api import gather_repository
from codegenie_adapters.local_executor import LocalExecutor
from codegenie_adapters.portfolio_read import open_reader, run_query
from codegenie_adapters.portfolio_store import open_store
from codegenie_adapters.portfolio_worker import gather_task
from codegenie_cli.main import cli
from codegenie_core.config import GatherConfig
from codegenie_core.portfolio import Executor, RepoResult, RepoTask, TaskSpec, run_portfolio
from codegenie_core.report.context import without_timings
from tests._ci_support.requires_tool import requires_tool
from tests.git_repos import ISOLATED_CONFIG, commit_all, init_repo, write
from tests.integration.test_remote_cache_nginx import Nginx, nginx  # noqa: F401 -- the fixture
from tests.ray_support import shared_cluster

pytestmark = [pytest.mark.integration, requires_tool("git", "nginx")]

REPOS = 200
FAULT_AFTER = 50
SEEDED_REGISTRY, SEEDED_IMAGE = "registry.example.com", "platform/seeded-base"
SEEDED = frozenset(range(3, REPOS, REPOS // 20))  # 20 repositories, spread through the run
LAYER_A = GatherConfig(layers=frozenset({"a"}))


@attrs.frozen
class Portfolio:
    keys: tuple[str, ...]
    seeded: frozenset[str]


@pytest.fixture(scope="module")
def portfolio(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Portfolio]:
    top = tmp_path_factory.mktemp("portfolio")
    keys: list[str] = []
    seeded: set[str] = set()
    with pytest.MonkeyPatch.context() as patch:
        for name, value in ISOLATED_CONFIG.items():
            patch.setenv(name, value)
        for i in range(REPOS):
            root = init_repo(top / f"repo{i:03d}")
            base = (
                f"{SEEDED_REGISTRY}/{SEEDED_IMAGE}:1.{i}"
                if i in SEEDED
                else f"node:{16 + i % 4}-alpine"
            )
            write(root, "Dockerfile", f'FROM {base}\nCOPY . /app\nCMD ["node", "/app"]\n'.encode())
            write(root, "package.json", json.dumps({"name": f"r{i}", "version": "1.0.0"}).encode())
            write(root, "src/index.js", f"module.exports = {i};\n".encode())
            commit_all(root, "first")
            keys.append(str(root.resolve()))
            if i in SEEDED:
                seeded.add(keys[-1])
        yield Portfolio(keys=tuple(keys), seeded=frozenset(seeded))


class Watched:
    """An executor that counts what `inner` yields and injures it once, after `after` results."""

    def __init__(self, inner: Executor, *, after: int, injure: Callable[[], None]) -> None:
        self.inner, self.after, self.injure = inner, after, injure
        self.yielded: list[str] = []

    def run(self, tasks: Sequence[RepoTask], spec: TaskSpec) -> Iterator[RepoResult]:
        for result in self.inner.run(tasks, spec):
            self.yielded.append(result.task.key)
            if len(self.yielded) == self.after:
                self.injure()
            yield result

    def close(self) -> None:
        self.inner.close()


def _on_ray() -> tuple[Executor, Callable[[], None]]:
    from codegenie_adapters.ray_executor import RayExecutor

    cluster = shared_cluster()
    executor = RayExecutor(gather_task, address=cluster.address, max_in_flight=4)
    return executor, lambda: cluster.replace("plain")  # ungracefully, tasks running on it


def _on_the_local_pool() -> tuple[Executor, Callable[[], None]]:
    return LocalExecutor(gather=gather_task, jobs=2), _kill_a_pool_worker


def _kill_a_pool_worker() -> None:
    """SIGKILL one of this process's children that is a pool worker (a multiprocessing spawn)."""
    for task in os.listdir("/proc/self/task"):
        for child in Path(f"/proc/self/task/{task}/children").read_text().split():
            if b"spawn_main" in Path(f"/proc/{child}/cmdline").read_bytes():
                os.kill(int(child), signal.SIGKILL)
                return
    raise AssertionError("no pool worker to kill")


EXECUTORS = [
    pytest.param(_on_ray, marks=requires_tool("ray"), id="ray"),
    pytest.param(_on_the_local_pool, id="local"),
]


def _gather(
    factory: Callable[[], tuple[Executor, Callable[[], None]]],
    portfolio: Portfolio,
    spec: TaskSpec,
    store: Path,
    *,
    injure: bool,
) -> Watched:
    executor, fault = factory()
    watched = Watched(executor, after=FAULT_AFTER if injure else REPOS + 1, injure=fault)
    opened = open_store(str(store))
    try:
        outcome = run_portfolio(
            [(key, "path") for key in portfolio.keys],
            spec=spec,
            needs_engine=False,
            store=opened,
            executor=watched,
        )
    finally:
        watched.close()
        opened.close()
    assert outcome.gathered == REPOS, outcome
    return watched


def _facts(document: dict[str, object]) -> object:
    """What a document says about its repository: timings, the gather's counts and whether each
    probe ran or came from the cache aside (repositories with equal files share cache entries)."""
    facts = dict(without_timings(document))
    del facts["gather"]
    probes = facts["probes"]
    assert isinstance(probes, dict)
    facts["probes"] = {
        name: {**entry, "outcome": "ran" if entry["outcome"] == "cached" else entry["outcome"]}
        for name, entry in probes.items()
    }
    return facts


def _select(store: Path, sql: str) -> list[tuple[object, ...]]:
    conn = open_reader(str(store))
    try:
        return list(run_query(conn, sql, path=str(store), max_rows=10 * REPOS, timeout_s=60).rows)
    finally:
        conn.close()


@pytest.mark.parametrize("factory", EXECUTORS)
def test_a_portfolio_survives_a_lost_worker_then_comes_back_from_the_remote_cache(
    factory: Callable[[], tuple[Executor, Callable[[], None]]],
    portfolio: Portfolio,
    nginx: Nginx,  # noqa: F811 -- the fixture imported above
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name, value in ISOLATED_CONFIG.items():
        monkeypatch.setenv(name, value)
    cache, store = tmp_path / "cache", tmp_path / "portfolio.sqlite"
    spec = TaskSpec(
        config=LAYER_A,
        cache_dir=str(cache),
        cache_max_bytes=1 << 30,
        timeout_s=120,
        remote_cache=nginx.url,
    )

    first = _gather(factory, portfolio, spec, store, injure=True)
    assert Counter(first.yielded) == Counter(portfolio.keys), "each repository exactly once"
    rows = _select(store, "SELECT key, status, reason FROM repositories ORDER BY key")
    assert rows == [(key, "gathered", None) for key in sorted(portfolio.keys)]

    documents = dict(
        _select(
            store, "SELECT r.key, d.document FROM documents d JOIN repositories r USING (repo_id)"
        )
    )
    assert sorted(documents) == sorted(portfolio.keys)
    reference_probes: set[str] | None = None
    for key, text in documents.items():
        document = json.loads(str(text))
        counts = document["gather"]
        assert document["repo"]["name"] == Path(key).name
        assert counts["failed"] == 0, key
        assert (
            counts["probes"]
            == counts["ran"] + counts["cached"] + counts["skipped"]
            == len(document["probes"])
        )
        reference_probes = reference_probes or set(document["probes"])
        assert set(document["probes"]) == reference_probes
    for key in portfolio.keys[:: REPOS // 4]:  # a few, against a direct gather of their own
        alone = gather_repository(key, config=LAYER_A, cache_dir=str(tmp_path / "alone"), jobs=1)
        stored = json.loads(str(documents[key]))
        assert _facts(stored) == _facts(alone.to_document()), key

    shutil.rmtree(cache)  # every local cache: the workers of both executors share this one
    second = _gather(factory, portfolio, spec, store, injure=False)
    assert Counter(second.yielded) == Counter(portfolio.keys)
    [(runs, ran, cached, served)] = _select(
        store,
        "SELECT COUNT(*), SUM(ran), SUM(cached), SUM(cached = probes - skipped) FROM run_results "
        "WHERE run_id = (SELECT MAX(run_id) FROM runs)",
    )
    assert (runs, ran, served) == (REPOS, 0, REPOS)
    assert isinstance(cached, int) and cached >= REPOS

    query = CliRunner().invoke(
        cli,
        [
            "portfolio", "query", "--store", str(store), "--format", "json",
            "SELECT DISTINCT r.key FROM base_images b JOIN repositories r USING (repo_id) "
            f"WHERE b.image = '{SEEDED_IMAGE}' ORDER BY r.key",
        ],
    )  # fmt: skip
    assert query.exit_code == 0, query.output
    assert [row["key"] for row in json.loads(query.stdout)] == sorted(portfolio.seeded)
