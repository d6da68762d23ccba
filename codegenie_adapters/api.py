"""`gather_repository`: one gather of a local repository from Python, as the CLI runs it.

Rule 1: this is `codegenie_core.session.gather_with` over `LocalPorts`, the path `codegenie-cli
gather` takes, so `gather_repository(path).to_document()` is the document the CLI writes for the
same repository and options (a test holds the two equal; see ADR-0034).
Rule 2: the cyclic garbage collector is held back for the gather, as the CLI holds it
(`collector.collections_held_back`, ADR-0086), and given back its thresholds on return.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from codegenie_core.config import GatherConfig
from codegenie_core.request import DEFAULT_CACHE_MAX_BYTES, GatherRequest

if TYPE_CHECKING:
    from codegenie_core.outcomes import ProbeOutcome
    from codegenie_core.registry import ProbeRegistry
    from codegenie_core.request import CacheMode
    from codegenie_core.session import Gathered


def gather_repository(
    path: str,
    *,
    config: GatherConfig | None = None,
    cache_dir: str | None = None,
    cache_mode: CacheMode = "use",
    cache_max_bytes: int = DEFAULT_CACHE_MAX_BYTES,
    jobs: int | None = None,
    remote_cache: str | None = None,
    registry: ProbeRegistry | None = None,
    on_outcome: Callable[[ProbeOutcome], None] | None = None,
) -> Gathered:
    """Gather facts about the local repository at `path` over the real adapters.

    `config` (default `GatherConfig()`: every layer) chooses the probes and shapes what they
    find, as the `gather` options do;
    `cache_dir` defaults to `CODEGENIE_CACHE_DIR` or the user cache directory; `cache_mode` is
    "use", "refresh" (recompute, overwrite) or "off"; `jobs` is the CPU budget (default
    `CODEGENIE_FORCE_CPU_COUNT` or the CPUs); `remote_cache` is a shared HTTP cache's URL behind
    the local one (ADR-0051; the auth header comes from `CODEGENIE_REMOTE_CACHE_HEADER`).
    `registry` defaults to the built-in probes of `config`'s layers (pass one to add your own).
    A probe's failure is an outcome in the result, never an exception; a missing or unreadable
    `path`, a bad cache directory or an unknown probe name raise `CodegenieError` subclasses.
    Containers and temp dirs are released before it returns. `.to_document()` of the result is
    the CLI's context document."""
    from codegenie_adapters.collector import collections_held_back
    from codegenie_adapters.local import LocalPorts
    from codegenie_core.probes import register_catalog
    from codegenie_core.registry import DEFAULT_REGISTRY
    from codegenie_core.request import open_repository
    from codegenie_core.session import gather_with

    config = GatherConfig() if config is None else config
    request = GatherRequest(
        config=config,
        cache_dir=cache_dir,
        cache_mode=cache_mode,
        cache_max_bytes=cache_max_bytes,
        jobs=jobs,
        remote_cache=remote_cache,
    )
    if registry is None:
        register_catalog(None if config.probes else config.layers)
        registry = DEFAULT_REGISTRY
    ports = LocalPorts()
    try:
        with collections_held_back():
            opened = open_repository(ports, path, request)
            return gather_with(ports, request, opened, registry=registry, on_outcome=on_outcome)
    finally:
        ports.cleanup()
