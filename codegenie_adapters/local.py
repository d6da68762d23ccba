"""The ports of a gather over a local repository on this machine: `LocalPorts`.

Rule 1: this module, and `codegenie_adapters.api` that uses it, are the one place in the adapters
that names other adapters: it is the composition of them the CLI's wiring and the Python API share
(see ADR-0034).
Rule 2: adapters are imported lazily, inside the methods, so `codegenie-cli --help` and a warm
gather do not pay for modules they do not use (protobuf, the container runner; ADR-0007).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:  # annotations only: opening the repository starts git before these import
    from codegenie_core.config import GatherConfig
    from codegenie_core.key_changes import KeyLog
    from codegenie_core.maintenance import CacheAdmin, SweepResult
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
    from codegenie_core.report.context import PlainData
    from codegenie_core.values.container import (
        BuildFailed,
        BuildRequest,
        BuiltImage,
        ContainerPolicy,
        EngineStatus,
        Scenario,
        ScenarioResult,
    )


class _LazyContainerRunner:
    """Builds the docker/strace runner (and imports it, with the strace parser) only when an
    engine is asked something: a warm gather serving the runtime trace from the cache asks it
    nothing (Rule 2, ADR-0077)."""

    def __init__(self, root: str, config: GatherConfig) -> None:
        self._root = root
        self._config = config
        self._runner: ContainerRunner | None = None

    def _built(self) -> ContainerRunner:
        if self._runner is None:
            from codegenie_adapters.docker_strace import DockerStraceRunner

            config = self._config
            self._runner = DockerStraceRunner(
                self._root,
                engine=config.engine,
                trace_argv=config.trace_argv,
                keep_images=config.keep_images,
            )
        return self._runner

    def engine_status(self) -> EngineStatus:
        return self._built().engine_status()

    def build(self, request: BuildRequest) -> BuiltImage | BuildFailed:
        return self._built().build(request)

    def run_scenario(
        self,
        image: BuiltImage,
        scenario: Scenario,
        *,
        timeout_s: float,
        keep_argv: bool,
        policy: ContainerPolicy,
        count_syscalls: bool = False,
    ) -> ScenarioResult:
        return self._built().run_scenario(
            image,
            scenario,
            timeout_s=timeout_s,
            keep_argv=keep_argv,
            policy=policy,
            count_syscalls=count_syscalls,
        )

    def cleanup(self) -> None:
        if self._runner is not None:
            self._runner.cleanup()


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


class LocalPorts:
    """The adapters that touch the real machine: a `PortFactory` (codegenie_core.session), the
    documents' text and files, and the cache's maintenance. `cleanup()` releases what the ports
    hold (containers, temp dirs); call it when the gather is over, also on Ctrl-C."""

    def __init__(self) -> None:
        self._cleanups: list[Callable[[], None]] = []
        self._engine = "docker"  # the engine of the last runner `containers` built
        self._dockerfiles: tuple[str, ...] = ()  # and its --dockerfile choice
        self._pull = False  # and --pull

    def environ(self) -> Mapping[str, str]:
        return os.environ

    def cpu_count(self) -> int | None:
        return os.cpu_count()

    def open_repo(self, path: str, *, cache_dir: str | None) -> tuple[RepoFiles, str]:
        from codegenie_adapters.local_repo import open_repo, stat_index_path_for

        root = os.path.realpath(path)
        stat_index = None if cache_dir is None else stat_index_path_for(cache_dir, root)
        return open_repo(path, stat_index_path=stat_index), root

    def open_cache(
        self, path: str, *, max_bytes: int, remote_cache: str | None = None
    ) -> CacheStore | None:
        from codegenie_adapters.fs_cache import open_cache

        local = open_cache(path, max_bytes=max_bytes)
        if remote_cache is None:
            return local
        from codegenie_adapters.fs_cache_files import MAX_ENTRY_BYTES
        from codegenie_adapters.http_remote import HttpRemote, remote_header
        from codegenie_adapters.tiered_cache import TieredCache

        header = remote_header(os.environ)  # a secret: read here, never put in a request value
        remote = HttpRemote(remote_cache, header=header, max_bytes=MAX_ENTRY_BYTES)
        return TieredCache(local, remote)

    def key_log(self, cache_dir: str, root: str) -> KeyLog | None:
        from codegenie_adapters.key_log import FsKeyLog

        return FsKeyLog(cache_dir, root)

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
        # Asked for only when a planned probe's spec names the port (ADR-0030): no layer test here.
        runner = _LazyContainerRunner(root, config)
        self._cleanups.append(runner.cleanup)
        self._engine = config.engine
        self._dockerfiles = config.dockerfiles
        self._pull = config.pull
        return runner

    def image_digest_resolver(
        self, containers: ContainerRunner | None, repo: RepoFiles, root: str
    ) -> ImageDigestResolver | None:
        if containers is None:
            return None
        from codegenie_adapters.image_inspect import base_image_resolver
        from codegenie_core.probes.layer_c.dockerfiles import choose_dockerfiles

        yaml, chosen = self.yaml(), self._dockerfiles

        def dockerfiles() -> tuple[str, ...]:  # the ones the trace builds (ADR-0065)
            return tuple(t.dockerfile for t in choose_dockerfiles(repo, yaml, chosen).targets)

        # The engine this factory built the runner for, not one sniffed from the runner's class.
        return base_image_resolver(
            repo, engine=self._engine, dockerfiles=dockerfiles, pull=self._pull
        )

    def to_plain(self, value: object) -> PlainData:
        from codegenie_adapters.serde import plain_data  # only a probe that ran needs cattrs

        return plain_data(value)

    def dump(self, document: object, fmt: Literal["yaml", "json"]) -> str:
        from codegenie_adapters.documents import to_json, to_yaml

        return to_yaml(document) if fmt == "yaml" else to_json(document)

    def write_outputs(self, directory: str, files: Mapping[str, str]) -> list[str]:
        from codegenie_adapters.documents import write_outputs

        return write_outputs(directory, files)

    def cache_admin(self, root: str) -> CacheAdmin:
        from codegenie_adapters.fs_cache import FsCache

        return FsCache.for_admin(root)

    def remove_clones(self, root: str, *, unused_since: float | None) -> int:
        from codegenie_adapters.portfolio_worker import remove_clones

        return remove_clones(root, unused_since=unused_since)

    def sweep_engine(self, engine: str, *, everything: bool) -> SweepResult:
        from codegenie_adapters.engine_sweep import sweep_engine

        return sweep_engine(engine, everything=everything)

    def cleanup(self) -> None:
        while self._cleanups:
            self._cleanups.pop()()
