"""The gather configuration: plain values the CLI builds from options and environment.

Rule 1: every `GatherConfig` field either shapes some probe's slice, and is then named by that
probe's `config:<field>` declared input so its value enters the probe's key, or is listed in
`NOT_IN_ANY_KEY` with the reason it shapes no slice (see ADR-0028). A test walks the fields.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

import attrs

from codegenie_core.probe_types import Layer

# How a gather uses the cache: "use" reads and writes it, "refresh" recomputes and overwrites,
# "off" neither reads nor writes. Here, on the bottom floor, so the coordinator and the request
# share one spelling (ADR-0036).
CacheMode = Literal["use", "refresh", "off"]

BuildNetwork = Literal["default", "none"]
BUILD_NETWORKS: tuple[BuildNetwork, ...] = ("default", "none")


@attrs.frozen(kw_only=True)
class GatherConfig:
    """Options that shape a gather. Probes read only the fields that concern them."""

    layers: frozenset[Layer] = frozenset({"a", "b", "c"})
    probes: tuple[str, ...] = ()  # empty: every registered probe of the selected layers
    make_index: bool = False  # --index: run the SCIP indexers when an index is missing or stale
    index_paths: tuple[str, ...] = ()  # extra repo-relative paths of SCIP indexes to judge
    engine: str = "docker"  # --engine: the container CLI (docker or podman)
    trace_argv: bool = False  # --trace-argv: keep full argv in traces (may hold secrets)
    # --keep-images: keep each trace image after its trace (default: removed; the result is
    # cached by content, so the image is not needed again unless the context changes)
    keep_images: bool = False
    # --build-network: `docker build`'s network; the one place a repository's code can reach the
    # network. Part of runtime_trace's cache key (`config:build_network`): it changes the image.
    build_network: BuildNetwork = "default"
    # --seccomp-profile: a profiling pass per scenario counts every syscall, for a seccomp profile
    # (ADR-0067). Part of runtime_trace's cache key (`config:seccomp_profile`).
    seccomp_profile: bool = False
    probe_timeout_cap_s: float | None = None  # caps every probe's own `timeout_s` when set
    # --dockerfile (repeatable): the repo-relative Dockerfiles runtime_trace builds; empty: its
    # own choice (ADR-0065). In runtime_trace's key (`config:dockerfiles`).
    dockerfiles: tuple[str, ...] = ()
    # --pull: the engine pulls a base image it does not have before the digests are read
    pull: bool = False


# The fields that shape no probe's slice, one line each: the field and why (Rule 1).
NOT_IN_ANY_KEY: Mapping[str, str] = {
    "layers": "chooses which probes run, not what any probe finds",
    "probes": "chooses which probes run, not what any probe finds",
    "keep_images": "keeps or removes the trace image after its trace; the trace is the same",
    "pull": "changes whether a base image is present, which the image-digest token follows; "
    "not what a trace records",
}
