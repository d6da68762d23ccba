"""What a probe is: its protocol, the context it is handed, the envelope it returns.

Rule 1: a probe is a class with a `spec` (a `ProbeSpec`: see ADR-0030), `applies` and `run`;
`@register_probe` makes it known. The older class-attribute style (`LegacyProbe`) still registers,
through a shim that warns, for one release.
Rule 2: `run` returns a value, an `Envelope` or a `Skip`; an exception escaping `run` is a bug in
the probe, which the coordinator records as a failed outcome (see ADR-0002).
Rule 3: `ProbeContext`'s field set is a public contract frozen by a committed snapshot and its
allowlist (see ADR-0030); adding a field means editing the allowlist and writing an ADR.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Protocol

import attrs

from codegenie_core.config import GatherConfig
from codegenie_core.ports import (
    Clock,
    ContainerRunner,
    IndexerRunner,
    IndexReader,
    RepoFiles,
    YamlReader,
)
from codegenie_core.probe_types import Confidence, Heaviness, Layer
from codegenie_core.spec import ProbeSpec
from codegenie_core.values.envelope import CachedEnvelope, CacheEntryError, Envelope
from codegenie_core.values.outcome import NotApplicable, Skip, ToolUnavailable

__all__ = [
    "CacheEntryError",
    "CachedEnvelope",
    "Confidence",
    "Envelope",
    "Heaviness",
    "ImageDigestResolver",
    "Layer",
    "LegacyProbe",
    "NotApplicable",
    "Probe",
    "ProbeContext",
    "Skip",
    "ToolUnavailable",
    "clip_confidence",
]


ImageDigestResolver = Callable[[], str | None]


@attrs.frozen(kw_only=True)
class ProbeContext:
    """Everything a probe may use. Ports reach the world; the rest is values."""

    repo: RepoFiles
    config: GatherConfig
    clock: Clock
    yaml: YamlReader
    upstream: Mapping[str, Envelope] = attrs.field(factory=dict[str, Envelope])
    containers: ContainerRunner | None = None
    index_reader: IndexReader | None = None
    indexer: IndexerRunner | None = None
    image_digest_resolver: ImageDigestResolver | None = None


class Probe(Protocol):
    """The shape every registered probe has: one spec, and the two things it does."""

    @property
    def spec(self) -> ProbeSpec: ...
    def applies(self, ctx: ProbeContext) -> bool: ...
    def run(self, ctx: ProbeContext) -> Envelope | Skip: ...


class LegacyProbe(Protocol):
    """The class-attribute style a probe had before `ProbeSpec`; converted by
    `codegenie_core.spec.spec_from_attributes`, with a warning (see ADR-0030)."""

    @property
    def name(self) -> str: ...
    @property
    def version(self) -> int: ...
    @property
    def layer(self) -> Layer: ...
    @property
    def declared_inputs(self) -> tuple[str, ...]: ...
    @property
    def needs(self) -> tuple[str, ...]: ...
    @property
    def slice_type(self) -> type[Any]: ...
    @property
    def schema_version(self) -> int: ...
    @property
    def timeout_s(self) -> float: ...
    def applies(self, ctx: ProbeContext) -> bool: ...
    def run(self, ctx: ProbeContext) -> Envelope | Skip: ...


def clip_confidence(state: str) -> Confidence:
    """Clip a richer slice state (such as `"unavailable"`) into an envelope confidence."""
    match state:
        case "high":
            return "high"
        case "medium":
            return "medium"
        case _:
            return "low"
