"""The composition root: which adapter serves which port. Tests pass a factory of fakes instead.

Rule 1: only this module (and main.py) knows the concrete adapters; the core sees ports.
Rule 2: adapters are imported lazily, inside the methods, so `codegenie-cli --help` and a warm
gather do not pay for modules they do not use (protobuf, the container runner).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Protocol, TypeAlias

if TYPE_CHECKING:  # annotations only: opening the repository starts git before these import
    from codegenie_adapters.engine_sweep import SweepResult
    from codegenie_core.config import GatherConfig
    from codegenie_core.ports import (
        CacheStore,
        Clock,
        ContainerRunner,
        IndexerRunner,
        IndexReader,
        RepoFiles,
        YamlReader,
    )
    from codegenie_core.probe import ImageDigestResolver
    from codegenie_core.probes.layer_b.model import IndexReadResult


class Adapters(Protocol):
    """What the CLI needs built. One real implementation; tests supply fakes."""

    def environ(self) -> Mapping[str, str]: ...
    def cpu_count(self) -> int | None: ...
    def open_repo(self, path: str, *, cache_dir: str | None) -> tuple[RepoFiles, str]:
        """The repository port and its absolute root (the root never enters a document)."""
        ...

    def open_cache(self, path: str, *, max_bytes: int) -> CacheStore | None: ...
    def default_cache_dir(self) -> str: ...
    def yaml(self) -> YamlReader: ...
    def clock(self) -> Clock: ...
    def index_reader(self, root: str, cache_dir: str) -> IndexReader | None:
        """Reads the repository's indexes and those codegenie made for it under `cache_dir`."""
        ...

    def indexer(self, root: str, config: GatherConfig, cache_dir: str) -> IndexerRunner | None:
        """Makes indexes of the repository under `cache_dir`, outside the work tree (ADR-0028)."""
        ...

    def containers(self, root: str, config: GatherConfig) -> ContainerRunner | None: ...
    def image_digest_resolver(
        self, containers: ContainerRunner | None, repo: RepoFiles, root: str
    ) -> ImageDigestResolver | None: ...
    def sweep_engine(self, engine: str, *, everything: bool) -> SweepResult:
        """Remove the runtime trace's labelled containers, volumes and images (cache clear/gc)."""
        ...

    def cleanup(self) -> None:
        """Release what the adapters hold (containers, temp dirs); called also on Ctrl-C."""
        ...


# The repository, its absolute root, the cache directory.
OpenedRepo: TypeAlias = "tuple[RepoFiles, str, str]"


def open_repository(
    adapters: Adapters, path: str, *, cache_dir: str | None, cache_off: bool
) -> OpenedRepo:
    """Open REPO (its git answers start in the background) and name the cache directory. The CLI
    calls this before importing the gather machinery, so git works while that imports."""
    chosen = cache_dir or adapters.default_cache_dir()
    repo, root = adapters.open_repo(path, cache_dir=None if cache_off else chosen)
    return repo, root, chosen


class _LazyIndexReader:
    """Builds the SCIP reader (and imports protobuf) only when an index is actually read: a warm
    gather serves index health from the cache and reads none, though it asks `made_state` for the
    key (Rule 2)."""

    def __init__(self, root: str, made_dir: str) -> None:
        from codegenie_adapters._made_index import MadeIndexes

        self._root = root
        self._made = MadeIndexes(made_dir)
        self._reader: IndexReader | None = None

    def _built(self) -> IndexReader:
        if self._reader is None:
            from codegenie_adapters.scip_reader import ScipReader

            self._reader = ScipReader(self._root, made_dir=self._made.directory)
        return self._reader

    def read(self, path: str) -> IndexReadResult:
        return self._built().read(path)

    def read_made(self, indexer: str) -> IndexReadResult:
        return self._built().read_made(indexer)

    def made_sidecar(self, indexer: str) -> bytes | None:
        return self._made.sidecar(indexer)

    def made_state(self) -> str:
        return self._made.state()


class RealAdapters:
    """The adapters that touch the real machine."""

    def __init__(self) -> None:
        self._cleanups: list[Callable[[], None]] = []

    def environ(self) -> Mapping[str, str]:
        return os.environ

    def cpu_count(self) -> int | None:
        return os.cpu_count()

    def open_repo(self, path: str, *, cache_dir: str | None) -> tuple[RepoFiles, str]:
        from codegenie_adapters.local_repo import open_repo, stat_index_path_for

        root = os.path.realpath(path)
        stat_index = None if cache_dir is None else stat_index_path_for(cache_dir, root)
        return open_repo(path, stat_index_path=stat_index), root

    def open_cache(self, path: str, *, max_bytes: int) -> CacheStore | None:
        from codegenie_adapters.fs_cache import open_cache

        return open_cache(path, max_bytes=max_bytes)

    def default_cache_dir(self) -> str:
        from codegenie_adapters.cache_location import default_cache_dir

        return default_cache_dir(os.environ, os.path.expanduser("~"))

    def yaml(self) -> YamlReader:
        from codegenie_adapters.config_yaml import RuamelYamlReader

        return RuamelYamlReader()

    def clock(self) -> Clock:
        from codegenie_adapters.clock import SystemClock

        return SystemClock()

    def index_reader(self, root: str, cache_dir: str) -> IndexReader | None:
        from codegenie_adapters._made_index import made_index_dir

        return _LazyIndexReader(root, made_index_dir(cache_dir, root))

    def indexer(self, root: str, config: GatherConfig, cache_dir: str) -> IndexerRunner | None:
        if not config.make_index:
            return None
        from codegenie_adapters._made_index import made_index_dir
        from codegenie_adapters.scip_indexer import ScipIndexerRunner

        return ScipIndexerRunner(root, made_dir=made_index_dir(cache_dir, root))

    def containers(self, root: str, config: GatherConfig) -> ContainerRunner | None:
        if "c" not in config.layers:
            return None
        from codegenie_adapters.docker_strace import DockerStraceRunner

        runner = DockerStraceRunner(
            root,
            engine=config.engine,
            trace_argv=config.trace_argv,
            keep_images=config.keep_images,
        )
        self._cleanups.append(runner.cleanup)
        return runner

    def image_digest_resolver(
        self, containers: ContainerRunner | None, repo: RepoFiles, root: str
    ) -> ImageDigestResolver | None:
        if containers is None:
            return None
        from codegenie_adapters.docker_strace import make_image_digest_resolver

        return make_image_digest_resolver(containers, repo)

    def sweep_engine(self, engine: str, *, everything: bool) -> SweepResult:
        from codegenie_adapters.engine_sweep import sweep_engine

        return sweep_engine(engine, everything=everything)

    def cleanup(self) -> None:
        while self._cleanups:
            self._cleanups.pop()()
