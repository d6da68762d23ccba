"""The composition root: which adapters serve the CLI. Tests pass a factory of fakes instead.

Rule 1: only this module knows the concrete adapters; `run.py` and `main.py` see the `Adapters`
protocol, the core sees ports (see ADR-0034).
Rule 2: adapters are imported lazily, so `codegenie-cli --help` and a warm gather do not pay for
modules they do not use (protobuf, the container runner; ADR-0007).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Any, Literal, Protocol

import attrs

from codegenie_core.request import OpenedRepo, PortFactory, open_repository

if TYPE_CHECKING:
    # Only named in annotations: a gather does not import the portfolio's model (ADR-0091).
    from codegenie_core.maintenance import CacheAdmin, SweepResult
    from codegenie_core.portfolio import (
        Executor,
        PortfolioStore,
        RepoResult,
        RepoTask,
        SourceKind,
        TaskSpec,
    )

    class OpenedStore(PortfolioStore, Protocol):
        """A portfolio store the CLI opened, and closes."""

        def close(self) -> None: ...


__all__ = [
    "Adapters",
    "OpenedRepo",
    "PortfolioAdapters",
    "enable_logging",
    "open_repository",
    "real_adapters",
    "real_portfolio_adapters",
]


class Adapters(PortFactory, Protocol):
    """What the CLI needs built: the gather's ports, the documents' text and files, the cache's
    maintenance. One real implementation (`codegenie_adapters.LocalPorts`); tests supply fakes."""

    def dump(self, document: object, fmt: Literal["yaml", "json"]) -> str: ...
    def write_outputs(self, directory: str, files: Mapping[str, str]) -> list[str]:
        """Write each file atomically into `directory`; returns the paths written (ADR-0003)."""
        ...

    def cache_admin(self, root: str) -> CacheAdmin:
        """The cache at `root`, for stats, clear and gc; creates nothing."""
        ...

    def remove_clones(self, root: str, *, unused_since: float | None) -> int:
        """Remove the portfolio clones under the cache `root`: all, or those unused since."""
        ...

    def sweep_engine(self, engine: str, *, everything: bool) -> SweepResult:
        """Remove the runtime trace's labelled containers, volumes and images (cache clear/gc)."""
        ...

    def cleanup(self) -> None:
        """Release what the adapters hold (containers, temp dirs); called also on Ctrl-C."""
        ...


def real_adapters() -> Adapters:
    """The adapters that touch the real machine."""
    from codegenie_adapters.local import LocalPorts

    return LocalPorts()


def enable_logging(level: str, configure: Callable[[Any], None]) -> None:
    """Let the adapters' messages at `level` and above through; `configure(logger)` adds sinks."""
    from codegenie_adapters import log

    log.enable(level, configure=configure)


@attrs.frozen(kw_only=True)
class PortfolioAdapters:
    """What `portfolio gather` needs built (Rule 1): the task function the workers run, the
    SOURCE expansion, the store, and the executors. Tests pass their own `gather`."""

    gather: Callable[[RepoTask, TaskSpec], RepoResult]
    expand_sources: Callable[[Sequence[str], bool], list[tuple[str, SourceKind]]]
    open_store: Callable[[str], OpenedStore]
    local_executor: Callable[
        [Callable[[RepoTask, TaskSpec], RepoResult], int, Callable[[], None] | None], Executor
    ]


def real_portfolio_adapters(
    gather: Callable[[RepoTask, TaskSpec], RepoResult] | None = None,
) -> PortfolioAdapters:
    """The real adapters of a portfolio run (Rule 2: imported when a run starts); `gather`
    defaults to `codegenie_adapters.portfolio_worker.gather_task`."""
    from codegenie_adapters.local_executor import LocalExecutor
    from codegenie_adapters.portfolio_sources import expand_sources
    from codegenie_adapters.portfolio_store import open_store
    from codegenie_adapters.portfolio_worker import gather_task

    def local(
        task_fn: Callable[[RepoTask, TaskSpec], RepoResult],
        jobs: int,
        worker_setup: Callable[[], None] | None,
    ) -> Executor:
        return LocalExecutor(gather=task_fn, jobs=jobs, worker_setup=worker_setup)

    return PortfolioAdapters(
        gather=gather_task if gather is None else gather,
        expand_sources=lambda sources, recursive: expand_sources(sources, recursive=recursive),
        open_store=open_store,
        local_executor=local,
    )


class ConfigReader(Protocol):
    """Reads codegenie's TOML config files (`codegenie_adapters.config_files`)."""

    def read_toml(self, root: str, path: str, *, label: str) -> Mapping[str, Any] | None: ...
    def mentions(self, root: str, path: str, needle: bytes) -> bool: ...


def config_reader() -> ConfigReader:
    """The TOML config reader, imported on first use (Rule 2)."""
    from codegenie_adapters import config_files

    return config_files


def load_document(path: str) -> object:
    """The plain data of a context document file (JSON or YAML), or a `DocumentError`."""
    from codegenie_adapters.context_files import load_document as load

    return load(path)


def checked_out(repo: str, rev: str) -> AbstractContextManager[str]:
    """A temporary detached worktree of `repo` at `rev`, removed afterwards (ADR-0060)."""
    from codegenie_adapters.revisions import checked_out as checkout

    return checkout(repo, rev)


def collections_held_back() -> AbstractContextManager[None]:
    """The cyclic garbage collector held back for one gather, its thresholds given back after
    (`codegenie_adapters.collector`, ADR-0086)."""
    from codegenie_adapters.collector import collections_held_back as held_back

    return held_back()
